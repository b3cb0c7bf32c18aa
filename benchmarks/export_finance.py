"""Benchmark: the finance export of the large demo vs writing the same rows with the stdlib
csv module, in the same run (target: within 1.5x). Run: python benchmarks/export_finance.py

Two figures are printed. The ratio compares like with like: our writing stage (the report's
rows -> Excel-clean cells: neutralising, BOM, CRLF, temp file + rename) against csv.writer
writing the same rows (the same FinanceRow.cells() tuples) straight to a file. The
end-to-end time (query, utilization of 100,000 accounts, rates, writing) is printed beside
it, with its parts."""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import open_context
from stackadmin.services.demo import load_demo
from stackadmin.services.seats import utilization
from stackadmin.services.spreadsheets import exports
from stackadmin.services.spreadsheets.files import write_csv

TARGET = 1.5
REPEAT = 50  # the file is a few hundred rows: repeat to measure milliseconds
TODAY = date(2026, 11, 25)


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx = open_context(str(folder / "large.sqlite"), source=AuditSource.CLI,
                           today=lambda: TODAY)
        t0 = time.perf_counter()
        load_demo(ctx, "large", 7)
        print(f"large demo loaded in {time.perf_counter() - t0:.1f} s")
        out = folder / "finance.csv"
        t0 = time.perf_counter()
        result, report = exports.export_finance(ctx, out)
        end_to_end = time.perf_counter() - t0
        t0 = time.perf_counter()
        utilization.compute(ctx, TODAY)
        compute = time.perf_counter() - t0
        rows = report.rows
        header = list(exports.FINANCE_COLUMNS)

        def ours() -> None:
            write_csv(out, header, (r.cells() for r in rows),
                      numeric_columns=exports.FINANCE_NUMERIC)

        def stdlib() -> None:
            with (folder / "plain.csv").open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(r.cells() for r in rows)

        ours_t, base_t = [], []
        for _ in range(3):  # interleaved
            base_t.append(best(stdlib, REPEAT))
            ours_t.append(best(ours, REPEAT))
        ctx.close()
    base, mine = min(base_t), min(ours_t)
    ratio = mine / base
    print(f"finance export of the large demo: {result.rows} rows")
    print(f"  stdlib csv.writer, same rows:       {base * 1000:.2f} ms")
    print(f"  stackadmin writing stage:           {mine * 1000:.2f} ms  ratio {ratio:.2f}x "
          f"(target <= {TARGET}x)")
    print(f"  end to end (query, utilization, rates, write): {end_to_end:.3f} s, of which "
          f"utilization of every seat {compute:.3f} s")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
