"""What the input half of the reliability suite shares: the values a hostile user would type
(hypothesis strategies), the program run in-process through its own entry point, a database
emptied between examples, and one summary line per section at the end of the run."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from stackadmin.cli import main
from stackadmin.domain import limits
from stackadmin.store.models import Base

# -- running the program -------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def problem(self) -> str | None:
        """What is wrong with how the command ended, or None: a crash (an internal error, a
        traceback) is always wrong; so is a refusal that is not said in words."""
        if "Traceback" in self.err or "internal error" in self.err:
            return f"{' '.join(self.args)} crashed: {self.err.strip()[-600:]}"
        if self.code not in (0, 1, 2):
            return f"{' '.join(self.args)} exited {self.code}"
        if self.code and not self.err.strip():
            return f"{' '.join(self.args)} failed without a word"
        if self.code == 1 and not self.err.rstrip().splitlines()[-1].startswith(
                "stackadmin: error: "):
            return f"{' '.join(self.args)}: the last line is not an error in words: {self.err}"
        return None


def run_cli(db: str, *args: str) -> Ran:
    """`stackadmin --db DB ARGS...` in this process (the same entry point as the console
    script, without a new interpreter per call)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", db, *args])
    return Ran(args, code, out.getvalue(), err.getvalue())


def run_process(db: str, *args: str, env: dict[str, str] | None = None,
                timeout: float = 120) -> Ran:
    """`stackadmin --db DB ARGS...` as its own process, as a user runs it: the bytes it
    writes to the terminal are what is checked."""
    done = subprocess.run([sys.executable, "-m", "stackadmin", "--db", db, *args],
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})
    return Ran(args, done.returncode, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"))


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def empty_database(engine: Engine) -> None:
    """Every row of every table gone (the schema and its revision stay), ids from 1 again:
    each hypothesis example starts from an empty inventory on the same database."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        for name in tables:
            conn.execute(text(f"DELETE FROM {name}"))
        has_sequence = conn.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
        if has_sequence:
            conn.execute(text("DELETE FROM sqlite_sequence"))


# -- one summary line per section ----------------------------------------------------------


@dataclass
class Tally:
    """Cases tried and passed, and rows lost (accepted, then missing), for one section."""

    section: str
    tried: int = 0
    passed: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"reliability · {self.section}: {self.tried} cases tried, {self.passed} passed, "
                f"{self.lost} rows lost" + (f" [{'; '.join(self.notes)}]" if self.notes else ""))


class _Summary:
    """Registered once per run: prints each section's line in pytest's closing summary."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.tallies:
            return
        terminalreporter.section("reliability (input)")
        for tally in self.tallies.values():
            terminalreporter.write_line(tally.line())


def tally(config: pytest.Config, section: str) -> Tally:
    plugin = config.pluginmanager.get_plugin("stackadmin-reliability-input")
    if plugin is None:
        plugin = _Summary()
        config.pluginmanager.register(plugin, "stackadmin-reliability-input")
    summary: _Summary = plugin
    return summary.tallies.setdefault(section, Tally(section))


# -- values a hostile user types -------------------------------------------------------------

CURRENCIES = ("USD", "EUR", "JPY", "KWD", "CLF", "IDR", "GBP")
# Characters that break things: formula starts, the apostrophe, quotes, delimiters, line
# breaks, tab, ESC and an OSC sequence's parts, NUL, a C1 control (CSI), DEL, a bidi
# override, a non-BMP character, combining marks.
NASTY = ("=", "+", "-", "@", "'", '"', ",", ";", "\t", "\n", "\r", "\x1b", "]", "\x07",
         "\x00", "\x9b", "\x7f", "\u202e", "😀", "\u0301", "é", "ß", "İ", " ")


def texts(max_size: int = 40, *, nasty: bool = True) -> st.SearchStrategy[str]:
    letters = st.characters(min_codepoint=0x20, max_codepoint=0x2FFF,
                            exclude_categories=("Cs", "Cc"))
    alphabet = st.one_of(letters, st.sampled_from(NASTY)) if nasty else letters
    return st.text(alphabet, max_size=max_size)


def long_texts() -> st.SearchStrategy[str]:
    """Just past and just within the usual limits (120, 200, 500 characters)."""
    return st.sampled_from((119, 120, 121, 199, 200, 201, 500, 501)).map(lambda n: "x" * n)


def names() -> st.SearchStrategy[str]:
    return st.one_of(texts(30), long_texts(), st.sampled_from(
        ["Slack", "-Minus", "=SUM(A1)", "'=quoted", "+plus", "@at", "'lead", "Zoom\x1b]0;x\x07"]))


def emails() -> st.SearchStrategy[str]:
    local = st.text(st.sampled_from("abcxyz019._%+-='@"), min_size=1, max_size=12)
    domain = st.text(st.sampled_from("abcdefg-"), min_size=1, max_size=8)
    return st.one_of(
        st.builds(lambda a, b: f"{a}@{b}.example", local, domain),
        st.sampled_from(["-x@example.com", "+y@example.com", "=z@example.com",
                         "'q@example.com", "A@Example.COM", "esc\x1b@example.com",
                         "nul\x00@example.com", "x" * 320 + "@example.com", "not an email"]))


def good_emails() -> st.SearchStrategy[str]:
    """Addresses that are accepted, some of them starting with what a spreadsheet would run."""
    local = st.text(st.sampled_from("abcxyz019._"), min_size=1, max_size=10)
    return st.builds(lambda lead, a: f"{lead}{a}@example.com",
                     st.sampled_from(["", "", "-", "+", "=", "'"]), local)


_EDGES = [limits.MIN_DATE, limits.MAX_DATE, date(2200, 12, 1), date(1900, 1, 31),
          date(2000, 2, 29), date(2199, 12, 31), date(1899, 12, 31), date(2201, 1, 1),
          date(9999, 12, 31), date(1, 1, 1)]


def dates() -> st.SearchStrategy[date]:
    return st.one_of(st.sampled_from(_EDGES),
                     st.dates(date(1895, 1, 1), date(2205, 12, 31)),
                     st.dates(date(2020, 1, 1), date(2030, 12, 31)))


def edge_dates() -> st.SearchStrategy[date]:
    """Accepted days, the first and last ones often."""
    return st.one_of(st.sampled_from(_EDGES[:6]), st.dates(limits.MIN_DATE, limits.MAX_DATE))


def edge_counts(high: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 50), st.just(high), st.integers(high - 3, high))


def edge_amounts(currency: str) -> st.SearchStrategy[str]:
    from stackadmin.domain.money import Money

    top = limits.MAX_MINOR_UNITS
    return st.one_of(st.integers(0, 10**6), st.just(top), st.integers(top - 3, top)).map(
        lambda minor: Money(minor, currency).plain())


def accepted_dates() -> st.SearchStrategy[date]:
    """Only days the command line takes (its --as-of): what every report must read on."""
    return st.one_of(st.sampled_from([limits.MIN_DATE, limits.MAX_DATE, date(2026, 11, 25)]),
                     st.dates(limits.MIN_DATE, limits.MAX_DATE))


def moments() -> st.SearchStrategy[str]:
    offsets = st.sampled_from([timezone(timedelta(hours=h)) for h in (-14, -5, 0, 1, 14)])
    inside = st.datetimes(datetime(1900, 1, 1), datetime(2200, 12, 31, 23, 59, 59),
                          timezones=offsets).map(lambda m: m.isoformat())
    return st.one_of(inside, st.sampled_from([
        "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00+14:00", "2200-12-31T23:59:59-01:00",
        "1900-01-01", "2200-12-31 23:59:59", "unknown", "", "0001-01-01T00:00:00+00:00"]))


def day_counts(high: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 90), st.integers(high - 2, high + 2),
                     st.integers(0, 10**12))


def amounts(currency: str) -> st.SearchStrategy[str]:
    from stackadmin.domain.money import exponent

    places = exponent(currency)

    def plain(minor: int) -> str:
        if places == 0:
            return str(minor)
        whole, frac = divmod(minor, 10**places)
        return f"{whole}.{frac:0{places}d}"

    top = limits.MAX_MINOR_UNITS
    return st.one_of(st.integers(0, 10**6).map(plain), st.integers(top - 3, top + 3).map(plain),
                     st.sampled_from(["1e29", "100000000000000000000000000000", "-1", "0",
                                      "1,000.5", "NaN", "Infinity"]))


def rates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.decimals(limits.MIN_RATE, limits.MAX_RATE, places=6, allow_nan=False).map(str),
        st.sampled_from(["0.000001", "1000000", "0.0000009", "1000000.1", "1e22", "1e-30",
                         "0", "-1", "1.23456789012345", "1.234567890123456", "NaN"]))


def periods() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["monthly", "quarterly", "annual", "yearly", ""]),
                     st.integers(1, 130).map(lambda n: f"every {n} months"))


def iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
