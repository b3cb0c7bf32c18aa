"""Round trips: every export that has an import comes back unchanged.

The finance export goes back through the subscriptions import, the people export through the
people import, the seats export through the accounts import. Imported into the database
they came from, they change nothing: no field, no audit event. Imported into an empty
database (with the same settings and exchange rates, which no export carries), the same
exports come out again.

What the exports cannot carry is left out of the comparison, and said here: the unused
reason of a seat and the finance figures built on it (`seats_unused`,
`unused_annual_cost_base`) depend on when an account was first seen, which an import sets
to the day it runs; the seats export names an account by tool and email, so the generated
accounts have an email, one per tool; a tool's accounts come back when the tool has a term
in force (the finance export lists only those), so every generated tool has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from stackadmin.domain import limits
from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import accounts, people, rates, terms, tools
from stackadmin.services.inventory import settings as app_settings
from stackadmin.store.models import (
    Account,
    AuditEvent,
    ExchangeRate,
    Person,
    Setting,
    SubscriptionTerm,
    Tool,
    Vendor,
)
from tests.conftest import new_database
from tests.reliability.inputs import (
    edge_amounts,
    empty_database,
    good_emails,
    read_csv,
    run_cli,
    tally,
    texts,
)

EXAMPLES = {"sqlite": 30, "postgresql": 20}
FINANCE_UNCARRIED = ("seats_unused", "unused_annual_cost_base")
SEATS_UNCARRIED = ("unused_reason",)
TABLES = (Person, Vendor, Tool, SubscriptionTerm, Account, ExchangeRate, Setting)
RATE_DAY = limits.MIN_DATE  # rates recorded from the first day: every as-of date sees them


def _shown_text() -> st.SearchStrategy[str]:
    """Text as people type it, often starting with what a spreadsheet would run."""
    lead = st.sampled_from(["", "", "=", "+", "-", "@", "'", "'=", "''", "\"", "\t"])
    body = texts(20, nasty=False).map(str.strip)
    return st.builds(lambda a, b: (a + b).strip() or "x", lead, body)


@dataclass
class Inventory:
    as_of: date
    base: str
    people: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    terms: list[tuple[int, dict[str, Any]]]  # (tool index, values)
    accounts: list[tuple[int, dict[str, Any]]]
    rates: dict[str, str]


@st.composite
def _term(draw: st.DrawFn, as_of: date) -> dict[str, Any]:
    """A term in force on `as_of`: started, and renewing after it, or before it and rolling
    forward by itself."""
    currency = draw(st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLF", "GBP"]))
    start = as_of - timedelta(days=draw(st.integers(0, 3 * 365)))
    months = draw(st.sampled_from([1, 3, 6, 12, 12, 24, 36]))
    renewal = start + relativedelta(months=months)
    auto = draw(st.booleans()) or renewal <= as_of
    return {"currency": currency, "unit_price": draw(edge_amounts(currency)),
            "seats": draw(st.one_of(st.none(), st.integers(0, 60),
                                    st.just(limits.MAX_SEATS))),
            "pricing": draw(st.sampled_from(["per_seat", "flat"])),
            "billing_period": draw(st.sampled_from(["monthly", "quarterly", "annual",
                                                    "every 7 months"])),
            "term_start": draw(st.sampled_from([start, start, None])) if renewal > as_of
            else start,
            "renewal_date": renewal, "auto_renew": auto,
            "notice_days": draw(st.integers(0, 120)),
            "internal_lead_days": draw(st.integers(0, 45)),
            "plan": draw(st.one_of(st.just(""), _shown_text())),
            "cost_center": draw(st.one_of(st.none(), _shown_text())),
            "po_reference": draw(st.one_of(st.none(), _shown_text()))}


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    as_of = draw(st.one_of(st.dates(date(1960, 1, 1), date(2140, 12, 31)),
                           st.just(date(2026, 11, 25))))
    emails = draw(st.lists(good_emails(), min_size=1, max_size=5,
                           unique_by=lambda e: e.lower()))
    found_people = [{"email": e, "name": draw(st.one_of(st.just(""), _shown_text())),
                     "department": draw(st.one_of(st.none(), _shown_text())),
                     "title": draw(st.one_of(st.none(), _shown_text())),
                     "status": draw(st.sampled_from(["active", "departed"])),
                     "end_date": draw(st.one_of(st.none(), st.dates(date(1950, 1, 1),
                                                                    date(2150, 1, 1))))}
                    for e in emails]
    names = draw(st.lists(_shown_text(), min_size=1, max_size=3,
                          unique_by=lambda n: n.lower()))
    found_tools = [{"name": n, "vendor": draw(st.one_of(st.none(), _shown_text())),
                    "owner_email": draw(st.one_of(st.none(), st.sampled_from(emails)))}
                   for n in names]
    found_terms = [(i, draw(_term(as_of))) for i in range(len(names))]
    for n, i in enumerate(draw(st.lists(st.integers(0, len(names) - 1), max_size=2))):
        extra = draw(_term(as_of))
        extra["plan"] = f"{extra['plan']} term {n + 2}"  # (tool, plan, start) is unique
        found_terms.append((i, extra))
    found_accounts = []
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=-14)),
                               timezone(timedelta(hours=14))])
    for i in range(len(names)):
        for email in draw(st.lists(st.one_of(st.sampled_from(emails), good_emails()),
                                   max_size=3, unique_by=lambda e: e.lower())):
            found_accounts.append((i, {
                "email": email, "display_name": draw(st.one_of(st.none(), _shown_text())),
                "role": draw(st.sampled_from(["owner", "admin", "member", "guest"])),
                "status": draw(st.sampled_from(["active", "invited", "suspended",
                                                "deprovisioned"])),
                "last_activity": draw(st.one_of(st.none(), st.datetimes(
                    datetime(1950, 1, 1), datetime(2150, 1, 1), timezones=offsets)))}))
    return Inventory(as_of, draw(st.sampled_from(["USD", "EUR"])), found_people, found_tools,
                     found_terms, found_accounts,
                     {c: draw(st.sampled_from(["1.1", "0.000001", "1000000", "0.0073",
                                               "3.26"]))
                      for c in ("USD", "EUR", "JPY", "KWD", "CLF", "GBP")})


def _build(ctx: ServiceContext, inv: Inventory) -> None:
    app_settings.set_setting(ctx, "base_currency", inv.base)
    for currency, rate in inv.rates.items():
        if currency != inv.base:
            rates.set_rate(ctx, currency, rate, RATE_DAY)
    for values in inv.people:
        people.create_person(ctx, **values)
    made = [tools.create_tool(ctx, **values) for values in inv.tools]
    for i, values in inv.terms:
        terms.create_term(ctx, tool_id=made[i].id, **values)
    for i, values in inv.accounts:
        accounts.create_account(ctx, tool_id=made[i].id, **values)


def _copy_settings(source: ServiceContext, target: ServiceContext) -> None:
    """What no export carries: the base currency and the exchange rates."""
    app_settings.set_setting(target, "base_currency",
                             app_settings.all_settings(source)["base_currency"])
    for row in rates.list_rates(source):
        rates.set_rate(target, row.currency, row.rate, row.as_of)


def _snapshot(ctx: ServiceContext) -> dict[str, Any]:
    with ctx.read() as session:
        out: dict[str, Any] = {
            model.__tablename__: [tuple(row) for row in session.execute(
                select(*model.__table__.columns).order_by(*model.__table__.primary_key))]
            for model in TABLES}
        out["audit events"] = session.scalar(select(func.count()).select_from(AuditEvent))
    return out


def _exports(db: str, folder: Path, as_of: date) -> dict[str, list[list[str]]]:
    day = as_of.isoformat()
    out = {}
    for name, args in (("finance", ["--as-of", day]), ("people", []),
                       ("seats", ["--as-of", day])):
        path = folder / f"{name}.csv"
        ran = run_cli(db, "export", name, str(path), *args)
        assert ran.code == 0, ran.err
        out[name] = read_csv(path)
    return out


def _imports(db: str, folder: Path) -> list[str]:
    """Each export back through its import; the lines it printed. An export without a row
    has nothing to bring back (an import refuses a file without data rows)."""
    lines = []
    for kind, name in (("subscriptions", "finance"), ("people", "people"),
                       ("accounts", "seats")):
        if len(read_csv(folder / f"{name}.csv")) < 2:
            continue
        ran = run_cli(db, "import", kind, str(folder / f"{name}.csv"))
        assert ran.code == 0, f"import {kind} of the {name} export: {ran.err}"
        lines.append(ran.out.strip())
    return lines


def _without(rows: list[list[str]], columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    keep = [i for i, h in enumerate(rows[0]) if h not in columns]
    return [tuple(r[i] for i in keep) for r in rows]


def _keys(rows: list[list[str]], *names: str) -> set[tuple[str, ...]]:
    index = [rows[0].index(n) for n in names]
    return {tuple(r[i] for i in index) for r in rows[1:]}


@pytest.fixture
def second_db(tmp_path: Path, pg_admin_url: str | None) -> Iterator[str]:
    """Another empty database on the same engine, for the trip into an empty one."""
    with new_database(tmp_path / "second.sqlite", pg_admin_url) as url:
        yield url


# A fixed number of examples; the ceiling leaves room for hypothesis to shrink a failure.
@pytest.mark.timeout(900)
def test_every_export_imports_back_unchanged(db_url: str, second_db: str, db_kind: str,
                                            tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    record = tally(request.config, f"Round trips ({db_kind})")
    source = open_context(db_url, source=AuditSource.UI)
    target = open_context(second_db, source=AuditSource.UI)
    count = [0]
    rows = {"finance": 0, "people": 0, "seats": 0}

    def one(inv: Inventory) -> None:
        count[0] += 1
        record.tried += 1
        folder = tmp_path / f"case{count[0]}"
        (folder / "again").mkdir(parents=True)
        empty_database(source.engine)
        empty_database(target.engine)
        _build(source, inv)
        before = _snapshot(source)
        exported = _exports(db_url, folder, inv.as_of)

        # Into the database they came from: nothing changes, nothing is recorded.
        for line in _imports(db_url, folder):
            assert ": 0 added, 0 updated," in line, line
        assert _snapshot(source) == before

        # Into an empty database: the same exports come out again.
        _copy_settings(source, target)
        _imports(second_db, folder)
        again = _exports(second_db, folder / "again", inv.as_of)
        keys = {"finance": ("tool", "plan", "term_start"), "people": ("email",),
                "seats": ("tool", "email")}
        lost = sum(len(_keys(exported[n], *k) - _keys(again[n], *k)) for n, k in keys.items())
        record.lost += lost
        assert lost == 0
        assert again["people"] == exported["people"]
        assert _without(again["finance"], FINANCE_UNCARRIED) == \
            _without(exported["finance"], FINANCE_UNCARRIED)
        assert _without(again["seats"], SEATS_UNCARRIED) == \
            _without(exported["seats"], SEATS_UNCARRIED)
        record.passed += 1
        for name in rows:
            rows[name] += len(exported[name]) - 1
        record.notes = [f"{rows['finance']} finance, {rows['people']} people and "
                        f"{rows['seats']} seats rows brought back"]

    check = settings(max_examples=EXAMPLES[db_kind], deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.data_too_large])(given(inventories())(one))
    try:
        check()
    finally:
        source.close()
        target.close()
