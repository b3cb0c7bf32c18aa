"""A realistic, deterministic demo inventory: the same seed and day give the same data.

The data it draws from is in `data`, the inventory is built by `inventory`, the buying
side (requests, evaluations, feedback) by `buying`."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, insert, select

from stackadmin.domain.vocab import PersonStatus
from stackadmin.errors import UserError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.demo.buying import BuyingBuilder
from stackadmin.services.demo.data import DEMO_RATES, SIZES, DemoSize, DemoSummary
from stackadmin.services.demo.inventory import InventoryBuilder
from stackadmin.store.engine import refresh_statistics
from stackadmin.store.first_run import is_empty
from stackadmin.store.models import ExchangeRate

__all__ = ["SIZES", "DemoSize", "DemoSummary", "is_empty", "load_demo"]


def load_demo(ctx: ServiceContext, size: str = "small", seed: int = 7,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fills an empty database; refuses one that holds any inventory."""
    if size not in SIZES:
        raise UserError(f"demo size must be {', '.join(SIZES)}, got '{size}'")
    spec = SIZES[size]
    rng = random.Random(f"{size}:{seed}")
    today = ctx.today()
    with ctx.transaction() as session:
        if not is_empty(session):
            raise UserError(
                f"{ctx.target.describe()} already holds an inventory; the demo fills only an "
                "empty database (use another --db)"
            )
        builder = InventoryBuilder(session, rng, today, spec, size)
        summary = builder.build(progress)
        # A random stream of its own: the inventory above stays what it always was.
        BuyingBuilder(session, ctx, random.Random(rng.random()), today, builder.now).build(
            builder.tools, [p for p in builder.people
                            if p["status"] == PersonStatus.ACTIVE.value])
        base = session.scalar(select(func.count()).select_from(ExchangeRate))
        if not base:
            session.execute(insert(ExchangeRate), [
                {"currency": c, "base_currency": "USD", "rate": Decimal(r), "as_of": today}
                for c, r in DEMO_RATES.items()
            ])
        audit.record(session, ctx, action="import", entity="demo", entity_id=None,
                     summary=f"loaded the {size} demo inventory (seed {seed}): "
                             f"{summary.people} people, {summary.tools} tools, "
                             f"{summary.terms} terms, {summary.accounts} accounts")
    refresh_statistics(ctx.engine, summary.accounts + summary.people)
    return summary
