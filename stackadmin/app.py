"""The GUI entry point: the one place that wires Qt, the services and the database together."""

from __future__ import annotations

import os
import sys


def run_gui(db: str | None = None, *, exit_when_ready: bool = False) -> int:
    """Opens the main window on the database; returns the process exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from stackadmin.errors import UserError
    from stackadmin.services.context import open_context

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("stackadmin")
    window = QMainWindow()
    window.setWindowTitle("stackadmin")
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    try:
        ctx = open_context(db, upgrade=True)
    except UserError as exc:
        print(f"stackadmin: error: {exc}", file=sys.stderr)
        return 1
    window.setWindowTitle(f"stackadmin — {ctx.target.describe()}")
    window.setCentralWidget(QLabel("stackadmin"))
    if exit_when_ready or os.environ.get("STACKADMIN_EXIT_WHEN_READY"):
        QTimer.singleShot(0, app.quit)
    try:
        return int(app.exec())
    finally:
        ctx.close()
