"""Acting on many seats at once (reclaim, exempt, clear an exemption, record offboarding
outcomes), each batch in one transaction and audited account by account, and undoing the
last one.

A batch returns a `SeatChange`: every account's state before and after. Undoing it puts the
states before back in one transaction, audited too, but only when every account is still as
the batch left it: a seat changed since (by a sync, an import, another stackadmin) is not
overwritten, and nothing is undone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.vocab import AccountStatus
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import apply_changes, get_or_404
from stackadmin.services.seats.actions import MAX_REASON
from stackadmin.services.seats.offboarding import record_in
from stackadmin.store.models import Account, OffboardingItem

RECLAIMED = "reclaimed"
EXEMPTED = "exempted"
EXEMPTION_CLEARED = "exemption cleared"


@dataclass(frozen=True, slots=True)
class ChecklistState:
    """A departed person's offboarding checklist entry for one account."""

    person_id: int
    outcome: str
    reason: str | None
    transferred_to_id: int | None


@dataclass(frozen=True, slots=True)
class SeatState:
    """What a batch may change on one account."""

    account_id: int
    person_id: int | None
    status: str
    exempt: bool
    exempt_reason: str | None
    exempt_by: str | None
    checklist: ChecklistState | None  # for the leaver whose checklist the batch wrote


@dataclass(frozen=True, slots=True)
class SeatChange:
    """One batch: what it did (`verb`: reclaimed, exempted, …) to which accounts, with
    their states before and after, in the same order."""

    verb: str
    before: tuple[SeatState, ...]
    after: tuple[SeatState, ...]
    checklist_of: int | None = None  # the departed person whose checklist was written

    @property
    def count(self) -> int:
        return len(self.before)

    @property
    def description(self) -> str:
        """'reclaimed 3 seats', 'exempted 1 seat'."""
        return f"{self.verb} {self.count:,} {'seat' if self.count == 1 else 'seats'}"


def _label(account: Account) -> str:
    return f"account {account.email or account.external_id} in {account.tool.name}"


def _state(session: Session, account: Account, checklist_of: int | None) -> SeatState:
    item = None
    if checklist_of is not None:
        row = _item(session, checklist_of, account.id)
        if row is not None:
            item = ChecklistState(row.person_id, row.outcome, row.reason, row.transferred_to_id)
    return SeatState(account.id, account.person_id, account.status, account.exempt,
                     account.exempt_reason, account.exempt_by, item)


def _item(session: Session, person_id: int, account_id: int) -> OffboardingItem | None:
    return session.scalars(select(OffboardingItem).where(
        OffboardingItem.person_id == person_id,
        OffboardingItem.account_id == account_id)).first()


def _batch(ctx: ServiceContext, verb: str, account_ids: Sequence[int],
           act: Callable[[Session, Account], None], *,
           checklist_of: int | None = None) -> SeatChange:
    """Runs `act` on each account in one transaction (all or nothing), keeping the states."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        raise ValidationError("select at least one seat")
    with ctx.transaction() as session:
        accounts = [get_or_404(session, Account, i, "account") for i in ids]
        before = tuple(_state(session, a, checklist_of) for a in accounts)
        for account in accounts:
            act(session, account)
        session.flush()
        after = tuple(_state(session, a, checklist_of) for a in accounts)
    return SeatChange(verb, before, after, checklist_of)


def reclaim_seats(ctx: ServiceContext, account_ids: Sequence[int], *,
                  checklist_of: int | None = None) -> SeatChange:
    """Marks the seats reclaimed (the accounts are deprovisioned). `checklist_of`: a departed
    person whose offboarding checklist records each as reclaimed too. Any account that is
    deprovisioned already stops the whole batch, in words."""

    def act(session: Session, account: Account) -> None:
        if account.status == AccountStatus.DEPROVISIONED.value:
            raise ValidationError(f"{_label(account)} is deprovisioned already")
        if checklist_of is not None:
            record_in(session, ctx, checklist_of, account.id, RECLAIMED)
        else:
            apply_changes(session, ctx, account,
                          {"status": AccountStatus.DEPROVISIONED.value}, entity="account",
                          label=f"reclaimed the seat of {_label(account)}")

    return _batch(ctx, RECLAIMED, account_ids, act, checklist_of=checklist_of)


def exempt_seats(ctx: ServiceContext, account_ids: Sequence[int], reason: str) -> SeatChange:
    """Keeps the seats out of the unused figures, with the reason and who set it."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError("an exemption needs a reason (for example: on-call admin)")
    if len(text) > MAX_REASON:
        raise ValidationError(f"the reason is {len(text)} characters; at most {MAX_REASON}")

    def act(session: Session, account: Account) -> None:
        apply_changes(session, ctx, account,
                      {"exempt": True, "exempt_reason": text, "exempt_by": ctx.actor},
                      entity="account", label=f"exemption of {_label(account)}")

    return _batch(ctx, EXEMPTED, account_ids, act)


def clear_exemptions(ctx: ServiceContext, account_ids: Sequence[int]) -> SeatChange:
    def act(session: Session, account: Account) -> None:
        apply_changes(session, ctx, account,
                      {"exempt": False, "exempt_reason": None, "exempt_by": None},
                      entity="account", label=f"exemption of {_label(account)}")

    return _batch(ctx, EXEMPTION_CLEARED, account_ids, act)


def record_outcomes(ctx: ServiceContext, person_id: int, account_ids: Sequence[int],
                    outcome: str, *, reason: str | None = None,
                    transferred_to: str | None = None) -> SeatChange:
    """The offboarding checklist for many of a departed person's accounts at once: each is
    marked done as `reclaimed`, `transferred` (to `transferred_to`) or `kept` (a reason)."""

    def act(session: Session, account: Account) -> None:
        record_in(session, ctx, person_id, account.id, outcome, reason=reason,
                  transferred_to=transferred_to)

    verb = {"reclaimed": RECLAIMED}.get(outcome.strip().lower(),
                                        f"marked {outcome.strip().lower()}")
    return _batch(ctx, verb, account_ids, act, checklist_of=person_id)


def undo(ctx: ServiceContext, change: SeatChange) -> int:
    """Puts every account of the batch back as it was before it, in one transaction; each
    account's fields are audited, and one event says what was undone. Refused, in words and
    with nothing changed, when an account is no longer as the batch left it. Returns how
    many accounts were put back."""
    with ctx.transaction() as session:
        changed: list[str] = []
        accounts: list[Account] = []
        for after in change.after:
            account = session.get(Account, after.account_id)
            if account is None:
                changed.append(f"account {after.account_id} was deleted")
                continue
            if _state(session, account, change.checklist_of) != after:
                changed.append(f"{_label(account)} changed since")
            accounts.append(account)
        if changed:
            raise ValidationError(
                [f"cannot undo ({change.description}): {c}; nothing was undone"
                 for c in changed])
        for account, before in zip(accounts, change.before, strict=True):
            label = f"undo ({change.verb}): {_label(account)}"
            apply_changes(session, ctx, account, {
                "status": before.status, "person_id": before.person_id,
                "exempt": before.exempt, "exempt_reason": before.exempt_reason,
                "exempt_by": before.exempt_by}, entity="account", label=label)
            if change.checklist_of is not None:
                _restore_item(session, ctx, change.checklist_of, account, before, label)
        audit.record(session, ctx, action="undo", entity="account", entity_id=None,
                     summary=f"undid: {change.description}",
                     changes={"accounts": [None, [b.account_id for b in change.before]]})
    return change.count


def _restore_item(session: Session, ctx: ServiceContext, person_id: int, account: Account,
                  before: SeatState, label: str) -> None:
    item = _item(session, person_id, account.id)
    wanted = before.checklist
    if wanted is None:
        if item is not None:
            audit.record(session, ctx, action="delete", entity="offboarding_item",
                         entity_id=item.id, summary=f"{label}: checklist entry removed",
                         changes={"outcome": [item.outcome, None]})
            session.delete(item)
        return
    if item is None:
        item = OffboardingItem(person_id=person_id, account_id=account.id,
                               tool_name=account.tool.name, outcome=wanted.outcome,
                               decided_by=ctx.actor)
        session.add(item)
        session.flush()
    apply_changes(session, ctx, item, {
        "outcome": wanted.outcome, "reason": wanted.reason,
        "transferred_to_id": wanted.transferred_to_id}, entity="offboarding_item",
        label=label)
