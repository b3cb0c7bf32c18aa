"""The window on a database, as a user meets it once it is open: each page's first screen
after it is opened, switching back to a page already loaded, the Seats page loading every
seat (and the longest the window stops answering meanwhile), typing in its search box, and
the process's peak memory. Prints one JSON object.

    python -m benchmarks.probes.gui DB [--pages] [--seats] [--search]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

WAIT_S = 600.0
QUERIES = ("gith", "ada", "inactive", "mem")  # each typed letter by letter, then a space


class Heartbeat:
    """A 5 ms timer on the GUI thread: the longest gap between its ticks is the longest the
    window stopped answering."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start(5)

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps, default=0.0)


def wait_for(condition: Any, timeout: float = WAIT_S) -> None:
    """Runs the event loop until `condition()` (an event loop, not a processEvents() spin:
    that would take the interpreter lock from the workers)."""
    if condition():
        return
    loop = QEventLoop()
    poll = QTimer()
    deadline = time.perf_counter() + timeout

    def check() -> None:
        if condition() or time.perf_counter() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start(2)
    loop.exec()
    poll.stop()
    if not condition():
        raise SystemExit(f"gave up waiting after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db")
    parser.add_argument("--pages", action="store_true", help="every page's first screen")
    parser.add_argument("--seats", action="store_true", help="the Seats page's load")
    parser.add_argument("--search", action="store_true", help="typing in the Seats page")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    from stackadmin.app import tune_gc

    tune_gc()  # as the app does
    from stackadmin.domain.vocab import AuditSource
    from stackadmin.services.context import open_context
    from stackadmin.ui import theme
    from stackadmin.ui.env import Env
    from stackadmin.ui.mainwindow import MainWindow
    from stackadmin.ui.pages import PAGES
    from stackadmin.ui.tasks import TaskRunner

    theme.apply(app)
    ctx = open_context(args.db, source=AuditSource.UI, upgrade=False)
    ini = Path(tempfile.mkdtemp()) / "gui.ini"
    env = Env(TaskRunner(ctx), settings=QSettings(str(ini), QSettings.Format.IniFormat))
    window = MainWindow(env)
    window.resize(1280, 800)
    window.show()
    window.attach(False)  # the dashboard, as at start
    wait_for(lambda: not env.tasks.busy)
    out: dict[str, Any] = {}
    heartbeat = Heartbeat()
    keys = [p.key for p in PAGES if not p.hidden and p.key != window.current_key]
    if not args.pages:
        keys = []
    if (args.seats or args.search) and "seats" not in keys:
        keys.append("seats")
    first_rows: dict[str, float] = {}
    for key in keys:
        shown: list[float] = []
        loaded: list[float] = []
        heartbeat.start()
        started = time.perf_counter()
        page = window.page(key)  # made (and its module imported) on first use, as a click does
        page.first_rows.connect(lambda shown=shown: shown.append(time.perf_counter()))
        page.loaded.connect(lambda loaded=loaded: loaded.append(time.perf_counter()))
        window.show_page(key)
        wait_for(lambda shown=shown: bool(shown))
        first_rows[key] = (shown[0] - started) * 1000
        wait_for(lambda: not env.tasks.busy)
        stall = heartbeat.stop()
        if key == "seats":
            out["seats_load_s"] = (loaded[-1] if loaded else time.perf_counter()) - started
            out["seats_rows"] = page.model.total  # type: ignore[attr-defined]
            out["seats_stall_ms"] = stall * 1000
    if args.pages:
        out["first_rows_ms"] = first_rows
        back: dict[str, float] = {}
        for key in [window.current_key or "", *keys]:
            if key not in window.pages:
                continue
            started = time.perf_counter()
            window.show_page(key)
            window.repaint()  # painted, not merely queued
            app.processEvents()
            back[key] = (time.perf_counter() - started) * 1000
            wait_for(lambda: not env.tasks.busy)
        out["switch_back_ms"] = back
    if args.search:
        window.show_page("seats")
        page = window.pages["seats"]
        latencies = []
        for query in QUERIES:
            page.search.clear()  # type: ignore[attr-defined]
            app.processEvents()
            for char in query + " ":
                started = time.perf_counter()
                QTest.keyClick(page.search, char)  # type: ignore[attr-defined]
                app.processEvents()  # filters, resets the model and paints the rows once
                latencies.append((time.perf_counter() - started) * 1000)
        page.search.clear()  # type: ignore[attr-defined]
        app.processEvents()
        out["keystroke_ms"] = statistics.median(latencies)
        out["keystroke_max_ms"] = max(latencies)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    env.tasks.wait()
    ctx.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
