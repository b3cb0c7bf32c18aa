"""Scorecard arithmetic against hand-computed values, and its properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.scorecard import (
    DEFAULT_CRITERIA,
    Criterion,
    Rating,
    check_criteria,
    mean,
    parse_score,
    parse_weight,
    rounded,
    score_candidate,
    weighted,
)
from stackadmin.errors import ValidationError

KEYS = [c.key for c in DEFAULT_CRITERIA]


def ratings(evaluator: str, **scores: int) -> list[Rating]:
    return [Rating(evaluator, k, v) for k, v in scores.items()]


def test_the_default_template_has_the_six_criteria_summing_to_100() -> None:
    assert [(c.key, c.weight) for c in DEFAULT_CRITERIA] == [
        ("fit", 30), ("adoption", 15), ("integrations", 15), ("security", 15), ("price", 15),
        ("viability", 10)]
    check_criteria(DEFAULT_CRITERIA)


def test_every_criterion_scored_by_two_evaluators() -> None:
    # Means 3, 4, 3, 4, 3, 4: (30×3 + 15×4 + 15×3 + 15×4 + 15×3 + 10×4) / 100 = 340 / 100.
    result = score_candidate(DEFAULT_CRITERIA, [
        *ratings("ada", fit=4, adoption=5, integrations=3, security=4, price=2, viability=5),
        *ratings("bob", fit=2, adoption=3, integrations=3, security=4, price=4, viability=3),
    ])
    assert result.weighted_total == Decimal("3.4")
    assert [result.mean(k) for k in KEYS] == [3, 4, 3, 4, 3, 4]
    assert result.left_out == ()
    # Ada's own total 380/100, Bob's 300/100: they are 0.8 apart.
    assert result.evaluator_totals == {"ada": Decimal("3.8"), "bob": Decimal("3")}
    assert result.spread == Decimal("0.8")
    assert [c.spread for c in result.criteria] == [2, 2, 0, 0, 2, 2]
    assert result.evaluators == 2


def test_a_criterion_nobody_scored_is_left_out_and_the_others_rescaled() -> None:
    # Security unscored: 280 / 85 = 3.2941…; Ada 320/85, Bob 240/85, 80/85 apart.
    result = score_candidate(DEFAULT_CRITERIA, [
        *ratings("ada", fit=4, adoption=5, integrations=3, price=2, viability=5),
        *ratings("bob", fit=2, adoption=3, integrations=3, price=4, viability=3),
    ])
    assert result.left_out == ("security",)
    assert result.mean("security") is None
    assert result.weighted_total == Decimal(280) / Decimal(85)
    assert rounded(result.weighted_total) == Decimal("3.29")
    assert result.spread == Decimal(80) / Decimal(85)
    assert rounded(result.spread) == Decimal("0.94")


def test_an_evaluator_who_scored_only_some_criteria_counts_where_they_scored() -> None:
    # Fit: (5 + 3) / 2 = 4, the rest 3 (Bob alone): (120 + 45 + 45 + 45 + 45 + 30) / 100.
    result = score_candidate(DEFAULT_CRITERIA, [
        *ratings("ada", fit=5),
        *ratings("bob", fit=3, adoption=3, integrations=3, security=3, price=3, viability=3),
    ])
    assert result.weighted_total == Decimal("3.3")
    assert result.evaluator_totals == {"ada": Decimal(5), "bob": Decimal(3)}
    assert result.spread == 2


def test_averages_of_three_round_once_at_the_edge() -> None:
    result = score_candidate(DEFAULT_CRITERIA, [Rating("a", "fit", 4), Rating("b", "fit", 4),
                                                Rating("c", "fit", 5)])
    assert result.mean("fit") == Decimal(13) / Decimal(3)
    assert rounded(result.mean("fit")) == Decimal("4.33")
    # Only fit scored: the total is fit's mean, the other 70 points left out.
    assert result.weighted_total == result.mean("fit")
    assert set(result.left_out) == set(KEYS) - {"fit"}


def test_no_scores_no_total_and_no_spread() -> None:
    result = score_candidate(DEFAULT_CRITERIA, [])
    assert result.weighted_total is None and result.spread is None
    assert result.left_out == tuple(KEYS)


def test_a_zero_weight_criterion_is_listed_but_not_counted() -> None:
    criteria = (Criterion("fit", "Fit", 100), Criterion("fun", "Fun", 0))
    result = score_candidate(criteria, [Rating("a", "fit", 2), Rating("a", "fun", 5)])
    assert result.weighted_total == 2 and result.mean("fun") == 5
    assert result.left_out == ()
    only_fun = score_candidate(criteria, [Rating("a", "fun", 5)])
    assert only_fun.weighted_total is None and only_fun.evaluator_totals == {}


def test_a_rating_of_an_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown criterion"):
        score_candidate(DEFAULT_CRITERIA, [Rating("a", "speed", 3)])


@pytest.mark.parametrize("text", ["0", "6", "-1", "3.5", "four", ""])
def test_scores_outside_1_to_5_are_refused_with_the_value(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_score(text)
    assert repr(text)[1:-1] in str(info.value) or text in str(info.value)


def test_scores_inside_the_scale_are_read() -> None:
    assert [parse_score(v) for v in (" 1", "5 ", 3)] == [1, 5, 3]


def test_weights_must_add_up_to_100_and_keys_be_clean() -> None:
    with pytest.raises(ValidationError, match="add up to 100, not 90"):
        check_criteria((Criterion("fit", "Fit", 50), Criterion("price", "Price", 40)))
    with pytest.raises(ValidationError, match="listed twice"):
        check_criteria((Criterion("fit", "Fit", 50), Criterion("fit", "Fit", 50)))
    with pytest.raises(ValidationError, match="not a criterion key"):
        check_criteria((Criterion("Fit!", "Fit", 100),))
    with pytest.raises(ValidationError, match="from 0 to 100"):
        parse_weight("120")
    assert parse_weight("40%") == 40


# -- properties ------------------------------------------------------------------------------
SCORES = st.integers(1, 5)
EVALUATORS = st.sampled_from(["ada", "bob", "chloe", "dmitri"])
RATINGS = st.lists(st.builds(Rating, EVALUATORS, st.sampled_from(KEYS), SCORES), max_size=40,
                   unique_by=lambda r: (r.evaluator, r.criterion))
WEIGHTS = st.lists(st.integers(0, 60), min_size=6, max_size=6).filter(lambda w: sum(w) > 0)


def _criteria(weights: list[int]) -> tuple[Criterion, ...]:
    return tuple(Criterion(k, k, w) for k, w in zip(KEYS, weights, strict=True))


@given(RATINGS, WEIGHTS)
def test_the_total_lies_between_the_lowest_and_highest_mean_counted(
        given_ratings: list[Rating], weights: list[int]) -> None:
    criteria = _criteria(weights)
    result = score_candidate(criteria, given_ratings)
    counted = [r.mean for r in result.criteria if r.weight and r.mean is not None]
    if not counted:
        assert result.weighted_total is None
        return
    assert result.weighted_total is not None
    assert min(counted) <= result.weighted_total <= max(counted)
    assert 1 <= result.weighted_total <= 5


@given(RATINGS, WEIGHTS, st.integers(2, 9))
def test_scaling_every_weight_changes_nothing(given_ratings: list[Rating], weights: list[int],
                                              factor: int) -> None:
    one = score_candidate(_criteria(weights), given_ratings)
    scaled = score_candidate(_criteria([w * factor for w in weights]), given_ratings)
    assert one.weighted_total == scaled.weighted_total
    assert one.spread == scaled.spread


@given(RATINGS, WEIGHTS)
def test_leaving_out_is_the_same_as_dropping_the_criterion(given_ratings: list[Rating],
                                                            weights: list[int]) -> None:
    criteria = _criteria(weights)
    result = score_candidate(criteria, given_ratings)
    kept = tuple(c for c in criteria if c.key not in result.left_out)
    if any(c.weight for c in kept):
        assert score_candidate(kept, given_ratings).weighted_total == result.weighted_total


@given(SCORES, st.lists(EVALUATORS, min_size=1, max_size=4, unique=True), WEIGHTS)
def test_everyone_giving_the_same_score_gives_that_total_and_no_spread(
        value: int, evaluators: list[str], weights: list[int]) -> None:
    result = score_candidate(_criteria(weights), [Rating(e, k, value) for e in evaluators
                                                  for k in KEYS])
    assert result.weighted_total == value
    assert result.spread == 0


@given(RATINGS)
def test_the_spread_is_never_negative_and_zero_for_one_evaluator(
        given_ratings: list[Rating]) -> None:
    result = score_candidate(DEFAULT_CRITERIA, given_ratings)
    if result.spread is not None:
        assert result.spread >= 0
    alone = [r for r in given_ratings if r.evaluator == "ada"]
    if alone:
        assert score_candidate(DEFAULT_CRITERIA, alone).spread == 0


@given(st.lists(SCORES, max_size=30))
def test_the_mean_is_exact(values: list[int]) -> None:
    result = mean(values)
    if not values:
        assert result is None
    else:
        assert result is not None and result * len(values) == pytest.approx(sum(values))
        assert weighted({"fit": result}, {"fit": 30})[0] == result
