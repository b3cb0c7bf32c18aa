"""Shared pieces of the CSV imports: their options, the mapped cells of a file, problems in
words, the plan of changes, batched writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext
from stackadmin.store.bulk import insert_many
from stackadmin.store.models import AuditEvent, Base

if TYPE_CHECKING:
    from stackadmin.services.spreadsheets.fields import Mapping_
    from stackadmin.services.spreadsheets.files import RawTable

BATCH = 5000
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    date_format: str | None = None  # strftime codes for non-ISO dates, e.g. "%d/%m/%Y"
    decimal_comma: bool = False  # amounts written 1.200,50
    tool: str | None = None  # accounts: the tool the file lists users of


class Cells:
    """The mapped columns of a table: `get(row, field)` is the cell text, or None when the
    file has no column for the field."""

    def __init__(self, table: RawTable, mapping: Mapping_) -> None:
        self.table = table
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        for i, header in enumerate(table.headers):
            target = mapping.get(header)
            if target:
                self.index[target] = i
                self.header[target] = header

    def has(self, name: str) -> bool:
        return name in self.index

    def column(self, name: str) -> str:
        return self.header.get(name, name)


class ImportCancelled(UserError):
    """The user stopped the import; the transaction was rolled back, nothing was written."""


def shown(value: str, limit: int = 80) -> str:
    """A cell or header as a problem quotes it: line breaks and tabs visible, and cut after
    `limit` characters (a 1 MB header is named, not repeated)."""
    text = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else text[:limit] + f"… ({len(value):,} characters)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file: `row` is the spreadsheet row (header = 1), `column`
    the file's own header text. None when the problem is not about one row or column."""

    row: int | None
    column: str | None
    message: str
    got: str | None = None

    def __str__(self) -> str:
        where = ", ".join(part for part in (
            f"row {self.row}" if self.row is not None else "",
            f"column {shown(self.column)}" if self.column else "") if part)
        message = self.message.replace("\n", "\\n").replace("\r", "\\r")
        text = f"{where}: {message}" if where else message
        return text if self.got is None else f"{text} (got '{shown(self.got)}')"


@dataclass(frozen=True, slots=True)
class Change:
    """One record the import adds or updates (`fields`: what an update changes). `main` is
    False for what a record brings along (a subscription's new tool or owner): listed, but
    not counted among the imported records."""

    row: int
    action: str  # "add" | "update"
    label: str
    fields: tuple[str, ...] = ()
    main: bool = True

    def __str__(self) -> str:
        if self.action == "add":
            return f"add {self.label} (row {self.row})"
        return f"update {self.label}: {', '.join(self.fields)} (row {self.row})"


@dataclass
class Writes:
    """What a kind's plan will write: inserts and id-keyed updates per model, and the
    per-record audit diffs of the updates."""

    inserts: list[tuple[type[Base], list[dict[str, Any]]]] = field(default_factory=list)
    updates: list[tuple[type[Base], list[dict[str, Any]]]] = field(default_factory=list)
    update_audits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(rows) for _, rows in (*self.inserts, *self.updates))


def batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


class Ticker:
    """Reports progress and checks for a cancel between batches."""

    def __init__(self, total: int, progress: Progress | None, cancel: Cancel | None) -> None:
        self.total, self.done = total, 0
        self.progress, self.cancel = progress, cancel

    def step(self, n: int) -> None:
        if self.cancel is not None and self.cancel():
            raise ImportCancelled("the import was cancelled; nothing was written")
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def write_inserts(session: Session, model: type[Base], rows: list[dict[str, Any]],
                  ticker: Ticker, constants: dict[str, Any] | None = None) -> None:
    """One executemany per batch (store.bulk): the ORM's bulk path splits a batch into a
    statement per pattern of empty values, ten times slower on 100,000 rows."""
    table: Any = model.__table__
    conn = session.connection()
    for chunk in batches(rows):
        ticker.step(0)
        insert_many(conn, table, chunk, constants)
        ticker.step(len(chunk))


def write_updates(session: Session, model: type[Base], rows: list[dict[str, Any]],
                  ticker: Ticker) -> None:
    """Bulk UPDATE by primary key; rows of one batch are grouped by the columns they set,
    since one executemany needs one statement. A versioned record (people, tools, terms)
    gets its next version, so a form opened before the import is told it changed."""
    table: Any = model.__table__
    bump = {"version": table.c.version + 1} if "version" in table.c else {}
    conn = session.connection()
    for chunk in batches(rows):
        ticker.step(0)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in chunk:
            groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
        for columns, group in groups.items():
            stmt = (update(table).where(table.c.id == bindparam("_id"))
                    .values({**{c: bindparam(c) for c in columns}, **bump}))
            conn.execute(stmt, [{"_id": r["id"], **{c: r[c] for c in columns}}
                                for r in group])
        ticker.step(len(chunk))


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def audit_rows(ctx: ServiceContext, entity: str, rows: list[tuple[int, str, dict[str, Any]]]
               ) -> list[dict[str, Any]]:
    """Field-change events for updated records: (id, label, {field: [before, after]})."""
    return [
        {"actor": ctx.actor, "source": ctx.source.value, "action": "update", "entity": entity,
         "entity_id": entity_id, "summary": f"{label}: {', '.join(sorted(changes))}"[:500],
         "changes": {k: [jsonable(a), jsonable(b)]
                     for k, (a, b) in changes.items()}}
        for entity_id, label, changes in rows
    ]


def apply_writes(session: Session, writes: Writes, ticker: Ticker,
                 constants: dict[str, Any] | None = None) -> None:
    """`constants`: values every inserted row gets (source, timestamps)."""
    for model, rows in writes.inserts:
        write_inserts(session, model, rows, ticker, constants)
    for model, rows in writes.updates:
        write_updates(session, model, rows, ticker)
    if writes.update_audits:
        for chunk in batches(writes.update_audits):
            insert_many(session.connection(), AuditEvent.__table__,  # type: ignore[arg-type]
                        chunk)


@dataclass
class TablePlan:
    """What an import of people or accounts will write: one batch of inserts and updates.
    Subclasses name the values every inserted row gets (`constants`)."""

    writes: Writes
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.writes.size

    def constants(self) -> dict[str, Any] | None:
        return None

    def apply(self, session: Session, ctx: ServiceContext, ticker: Ticker) -> None:
        apply_writes(session, self.writes, ticker, self.constants())


class KindPlan(Protocol):
    changes: list[Change]
    unchanged: int
    # Rows that import cleanly but deserve a look (a second open term for a tool): said in
    # the check step and on stderr, never blocking.
    warnings: list[Problem]

    def apply(self, session: Session, ctx: ServiceContext, ticker: Ticker) -> None: ...

    @property
    def size(self) -> int: ...
