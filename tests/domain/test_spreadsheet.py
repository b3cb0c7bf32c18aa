"""Cell values as spreadsheets write them: amounts, dates, yes/no, periods, formulas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.spreadsheet import (
    clean_text,
    header_key,
    neutralise,
    parse_amount,
    parse_count,
    parse_date,
    parse_period,
    parse_pricing,
    parse_timestamp,
    parse_yes_no,
)
from stackadmin.errors import ValidationError


@pytest.mark.parametrize(("text", "decimal_comma", "amount", "code"), [
    ("$1,200.00", False, "1200.00", None),
    ("1200", False, "1200", None),
    ("  8.75 ", False, "8.75", None),
    ("£12,345,678.9", False, "12345678.9", None),
    ("1200 EUR", False, "1200", "EUR"),
    ("USD 99.99", False, "99.99", "USD"),
    ("(5.00)", False, "-5.00", None),
    ("-5", False, "-5", None),
    ("1 200,50 €", True, "1200.50", None),
    ("1\u202f200,50\u00a0€", True, "1200.50", None),
    ("1.200,50", True, "1200.50", None),
    ("0,5", True, "0.5", None),
])
def test_amounts_as_spreadsheets_write_them(text: str, decimal_comma: bool, amount: str,
                                            code: str | None) -> None:
    assert parse_amount(text, decimal_comma=decimal_comma) == (Decimal(amount), code)


@pytest.mark.parametrize(("text", "decimal_comma", "message"), [
    ("twelve", False, "is not an amount"),
    ("", False, "is not an amount"),
    ("1200,50", False, "use --decimal-comma"),
    ("12,00.5", False, "is not an amount"),
    ("$1,200.00", True, "decimal comma"),
    ("1.2.3", False, "is not an amount"),
])
def test_amounts_that_are_not(text: str, decimal_comma: bool, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace(".", r"\.")):
        parse_amount(text, decimal_comma=decimal_comma)


def test_counts_whole_and_not_negative() -> None:
    assert [parse_count(t) for t in ("25", "1,200", "1 200", "12.0")] == [25, 1200, 1200, 12]
    for bad, message in (("-5", "cannot be negative"), ("2.5", "whole number"),
                         ("many", "whole number")):
        with pytest.raises(ValidationError, match=message):
            parse_count(bad)


@pytest.mark.parametrize("text", ["12,5", "1,5", "3,0", "1,2,3,4", "1 2 3", "12,00"])
def test_a_count_groups_thousands_by_three_or_is_refused(text: str) -> None:
    """'12,5' seats is no 125 seats: a comma or space only between groups of three."""
    with pytest.raises(ValidationError, match="whole number"):
        parse_count(text)
    assert (parse_count("1\u202f200"), parse_count("12,345")) == (1200, 12345)


@pytest.mark.parametrize("text", ["1 2 3", "12 34", "1 2345,5"])
def test_an_amount_takes_spaces_only_between_thousands(text: str) -> None:
    with pytest.raises(ValidationError, match="not an amount"):
        parse_amount(text, decimal_comma=True)
    assert parse_amount("1 200,50 €", decimal_comma=True)[0] == Decimal("1200.50")
    assert parse_amount("- 5")[0] == Decimal(-5)


def test_yes_no_in_its_spreadsheet_spellings() -> None:
    assert [parse_yes_no(t) for t in ("yes", "TRUE", "1", "Y")] == [True] * 4
    assert [parse_yes_no(t) for t in ("no", "False", "0", "n")] == [False] * 4
    with pytest.raises(ValidationError, match="yes or no"):
        parse_yes_no("maybe")


def test_billing_periods_and_pricing() -> None:
    assert [parse_period(t) for t in ("monthly", "Annual", "yearly", "quarterly",
                                      "every 6 months", "12")] == [1, 12, 12, 3, 6, 12]
    with pytest.raises(ValidationError, match="billing period"):
        parse_period("fortnightly")
    assert parse_pricing("Per Seat") == parse_pricing("per_seat") == "per_seat"
    assert parse_pricing("flat fee") == "flat"


def test_iso_dates_always_other_forms_only_with_a_format() -> None:
    assert parse_date("2027-04-03") == date(2027, 4, 3)
    assert parse_date("2027-04-03 00:00:00") == date(2027, 4, 3)
    assert parse_date("03/04/2027", "%d/%m/%Y") == date(2027, 4, 3)
    assert parse_date("03/04/2027", "%m/%d/%Y") == date(2027, 3, 4)
    with pytest.raises(ValidationError, match="ambiguous"):
        parse_date("03/04/2027")
    with pytest.raises(ValidationError, match="not an ISO date"):
        parse_date("13/04/2027")  # unambiguous, but still not guessed
    with pytest.raises(ValidationError, match="not a real date"):
        parse_date("2027-02-30")
    with pytest.raises(ValidationError, match="format %d/%m/%Y"):
        parse_date("2027/04/03", "%d/%m/%Y")


def test_timestamps_are_utc() -> None:
    assert parse_timestamp("2026-11-01 14:05:00") == datetime(2026, 11, 1, 14, 5, tzinfo=UTC)
    assert parse_timestamp("2026-11-01T16:05:00+02:00") == datetime(2026, 11, 1, 14, 5,
                                                                    tzinfo=UTC)
    assert parse_timestamp("2026-11-01T14:05:00Z") == datetime(2026, 11, 1, 14, 5, tzinfo=UTC)
    assert parse_timestamp("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_timestamp("01/11/2026", "%d/%m/%Y") == datetime(2026, 11, 1, tzinfo=UTC)


def test_header_variants_compare_equal() -> None:
    assert header_key("Renewal Date") == header_key(" renewal-date ") == "renewal_date"
    assert header_key("\ufeffSeats purchased") == "seats_purchased"


def test_text_cells_refuse_formulas_and_take_back_our_apostrophe() -> None:
    assert clean_text("'=SUM(A1)") == "=SUM(A1)"
    assert clean_text("'-minus") == "-minus"
    assert clean_text("- renewed early") == "- renewed early"
    with pytest.raises(ValidationError, match="formula"):
        clean_text("=HYPERLINK(\"x\")")
    with pytest.raises(ValidationError, match="one line"):
        clean_text("a\nb")
    assert clean_text("a\nb", multiline=True) == "a\nb"


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_round_trips(text: str) -> None:
    out = neutralise(text)
    assert out[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n")
    assert out == text or out == "'" + text
