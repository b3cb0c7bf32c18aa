"""Growth with the data: the same work on demos of 10x more accounts each (10k, 100k, 1M)
must take at most 11x the time, and the seats export's memory must not grow (rows are
streamed). Times are the work alone (benchmarks/probes/work.py: the interpreter's start and
imports left out, as they do not grow), medians of fresh processes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.cache import Demo, demo
from benchmarks.figures import Setup, import_seconds
from benchmarks.measure import Series, probe, run

STEP = 1.1  # 10x the data in at most 11x the time: the time ratio over the data ratio
MEMORY = 1.25  # the export's peak memory at the largest size over the smallest

SIZES = {"quick": ["small", "medium"], "large": ["medium", "large"],
         "huge": ["medium", "large", "huge"]}


@dataclass
class Growth:
    work: str
    accounts: list[int]
    values: list[float]  # seconds (or MB) per size
    unit: str = "s"
    runs: list[list[float]] = field(default_factory=list)

    @property
    def steps(self) -> list[float]:
        """Each size's value over the previous one's, divided by the data's ratio."""
        return [(b / a) / (nb / na) if a and na else float("nan")
                for a, b, na, nb in zip(self.values, self.values[1:], self.accounts,
                                        self.accounts[1:], strict=False)]

    @property
    def target(self) -> str:
        return (f"≤ {MEMORY:g}× at {self.accounts[-1]:,}" if self.unit == "MB"
                else f"10× data ≤ {STEP * 10:g}× time")

    @property
    def met(self) -> bool:
        if self.unit == "MB":
            return self.values[-1] <= MEMORY * self.values[0]
        return all(step <= STEP for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {"work": self.work, "accounts": self.accounts, "values": self.values,
                "unit": self.unit, "steps": self.steps, "target": self.target,
                "met": self.met, "runs": self.runs}


def measure(setup: Setup, mode: str, seed: int, cache: Any) -> list[Growth]:
    demos = [demo(size, seed, cache, setup.server) for size in SIZES[mode]]
    runs = 1 if setup.quick else min(setup.runs, 3)
    counts = [d.accounts for d in demos]

    def timed(work: Callable[[Demo], float]) -> tuple[list[float], list[list[float]]]:
        per_size = [Series([work(d) for _ in range(runs)]) for d in demos]
        return [s.median for s in per_size], [s.values for s in per_size]

    def command(*args: str) -> Callable[[Demo], float]:
        def work(d: Demo) -> float:
            return float(probe(["python", "-m", "benchmarks.probes.work", "--db", d.where,
                                *args, "--as-of", d.as_of.isoformat()])["seconds"])
        return work

    out_file = str(setup.folder / "growth.csv")
    rows = []
    for name, work in (
            ("import accounts", lambda d: import_seconds(setup, d.accounts, "ours")),
            ("utilization --json", command("utilization", "--json")),
            ("unused --json", command("unused", "--json")),
            ("export seats", command("export", "seats", out_file)),
            # A tool holding as many accounts as the demo, and a day's fetch of as many.
            ("sync reconcile", lambda d: float(probe(
                ["python", "-m", "benchmarks.sync_reconcile", "--users", str(d.accounts),
                 "--json", *(["--db", setup.server] if setup.server else [])])["seconds"])),
            ("Seats page: every seat loaded", lambda d: float(probe(
                ["python", "-m", "benchmarks.probes.gui", d.where, "--seats"])
                ["seats_load_s"]))):
        print(f"  growth: {name}", flush=True)
        medians, values = timed(work)
        rows.append(Growth(name, counts, medians, runs=values))
    peaks = [run(["python", "-m", "stackadmin", "--db", d.where, "export", "seats", out_file,
                  "--as-of", d.as_of.isoformat()]).peak_mb for d in demos]
    rows.append(Growth("export seats: peak memory", counts, peaks, unit="MB"))
    return rows
