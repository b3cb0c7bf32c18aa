"""What the Savings and Tools pages show: unused seats grouped by tool and reason, missing
exchange rates in words, utilization and due rightsizing per tool (plain data, no Qt)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from stackadmin.domain.utilization import UnusedReason
from stackadmin.services.context import ServiceContext
from stackadmin.services.seats import utilization
from stackadmin.services.seats.utilization import SeatStatus, UtilizationReport

UNASSIGNED = "unassigned"  # a group of seats paid for and held by nobody
EXEMPT = "exempt"  # seats kept on purpose: not unused, listed so an exemption can be cleared

# In the rules' order of precedence, then the two that are not unused-seat reasons.
REASON_ORDER: tuple[str, ...] = (*(r.value for r in UnusedReason), UNASSIGNED, EXEMPT)
REASON_WORDS: dict[str, str] = {
    UnusedReason.DEPARTED.value: "person departed",
    UnusedReason.SUSPENDED.value: "suspended",
    UnusedReason.PENDING_INVITE.value: "invitation not accepted",
    UnusedReason.NEVER_ACTIVE.value: "never active",
    UnusedReason.INACTIVE.value: "inactive",
    UNASSIGNED: "unassigned (paid, held by nobody)",
    EXEMPT: "exempt",
}
_RANK = {reason: n for n, reason in enumerate(REASON_ORDER)}
_ZERO = Decimal(0)


def reason_words(reason: str | None) -> str:
    return "" if reason is None else REASON_WORDS.get(reason, reason.replace("_", " "))


def seat_reason(seat: SeatStatus) -> str:
    """The seat's reason key: an UnusedReason value, or "exempt"."""
    return seat.reason.value if seat.reason is not None else EXEMPT


@dataclass(frozen=True, slots=True)
class SavingsGroup:
    """The seats of one tool with one reason, and what reclaiming them saves a year."""

    tool_id: int
    tool: str
    reason: str  # an UnusedReason value or UNASSIGNED
    seats: int
    seat_price_base: Decimal | None  # per seat a year; None when a rate is missing
    annual_cost_base: Decimal | None  # seats × price; None when a rate is missing
    missing_rates: tuple[str, ...] = ()

    @property
    def reason_text(self) -> str:
        return reason_words(self.reason)


@dataclass(frozen=True, slots=True)
class SavingsView:
    as_of: date
    base_currency: str
    seats: list[SeatStatus]  # unused seats, then exempt seat holders
    groups: list[SavingsGroup]
    total_savings_base: Decimal  # equals utilization.compute(...).total_savings_base
    seats_unused: int
    seats_unassigned: int
    seats_exempt: int
    tools_counted: int
    missing_notes: tuple[str, ...]  # a sentence per currency without a rate
    tool_missing: dict[int, tuple[str, ...]]  # tool id -> currencies without a rate

    @property
    def unused(self) -> list[SeatStatus]:
        return [s for s in self.seats if s.reason is not None]


def missing_rate_notes(report: UtilizationReport) -> tuple[str, ...]:
    """One sentence per currency without a rate to the base currency, naming what is left
    out, e.g. "EUR has no rate to USD: the costs of 3 tools (A, B, C) are not counted"."""
    notes = []
    for currency in report.missing_rates:
        tools = [t.tool for t in report.tools if currency in t.missing_rates]
        names = ", ".join(tools[:5]) + (f" and {len(tools) - 5} more" if len(tools) > 5 else "")
        what = "the costs of 1 tool" if len(tools) == 1 else f"the costs of {len(tools)} tools"
        notes.append(f"{currency} has no rate to {report.base_currency}: {what} ({names}) "
                     "are not counted in the savings. Add the rate in Settings.")
    return tuple(notes)


def groups_of(report: UtilizationReport, unused: list[SeatStatus]) -> list[SavingsGroup]:
    """Unused seats by tool and reason, plus each tool's unassigned seats: their costs add up
    to each tool's potential savings."""
    counts = Counter((s.tool_id, s.reason.value) for s in unused if s.reason is not None)
    out = []
    for fig in report.tools:
        price = fig.savings_per_seat_base
        reasons = sorted((r for (tid, r) in counts if tid == fig.tool_id), key=_RANK.__getitem__)
        wanted = [(r, counts[(fig.tool_id, r)]) for r in reasons]
        if fig.seats_unassigned:
            wanted.append((UNASSIGNED, fig.seats_unassigned))
        for reason, n in wanted:
            out.append(SavingsGroup(fig.tool_id, fig.tool, reason, n, price,
                                    None if price is None else price * n, fig.missing_rates))
    return out


def groups_from_figures(report: UtilizationReport) -> list[SavingsGroup]:
    """The same groups as `groups_of`, from the tools' figures alone (the counts by reason
    the database made): what the page shows before the seats themselves are read."""
    out = []
    for fig in report.tools:
        price = fig.savings_per_seat_base
        wanted = sorted(fig.unused_by_reason.items(), key=lambda kv: _RANK[kv[0]])
        if fig.seats_unassigned:
            wanted.append((UNASSIGNED, fig.seats_unassigned))
        for reason, n in wanted:
            out.append(SavingsGroup(fig.tool_id, fig.tool, reason, n, price,
                                    None if price is None else price * n, fig.missing_rates))
    return out


def savings_summary(ctx: ServiceContext, as_of: date | None = None,
                    report: UtilizationReport | None = None) -> SavingsView:
    """The Savings page's groups and totals without the seats (`seats` empty): from the
    figures alone, so the page shows them before the seats are read. `report`: one computed
    already for that day (the window shares one)."""
    day = as_of or ctx.today()
    if report is None or report.as_of != day:
        report = utilization.compute(ctx, day)
    total = report.total
    return SavingsView(
        as_of=report.as_of, base_currency=report.base_currency, seats=[],
        groups=groups_from_figures(report), total_savings_base=report.total_savings_base,
        seats_unused=total.seats_unused if total else 0,
        seats_unassigned=(total.seats_unassigned or 0) if total else 0,
        seats_exempt=total.seats_exempt if total else 0,
        tools_counted=total.tools_counted if total else 0,
        missing_notes=missing_rate_notes(report),
        tool_missing={t.tool_id: t.missing_rates for t in report.tools if t.missing_rates},
    )


def savings_view(ctx: ServiceContext, as_of: date | None = None,
                 report: UtilizationReport | None = None) -> SavingsView:
    """The Savings page's data as of a date (today by default), from one utilization run
    (`report`, when one was computed for that day already)."""
    day = as_of or ctx.today()
    if report is None or report.as_of != day:
        report = utilization.compute(ctx, day)
    seats = report.unused_or_exempt()
    unused = [s for s in seats if s.reason is not None]
    exempt = [s for s in seats if s.exempt and s.holds_seat]
    # Grouped for reading: by tool, then reason in the rules' order, then longest idle.
    unused.sort(key=lambda s: (s.tool.casefold(), _RANK[seat_reason(s)],
                               -(s.days_inactive or 0), s.email or ""))
    exempt.sort(key=lambda s: (s.tool.casefold(), s.email or ""))
    total = report.total
    return SavingsView(
        as_of=report.as_of, base_currency=report.base_currency, seats=unused + exempt,
        groups=groups_of(report, unused), total_savings_base=report.total_savings_base,
        seats_unused=len(unused), seats_unassigned=(total.seats_unassigned or 0) if total else 0,
        seats_exempt=len(exempt), tools_counted=total.tools_counted if total else 0,
        missing_notes=missing_rate_notes(report),
        tool_missing={t.tool_id: t.missing_rates for t in report.tools if t.missing_rates},
    )


def total_of(groups: list[SavingsGroup]) -> Decimal:
    return sum((g.annual_cost_base or _ZERO for g in groups), _ZERO)


# -- the directory reconciliation, one line per flagged account ---------------------------

ACTIVE_AFTER_LEAVING = "used after leaving"  # a red flag: access outlived the offboarding
UNKNOWN_USER = "unknown user"
DEPARTED_HOLDER = "departed, still holds a seat"
DUPLICATE = "duplicate account"
FINDINGS = (ACTIVE_AFTER_LEAVING, UNKNOWN_USER, DEPARTED_HOLDER, DUPLICATE)


@dataclass(frozen=True, slots=True)
class DirectoryLine:
    finding: str  # one of FINDINGS
    account_id: int
    tool_id: int
    tool: str
    email: str | None
    external_id: str | None  # the vendor's id of the account
    person_id: int | None  # for an unknown user: the person with the same email, if any
    person: str | None
    status: str
    last_activity: datetime | None
    detail: str


@dataclass(frozen=True, slots=True)
class DirectoryView:
    as_of: date
    directory_sources: tuple[str, ...]
    lines: list[DirectoryLine]
    unknown_users: int
    departed_people: int
    departed_seats: int
    duplicate_groups: int
    active_after_leaving: int = 0  # accounts used after their person's last day


def directory_view(ctx: ServiceContext, as_of: date | None = None) -> DirectoryView:
    """The reconciliation as rows for one table (the Savings page's Directory tab)."""
    from stackadmin.services.seats.reconcile import reconcile

    report = reconcile(ctx, as_of)
    lines: list[DirectoryLine] = []
    for f in report.active_after_leaving:
        a = f.account
        days = "day" if f.days_after == 1 else "days"
        lines.append(DirectoryLine(
            ACTIVE_AFTER_LEAVING, a.account_id, a.tool_id, a.tool, f.email, a.external_id,
            f.person_id, f.person, a.status, a.last_activity,
            f"{f.person} left on {f.end_date.isoformat()} and used {a.tool} "
            f"{f.days_after:,} {days} later: check the access was removed"))
    for u in report.unknown_users:
        a = u.account
        detail = (f"{u.suggested_person} has this email: the account is not linked to them"
                  if u.suggested_person else "No person in the people list has this email")
        lines.append(DirectoryLine(UNKNOWN_USER, a.account_id, a.tool_id, a.tool, a.email,
                                   a.external_id, u.suggested_person_id, u.suggested_person,
                                   a.status, a.last_activity, detail))
    for h in report.departed_holders:
        left = f"left on {h.end_date.isoformat()}" if h.end_date else "marked departed"
        for a in h.accounts:
            lines.append(DirectoryLine(
                DEPARTED_HOLDER, a.account_id, a.tool_id, a.tool, a.email or h.email,
                a.external_id, h.person_id, h.person, a.status, a.last_activity,
                f"{h.person} {left}; {len(h.accounts)} "
                f"{'seat' if len(h.accounts) == 1 else 'seats'} still held"))
    for d in report.duplicates:
        for a in d.accounts:
            lines.append(DirectoryLine(
                DUPLICATE, a.account_id, d.tool_id, d.tool, a.email, a.external_id,
                d.person_id, d.person,
                a.status, a.last_activity,
                f"{d.person or d.email} holds {len(d.accounts)} accounts in {d.tool}"))
    return DirectoryView(
        report.as_of, report.directory_sources, lines, len(report.unknown_users),
        len(report.departed_holders), sum(len(h.accounts) for h in report.departed_holders),
        len(report.duplicates), len(report.active_after_leaving))
