"""Satisfaction answers as forms write them, and which request status may follow which."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stackadmin.domain.feedback import RoundScore, change, parse_satisfaction
from stackadmin.domain.requests import (
    NEXT,
    RequestStatus,
    check_transition,
    parse_status,
    parse_urgency,
)
from stackadmin.errors import ValidationError


@pytest.mark.parametrize(("text", "score"), [
    ("4", 4), (" 5 ", 5), ("3.0", 3), ("4/5", 4), ("4 - Satisfied", 4), ("2 (poor)", 2),
    ("5 stars", 5), ("Very satisfied", 5), ("very  dissatisfied", 1), ("Neutral", 3),
    ("Strongly agree", 5), ("Good", 4),
])
def test_answers_on_the_five_point_scale(text: str, score: int) -> None:
    assert parse_satisfaction(text) == score


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"), ("0", "outside the scale"), ("6", "outside the scale"), ("10/10", "not a score"),
    ("great", "not a score"), ("3.5", "not a score"), ("=1+2", "not a score"),
])
def test_other_answers_are_refused_in_words(text: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_satisfaction(text)


def test_the_change_is_against_the_round_before() -> None:
    a = RoundScore(1, "H1", Decimal("3.5"), 10)
    b = RoundScore(2, "H2", Decimal("3.1"), 8)
    assert change([a]) is None and change([a, b]) == Decimal("-0.4")


def test_requests_move_forward_and_out_and_can_be_reopened() -> None:
    S = RequestStatus
    check_transition(S.NEW, S.TRIAGED)
    check_transition(S.EVALUATING, S.PURCHASED)
    check_transition(S.REJECTED, S.TRIAGED)
    with pytest.raises(ValidationError, match=r"^a new request can become .*not purchased"):
        check_transition(S.NEW, S.PURCHASED)
    with pytest.raises(ValidationError, match=r"^an approved request can become "):
        check_transition(S.APPROVED, S.NEW)
    with pytest.raises(ValidationError, match="final"):
        check_transition(S.PURCHASED, S.NEW)
    with pytest.raises(ValidationError, match="already"):
        check_transition(S.TRIAGED, S.TRIAGED)
    # Every status but purchased has a way on; every open status a way out.
    for status, allowed in NEXT.items():
        assert (not allowed) == (status is S.PURCHASED)
        if status in (S.NEW, S.TRIAGED, S.EVALUATING, S.APPROVED):
            assert S.REJECTED in allowed


def test_status_and_urgency_words() -> None:
    assert parse_status(" Triaged ") is RequestStatus.TRIAGED
    with pytest.raises(ValidationError, match="'done' is not a request status"):
        parse_status("done")
    assert parse_urgency(None).value == "normal"
    with pytest.raises(ValidationError, match="low, normal or high"):
        parse_urgency("urgent")
