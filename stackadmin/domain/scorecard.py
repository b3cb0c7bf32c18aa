"""Weighted scorecards: criteria and weights, evaluators' 1–5 scores, a candidate's weighted
total and the spread between evaluators.

Means and totals are worked out as exact fractions (a mean of 4, 4 and 5 is 13/3, not
4.3333) and handed out as Decimals, rounded once at the end of the sum (28 digits); round
again to show (`rounded`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from stackadmin.errors import ValidationError

SCORE_MIN = 1
SCORE_MAX = 5
TOTAL_WEIGHT = 100
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str  # what the CLI and JSON call it: fit, adoption, ...
    label: str  # what people read
    weight: int  # a share of 100; 0 keeps the criterion listed but out of the total


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("fit", "Fit to the need", 30),
    Criterion("adoption", "Ease of adoption", 15),
    Criterion("integrations", "Integrations with the tools we have", 15),
    Criterion("security", "Security and compliance review", 15),
    Criterion("price", "Price", 15),
    Criterion("viability", "Vendor viability", 10),
)


@dataclass(frozen=True, slots=True)
class Rating:
    """One evaluator's score of one candidate on one criterion."""

    evaluator: str
    criterion: str
    score: int


@dataclass(frozen=True, slots=True)
class CriterionResult:
    key: str
    weight: int
    mean: Decimal | None  # None: nobody scored it
    count: int
    low: int | None
    high: int | None

    @property
    def spread(self) -> int | None:
        """The widest gap between two evaluators on this criterion."""
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True, slots=True)
class CandidateResult:
    criteria: tuple[CriterionResult, ...]
    # Σ weight × mean / Σ weights of the criteria someone scored (= / 100 when all were).
    weighted_total: Decimal | None
    left_out: tuple[str, ...]  # weighted criteria nobody scored: out of the total
    evaluator_totals: Mapping[str, Decimal]  # each evaluator's own weighted total
    spread: Decimal | None  # highest − lowest evaluator total; None without scores

    def mean(self, key: str) -> Decimal | None:
        return next((c.mean for c in self.criteria if c.key == key), None)

    @property
    def evaluators(self) -> int:
        return len(self.evaluator_totals)


def rounded(value: Decimal | None) -> Decimal | None:
    """A score for people: two decimals, half up (the one rounding)."""
    return None if value is None else value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def parse_score(text: str | int) -> int:
    """A whole number from 1 to 5, or ValidationError naming the value."""
    raw = str(text).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(
            f"a score must be a whole number from {SCORE_MIN} to {SCORE_MAX}, got '{text}'"
        ) from None
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValidationError(
            f"a score must be from {SCORE_MIN} to {SCORE_MAX}, got {value}")
    return value


def parse_weight(text: str | int) -> int:
    raw = str(text).strip().rstrip("%")
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"a weight must be a whole number from 0 to 100, got '{text}'"
                              ) from None
    if not 0 <= value <= TOTAL_WEIGHT:
        raise ValidationError(f"a weight must be from 0 to 100, got {value}")
    return value


def check_key(text: str) -> str:
    key = (text or "").strip().lower()
    if not _KEY.match(key):
        raise ValidationError(
            f"'{text}' is not a criterion key (lower-case letters, digits and _, starting "
            "with a letter, e.g. support_quality)")
    return key


def check_criteria(criteria: Sequence[Criterion]) -> None:
    """Keys unique and well-formed, weights 0–100 summing to 100 with at least one above 0."""
    keys = [check_key(c.key) for c in criteria]
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    if doubled:
        raise ValidationError(f"criterion {', '.join(doubled)} is listed twice")
    for c in criteria:
        parse_weight(c.weight)
    total = sum(c.weight for c in criteria)
    if total != TOTAL_WEIGHT:
        detail = " + ".join(f"{c.key} {c.weight}" for c in criteria)
        raise ValidationError(f"the weights must add up to {TOTAL_WEIGHT}, not {total} "
                              f"({detail})")


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def mean(values: Iterable[int]) -> Decimal | None:
    found = _mean(list(values))
    return None if found is None else _decimal(found)


def _weighted(means: Mapping[str, Fraction | None], weights: Mapping[str, int]
              ) -> tuple[Fraction | None, tuple[str, ...]]:
    scored = {k: m for k, w in weights.items() if w > 0 and (m := means.get(k)) is not None}
    left_out = tuple(k for k, w in weights.items() if w > 0 and means.get(k) is None)
    if not scored:
        return None, left_out
    total = sum((weights[k] * m for k, m in scored.items()), Fraction(0))
    return Fraction(total, sum(weights[k] for k in scored)), left_out


def weighted(means: Mapping[str, Decimal | None], weights: Mapping[str, int]
             ) -> tuple[Decimal | None, tuple[str, ...]]:
    """(Σ weight × mean / Σ weight over the criteria with a mean, the weighted criteria
    without one). With every criterion scored the divisor is the full 100; a criterion
    nobody scored is left out and the others' weights rescaled to make up the whole."""
    total, left_out = _weighted(
        {k: None if v is None else Fraction(v) for k, v in means.items()}, weights)
    return (None if total is None else _decimal(total)), left_out


def score_candidate(criteria: Sequence[Criterion], ratings: Iterable[Rating]
                    ) -> CandidateResult:
    """Per-criterion means, the weighted total and the spread between evaluators.
    A rating of a criterion not in `criteria` is an error (a programming one: the service
    checks keys in words first)."""
    weights = {c.key: c.weight for c in criteria}
    by_criterion: dict[str, list[int]] = defaultdict(list)
    by_evaluator: dict[str, dict[str, Fraction | None]] = defaultdict(dict)
    for r in ratings:
        if r.criterion not in weights:
            raise ValueError(f"unknown criterion {r.criterion!r}")
        by_criterion[r.criterion].append(r.score)
        by_evaluator[r.evaluator][r.criterion] = Fraction(r.score)
    means = {c.key: _mean(by_criterion[c.key]) for c in criteria}
    results = tuple(
        CriterionResult(c.key, c.weight, mean(by_criterion[c.key]), len(by_criterion[c.key]),
                        min(by_criterion[c.key], default=None),
                        max(by_criterion[c.key], default=None))
        for c in criteria)
    total, left_out = _weighted(means, weights)
    own: dict[str, Fraction] = {}
    for evaluator, scores in sorted(by_evaluator.items()):
        value, _ = _weighted(scores, weights)
        if value is not None:  # only zero-weight criteria scored: no total of their own
            own[evaluator] = value
    spread = (max(own.values()) - min(own.values())) if own else None
    return CandidateResult(results, None if total is None else _decimal(total), left_out,
                           {e: _decimal(v) for e, v in own.items()},
                           None if spread is None else _decimal(spread))


def ranking_key(name: str, result: CandidateResult) -> tuple[int, Decimal, str]:
    """Best weighted total first; candidates without one last; then by name."""
    total = result.weighted_total
    return (1, Decimal(0), name.casefold()) if total is None else (0, -total, name.casefold())
