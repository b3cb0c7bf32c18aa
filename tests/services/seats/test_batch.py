"""Acting on many seats at once, and undoing it: all or nothing, audited, and an undo that
never overwrites a seat changed since."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.accounts import update_account
from stackadmin.services.seats import batch
from stackadmin.store.models import Account, AuditEvent, OffboardingItem
from tests.services.seats.helpers import account, person, tool_with_term


def _statuses(ctx: ServiceContext, ids: list[int]) -> list[str]:
    with ctx.read() as session:
        return [session.get(Account, i).status for i in ids]  # type: ignore[union-attr]


def _items(ctx: ServiceContext, person_id: int) -> dict[int | None, str]:
    with ctx.read() as session:
        return {i.account_id: i.outcome for i in session.scalars(
            select(OffboardingItem).where(OffboardingItem.person_id == person_id))}


@pytest.fixture
def seats(ctx: ServiceContext) -> list[int]:
    tool = tool_with_term(ctx, "Docs")
    return [account(ctx, tool, f"u{n}@example.com", last_days=200) for n in range(3)]


def test_reclaiming_several_seats_is_one_batch_and_undo_puts_them_back(
        ctx: ServiceContext, seats: list[int]) -> None:
    change = batch.reclaim_seats(ctx, seats)
    assert change.description == "reclaimed 3 seats"
    assert _statuses(ctx, seats) == ["deprovisioned"] * 3
    reclaimed = [e for e in audit.list_events(ctx, entity="account")
                 if e.summary.startswith("reclaimed the seat")]
    assert len(reclaimed) == 3  # one event per account, with its field change
    assert batch.undo(ctx, change) == 3
    assert _statuses(ctx, seats) == ["active"] * 3
    undo_events = [e for e in audit.list_events(ctx) if e.action == "undo"]
    assert [e.summary for e in undo_events] == ["undid: reclaimed 3 seats"]
    put_back = [e for e in audit.list_events(ctx, entity="account")
                if e.summary.startswith("undo (reclaimed)")]
    assert len(put_back) == 3
    assert all(e.changes == {"status": ["deprovisioned", "active"]} for e in put_back)
    with pytest.raises(ValidationError, match="changed since"):
        batch.undo(ctx, change)  # once only: the seats are no longer as it left them


def test_a_batch_with_one_bad_seat_changes_nothing(ctx: ServiceContext,
                                                  seats: list[int]) -> None:
    update_account(ctx, seats[1], status="deprovisioned")
    with pytest.raises(ValidationError, match="deprovisioned already"):
        batch.reclaim_seats(ctx, seats)
    assert _statuses(ctx, seats) == ["active", "deprovisioned", "active"]
    with pytest.raises(ValidationError, match="at least one"):
        batch.reclaim_seats(ctx, [])


def test_undo_is_refused_when_a_seat_changed_since_and_undoes_nothing(
        ctx: ServiceContext, seats: list[int]) -> None:
    change = batch.reclaim_seats(ctx, seats)
    update_account(ctx, seats[2], status="active")  # a sync saw the seat back at the vendor
    with ctx.read() as session:
        events = session.query(AuditEvent).count()
    with pytest.raises(ValidationError) as refused:
        batch.undo(ctx, change)
    assert "u2@example.com in Docs changed since; nothing was undone" in str(refused.value)
    assert _statuses(ctx, seats) == ["deprovisioned", "deprovisioned", "active"]
    with ctx.read() as session:
        assert session.query(AuditEvent).count() == events


def test_exempting_several_seats_and_undoing_it(ctx: ServiceContext, seats: list[int]) -> None:
    with pytest.raises(ValidationError, match="needs a reason"):
        batch.exempt_seats(ctx, seats, "  ")
    change = batch.exempt_seats(ctx, seats[:2], "licence audit")
    with ctx.read() as session:
        rows = [session.get(Account, i) for i in seats]
        assert [(a.exempt, a.exempt_reason, a.exempt_by) for a in rows if a] == [
            (True, "licence audit", ctx.actor), (True, "licence audit", ctx.actor),
            (False, None, None)]
    batch.undo(ctx, change)
    with ctx.read() as session:
        assert not any(a.exempt for a in session.scalars(select(Account)))
    cleared = batch.clear_exemptions(ctx, seats[:1])
    assert cleared.description == "exemption cleared 1 seat"


def test_a_leavers_accounts_marked_done_together_and_undone(ctx: ServiceContext) -> None:
    docs, chat, wiki = (tool_with_term(ctx, n) for n in ("Docs", "Chat", "Wiki"))
    bob = person(ctx, "bob@example.com", departed_days_ago=10)
    person(ctx, "ada@example.com")
    ids = [account(ctx, t, "bob@example.com", person_id=bob) for t in (docs, chat, wiki)]
    reclaimed = batch.reclaim_seats(ctx, ids[:2], checklist_of=bob)
    assert _items(ctx, bob) == {ids[0]: "reclaimed", ids[1]: "reclaimed"}
    assert _statuses(ctx, ids) == ["deprovisioned", "deprovisioned", "active"]
    with pytest.raises(ValidationError, match="reason"):
        batch.record_outcomes(ctx, bob, ids[2:], "kept")
    moved = batch.record_outcomes(ctx, bob, ids[2:], "transferred",
                                  transferred_to="ada@example.com")
    assert moved.description == "marked transferred 1 seat"
    with ctx.read() as session:
        assert session.get(Account, ids[2]).person_id != bob  # type: ignore[union-attr]
    batch.undo(ctx, moved)  # back to Bob, off the checklist
    with ctx.read() as session:
        assert session.get(Account, ids[2]).person_id == bob  # type: ignore[union-attr]
    assert _items(ctx, bob) == {ids[0]: "reclaimed", ids[1]: "reclaimed"}
    batch.undo(ctx, reclaimed)
    assert _items(ctx, bob) == {}
    assert _statuses(ctx, ids) == ["active"] * 3
    removed = [e for e in audit.list_events(ctx, entity="offboarding_item")
               if e.action == "delete"]
    assert len(removed) == 3  # each checklist entry taken back is in the trail
