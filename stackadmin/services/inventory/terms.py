"""Subscription terms: create, edit, renew (a new term), delete, each audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from stackadmin.domain import terms as terms_rules
from stackadmin.domain.limits import (
    MAX_BILLING_MONTHS,
    MAX_NOTICE_DAYS,
    MAX_SEATS,
    check_int,
)
from stackadmin.domain.money import Money, normalize_currency
from stackadmin.domain.renewals import add_months, next_term
from stackadmin.domain.terms import (
    check_term_dates,
    parse_billing_period,
)
from stackadmin.domain.values import (
    non_negative_int,
    optional_date,
    optional_text,
    parse_bool,
    parse_choice,
)
from stackadmin.domain.vocab import Decision, PricingModel, TermStatus
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import (
    FieldCleaner,
    add_audited,
    apply_changes,
    check_version,
    delete_audited,
    flush_or_explain,
    get_or_404,
)
from stackadmin.services.records import TermRow
from stackadmin.store.models import SubscriptionTerm, TermDecision, Tool

FIELDS = ("tool_id", "plan", "pricing", "unit_price_minor", "currency", "seats",
          "billing_months", "term_start", "renewal_date", "auto_renew", "notice_days",
          "internal_lead_days", "cost_center", "po_reference", "notes", "status")


def cancel_dates(session: Session, term_ids: Iterable[int] | None = None) -> dict[int, date]:
    """Per term decided to be cancelled at one of its renewals: that renewal (the earliest,
    if several were decided so). The term runs until that day and stops there, though it
    renews by itself (`domain.terms.covers`)."""
    d = TermDecision.__table__.c  # the table's columns: no mapper to configure for this
    query = (select(d.term_id, d.renewal_date, d.decision)
             .where(d.decision == Decision.CANCEL.value))
    if term_ids is not None:
        query = query.where(d.term_id.in_(sorted(set(term_ids))))
    return terms_rules.cancel_dates(tuple(row) for row in session.connection().execute(query))


def term_row(t: SubscriptionTerm, cancelled_at: date | None) -> TermRow:
    return TermRow(
        t.id, t.tool_id, t.tool.name, t.plan, t.pricing, Money(t.unit_price_minor, t.currency),
        t.seats, t.billing_months, t.term_start, t.renewal_date, t.auto_renew, t.notice_days,
        t.internal_lead_days, t.cost_center, t.po_reference, t.notes, t.status,
        t.previous_term_id, t.version, cancelled_at,
    )


def _row(session: Session, t: SubscriptionTerm) -> TermRow:
    return term_row(t, cancel_dates(session, [t.id]).get(t.id))


def _billing(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return check_int(value, "billing period (months)", 1, MAX_BILLING_MONTHS)
    return parse_billing_period(str(value))


def _clean(values: dict[str, Any], partial: bool, current: SubscriptionTerm | None
           ) -> dict[str, Any]:
    c = FieldCleaner(values, partial=partial)
    c.require("tool_id", "currency")
    c.take("tool_id", int)
    c.take("plan", lambda v: (optional_text(v, "plan", 200) or ""))
    c.take("pricing", lambda v: parse_choice(v, PricingModel, "pricing"))
    c.take("currency", normalize_currency)
    c.take("seats", lambda v: None if v is None or str(v).strip() == ""
           else non_negative_int(v, "seats", MAX_SEATS))
    c.take("billing_period", _billing)
    c.take("term_start", lambda v: optional_date(v, "term start"))
    c.take("renewal_date", lambda v: optional_date(v, "renewal date"))
    c.take("auto_renew", lambda v: v if isinstance(v, bool) else parse_bool(str(v)))
    c.take("notice_days", lambda v: non_negative_int(v or 0, "notice period", MAX_NOTICE_DAYS))
    c.take("internal_lead_days",
           lambda v: non_negative_int(v or 0, "internal lead", MAX_NOTICE_DAYS))
    c.take("cost_center", lambda v: optional_text(v, "cost centre", 120))
    c.take("po_reference", lambda v: optional_text(v, "PO reference", 200))
    c.take("notes", lambda v: optional_text(v, "notes", 10_000, multiline=True))
    c.take("status", lambda v: parse_choice(v, TermStatus, "status"))
    c.take("unit_price", lambda v: v)  # checked below, against the currency
    # Every problem is said at once: the price against the currency, the dates' order.
    out = c.out
    currency = out.get("currency") or (current.currency if current else None)
    try:
        if "unit_price" in out:
            out["unit_price_minor"] = _price_minor(out.pop("unit_price"), currency or "USD")
        elif "currency" in out and current is not None and out["currency"] != current.currency:
            # The amount stays the same number in the new currency's units: its precision
            # is checked again.
            amount = Money(current.unit_price_minor, current.currency).amount
            out["unit_price_minor"] = Money.from_decimal(amount, out["currency"]).minor
    except ValidationError as exc:
        c.problems.extend(exc.problems)
    try:
        check_term_dates(out.get("term_start", current.term_start if current else None),
                         out.get("renewal_date", current.renewal_date if current else None))
    except ValidationError as exc:
        c.problems.extend(exc.problems)
    data = c.result()
    if "billing_period" in data:
        data["billing_months"] = data.pop("billing_period")
    return data


def _price_minor(raw: Any, currency: str) -> int:
    """The unit price in minor units: required (0 for a free plan), exact, not negative."""
    if isinstance(raw, Money):
        raw = raw.amount
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ValidationError("unit price is required (0 for a free plan)")
    try:
        money = Money.from_decimal(text, currency)
    except (ValidationError, ArithmeticError, ValueError) as exc:
        raise ValidationError(f"unit price: {exc}") from None
    if money.minor < 0:
        raise ValidationError(f"unit price cannot be negative, got {raw}")
    return money.minor


def _load(session: Session, term_id: int) -> SubscriptionTerm:
    term = get_or_404(session, SubscriptionTerm, term_id, "subscription term")
    return term


def create_term(ctx: ServiceContext, **values: Any) -> TermRow:
    """Fields: tool_id, currency (required); plan, pricing, unit_price, seats, billing_period,
    term_start, renewal_date, auto_renew, notice_days, internal_lead_days, cost_center,
    po_reference, notes, status."""
    with ctx.transaction() as session:
        return _row(session, add_term(session, ctx, **values))


def add_term(session: Session, ctx: ServiceContext, **values: Any) -> SubscriptionTerm:
    """`create_term` inside the caller's transaction (a purchase adds a tool and its first
    term in one)."""
    data = _clean(values, partial=False, current=None)
    tool = get_or_404(session, Tool, data["tool_id"], "tool")
    term = SubscriptionTerm(**data)
    session.add(term)
    flush_or_explain(session, f"{tool.name} already has a term for plan "
                              f"'{data.get('plan', '')}' starting {data.get('term_start')}")
    add_audited(session, ctx, term, entity="subscription_term",
                label=f"term {tool.name} {term.plan}".strip(), fields=FIELDS)
    return term


def _label(term: SubscriptionTerm) -> str:
    return f"term {term.tool.name} {term.plan}".strip()


def update_term(ctx: ServiceContext, term_id: int, *, expected_version: int | None = None,
                **values: Any) -> TermRow:
    """Changes the given fields. `expected_version`: the version the edit was based on
    (TermRow.version); when someone saved the term since, StaleRecordError and nothing
    changes."""
    with ctx.transaction() as session:
        term = _load(session, term_id)
        check_version(session, term, expected_version, entity="subscription_term",
                      label=_label(term))
        data = _clean(values, partial=True, current=term)
        apply_changes(session, ctx, term, data, entity="subscription_term",
                      label=_label(term))
        flush_or_explain(session, "another term of this tool has the same plan and start")
        return _row(session, term)


def renew_term(ctx: ServiceContext, term_id: int, *, expected_version: int | None = None,
               **overrides: Any) -> TermRow:
    """Starts the next term where this one ends, carrying over its terms; `overrides`
    (unit_price, seats, renewal_date, plan...) change what the new contract says.
    `expected_version` as for update_term: the carried-over terms are the ones shown."""
    with ctx.transaction() as session:
        old = _load(session, term_id)
        check_version(session, old, expected_version, entity="subscription_term",
                      label=_label(old))
        if old.status in (TermStatus.CANCELLED.value, TermStatus.RENEWED.value):
            raise ValidationError(f"this term is {old.status}; it cannot be renewed again")
        # From its renewal date to the anniversary after it, month ends kept (Jan 31 to
        # Feb 28 is followed by Feb 28 to Mar 31, not Mar 28).
        start, end = ((ctx.today(), add_months(ctx.today(), 12)) if old.renewal_date is None
                      else next_term(old.term_start, old.renewal_date, False, ctx.today()))
        carried: dict[str, Any] = {
            "tool_id": old.tool_id, "plan": old.plan, "pricing": old.pricing,
            "currency": old.currency, "seats": old.seats, "billing_period": old.billing_months,
            "term_start": start, "renewal_date": end,
            "auto_renew": old.auto_renew, "notice_days": old.notice_days,
            "internal_lead_days": old.internal_lead_days, "cost_center": old.cost_center,
            "unit_price": Money(old.unit_price_minor, old.currency).amount,
        }
        carried.update(overrides)
        data = _clean(carried, partial=False, current=None)
        new = SubscriptionTerm(**data, previous_term_id=old.id)
        session.add(new)
        flush_or_explain(session, f"{old.tool.name} already has a term starting {start}")
        apply_changes(session, ctx, old, {"status": TermStatus.RENEWED.value},
                      entity="subscription_term", label=f"term {old.tool.name} {old.plan}")
        add_audited(session, ctx, new, entity="subscription_term",
                    label=f"renewal of {old.tool.name} {old.plan}".strip(), fields=FIELDS)
        return _row(session, new)


def delete_term(ctx: ServiceContext, term_id: int) -> None:
    with ctx.transaction() as session:
        term = _load(session, term_id)
        delete_audited(session, ctx, term, entity="subscription_term",
                       label=f"term {term.tool.name} {term.plan}".strip(), fields=FIELDS)


def get_term(ctx: ServiceContext, term_id: int) -> TermRow:
    with ctx.read() as session:
        return _row(session, _load(session, term_id))


def list_terms(ctx: ServiceContext, *, tool_id: int | None = None,
               statuses: tuple[str, ...] | None = None) -> list[TermRow]:
    query = select(SubscriptionTerm).options(joinedload(SubscriptionTerm.tool))
    if tool_id is not None:
        query = query.where(SubscriptionTerm.tool_id == tool_id)
    if statuses:
        query = query.where(SubscriptionTerm.status.in_(statuses))
    # Terms without a renewal date first on every engine, as SQLite orders them (and the
    # start-up reader, which reads SQLite directly): PostgreSQL puts NULLs last by default.
    query = query.order_by(SubscriptionTerm.renewal_date.nulls_first(), SubscriptionTerm.id)
    with ctx.read() as session:
        terms = list(session.scalars(query))
        cancels = cancel_dates(session)
        return [term_row(t, cancels.get(t.id)) for t in terms]
