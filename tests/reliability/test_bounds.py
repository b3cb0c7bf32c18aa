"""Bounds: whatever an import, a form (the services behind it) or a command-line argument
accepts, every report, export and page reads afterwards, on SQLite and on PostgreSQL.

Each example empties the database, pushes hostile values through every door (imports with
their dry run, service calls as the window's forms make them, CLI writes), then runs every
report and export through the CLI on dates the CLI accepts, and loads every page of the
window. What is refused must be refused in words; nothing accepted may crash a reader or
go missing.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from stackadmin.domain import limits
from stackadmin.domain.spreadsheet import unquote
from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import accounts, people, terms, tools
from stackadmin.store.models import Person, SubscriptionTerm
from tests.reliability.inputs import (
    CURRENCIES,
    Ran,
    accepted_dates,
    amounts,
    dates,
    day_counts,
    edge_amounts,
    edge_counts,
    edge_dates,
    emails,
    empty_database,
    good_emails,
    iso,
    long_texts,
    moments,
    names,
    periods,
    rates,
    read_csv,
    run_cli,
    tally,
    texts,
    write_csv,
)

EXAMPLES = {"sqlite": 30, "postgresql": 20}  # fixed budgets: ~35 s on SQLite, ~30 s on PG

LEADS_20 = ",".join(str(n) for n in range(711, 731))  # the most lead times, the longest text
LEADS_21 = ",".join(str(n) for n in range(710, 731))
SUB_HEADERS = ("tool", "vendor", "plan", "owner_email", "pricing", "unit_price", "seats",
               "currency", "billing_period", "term_start", "renewal_date", "auto_renew",
               "notice_days", "cost_center", "notes", "po_reference")
PEOPLE_HEADERS = ("email", "name", "department", "status", "end_date", "cost_center", "title")
ACCOUNT_HEADERS = ("tool", "email", "name", "role", "status", "last_active", "external_id")


def _maybe(strategy: st.SearchStrategy[Any], blank: Any = "") -> st.SearchStrategy[Any]:
    return st.one_of(st.just(blank), strategy)


@st.composite
def _subscription(draw: st.DrawFn, tool_names: list[str]) -> list[str]:
    """A row of hostile values, or (three times as often) one of values at the edges of what is
    accepted: the largest price, seats and notice, the first and last days."""
    bad = draw(st.integers(0, 3)) == 0  # one row in four hostile, the rest at the edges
    currency = draw(st.sampled_from(CURRENCIES))
    day = dates() if bad else edge_dates()
    start = draw(_maybe(day, None))
    renewal = draw(st.one_of(_maybe(day, None), st.builds(
        lambda s, n: min(s, limits.MAX_DATE) + timedelta(days=n) if s else None,
        st.just(start), st.integers(0, 800))))
    if start and renewal and renewal < start and not bad:
        start, renewal = renewal, start
    text = texts(20, nasty=bad)
    return [draw(st.sampled_from(tool_names)), draw(_maybe(text)),
            draw(_maybe(texts(8, nasty=bad))),
            draw(_maybe(emails() if bad else good_emails())),
            draw(st.sampled_from(["per_seat", "flat", ""])),
            draw(amounts(currency) if bad else edge_amounts(currency)),
            str(draw(day_counts(limits.MAX_SEATS) if bad else edge_counts(limits.MAX_SEATS))),
            currency, draw(periods()), iso(start), iso(renewal),
            draw(st.sampled_from(["yes", "no", ""])),
            str(draw(day_counts(limits.MAX_NOTICE_DAYS) if bad
                     else edge_counts(limits.MAX_NOTICE_DAYS))),
            draw(_maybe(text)), draw(_maybe(texts(60, nasty=bad))),
            draw(_maybe(long_texts() if bad else text))]


@st.composite
def _person(draw: st.DrawFn) -> list[str]:
    bad = draw(st.integers(0, 3)) == 0  # one row in four hostile, the rest at the edges
    text = texts(20, nasty=bad)
    return [draw(emails() if bad else good_emails()), draw(_maybe(names() if bad else text)),
            draw(_maybe(text)), draw(st.sampled_from(["active", "departed", "", "left"])),
            iso(draw(_maybe(dates() if bad else edge_dates(), None))), draw(_maybe(text)),
            draw(_maybe(text))]


@st.composite
def _account(draw: st.DrawFn, tool_names: list[str]) -> list[str]:
    bad = draw(st.integers(0, 3)) == 0  # one row in four hostile, the rest at the edges
    return [draw(st.sampled_from(tool_names)),
            draw(_maybe(emails()) if bad else good_emails()),
            draw(_maybe(names() if bad else texts(20, nasty=False))),
            draw(st.sampled_from(["member", "admin", "owner", "guest", "viewer", "x"])),
            draw(st.sampled_from(["active", "invited", "suspended", "deprovisioned", ""])),
            draw(moments()), draw(_maybe(st.one_of(texts(12, nasty=bad), long_texts())))]


@dataclass
class Case:
    """One example: rows for each import, form submissions, CLI writes, days to read on."""

    subscriptions: list[list[str]]
    people: list[list[str]]
    accounts: list[list[str]]
    forms: list[tuple[str, dict[str, Any]]]
    writes: list[list[str]]
    as_of: list[date]
    within: int
    window: bool  # load every page too (one example in three: the window costs a second)


@st.composite
def _forms(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    offsets = st.sampled_from([timezone(timedelta(hours=h)) for h in (-14, 0, 14)])
    moment = st.one_of(
        st.datetimes(datetime(1899, 12, 30), datetime(2201, 1, 2), timezones=offsets),
        st.just(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14)))))
    text_or_half = st.one_of(texts(30), st.just("half \ud800 character"))
    forms: list[tuple[str, dict[str, Any]]] = [
        ("person", {"email": draw(emails()), "name": draw(_maybe(text_or_half)),
                    "department": draw(_maybe(texts(20))),
                    "end_date": draw(_maybe(dates(), None)),
                    "status": draw(st.sampled_from(["active", "departed"]))}),
        ("tool", {"name": draw(names()), "vendor": draw(_maybe(texts(20))),
                  "notes": draw(_maybe(texts(80))),
                  "inactivity_days": draw(_maybe(day_counts(limits.MAX_INACTIVITY_DAYS))),
                  "reminder_leads": draw(st.sampled_from(["", "90,30", "730,0", "731",
                                                          LEADS_20, LEADS_21]))}),
    ]
    currency = draw(st.sampled_from(CURRENCIES))
    start = draw(_maybe(dates(), None))
    forms.append(("term", {
        "currency": currency, "unit_price": draw(amounts(currency)),
        "seats": draw(_maybe(day_counts(limits.MAX_SEATS), None)),
        "billing_period": draw(st.one_of(periods(), st.integers(-1, 130))),
        "term_start": start, "renewal_date": draw(_maybe(dates(), None)),
        "notice_days": draw(day_counts(limits.MAX_NOTICE_DAYS)),
        "internal_lead_days": draw(day_counts(limits.MAX_NOTICE_DAYS)),
        "auto_renew": draw(st.booleans()), "notes": draw(_maybe(text_or_half)),
        "plan": draw(_maybe(texts(10)))}))
    forms.append(("account", {"email": draw(emails()), "display_name": draw(_maybe(names())),
                              "last_activity": draw(_maybe(moment, None)),
                              "status": draw(st.sampled_from(["active", "suspended"]))}))
    return forms


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tool_names = draw(st.lists(names(), min_size=1, max_size=3))
    writes: list[list[str]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["rate", "setting", "snooze", "decide", "exempt"]))
        tool = draw(st.sampled_from(tool_names))
        day = iso(draw(accepted_dates()))
        if kind == "rate":
            writes.append(["rates", "set", draw(st.sampled_from(CURRENCIES)), draw(rates()),
                           "--as-of", day])
        elif kind == "setting":
            key, value = draw(st.sampled_from([
                ("headroom_pct", st.integers(0, 600).map(str)),
                ("default_inactivity_days", day_counts(limits.MAX_INACTIVITY_DAYS).map(str)),
                ("reminder_leads", st.sampled_from(["730,0", "90,60,30,7", "731", "1",
                                                    LEADS_20])),
                ("base_currency", st.sampled_from(["EUR", "JPY", "KWD", "CLF", "USD"]))]))
            writes.append(["settings", "set", key, draw(value)])
        elif kind == "snooze":
            writes.append(["snooze", tool, "--days", str(draw(day_counts(
                limits.MAX_SNOOZE_DAYS))), "--as-of", day])
        elif kind == "decide":
            writes.append(["decide", tool, "renew", "--note", draw(texts(40)), "--as-of", day])
        else:
            writes.append(["exempt", tool, draw(emails()), "--reason", draw(texts(30))])
    return Case(
        subscriptions=draw(st.lists(_subscription(tool_names), min_size=1, max_size=3)),
        people=draw(st.lists(_person(), max_size=3)),
        accounts=draw(st.lists(_account(tool_names), max_size=4)),
        forms=draw(_forms()),
        writes=writes,
        as_of=draw(st.lists(accepted_dates(), min_size=1, max_size=2)),
        within=draw(st.sampled_from([0, 30, limits.MAX_WITHIN_DAYS])),
        window=draw(st.integers(0, 2)) == 0,
    )


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)  # emails accepted
    terms: int = 0  # terms accepted (added)
    accounts: int = 0  # accounts accepted (added)

    def check(self, ran: Ran) -> Ran:
        problem = ran.problem()
        if problem:
            self.problems.append(problem)
        return ran


_ADDED = re.compile(r": imported (\w+): (\d+) added")


def _import(db: str, folder: Path, kind: str, headers: tuple[str, ...], rows: list[list[str]],
            out: Outcome, *extra: str) -> None:
    """The whole file, then (when it is refused) each row on its own, so that the good rows
    get in; the dry run must agree with the real import every time."""
    batches = [rows] if len(rows) < 2 else [rows, *([r] for r in rows)]
    for n, batch in enumerate(batches):
        path = write_csv(folder / f"{kind}-{n}.csv", headers, batch)
        dry = out.check(run_cli(db, "import", kind, str(path), "--dry-run", *extra))
        real = out.check(run_cli(db, "import", kind, str(path), *extra))
        if (dry.code == 0) != (real.code == 0):
            out.problems.append(f"import {kind}: the dry run said {dry.code}, the import "
                                f"{real.code}: {dry.err or dry.out} / {real.err or real.out}")
        found = _ADDED.search(real.out)
        if real.code == 0 and found:
            if kind == "subscriptions":
                out.terms += int(found.group(2))
            elif kind == "accounts":
                out.accounts += int(found.group(2))
            else:
                out.people.update(_emails(batch))
            if n == 0:
                return  # the whole file went in


def _emails(rows: list[list[str]]) -> set[str]:
    return {unquote(r[0].strip()).lower() for r in rows}


def _forms_in(ctx: ServiceContext, case: Case, out: Outcome) -> None:
    """The services the window's forms call, with what a user could type."""
    for kind, values in case.forms:
        try:
            if kind == "person":
                row = people.create_person(ctx, **values)
                out.people.add(row.email)
            elif kind == "tool":
                tools.create_tool(ctx, **values)
            else:
                listed = tools.list_tools(ctx)
                if not listed:
                    continue
                if kind == "term":
                    terms.create_term(ctx, tool_id=listed[0].id, **values)
                    out.terms += 1
                else:
                    accounts.create_account(ctx, tool_id=listed[-1].id, **values)
                    out.accounts += 1
        except UserError:
            continue  # refused in words (ValidationError, NotFoundError): nothing changed
        except Exception as exc:
            out.problems.append(f"form {kind} {values!r} crashed: {type(exc).__name__}: {exc}")


# The one refusal a read may give on accepted data: a calendar with no dated term in force
# (an event-less calendar is invalid, so none is written; said in one line).
NOTHING_TO_WRITE = "there is nothing to put in a calendar"


def _read(db: str, out: Outcome, *args: str) -> None:
    ran = out.check(run_cli(db, *args))
    if ran.code != 0 and not (args[:2] == ("export", "calendar") and ran.code == 1
                              and NOTHING_TO_WRITE in ran.err):
        out.problems.append(f"{' '.join(args)} failed: {ran.err.strip()}")


def _reads(db: str, folder: Path, case: Case, out: Outcome, term_ids: list[int]) -> None:
    """Every report and export on today and on each accepted day (tables, and JSON on the
    last day), rightsizing of the first term, every export."""
    days: list[list[str]] = [[]] + [["--as-of", iso(d)] for d in case.as_of]
    for n, when in enumerate(days):
        as_json = ["--json"] if n == len(days) - 1 else []
        for report in (["utilization"], ["unused"], ["reconcile"]):
            _read(db, out, *report, *when, *as_json)
        _read(db, out, "reminders", "--within", str(case.within), *when, *as_json)
        if term_ids:
            _read(db, out, "rightsizing", str(term_ids[0]), *when, *as_json)
        for export in ("finance", "seats", "calendar"):
            _read(db, out, "export", export, str(folder / f"{export}.out"), *when)
    for export in ("access-review", "people"):
        _read(db, out, "export", export, str(folder / f"{export}.out"))


def _lost(ctx: ServiceContext, folder: Path, out: Outcome) -> int:
    """Accepted rows that are not there afterwards (nothing in an example deletes)."""
    exported = {unquote(r[0]).lower() for r in read_csv(folder / "people.out")[1:]}
    seats = len(read_csv(folder / "seats.out")) - 1
    with ctx.read() as session:
        stored_terms = session.scalar(select(func.count()).select_from(SubscriptionTerm)) or 0
    return (len(out.people - exported) + max(out.terms - stored_terms, 0)
            + max(out.accounts - seats, 0))


@pytest.fixture
def window_for(qapp: Any, tmp_path: Path) -> Iterator[Any]:
    """Opens the main window on a context, loads every page, returns the errors it showed."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings

    from stackadmin.ui import gcpause
    from stackadmin.ui.env import Env
    from stackadmin.ui.mainwindow import MainWindow
    from stackadmin.ui.pages import PAGES
    from stackadmin.ui.tasks import TaskRunner

    gcpause.install(qapp)

    def load_every_page(ctx: ServiceContext) -> list[str]:
        with ctx.read() as session:
            person = session.scalar(select(func.min(Person.id)))
        tasks = TaskRunner(ctx.with_source(AuditSource.UI))
        env = Env(tasks, settings=QSettings(str(tmp_path / "gui.ini"),
                                            QSettings.Format.IniFormat))
        shown: list[str] = []
        window = MainWindow(env)
        window.show_error = lambda exc: shown.append(f"{type(exc).__name__}: {exc}")
        env.tasks.on_error = lambda exc, _job: shown.append(f"{type(exc).__name__}: {exc}")
        env.error.connect(shown.append)
        window.resize(1100, 700)
        window.show()
        window.attach(False)
        try:
            for page in PAGES:
                if page.key == "person" and person is None:
                    continue
                window.show_page(page.key,
                                 {"person_id": person} if page.key == "person" else None)
                deadline = time.monotonic() + 30
                while tasks.busy and time.monotonic() < deadline:
                    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
                    time.sleep(0.002)
                if tasks.busy:
                    shown.append(f"page {page.key} did not finish loading in 30 s")
        finally:
            tasks.cancel()
            tasks.wait()
            window.close()
            window.deleteLater()
            QCoreApplication.processEvents()
        return shown

    try:
        yield load_every_page
    finally:
        gcpause.uninstall()


# A fixed number of examples; the ceiling leaves room for hypothesis to shrink a failure.
@pytest.mark.timeout(900)
def test_whatever_is_accepted_every_report_export_and_page_reads(
        db_url: str, db_kind: str, tmp_path: Path, window_for: Any,
        request: pytest.FixtureRequest) -> None:
    record = tally(request.config, f"Bounds ({db_kind})")
    ctx = open_context(db_url, source=AuditSource.UI)
    examples = [0]
    accepted = {"terms": 0, "people": 0, "accounts": 0, "windows": 0}

    def one(case: Case) -> None:
        examples[0] += 1
        record.tried += 1
        empty_database(ctx.engine)
        folder = tmp_path / f"case{examples[0]}"
        folder.mkdir()
        out = Outcome()
        _import(db_url, folder, "subscriptions", SUB_HEADERS, case.subscriptions, out)
        _import(db_url, folder, "people", PEOPLE_HEADERS, case.people, out)
        _import(db_url, folder, "accounts", ACCOUNT_HEADERS, case.accounts, out)
        _forms_in(ctx, case, out)
        for write in case.writes:
            out.check(run_cli(db_url, *write))
        with ctx.read() as session:
            term_ids = list(session.scalars(select(SubscriptionTerm.id)))
        _reads(db_url, folder, case, out, term_ids)
        lost = _lost(ctx, folder, out)
        record.lost += lost
        accepted["terms"] += out.terms
        accepted["people"] += len(out.people)
        accepted["accounts"] += out.accounts
        accepted["windows"] += case.window
        record.notes = [f"accepted {accepted['terms']} terms, {accepted['people']} people, "
                        f"{accepted['accounts']} accounts; every page loaded "
                        f"{accepted['windows']} times"]
        if case.window:
            out.problems.extend(f"window: {p}" for p in window_for(ctx))
        assert not out.problems, "\n".join(out.problems)
        assert lost == 0, f"{lost} accepted rows are missing"
        record.passed += 1

    check = settings(max_examples=EXAMPLES[db_kind], deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.data_too_large])(given(cases())(one))
    try:
        check()
    finally:
        ctx.close()
