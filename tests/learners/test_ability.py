"""The ability model: Elo updates on the Rasch logit scale, by hand-computed tables."""

from __future__ import annotations

import math
from random import Random

import pytest

from learners.ability import (
    TARGET_SUCCESS,
    Estimate,
    difficulty_for,
    predicted_success,
    uncertainty,
    update,
)


@pytest.mark.parametrize(
    ("ability", "difficulty", "expected"),
    [
        (0.0, 0.0, 0.5),
        (1.0, 0.0, 0.731059),  # 1 / (1 + e^-1)
        (-1.0, 1.0, 0.119203),  # 1 / (1 + e^2)
        (2.0, 2.0, 0.5),
        (800.0, 0.0, 1.0),  # no overflow at absurd gaps
        (-800.0, 0.0, 0.0),
    ],
)
def test_predicted_success_is_the_logistic_of_ability_minus_difficulty(
    ability: float, difficulty: float, expected: float
) -> None:
    assert predicted_success(ability=ability, difficulty=difficulty) == pytest.approx(
        expected, abs=1e-6
    )


@pytest.mark.parametrize(
    ("ability", "difficulty", "is_correct", "new_ability", "new_difficulty"),
    [
        # Both new (K = 1), even odds: each moves by 1 * (1 - 0.5).
        (Estimate(0.0, 0), Estimate(0.0, 0), True, Estimate(0.5, 1), Estimate(-0.5, 1)),
        (Estimate(0.0, 0), Estimate(0.0, 0), False, Estimate(-0.5, 1), Estimate(0.5, 1)),
        # Student after 20 responses (K = 1 / (1 + 0.05 * 20) = 0.5), expected to succeed with
        # 0.731059: a right answer surprises by 0.268941.
        (
            Estimate(1.0, 20),
            Estimate(0.0, 0),
            True,
            Estimate(1.134471, 21),
            Estimate(-0.268941, 1),
        ),
        # Well-measured item (180 responses, K = 0.1), a weak student fails as expected (0.119).
        (
            Estimate(-1.0, 0),
            Estimate(1.0, 180),
            False,
            Estimate(-1.119203, 1),
            Estimate(1.011920, 181),
        ),
    ],
)
def test_update_moves_both_estimates_by_their_own_k_times_the_surprise(
    ability: Estimate,
    difficulty: Estimate,
    is_correct: bool,
    new_ability: Estimate,
    new_difficulty: Estimate,
) -> None:
    got_ability, got_difficulty = update(
        ability=ability, difficulty=difficulty, is_correct=is_correct
    )

    assert got_ability.value == pytest.approx(new_ability.value, abs=1e-6)
    assert got_difficulty.value == pytest.approx(new_difficulty.value, abs=1e-6)
    assert (got_ability.responses, got_difficulty.responses) == (
        new_ability.responses,
        new_difficulty.responses,
    )


@pytest.mark.parametrize("is_correct", [True, False])
def test_equally_measured_student_and_item_move_by_the_same_amount_in_opposite_ways(
    is_correct: bool,
) -> None:
    ability, difficulty = update(
        ability=Estimate(0.3, 12), difficulty=Estimate(-0.4, 12), is_correct=is_correct
    )

    assert ability.value - 0.3 == pytest.approx(-(difficulty.value + 0.4))
    assert (ability.value > 0.3) is is_correct


def test_right_and_wrong_answers_move_the_ability_in_mirror_image_at_even_odds() -> None:
    right, _ = update(ability=Estimate(1.0, 5), difficulty=Estimate(1.0, 5), is_correct=True)
    wrong, _ = update(ability=Estimate(1.0, 5), difficulty=Estimate(1.0, 5), is_correct=False)

    assert right.value - 1.0 == pytest.approx(1.0 - wrong.value)


@pytest.mark.parametrize(
    ("responses", "k"), [(0, 1.0), (20, 0.5), (60, 0.25), (180, 0.1), (1980, 0.01)]
)
def test_k_shrinks_as_responses_accumulate(responses: int, k: float) -> None:
    assert uncertainty(responses) == pytest.approx(k)


@pytest.mark.parametrize(
    ("ability", "target", "difficulty"),
    [
        (0.0, 0.7, -0.847298),  # ln(0.7 / 0.3) below the ability
        (1.0, 0.5, 1.0),
        (0.5, 0.9, -1.697225),
    ],
)
def test_difficulty_for_gives_the_target_success(
    ability: float, target: float, difficulty: float
) -> None:
    found = difficulty_for(ability=ability, target=target)

    assert found == pytest.approx(difficulty, abs=1e-6)
    assert predicted_success(ability=ability, difficulty=found) == pytest.approx(target)


def test_default_target_is_seven_in_ten() -> None:
    assert predicted_success(ability=0.2, difficulty=difficulty_for(ability=0.2)) == pytest.approx(
        TARGET_SUCCESS
    )
    assert TARGET_SUCCESS == 0.7


@pytest.mark.parametrize("target", [0.0, 1.0, 1.5])
def test_impossible_target_is_rejected(target: float) -> None:
    with pytest.raises(ValueError, match="target"):
        difficulty_for(ability=0.0, target=target)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_estimate_converges_to_a_simulated_students_true_ability(seed: int) -> None:
    rng = Random(seed)
    true_ability = 1.0
    estimate = Estimate(0.0, 0)
    for _ in range(1000):
        # Items of known difficulty: their estimates are exact and no longer move.
        difficulty = rng.uniform(-1.0, 3.0)
        p = 1 / (1 + math.exp(difficulty - true_ability))
        estimate, _ = update(
            ability=estimate,
            difficulty=Estimate(difficulty, 10_000),
            is_correct=rng.random() < p,
        )

    assert estimate.value == pytest.approx(true_ability, abs=0.3)
    assert estimate.responses == 1000
