"""Exports: finance figures checked by hand in four currencies, Excel-clean files, round trip."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from stackadmin.errors import NotFoundError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import accounts, people, rates, terms, tools
from stackadmin.services.spreadsheets import exports, importer
from stackadmin.services.spreadsheets.files import write_csv
from tests.conftest import TODAY

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def build_inventory(ctx: ServiceContext) -> int:
    """Four currencies, a tool with two plans, one rolled-forward term, terms not in force."""
    rates.set_rate(ctx, "EUR", "1.10", date(2026, 11, 1))
    rates.set_rate(ctx, "JPY", "0.0067", date(2026, 11, 1))
    rates.set_rate(ctx, "KWD", "3.25", date(2026, 11, 1))
    ada = people.create_person(ctx, email="ada@example.com", name="Ada")
    slack = tools.create_tool(ctx, name="Slack", vendor="Salesforce", owner_email=ada.email)
    miro = tools.create_tool(ctx, name="Miro", vendor="Miro")
    freee = tools.create_tool(ctx, name="freee", vendor="freee K.K.")
    zain = tools.create_tool(ctx, name="Zain Cloud")
    terms.create_term(ctx, tool_id=slack.id, plan="Business", currency="USD", unit_price="8.75",
                      seats=25, billing_period="monthly", term_start="2026-01-01",
                      renewal_date="2027-01-01", notice_days=30, cost_center="CC-100",
                      po_reference="PO-1")
    terms.create_term(ctx, tool_id=slack.id, plan="Enterprise Grid", currency="USD",
                      unit_price="12.50", seats=5, billing_period="monthly",
                      term_start="2026-03-01", renewal_date="2027-03-01", auto_renew=False)
    terms.create_term(ctx, tool_id=miro.id, plan="Team", currency="EUR", unit_price="7.99",
                      seats=3, billing_period="monthly", term_start="2025-12-01",
                      renewal_date="2026-12-01", notice_days=14, internal_lead_days=7)
    terms.create_term(ctx, tool_id=freee.id, plan="", pricing="flat", currency="JPY",
                      unit_price="30000", billing_period="monthly", term_start="2026-04-01",
                      renewal_date="2027-04-01")
    # Renewal date passed, renews by itself: rolled forward a year as of the export date.
    terms.create_term(ctx, tool_id=zain.id, plan="Pro", currency="KWD", unit_price="1.250",
                      seats=7, billing_period="quarterly", term_start="2025-06-01",
                      renewal_date="2026-06-01", notice_days=60)
    # Not in force on 2026-11-25: ended, not started yet, cancelled and past its renewal.
    terms.create_term(ctx, tool_id=miro.id, plan="Old", currency="EUR", unit_price="1",
                      seats=1, term_start="2024-01-01", renewal_date="2025-01-01",
                      status="ended")
    terms.create_term(ctx, tool_id=miro.id, plan="Next", currency="EUR", unit_price="1",
                      seats=1, term_start="2027-01-01", renewal_date="2028-01-01")
    terms.create_term(ctx, tool_id=zain.id, plan="Gone", currency="KWD", unit_price="1",
                      seats=1, term_start="2025-01-01", renewal_date="2026-01-01",
                      status="cancelled")
    for email, last in (("ada@example.com", "2026-11-20"), ("bob@example.com", "2026-11-01"),
                        ("cy@example.com", "2026-06-01")):
        accounts.create_account(ctx, tool_id=slack.id, email=email, last_activity=_at(last))
    accounts.create_account(ctx, tool_id=miro.id, email="ada@example.com", role="admin",
                            last_activity=_at("2026-11-24"))
    return slack.id


def read_back(path: Path) -> tuple[bytes, list[dict[str, str]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.DictReader(io.StringIO(text, newline="")))


def test_finance_figures_match_hand_computed_values(ctx: ServiceContext, tmp_path: Path) -> None:
    build_inventory(ctx)
    result, report = exports.export_finance(ctx, tmp_path / "finance.csv")
    _, rows = read_back(tmp_path / "finance.csv")
    assert result.rows == 5
    got = {(r["tool"], r["plan"]): r for r in rows}
    assert list(got) == [("freee", ""), ("Miro", "Team"), ("Slack", "Business"),
                         ("Slack", "Enterprise Grid"), ("Zain Cloud", "Pro")]
    # 8.75 x 25 seats = 218.75 a month; x 12 = 2625.00.
    slack = got[("Slack", "Business")]
    assert (slack["unit_price"], slack["seats_purchased"], slack["period_cost"],
            slack["annual_cost"], slack["fx_rate"], slack["annual_cost_base"]) == (
        "8.75", "25", "218.75", "2625.00", "1", "2625.00")
    assert (slack["renewal_date"], slack["cancel_by"], slack["owner"], slack["vendor"],
            slack["po_reference"], slack["auto_renew"]) == (
        "2027-01-01", "2026-12-02", "ada@example.com", "Salesforce", "PO-1", "yes")
    # Seats of Slack on its largest per-seat term: 3 held, 2 active, cy idle since June.
    # Per-seat cost (2625 + 750) / 30 = 112.50; 1 unused -> 112.50.
    assert (slack["seats_held"], slack["seats_active"], slack["seats_unused"],
            slack["unused_annual_cost_base"]) == ("3", "2", "1", "112.50")
    grid = got[("Slack", "Enterprise Grid")]
    assert (grid["period_cost"], grid["annual_cost"], grid["auto_renew"]) == (
        "62.50", "750.00", "no")
    assert (grid["seats_held"], grid["seats_active"], grid["seats_unused"],
            grid["unused_annual_cost_base"]) == ("0", "0", "0", "0.00")
    # EUR: 7.99 x 3 = 23.97 a month, 287.64 a year; x 1.10 = 316.404 -> 316.40 USD.
    # Cancel by 2026-12-01 - 14 notice - 7 internal lead = 2026-11-10.
    miro = got[("Miro", "Team")]
    assert (miro["currency"], miro["period_cost"], miro["annual_cost"], miro["fx_rate"],
            miro["annual_cost_base"], miro["cancel_by"]) == (
        "EUR", "23.97", "287.64", "1.1", "316.40", "2026-11-10")
    # JPY has no decimals: 30000 a month, 360000 a year; x 0.0067 = 2412.00 USD.
    freee = got[("freee", "")]
    assert (freee["pricing"], freee["unit_price"], freee["seats_purchased"],
            freee["period_cost"], freee["annual_cost"], freee["annual_cost_base"]) == (
        "flat", "30000", "", "30000", "360000", "2412.00")
    # KWD has three: 1.250 x 7 = 8.750 a quarter, 35.000 a year; x 3.25 = 113.75 USD.
    # Renewal 2026-06-01 passed; auto-renewing, rolled a year to 2027-06-01; cancel by
    # 60 days before, 2027-04-02.
    zain = got[("Zain Cloud", "Pro")]
    assert (zain["unit_price"], zain["period_cost"], zain["annual_cost"],
            zain["annual_cost_base"], zain["billing_period"], zain["term_start"],
            zain["renewal_date"], zain["cancel_by"]) == (
        "1.250", "8.750", "35.000", "113.75", "quarterly", "2025-06-01", "2027-06-01",
        "2027-04-02")
    assert report.annual_total_base is not None
    assert report.annual_total_base.plain() == "6217.15"  # 2625 + 750 + 316.40 + 2412 + 113.75
    assert {c: m.plain() for c, m in report.annual_by_currency.items()} == {
        "EUR": "287.64", "JPY": "360000", "KWD": "35.000", "USD": "3375.00"}


def test_finance_columns_are_exactly_the_contract(ctx: ServiceContext, tmp_path: Path) -> None:
    build_inventory(ctx)
    exports.export_finance(ctx, tmp_path / "f.csv")
    header = (tmp_path / "f.csv").read_bytes().decode("utf-8-sig").split("\r\n")[0]
    assert header == (
        "tool,vendor,plan,cost_center,owner,pricing,billing_period,currency,unit_price,"
        "seats_purchased,period_cost,annual_cost,base_currency,fx_rate,annual_cost_base,"
        "term_start,renewal_date,cancel_by,auto_renew,seats_held,seats_active,seats_unused,"
        "unused_annual_cost_base,po_reference")


def test_a_missing_rate_leaves_base_amounts_empty_not_wrong(ctx: ServiceContext,
                                                          tmp_path: Path) -> None:
    tool = tools.create_tool(ctx, name="Tool")
    terms.create_term(ctx, tool_id=tool.id, currency="GBP", unit_price="10", seats=1,
                      term_start="2026-01-01", renewal_date="2027-01-01")
    _, report = exports.export_finance(ctx, tmp_path / "f.csv")
    _, rows = read_back(tmp_path / "f.csv")
    assert rows[0]["fx_rate"] == "" and rows[0]["annual_cost_base"] == ""
    assert report.annual_total_base is None and report.missing_rates == ("GBP",)


def test_the_file_is_excel_clean(ctx: ServiceContext, tmp_path: Path) -> None:
    build_inventory(ctx)
    evil = tools.create_tool(ctx, name='=HYPERLINK("http://x.example","a")', vendor="@vendor")
    terms.create_term(ctx, tool_id=evil.id, plan="-minus", currency="USD", unit_price="1",
                      seats=1, term_start="2026-01-01", renewal_date="2027-01-01",
                      cost_center="+cc", po_reference="-PO")
    exports.export_finance(ctx, tmp_path / "f.csv")
    raw, rows = read_back(tmp_path / "f.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n") == len(rows) + 1  # CRLF, and only CRLF
    numeric = {c for i, c in enumerate(exports.FINANCE_COLUMNS)
               if i in exports.FINANCE_NUMERIC}
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (column, value)  # no formula runs
            if column in numeric and value:
                try:
                    Decimal(value)  # what a spreadsheet reads as a number
                except InvalidOperation:
                    pytest.fail(f"{column} {value!r} is not a number")
                assert "," not in value and not value.startswith("'")
    bad = next(r for r in rows if r["plan"] == "'-minus")
    assert bad["tool"] == "'=HYPERLINK(\"http://x.example\",\"a\")"
    assert (bad["vendor"], bad["cost_center"], bad["po_reference"]) == (
        "'@vendor", "'+cc", "'-PO")


def test_without_bom_and_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    write_csv(path, ["label", "amount"],
              [("-5 refund", Decimal("-5.00")), ("\tx", -3), ("\rcr", Decimal("1E-7"))],
              bom=False)
    assert path.read_bytes() == (b"label,amount\r\n'-5 refund,-5.00\r\n'\tx,-3\r\n"
                                 b"\"'\rcr\",0.0000001\r\n")


def test_a_failed_export_leaves_no_half_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("the previous export\n")

    def rows():  # type: ignore[no-untyped-def]
        yield ("a", 1)
        raise RuntimeError("disk trouble")

    with pytest.raises(RuntimeError):
        write_csv(target, ["x", "y"], rows())
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]  # the temp file is gone


def test_seats_export_lists_every_account(ctx: ServiceContext, tmp_path: Path) -> None:
    build_inventory(ctx)
    exports.export_seats(ctx, tmp_path / "s.csv")
    raw, rows = read_back(tmp_path / "s.csv")
    assert raw.decode("utf-8-sig").split("\r\n")[0] == (
        "tool,person,email,role,status,last_activity,unused_reason,annual_cost")
    # Miro: 287.64 EUR x 1.10 / 3 seats = 105.468 -> 105.47; Slack: 3375 / 30 = 112.50.
    assert [(r["tool"], r["email"], r["role"], r["unused_reason"], r["annual_cost"])
            for r in rows] == [
        ("Miro", "ada@example.com", "admin", "", "105.47"),
        ("Slack", "ada@example.com", "member", "", "112.50"),
        ("Slack", "bob@example.com", "member", "", "112.50"),
        ("Slack", "cy@example.com", "member", "inactive", "112.50"),
    ]
    assert rows[0]["person"] == "Ada" and rows[1]["last_activity"] == "2026-11-20 00:00:00"


def test_access_review_puts_admins_first_and_filters_by_tool(ctx: ServiceContext,
                                                             tmp_path: Path) -> None:
    slack = build_inventory(ctx)
    accounts.create_account(ctx, tool_id=slack, email="zed@example.com", role="admin")
    accounts.create_account(ctx, tool_id=slack, email="old@example.com", status="deprovisioned")
    exports.export_access_review(ctx, tmp_path / "a.csv", tool="slack")
    _, rows = read_back(tmp_path / "a.csv")
    assert [(r["email"], r["role"]) for r in rows] == [
        ("zed@example.com", "admin"), ("ada@example.com", "member"),
        ("bob@example.com", "member"), ("cy@example.com", "member")]
    assert rows[1]["person_status"] == "active" and rows[0]["person_status"] == "unmatched"
    with pytest.raises(NotFoundError):
        exports.export_access_review(ctx, tmp_path / "b.csv", tool="Nope")


@pytest.fixture
def other(ctx: ServiceContext, tmp_path: Path) -> Iterator[ServiceContext]:
    """A second, empty database of the same kind as the test's."""
    if ctx.target.is_sqlite:
        second = open_context(str(tmp_path / "second.sqlite"), today=lambda: TODAY)
        yield second
        second.close()
        return
    name = f"sa_rt_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ctx.target.url.set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    second = open_context(ctx.target.url.set(database=name).render_as_string(
        hide_password=False), today=lambda: TODAY)
    try:
        yield second
    finally:
        second.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_round_trip_export_import_export_gives_the_same_file(
        ctx: ServiceContext, other: ServiceContext, tmp_path: Path) -> None:
    build_inventory(ctx)
    exports.export_finance(ctx, tmp_path / "first.csv")
    exports.export_seats(ctx, tmp_path / "seats.csv")
    for currency, rate in (("EUR", "1.10"), ("JPY", "0.0067"), ("KWD", "3.25")):
        rates.set_rate(other, currency, rate, date(2026, 11, 1))  # rates are settings
    plan = importer.import_file(other, tmp_path / "first.csv", "subscriptions")
    assert plan.ok and plan.added == 5, [str(p) for p in plan.problems]
    seats = importer.import_file(other, tmp_path / "seats.csv", "accounts")
    assert seats.ok and seats.added == 4, [str(p) for p in seats.problems]
    exports.export_finance(other, tmp_path / "second.csv")
    assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()
    again = importer.import_file(other, tmp_path / "first.csv", "subscriptions")
    assert again.ok and not again.changes and again.unchanged == 5


def test_people_export_imports_back_unchanged_with_departed_people_kept(
        ctx: ServiceContext, other: ServiceContext, tmp_path: Path) -> None:
    """The people list goes out with the import's own columns: imported into another
    database it gives the same people, and imported back it changes nothing."""
    people.create_person(ctx, email="ada@example.com", name="Ada Lovelace",
                         department="R&D", cost_center="CC-100", title="Engineer")
    bob = people.create_person(ctx, email="bob@example.com", name="=Bob, \"the\" builder")
    people.mark_departed(ctx, bob.id, date(2026, 10, 31))
    target = tmp_path / "people.csv"
    assert exports.export_people(ctx, target).rows == 2
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(exports.PEOPLE_COLUMNS)
    assert rows[1] == ["ada@example.com", "Ada Lovelace", "R&D", "CC-100", "Engineer",
                       "active", ""]
    assert rows[2][5:] == ["departed", "2026-10-31"]
    assert rows[2][1] == "'=Bob, \"the\" builder"  # neutralised for Excel

    plan = importer.import_file(other, target, "people")
    assert plan.ok and plan.added == 2, [str(p) for p in plan.problems]
    assert exports.export_people(other, tmp_path / "again.csv").rows == 2
    assert (tmp_path / "again.csv").read_bytes() == target.read_bytes()
    back = importer.import_file(ctx, target, "people")
    assert back.ok and not back.changes and back.unchanged == 2

    departed = tmp_path / "departed.csv"
    assert exports.export_people(ctx, departed, status="departed").rows == 1
