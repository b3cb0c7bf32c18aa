"""CSV files at the edges: reading what spreadsheets save, writing what Excel opens cleanly."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackadmin.domain.spreadsheet import QUOTED_STARTS, neutralise
from stackadmin.errors import UserError

BOM = "\ufeff"
DELIMITERS = (",", ";", "\t")
# The largest file an import reads (100,000 rows of a vendor's user list are ~15 MB); a
# bigger one, or a device such as /dev/zero, is refused before it fills the memory.
MAX_IMPORT_MB_ENV = "STACKADMIN_MAX_IMPORT_MB"
DEFAULT_MAX_IMPORT_MB = 200
# The csv module refuses cells over 128 KiB; a long notes cell is a row problem, not a crash.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RawTable:
    """A CSV file as text cells: the header row and the data rows (blank rows dropped).

    `row_numbers[i]` is the spreadsheet row number of `rows[i]` (the header is row 1), which
    is what every problem refers to."""

    name: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    row_numbers: list[int]
    delimiter: str
    had_bom: bool


def _decode(data: bytes, name: str) -> tuple[str, bool]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{name} is UTF-16 text; save it as CSV UTF-8 (in Excel: "
                        "Save As → CSV UTF-8) and import that")
    had_bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig" if had_bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it "
            "as CSV UTF-8 (in Excel: Save As → CSV UTF-8) and import that"
        ) from None
    return text, had_bom


# "sep=;" on a line of its own, first: the delimiter Excel is told to use.
_SEP_LINE = re.compile(r"\Asep=([^\r\n\"])[ \t]*(?:\r\n|\r|\n|\Z)", re.IGNORECASE)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab
    outside quotes (a one-column file is comma)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ("\n", "\r"):
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def excel_separator(text: str) -> tuple[str | None, str]:
    """The delimiter a first line `sep=;` names (Excel reads such a line as the delimiter
    and shows the file from the next line), and the text after that line; (None, text)
    when the file has no such line."""
    match = _SEP_LINE.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end():]


def parse_text(text: str, name: str, had_bom: bool = False) -> RawTable:
    """The table a CSV text holds: the header row, then the data rows numbered as a
    spreadsheet shows them (the header is row 1; an Excel `sep=` line is not a row)."""
    stated, text = excel_separator(text)
    if not text.strip():
        raise UserError(f"{name} is empty: expected a header row, then one row per record")
    delimiter = stated or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    last: list[str] = []
    number = begun = ended = 0  # the last record: its row, lines before it, lines after it
    try:
        for number, row in enumerate(reader, start=1):
            last, begun, ended = row, ended, reader.line_num
            if headers is None:
                headers = tuple(cell.strip() for cell in row)
                continue
            if not "".join(row).strip():  # a blank row (C-speed check: 100k-row files)
                continue
            rows.append(row)
            numbers.append(number)
    except csv.Error as exc:
        raise UserError(f"{name}, line {reader.line_num}: not valid CSV ({exc})") from None
    assert headers is not None
    if last and any("\n" in cell or "\r" in cell for cell in last):
        _refuse_unclosed_quote(text, delimiter, name, headers, last, number, begun)
    width = _used_width(headers, rows)
    return RawTable(name, headers[:width], rows, numbers, delimiter, had_bom)


def _refuse_unclosed_quote(text: str, delimiter: str, name: str, headers: Sequence[str],
                           last: list[str], number: int, begun: int) -> None:
    """A quote opened in the last record and never closed: the csv module reads the rest of
    the file into that one cell (rows lost without a word), so the file is refused. Only
    the last record can hold such a cell, and only one with a line break is checked."""
    tail = "".join(io.StringIO(text, newline="").readlines()[begun:])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" not in str(exc):
            return  # another slip of the quotes, which the reading above tolerates
        column = len(last) - 1
        where = f"column {headers[column]}" if 0 <= column < len(headers) and \
            headers[column] and number > 1 else f"cell {column + 1}"
        raise UserError(f"{name}, row {number}, {where}: a quoted cell starting on line "
                        f"{begun + 1} is never closed, so every line after it would be read "
                        "into it; add its closing quote (\"), or write a quote inside a cell "
                        "as two (\"\")") from None


def _used_width(headers: tuple[str, ...], rows: list[list[str]]) -> int:
    """The columns a file uses: the columns without a header after the last named one,
    with no value in any row, are not part of it (Excel and LibreOffice save `a,b,,` on
    every line once a cell to the right was formatted or cleared). An unnamed column holding
    a value is kept, and reported."""
    width = len(headers)
    while width > 1 and not headers[width - 1]:
        width -= 1
    if width == len(headers):
        return width
    for row in rows:
        for i in range(min(len(row), len(headers)) - 1, width - 1, -1):
            if row[i].strip():
                width = i + 1
                break
    return width


def max_import_bytes() -> int:
    """The import size limit: STACKADMIN_MAX_IMPORT_MB megabytes, 200 unless set."""
    raw = os.environ.get(MAX_IMPORT_MB_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_IMPORT_MB * 1024 * 1024
    try:
        megabytes = float(raw)
    except ValueError:
        raise UserError(f"{MAX_IMPORT_MB_ENV}={raw[:40]} is not a number of megabytes") \
            from None
    if not 0 < megabytes <= 1024 * 1024:
        raise UserError(f"{MAX_IMPORT_MB_ENV}={raw[:40]}: give a number of megabytes above 0")
    return int(megabytes * 1024 * 1024)


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file to import: a regular file, no larger than the import limit
    (`max_import_bytes`); anything else is refused in words before it is read."""
    file = Path(path)
    limit = max_import_bytes()
    try:
        _refuse_special(file, os.stat(file).st_mode)  # before open(): a pipe would block it
        with file.open("rb") as fh:
            _refuse_special(file, os.fstat(fh.fileno()).st_mode)
            data = fh.read(limit + 1)  # one byte more tells a file that grew past the limit
    except FileNotFoundError:
        raise UserError(f"{file} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"{file} is a folder: import a CSV file saved on disk") from None
    except OSError as exc:
        raise UserError(f"{file} cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UserError(f"{file} is larger than {_megabytes(limit)}, the most an import reads "
                        f"(set {MAX_IMPORT_MB_ENV} to allow more)")
    return data


def _refuse_special(file: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode)
            else "not a regular file (a device, a pipe or a socket)")
    raise UserError(f"{file} is {kind}: import a CSV file saved on disk")


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):g} MB"


def read_table(path: str | Path) -> RawTable:
    """Reads a CSV file saved by a spreadsheet: UTF-8 with or without a BOM, the delimiter
    sniffed; a file in another encoding is refused in words."""
    file = Path(path)
    # A name holding a byte the locale could not decode (LANG=C, a Latin-1 name) is told and
    # recorded in the audit with that byte as \xNN: never a half character, which no
    # database stores.
    name = os.fsencode(file.name).decode("utf-8", "backslashreplace")
    text, had_bom = _decode(read_bytes(file), name)
    return parse_text(text, name, had_bom)


Cell = str | int | Decimal | None


def excel_cell(value: Cell) -> str:
    """Numbers as plain digits (a negative number stays a number); text neutralised
    (domain.spreadsheet.neutralise, inlined: this runs once per cell of every export)."""
    kind = value.__class__
    if kind is str:
        text: str = value  # type: ignore[assignment]
        return "'" + text if text and text[0] in QUOTED_STARTS else text
    if value is None:
        return ""
    if kind is Decimal:
        return format(value, "f")  # never an exponent: 1E-7 would be text to a spreadsheet
    if kind is int:
        return str(value)
    if isinstance(value, str):  # a str subclass (an enum value)
        return neutralise(value)
    return str(value)


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Cell]], *,
              bom: bool = True, numeric_columns: Iterable[int] | None = None) -> int:
    """Writes an Excel-clean CSV atomically (a temp file beside the target, then a rename):
    UTF-8 with a BOM by default, CRLF, quotes only where needed. Returns the row count.

    Cells typed `str` are text and are neutralised; `int` and `Decimal` are numbers. An
    exporter that knows its columns passes `numeric_columns` (their cells are numbers, None,
    or digits it formatted itself); every other column then holds str or None and only those
    are checked, once per row, without a call per cell."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"the folder {folder} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:  # an unwritable folder, a full disk: nothing was written
        raise UserError(f"{target} cannot be written: {exc.strerror or exc}") from None
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow([excel_cell(h) for h in headers])
            if numeric_columns is None:
                cell = excel_cell
                for row in rows:
                    writer.writerow([cell(v) for v in row])
                    count += 1
            else:
                numeric = set(numeric_columns)
                text = [i for i in range(len(headers)) if i not in numeric]
                starts, writerow = QUOTED_STARTS, writer.writerow
                for row in rows:
                    cells: Sequence[Any] = row
                    for i in text:
                        value: Any = row[i]
                        if value and value[0] in starts:
                            if cells is row:  # copied only when a cell must change
                                cells = list(row)
                            cells[i] = "'" + value  # type: ignore[index]
                    writerow(cells)  # csv writes None as an empty cell
                    count += 1
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UserError(f"{target} cannot be written: {exc.strerror or exc}") from None
        raise
    return count
