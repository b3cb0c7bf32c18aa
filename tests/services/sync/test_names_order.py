"""Integrations are listed by name in the same order on SQLite and on PostgreSQL, whatever
the database's collation: in any case, accented capitals folded as Python folds them
(SQLite's lower() folds ASCII letters only; a PostgreSQL collation such as en_US orders
case and punctuation otherwise)."""

from __future__ import annotations

from datetime import date

import pytest

from stackadmin.domain.vocab import SyncStatus
from stackadmin.errors import NotFoundError
from stackadmin.services.context import ServiceContext
from stackadmin.services.overview import freshness
from stackadmin.services.seats import reconcile
from stackadmin.services.sync import integrations, schedule
from stackadmin.store.models import Integration, SyncRun

NAMES = ("Zed", "acme", "Éb", "éa", "ab")
BY_NAME = ["ab", "acme", "Zed", "éa", "Éb"]


def _add(ctx: ServiceContext) -> None:
    with ctx.transaction() as session:
        for name in NAMES:
            row = Integration(plugin_id="okta", name=name, options={},
                              is_directory_source=True, interval_minutes=1440)
            session.add(row)
            session.flush()
            session.add(SyncRun(integration_id=row.id, status=SyncStatus.FAILED.value,
                                error="refused"))


def test_every_list_of_integrations_is_in_the_same_order(ctx: ServiceContext) -> None:
    _add(ctx)
    assert [d.name for d in schedule.schedule(ctx)] == BY_NAME
    assert [f.name for f in schedule.failures_to_report(ctx)] == BY_NAME
    assert list(freshness.freshness(ctx).failing) == BY_NAME
    assert list(reconcile.reconcile(ctx, date(2026, 11, 25)).directory_sources) == BY_NAME
    with ctx.read() as session, pytest.raises(NotFoundError) as refused:
        integrations.find_integration(session, "nope")
    assert f"(integrations: {', '.join(BY_NAME)})" in str(refused.value)
