"""Adoption over time: a daily snapshot of each tool's seat figures (from the utilization
service, never re-derived here), the 12-month trends read from them, and adoption targets
with the people of the target group who are not active (the training list)."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from stackadmin.domain.money import Money
from stackadmin.domain.vocab import PersonStatus
from stackadmin.errors import UserError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.tools import find_tool
from stackadmin.services.seats import utilization
from stackadmin.services.seats.utilization import UtilizationReport
from stackadmin.store.models import AdoptionSnapshot, AdoptionTarget, Person, Tool

_FIGURES = ("seats_purchased", "seats_held", "seats_active", "seats_unused",
            "seats_activity_unknown", "seats_judged", "annual_cost_minor", "currency")


# -- snapshots --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SnapshotResult:
    day: date
    added: int  # tools snapshotted for the first time today
    refreshed: int  # today's rows whose figures changed since earlier today
    unchanged: int


def _figures(report: UtilizationReport) -> dict[int, dict[str, Any]]:
    out = {}
    for f in report.tools:
        cost = report.money(f.annual_cost_base)
        out[f.tool_id] = {
            # A tool with no account data holds no recorded seat.
            "seats_purchased": f.seats_purchased, "seats_held": f.seats_held or 0,
            "seats_active": f.seats_active, "seats_unused": f.seats_unused,
            "seats_activity_unknown": f.seats_activity_unknown,
            # The report's capacity: a tool has a utilization exactly when it has one.
            "seats_judged": (None if f.utilization_pct is None
                             else f.seats_purchased - f.seats_activity_unknown),
            "annual_cost_minor": None if cost is None else cost.minor,
            "currency": report.base_currency,
        }
    return out


def refresh_snapshot(ctx: ServiceContext, after: str) -> str | None:
    """Today's snapshot taken again after `after` (a sync, an import) changed the seats,
    terms or people. A failure there is logged and said (its words, or None when it worked),
    never raised: the caller's writes are committed, and `stackadmin snapshot` takes it."""
    try:
        take_snapshot(ctx)
    except Exception as exc:
        logging.getLogger(__name__).warning("the adoption snapshot after %s failed", after,
                                            exc_info=True)
        return str(exc) if isinstance(exc, UserError) else "see the log"
    return None


def take_snapshot(ctx: ServiceContext, report: UtilizationReport | None = None
                  ) -> SnapshotResult:
    """Today's snapshot of every tool: one row per tool per day. Run again the same day (after
    a sync or an import) it refreshes today's rows; rows of earlier days are never touched.
    Idempotent: with nothing changed it writes nothing. `report`: today's utilization, when
    the caller has it already."""
    day = ctx.today()
    if report is None or report.as_of != day:
        report = utilization.compute(ctx, day)
    figures = _figures(report)
    for attempt in (1, 2):
        try:
            return _write(ctx, day, figures)
        except IntegrityError:
            # Another process wrote today's first rows meanwhile: the second pass refreshes.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _write(ctx: ServiceContext, day: date, figures: dict[int, dict[str, Any]]
           ) -> SnapshotResult:
    added = refreshed = unchanged = 0
    with ctx.transaction() as session:
        existing = {s.tool_id: s for s in session.scalars(
            select(AdoptionSnapshot).where(AdoptionSnapshot.day == day))}
        for tool_id, values in figures.items():
            row = existing.get(tool_id)
            if row is None:
                session.add(AdoptionSnapshot(tool_id=tool_id, day=day, **values))
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                refreshed += 1
            else:
                unchanged += 1
        if added or refreshed:
            session.flush()
            audit.record(session, ctx, action="snapshot", entity="adoption_snapshot",
                         entity_id=None,
                         summary=f"adoption snapshot {day.isoformat()}: {added} tools added, "
                                 f"{refreshed} refreshed",
                         changes={"day": [None, day.isoformat()], "added": [None, added],
                                  "refreshed": [None, refreshed]})
    return SnapshotResult(day, added, refreshed, unchanged)


def snapshot_taken(ctx: ServiceContext, day: date | None = None) -> bool:
    """Whether any snapshot exists for the day (today by default)."""
    with ctx.read() as session:
        return bool(session.scalar(select(func.count()).where(
            AdoptionSnapshot.day == (day or ctx.today()))))


# -- trends -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Figures on one day (a daily point) or at the end of one month (the month's last
    snapshot); summed over the tools asked for. Cost None: unknown (a rate was missing, or
    the snapshot was in another base currency)."""

    day: date
    seats_purchased: int
    seats_held: int
    seats_active: int
    seats_unused: int
    seats_activity_unknown: int
    annual_cost_base: Decimal | None
    seats_judged: int = 0  # of the tools with a utilization: their capacity
    seats_active_judged: int = 0  # and their active seats

    @property
    def active_pct(self) -> Decimal | None:
        """Active seats over the seats whose use can be judged, of the tools that have a
        utilization, as the utilization report figures it: flat fees without a seat count,
        tools without seat data and those of unknown activity are left out. None when no
        tool has one."""
        if not self.seats_judged:
            return None
        return Decimal(self.seats_active_judged) * 100 / self.seats_judged


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: date  # the first of the month
    point: TrendPoint | None  # None: no snapshot in that month


@dataclass(frozen=True, slots=True)
class Trend:
    tool_id: int | None  # None: every tool
    tool: str | None
    as_of: date
    base_currency: str
    days: list[TrendPoint]  # every day with a snapshot, oldest first
    months: list[MonthPoint]  # the last `months` months, oldest first

    @property
    def first_day(self) -> date | None:
        return self.days[0].day if self.days else None


def trend(ctx: ServiceContext, *, tool: str | None = None, tool_id: int | None = None,
          months: int = 12, as_of: date | None = None) -> Trend:
    """A tool's (or the whole stack's) figures from the snapshots of the last `months`
    months. Nothing is made up for days without a snapshot: history starts when the first
    snapshot was taken."""
    if not 1 <= months <= 120:
        raise ValidationError(f"months must be 1 to 120, got {months}")
    day = as_of or ctx.today()
    start = (day.replace(day=1) - relativedelta(months=months - 1))
    from stackadmin.services.inventory import settings

    with ctx.read() as session:
        base = settings.load(session).base_currency
        name = None
        if tool is not None:
            found = find_tool(session, tool)
            tool_id, name = found.id, found.name
        elif tool_id is not None:
            name = get_or_404(session, Tool, tool_id, "tool").name
        query = (select(AdoptionSnapshot).where(AdoptionSnapshot.day >= start,
                                                AdoptionSnapshot.day <= day)
                 .order_by(AdoptionSnapshot.day))
        if tool_id is not None:
            query = query.where(AdoptionSnapshot.tool_id == tool_id)
        by_day: dict[date, list[AdoptionSnapshot]] = defaultdict(list)
        for snap in session.scalars(query):
            by_day[snap.day].append(snap)
        days = [_sum(d, snaps, base) for d, snaps in sorted(by_day.items())]
    last_of_month: dict[date, TrendPoint] = {}
    for point in days:
        last_of_month[point.day.replace(day=1)] = point
    month_points = [MonthPoint(m, last_of_month.get(m)) for m in
                    (start + relativedelta(months=n) for n in range(months))]
    return Trend(tool_id, name, day, base, days, month_points)


def _sum(day: date, snaps: list[AdoptionSnapshot], base: str) -> TrendPoint:
    cost: Decimal | None = Decimal(0)
    for s in snaps:
        if cost is not None and s.annual_cost_minor is not None and s.currency == base:
            cost += Money(s.annual_cost_minor, s.currency).amount
        else:
            cost = None
    judged = [s for s in snaps if s.seats_judged]
    return TrendPoint(day, sum(s.seats_purchased for s in snaps),
                      sum(s.seats_held for s in snaps), sum(s.seats_active for s in snaps),
                      sum(s.seats_unused for s in snaps),
                      sum(s.seats_activity_unknown for s in snaps), cost,
                      sum(s.seats_judged or 0 for s in judged),
                      sum(s.seats_active for s in judged))


# -- targets and the training list ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrainingPerson:
    """Someone in the target group who is not active in the tool, and why."""

    person_id: int
    name: str
    email: str
    department: str | None
    why: str  # "no account", "inactive", "never active", "activity unknown"...


@dataclass(frozen=True, slots=True)
class TargetStatus:
    tool_id: int
    tool: str
    department: str | None  # None: everyone
    target_pct: int
    group_size: int
    active: int
    not_active: list[TrainingPerson]  # the training list

    @property
    def actual_pct(self) -> Decimal | None:
        return None if not self.group_size else Decimal(self.active) * 100 / self.group_size

    @property
    def met(self) -> bool:
        return self.actual_pct is not None and self.actual_pct >= self.target_pct

    @property
    def group(self) -> str:
        return self.department or "everyone"

    def sentence(self) -> str:
        pct = "—" if self.actual_pct is None else f"{self.actual_pct.quantize(Decimal(1))} %"
        state = "met" if self.met else "not met"
        return (f"target {self.target_pct} % of {self.group} active in {self.tool}: "
                f"{self.active} of {self.group_size} ({pct}), {state}")


def parse_percent(value: int | str) -> int:
    """A target percent as typed ('80', '80 %', ' 80%') or given; 1 to 100, in words
    otherwise."""
    text = str(value).strip().removesuffix("%").strip()
    try:
        pct = int(text)
    except ValueError:
        raise ValidationError(f"target: '{str(value).strip()[:40]}' is not a whole percent "
                              "(1 to 100)") from None
    if not 1 <= pct <= 100:
        raise ValidationError(f"target: {pct} % is outside 1 to 100")
    return pct


def departments(ctx: ServiceContext) -> list[str]:
    """The departments of the people still here, as written, by name: a target's groups."""
    with ctx.read() as session:
        names = session.scalars(select(Person.department).where(
            Person.status == PersonStatus.ACTIVE.value, Person.department.is_not(None))
            .distinct()).all()
    seen: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.strip().lower(), name.strip())
    return sorted(seen.values(), key=str.lower)


def set_target(ctx: ServiceContext, tool: str | int, target_pct: int | str,
               department: str | None = None) -> None:
    """Sets the tool's adoption target (one per tool), audited. `tool`: its name or id. A
    department nobody active belongs to is refused (a typo would make an empty group)."""
    problems: list[str] = []
    pct = 0
    try:
        pct = parse_percent(target_pct)
    except ValidationError as exc:
        problems.extend(exc.problems)
    dept = (department or "").strip() or None
    if dept is not None:
        known = departments(ctx)
        match = next((d for d in known if d.lower() == dept.lower()), None)
        if match is None:
            problems.append(f"department: nobody in the people list is in '{dept[:60]}'"
                            + (f" (departments: {', '.join(known[:12])})" if known else ""))
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        found = (get_or_404(session, Tool, tool, "tool") if isinstance(tool, int)
                 else find_tool(session, tool))
        row = session.scalars(select(AdoptionTarget).where(
            AdoptionTarget.tool_id == found.id)).first()
        before = None if row is None else [row.target_pct, row.department]
        if row is None:
            row = AdoptionTarget(tool_id=found.id, target_pct=pct, department=dept)
            session.add(row)
        row.target_pct, row.department = pct, dept
        session.flush()
        if before != [pct, dept]:
            audit.record(session, ctx, action="update", entity="adoption_target",
                         entity_id=row.id,
                         summary=f"adoption target of {found.name}: {pct} % of "
                                 f"{dept or 'everyone'}",
                         changes={"target": [before, [pct, dept]]})


def clear_target(ctx: ServiceContext, tool: str | int) -> bool:
    """Removes the tool's target (name or id); False when it had none."""
    with ctx.transaction() as session:
        found = (get_or_404(session, Tool, tool, "tool") if isinstance(tool, int)
                 else find_tool(session, tool))
        row = session.scalars(select(AdoptionTarget).where(
            AdoptionTarget.tool_id == found.id)).first()
        if row is not None:
            session.delete(row)
            audit.record(session, ctx, action="delete", entity="adoption_target",
                         entity_id=None, summary=f"adoption target of {found.name} cleared")
        return row is not None


def target_statuses(ctx: ServiceContext, tool_id: int | None = None,
                    report: UtilizationReport | None = None) -> list[TargetStatus]:
    """Each target's status as of today and its training list, by the utilization rules."""
    with ctx.read() as session:
        query = select(AdoptionTarget, Tool.name).join(Tool, Tool.id == AdoptionTarget.tool_id)
        if tool_id is not None:
            query = query.where(AdoptionTarget.tool_id == tool_id)
        targets = [(t.tool_id, name, t.department, t.target_pct)
                   for t, name in session.execute(query)]
        if not targets:
            return []
        people = session.execute(
            select(Person.id, Person.name, Person.email, Person.department, Person.end_date)
            .where(Person.status == PersonStatus.ACTIVE.value)).all()
    day = ctx.today()
    people = [p for p in people if p.end_date is None or p.end_date > day]
    if report is None or report.as_of != day:
        report = utilization.compute(ctx, day)
    wanted = {t[0] for t in targets}
    seats: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for s in report.seats_of(wanted):
        if s.tool_id in wanted and s.person_id is not None and s.holds_seat:
            seats[(s.tool_id, s.person_id)].append(s)
    out = []
    for t_id, name, dept, pct in sorted(targets, key=lambda t: t[1].lower()):
        group = [p for p in people if dept is None
                 or (p.department or "").lower() == dept.lower()]
        active, missing = 0, []
        for p in group:
            held = seats.get((t_id, p.id), [])
            if any(s.active for s in held):
                active += 1
                continue
            missing.append(TrainingPerson(p.id, p.name or p.email, p.email, p.department,
                                          _why(held)))
        missing.sort(key=lambda m: (m.name.lower(), m.email))
        out.append(TargetStatus(t_id, name, dept, pct, len(group), active, missing))
    return out


def _why(held: list[Any]) -> str:
    if not held:
        return "no account"
    seat = held[0]
    if seat.reason is not None:
        return str(seat.reason.value).replace("_", " ")
    if not seat.activity_known:
        return "activity unknown"
    if seat.status == "invited":
        return "invited, not yet active"
    return "not active recently"
