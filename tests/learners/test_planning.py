"""The daily planner and the adaptive session's next item, by tables of small inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest

from learners.planning import (
    CandidatePool,
    DayPlan,
    DueReview,
    NewCandidate,
    PlannedItem,
    next_item,
    plan_day,
)

TODAY = date(2025, 5, 10)
MORNING = datetime(2025, 5, 10, 6, 0, tzinfo=UTC)


def due(
    question_id: int, retrievability: float, *, hours_ago: int = 0, topic: int = 1
) -> DueReview:
    return DueReview(
        question_id=question_id,
        topic_id=topic,
        due=MORNING - timedelta(hours=hours_ago),
        retrievability=retrievability,
    )


def new(question_id: int, topic: int = 1, difficulty: float = -0.85) -> NewCandidate:
    return NewCandidate(question_id=question_id, topic_id=topic, difficulty=difficulty)


def plan(
    reviews: list[DueReview],
    candidates: list[NewCandidate] | CandidatePool,
    *,
    goal: int = 20,
    abilities: dict[int, float] | None = None,
    exam_date: date | None = None,
    seen: set[int] | None = None,
) -> DayPlan:
    return plan_day(
        reviews=reviews,
        candidates=candidates,
        abilities=abilities or {},
        goal=goal,
        today=TODAY,
        exam_date=exam_date,
        seen=seen or set(),
    )


def test_due_reviews_come_first_most_forgotten_first() -> None:
    planned = plan(
        [
            due(1, 0.85),
            due(2, 0.60),
            due(3, 0.85, hours_ago=30),  # same recall as 1, due longer ago
            due(4, 0.85, hours_ago=30),  # same as 3: the lower id first
        ],
        [new(10), new(11)],
    )

    assert planned == DayPlan(reviews=[2, 3, 4, 1], new=[10, 11])


@pytest.mark.parametrize(
    ("goal", "reviews", "new_items"),
    [(0, 0, 0), (1, 1, 0), (5, 5, 0), (12, 8, 4), (20, 8, 10), (200, 8, 10)],
)
def test_plan_never_exceeds_the_goal_and_fills_it_when_it_can(
    goal: int, reviews: int, new_items: int
) -> None:
    planned = plan(
        [due(question_id, 0.8) for question_id in range(1, 9)],
        [new(question_id) for question_id in range(100, 110)],
        goal=goal,
    )

    assert (len(planned.reviews), len(planned.new)) == (reviews, new_items)


def test_new_items_come_from_the_weakest_topic_first_in_turn() -> None:
    # Topic 3 was never practised: it counts at the prior, 0.0, between topics 2 and 1.
    candidates = [
        new(question_id, topic=topic)
        for topic in (1, 2, 3)
        for question_id in range(topic * 10, topic * 10 + 3)
    ]

    planned = plan([], candidates, goal=7, abilities={1: 0.5, 2: -1.0})

    topic_of = {candidate.question_id: candidate.topic_id for candidate in candidates}
    assert [topic_of[question_id] for question_id in planned.question_ids] == [2, 3, 1, 2, 3, 1, 2]


@pytest.mark.parametrize(
    ("ability", "chosen"),
    [
        # Success chances at ability 0: item 1 0.50, item 2 0.70, item 3 0.88, item 4 0.27.
        (0.0, 2),
        # At ability 1.0: 0.73, 0.86, 0.95, 0.5: item 1 is nearest 0.7.
        (1.0, 1),
        # At ability -1.5: 0.18, 0.34, 0.62, 0.08: item 3.
        (-1.5, 3),
    ],
)
def test_new_item_nearest_the_target_success_comes_first(ability: float, chosen: int) -> None:
    candidates = [
        new(1, difficulty=0.0),
        new(2, difficulty=-0.85),
        new(3, difficulty=-2.0),
        new(4, difficulty=1.0),
    ]

    planned = plan([], candidates, goal=1, abilities={1: ability})

    assert planned.question_ids == [chosen]


def test_equally_near_items_are_taken_by_question_id() -> None:
    planned = plan([], [new(9, difficulty=0.0), new(5, difficulty=0.0)], goal=2)

    assert planned.question_ids == [5, 9]


@pytest.mark.parametrize(
    ("exam_in_days", "candidates", "reviews_planned", "new_planned"),
    [
        (None, 40, 20, 0),  # no exam: the backlog of reviews takes the whole day
        (20, 40, 18, 2),  # 40 unseen over 20 days: 2 a day
        (4, 40, 10, 10),  # 10 a day would be needed, capped at half the goal
        (1, 3, 17, 3),  # fewer unseen than the reservation: the rest goes to reviews
        (0, 40, 20, 0),  # the exam is today: no point starting new material
        (-3, 40, 20, 0),  # after the exam: no reservation
    ],
)
def test_exam_date_reserves_slots_for_unseen_items(
    exam_in_days: int | None, candidates: int, reviews_planned: int, new_planned: int
) -> None:
    exam = None if exam_in_days is None else TODAY + timedelta(days=exam_in_days)

    planned = plan(
        [due(question_id, 0.8) for question_id in range(1, 31)],
        [new(question_id) for question_id in range(100, 100 + candidates)],
        goal=20,
        exam_date=exam,
    )

    assert (len(planned.reviews), len(planned.new)) == (reviews_planned, new_planned)


def test_same_inputs_in_any_order_give_the_same_plan() -> None:
    rng = Random(4)
    reviews = [due(q, rng.choice([0.5, 0.7, 0.9]), hours_ago=rng.randrange(48)) for q in range(30)]
    candidates = [
        new(q, topic=rng.randrange(5), difficulty=rng.uniform(-2, 2)) for q in range(100, 160)
    ]
    abilities = {0: 0.3, 1: -0.2, 2: 0.3}
    first = plan_day(
        reviews=reviews,
        candidates=candidates,
        abilities=abilities,
        goal=40,
        today=TODAY,
        exam_date=TODAY + timedelta(days=6),
    )

    rng.shuffle(reviews)
    rng.shuffle(candidates)
    again = plan_day(
        reviews=reviews,
        candidates=candidates,
        abilities=abilities,
        goal=40,
        today=TODAY,
        exam_date=TODAY + timedelta(days=6),
    )

    assert again == first
    assert len(first.question_ids) == 40


def test_no_question_is_planned_twice() -> None:
    planned = plan(
        [due(1, 0.5), due(1, 0.7), due(2, 0.6)],
        [new(2), new(3), new(3, topic=2), new(4)],
    )

    assert planned == DayPlan(reviews=[1, 2], new=[3, 4])


@pytest.mark.parametrize("exam_in_days", [None, 10])
def test_nothing_to_practise_gives_an_empty_plan(exam_in_days: int | None) -> None:
    exam = None if exam_in_days is None else TODAY + timedelta(days=exam_in_days)

    assert plan([], [], exam_date=exam) == DayPlan(reviews=[], new=[])


def test_adaptive_session_asks_the_most_forgotten_slipping_review_first() -> None:
    chosen = next_item(
        reviews=[due(1, 0.88), due(2, 0.4), due(3, 0.93)],
        candidates=[new(10)],
        abilities={},
    )

    assert chosen == PlannedItem(2, "review")


def test_adaptive_session_prefers_new_material_to_a_review_still_fresh() -> None:
    # Reviewed less than a day ago: fsrs still predicts certain recall.
    chosen = next_item(reviews=[due(1, 1.0)], candidates=[new(10)], abilities={})

    assert chosen == PlannedItem(10, "new")


def test_adaptive_session_picks_new_items_as_the_plan_does() -> None:
    candidates = [
        new(1, topic=1, difficulty=-0.85),
        new(2, topic=2, difficulty=0.0),
        new(3, topic=2, difficulty=-1.85),
    ]
    abilities = {1: 0.5, 2: -1.0}

    chosen = next_item(reviews=[], candidates=candidates, abilities=abilities)

    assert chosen == PlannedItem(3, "new")
    assert plan([], candidates, goal=1, abilities=abilities).new == [chosen.question_id]


def test_adaptive_session_asks_a_fresh_review_when_no_new_item_is_left() -> None:
    chosen = next_item(reviews=[due(1, 1.0), due(2, 0.97)], candidates=[], abilities={})

    assert chosen == PlannedItem(2, "review")


def test_adaptive_session_ends_when_nothing_is_left() -> None:
    assert next_item(reviews=[], candidates=[], abilities={}) is None


def naive_new_items(
    candidates: list[NewCandidate], abilities: dict[int, float], seen: set[int]
) -> list[int]:
    """The rule written plainly: per topic, sort by distance from the target, then take turns."""
    from learners.ability import TARGET_SUCCESS, predicted_success

    by_topic: dict[int, list[NewCandidate]] = {}
    for candidate in candidates:
        if candidate.question_id not in seen:
            by_topic.setdefault(candidate.topic_id, []).append(candidate)

    def distance(candidate: NewCandidate) -> tuple[float, int]:
        ability = abilities.get(candidate.topic_id, 0.0)
        success = predicted_success(ability=ability, difficulty=candidate.difficulty)
        return (abs(success - TARGET_SUCCESS), candidate.question_id)

    queues = [
        sorted(by_topic[topic], key=distance)
        for topic in sorted(by_topic, key=lambda topic: (abilities.get(topic, 0.0), topic))
    ]
    order: list[int] = []
    for turn in range(max((len(queue) for queue in queues), default=0)):
        order += [queue[turn].question_id for queue in queues if turn < len(queue)]
    return order


@pytest.mark.parametrize("seed", range(25))
def test_a_shared_pool_plans_exactly_as_sorting_each_students_items_would(seed: int) -> None:
    rng = Random(seed)
    # Few distinct difficulties, so that ties (by question id) are common.
    candidates = [
        new(pk, topic=rng.randint(1, 6), difficulty=rng.choice([-2.0, -0.85, -0.5, 0.0, 1.5]))
        for pk in range(1, 80)
    ]
    pool = CandidatePool(candidates)
    # Estimates for some topics, now and then exactly at the prior (0.0), where they rank with
    # the topics that have none by topic id.
    abilities = {
        topic: rng.choice([rng.uniform(-2, 2), 0.0]) for topic in rng.sample(range(1, 7), 4)
    }
    seen = set(rng.sample(range(1, 80), 30))

    planned = plan([], pool, goal=60, abilities=abilities, seen=seen)

    assert planned.question_ids == naive_new_items(candidates, abilities, seen)[:60]


@pytest.mark.parametrize("seed", range(10))
def test_students_sharing_a_pool_each_get_the_plan_of_their_own_items(seed: int) -> None:
    # One pool plans a whole chunk of students. Each topic's order from the prior ability is
    # found once and shared; each student must still skip exactly their own seen questions.
    rng = Random(seed)
    candidates = [
        new(pk, topic=rng.randint(1, 5), difficulty=rng.choice([-2.0, -0.85, 0.0, 1.5]))
        for pk in range(1, 70)
    ]
    pool = CandidatePool(candidates)
    for _student in range(8):
        # Most topics at the prior, now and then an estimate of the student's own.
        abilities = {topic: rng.uniform(-2, 2) for topic in rng.sample(range(1, 6), 2)}
        seen = set(rng.sample(range(1, 70), rng.randrange(40)))
        goal = rng.randrange(1, 40)

        planned = plan([], pool, goal=goal, abilities=abilities, seen=seen)

        assert planned.new == naive_new_items(candidates, abilities, seen)[:goal]
