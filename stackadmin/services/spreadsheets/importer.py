"""Importing a spreadsheet: read → detected mapping and preview → remap → validate → commit.

The steps are separate so the GUI's import wizard can show each one; the CLI runs them in a
row (`import_file`). All or nothing: the whole file is validated first, and any problem
means nothing is written. Committing validates again inside the write transaction, so the
plan applied is the plan checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from stackadmin import paths
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets import accounts, people, subscriptions
from stackadmin.services.spreadsheets.fields import (
    FIELDS,
    TEMPLATE_HEADERS,
    FieldSpec,
    ImportKind,
    Mapping_,
    apply_overrides,
    detect_mapping,
    kind_of,
)
from stackadmin.services.spreadsheets.files import RawTable, parse_text, read_table
from stackadmin.services.spreadsheets.plan import (
    Cancel,
    Cells,
    Change,
    ImportCancelled,
    ImportOptions,
    KindPlan,
    Problem,
    Progress,
    Ticker,
    shown,
)
from stackadmin.store.engine import refresh_statistics

__all__ = [
    "FIELDS",
    "TEMPLATE_HEADERS",
    "Change",
    "FieldSpec",
    "ImportCancelled",
    "ImportFile",
    "ImportKind",
    "ImportOptions",
    "ImportPlan",
    "Problem",
    "commit",
    "fields",
    "header_fields",
    "import_file",
    "open_text",
    "read_file",
    "remap",
    "template_path",
    "validate",
]


@dataclass(frozen=True, slots=True)
class ImportFile:
    """A file read for import, with the mapping detected from its headers."""

    kind: ImportKind
    table: RawTable
    mapping: Mapping_  # header -> field, IGNORE (""), or None (unmapped: a problem)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def headers(self) -> tuple[str, ...]:
        return self.table.headers

    @property
    def row_count(self) -> int:
        return len(self.table.rows)

    def preview(self, limit: int = 20) -> list[tuple[int, tuple[str, ...]]]:
        """The first rows as (spreadsheet row number, cells in header order)."""
        width = len(self.headers)
        return [(n, tuple((row + [""] * width)[:width]))
                for n, row in zip(self.table.row_numbers[:limit], self.table.rows[:limit],
                                  strict=True)]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What the import found and what it would do (or did, once committed)."""

    kind: ImportKind
    file: str
    problems: list[Problem]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    committed: bool = False
    warnings: list[Problem] = field(default_factory=list)  # worth a look, not blocking

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def added(self) -> int:
        return sum(1 for c in self.changes if c.action == "add" and c.main)

    @property
    def updated(self) -> int:
        return sum(1 for c in self.changes if c.action == "update" and c.main)

    def summary(self) -> str:
        verb = "imported" if self.committed else "would import"
        return (f"{self.file}: {verb} {self.kind.value}: {self.added} added, {self.updated} "
                f"updated, {self.unchanged} unchanged")


def fields(kind: ImportKind | str) -> tuple[FieldSpec, ...]:
    """The fields a mapping can point a column at (the GUI's mapping step lists these)."""
    return FIELDS[kind_of(kind)]


def read_file(path: str | Path, kind: ImportKind | str) -> ImportFile:
    """Reads the file (UTF-8 with or without BOM; delimiter sniffed) and detects the mapping.
    Raises UserError for a file that cannot be read at all (encoding, empty)."""
    kind_ = kind_of(kind)
    table = read_table(path)
    return ImportFile(kind_, table, detect_mapping(kind_, table.headers))


def open_text(text: str, kind: ImportKind | str, name: str = "pasted text") -> ImportFile:
    """The same from text already in memory (a paste, a test)."""
    kind_ = kind_of(kind)
    table = parse_text(text, name)
    return ImportFile(kind_, table, detect_mapping(kind_, table.headers))


def remap(file: ImportFile, overrides: Mapping[str, str | None]) -> ImportFile:
    """A copy with some columns mapped by hand: {column: field}, or {column: None} to ignore
    it. Raises UserError for a column or field that does not exist."""
    mapping = apply_overrides(file.kind, file.headers, file.mapping, overrides)
    return ImportFile(file.kind, file.table, mapping)


def _mapping_problems(file: ImportFile) -> list[Problem]:
    if len(file.headers) == 1 and not file.mapping.get(file.headers[0]):
        return [Problem(1, None, "only one column was found: the delimiter must be a comma, "
                                 "semicolon or tab", file.headers[0])]
    problems = duplicate_headers(file.headers)
    mapped = {target for target in file.mapping.values() if target}
    by_field = {f.name: f for f in FIELDS[file.kind]}
    for header, target in file.mapping.items():
        if target is None:
            if not header:
                problems.append(Problem(1, None, "a column has no header; name it, or remove "
                                                 "the column"))
                continue
            name = shown(header)
            problems.append(Problem(
                1, header, f"not a column stackadmin knows: map it with --map '{name}=FIELD' "
                           f"or ignore it with --map '{name}=' (fields: "
                           f"{', '.join(by_field)})"))
    for spec in FIELDS[file.kind]:
        if spec.required and spec.name not in mapped:
            problems.append(Problem(1, None, f"the required column '{spec.name}' is missing "
                                             f"(or map one with --map COLUMN={spec.name})"))
    return problems


def duplicate_headers(headers: Sequence[str]) -> list[Problem]:
    """A header given to two columns, once each: the columns cannot be told apart (a
    mapping names a column by its header), and read, one would be dropped without a word."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            problems.append(Problem(1, header, "is the header of two columns: rename one, or "
                                               "remove the one not wanted"))
        seen.add(header)
    return problems


def shape_problems(table: RawTable) -> list[Problem]:
    """Rows with more (non-empty) or fewer cells than the header: one problem each."""
    width = len(table.headers)
    out = []
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            out.append(Problem(number, None, f"has {len(row)} cells but the header has {width} "
                                             "(a stray delimiter, or mixed delimiters?)"))
        elif len(row) < width:
            out.append(Problem(number, None, f"has {len(row)} cells but the header has {width} "
                                             "(a missing delimiter, or mixed delimiters?)"))
    return out


def _plan(session: Session, ctx: ServiceContext, file: ImportFile,
          options: ImportOptions) -> tuple[list[Problem], KindPlan | None]:

    problems = _mapping_problems(file)
    if not file.table.rows:
        problems.append(Problem(None, None, "the file has a header row but no data rows"))
    shape = shape_problems(file.table)
    problems.extend(shape)
    if problems:
        return problems, None
    cells = Cells(file.table, file.mapping)
    planner: Callable[..., KindPlan]
    if file.kind is ImportKind.PEOPLE:
        planner = people.plan
    elif file.kind is ImportKind.ACCOUNTS:
        planner = accounts.plan
    else:
        planner = subscriptions.plan
    kind_plan = planner(session, ctx, cells, options, problems)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems, (None if problems else kind_plan)


def validate(ctx: ServiceContext, file: ImportFile,
             options: ImportOptions | None = None) -> ImportPlan:
    """Checks every row against the rules and the database; writes nothing. The plan lists
    every problem (row, column, what is wrong, the cell) and, when there are none, every
    record that would be added or updated."""
    opts = options or ImportOptions()
    with ctx.read() as session:
        problems, kind_plan = _plan(session, ctx, file, opts)
    if kind_plan is None:
        return ImportPlan(file.kind, file.name, problems)
    return ImportPlan(file.kind, file.name, [], kind_plan.changes, kind_plan.unchanged,
                      warnings=kind_plan.warnings)


def _write(ctx: ServiceContext, file: ImportFile, opts: ImportOptions,
           progress: Progress | None, cancel: Cancel | None) -> ImportPlan:
    result = _write_one(ctx, file, opts, progress, cancel)
    if result.committed:
        refresh_statistics(ctx.engine, result.added + result.updated)
    return result


def _write_one(ctx: ServiceContext, file: ImportFile, opts: ImportOptions,
               progress: Progress | None, cancel: Cancel | None) -> ImportPlan:
    with ctx.transaction() as session:
        problems, kind_plan = _plan(session, ctx, file, opts)
        if kind_plan is None:
            return ImportPlan(file.kind, file.name, problems)  # nothing was written
        ticker = Ticker(kind_plan.size, progress, cancel)
        kind_plan.apply(session, ctx, ticker)
        result = ImportPlan(file.kind, file.name, [], kind_plan.changes, kind_plan.unchanged,
                            committed=True, warnings=kind_plan.warnings)
        if not result.changes:
            return result  # re-importing the same file changes nothing, not even the trail
        audit.record(session, ctx, action="import", entity=file.kind.value, entity_id=None,
                     summary=result.summary(),
                     changes={"file": [None, file.name], "added": [None, result.added],
                              "updated": [None, result.updated],
                              "unchanged": [None, result.unchanged]})
    return result


def commit(ctx: ServiceContext, file: ImportFile, options: ImportOptions | None = None, *,
           progress: Progress | None = None, cancel: Cancel | None = None) -> ImportPlan:
    """Validates again and writes everything in one transaction, with one audit event for the
    import (and one per updated record with its field changes). `progress(done, total)` is
    called between batches; `cancel()` returning True stops the import and rolls it back
    (ImportCancelled). Any problem raises ValidationError listing them all."""
    result = _write(ctx, file, options or ImportOptions(), progress, cancel)
    if not result.ok:
        raise ValidationError([str(p) for p in result.problems])
    return result


def import_file(ctx: ServiceContext, path: str | Path, kind: ImportKind | str, *,
                overrides: Mapping[str, str | None] | None = None,
                options: ImportOptions | None = None, dry_run: bool = False,
                progress: Progress | None = None, cancel: Cancel | None = None) -> ImportPlan:
    """The whole import in one call (the CLI). A plan with problems is returned, not raised,
    so the caller can list them; a dry run validates only. Without a dry run the file is
    validated and written in one pass, inside one transaction."""
    file = read_file(path, kind)
    if overrides:
        file = remap(file, overrides)
    opts = options or ImportOptions()
    if dry_run:
        return validate(ctx, file, opts)
    return _write(ctx, file, opts, progress, cancel)


def template_path(kind: ImportKind | str) -> Path:
    """The shipped template for an import: its header row and one example row (the GUI
    offers it for download)."""
    return paths.resources_dir() / "templates" / f"{kind_of(kind).value}.csv"


def header_fields(file: ImportFile) -> Sequence[tuple[str, str | None]]:
    """(header, field) pairs in column order; field None = unmapped, '' = ignored."""
    return [(h, file.mapping.get(h)) for h in file.headers]
