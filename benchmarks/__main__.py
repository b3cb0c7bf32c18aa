"""python -m benchmarks [--quick] [--db URL] [--size large|huge] [--json FILE]

Builds the demo database it needs once (kept in the cache folder, by size and seed), runs
every figure in fresh processes, each command interleaved with its limit, and prints per
figure the median, the limit's median, the ratio, the target and MET or MISSED, then how the
work grows with the data. Exit 1 when a figure is missed (never with --quick: it proves the
runner works, on small data, in a few seconds a figure); exit 2 when a measured process
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchmarks import growth
from benchmarks.cache import default_cache, demo
from benchmarks.figures import GROUPS, Result, Setup, as_dict
from benchmarks.measure import BenchError, compile_sources, load_average


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def _verdict(met: bool | None) -> str:
    return "info" if met is None else "MET" if met else "MISSED"


def print_figures(results: list[Result]) -> None:
    rows = [("figure", "median", "limit", "ratio", "target", "result")]
    for r in results:
        rows.append((r.title, _value(r.median, r.unit), _value(r.limit, r.unit),
                     "—" if r.ratio is None else f"{r.ratio:.2f}×", r.target,
                     _verdict(r.met)))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"  {r.title}: {r.note}" for r in results if r.note]
    if notes:
        print("notes:")
        print("\n".join(notes))


def print_growth(rows: list[growth.Growth]) -> None:
    if not rows:
        return
    counts = rows[0].accounts
    head = ["work", *(f"{n:,} accounts" for n in counts),
            *(f"×{b / a:g} data → time ×" for a, b in pairwise(counts)),
            "target", "result"]
    table = [head]
    for g in rows:
        ratios = [f"{(b / a):.2f}" if a else "—"
                  for a, b in pairwise(g.values)]
        table.append([g.work, *(_value(v, g.unit) for v in g.values), *ratios, g.target,
                      _verdict(g.met)])
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for n, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[2] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="the small demo, one run each: proves the runner works")
    parser.add_argument("--db", metavar="URL",
                        help="a PostgreSQL server (postgresql+psycopg://user@host:port/db) "
                             "where the demo databases may be created; default SQLite files")
    parser.add_argument("--size", choices=["large", "huge"], default="large",
                        help="the demo the figures run on (default large: 100,000 accounts; "
                             "huge: 1,000,000, and the growth table goes up to it)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="write the results here")
    parser.add_argument("--runs", type=int, help="runs of each (default 5; --quick 1)")
    parser.add_argument("--seed", type=int, default=7, help="the demo's seed (default 7)")
    parser.add_argument("--only", metavar="GROUP", action="append",
                        choices=[*GROUPS, "growth"],
                        help="only these groups of figures (repeat): " + ", ".join(GROUPS)
                        + ", or growth (the growth table)")
    parser.add_argument("--no-growth", action="store_true", help="skip the growth table")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help=f"where the demo databases are kept (default {default_cache()})")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    size = "small" if args.quick else args.size
    mode = "quick" if args.quick else args.size
    load_before = load_average()
    print(f"stackadmin benchmarks: {'PostgreSQL' if args.db else 'SQLite'}, the {size} demo, "
          f"{runs} run{'s' if runs > 1 else ''} each; load average {load_before:.2f} on "
          f"{os.cpu_count()} cores", flush=True)
    results: list[Result] = []
    rows: list[growth.Growth] = []
    try:
        compile_sources()
        base = demo(size, args.seed, args.cache, args.db)
        with tempfile.TemporaryDirectory(prefix="stackadmin-bench-") as folder:
            setup = Setup(base, runs, args.quick, Path(folder), args.db)
            for name, figures in GROUPS.items():
                if args.only and name not in args.only:
                    continue
                print(f"measuring: {name}", flush=True)
                results.extend(figures(setup))
            if not args.no_growth and (not args.only or "growth" in args.only):
                print("measuring: growth", flush=True)
                rows = growth.measure(setup, mode, args.seed, args.cache)
    except BenchError as exc:
        print(f"benchmarks: a measured process failed: {exc}", file=sys.stderr)
        return 2
    load_after = load_average()
    print()
    print(f"the {size} demo ({base.accounts:,} accounts), "
          f"{'PostgreSQL' if args.db else 'SQLite'}; load average {load_before:.2f} before, "
          f"{load_after:.2f} after")
    print_figures(results)
    if rows:
        print()
        print("growth with the data (the work alone, medians):")
        print_growth(rows)
    if args.json:
        meta: dict[str, Any] = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"), "size": size,
            "accounts": base.accounts, "database": "postgresql" if args.db else "sqlite",
            "runs": runs, "quick": args.quick, "load_before": load_before,
            "load_after": load_after, "cores": os.cpu_count(),
            "python": platform.python_version(), "machine": platform.platform(),
            "demo_built_seconds": base.built_seconds, "demo_built_peak_mb": base.built_peak_mb}
        args.json.write_text(json.dumps(
            {"meta": meta, "figures": [as_dict(r) for r in results],
             "growth": [g.as_dict() for g in rows]}, indent=2))
        print(f"\nwrote {args.json}")
    missed = [r for r in results if r.met is False] + [g for g in rows if not g.met]
    return 0 if args.quick or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
