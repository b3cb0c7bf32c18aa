"""The floor of the window figures: a bare QMainWindow shown (and, with --orm, then
`import sqlalchemy.orm`), its moments printed on stderr as the app's trace does.

    python -m benchmarks.probes.bare [--orm]
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> None:
    orm = "--orm" in sys.argv[1:]
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)

    class Painted(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not Painted.done and event.type() == QEvent.Type.Paint:
                Painted.done = True
                QTimer.singleShot(0, after)
            return False

    def after() -> None:
        print(f"stackadmin-trace painted {time.time():.6f}", file=sys.stderr, flush=True)
        if orm:
            import sqlalchemy.orm  # noqa: F401

        print(f"stackadmin-trace ready {time.time():.6f}", file=sys.stderr, flush=True)
        app.quit()

    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
