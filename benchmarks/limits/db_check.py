"""Limit of `stackadmin db check`: the integrity and foreign-key checks and the revision."""

from __future__ import annotations

import sys

from benchmarks.limits._db import Db, arguments
from stackadmin.store.snapshot import quick_head_revision


def main() -> None:
    args = arguments(__doc__)
    db = Db(args.db)
    head = quick_head_revision()
    (revision,) = db.rows("SELECT version_num FROM alembic_version").fetchone()
    integrity: list[str] = []
    problems: list[str] = []
    if db.postgresql:
        db.rows("SELECT 1")
    else:
        integrity = [r[0] for r in db.rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems = [f"table {r[0]} row {r[1]} refers to a missing row of {r[2]}"
                    for r in db.rows("PRAGMA foreign_key_check")]
    print(f"database: {args.db}")
    print(f"schema revision: {revision} (current: {head})")
    print("integrity: " + ("ok" if not integrity else "; ".join(integrity)))
    print("foreign keys: " + ("ok" if not problems else f"{len(problems)} problems"))
    sys.exit(1 if integrity or problems or revision != head else 0)


if __name__ == "__main__":
    main()
