"""Start-up benchmark: stackadmin's window vs a bare QMainWindow and vs a bare window plus
`import sqlalchemy.orm`, each in fresh processes, medians. Usage:
    python benchmarks/startup.py DB [runs]     (DB: e.g. made with `stackadmin demo --size large`)
Prints the medians and the ratios against their targets (painted ≤ 1.5× bare; ready ≤ 1.3× floor).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QEvent, QObject, QTimer
app = QApplication(sys.argv[:1]); w = QMainWindow(); w.resize(1280, 800)
class F(QObject):
    done = False
    def eventFilter(self, o, e):
        if not F.done and e.type() == QEvent.Type.Paint:
            F.done = True
            def after():
                print("painted", time.time(), file=sys.stderr, flush=True)
                if ORM:
                    import sqlalchemy.orm  # noqa: F401
                print("ready", time.time(), file=sys.stderr, flush=True)
                app.quit()
            QTimer.singleShot(0, after)
        return False
f = F(); w.installEventFilter(f); w.show(); app.exec()
"""


def _run(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    start = time.time()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {argv}\n{proc.stderr}")
    out: dict[str, float] = {"exit": time.time() - start}
    for line in proc.stderr.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-2] in ("painted", "ready", "opened"):
            out[parts[-2]] = float(parts[-1]) - start
    return out


def main() -> None:
    db = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "STACKADMIN_TRACE_STARTUP": "1"}
    bare, floor, app = [], [], []
    for _ in range(runs):  # interleaved, so machine load hits all three alike
        bare.append(_run([sys.executable, "-c", "ORM = False\n" + BARE], env))
        floor.append(_run([sys.executable, "-c", "ORM = True\n" + BARE], env))
        app.append(_run([sys.executable, "-m", "stackadmin", "gui", "--db", db,
                         "--exit-when-ready"], env))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    b_paint, f_ready = med(bare, "painted"), med(floor, "ready")
    a_paint, a_ready = med(app, "painted"), med(app, "ready")
    print(f"runs: {runs} (medians, seconds from process launch)")
    print(f"bare QMainWindow painted:             {b_paint:.3f}")
    print(f"bare window + import sqlalchemy.orm:  {f_ready:.3f}")
    print(f"stackadmin painted:                   {a_paint:.3f}  ratio {a_paint / b_paint:.2f}"
          "  (target <= 1.5)")
    print(f"stackadmin ready (first page data):   {a_ready:.3f}  ratio {a_ready / f_ready:.2f}"
          "  (target <= 1.3)")


if __name__ == "__main__":
    main()
