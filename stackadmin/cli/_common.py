"""Helpers shared by the subcommands: opening the database, parsing values, printing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from stackadmin.domain import limits
from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext, open_context


@contextmanager
def opened(args: argparse.Namespace, *, today: date | None = None,
           create: bool = False, db: str | None = None) -> Iterator[ServiceContext]:
    """The database of `--db` for one command, closed afterwards; `today` pins the clock
    (for `--as-of` on commands that act as if it were that day). Only commands that put
    data into a database `create` a missing one; the others say "no database at …" (a typo
    in a cron job's --db must not check a new, empty database and report all is well)."""
    ctx = open_context(db or getattr(args, "db", None), source=AuditSource.CLI, create=create,
                       today=(lambda: today) if today is not None else None)
    try:
        yield ctx
    finally:
        ctx.close()


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def iso_date(text: str) -> date:
    """argparse type: a YYYY-MM-DD date in the years stackadmin takes (domain.limits), or a
    usage error in words."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{_cut(text)}' is not a date in the form YYYY-MM-DD") from None
    try:
        return limits.check_date(day)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """argparse type: a whole number from `low` to `high` (bounds from domain.limits)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{_cut(text)}' is not a whole number") from None
        try:
            return limits.check_int(value, "", low, high)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = "whole number"
    return parse


positive_int = bounded_int(0, limits.MAX_ID)
record_id = bounded_int(1, limits.MAX_ID)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON with every control character escaped (domain.limits.json_escaped): exactly the
    data, and nothing a terminal acts on."""
    return limits.json_escaped(json.dumps(data, default=_default, ensure_ascii=False,
                                          indent=indent))


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data, indent=2))
    sys.stdout.write("\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = limits.printable(str(value))
    return text.replace("\t", " ").replace("\n", " ") if "\t" in text or "\n" in text else text


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A plain aligned table for people reading a terminal (control characters dropped, a
    cell on one line)."""
    text_rows = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for row in text_rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
