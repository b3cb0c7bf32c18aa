"""The unused-seat rules: each rule, its precedence and its boundary, on plain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.utilization import (
    SeatCounts,
    SeatFacts,
    UnusedReason,
    active_after_leaving,
    activity_judged,
    activity_unknown,
    days_inactive,
    has_seat_data,
    is_active,
    over_allocated,
    recommended_seats,
    savings_seats,
    seats_unassigned,
    unused_reason,
    utilization_pct,
)
from stackadmin.domain.vocab import AccountStatus

D = date(2026, 11, 25)
T = 60


def at(days_before: int, hour: int = 12) -> datetime:
    return datetime.combine(D - timedelta(days=days_before), datetime.min.time(),
                            tzinfo=UTC).replace(hour=hour)


def seat(**kw: object) -> SeatFacts:
    base = SeatFacts(status=AccountStatus.ACTIVE, last_activity=at(1), activity_known=True,
                     first_seen=at(400))
    return replace(base, **kw)  # type: ignore[arg-type]


def reason(s: SeatFacts) -> UnusedReason | None:
    return unused_reason(s, T, D)


def test_a_seat_used_yesterday_is_active_and_not_unused() -> None:
    assert reason(seat()) is None
    assert is_active(seat(), T, D)


def test_exactly_t_days_is_not_yet_inactive_and_t_plus_one_is() -> None:
    assert reason(seat(last_activity=at(T))) is None
    assert is_active(seat(last_activity=at(T)), T, D)
    assert reason(seat(last_activity=at(T + 1))) is UnusedReason.INACTIVE
    assert not is_active(seat(last_activity=at(T + 1)), T, D)


def test_days_are_counted_on_the_utc_date_of_the_last_activity() -> None:
    # Calendar days, not 24-hour periods: any time on that UTC date counts the same.
    assert days_inactive(at(T + 1, hour=0), D) == T + 1
    assert days_inactive(at(T + 1, hour=23), D) == T + 1
    assert days_inactive(None, D) is None
    # A report as of a past day on later data: active since, not -4 days inactive.
    assert days_inactive(at(-4), D) == 0 and days_inactive(at(0, hour=23), D) == 0


def test_never_active_only_after_t_days_since_first_seen() -> None:
    assert reason(seat(last_activity=None, first_seen=at(T))) is None
    assert reason(seat(last_activity=None, first_seen=at(T + 1))) is UnusedReason.NEVER_ACTIVE


def test_unknown_activity_is_never_inactive_nor_never_active_nor_active() -> None:
    unknown = seat(activity_known=False, last_activity=None, first_seen=at(500))
    assert reason(unknown) is None
    assert not is_active(unknown, T, D)
    # Even with a stale timestamp: the source does not report activity.
    assert reason(seat(activity_known=False, last_activity=at(300))) is None


def test_pending_invite_uses_the_invitation_date_else_first_seen() -> None:
    invited = seat(status=AccountStatus.INVITED, last_activity=None, first_seen=at(T),
                   invited_at=at(T))
    assert reason(invited) is None  # invited exactly T days ago: not yet
    assert reason(replace(invited, invited_at=at(T + 1))) is UnusedReason.PENDING_INVITE
    assert reason(replace(invited, invited_at=None)) is None
    assert reason(replace(invited, invited_at=None, first_seen=at(T + 1))) is (
        UnusedReason.PENDING_INVITE)


def test_a_recent_invitation_does_not_hide_a_seat_never_used_for_long() -> None:
    reinvited = seat(status=AccountStatus.INVITED, last_activity=None, first_seen=at(200),
                     invited_at=at(5))
    assert reason(reinvited) is UnusedReason.NEVER_ACTIVE


def test_suspended_seats_are_unused_whatever_their_activity() -> None:
    assert reason(seat(status=AccountStatus.SUSPENDED)) is UnusedReason.SUSPENDED
    assert not is_active(seat(status=AccountStatus.SUSPENDED), T, D)


def test_departed_when_the_end_date_is_on_or_before_the_day() -> None:
    assert reason(seat(person_departed=True, person_end_date=D)) is UnusedReason.DEPARTED
    assert reason(seat(person_departed=True, person_end_date=D + timedelta(days=1))) is None
    assert reason(seat(person_departed=True, person_end_date=None)) is UnusedReason.DEPARTED
    assert not is_active(seat(person_departed=True, person_end_date=D), T, D)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # departed beats suspended, pending invite, never active and inactive
        ({"person_departed": True, "status": AccountStatus.SUSPENDED}, "departed"),
        ({"person_departed": True, "status": AccountStatus.INVITED, "last_activity": None},
         "departed"),
        ({"person_departed": True, "last_activity": None}, "departed"),
        ({"person_departed": True, "last_activity": at(300)}, "departed"),
        # suspended beats never active and inactive
        ({"status": AccountStatus.SUSPENDED, "last_activity": None}, "suspended"),
        ({"status": AccountStatus.SUSPENDED, "last_activity": at(300)}, "suspended"),
        # pending invite beats never active
        ({"status": AccountStatus.INVITED, "last_activity": None, "invited_at": at(300)},
         "pending_invite"),
    ],
)
def test_precedence_gives_the_first_rule_that_applies(facts: dict[str, object],
                                                      expected: str) -> None:
    assert reason(seat(**facts)) == UnusedReason(expected)


@pytest.mark.parametrize("status", [AccountStatus.DEPROVISIONED])
def test_deprovisioned_accounts_hold_no_seat(status: AccountStatus) -> None:
    gone = seat(status=status, last_activity=None, person_departed=True)
    assert reason(gone) is None
    assert not is_active(gone, T, D)


def test_exempt_and_bot_seats_are_never_unused() -> None:
    for kw in ({"exempt": True}, {"is_bot": True}):
        assert reason(seat(last_activity=None, **kw)) is None
        assert reason(seat(person_departed=True, **kw)) is None
        assert reason(seat(status=AccountStatus.SUSPENDED, **kw)) is None


def test_a_bot_used_recently_counts_as_active() -> None:
    assert is_active(seat(is_bot=True), T, D)


_statuses = st.sampled_from(list(AccountStatus))
_days = st.integers(min_value=-30, max_value=1000)


@given(status=_statuses, last=st.none() | _days, first=_days, invited=st.none() | _days,
       known=st.booleans(), exempt=st.booleans(), bot=st.booleans(), departed=st.booleans(),
       threshold=st.integers(min_value=1, max_value=400))
def test_active_and_unused_never_overlap_and_need_a_held_seat(
        status: AccountStatus, last: int | None, first: int, invited: int | None, known: bool,
        exempt: bool, bot: bool, departed: bool, threshold: int) -> None:
    s = SeatFacts(status=status, last_activity=None if last is None else at(last),
                  activity_known=known, first_seen=at(first),
                  invited_at=None if invited is None else at(invited), exempt=exempt,
                  is_bot=bot, person_departed=departed)
    r, active = unused_reason(s, threshold, D), is_active(s, threshold, D)
    assert not (r is not None and active)
    if status is AccountStatus.DEPROVISIONED:
        assert r is None and not active
    if exempt or bot:
        assert r is None
    if r in (UnusedReason.INACTIVE, UnusedReason.NEVER_ACTIVE):
        assert known


# -- a tool's figures from its counted seats ---------------------------------------------

def test_a_tool_without_accounts_has_no_seat_data_and_no_unassigned_seats() -> None:
    none = SeatCounts()
    assert not has_seat_data(none)
    assert seats_unassigned(20, none) is None and savings_seats(20, none) is None
    assert utilization_pct(20, none) is None and recommended_seats(none, 10) is None
    # One account recorded, even deprovisioned, is seat data: the other seats are idle.
    reclaimed = SeatCounts(accounts=1)
    assert seats_unassigned(20, reclaimed) == 20 and savings_seats(20, reclaimed) == 20
    assert utilization_pct(20, reclaimed) == 0


def test_activity_unknown_is_neither_zero_utilization_nor_a_cut_to_zero() -> None:
    unknown = SeatCounts(accounts=16, held=16, unused=1, activity_unknown=15)
    assert not activity_judged(unknown)
    assert utilization_pct(19, unknown) is None
    assert recommended_seats(unknown, 10) is None
    # The reasons that need no activity (a departed person's seat) and idle seats still count.
    assert savings_seats(19, unknown) == 1 + 3


def test_exempt_or_bot_seats_of_a_source_without_activity_leave_activity_unknown() -> None:
    # Every held seat's source reports no activity; the seats are exempt or bots', so none
    # waits to be judged: still nothing is known of their use, which is not 0 % in use.
    kept = SeatCounts(accounts=3, held=3, exempt=2, kept_unknown=3)
    assert not activity_judged(kept)
    assert utilization_pct(5, kept) is None
    assert recommended_seats(kept, 10) is None
    # One seat that reports activity is something to judge by.
    assert activity_judged(SeatCounts(accounts=4, held=4, activity_known=1, kept_unknown=3))


def test_with_some_activity_known_the_unknown_seats_are_kept_and_not_judged() -> None:
    mixed = SeatCounts(accounts=8, held=8, active=3, unused=1, activity_known=4,
                       activity_unknown=4)
    assert activity_judged(mixed)
    # 10 purchased, 4 of them held by seats of unknown activity: 3 of the 6 judged in use.
    assert utilization_pct(10, mixed) == Decimal(50)
    assert recommended_seats(mixed, 10) == 4 + 4  # ceil(3 × 1.1) active, 4 kept
    assert recommended_seats(SeatCounts(accounts=3, held=3, activity_known=3, exempt=3),
                             10) == 3  # never below the exempt seats


def test_without_unknown_seats_utilization_is_active_over_purchased() -> None:
    plain = SeatCounts(accounts=12, held=12, active=9, activity_known=12)
    assert utilization_pct(10, plain) == Decimal(90)
    assert utilization_pct(0, plain) is None  # no seat count: no utilization
    assert over_allocated(10, True, plain) and not over_allocated(12, True, plain)
    assert not over_allocated(0, False, plain)  # a flat fee without a count exceeds nothing


def test_a_seat_is_of_unknown_activity_only_when_no_other_rule_judges_it() -> None:
    assert activity_unknown(True, False, False, False, None)
    assert not activity_unknown(True, False, False, False, UnusedReason.DEPARTED)
    assert not activity_unknown(True, True, False, False, None)  # a bot
    assert not activity_unknown(True, False, True, False, None)  # exempt: kept on purpose
    assert not activity_unknown(False, False, False, False, None)  # holds no seat
    assert not activity_unknown(True, False, False, True, None)


def test_activity_after_the_last_day_is_a_later_utc_date() -> None:
    last_day = D - timedelta(days=30)
    assert active_after_leaving(last_day, at(29))
    assert not active_after_leaving(last_day, at(30, hour=23))  # on the last day itself
    assert not active_after_leaving(None, at(1)) and not active_after_leaving(last_day, None)
