from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from stackadmin.errors import UserError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.services.inventory import rates, settings
from stackadmin.store.models import Account, Person, SubscriptionTerm, Tool


def test_settings_have_defaults_and_validate(ctx: ServiceContext) -> None:
    assert settings.current(ctx) == settings.Settings("USD", 60, (90, 60, 30, 7), 10)
    assert settings.set_setting(ctx, "base_currency", "eur") == "EUR"
    assert settings.set_setting(ctx, "reminder_leads", "7, 30,90") == "90,30,7"
    with pytest.raises(ValidationError, match="ISO 4217"):
        settings.set_setting(ctx, "base_currency", "EURO")
    with pytest.raises(ValidationError, match="unknown setting"):
        settings.set_setting(ctx, "colour", "blue")
    with pytest.raises(ValidationError, match="at least 1"):
        settings.set_setting(ctx, "default_inactivity_days", "0")
    assert settings.current(ctx).base_currency == "EUR"


def test_rates_convert_with_the_newest_rate_on_or_before_the_date(ctx: ServiceContext) -> None:
    rates.set_rate(ctx, "EUR", "1.05", date(2026, 1, 1))
    rates.set_rate(ctx, "EUR", "1.10", date(2026, 6, 1))
    with ctx.read() as s:
        assert rates.load_rates(s, date(2026, 3, 1)).require("EUR") == Decimal("1.05")
        table = rates.load_rates(s, date(2026, 7, 1))
    assert table.require("EUR") == Decimal("1.10")
    assert table.require("USD") == Decimal(1)
    with pytest.raises(UserError, match="stackadmin rates set GBP"):
        table.require("GBP")


def test_rates_still_convert_after_the_base_currency_changes(ctx: ServiceContext) -> None:
    rates.set_rate(ctx, "EUR", "1.25", date(2026, 1, 1))
    rates.set_rate(ctx, "GBP", "1.50", date(2026, 1, 1))
    settings.set_setting(ctx, "base_currency", "EUR")
    with ctx.read() as s:
        table = rates.load_rates(s, date(2026, 2, 1))
    assert table.require("USD") == Decimal("0.8")
    assert table.require("GBP") == Decimal("1.2")


def test_a_rate_set_while_the_base_was_another_currency_counts_when_it_is_newer(
        ctx: ServiceContext) -> None:
    """1 EUR = 1.10 USD in January; the base set to EUR, 1 USD = 0.80 EUR in June; the base
    back to USD: from June on, 1 EUR = 1.25 USD (the newer rate), not January's 1.10."""
    rates.set_rate(ctx, "EUR", "1.10", date(2026, 1, 1))
    settings.set_setting(ctx, "base_currency", "EUR")
    rates.set_rate(ctx, "USD", "0.80", date(2026, 6, 1))
    with ctx.read() as s:
        assert rates.load_rates(s, date(2026, 7, 1)).require("USD") == Decimal("0.80")
    settings.set_setting(ctx, "base_currency", "USD")
    with ctx.read() as s:
        assert rates.load_rates(s, date(2026, 3, 1)).require("EUR") == Decimal("1.10")
        assert rates.load_rates(s, date(2026, 7, 1)).require("EUR") == Decimal("1.25")
    rates.set_rate(ctx, "EUR", "1.20", date(2026, 9, 1))  # newer again, in the USD base
    with ctx.read() as s:
        assert rates.load_rates(s, date(2026, 10, 1)).require("EUR") == Decimal("1.20")


def test_bad_rates_are_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="positive"):
        rates.set_rate(ctx, "EUR", "-1")
    with pytest.raises(ValidationError, match="base currency"):
        rates.set_rate(ctx, "USD", "1")


def _counts(ctx: ServiceContext) -> tuple[int, ...]:
    with ctx.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (Person, Tool, SubscriptionTerm, Account))


def test_small_demo_is_realistic_and_refuses_a_second_load(ctx: ServiceContext) -> None:
    summary = load_demo(ctx, "small", seed=3)
    assert (summary.people, summary.tools) == (40, 25)
    assert _counts(ctx) == (40, 25, summary.terms, summary.accounts)
    with ctx.read() as s:
        departed = s.scalar(select(func.count()).where(Person.status == "departed")) or 0
        no_owner = s.scalar(select(func.count()).where(Tool.owner_id.is_(None))) or 0
        undated = s.scalar(select(func.count()).where(SubscriptionTerm.renewal_date.is_(None)))
        never = s.scalar(select(func.count()).where(Account.last_activity.is_(None)))
        renewals = s.scalars(select(SubscriptionTerm.renewal_date)
                             .where(SubscriptionTerm.renewal_date.is_not(None))).all()
    assert departed > 0 and no_owner > 0 and undated and never
    assert min(renewals) >= date(2026, 11, 25) - __import__("datetime").timedelta(days=400)
    assert max(renewals) <= date(2027, 11, 25)
    with pytest.raises(UserError, match="already holds an inventory"):
        load_demo(ctx, "small")


def test_the_same_seed_gives_the_same_demo(ctx: ServiceContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from stackadmin.services.context import open_context

    load_demo(ctx, "small", seed=11)
    other = open_context(str(tmp_path / "other.sqlite"), today=ctx.today)
    try:
        load_demo(other, "small", seed=11)

        def snapshot(c: ServiceContext) -> list[tuple[object, ...]]:
            with c.read() as s:
                return [tuple(r) for r in s.execute(
                    select(Account.email, Account.role, Account.status, Account.last_activity)
                    .order_by(Account.id))]

        assert snapshot(ctx) == snapshot(other)
    finally:
        other.close()


def test_the_small_demo_shows_each_case_the_figures_must_get_right(ctx: ServiceContext) -> None:
    """A tool with no account recorded, one whose source reports no activity, one holding
    more seats than it bought, a flat fee, a leaver who kept using tools, a tool owned by
    someone who left: each appears, so the app's words for them can be seen."""
    from stackadmin.services.overview.dashboard import compute
    from stackadmin.services.seats.reconcile import reconcile
    from stackadmin.services.seats.utilization import compute as utilization

    load_demo(ctx, "small")
    tools = utilization(ctx).tools
    assert any(not t.seat_data for t in tools)
    assert any(t.seat_data and not t.activity_known for t in tools)
    assert any(t.over_allocated for t in tools)
    assert any(t.flat_priced for t in tools)
    # Mostly sensible: most tools are judged, and hold no more seats than they bought.
    judged = [t for t in tools if t.utilization_pct is not None]
    assert len(judged) >= len(tools) // 2
    assert sum(t.over_allocated for t in tools) <= 3
    after = reconcile(ctx).active_after_leaving
    assert after and len({a.person_id for a in after}) < len(
        {h.person_id for h in reconcile(ctx).departed_holders}) + 1
    assert compute(ctx, with_seats=False).owners_departed
