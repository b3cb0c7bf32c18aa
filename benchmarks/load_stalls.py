"""How long the window stops answering while the Seats page loads 100k rows on a worker:
the longest gaps of a 5 ms GUI-thread timer and the full garbage collections, with the app's
collector (its thresholds, stackadmin.app.tune_gc, applied on the GUI thread only:
stackadmin.ui.gcpause) and, as the baseline, Python's defaults, each in a fresh process. Usage:
    python benchmarks/load_stalls.py DB      (DB: e.g. made with `stackadmin demo --size large`)
"""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
import gc, sys, time
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
if sys.argv[2] == "app":
    from stackadmin.app import tune_gc
    from stackadmin.ui import gcpause
    tune_gc()
    gcpause.install(app)
from stackadmin.services.context import open_context
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.tasks import TaskRunner
ctx = open_context(sys.argv[1])
env = Env(TaskRunner(ctx), settings=QSettings("/tmp/stackadmin-stalls.ini",
                                              QSettings.Format.IniFormat))
window = MainWindow(env)
window.resize(1280, 800)
window.show()
window.attach(False)
window.show_page("seats")  # the page is made before the clock starts: only the load counts
page = window.pages["seats"]
full = []
def on_gc(phase, info):
    if info["generation"] == 2:
        full.append(time.perf_counter()) if phase == "start" else full.append(
            time.perf_counter() - full.pop())
gc.callbacks.append(on_gc)
gaps, last = [], [time.perf_counter()]
def tick():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now
timer = QTimer()
timer.timeout.connect(tick)
timer.start(5)
loop = QEventLoop()
poll = QTimer()
poll.timeout.connect(lambda: loop.quit() if not env.tasks.busy and page.model.total else None)
poll.start(20)
loop.exec()
gaps.sort()
print(f"{sys.argv[2]:>8}: {page.model.total:,} rows; longest gaps "
      f"{', '.join(str(round(g * 1000)) for g in gaps[-3:])} ms; "
      f"{len(full)} full collections, longest {round(max(full or [0]) * 1000)} ms")
env.tasks.wait()
"""


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    for mode in ("default", "app", "default", "app"):
        out = subprocess.run([sys.executable, "-c", CHILD, sys.argv[1], mode], env=env,
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
