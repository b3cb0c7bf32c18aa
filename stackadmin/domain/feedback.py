"""Satisfaction feedback on tools: a score 1–5 as survey forms write it, and the trend of a
tool's average across rounds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from stackadmin.domain.scorecard import SCORE_MAX, SCORE_MIN
from stackadmin.errors import ValidationError

# The five-point answers survey tools offer when the scale is labelled in words.
_WORDS = {
    "very dissatisfied": 1, "dissatisfied": 2, "neutral": 3, "neither satisfied nor "
    "dissatisfied": 3, "satisfied": 4, "very satisfied": 5,
    "very poor": 1, "poor": 2, "fair": 3, "good": 4, "very good": 5, "excellent": 5,
    "strongly disagree": 1, "disagree": 2, "neither agree nor disagree": 3, "agree": 4,
    "strongly agree": 5,
}
# "4", "4.0" (a spreadsheet's number), "4/5", "4 - Satisfied", "4 (satisfied)", "4 stars".
_LEADING = re.compile(r"^([0-9]+)(?:\.0+)?\s*(?:/\s*5)?(?:\s*(?:[-–:(]|stars?\b).*)?$")


def parse_satisfaction(text: str) -> int:
    """A form's answer on the 1–5 scale: a number, "4 - Satisfied", "4/5", or the scale's
    words ("Very satisfied"). Anything else is a ValidationError in words."""
    value = " ".join((text or "").strip().lower().split())
    if not value:
        raise ValidationError("is empty: expected a score from 1 to 5")
    if value in _WORDS:
        return _WORDS[value]
    match = _LEADING.match(value)
    if match:
        score = int(match.group(1))
        if SCORE_MIN <= score <= SCORE_MAX:
            return score
        raise ValidationError(f"is outside the scale: expected {SCORE_MIN} to {SCORE_MAX}")
    raise ValidationError("is not a score from 1 to 5 (a number, e.g. 4, or the scale's "
                          "words, e.g. Satisfied)")


@dataclass(frozen=True, slots=True)
class RoundScore:
    """A tool's average in one round."""

    round_id: int
    round: str
    average: Decimal
    responses: int


def change(trend: Sequence[RoundScore]) -> Decimal | None:
    """The latest average minus the one before it; None with fewer than two rounds."""
    if len(trend) < 2:
        return None
    return trend[-1].average - trend[-2].average
