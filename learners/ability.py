"""The ability model: an Elo-style estimate per student and topic, and a difficulty per item.

Both live on the logit scale of the Rasch model: a student of ability a answers an item of
difficulty d correctly with probability 1 / (1 + exp(d - a)). Each first-attempt response moves
both estimates towards what it showed, by the Elo rule: ability up and difficulty down by
K * (outcome - predicted), each with its own K.

Why Elo rather than fitting a Rasch/IRT model: the Elo update is O(1) per response and online,
so an answer updates the estimates inside its own transaction with no batch refit over the whole
response table; it gives usable estimates from the very first response; and it is well studied
for adaptive practice (Pelánek 2016, "Applications of the Elo rating system in adaptive
educational systems", Computers & Education 98). It is the online (stochastic gradient)
approximation of the Rasch model's maximum-likelihood fit, and predicted success is the Rasch
logistic, so the estimates keep the meaning of Rasch parameters.

K follows Pelánek's uncertainty function K(n) = A / (1 + B * n), n being the responses the
estimate already rests on: a new student or item moves fast, a well-measured one slowly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The chance of success that new items are chosen for: hard enough to teach, easy enough that
# the student mostly succeeds (the commonly used 0.6 to 0.75 band of adaptive practice systems).
TARGET_SUCCESS = 0.7
# A topic the student has never practised starts at the population mean of the logit scale.
PRIOR_ABILITY = 0.0
# Pelánek's recommended uncertainty function constants (alpha = 1, beta = 0.05).
K_START = 1.0
K_DECAY = 0.05


@dataclass(frozen=True)
class Estimate:
    """A logit-scale estimate and the number of responses it rests on."""

    value: float
    responses: int


def uncertainty(responses: int) -> float:
    """Return the Elo step size K for an estimate resting on `responses` responses."""
    return K_START / (1 + K_DECAY * responses)


def predicted_success(*, ability: float, difficulty: float) -> float:
    """Return the Rasch probability that a student of `ability` answers an item correctly."""
    # Written so that exp never overflows for extreme differences.
    gap = ability - difficulty
    if gap >= 0:
        return 1.0 / (1.0 + math.exp(-gap))
    odds = math.exp(gap)
    return odds / (1.0 + odds)


def update(
    *, ability: Estimate, difficulty: Estimate, is_correct: bool
) -> tuple[Estimate, Estimate]:
    """Return the student's ability and the item's difficulty after one first-attempt answer."""
    surprise = float(is_correct) - predicted_success(
        ability=ability.value, difficulty=difficulty.value
    )
    return (
        Estimate(
            value=ability.value + uncertainty(ability.responses) * surprise,
            responses=ability.responses + 1,
        ),
        Estimate(
            value=difficulty.value - uncertainty(difficulty.responses) * surprise,
            responses=difficulty.responses + 1,
        ),
    )


def difficulty_for(*, ability: float, target: float = TARGET_SUCCESS) -> float:
    """Return the item difficulty that a student of `ability` answers with `target` success."""
    if not 0.0 < target < 1.0:
        raise ValueError("target must lie strictly between 0 and 1")
    return ability - math.log(target / (1.0 - target))
