"""Exchange rates into the base currency, and converting term costs with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.money import normalize_currency
from stackadmin.errors import UserError, ValidationError
from stackadmin.services import audit, settings
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import ExchangeRate


@dataclass(frozen=True, slots=True)
class RateRow:
    currency: str
    base_currency: str
    rate: Decimal
    as_of: date


def parse_rate(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError(f"'{text}' is not a rate (for example 1.10)") from None
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"the rate must be a positive number, got '{text}'")
    return value


def set_rate(ctx: ServiceContext, currency: str, rate: str | Decimal,
             as_of: date | None = None) -> RateRow:
    """Records `1 currency = rate × base currency` as of a date (today by default)."""
    code = normalize_currency(currency)
    value = parse_rate(str(rate))
    day = as_of or ctx.today()
    with ctx.transaction() as session:
        base = settings.get_raw(session, "base_currency")
        if code == base:
            raise ValidationError(f"{code} is the base currency: its rate is always 1")
        row = session.scalars(
            select(ExchangeRate).where(
                ExchangeRate.currency == code,
                ExchangeRate.base_currency == base,
                ExchangeRate.as_of == day,
            )
        ).first()
        before = None if row is None else str(row.rate)
        if row is None:
            row = ExchangeRate(currency=code, base_currency=base, rate=value, as_of=day)
            session.add(row)
        else:
            row.rate = value
        session.flush()
        audit.record(session, ctx, action="update" if before else "create",
                     entity="exchange_rate", entity_id=row.id,
                     summary=f"rate {code} = {value} {base} as of {day.isoformat()}",
                     changes={"rate": [before, str(value)]})
        return RateRow(code, base, value, day)


def list_rates(ctx: ServiceContext) -> list[RateRow]:
    with ctx.read() as session:
        rows = session.scalars(
            select(ExchangeRate).order_by(
                ExchangeRate.currency, ExchangeRate.base_currency, ExchangeRate.as_of.desc()
            )
        )
        return [RateRow(r.currency, r.base_currency, r.rate, r.as_of) for r in rows]


class RateTable:
    """Rates into one base currency as of a date, loaded once for a whole report."""

    def __init__(self, base_currency: str, rates: dict[str, Decimal]) -> None:
        self.base_currency = base_currency
        self._rates = {base_currency: Decimal(1), **rates}

    @classmethod
    def load(cls, session: Session, as_of: date, base_currency: str | None = None) -> RateTable:
        base = base_currency or settings.get_raw(session, "base_currency")
        # The newest rate on or before the date for each pair.
        latest: dict[tuple[str, str], Decimal] = {}
        rows = session.execute(
            select(ExchangeRate.currency, ExchangeRate.base_currency, ExchangeRate.rate)
            .where(ExchangeRate.as_of <= as_of)
            .order_by(ExchangeRate.as_of)
        )
        for currency, quote, rate in rows:
            latest[(currency, quote)] = rate
        found: dict[str, Decimal] = {}
        # Direct (X -> base) first, then inverse (base -> X), then through one other currency
        # (rates recorded before the base currency was changed).
        for (currency, quote), rate in latest.items():
            if quote == base:
                found[currency] = rate
        for (currency, quote), rate in latest.items():
            if currency == base:
                found.setdefault(quote, Decimal(1) / rate)
        for (currency, via), rate in latest.items():
            base_via = latest.get((base, via))
            if base_via is None and (via, base) in latest:
                base_via = Decimal(1) / latest[(via, base)]
            if currency != base and base_via is not None:
                found.setdefault(currency, rate / base_via)
        return cls(base, found)

    def rate(self, currency: str) -> Decimal | None:
        return self._rates.get(currency)

    def require(self, currency: str) -> Decimal:
        rate = self._rates.get(currency)
        if rate is None:
            raise UserError(
                f"no exchange rate from {currency} to {self.base_currency}: set one with "
                f"`stackadmin rates set {currency} RATE`"
            )
        return rate

    def to_base(self, amount: Decimal, currency: str) -> Decimal | None:
        rate = self.rate(currency)
        return None if rate is None else amount * rate
