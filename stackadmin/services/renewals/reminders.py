"""Renewal reminders: what is due as of a date, and the user's answers (shown, snooze,
acknowledge, decision), each stored and audited in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from stackadmin.domain import reminders as rules
from stackadmin.domain.reminders import Mark, ReminderFacts, ReminderKey, Schedule
from stackadmin.domain.values import optional_text, parse_choice
from stackadmin.domain.vocab import Decision, ReminderKind, ReminderState
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.renewals.listing import RenewalRow, load_rows, with_active_seats
from stackadmin.store.models import ReminderStateRow, SubscriptionTerm, TermDecision, utcnow

SNOOZE_DAY = 1
SNOOZE_WEEK = 7


@dataclass(frozen=True, slots=True)
class ReminderRow(ReminderFacts):
    """A reminder to show: which one (key), the term's renewal figures, and its state."""

    key: ReminderKey
    renewal: RenewalRow
    state: ReminderState  # PENDING (news: pop up, notify) or SHOWN (already notified)
    due_since: date

    @property
    def label(self) -> str:
        """'cancel-by in 30 days' or 'cancel-by date missed', for a popup line."""
        return self.label_with(date.isoformat)

    def label_with(self, day_text: Callable[[date], str]) -> str:
        """`label`, its date written by `day_text` (the window writes the user's format)."""
        shown = day_text(self.renewal.cancel_by)
        if self.missed:
            return f"cancel-by date {shown} missed"
        days = self.renewal.days_left
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return f"cancel-by {when} ({shown})"


@dataclass(frozen=True, slots=True)
class DecisionRow:
    term_id: int
    tool: str
    plan: str
    renewal_date: date
    decision: Decision
    note: str | None
    decided_by: str
    decided_at: datetime | None


def _marks(session: Session, term_ids: Iterable[int]) -> dict[ReminderKey, Mark]:
    ids = list(term_ids)
    if not ids:
        return {}
    r = ReminderStateRow.__table__.c  # plain rows: the check at start configures no ORM
    rows = session.execute(select(r.term_id, r.renewal_date, r.kind, r.lead_days, r.state,
                                  r.snoozed_until).where(r.term_id.in_(ids)))
    return {
        ReminderKey(term_id, renewal, ReminderKind(kind), lead):
            Mark(ReminderState(state), snoozed)
        for term_id, renewal, kind, lead, state, snoozed in rows
    }


def _schedule(row: RenewalRow) -> Schedule:
    return Schedule(row.term_id, row.renewal_date, row.cancel_by, row.leads, row.decided)


def due_reminders(ctx: ServiceContext, as_of: date | None = None, *, new_only: bool = False,
                  with_seats: bool = True) -> list[ReminderRow]:
    """The reminders to show on a date (today by default), the most urgent first.

    One per undecided term at most: its most urgent lead that has come due, or the single
    missed-deadline notice once the cancel-by date has passed. Acknowledged reminders and
    snoozed ones (until their date) are left out. `new_only`: only those not yet shown, which
    is what should pop up or notify; the panel lists them all.
    """
    day = as_of or ctx.today()
    with ctx.read() as session:
        rows = load_rows(session, day)
        marks = _marks(session, (r.term_id for r in rows if not r.decided))
    due = rules.due_reminders((_schedule(r) for r in rows), marks, day)
    if new_only:
        due = [d for d in due if d.is_new]
    by_term = {r.term_id: r for r in rows}
    shown_rows = [by_term[d.key.term_id] for d in due]
    if with_seats:
        by_term = {r.term_id: r for r in with_active_seats(ctx, shown_rows, day)}
    return [ReminderRow(d.key, by_term[d.key.term_id], d.state, d.due_since) for d in due]


def with_seats_counted(ctx: ServiceContext, rows: list[ReminderRow],
                       as_of: date | None = None) -> list[ReminderRow]:
    """`rows` (from `due_reminders(..., with_seats=False)`) with their tools' active seats
    counted: the check first, the counting (a query over every seat of those tools) after."""
    day = as_of or ctx.today()
    counted = {r.term_id: r for r in with_active_seats(ctx, [r.renewal for r in rows], day)}
    return [replace(r, renewal=counted[r.key.term_id]) for r in rows]


def reminder_for_term(ctx: ServiceContext, term_id: int,
                      as_of: date | None = None) -> ReminderRow | None:
    """The term's reminder showing on a date, if any (what the CLI snoozes or acknowledges)."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        get_or_404(session, SubscriptionTerm, term_id, "subscription term")
        rows = load_rows(session, day, term_ids=[term_id])
        marks = _marks(session, [term_id])
    for row in rows:
        due = rules.reminder_for(_schedule(row), marks, day)
        if due is not None:
            return ReminderRow(due.key, row, due.state, due.due_since)
    return None


def _describe(session: Session, key: ReminderKey) -> str:
    term = get_or_404(session, SubscriptionTerm, key.term_id, "subscription term")
    what = ("missed cancel-by notice" if key.kind is ReminderKind.MISSED
            else f"{key.lead_days}-day reminder")
    name = f"{term.tool.name} {term.plan}".strip()
    return f"{what} for {name} (renewal {key.renewal_date.isoformat()})"


def _change(session: Session, ctx: ServiceContext, key: ReminderKey, verb: str,
            transition: Callable[[Mark], Mark], *, audited: bool = True) -> Mark:
    """Loads (or starts) the reminder's row, applies the transition, audits the change
    (unless `audited` is False: a reminder shown is a notice, not a change anyone made)."""
    label = _describe(session, key)
    row = session.scalars(select(ReminderStateRow).where(
        ReminderStateRow.term_id == key.term_id,
        ReminderStateRow.renewal_date == key.renewal_date,
        ReminderStateRow.kind == key.kind.value,
        ReminderStateRow.lead_days == key.lead_days)).first()
    before = rules.PENDING if row is None else Mark(ReminderState(row.state), row.snoozed_until)
    after = transition(before)
    if after == before and row is not None:
        return after
    if row is None:
        row = ReminderStateRow(term_id=key.term_id, renewal_date=key.renewal_date,
                               kind=key.kind.value, lead_days=key.lead_days)
        session.add(row)
    row.state = after.state.value
    row.snoozed_until = after.snoozed_until
    if after.state is ReminderState.SHOWN and row.shown_at is None:
        row.shown_at = utcnow()
    session.flush()
    changes: dict[str, list[str | None]] = {"state": [before.state.value, after.state.value]}
    if before.snoozed_until != after.snoozed_until:
        changes["snoozed_until"] = [
            None if d is None else d.isoformat() for d in (before.snoozed_until,
                                                            after.snoozed_until)]
    if not audited:
        return after
    audit.record(session, ctx, action="update", entity="reminder_state", entity_id=row.id,
                 summary=f"{label} {verb}", changes=changes)
    return after


def _changing(ctx: ServiceContext, work: Callable[[Session], object]) -> None:
    """Runs `work` in one transaction, and once more when another stackadmin (a second
    window, the CLI from cron) wrote the same reminder's row meanwhile: both found no row
    and both inserted it (the unique key refuses the second, or SQLite refuses a write on a
    stale read). The second run finds the row and applies the transition to it."""
    try:
        with ctx.transaction() as session:
            work(session)
    except (IntegrityError, OperationalError):
        with ctx.transaction() as session:
            work(session)


def mark_shown(ctx: ServiceContext, keys: Iterable[ReminderKey]) -> int:
    """Records that these reminders were put in front of the user (popup or notification):
    they are no longer news, so they neither pop up nor notify again. Returns how many.
    Not an audit event: showing changes nothing in the inventory (the row keeps when it
    was first shown, `shown_at`), and a hundred "shown" lines buried the real changes."""
    wanted = list(keys)

    def work(session: Session) -> None:
        for key in wanted:
            _change(session, ctx, key, "shown", rules.shown, audited=False)

    _changing(ctx, work)
    return len(wanted)


def snooze(ctx: ServiceContext, key: ReminderKey, *, days: int | None = None,
           until: date | None = None) -> date:
    """Hides the reminder until a date (`days`=1 a day, 7 a week, or `until`); returns it."""
    today = ctx.today()
    end = rules.snooze_until(today, days=days, until=until)
    _changing(ctx, lambda session: _change(session, ctx, key, f"snoozed until {end.isoformat()}",
                                           lambda mark: rules.snoozed(mark, end, today)))
    return end


def acknowledge(ctx: ServiceContext, key: ReminderKey) -> None:
    """Hides this reminder for good; the next lead (or the missed notice) still comes."""
    _changing(ctx, lambda session: _change(session, ctx, key, "acknowledged",
                                           rules.acknowledged))


def snooze_many(ctx: ServiceContext, keys: Iterable[ReminderKey], *, days: int | None = None,
                until: date | None = None) -> date:
    """Snoozes several reminders to the same day, in one transaction (all or none)."""
    wanted = list(keys)
    today = ctx.today()
    end = rules.snooze_until(today, days=days, until=until)

    def work(session: Session) -> None:
        for key in wanted:
            _change(session, ctx, key, f"snoozed until {end.isoformat()}",
                    lambda mark: rules.snoozed(mark, end, today))

    _changing(ctx, work)
    return end


def acknowledge_many(ctx: ServiceContext, keys: Iterable[ReminderKey]) -> int:
    """Acknowledges several reminders in one transaction; returns how many."""
    wanted = list(keys)

    def work(session: Session) -> None:
        for key in wanted:
            _change(session, ctx, key, "acknowledged", rules.acknowledged)

    _changing(ctx, work)
    return len(wanted)


def decide_many(ctx: ServiceContext, renewals: Iterable[tuple[int, date]],
                decision: Decision | str, *, note: str | None = None) -> list[DecisionRow]:
    """The same decision (and note) on several terms' renewals, each (term id, renewal
    date), in one transaction: all are recorded or none."""
    wanted = list(renewals)
    if not wanted:
        raise ValidationError("select at least one renewal to decide on")
    with ctx.transaction() as session:
        return [_decide(session, ctx, term_id, decision, note=note, renewal_date=renewal,
                        day=ctx.today()) for term_id, renewal in wanted]


def decide(ctx: ServiceContext, term_id: int, decision: Decision | str, *,
           note: str | None = None, renewal_date: date | None = None,
           as_of: date | None = None) -> DecisionRow:
    """Records renew / renegotiate / cancel for the term's renewal (the one in play on `as_of`
    unless `renewal_date` is given): its reminders end. `undecided` withdraws a decision."""
    with ctx.transaction() as session:
        return _decide(session, ctx, term_id, decision, note=note, renewal_date=renewal_date,
                       day=as_of or ctx.today())


def _decide(session: Session, ctx: ServiceContext, term_id: int, decision: Decision | str, *,
            note: str | None, renewal_date: date | None, day: date) -> DecisionRow:
    choice = Decision(parse_choice(decision.value if isinstance(decision, Decision)
                                   else decision, Decision, "decision"))
    clean_note = optional_text(note, "note", 10_000, multiline=True)
    term = get_or_404(session, SubscriptionTerm, term_id, "subscription term")
    renewal = renewal_date
    if renewal is None:
        rows = load_rows(session, day, term_ids=[term_id])
        if not rows:
            raise ValidationError(
                f"{term.tool.name} {term.plan}".strip()
                + f" has no renewal to decide on (status {term.status}, "
                f"renewal date {term.renewal_date or 'not set'})")
        renewal = rows[0].renewal_date
    name = f"{term.tool.name} {term.plan}".strip()
    row = session.scalars(select(TermDecision).where(
        TermDecision.term_id == term_id, TermDecision.renewal_date == renewal)).first()
    before = None if row is None else row.decision
    before_note = None if row is None else row.note
    if choice is Decision.UNDECIDED:
        if row is not None:
            audit.record(session, ctx, action="delete", entity="term_decision",
                         entity_id=row.id,
                         summary=f"decision on {name} renewal {renewal} withdrawn",
                         changes={"decision": [before, None]})
            session.delete(row)
        return DecisionRow(term_id, term.tool.name, term.plan, renewal, choice, None,
                           ctx.actor, None)
    if row is None:
        row = TermDecision(term_id=term_id, renewal_date=renewal)
        session.add(row)
    row.decision = choice.value
    row.note = clean_note
    row.decided_by = ctx.actor
    row.decided_at = utcnow()
    session.flush()
    changes: dict[str, list[str | None]] = {"decision": [before, choice.value]}
    if before_note != clean_note:
        changes["note"] = [before_note, clean_note]
    audit.record(session, ctx, action="create" if before is None else "update",
                 entity="term_decision", entity_id=row.id,
                 summary=f"decision on {name} renewal {renewal}: {choice.value}",
                 changes=changes)
    return DecisionRow(term_id, term.tool.name, term.plan, renewal, choice, row.note,
                       row.decided_by, row.decided_at)
