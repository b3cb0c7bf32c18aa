"""Exports for finance, seat owners and auditors: typed rows for the GUI, CSV files for Excel.

Seat figures of a tool with several terms in force go on one row: its per-seat term with the
most seats (then the earliest start); its other rows carry 0, so a column sum is right."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from stackadmin.domain.money import Money
from stackadmin.domain.renewals import current_cycle
from stackadmin.domain.terms import TermPrice, billing_period_label, covers
from stackadmin.domain.values import parse_choice
from stackadmin.domain.vocab import PersonStatus, PricingModel, Role
from stackadmin.errors import NotFoundError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.seats import utilization
from stackadmin.services.seats.basis import read_basis
from stackadmin.services.seats.seat_list import export_rows
from stackadmin.services.spreadsheets.files import Cell, write_csv
from stackadmin.store.models import Account, Person, SubscriptionTerm, Tool, Vendor

FINANCE_COLUMNS = (
    "tool", "vendor", "plan", "cost_center", "owner", "pricing", "billing_period", "currency",
    "unit_price", "seats_purchased", "period_cost", "annual_cost", "base_currency", "fx_rate",
    "annual_cost_base", "term_start", "renewal_date", "cancel_by", "auto_renew", "seats_held",
    "seats_active", "seats_unused", "unused_annual_cost_base", "po_reference",
)
# Columns of FINANCE_COLUMNS that hold numbers (written as numbers, never neutralised).
FINANCE_NUMERIC = frozenset(FINANCE_COLUMNS.index(c) for c in (
    "unit_price", "seats_purchased", "period_cost", "annual_cost", "fx_rate",
    "annual_cost_base", "seats_held", "seats_active", "seats_unused",
    "unused_annual_cost_base"))
SEATS_COLUMNS = ("tool", "person", "email", "role", "status", "last_activity",
                 "unused_reason", "annual_cost")
SEATS_NUMERIC = frozenset({SEATS_COLUMNS.index("annual_cost")})
ACCESS_COLUMNS = ("tool", "person", "email", "role", "vendor_role", "status",
                  "last_activity", "person_status")
# The people import's own field names: an export imports back unchanged.
PEOPLE_COLUMNS = ("email", "name", "department", "cost_center", "title", "status", "end_date")
_ROLE_ORDER = {Role.OWNER.value: 0, Role.ADMIN.value: 1, Role.BILLING.value: 2,
               Role.MEMBER.value: 3, Role.GUEST.value: 4}


@dataclass(frozen=True, slots=True)
class FinanceRow:
    """One term in force on the as-of date; money already rounded once, at this edge."""

    term_id: int
    tool: str
    vendor: str | None
    plan: str
    cost_center: str | None
    owner: str | None  # the tool owner's email
    pricing: str
    billing_period: str
    currency: str
    unit_price: Money
    seats_purchased: int | None
    period_cost: Money
    annual_cost: Money
    base_currency: str
    fx_rate: Decimal | None  # None: no rate recorded for the currency
    annual_cost_base: Money | None
    term_start: date | None
    renewal_date: date | None
    cancel_by: date | None
    auto_renew: bool
    seats_held: int | None  # None (an empty cell): the tool has no seat data
    seats_active: int | None
    seats_unused: int | None
    unused_annual_cost_base: Money | None
    po_reference: str | None

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.tool, self.vendor, self.plan, self.cost_center, self.owner, self.pricing,
            self.billing_period, self.currency, _num(self.unit_price),
            self.seats_purchased, _num(self.period_cost), _num(self.annual_cost),
            self.base_currency, _rate(self.fx_rate), _num(self.annual_cost_base),
            _day(self.term_start), _day(self.renewal_date), _day(self.cancel_by),
            "yes" if self.auto_renew else "no", self.seats_held, self.seats_active,
            self.seats_unused, _num(self.unused_annual_cost_base), self.po_reference,
        )


@dataclass(frozen=True, slots=True)
class FinanceReport:
    as_of: date
    base_currency: str
    rows: list[FinanceRow]
    annual_by_currency: dict[str, Money] = field(default_factory=dict)
    annual_total_base: Money | None = None  # None when a rate is missing
    missing_rates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int


def _num(money: Money | None) -> Decimal | None:
    # Money.amount carries the currency's exponent (1200.00, 5, 1.250): written as is.
    return None if money is None else money.amount


def _rate(value: Decimal | None) -> str | None:
    """Digits without an exponent: str(Decimal('0.0000001')) would be '1E-7'."""
    return None if value is None else format(value, "f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def finance_report(ctx: ServiceContext, as_of: date | None = None) -> FinanceReport:
    """Every term in force on `as_of` (today by default) with its costs, renewal and cancel-by
    as of that date (auto-renewing terms rolled forward) and its tool's seat figures."""
    day = as_of or ctx.today()
    figures = {t.tool_id: t for t in utilization.compute(ctx, day).tools}
    owner = aliased(Person)
    with ctx.read() as session:
        base = settings.load(session).base_currency
        rates = load_rates(session, day, base)
        terms = session.execute(
            select(SubscriptionTerm, Tool.name, Vendor.name, owner.email)
            .join(Tool, Tool.id == SubscriptionTerm.tool_id)
            .outerjoin(Vendor, Vendor.id == Tool.vendor_id)
            .outerjoin(owner, owner.id == Tool.owner_id)
        ).all()
        cancels = cancel_dates(session)
    in_force = [row for row in terms if covers(
        status=row[0].status, term_start=row[0].term_start, renewal_date=row[0].renewal_date,
        auto_renew=row[0].auto_renew, as_of=day, cancelled_at=cancels.get(row[0].id))]
    in_force.sort(key=lambda r: (r[1].lower(), r[0].plan, r[0].term_start or date.min,
                                 r[0].id))
    primary = _primary_terms([r[0] for r in in_force])
    rows: list[FinanceRow] = []
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    total_base = Decimal(0)
    missing: set[str] = set()
    for term, tool_name, vendor, owner_email in in_force:
        price = TermPrice(PricingModel(term.pricing), Money(term.unit_price_minor,
                                                            term.currency).amount,
                          term.seats, term.billing_months)
        rate = rates.rate(term.currency)
        annual = Money.rounded(price.annual_cost, term.currency)
        by_currency[term.currency] += annual.amount
        annual_base = None
        if rate is None:
            missing.add(term.currency)
        else:
            annual_base = Money.rounded(price.annual_cost * rate, base)
            total_base += annual_base.amount
        renewal = cancel = None
        if term.renewal_date is not None:
            cycle = current_cycle(term_start=term.term_start, renewal_date=term.renewal_date,
                                  auto_renew=term.auto_renew, notice_days=term.notice_days,
                                  internal_lead_days=term.internal_lead_days, today=day)
            renewal, cancel = cycle.renewal_date, cycle.cancel_by
        fig = figures.get(term.tool_id) if primary.get(term.tool_id) == term.id else None
        unused_cost: Money | None = Money(0, base)
        held: int | None = 0
        active: int | None = 0
        unused: int | None = 0
        if fig is not None:
            held, active, unused = fig.seats_held, fig.seats_active, fig.seats_unused
            if not fig.seat_data:
                # No account recorded: the seats are unknown, not zero.
                active = unused = None
                unused_cost = None
        if fig is not None and fig.seat_data and fig.seats_unused:
            per_seat = fig.annual_cost_per_seat_base
            if fig.missing_rates:
                unused_cost = None
            elif per_seat is not None:
                unused_cost = Money.rounded(per_seat * fig.seats_unused, base)
        rows.append(FinanceRow(
            term.id, tool_name, vendor, term.plan, term.cost_center, owner_email, term.pricing,
            billing_period_label(term.billing_months), term.currency,
            Money(term.unit_price_minor, term.currency), term.seats,
            Money.rounded(price.period_cost, term.currency), annual, base, rate, annual_base,
            term.term_start, renewal, cancel, term.auto_renew,
            held, active, unused, unused_cost, term.po_reference))
    return FinanceReport(
        day, base, rows,
        {cur: Money.rounded(amount, cur) for cur, amount in sorted(by_currency.items())},
        None if missing else Money.rounded(total_base, base), tuple(sorted(missing)))


def _primary_terms(terms: list[SubscriptionTerm]) -> dict[int, int]:
    """Tool id -> the term that carries the tool's seat figures."""
    best: dict[int, SubscriptionTerm] = {}
    for t in terms:
        current = best.get(t.tool_id)
        if current is None or _rank(t) < _rank(current):
            best[t.tool_id] = t
    return {tool_id: t.id for tool_id, t in best.items()}


def _rank(t: SubscriptionTerm) -> tuple[int, int, date, int]:
    per_seat = t.pricing == PricingModel.PER_SEAT.value
    return (0 if per_seat else 1, -(t.seats or 0), t.term_start or date.min, t.id)


def export_finance(ctx: ServiceContext, path: str | Path, *, as_of: date | None = None,
                   bom: bool = True) -> tuple[ExportResult, FinanceReport]:
    target = ctx.output_path(path)
    report = finance_report(ctx, as_of)
    count = write_csv(target, FINANCE_COLUMNS, (r.cells() for r in report.rows), bom=bom,
                      numeric_columns=FINANCE_NUMERIC)
    return ExportResult(target, count), report


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def seat_rows(ctx: ServiceContext, *, as_of: date | None = None,
              tool: str | None = None) -> list[tuple[Cell, ...]]:
    """Every account: tool, person (the matched person's name, else the account's own
    display name, so the accounts import reads it back unchanged), email, role, status, last
    activity (UTC; 'unknown' when the source reports none; empty = never), unused reason,
    annual cost in the base currency (seat-holding accounts); by tool, email and account id."""
    with ctx.read() as session:
        basis = read_basis(session, as_of or ctx.today(), tool)
        return list(export_rows(session, basis))


def export_seats(ctx: ServiceContext, path: str | Path, *, as_of: date | None = None,
                 tool: str | None = None, bom: bool = True) -> ExportResult:
    """The seats CSV (`seat_rows`), streamed from the database to the file: its memory does
    not grow with the number of accounts."""
    target = ctx.output_path(path)
    with ctx.read() as session:
        basis = read_basis(session, as_of or ctx.today(), tool)
        count = write_csv(target, SEATS_COLUMNS, export_rows(session, basis), bom=bom,
                          numeric_columns=SEATS_NUMERIC)
    return ExportResult(target, count)


def access_rows(ctx: ServiceContext, *, tool: str | None = None) -> list[tuple[Cell, ...]]:
    """Per tool, everyone with access (not deprovisioned) and their role: owners and admins
    first. `person_status` is active, departed, or unmatched (no person with that email)."""
    query = (
        select(Tool.name, Person.name, Account.display_name, Account.email, Account.role,
               Account.vendor_role, Account.status, Account.last_activity,
               Account.activity_known, Person.status)
        .join(Tool, Tool.id == Account.tool_id)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(Account.status != "deprovisioned")
    )
    with ctx.read() as session:
        if tool is not None:
            names = [n for n in session.scalars(select(Tool.name))
                     if n.lower() == tool.strip().lower()]
            if not names:
                raise NotFoundError(f"there is no tool named '{tool}'")
            query = query.where(Tool.name == names[0])
        rows = session.execute(query).all()
    key: Callable[..., tuple[str, int, str]] = lambda r: (  # noqa: E731
        r[0].lower(), _ROLE_ORDER.get(r[4], 9), r[3] or "")
    return [
        (t, person or display, email, role, vendor_role, status,
         _moment(last) if known else "unknown", p_status or "unmatched")
        for t, person, display, email, role, vendor_role, status, last, known, p_status
        in sorted(rows, key=key)
    ]


def export_access_review(ctx: ServiceContext, path: str | Path, *, tool: str | None = None,
                         bom: bool = True) -> ExportResult:
    target = ctx.output_path(path)
    rows = access_rows(ctx, tool=tool)
    return ExportResult(target, write_csv(target, ACCESS_COLUMNS, rows, bom=bom))


def people_rows(ctx: ServiceContext, *, status: str | None = None) -> list[tuple[Cell, ...]]:
    """Everyone (or everyone with this status: active or departed), by email."""
    query = select(Person.email, Person.name, Person.department, Person.cost_center,
                   Person.title, Person.status, Person.end_date)
    if status is not None:
        query = query.where(Person.status == parse_choice(status, PersonStatus, "status"))
    with ctx.read() as session:
        rows = session.execute(query).all()
    # By email as code points, the same on every engine and database collation.
    return [(email, name, department, cost_center, title, state, _day(end))
            for email, name, department, cost_center, title, state, end in sorted(rows)]


def export_people(ctx: ServiceContext, path: str | Path, *, status: str | None = None,
                  bom: bool = True) -> ExportResult:
    target = ctx.output_path(path)
    rows = people_rows(ctx, status=status)
    return ExportResult(target, write_csv(target, PEOPLE_COLUMNS, rows, bom=bom))
