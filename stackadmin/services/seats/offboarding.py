"""Person 360 and offboarding: a person's accounts with cost, and the checklist of what was
done with each account of a departed person (reclaimed, transferred, kept with a reason)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stackadmin.domain.utilization import active_after_leaving, person_departed
from stackadmin.domain.values import normalize_email, optional_text, parse_choice
from stackadmin.domain.vocab import AccountStatus, OffboardingOutcome, PersonStatus, Role
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import apply_changes, get_or_404
from stackadmin.services.inventory.people import PersonRow, get_person
from stackadmin.services.records import by_name
from stackadmin.store.models import Account, OffboardingItem, Person, Tool


@dataclass(frozen=True, slots=True)
class PersonAccount:
    id: int
    tool_id: int
    tool: str
    email: str | None
    role: str
    status: str
    last_activity: datetime | None
    activity_known: bool
    annual_cost_base: Decimal | None
    base_currency: str
    outcome: str | None = None
    reason: str | None = None
    transferred_to: str | None = None
    # Used after the person's last day (a red flag: access outlived the offboarding).
    active_after_leaving: bool = False
    exempt: bool = False
    exempt_reason: str | None = None
    theirs: bool = True  # False: transferred to someone else (still on the checklist)
    # The currencies without a rate to the base currency: the seat's cost is then unknown
    # (annual_cost_base None), which is not a flat price.
    missing_rates: tuple[str, ...] = ()

    @property
    def flat_priced(self) -> bool:
        return self.annual_cost_base is None and not self.missing_rates

    @property
    def done(self) -> bool:
        """Dealt with, for the offboarding checklist: an outcome is recorded, or the account
        is deprovisioned already (nothing is left to do with it)."""
        return self.outcome is not None or self.status == AccountStatus.DEPROVISIONED.value

    @property
    def privileged(self) -> bool:
        """An owner or admin of the tool: the accounts to hand over or remove first."""
        return self.role in (Role.OWNER.value, Role.ADMIN.value)

    @property
    def outcome_text(self) -> str:
        if self.outcome is None:
            return "done: deprovisioned" if self.done else ""
        if self.outcome == "transferred" and self.transferred_to:
            return f"transferred to {self.transferred_to}"
        if self.outcome == "kept" and self.reason:
            return f"kept: {self.reason}"
        return self.outcome


@dataclass(frozen=True, slots=True)
class OwnedTool:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PersonView:
    person: PersonRow
    accounts: list[PersonAccount]
    base_currency: str
    as_of: date | None = None
    left: bool = False  # departed as of `as_of` (the last day has passed)
    owned_tools: tuple[OwnedTool, ...] = ()  # tools they own: to hand over once they leave

    @property
    def done(self) -> int:
        return sum(1 for a in self.accounts if a.done)

    @property
    def active_after_leaving(self) -> list[PersonAccount]:
        return [a for a in self.accounts if a.active_after_leaving]

    @property
    def annual_cost_base(self) -> Decimal:
        """What their seats cost a year (per-seat prices; flat-priced tools add nothing)."""
        return sum((a.annual_cost_base for a in self.accounts
                    if a.annual_cost_base is not None), Decimal(0))

    @property
    def flat_priced(self) -> int:
        return sum(1 for a in self.accounts if a.flat_priced)

    @property
    def missing_rates(self) -> tuple[str, ...]:
        """The currencies whose missing rate leaves some of their seats' cost unknown."""
        return tuple(sorted({c for a in self.accounts for c in a.missing_rates}))

    @property
    def cost_unknown(self) -> int:
        return sum(1 for a in self.accounts if a.missing_rates)


def person_view(ctx: ServiceContext, person_id: int) -> PersonView:
    from stackadmin.services.seats import utilization

    person = get_person(ctx, person_id)
    report = utilization.compute(ctx)
    seats = {s.account_id: s for s in report.seats_of_person(person_id)}
    # Tools priced by flat fees only: a seat there costs nothing extra ("flat price").
    flat = {t.tool_id for t in report.tools if t.savings_per_seat_base == 0}
    missing = {t.tool_id: t.missing_rates for t in report.tools if t.missing_rates}
    with ctx.read() as session:
        items: dict[int, OffboardingItem] = {
            i.account_id: i for i in session.scalars(
                select(OffboardingItem).where(OffboardingItem.person_id == person_id))
            if i.account_id is not None}
        # A transferred account now belongs to someone else; the checklist still lists it.
        rows = sorted(session.execute(
            select(Account.id, Account.tool_id, Tool.name, Account.email, Account.role,
                   Account.status, Account.last_activity, Account.activity_known,
                   Account.exempt, Account.exempt_reason)
            .join(Tool, Tool.id == Account.tool_id)
            .where(or_(Account.person_id == person_id, Account.id.in_(list(items))))),
            key=lambda r: (*by_name(r[2]), r[0]))
        names = _names(session, {i.transferred_to_id for i in items.values()})
        owned = tuple(sorted((OwnedTool(i, n) for i, n in session.execute(
            select(Tool.id, Tool.name).where(Tool.owner_id == person_id))),
            key=lambda o: by_name(o.name)))
        theirs = set(session.scalars(select(Account.id).where(
            Account.person_id == person_id)))
    left = person_departed(person.status == PersonStatus.DEPARTED.value, person.end_date,
                           report.as_of)
    accounts = []
    for acc_id, tool_id, tool, email, role, status, last, known, exempt, exempt_reason in rows:
        seat = seats.get(acc_id)
        item = items.get(acc_id)
        if (item is not None and item.outcome == OffboardingOutcome.RECLAIMED.value
                and status != AccountStatus.DEPROVISIONED.value):
            # Reclaimed once, then given back (a rehire, a re-import, a sync): that outcome
            # is history, not what is done with the seat now; it is to be dealt with again.
            item = None
        accounts.append(PersonAccount(
            acc_id, tool_id, tool, email, role, status, last, known,
            None if tool_id in flat else
            seat.annual_cost_base if seat and seat.holds_seat else
            (Decimal(0) if seat else None), report.base_currency,
            item.outcome if item else None, item.reason if item else None,
            names.get(item.transferred_to_id) if item and item.transferred_to_id else None,
            left and known and active_after_leaving(person.end_date, last),
            exempt, exempt_reason, acc_id in theirs,
            missing.get(tool_id, ()) if tool_id not in flat and seat and seat.holds_seat
            and seat.annual_cost_base is None else ()))
    return PersonView(person, accounts, report.base_currency, report.as_of, left, owned)


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    out: dict[int, str] = defaultdict(str)
    for pid, name, email in session.execute(
            select(Person.id, Person.name, Person.email).where(Person.id.in_(wanted))):
        out[pid] = name or email
    return dict(out)


def record_outcome(ctx: ServiceContext, person_id: int, account_id: int, outcome: str, *,
                   reason: str | None = None, transferred_to: str | None = None) -> str:
    """Records what was done with one account of a departed person, audited: `reclaimed`
    (the seat is deprovisioned), `transferred` (to the person with the email
    `transferred_to`), or `kept` (a reason is required). Returns the outcome recorded."""
    with ctx.transaction() as session:
        return record_in(session, ctx, person_id, account_id, outcome, reason=reason,
                         transferred_to=transferred_to)


def record_in(session: Session, ctx: ServiceContext, person_id: int, account_id: int,
              outcome: str, *, reason: str | None = None,
              transferred_to: str | None = None) -> str:
    """`record_outcome` inside the caller's transaction (a batch records many at once)."""
    choice = parse_choice(outcome, OffboardingOutcome, "outcome")
    text = optional_text(reason, "reason", 500)
    person = get_or_404(session, Person, person_id, "person")
    account = get_or_404(session, Account, account_id, "account")
    if person.status != PersonStatus.DEPARTED.value:
        raise ValidationError(f"{person.email} has not departed: mark them departed first")
    if account.person_id != person_id:
        raise ValidationError(f"account {account_id} is not held by {person.email}")
    target: Person | None = None
    if choice == OffboardingOutcome.KEPT and text is None:
        raise ValidationError("reason: say why the account is kept")
    if choice == OffboardingOutcome.TRANSFERRED:
        if not (transferred_to or "").strip():
            raise ValidationError("transfer to: give the email of the person taking over")
        email = normalize_email(transferred_to or "")
        target = session.scalars(select(Person).where(Person.email == email)).first()
        if target is None:
            raise ValidationError(f"transfer to: {email} is not in the people list")
        if target.id == person_id:
            raise ValidationError("transfer to: choose someone other than the leaver")
    tool = session.get(Tool, account.tool_id)
    tool_name = tool.name if tool else ""
    item = session.scalars(select(OffboardingItem).where(
        OffboardingItem.person_id == person_id,
        OffboardingItem.account_id == account_id)).first()
    before = None if item is None else item.outcome
    if item is None:
        item = OffboardingItem(person_id=person_id, account_id=account_id,
                               tool_name=tool_name, outcome=choice, decided_by=ctx.actor)
        session.add(item)
    item.outcome = choice
    item.reason = text
    item.transferred_to_id = target.id if target else None
    item.decided_by = ctx.actor
    session.flush()
    label = f"account {account.email or account.external_id} in {tool_name}"
    if choice == OffboardingOutcome.RECLAIMED:
        apply_changes(session, ctx, account, {"status": AccountStatus.DEPROVISIONED.value},
                      entity="account", label=label)
    elif choice == OffboardingOutcome.TRANSFERRED and target is not None:
        apply_changes(session, ctx, account, {"person_id": target.id}, entity="account",
                      label=label)
    detail = {"transferred": f" to {target.email}" if target else "",
              "kept": f" ({text})"}.get(choice, "")
    audit.record(session, ctx, action="offboard", entity="offboarding_item",
                 entity_id=item.id,
                 summary=f"offboarding {person.email}: {label} {choice}{detail}",
                 changes={"outcome": [before, choice], "reason": [None, text],
                          "transferred_to": [None, target.email if target else None]})
    return str(choice)
