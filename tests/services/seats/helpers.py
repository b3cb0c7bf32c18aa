"""Builders for seat tests: accounts with the fields the services do not let one set
directly (first seen, invitation date, activity unknown), written straight to the store."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import people, terms, tools
from stackadmin.store.models import Account
from tests.conftest import TODAY


def at(days_before: int) -> datetime:
    """Noon UTC, `days_before` days before TODAY."""
    return datetime.combine(TODAY - timedelta(days=days_before), time(12), tzinfo=UTC)


def tool_with_term(ctx: ServiceContext, name: str, *, currency: str = "USD",
                   unit_price: str = "10.00", seats: int | None = 10,
                   billing_period: str = "monthly", pricing: str = "per_seat",
                   **tool_fields: Any) -> int:
    tool = tools.create_tool(ctx, name=name, **tool_fields)
    terms.create_term(ctx, tool_id=tool.id, currency=currency, unit_price=unit_price,
                      seats=seats, billing_period=billing_period, pricing=pricing,
                      term_start=TODAY - timedelta(days=100),
                      renewal_date=TODAY + timedelta(days=265))
    return tool.id


def person(ctx: ServiceContext, email: str, *, departed_days_ago: int | None = None) -> int:
    row = people.create_person(ctx, email=email, name=email.split("@")[0].title())
    if departed_days_ago is not None:
        people.mark_departed(ctx, row.id, TODAY - timedelta(days=departed_days_ago))
    return row.id


def account(ctx: ServiceContext, tool_id: int, email: str | None, *,
            last_days: int | None = 1, first_days: int = 400, **fields: Any) -> int:
    """An account last active `last_days` ago (None: never), first seen `first_days` ago."""
    values: dict[str, Any] = {
        "tool_id": tool_id, "email": email, "status": "active",
        "last_activity": None if last_days is None else at(last_days),
        "first_seen": at(first_days), "activity_known": True,
    }
    values.update(fields)
    if "invited_days" in values:
        values["invited_at"] = at(values.pop("invited_days"))
    with ctx.transaction() as session:
        row = Account(**values)
        session.add(row)
        session.flush()
        return row.id
