"""The malformed-input corpus: every bad file gives its message and changes nothing at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import accounts, people, terms, tools
from stackadmin.services.spreadsheets import importer
from stackadmin.store.models import Base

CORPUS = Path(__file__).parents[2] / "fixtures" / "csv"

# file, kind, expected text of one problem (row and column included where there is one).
CASES: list[tuple[str, str, str]] = [
    ("sub_wrong_encoding_latin1.csv", "subscriptions", "is not UTF-8 text (byte 0xe9 on line 2)"),
    ("sub_utf16.csv", "subscriptions", "is UTF-16 text; save it as CSV UTF-8"),
    ("sub_missing_required_column.csv", "subscriptions",
     "row 1: the required column 'currency' is missing"),
    ("sub_bad_amount.csv", "subscriptions",
     "row 2, column unit_price: is not an amount (got 'twelve')"),
    ("sub_negative_seats.csv", "subscriptions",
     "row 2, column seats: cannot be negative (got '-5')"),
    ("sub_unknown_currency.csv", "subscriptions",
     "row 2, column currency: is not an ISO 4217 currency code (e.g. USD, EUR, JPY) (got 'XYZ')"),
    ("sub_ambiguous_date.csv", "subscriptions",
     "row 2, column term_start: is ambiguous (day/month or month/day?)"),
    ("sub_renewal_before_start.csv", "subscriptions",
     "row 2, column renewal_date: is before the term start 2027-01-01 (got '2026-06-30')"),
    ("sub_duplicate_rows.csv", "subscriptions",
     "row 4, column tool: the same term (tool, plan, term start) as row 2 (got 'Slack')"),
    ("sub_empty.csv", "subscriptions", "sub_empty.csv is empty: expected a header row"),
    ("sub_header_only.csv", "subscriptions", "the file has a header row but no data rows"),
    ("sub_extra_columns.csv", "subscriptions",
     "row 1, column Approver: not a column stackadmin knows: map it with --map 'Approver=FIELD'"),
    ("sub_formula_text.csv", "subscriptions",
     "row 2, column tool: looks like a spreadsheet formula"),
    ("sub_very_long_cell.csv", "subscriptions",
     "row 2, column tool: is longer than 200 characters (got 'SSSS"),
    ("sub_embedded_newline_in_name.csv", "subscriptions",
     "row 2, column tool: must be on one line (got 'Sla\\nck')"),
    ("sub_mixed_delimiters.csv", "subscriptions",
     "row 3: has 1 cells but the header has 16 (a missing delimiter, or mixed delimiters?)"),
    ("sub_impossible_date.csv", "subscriptions",
     "row 2, column renewal_date: is not a real date (got '2027-02-30')"),
    ("sub_bad_yes_no.csv", "subscriptions", "row 2, column auto_renew: must be yes or no"),
    ("sub_bad_billing_period.csv", "subscriptions",
     "row 2, column billing_period: must be a billing period"),
    ("sub_bad_pricing.csv", "subscriptions",
     "row 2, column pricing: must be per_seat or flat (got 'tiered')"),
    ("sub_too_many_decimals_jpy.csv", "subscriptions",
     "row 2, column unit_price: has more decimals than JPY allows (got '1200.50')"),
    ("sub_currency_mismatch.csv", "subscriptions",
     "row 2, column unit_price: is in EUR, but the currency column says USD (got '1200 EUR')"),
    ("sub_negative_price.csv", "subscriptions",
     "row 2, column unit_price: cannot be negative (got '-8.75')"),
    ("sub_missing_tool.csv", "subscriptions", "row 2, column tool: is required"),
    ("sub_decimal_comma_without_option.csv", "subscriptions",
     "row 2, column unit_price: is not an amount (for a decimal comma, use --decimal-comma)"),
    ("sub_bad_owner_email.csv", "subscriptions",
     "row 2, column owner_email: is not an email address (got 'ada at example')"),
    ("sub_tool_disagrees.csv", "subscriptions",
     "row 3, column vendor: disagrees with row 2 for the same tool (got 'Other Vendor')"),
    ("sub_pipe_delimited.csv", "subscriptions",
     "row 1: only one column was found: the delimiter must be a comma, semicolon or tab "
     "(got 'tool|vendor|"),
    ("sub_many_problems.csv", "subscriptions", "row 4, column term_start: is not an ISO date"),
    # A quote never closed would read every later row into one notes cell.
    ("sub_unclosed_quote.csv", "subscriptions",
     "sub_unclosed_quote.csv, row 2, column notes: a quoted cell starting on line 2 is never "
     "closed"),
    ("people_bad_email.csv", "people", "row 3, column email: is not an email address"),
    ("people_duplicate_email.csv", "people",
     "row 3, column email: the same person as row 2 (got 'ada@example.com')"),
    ("people_bad_status.csv", "people",
     "row 2, column status: must be active or departed (got 'retired')"),
    ("accounts_bad_role.csv", "accounts",
     "row 2, column role: must be owner, admin, member, guest or billing (got 'superuser')"),
    ("accounts_bad_last_active.csv", "accounts",
     "row 2, column last_active: is not a date (expected YYYY-MM-DD) (got 'yesterday')"),
    ("accounts_duplicate_external_id.csv", "accounts",
     "row 3, column external_id: the same account as row 2 (got 'U1')"),
    ("accounts_bad_status.csv", "accounts", "row 2, column status: must be active, invited"),
    ("accounts_no_identity.csv", "accounts",
     "row 2, column email: an account needs an email or the vendor's id"),
]


def dump(ctx: ServiceContext) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: the database's whole content."""
    out = {}
    with ctx.read() as session:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in session.execute(query)]
    return out


@pytest.fixture
def seeded(ctx: ServiceContext) -> ServiceContext:
    """An inventory the bad files would touch if they got through."""
    ada = people.create_person(ctx, email="ada@example.com", name="Ada")
    slack = tools.create_tool(ctx, name="Slack", vendor="Salesforce", owner_email=ada.email)
    terms.create_term(ctx, tool_id=slack.id, plan="Business", currency="USD",
                      unit_price="8.75", seats=20, billing_period="monthly",
                      term_start="2026-01-01", renewal_date="2027-01-01")
    accounts.create_account(ctx, tool_id=slack.id, email="ada@example.com", external_id="U9",
                            last_activity=datetime(2026, 11, 1, tzinfo=UTC))
    return ctx


def test_the_corpus_has_at_least_twenty_files_and_each_is_covered() -> None:
    files = {p.name for p in CORPUS.glob("*.csv")}
    assert len(files) >= 20
    assert files == {name for name, _, _ in CASES}


@pytest.mark.parametrize(("name", "kind", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_explained_and_changes_nothing(
        seeded: ServiceContext, name: str, kind: str, expected: str) -> None:
    before = dump(seeded)
    options = importer.ImportOptions(tool="Slack" if kind == "accounts" else None)
    try:
        plan = importer.import_file(seeded, CORPUS / name, kind, options=options)
    except UserError as exc:  # the file cannot be read at all
        messages = [str(exc)]
    else:
        assert not plan.ok and not plan.committed
        messages = [str(p) for p in plan.problems]
    assert any(expected in m for m in messages), messages
    assert dump(seeded) == before


def test_every_problem_of_a_file_is_listed_not_just_the_first(seeded: ServiceContext) -> None:
    plan = importer.import_file(seeded, CORPUS / "sub_many_problems.csv", "subscriptions")
    assert [str(p).split(":")[0] for p in plan.problems] == [
        "row 2, column seats", "row 3, column currency", "row 4, column term_start"]
