"""Scheduled sync: what is due (and the first sync started by hand), retries spaced out
after a failure, and a failure reported once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from stackadmin.plugins.testing import Reply
from stackadmin.services.sync import integrations, schedule
from stackadmin.store.models import Integration, SyncRun, utcnow
from tests.services.sync.conftest import SEATS, Kit, seat


def age(kit: Kit, hours: float) -> None:
    """Moves every run and the last good sync `hours` into the past."""
    shift = timedelta(hours=hours)
    with kit.ctx.transaction() as session:
        for run in session.query(SyncRun):
            run.started_at -= shift
            run.finished_at = run.finished_at and run.finished_at - shift
        for row in session.query(Integration):
            row.last_success_at = row.last_success_at and row.last_success_at - shift


def due_names(kit: Kit) -> list[str]:
    return [d.name for d in schedule.due_integrations(kit.ctx)]


def test_due_after_the_interval_and_not_before(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()  # daily by default
    kit.add(name="Hourly", interval="hourly")
    kit.add(name="Manual", interval="manual")
    assert due_names(kit) == []  # a first sync is started by hand
    reasons = {d.name: d.reason for d in schedule.schedule(kit.ctx)}
    assert reasons["Copilot acme"].startswith("never synced")
    assert "Manual" not in reasons
    for name in ("Copilot acme", "Hourly", "Manual"):
        assert kit.sync(name, force=True).ok
    assert due_names(kit) == []
    age(kit, 2)
    assert due_names(kit) == ["Hourly"]
    age(kit, 23)
    assert due_names(kit) == ["Copilot acme", "Hourly"]


def test_a_disabled_integration_is_never_due(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.sync()
    integrations.edit_integration(kit.ctx, "Copilot acme", enabled=False,
                                  secrets=kit.secrets)
    age(kit, 48)
    assert due_names(kit) == []


def test_after_a_failure_the_next_try_waits_an_hour(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.sync()
    age(kit, 25)
    assert due_names(kit) == ["Copilot acme"]
    kit.vendor.add(SEATS, Reply.error(401, "Bad credentials"))
    assert not kit.sync().ok
    assert due_names(kit) == []  # not again at once, nor every minute
    with kit.ctx.transaction() as session:
        session.execute(update(SyncRun).where(SyncRun.status == "failed").values(
            started_at=utcnow() - timedelta(minutes=61)))
    assert due_names(kit) == ["Copilot acme"]


def test_a_failure_is_reported_once(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    row = kit.add()
    kit.sync()
    assert schedule.failures_to_report(kit.ctx) == []
    kit.vendor.add(SEATS, Reply.error(401, "Bad credentials"))
    kit.sync()
    failures = schedule.failures_to_report(kit.ctx)
    assert [(f.name, f.tool) for f in failures] == [("Copilot acme", "GitHub Copilot")]
    assert "token was rejected" in failures[0].error
    schedule.mark_reported(kit.ctx, [row.id])
    kit.sync()  # fails again: already told
    assert schedule.failures_to_report(kit.ctx) == []
    kit.vendor.add(SEATS, Reply.json({"total_seats": 1, "seats": [seat(1)]}))
    assert kit.sync().ok  # succeeding clears it...
    kit.vendor.add(SEATS, Reply.unavailable(404))
    kit.sync()
    assert len(schedule.failures_to_report(kit.ctx)) == 1  # ...so a new failure is told


def test_a_dry_run_neither_counts_as_a_sync_nor_as_a_failure(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    assert kit.sync(dry_run=True).ok
    assert [d.reason for d in schedule.schedule(kit.ctx)] == [
        "never synced: its first sync is started by hand"]
