"""The plain rows the services hand out (terms, tools, settings, exchange rates).

Kept apart from the modules that query them: nothing here imports SQLAlchemy, so the
start-up reader (`first_look`) builds the same rows from a plain sqlite3 read while the
data stack is still being imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stackadmin.domain.limits import MAX_LEAD_DAYS, MAX_LEADS
from stackadmin.domain.money import Money
from stackadmin.domain.renewals import cancel_by
from stackadmin.domain.terms import TermPrice, billing_period_label
from stackadmin.domain.utilization import DEFAULT_INACTIVITY_DAYS, person_departed
from stackadmin.domain.vocab import PersonStatus, PricingModel
from stackadmin.errors import UserError, ValidationError


@dataclass(frozen=True, slots=True)
class TermRow:
    id: int
    tool_id: int
    tool: str
    plan: str
    pricing: str
    unit_price: Money
    seats: int | None
    billing_months: int
    term_start: date | None
    renewal_date: date | None
    auto_renew: bool
    notice_days: int
    internal_lead_days: int
    cost_center: str | None
    po_reference: str | None
    notes: str | None
    status: str
    previous_term_id: int | None
    version: int  # the record's version: give it back with an edit (optimistic locking)
    # The renewal at which a decision to cancel ends the term (domain.terms.covers).
    cancelled_at: date | None = None

    @property
    def billing_period(self) -> str:
        return billing_period_label(self.billing_months)

    @property
    def price(self) -> TermPrice:
        return TermPrice(PricingModel(self.pricing), self.unit_price.amount, self.seats,
                         self.billing_months)

    @property
    def annual_cost(self) -> Money:
        return Money.rounded(self.price.annual_cost, self.unit_price.currency)

    @property
    def cancel_by(self) -> date | None:
        if self.renewal_date is None:
            return None
        return cancel_by(self.renewal_date, self.notice_days, self.internal_lead_days)


@dataclass(frozen=True, slots=True)
class ToolRow:
    id: int
    name: str
    vendor: str | None
    category: str | None
    owner_email: str | None
    owner_name: str | None
    website: str | None
    notes: str | None
    inactivity_days: int | None
    reminder_leads: str | None
    version: int  # the record's version: give it back with an edit (optimistic locking)
    owner_status: str | None = None  # the owner's person status, when there is an owner
    owner_end_date: date | None = None  # the owner's last day, when recorded

    def owner_departed(self, today: date) -> bool:
        """The owner has left as of `today`: the tool needs a new owner (a hand-over)."""
        if self.owner_status is None:
            return False
        return person_departed(self.owner_status == PersonStatus.DEPARTED.value,
                               self.owner_end_date, today)


# -- settings ----------------------------------------------------------------------------
SETTING_DEFAULTS: dict[str, str] = {
    "base_currency": "USD",
    "default_inactivity_days": str(DEFAULT_INACTIVITY_DAYS),
    "reminder_leads": "90,60,30,7",
    "headroom_pct": "10",
}


def by_name(name: str) -> tuple[str, str]:
    """The order of a list by name: in any case, every letter folded as Python folds it (a
    database's lower() or collation orders otherwise: SQLite folds ASCII letters only),
    then as written."""
    return (name.lower(), name)


def parse_leads(text: str) -> tuple[int, ...]:
    """'90, 60,30 ,7' -> (90, 60, 30, 7): distinct days, largest first."""
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ValidationError("give at least one lead time in days, e.g. 90,60,30,7")
    leads = set()
    for part in parts:
        try:
            day = int(part.strip())
        except ValueError:
            raise ValidationError(f"'{part.strip()[:40]}' is not a number of days") from None
        if not 0 <= day <= MAX_LEAD_DAYS:
            raise ValidationError(f"a lead time of {day} days is outside 0 to {MAX_LEAD_DAYS}")
        leads.add(day)
    if len(leads) > MAX_LEADS:
        raise ValidationError(f"give at most {MAX_LEADS} lead times, got {len(leads)}")
    return tuple(sorted(leads, reverse=True))


@dataclass(frozen=True, slots=True)
class Settings:
    """Typed view of the settings, read once per use case."""

    base_currency: str
    default_inactivity_days: int
    reminder_leads: tuple[int, ...]
    headroom_pct: int

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> Settings:
        """From the stored values (key → text); a key not stored has its default."""
        raw = {**SETTING_DEFAULTS, **{k: v for k, v in stored.items() if k in SETTING_DEFAULTS}}
        return cls(
            base_currency=raw["base_currency"],
            default_inactivity_days=int(raw["default_inactivity_days"]),
            reminder_leads=parse_leads(raw["reminder_leads"]),
            headroom_pct=int(raw["headroom_pct"]),
        )


# -- exchange rates ------------------------------------------------------------------------
class RateTable:
    """Rates into one base currency as of a date, loaded once for a whole report."""

    def __init__(self, base_currency: str, rates: dict[str, Decimal]) -> None:
        self.base_currency = base_currency
        self._rates = {base_currency: Decimal(1), **rates}

    @classmethod
    def from_history(cls, base: str,
                     history: Iterable[tuple[str, str, Decimal]]) -> RateTable:
        """From the recorded rates (currency, quote currency, rate) on or before the day,
        oldest first: the newest rate of each pair counts."""
        latest: dict[tuple[str, str], Decimal] = {}
        recorded: dict[tuple[str, str], int] = {}  # how late in the history: newer is larger
        for n, (currency, quote, rate) in enumerate(history):
            latest[(currency, quote)] = rate
            recorded[(currency, quote)] = n
        found: dict[str, Decimal] = {}
        # Direct (X -> base) or inverse (base -> X), whichever was recorded last (a rate set
        # while the base currency was X is newer than one set before), then through one
        # other currency (rates recorded before the base currency was changed).
        for (currency, quote), rate in latest.items():
            if quote == base:
                inverse = recorded.get((base, currency), -1)
                if recorded[(currency, quote)] > inverse:
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
