from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.money import Money, exponent, normalize_currency
from stackadmin.errors import ValidationError


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_currency_precision_comes_from_iso_4217(currency: str, digits: int) -> None:
    assert exponent(currency) == digits


@pytest.mark.parametrize(("text", "currency", "minor", "plain"), [
    ("1200.50", "USD", 120050, "1200.50"),
    ("1200", "JPY", 1200, "1200"),
    ("1.125", "KWD", 1125, "1.125"),
    ("0.01", "EUR", 1, "0.01"),
])
def test_amount_round_trips_exactly(text: str, currency: str, minor: int, plain: str) -> None:
    money = Money.from_decimal(text, currency)
    assert money.minor == minor
    assert money.plain() == plain
    assert Money.from_decimal(money.amount, currency) == money


def test_more_decimals_than_the_currency_allows_is_refused_not_rounded() -> None:
    with pytest.raises(ValidationError, match="more decimals than JPY allows"):
        Money.from_decimal("100.5", "JPY")


def test_computed_amounts_round_once_half_up() -> None:
    assert Money.rounded(Decimal("0.125"), "USD").minor == 13
    assert Money.rounded(Decimal("2.0005"), "KWD").minor == 2001


@pytest.mark.parametrize("bad", ["EURO", "XYZ", "", "usd1"])
def test_unknown_currency_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="ISO 4217"):
        normalize_currency(bad)


def test_lowercase_code_is_normalised() -> None:
    assert normalize_currency(" eur ") == "EUR"


def test_adding_different_currencies_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        _ = Money(1, "USD") + Money(1, "EUR")


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["USD", "JPY", "KWD", "EUR"]))
def test_any_minor_amount_survives_text_and_back(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert Money.from_decimal(money.plain(), currency) == money
