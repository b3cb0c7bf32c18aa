"""The bounds every door applies, and the headroom they leave the reports."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain import limits
from stackadmin.domain.money import Money, exponent
from stackadmin.domain.spreadsheet import (
    clean_text,
    neutralise,
    parse_count,
    parse_date,
    parse_timestamp,
    unquote,
)
from stackadmin.domain.values import non_negative_int, normalize_email, optional_text
from stackadmin.errors import ValidationError


def test_the_bounds_fit_what_both_engines_store() -> None:
    assert limits.MAX_SEATS < 2**31 - 1  # INTEGER on PostgreSQL
    assert limits.MAX_MINOR_UNITS * 1000 < 2**63 - 1  # BIGINT, a thousand times over
    assert limits.MAX_ID == 2**31 - 1
    largest_rate = format(Decimal("0.00000123456789012345"), "f")
    assert len(largest_rate) <= 40  # the rate column is text of 40 characters


def test_the_largest_report_value_fits_the_money_precision() -> None:
    """Price x seats x 12 periods, converted by the largest factor a rate table can give
    (a rate through another currency: 10^6 / 10^-6), into a base currency with 4 decimals,
    summed over a million terms: its digits, well inside MONEY_DIGITS."""
    worst = (Decimal(limits.MAX_MINOR_UNITS) * limits.MAX_SEATS * 12
             * (limits.MAX_RATE / limits.MIN_RATE) * 10**4 * 10**6)
    assert worst.adjusted() + 1 + 4 < limits.MONEY_DIGITS
    with localcontext() as context:
        context.prec = limits.MONEY_DIGITS
        money = Money.rounded(worst / 10**4, "CLF")
    assert money.amount * 10**4 == worst


def test_amounts_at_and_past_the_largest_one() -> None:
    for currency in ("USD", "JPY", "KWD", "CLF"):
        top = Money(limits.MAX_MINOR_UNITS, currency)
        assert Money.from_decimal(top.plain(), currency) == top
        past = top.amount + Decimal(1).scaleb(-exponent(currency))
        with pytest.raises(ValidationError, match="largest amount stackadmin takes"):
            Money.from_decimal(past, currency)
    with pytest.raises(ValidationError, match="largest amount"):
        Money.from_decimal("1E+999999999", "USD")  # refused before int() builds it
    with pytest.raises(ValidationError, match="more decimals"):
        Money.from_decimal("1.000000000000000000000000000000001", "USD")  # not rounded away


def test_an_amount_is_written_in_digits_however_large() -> None:
    money = Money(limits.MAX_MINOR_UNITS * 10**15, "CLF")  # a total, past any input
    assert str(money.amount) == "100000000000000000000000000.0000"


@given(st.dates())
def test_dates_outside_1900_to_2200_are_refused(day: date) -> None:
    inside = limits.MIN_DATE <= day <= limits.MAX_DATE
    if inside:
        assert limits.check_date(day) == day
        assert parse_date(day.isoformat()) == day
    else:
        with pytest.raises(ValidationError, match="must be between 1900 and 2200"):
            parse_date(day.isoformat())


def test_a_moment_is_judged_in_utc() -> None:
    assert parse_timestamp("2200-12-31T23:59:59+00:00") == datetime(2200, 12, 31, 23, 59, 59,
                                                                   tzinfo=UTC)
    for text in ("9999-12-31T23:59:59-14:00", "2200-12-31T23:00:00-05:00",
                 "1900-01-01T01:00:00+05:00"):
        with pytest.raises(ValidationError, match="must be between 1900 and 2200"):
            parse_timestamp(text)


def test_counts_and_days_name_their_bound() -> None:
    assert parse_count("10,000,000", limits.MAX_SEATS) == limits.MAX_SEATS
    with pytest.raises(ValidationError, match="must be at most 10,000,000"):
        parse_count("10000001", limits.MAX_SEATS)
    with pytest.raises(ValidationError, match="notice must be at most 3,650, got 800,000"):
        non_negative_int("800000", "notice", limits.MAX_NOTICE_DAYS)
    with pytest.raises(ValidationError, match="must be a whole number"):
        non_negative_int("9" * 5000, "seats")  # past Python's own limit on digits


def test_rates_between_a_millionth_and_a_million_with_15_digits() -> None:
    assert limits.check_rate(Decimal("0.000001")) == Decimal("0.000001")
    assert limits.check_rate(Decimal(1_000_000)) == Decimal(1_000_000)
    assert limits.check_rate(Decimal("1.23456789012345"))
    for bad in ("0.0000009", "1000000.1", "1E+22", "NaN", "Infinity", "1.234567890123456"):
        with pytest.raises(ValidationError):
            limits.check_rate(Decimal(bad))


@pytest.mark.parametrize(("char", "named"), [
    ("\x00", "a NUL character, U+0000 (NUL)"), ("\x1b", "a control character, U+001B (ESC)"),
    ("\x07", "a control character, U+0007 (BEL)"),
    ("\x9b", "a control character, U+009B (CSI)"),
    ("\x9d", "a control character, U+009D (OSC)"),
    ("\x7f", "a control character, U+007F (DEL)"),
    ("\x08", "a control character, U+0008 (backspace)")])
def test_control_characters_are_refused_and_named(char: str, named: str) -> None:
    with pytest.raises(ValidationError) as refused:
        optional_text(f"a{char}b", "name")
    assert str(refused.value).startswith(f"name contains {named}, ")
    with pytest.raises(ValidationError, match=re.escape(named)):
        clean_text(f"a{char}b", multiline=True)
    with pytest.raises(ValidationError, match="not an email address"):
        normalize_email(f"a{char}b@example.com")


def test_tabs_and_line_breaks_only_where_a_field_has_lines() -> None:
    assert limits.check_text("one\n\ttwo\r\n", multiline=True) == "one\n\ttwo\r\n"
    with pytest.raises(ValidationError, match="must be on one line"):
        limits.check_text("one\ntwo")
    with pytest.raises(ValidationError, match=r"U\+0009 \(tab\)"):
        limits.check_text("one\ttwo")
    with pytest.raises(ValidationError, match="is not valid text"):
        limits.check_text("half \udcff")


def test_what_reaches_a_terminal_has_no_control_character() -> None:
    text = "a\x1b]0;title\x07b\x1b[2Jc\x9b31md\r\te\nf\x00g\ud800"
    assert limits.printable(text) == "a]0;titleb[2Jc31md\te\nfg"


@given(st.text())
def test_json_escaping_keeps_the_data_and_hides_the_controls(text: str) -> None:
    encoded = limits.json_escaped(json.dumps({"v": text}, ensure_ascii=False))
    assert json.loads(encoded) == {"v": text}
    assert limits.printable(encoded) == encoded


@given(st.text(max_size=30))
def test_what_an_export_neutralises_an_import_unquotes(text: str) -> None:
    assert unquote(neutralise(text)) == text
    written = neutralise(text)
    assert not written or written[0] not in "=+-@\t\r\n"


LONG = "Uma García · 1Password — APAC · 혁신 · 20 °C\n" * 400  # > 4096 characters


@pytest.mark.parametrize("control", ["\x1b", "\x00", "\x0b", "\x7f", "\x85", "\x9f", "\ud800",
                                     "\udfff"])
def test_long_text_is_cleaned_wherever_a_control_hides(control: str) -> None:
    """Long text takes a quick look first (its UTF-8 bytes); what it finds or misses must
    not change the answer: the same as the expressions give on their own."""
    for text in (control + LONG, LONG + control, LONG[:3000] + control + LONG[3000:]):
        assert limits.printable(text) == re.sub(limits._PRINTABLE, "", text)
        escaped = limits.json_escaped(text)
        assert escaped == limits._JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        if control in "\x7f\x85\x9f\ud800\udfff":
            assert control not in escaped


@given(st.text(alphabet=st.sampled_from(["a", "é", "—", "°", "혁", "\n", "\t", "\x1b", "\x00",
                                          "\x7f", "\x85", "\ud800", "\udfff"])
               | st.characters(), max_size=200),
       st.integers(0, len(LONG)))
def test_long_text_agrees_with_the_expressions(inserted: str, at: int) -> None:
    text = LONG[:at] + inserted + LONG[at:]
    assert limits.printable(text) == re.sub(limits._PRINTABLE, "", text)
    assert limits.json_escaped(text) == limits._JSON_UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", text)


def test_long_clean_text_comes_back_as_it_is() -> None:
    """Letters whose UTF-8 starts with the bytes the quick look suspects (° is C2 B0, 혁 is
    ED 98 81) are kept."""
    assert limits.printable(LONG) is LONG
    assert limits.json_escaped(LONG) is LONG
