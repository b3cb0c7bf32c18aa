"""Seats page on a large database: keystroke latency of the search box (median, target
<= 50 ms) and the process's peak memory (target < 400 MB). Usage:
    python benchmarks/seats_search.py DB
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def main() -> None:
    app = QApplication(sys.argv[:1])
    from stackadmin.app import tune_gc
    from stackadmin.ui import gcpause

    tune_gc()  # as the app does
    gcpause.install(app)
    from stackadmin.domain.vocab import AuditSource
    from stackadmin.services.context import open_context
    from stackadmin.ui.env import Env
    from stackadmin.ui.mainwindow import MainWindow
    from stackadmin.ui.tasks import TaskRunner

    ctx = open_context(sys.argv[1], source=AuditSource.UI)
    tasks = TaskRunner(ctx)
    env = Env(tasks, settings=QSettings("/tmp/stackadmin-bench.ini", QSettings.Format.IniFormat))
    window = MainWindow(env)
    window.resize(1280, 800)
    window.show()
    window.attach(False)
    started = time.perf_counter()
    window.show_page("seats")
    page = window.pages["seats"]
    # Waited for in an event loop (a processEvents() spin would take the interpreter lock
    # from the worker and make the load look twice as slow as it is).
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: loop.quit() if not tasks.busy and page.model.total else None)
    poll.start(20)
    loop.exec()
    poll.stop()
    print(f"seats loaded: {page.model.total:,} rows in {time.perf_counter() - started:.2f} s")
    latencies = []
    for query in ("gith", "ada", "inactive", "mem"):
        page.search.clear()
        app.processEvents()
        for char in query + " ":
            t = time.perf_counter()
            QTest.keyClick(page.search, char)
            app.processEvents()  # filters, resets the model and paints the new rows once
            latencies.append((time.perf_counter() - t) * 1000)
    page.search.clear()
    t = time.perf_counter()
    page.view.sortByColumn(2, page.view.horizontalHeader().sortIndicatorOrder())
    app.processEvents()
    sort_ms = (time.perf_counter() - t) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"keystrokes: {len(latencies)}, median {statistics.median(latencies):.1f} ms, "
          f"max {max(latencies):.1f} ms (target median <= 50 ms)")
    print(f"sort by email on every row: {sort_ms:.0f} ms")
    print(f"peak memory: {peak:.0f} MB (target < 400 MB)")
    tasks.wait()


if __name__ == "__main__":
    main()
