"""Fresh processes, timed from launch to exit (with their peak memory), interleaved with
the process they are compared with so that a busy moment of the machine hits both."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class BenchError(Exception):
    """A measured process failed: the runner itself is broken, not a figure missed."""


@dataclass(frozen=True)
class Run:
    seconds: float  # launch to exit, wall clock
    peak_mb: float  # the process's peak resident memory
    launched: float  # time.time() at launch (the app's trace lines are time.time() too)
    stdout: str
    stderr: str


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every measured process: headless Qt, and settings, data folder
    and caches of its own (a benchmark never reads or writes the user's)."""
    home = Path(tempfile.gettempdir()) / "stackadmin-bench-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CONFIG_HOME": str(home / "config"), "STACKADMIN_DATA_DIR": str(home / "data"),
           "PYTHONPATH": str(ROOT)}
    env.pop("STACKADMIN_DB", None)
    # Bytecode read from __pycache__, as an installed stackadmin has it (pip compiles at
    # install): a shell that turns bytecode off would have every run compile each module it
    # imports from source, which a command importing more than its limit pays more for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def run(argv: Sequence[str], *, env: dict[str, str] | None = None, capture: bool = False,
        timeout: float = 1800) -> Run:
    """Runs `argv` (a list; `python` is this interpreter) and waits for it; BenchError with
    its stderr when it fails. Output is thrown away unless `capture`."""
    args = [PYTHON if a == "python" else a for a in argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        launched = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out if capture else subprocess.DEVNULL,
                                stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT,
                                env=env or child_env())
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                raise BenchError(f"timed out after {timeout:.0f} s: {' '.join(argv)}")
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise BenchError(f"exit {proc.returncode}: {' '.join(argv)}\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, launched, stdout, stderr)


def compile_sources() -> None:
    """Brings the bytecode of stackadmin and the benchmarks up to date before anything is
    timed (a no-op when it is), so that no measured run compiles a module."""
    run(["python", "-m", "compileall", "-q", "stackadmin", "benchmarks"])


def probe(argv: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Runs a probe (a script that prints one JSON object as its last line of output)."""
    result = run(argv, env=env, capture=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        raise BenchError(f"no result from {' '.join(argv)}\n{result.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(lines[-1])
    data.setdefault("_peak_mb", result.peak_mb)
    data.setdefault("_seconds", result.seconds)
    return data


@dataclass
class Series:
    """Repeated measurements of one thing."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")


def interleaved(first: Callable[[], float], second: Callable[[], float],
                runs: int) -> tuple[Series, Series]:
    """`runs` of each, alternating which goes first so that neither always runs on a
    warmer (or busier) machine."""
    a, b = Series(), Series()
    for n in range(runs):
        if n % 2 == 0:
            a.values.append(first())
            b.values.append(second())
        else:
            b.values.append(second())
            a.values.append(first())
    return a, b


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")
