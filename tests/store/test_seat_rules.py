"""The seat rules as SQL agree with the domain functions, seat by seat and in the counts, on
random seats (SQLite, and PostgreSQL with --pg-url): one place states each rule, the other
mirrors it, and this is what keeps them the same."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from stackadmin.domain.utilization import (
    SeatCounts,
    SeatFacts,
    UnusedReason,
    activity_judged,
    activity_unknown,
    holds_seat,
    is_active,
    may_be_unused,
    person_departed,
    unused_reason,
)
from stackadmin.domain.vocab import AccountStatus
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Account, Person, Tool
from stackadmin.store.seat_rules import (
    count_active,
    count_seats,
    flag,
    seat_rules,
    seat_source,
    thresholds_in_use,
)
from tests.conftest import TODAY

DEFAULT_DAYS = 60
_names = itertools.count()

# A moment as (days before the as-of date, or None: that many days past the threshold,
# minute of the day): near the threshold and at midnight and a minute before it are where a
# rule comparing timestamps carelessly would slip by a day.
moments = st.tuples(st.sampled_from(["days", "past threshold", "past threshold"]),
                    st.integers(min_value=-5, max_value=200),
                    st.sampled_from([0, 0, 23 * 60 + 59, 12 * 60]))
people = st.one_of(
    st.none(),  # matched to nobody
    st.tuples(st.sampled_from(["active", "departed"]),
              st.none() | st.integers(min_value=-30, max_value=30)))  # end date vs as-of
rarely = st.sampled_from([False, False, False, True])
seats = st.fixed_dictionaries({
    "status": st.sampled_from([s.value for s in AccountStatus]),
    "last": st.one_of(moments, moments, moments, st.none()),
    "known": st.sampled_from([True, True, True, False]),
    "first": moments,
    "invited": st.none() | moments,
    "bot": rarely,
    "exempt": rarely,
    "person": people,
    "billable": st.sampled_from([None, None, True, False]),  # False: the vendor bills none
    "cancelling": rarely,  # the vendor cancels the seat (Copilot's pending cancellation)
})


def _moment(drawn: tuple[str, int, int] | None, as_of: date, days: int) -> datetime | None:
    if drawn is None:
        return None
    kind, value, minute = drawn
    before = days + value % 3 - 1 if kind == "past threshold" else value
    return datetime.combine(as_of - timedelta(days=before), time(), tzinfo=UTC) + timedelta(
        minutes=minute)


def _seat(drawn: dict[str, Any], as_of: date, days: int) -> dict[str, Any]:
    return {**drawn, **{k: _moment(drawn[k], as_of, days) for k in ("last", "first",
                                                                     "invited")}}


def _facts(seat: dict[str, Any], as_of: date) -> tuple[SeatFacts, bool]:
    person = seat["person"]
    end = None if person is None or person[1] is None else as_of + timedelta(days=person[1])
    facts = SeatFacts(status=AccountStatus(seat["status"]), last_activity=seat["last"],
                      activity_known=seat["known"], first_seen=seat["first"],
                      invited_at=seat["invited"], exempt=seat["exempt"], is_bot=seat["bot"],
                      person_departed=person is not None and person[0] == "departed",
                      person_end_date=end,
                      pending_cancellation=as_of + timedelta(days=9) if seat["cancelling"]
                      else None,
                      billable=seat["billable"])
    departed = person_departed(facts.person_departed, end, as_of)
    return facts, departed


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threshold=st.none() | st.integers(min_value=1, max_value=90),
       other_threshold=st.none() | st.integers(min_value=1, max_value=90),
       as_of_shift=st.integers(min_value=-3, max_value=3),
       drawn=st.lists(seats, max_size=14))
def test_sql_and_domain_classify_every_seat_alike(
        ctx: ServiceContext, threshold: int | None, other_threshold: int | None,
        as_of_shift: int, drawn: list[dict[str, Any]]) -> None:
    as_of = TODAY + timedelta(days=as_of_shift)
    days = threshold or DEFAULT_DAYS
    _agree(ctx, as_of, threshold, other_threshold, [_seat(s, as_of, days) for s in drawn])


def test_sql_and_domain_agree_on_every_boundary(ctx: ServiceContext) -> None:
    """Every status, activity a day either side of the threshold (at midnight and a minute
    before it), invitations and first sightings likewise, people who left or not."""
    near = [None, *(("past threshold", shift, minute) for shift in (0, 1, 2)
                    for minute in (0, 23 * 60 + 59))]
    grid = [{"status": status, "last": last, "known": known, "first": first,
             "invited": invited, "bot": False, "exempt": False, "person": person,
             "billable": None, "cancelling": False}
            for status in [s.value for s in AccountStatus]
            for last in near for known in (True, False) for first in near[1:]
            for invited in (near if status == AccountStatus.INVITED.value else [None])
            for person in (None, ("departed", None), ("active", 0), ("active", 1))]
    as_of = TODAY
    _agree(ctx, as_of, 45, None, [_seat(s, as_of, 45) for s in grid])


def _agree(ctx: ServiceContext, as_of: date, threshold: int | None,
           other_threshold: int | None, drawn: list[dict[str, Any]]) -> None:
    days = threshold or DEFAULT_DAYS
    n = next(_names)
    with ctx.transaction() as session:
        tool = Tool(name=f"Prop{n}", inactivity_days=threshold)
        # Another tool's threshold in use: the SQL must pick each tool's own.
        session.add_all([tool, Tool(name=f"Other{n}", inactivity_days=other_threshold)])
        session.flush()
        ids = []
        for k, seat in enumerate(drawn):
            person_id = None
            if seat["person"] is not None:
                status, shift = seat["person"]
                person = Person(email=f"p{n}-{k}@example.com", name=f"P {k}", status=status,
                                end_date=None if shift is None else as_of + timedelta(shift))
                session.add(person)
                session.flush()
                person_id = person.id
            row = Account(tool_id=tool.id, person_id=person_id, email=f"a{n}-{k}@example.com",
                          external_id=f"E{k}", status=seat["status"],
                          last_activity=seat["last"], activity_known=seat["known"],
                          first_seen=seat["first"], invited_at=seat["invited"],
                          is_bot=seat["bot"], exempt=seat["exempt"],
                          exempt_reason="kept" if seat["exempt"] else None,
                          billable=seat["billable"],
                          pending_cancellation=(as_of + timedelta(days=9)
                                                if seat["cancelling"] else None))
            session.add(row)
            session.flush()
            ids.append(row.id)
        tool_id = tool.id
    with ctx.read() as session:
        rules = seat_rules(as_of, DEFAULT_DAYS, thresholds_in_use(session, DEFAULT_DAYS))
        rows = {r[0]: r[1:] for r in session.execute(seat_source(select(
            Account.id, rules.reason, flag(rules.active), flag(rules.holds),
            flag(rules.departed), flag(rules.activity_unknown))
            .where(Account.tool_id == tool_id)))}
        counted = count_seats(session, rules, [tool_id]).get(tool_id)
        active_only = count_active(session, rules, [tool_id]).get(tool_id)
    expected = SeatCounts()
    by_reason: dict[str, int] = {}
    for account_id, seat in zip(ids, drawn, strict=True):
        facts, departed = _facts(seat, as_of)
        reason = unused_reason(facts, days, as_of)
        active = is_active(facts, days, as_of)
        holds = holds_seat(facts.status, facts.billable)
        unknown = activity_unknown(holds, facts.is_bot, facts.exempt, facts.activity_known,
                                   reason, facts.pending_cancellation is not None)
        sql_reason, sql_active, sql_holds, sql_departed, sql_unknown = rows[account_id]
        assert (sql_reason, sql_active, sql_holds, sql_departed, sql_unknown) == (
            None if reason is None else reason.value, int(active), int(holds), int(departed),
            int(unknown)), seat
        expected = SeatCounts(
            accounts=expected.accounts + 1, held=expected.held + holds,
            active=expected.active + active, unused=expected.unused + (reason is not None),
            activity_known=expected.activity_known + (holds and facts.activity_known
                                                      and not facts.is_bot),
            activity_unknown=expected.activity_unknown + unknown,
            exempt=expected.exempt + (holds and facts.exempt),
            kept_unknown=expected.kept_unknown + (
                holds and not facts.activity_known and not may_be_unused(
                    holds, facts.exempt, facts.is_bot,
                    facts.pending_cancellation is not None)))
        if reason is not None:
            by_reason[reason.value] = by_reason.get(reason.value, 0) + 1
    if not drawn:
        assert counted is None and active_only is None
        return
    assert counted is not None
    assert counted.counts == expected
    assert counted.unused_by_reason == by_reason
    assert list(counted.unused_by_reason) == list(dict.fromkeys(  # first occurrence order
        r for r in (unused_reason(_facts(s, as_of)[0], days, as_of) for s in drawn)
        if r is not None))
    assert counted.bots == sum(1 for s in drawn
                               if s["bot"] and holds_seat(s["status"], s["billable"]))
    assert counted.cancelling == sum(1 for s in drawn
                                     if s["cancelling"] and holds_seat(s["status"], s["billable"]))
    assert active_only == (expected.active if activity_judged(expected) else None)


def test_every_reason_is_stated_in_sql() -> None:
    rules = seat_rules(TODAY, DEFAULT_DAYS, [30])
    sql = str(rules.reason.compile(compile_kwargs={"literal_binds": True}))
    assert all(f"'{r.value}'" in sql for r in UnusedReason)
