"""Overlaps: two or more paid tools sharing a category or a capability tag, the people active in
more than one, and what moving everyone to the most used one would save a year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from stackadmin.domain.consolidation import Member, consolidate, shared_users
from stackadmin.domain.renewals import current_cycle
from stackadmin.services.buying.paid import (
    PaidInventory,
    PaidTool,
    paid_tools,
    paid_tools_named,
    tools_in_force,
)
from stackadmin.services.buying.tags import tags_by_tool
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.seats.utilization import UtilizationReport
from stackadmin.store.models import SubscriptionTerm, Tool


@dataclass(frozen=True, slots=True)
class Overlap:
    tools: tuple[PaidTool, ...]  # the most active users first; the first is the target
    shared_category: str | None
    shared_tags: tuple[str, ...]
    annual_cost_base: Decimal | None  # all the tools together; None: a rate is missing
    people_in_several: tuple[str, ...]  # names (or emails) of those active in 2+ of them
    target: str  # the tool everyone would move to (the most active users)
    movers: int  # people active only in the others, who would move to the target
    extra_seats: int  # seats to buy for them, once the target's unused seats are taken
    extra_cost_base: Decimal | None
    saving_base: Decimal | None  # the others' annual cost − the extra seats' cost
    missing_rates: tuple[str, ...]

    @property
    def shared(self) -> list[str]:
        """The category, then the tags, the tools have in common."""
        return ([self.shared_category] if self.shared_category else []) + list(
            self.shared_tags)

    @property
    def names(self) -> list[str]:
        return [t.tool for t in self.tools]


@dataclass(frozen=True, slots=True)
class OverlapReport:
    as_of: date
    base_currency: str
    overlaps: list[Overlap]

    @property
    def missing_rates(self) -> tuple[str, ...]:
        return tuple(sorted({c for o in self.overlaps for c in o.missing_rates}))


def _member(t: PaidTool) -> Member:
    return Member(t.tool, t.annual_cost_base, t.price_per_seat_base, t.active_people,
                  t.seats_unused or 0)


def groups(tools: Iterable[PaidTool]) -> list[tuple[tuple[int, ...], str | None,
                                                   tuple[str, ...]]]:
    """(tool ids, shared category, shared tags) for every set of two or more tools sharing a
    category or a tag. A set is listed once, with everything its tools all have in common
    (Miro and FigJam: Design and whiteboard, though whiteboard also takes in Mural)."""
    members = list(tools)
    by_label: dict[tuple[str, str], set[int]] = defaultdict(set)
    for t in members:
        if t.category and t.category.strip():
            by_label[("category", t.category.strip().casefold())].add(t.tool_id)
        for tag in t.tags:
            by_label[("tag", tag)].add(t.tool_id)
    by_id = {t.tool_id: t for t in members}
    out = []
    for ids in sorted({tuple(sorted(ids)) for ids in by_label.values() if len(ids) > 1}):
        group = [by_id[i] for i in ids]
        categories = {(t.category or "").strip().casefold() for t in group}
        category = (group[0].category or "").strip() if len(categories) == 1 else ""
        common = set.intersection(*(set(t.tags) for t in group))
        out.append((ids, category or None, tuple(sorted(common))))
    return out


def find_overlaps(paid: PaidInventory) -> list[Overlap]:
    by_id = paid.by_id()
    out: list[Overlap] = []
    for ids, category, tags in groups(paid.tools):
        tools = [by_id[i] for i in ids]
        result = consolidate([_member(t) for t in tools])
        ordered = sorted(tools, key=lambda t: (t.tool != result.target, -t.seats_active,
                                               t.tool.casefold()))
        costs = [t.annual_cost_base for t in tools]
        missing = tuple(sorted({c for t in tools for c in t.missing_rates}))
        several = sorted((paid.people.get(k, k) for k in result.people_in_several),
                         key=str.casefold)
        out.append(Overlap(
            tuple(ordered), category, tags,
            None if any(c is None for c in costs) else sum(
                (c for c in costs if c is not None), Decimal(0)),
            tuple(several), result.target, len(result.movers), result.extra_seats,
            result.extra_cost, result.saving, missing))
    out.sort(key=lambda o: (o.saving_base is None, -(o.saving_base or Decimal(0)),
                            [n.casefold() for n in o.names]))
    return out


def overlaps(ctx: ServiceContext, as_of: date | None = None,
             report: UtilizationReport | None = None) -> OverlapReport:
    """Every overlap among the tools paid for on the day (today by default), the biggest
    saving first."""
    paid = paid_tools(ctx, as_of, report)
    return OverlapReport(paid.as_of, paid.base_currency, find_overlaps(paid))


def _others_sharing(ctx: ServiceContext, tool_id: int, day: date) -> list[str]:
    """The names of the paid tools sharing a category or tag with this one (cheap: no
    seats are counted), the tool itself first; empty when it overlaps nothing."""
    paid = tools_in_force(ctx, day)
    if tool_id not in paid:
        return []
    with ctx.read() as session:
        tags = tags_by_tool(session, paid)
        rows = session.execute(select(Tool.id, Tool.name, Tool.category).where(
            Tool.id.in_(paid))).all()
    info = {i: (n, (c or "").strip().casefold(), set(tags.get(i, ()))) for i, n, c in rows}
    name, category, mine = info[tool_id]
    others = [n for i, (n, c, t) in info.items()
              if i != tool_id and ((category and c == category) or (mine & t))]
    return [name, *sorted(others, key=str.casefold)] if others else []


NAMED = 3  # the brief names the tools sharing the most users; the rest are counted


def _use(n: int) -> str:
    return "uses" if n == 1 else "use"


def sentence(tool: PaidTool, others: Sequence[PaidTool], days: int | None) -> str:
    """"Miro renews in 40 days; 18 of its 19 active users also use FigJam"."""
    when = ("has no renewal date" if days is None else "renews today" if days == 0
            else "renews tomorrow" if days == 1 else f"renewed {-days} days ago"
            if days < 0 else f"renews in {days} days")
    head = f"{tool.tool} {when}"
    me = _member(tool)
    counts = sorted(((shared_users(me, _member(o)), o.tool) for o in others),
                    key=lambda x: (-x[0], x[1].casefold()))
    active = len(tool.active_people)
    if not active:
        return f"{head}; none of its users is active, and it overlaps " + ", ".join(
            n for _, n in counts)
    shared = [(n, name) for n, name in counts if n]
    if not shared:
        return (f"{head}; it overlaps {', '.join(n for _, n in counts)}, but none of its "
                f"{active} active users uses {'them' if len(counts) > 1 else 'it'}")
    first_n, first = shared[0]
    text = f"{head}; {first_n} of its {active} active users also {_use(first_n)} {first}"
    text += "".join(f", {n} also {_use(n)} {name}" for n, name in shared[1:NAMED])
    rest = len(shared) - NAMED
    more = f"{rest} more tool{'s' if rest != 1 else ''}"
    return text + (f" (and {more} it overlaps)" if rest > 0 else "")


def overlap_sentence(ctx: ServiceContext, term_id: int, as_of: date | None = None
                     ) -> str | None:
    """For the renewal brief of a term whose tool is in an overlap: when it renews and how
    many of its active users are also active in the tools it overlaps. None when its tool
    overlaps nothing (or is not paid for on the day)."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        term = get_or_404(session, SubscriptionTerm, term_id, "subscription term")
        tool_id = term.tool_id
        cycle = None
        if term.renewal_date is not None:
            cycle = current_cycle(term_start=term.term_start, renewal_date=term.renewal_date,
                                  auto_renew=term.auto_renew, notice_days=term.notice_days,
                                  internal_lead_days=term.internal_lead_days, today=day)
    names = _others_sharing(ctx, tool_id, day)
    if not names:
        return None
    tools = paid_tools_named(ctx, names, day)
    mine = next(t for t in tools if t.tool_id == tool_id)
    days = None if cycle is None else (cycle.renewal_date - day).days
    return sentence(mine, [t for t in tools if t.tool_id != tool_id], days)


def brief_notes(ctx: ServiceContext, term_id: int, as_of: date | None = None) -> list[str]:
    """What the renewal brief of a term says about overlaps: the sentence, when its tool is
    in one (the brief's one call into buying)."""
    text = overlap_sentence(ctx, term_id, as_of)
    return [] if text is None else [text]
