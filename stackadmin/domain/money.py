"""Money as integer minor units of an ISO 4217 currency; arithmetic in Decimal, rounded once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from stackadmin.domain.limits import MAX_MINOR_UNITS, MONEY_DIGITS
from stackadmin.errors import ValidationError

# Rounding happens here, once, in a context wide enough for any amount the bounds allow
# (domain.limits): the default 28 digits would refuse to quantize a large total.
_ROUNDING = Context(prec=MONEY_DIGITS, rounding=ROUND_HALF_UP)

_CODE = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return bool(_CODE.match(code)) and code in _known_currencies()


def normalize_currency(code: str) -> str:
    """Upper-cases and checks an ISO 4217 code, or raises ValidationError in words."""
    value = (code or "").strip().upper()
    if not is_currency(value):
        raise ValidationError(
            f"'{code}' is not an ISO 4217 currency code (for example USD, EUR, JPY)"
        )
    return value


@lru_cache(maxsize=512)
def exponent(currency: str) -> int:
    """Digits after the decimal point: USD 2, JPY 0, KWD 3."""
    return int(get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Rounds a Decimal to the currency's precision (half up, as invoices do)."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), context=_ROUNDING)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount: `minor` units (cents, yen, fils) of `currency`."""

    minor: int
    currency: str

    @classmethod
    def from_decimal(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Exact conversion; more decimals than the currency has is an error, not a rounding."""
        code = normalize_currency(currency)
        try:
            value = Decimal(amount) if not isinstance(amount, Decimal) else amount
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(f"'{amount}' is not an amount") from exc
        if not value.is_finite():
            raise ValidationError(f"'{amount}' is not an amount")
        # Checked before any arithmetic: int(Decimal('1E+999999999')) would run for minutes.
        if value and value.adjusted() + exponent(code) > len(str(MAX_MINOR_UNITS)):
            raise _too_large(amount, code)
        # Exact: a context as wide as the number, so no digit is rounded away unseen.
        exact = Context(prec=max(MONEY_DIGITS, len(value.as_tuple().digits) + 1))
        scaled = value.scaleb(exponent(code), context=exact)
        if abs(scaled) > MAX_MINOR_UNITS:
            raise _too_large(amount, code)
        if scaled != scaled.to_integral_value(context=exact):
            raise ValidationError(
                f"{amount} has more decimals than {code} allows ({exponent(code)})"
            )
        return cls(int(scaled), code)

    @classmethod
    def rounded(cls, amount: Decimal, currency: str) -> Money:
        """From a computed Decimal: rounds once, to the currency's precision."""
        code = normalize_currency(currency)
        return cls(int(quantize(amount, code).scaleb(exponent(code), context=_ROUNDING)), code)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency), context=_ROUNDING)

    def plain(self) -> str:
        """'1200.50', '1200', '1.250': digits and a point, for CSV and JSON."""
        return f"{self.amount:.{exponent(self.currency)}f}"

    def format(self, locale: str = "en_US") -> str:
        """For people: '$1,200.50', '1.200,50 €' (by locale)."""
        return str(format_currency(self.amount, self.currency, locale=locale))

    def __add__(self, other: Money) -> Money:
        if self.currency != other.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor + other.minor, self.currency)

    def __str__(self) -> str:
        return f"{self.plain()} {self.currency}"


def _too_large(amount: object, currency: str) -> ValidationError:
    text = str(amount)
    shown = text if len(text) <= 40 else text[:40] + "…"
    largest = Money(MAX_MINOR_UNITS, currency).plain()
    return ValidationError(f"{shown} is more than the largest amount stackadmin takes "
                           f"({largest} {currency})")


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """Amount in a currency times the rate (1 unit = `rate` units of the base): unrounded."""
    return amount * rate
