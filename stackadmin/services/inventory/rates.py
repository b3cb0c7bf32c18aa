"""Exchange rates into the base currency, and converting term costs with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import check_date, check_rate
from stackadmin.domain.money import normalize_currency
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.records import RateTable
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
        raise ValidationError(f"'{str(text)[:40]}' is not a rate (for example 1.10)") from None
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"the rate must be a positive number, got '{text[:40]}'")
    return check_rate(value)


def set_rate(ctx: ServiceContext, currency: str, rate: str | Decimal,
             as_of: date | None = None) -> RateRow:
    """Records `1 currency = rate × base currency` as of a date (today by default)."""
    code = normalize_currency(currency)
    value = parse_rate(str(rate))
    day = check_date(as_of or ctx.today(), "the date of the rate")
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


def load_rates(session: Session, as_of: date, base_currency: str | None = None) -> RateTable:
    """The rates into the base currency (the setting, unless given) as of a date."""
    base = base_currency or settings.get_raw(session, "base_currency")
    rate = ExchangeRate.__table__.c  # Core columns: no ORM configuration for a read
    rows = session.execute(
        select(rate.currency, rate.base_currency, rate.rate)
        .where(rate.as_of <= as_of)
        .order_by(rate.as_of)
    )
    return RateTable.from_history(base, ((c, q, r) for c, q, r in rows))
