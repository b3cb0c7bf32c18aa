"""The figures: what is measured, against what, and the target it is held to.

Every CLI report and export runs as a fresh `python -m stackadmin` process, interleaved with
its limit (benchmarks/limits); the window's start runs against a bare window that then
imports `sqlalchemy.orm`; the window's pages, the import and the HTTP layer run as probes
(benchmarks/probes) in fresh processes too.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.cache import Demo, empty_database
from benchmarks.measure import Run, Series, interleaved, probe, run

RATIO = 1.5  # a report or export within 1.5x its limit; the window's start likewise
PAGE_MS = 300.0  # a page's first screen of rows after it is opened
SWITCH_MS = 100.0  # back to a page already loaded: no reload, one paint
REMINDER_S = 0.1  # the reminder check's work
KEYSTROKE_MS = 100.0  # the Seats page filtering as you type (median)
GUI_MB = 1500.0  # the window with the huge demo on the Seats page
IMPORT_RATIO = 3.0  # an import reads, checks every row and audits: within 3x the bare insert
SYNC_RATIO = 1.3  # the HTTP layer and a plugin against bare httpx


@dataclass
class Result:
    key: str
    title: str
    unit: str  # "s", "ms" or "MB"
    median: float
    limit: float | None  # the limit's median (ratio figures)
    target: str
    met: bool | None  # None: shown for information
    runs: list[float] = field(default_factory=list)
    limit_runs: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if self.limit in (None, 0) else self.median / self.limit  # type: ignore[operator]


@dataclass
class Setup:
    demo: Demo
    runs: int
    quick: bool
    folder: Path  # scratch files (exports, CSVs to import)
    server: str | None  # a PostgreSQL server URL, or None for SQLite files

    @property
    def db_args(self) -> list[str]:
        return ["--db", self.demo.where]


def _ratio(key: str, title: str, ours: Series, limit: Series, target: float,
           unit: str = "s", note: str = "") -> Result:
    ratio = ours.median / limit.median if limit.median else float("inf")
    return Result(key, title, unit, ours.median, limit.median, f"≤ {target:g}× limit",
                  ratio <= target, ours.values, limit.values, note)


# -- the CLI's reports and exports against their limits ------------------------------------

# (key, the command's arguments, the limit's module, writes a file)
CLI: list[tuple[str, list[str], str, bool]] = [
    ("utilization --json", ["utilization", "--json"], "utilization", False),
    ("unused --json", ["unused", "--json"], "unused", False),
    ("reconcile --json", ["reconcile", "--json"], "reconcile", False),
    ("reminders --json", ["reminders", "--json"], "reminders", False),
    ("db check", ["db", "check"], "db_check", False),
    ("export seats", ["export", "seats"], "export_seats", True),
    ("export finance", ["export", "finance"], "export_finance", True),
]


def cli_figures(setup: Setup) -> list[Result]:
    out = []
    for title, args, limit, writes in CLI:
        day = [] if args[0] == "db" else ["--as-of", setup.demo.as_of.isoformat()]
        ours_file = [str(setup.folder / "ours.csv")] if writes else []
        limit_file = [str(setup.folder / "limit.csv")] if writes else []
        ours_argv = ["python", "-m", "stackadmin", *setup.db_args, *args, *ours_file, *day]
        limit_argv = ["python", "-m", f"benchmarks.limits.{limit}", setup.demo.where,
                      *limit_file, *day]
        peaks: list[float] = []

        def ours(argv: list[str] = ours_argv, peaks: list[float] = peaks) -> float:
            result = run(argv)
            peaks.append(result.peak_mb)
            return result.seconds

        def floor(argv: list[str] = limit_argv) -> float:
            return run(argv).seconds

        mine, theirs = interleaved(ours, floor, setup.runs)
        key = "cli:" + title.split(" --")[0].replace(" ", "-")
        out.append(_ratio(key, f"stackadmin {title}", mine, theirs, RATIO,
                          note=f"peak {statistics.median(peaks):.0f} MB"))
    return out


# -- the window ------------------------------------------------------------------------------

def _trace(result: Run) -> dict[str, float]:
    """The moments the app (or the bare window) traced, in seconds since launch, and the
    values it traced."""
    out: dict[str, float] = {}
    for line in result.stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "stackadmin-trace":
            out[parts[1]] = float(parts[2]) - result.launched
        elif len(parts) == 3 and parts[0] == "stackadmin-trace-value":
            out[parts[1]] = float(parts[2])
    return out


def start_figures(setup: Setup) -> list[Result]:
    """`gui --exit-when-ready` against a bare QMainWindow that then imports sqlalchemy.orm:
    painted, and ready (the first page's data, the database open, the reminder check)."""
    env_trace = {"STACKADMIN_TRACE_STARTUP": "1"}
    from benchmarks.measure import child_env

    env = child_env(env_trace)
    apps: list[dict[str, float]] = []
    bares: list[dict[str, float]] = []

    def app() -> float:
        traced = _trace(run(["python", "-m", "stackadmin", "gui", *setup.db_args,
                             "--exit-when-ready"], env=env))
        apps.append(traced)
        return max(traced.get(k, 0.0) for k in ("ready", "opened", "reminders"))

    def bare() -> float:
        traced = _trace(run(["python", "-m", "benchmarks.probes.bare", "--orm"], env=env))
        bares.append(traced)
        return traced["ready"]

    ready, floor = interleaved(app, bare, setup.runs)
    painted = Series([t["painted"] for t in apps])
    bare_painted = Series([t["painted"] for t in bares])
    # The check (which reminders are due), then the count of their tools' active seats, which
    # the panel makes right after the start: both are the reminder check's work.
    work = Series([t.get("reminders-work", float("nan")) + t.get("reminders-seats-work", 0.0)
                   for t in apps])
    return [
        _ratio("gui:painted", "window painted (vs a bare QMainWindow)", painted,
               bare_painted, RATIO),
        _ratio("gui:ready", "window ready: first page, database, reminder check (vs bare "
                            "window + import sqlalchemy.orm)", ready, floor, RATIO),
        Result("gui:reminders", "reminder check, work on its worker (the due reminders, then "
                                "their seats)", "s", work.median, None,
               f"≤ {REMINDER_S * 1000:.0f} ms", work.median <= REMINDER_S, work.values),
    ]


def window_figures(setup: Setup) -> list[Result]:
    """Every page opened in turn, then each shown again; the Seats page's search."""
    runs = min(setup.runs, 3)
    results = [probe(["python", "-m", "benchmarks.probes.gui", setup.demo.where, "--pages",
                      "--seats", "--search"]) for _ in range(runs)]

    def worst(key: str) -> tuple[Series, str]:
        values = Series([max(r[key].values()) for r in results])
        pages: dict[str, list[float]] = {}
        for r in results:
            for page, ms in r[key].items():
                pages.setdefault(page, []).append(ms)
        medians = {p: statistics.median(v) for p, v in pages.items()}
        slow = sorted(medians.items(), key=lambda kv: -kv[1])[:3]
        return values, ", ".join(f"{p} {ms:.0f} ms" for p, ms in slow)

    first, first_note = worst("first_rows_ms")
    back, back_note = worst("switch_back_ms")
    keys = Series([r["keystroke_ms"] for r in results])
    peak = Series([r["peak_mb"] for r in results])
    load = Series([r["seats_load_s"] for r in results])
    stall = Series([r["seats_stall_ms"] for r in results])
    rows = results[0]["seats_rows"]
    return [
        Result("gui:first-rows", "a page's first screen after it is opened (the slowest)",
               "ms", first.median, None, f"≤ {PAGE_MS:.0f} ms", first.median <= PAGE_MS,
               first.values, note=first_note),
        Result("gui:switch-back", "back to a page already loaded (the slowest)", "ms",
               back.median, None, f"≤ {SWITCH_MS:.0f} ms", back.median <= SWITCH_MS,
               back.values, note=back_note),
        Result("gui:seats-keystroke", "Seats page: filtering as you type (median keystroke)",
               "ms", keys.median, None, f"≤ {KEYSTROKE_MS:.0f} ms",
               keys.median <= KEYSTROKE_MS, keys.values),
        Result("gui:seats-memory", "Seats page: the window's peak memory", "MB", peak.median,
               None, f"< {GUI_MB:.0f} MB", peak.median < GUI_MB, peak.values,
               note=f"{rows:,} seats"),
        Result("gui:seats-load", "Seats page: every seat loaded", "s", load.median, None,
               "info", None, load.values, note=f"{rows:,} seats"),
        Result("gui:seats-stall", "Seats page: longest the window stops answering while it "
                                  "loads", "ms", stall.median, None, "info", None,
               stall.values),
    ]


# -- the rest: the export's writer, the import, the HTTP layer -------------------------------

def writer_figure(setup: Setup) -> list[Result]:
    results = [probe(["python", "-m", "benchmarks.probes.finance_writer", setup.demo.where,
                      setup.demo.as_of.isoformat(), "5" if setup.quick else "50"])
               for _ in range(min(setup.runs, 3))]
    return [_ratio("writer:finance", "export finance: writing stage (vs csv.writer, same "
                                     "rows)", Series([r["ours"] for r in results]),
                   Series([r["limit"] for r in results]), RATIO, note=f"{results[0]['rows']} "
                                                                     "rows")]


def import_seconds(setup: Setup, rows: int, side: str) -> float:
    with empty_database(setup.folder, setup.server) as db:
        return float(probe(["python", "-m", "benchmarks.probes.import_accounts", db,
                            str(rows), str(setup.folder), side])["seconds"])


def import_figure(setup: Setup) -> list[Result]:
    rows = 2_000 if setup.quick else 100_000
    ours, floor = interleaved(lambda: import_seconds(setup, rows, "ours"),
                              lambda: import_seconds(setup, rows, "limit"), setup.runs)
    return [_ratio("import:accounts", f"import accounts, {rows:,} rows (vs csv + "
                                      "executemany)", ours, floor, IMPORT_RATIO)]


def sync_figure(setup: Setup) -> list[Result]:
    users = ["--users", "2000", "--runs", "1"] if setup.quick else []
    result = probe(["python", "-m", "benchmarks.probes.sync_fetch", *users])
    return [_ratio("sync:fetch", f"vendor fetch, {result['users']:,} users (HTTP layer + "
                                 "plugin vs bare httpx)", Series([result["ours"]]),
                   Series([result["limit"]]), SYNC_RATIO,
                   note=f"HTTP layer alone {result['layer']:.2f} s")]


GROUPS: dict[str, Callable[[Setup], list[Result]]] = {
    "cli": cli_figures,
    "start": start_figures,
    "window": window_figures,
    "writer": writer_figure,
    "import": import_figure,
    "sync": sync_figure,
}


def as_dict(result: Result) -> dict[str, Any]:
    return {"key": result.key, "title": result.title, "unit": result.unit,
            "median": result.median, "limit": result.limit, "ratio": result.ratio,
            "target": result.target, "met": result.met, "runs": result.runs,
            "limit_runs": result.limit_runs, "note": result.note}
