"""The finance export's writing stage against the csv module writing the same rows: our
Excel-clean writer (neutralising, BOM, CRLF, a temp file renamed) vs `csv.writer` straight
to a file, the same `FinanceRow.cells()` tuples, best of many, interleaved. Prints
{"ours": s, "limit": s}.

    python -m benchmarks.probes.finance_writer DB AS_OF [REPEAT]
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path


def best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    db, as_of = sys.argv[1], date.fromisoformat(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    from stackadmin.services.context import open_context
    from stackadmin.services.spreadsheets import exports
    from stackadmin.services.spreadsheets.files import write_csv

    ctx = open_context(db, upgrade=False)
    report = exports.finance_report(ctx, as_of)
    ctx.close()
    rows = report.rows
    header = list(exports.FINANCE_COLUMNS)
    folder = Path(tempfile.mkdtemp())

    def ours() -> None:
        write_csv(folder / "finance.csv", header, (r.cells() for r in rows),
                  numeric_columns=exports.FINANCE_NUMERIC)

    def plain() -> None:
        with (folder / "plain.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(r.cells() for r in rows)

    mine, floor = [], []
    for _ in range(3):
        floor.append(best(plain, repeat))
        mine.append(best(ours, repeat))
    print(json.dumps({"ours": min(mine), "limit": min(floor), "rows": len(rows)}))


if __name__ == "__main__":
    main()
