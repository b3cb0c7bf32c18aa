"""Savings page on a large inventory: load time (off the GUI thread), the longest GUI stall
while loading, the GUI-thread part of showing the rows, and the time per keystroke / choice.

    stackadmin --db /tmp/sav-large.sqlite demo --size large
    QT_QPA_PLATFORM=offscreen python benchmarks/savings_page.py /tmp/sav-large.sqlite
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def main(db: str) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    from stackadmin.domain.vocab import AuditSource
    from stackadmin.services.context import open_context
    from stackadmin.ui import theme
    from stackadmin.ui.env import Env
    from stackadmin.ui.mainwindow import MainWindow
    from stackadmin.ui.tasks import TaskRunner

    theme.apply(app)
    ctx = open_context(db, source=AuditSource.UI, upgrade=False)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "gui.ini"), QSettings.Format.IniFormat)
    env = Env(TaskRunner(ctx), settings=settings)
    window = MainWindow(env)
    window.resize(1280, 800)
    window.show()
    window.attach(False)
    while env.tasks.busy:  # the first page's load
        app.processEvents()

    # A 5 ms heartbeat on the GUI thread: the longest gap is the worst stall a user feels.
    gaps: list[float] = []
    ends: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        ends.append(now)
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(5)
    started = time.perf_counter()
    window.show_page("savings")
    page = window.pages["savings"]
    shown = []
    page.loaded.connect(lambda: shown.append(time.perf_counter()))
    while not shown:
        app.processEvents()
    seats_at = shown[0] - started
    while env.tasks.busy:  # the directory reconciliation, after the seats
        app.processEvents()
    all_at = time.perf_counter() - started
    timer.stop()
    print(f"unused seats listed: {page.seat_model.total:,} (groups {page.group_model.total})")
    shots = Path(__file__).resolve().parents[1] / "test-artifacts" / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(shots / "savings-large.png"))
    print(f"seats shown after {seats_at:.2f} s; directory after {all_at:.2f} s")
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    print(f"longest GUI-thread stall while loading: {gaps[worst] * 1000:.0f} ms, ending "
          f"{ends[worst] - started:.2f} s after the page was opened "
          f"(heartbeat gaps > 50 ms: {sum(1 for g in gaps if g > 0.05)})")

    # The GUI-thread part of showing the rows (the worker's result handed to the widgets).
    view = page.view_data
    haystack = page.seats._haystack
    clock = QElapsedTimer()
    clock.start()
    page._show((view, haystack))
    app.processEvents()
    print(f"showing the rows on the GUI thread: {clock.elapsed()} ms")
    while env.tasks.busy:
        app.processEvents()

    # Typing: each keystroke filters and resets the model; the view repaints.
    page.seats.view.setFocus()
    per_key: list[float] = []
    for word in ("nikolai", "example"):
        page.seats.search.clear()
        app.processEvents()
        for ch in word:
            t0 = time.perf_counter()
            QTest.keyClick(page.seats.search, ch)
            page.seats.view.viewport().repaint()
            app.processEvents()
            per_key.append((time.perf_counter() - t0) * 1000)
    print(f"per keystroke (filter + reset + repaint), {len(per_key)} keys: median "
          f"{statistics.median(per_key):.1f} ms, max {max(per_key):.1f} ms; "
          f"shown after typing: {page.seat_model.shown:,}")
    t0 = time.perf_counter()
    page.seats.search.clear()
    app.processEvents()
    print(f"clearing the search (all rows back): {(time.perf_counter() - t0) * 1000:.1f} ms")

    tools = page.seats._choices["tool"].combo
    times = []
    for n in (1, 2, 3, 0):
        t0 = time.perf_counter()
        tools.setCurrentIndex(n)
        page.seats.view.viewport().repaint()
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    print("choosing a tool (and back to all): " + ", ".join(f"{t:.0f} ms" for t in times))
    t0 = time.perf_counter()
    page.seats.view.sortByColumn(6, page.seats.view.horizontalHeader().sortIndicatorOrder())
    app.processEvents()
    print(f"sorting {page.seat_model.total:,} rows by cost: "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")

    window.show_page("tools")
    t0 = time.perf_counter()
    tools_page = window.pages["tools"]
    while not tools_page.model.total:
        app.processEvents()
    first = time.perf_counter() - t0
    while env.tasks.busy:
        app.processEvents()
    window.grab().save(str(shots / "tools-large.png"))
    print(f"Tools page ({tools_page.model.total} tools): rows after {first:.2f} s, "
          f"utilization columns after {time.perf_counter() - t0:.2f} s")
    env.tasks.cancel()
    env.tasks.wait()
    window.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/sav-large.sqlite")
