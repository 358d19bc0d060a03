"""Learning simulation: the platform's planner against random and Leitner. Target: 1.2 x random.

Simulated students answer items from a generated bank for `--days` days, `--per-day` items a
day, chosen by three schedulers in turn: the platform's planner, random selection and a Leitner
box system. Each scheduler meets the same students (same abilities, memories and random
numbers) with the same effort. The figure is what a student retains: the share of the bank they
remember the day after the last, the true forgetting curve's recall probability summed over the
items and averaged over students (an expectation, no sampling); the baseline is the same share
under random selection. Target: planner/random >= 1.2. Also printed for each scheduler: the share
of the bank answered correctly on that day (memory plus what is reasoned out or guessed), its
gain over no practice, and the share correct among the items practised.

Retention is measured as memory, not as the score, because reasoning and guessing (about half
the bank for a student who never practised) are the same whatever the scheduler does; the score
ratio is printed too, on the line before the last.

The planner runs exactly as the product does: each night a plan from `planning.plan_day` over
the due cards (`scheduling.review`, FSRS-6) and the unseen items, with the student's Elo topic
abilities and the items' Elo difficulties (`ability.update` on every first attempt, the item
difficulties shared by all students and starting from a noisy authored value). When a plan is
shorter than the day's effort (nothing due and nothing new), the student practises ahead: the
seen cards of lowest retrievability. The output counts those answers.

The true model is this script's own and shares no formula with FSRS:
- Reasoning: a student answers an item they do not remember correctly with probability
  0.2 + 0.8 * logistic(ability - difficulty) (five options, so a guess is right one time in
  five: a 3PL item response model, which the platform's Elo model does not assume). Abilities:
  student N(0, 0.7) plus topic N(0, 0.5); difficulties N(0.5, 1); authored difficulties off by
  N(0, 0.5). A new student gets about half of the bank right.
- Memory: an answer followed by its explanation teaches the item. The student then recalls it
  with probability 2^(-t / h) after t days (exponential forgetting with half-life h): h is 2
  days after a right answer, 1 day after a wrong one, times a student factor and an item factor
  (each log-normal, sigma 0.3). Recalled at probability R, h grows by 1 + 10 * (1 - R), so a
  review at R = 0.9 doubles it and reviewing what is still fresh teaches nothing; forgotten,
  h falls to 0.3 of itself, but not below the half-life of a first wrong answer. Ability does
  not grow with practice, and nothing rewards items of matched difficulty (no motivation is
  modelled): an item the student could not reason out gains more from being learnt.
- A remembered item is answered correctly; one forgotten falls back on reasoning.

    .venv/bin/python bench/simulate_learning.py [--students 200] [--days 60] [--per-day 20]
        [--items 400] [--topics 10] [--seed 1] [--half-life 2] [--exam]

`--half-life` changes how fast the students forget; `--exam` has the planner's students set
their exam date to the scoring day, so that the plan keeps slots for unseen items. The target
is met at the defaults (the score ratio is not): see bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Protocol

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from learners import ability, planning, scheduling  # noqa: E402

TARGET = 1.2
GUESS = 0.2
# Leitner's five boxes and the days between reviews in each (box 1 daily, then doubling).
LEITNER_DAYS = (1, 2, 4, 8, 16)
# Practice starts at 18:00 UTC each day, an item a minute; day 0 is a Monday.
START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Forgetting:
    """The true memory model's constants (half-lives in days)."""

    right: float = 2.0
    wrong: float = 1.0
    growth: float = 10.0
    lapse_keep: float = 0.3


@dataclass(frozen=True)
class Bank:
    """The generated items: topic, true difficulty, memorability and authored difficulty."""

    topic: list[int]
    difficulty: list[float]
    memorability: list[float]
    authored: list[float]

    def __len__(self) -> int:
        return len(self.topic)


@dataclass(frozen=True)
class Student:
    """A simulated student's true ability per topic, memory factor and random seed."""

    ability: list[float]
    memory: float
    seed: int


@dataclass
class Memory:
    """What one student truly remembers: each learnt item's half-life and last study time."""

    bank: Bank
    student: Student
    forgetting: Forgetting
    half_life: dict[int, float] = field(default_factory=dict)
    studied_at: dict[int, float] = field(default_factory=dict)

    def reasoning(self, item: int) -> float:
        gap = self.student.ability[self.bank.topic[item]] - self.bank.difficulty[item]
        return GUESS + (1 - GUESS) / (1 + math.exp(-gap))

    def recall(self, item: int, at: float) -> float:
        if item not in self.half_life:
            return 0.0
        return float(2 ** (-(at - self.studied_at[item]) / self.half_life[item]))

    def p_correct(self, item: int, at: float) -> float:
        recall = self.recall(item, at)
        return recall + (1 - recall) * self.reasoning(item)

    def answer(self, item: int, at: float, rng: Random) -> bool:
        """Answer the item at `at` (days), read its explanation, and return the answer."""
        model = self.forgetting
        first = self.student.memory * self.bank.memorability[item]
        recall = self.recall(item, at)
        if item in self.half_life and rng.random() < recall:
            self.half_life[item] *= 1 + model.growth * (1 - recall)
            correct = True
        else:
            correct = rng.random() < self.reasoning(item)
            if item in self.half_life:
                self.half_life[item] = max(
                    model.lapse_keep * self.half_life[item], first * model.wrong
                )
            else:
                self.half_life[item] = first * (model.right if correct else model.wrong)
        self.studied_at[item] = at
        return correct


class Scheduler(Protocol):
    def choose(self, day: int, count: int) -> list[int]: ...

    def observe(self, item: int, correct: bool, moment: datetime) -> None: ...


class RandomSelection:
    """Any `count` distinct items of the bank, uniformly at random."""

    def __init__(self, bank: Bank, seed: int) -> None:
        self.items = range(len(bank))
        self.rng = Random(seed)

    def choose(self, day: int, count: int) -> list[int]:
        return self.rng.sample(self.items, min(count, len(self.items)))

    def observe(self, item: int, correct: bool, moment: datetime) -> None:
        pass


class Leitner:
    """Five boxes: due items first (lowest box first), then new items in a random order."""

    def __init__(self, bank: Bank, seed: int) -> None:
        self.unseen = list(range(len(bank)))
        Random(seed).shuffle(self.unseen)
        self.unseen.reverse()
        self.box: dict[int, int] = {}
        self.last_day: dict[int, int] = {}
        self.ahead = 0

    def choose(self, day: int, count: int) -> list[int]:
        seen = sorted(self.box, key=lambda item: (self.box[item], self.last_day[item], item))
        due = [i for i in seen if day - self.last_day[i] >= LEITNER_DAYS[self.box[i] - 1]]
        chosen = due[:count]
        while len(chosen) < count and self.unseen:
            chosen.append(self.unseen.pop())
        if len(chosen) < count:
            taken = set(chosen)
            ahead = [item for item in seen if item not in taken][: count - len(chosen)]
            self.ahead += len(ahead)
            chosen += ahead
        return chosen

    def observe(self, item: int, correct: bool, moment: datetime) -> None:
        self.box[item] = min(self.box.get(item, 1) + 1, len(LEITNER_DAYS)) if correct else 1
        self.last_day[item] = (moment - START).days


class Calibration:
    """The items' Elo difficulties, shared by every student as `ItemCalibration` is."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.estimates = [ability.Estimate(value, 0) for value in bank.authored]
        self.day = -1
        self.snapshot: list[planning.NewCandidate] = []

    def candidates(self, day: int) -> list[planning.NewCandidate]:
        """Return the bank as the nightly plan job reads it (built once a day)."""
        if day != self.day:
            self.day = day
            self.snapshot = [
                planning.NewCandidate(question_id=item, topic_id=topic, difficulty=estimate.value)
                for item, (topic, estimate) in enumerate(
                    zip(self.bank.topic, self.estimates, strict=True)
                )
            ]
        return self.snapshot


class Planner:
    """The platform: FSRS cards, Elo estimates and `planning.plan_day`, as the product uses them."""

    def __init__(self, bank: Bank, calibration: Calibration, exam_date: date | None) -> None:
        self.bank = bank
        self.calibration = calibration
        self.exam_date = exam_date
        self.cards: dict[int, scheduling.CardState] = {}
        self.abilities: dict[int, ability.Estimate] = {}
        self.ahead = 0
        # How well FSRS's predictions fit these students: reviews, recalled, predicted recall.
        self.reviews = 0
        self.recalled = 0
        self.predicted = 0.0

    def choose(self, day: int, count: int) -> list[int]:
        starts = START.replace(hour=0) + timedelta(days=day)
        ends = starts + timedelta(days=1)
        reviews = [
            planning.DueReview(
                question_id=item,
                topic_id=self.bank.topic[item],
                due=card.due,
                retrievability=scheduling.retrievability(card, at=starts),
            )
            for item, card in self.cards.items()
            if card.due < ends
        ]
        plan = planning.plan_day(
            reviews=reviews,
            candidates=[
                c for c in self.calibration.candidates(day) if c.question_id not in self.cards
            ],
            abilities={topic: estimate.value for topic, estimate in self.abilities.items()},
            goal=count,
            today=starts.date(),
            exam_date=self.exam_date,
        )
        chosen = plan.question_ids
        if len(chosen) < count:
            taken = set(chosen)
            ahead = sorted(
                (item for item in self.cards if item not in taken),
                key=lambda item: (scheduling.retrievability(self.cards[item], at=starts), item),
            )[: count - len(chosen)]
            self.ahead += len(ahead)
            chosen += ahead
        return chosen

    def observe(self, item: int, correct: bool, moment: datetime) -> None:
        if item in self.cards:
            self.reviews += 1
            self.recalled += correct
            self.predicted += scheduling.retrievability(self.cards[item], at=moment)
        else:
            topic = self.bank.topic[item]
            learner, difficulty = ability.update(
                ability=self.abilities.get(topic, ability.Estimate(ability.PRIOR_ABILITY, 0)),
                difficulty=self.calibration.estimates[item],
                is_correct=correct,
            )
            self.abilities[topic] = learner
            self.calibration.estimates[item] = difficulty
        self.cards[item], _ = scheduling.review(
            card_id=item + 1,
            card=self.cards.get(item),
            is_correct=correct,
            is_confident=None,
            reviewed_at=moment,
            duration=timedelta(seconds=60),
        )


@dataclass
class Outcome:
    """One scheduler's results, summed over students."""

    correct: float = 0.0
    remembered: float = 0.0
    correct_practised: float = 0.0
    practised: int = 0
    ahead: int = 0
    planner_reviews: int = 0
    planner_recalled: int = 0
    planner_predicted: float = 0.0


def make_bank(items: int, topics: int, rng: Random) -> Bank:
    """Return a bank spread evenly over the topics, with true and authored difficulties."""
    difficulty = [rng.gauss(0.5, 1.0) for _ in range(items)]
    return Bank(
        topic=[item % topics for item in range(items)],
        difficulty=difficulty,
        memorability=[rng.lognormvariate(0.0, 0.3) for _ in range(items)],
        authored=[value + rng.gauss(0.0, 0.5) for value in difficulty],
    )


def make_students(count: int, topics: int, rng: Random) -> list[Student]:
    """Return students with their own ability per topic and memory factor."""
    students = []
    for _ in range(count):
        general = rng.gauss(0.0, 0.7)
        students.append(
            Student(
                ability=[general + rng.gauss(0.0, 0.5) for _ in range(topics)],
                memory=rng.lognormvariate(0.0, 0.3),
                seed=rng.getrandbits(32),
            )
        )
    return students


def simulate(
    name: str,
    bank: Bank,
    students: Sequence[Student],
    *,
    days: int,
    per_day: int,
    forgetting: Forgetting,
    exam_date: date | None = None,
) -> Outcome:
    """Run one scheduler over every student, day by day, and score the day after the last."""
    calibration = Calibration(bank)
    runs: list[tuple[Memory, Scheduler, Random]] = []
    for student in students:
        scheduler: Scheduler
        if name == "planner":
            scheduler = Planner(bank, calibration, exam_date)
        elif name == "random":
            scheduler = RandomSelection(bank, student.seed + 1)
        else:
            scheduler = Leitner(bank, student.seed + 1)
        # The same answer stream for every scheduler: differences come from the choices alone.
        runs.append((Memory(bank, student, forgetting), scheduler, Random(student.seed)))
    # Day by day across students, since the planner's item difficulties are shared.
    for day in range(days):
        for memory, scheduler, rng in runs:
            for minute, item in enumerate(scheduler.choose(day, per_day)):
                moment = START + timedelta(days=day, minutes=minute)
                correct = memory.answer(item, day + minute / 1440, rng)
                scheduler.observe(item, correct, moment)
    outcome = Outcome()
    for memory, scheduler, _ in runs:
        scores = [memory.p_correct(item, days) for item in range(len(bank))]
        outcome.correct += sum(scores) / len(bank)
        remembered = [memory.recall(item, days) for item in range(len(bank))]
        outcome.remembered += sum(remembered) / len(bank)
        practised = list(memory.half_life)
        outcome.practised += len(practised)
        outcome.correct_practised += sum(scores[i] for i in practised) / max(len(practised), 1)
        if isinstance(scheduler, Planner | Leitner):
            outcome.ahead += scheduler.ahead
        if isinstance(scheduler, Planner):
            outcome.planner_reviews += scheduler.reviews
            outcome.planner_recalled += scheduler.recalled
            outcome.planner_predicted += scheduler.predicted
    return outcome


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=20, help="items answered a day")
    parser.add_argument("--items", type=int, default=400, help="items in the bank")
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--half-life",
        type=float,
        default=Forgetting.right,
        help="true half-life in days after a first right answer (half of it after a wrong one)",
    )
    parser.add_argument(
        "--exam",
        action="store_true",
        help="the planner's students set their exam date to the scoring day",
    )
    options = parser.parse_args(argv)
    if min(options.students, options.days, options.per_day, options.topics) < 1:
        parser.error("students, days, per-day and topics must be at least 1")
    if options.items < max(options.per_day, options.topics):
        parser.error("the bank needs at least per-day and topics items")
    if options.half_life <= 0:
        parser.error("half-life must be positive")

    forgetting = Forgetting(right=options.half_life, wrong=options.half_life / 2)
    exam_date = (START + timedelta(days=options.days)).date() if options.exam else None
    rng = Random(options.seed)
    bank = make_bank(options.items, options.topics, rng)
    students = make_students(options.students, options.topics, rng)
    n = options.students
    answers = options.days * options.per_day
    untaught = sum(
        sum(Memory(bank, student, forgetting).reasoning(i) for i in range(len(bank))) / len(bank)
        for student in students
    )
    print(
        f"{n} students, {options.days} days, {options.per_day} items a day ({answers:,} answers "
        f"each), a bank of {len(bank)} items in {options.topics} topics, seed {options.seed}"
    )
    print(
        f"true memory: half-life {forgetting.right:g} days after a right answer, "
        f"{forgetting.wrong:g} after a wrong one; planner exam date: "
        f"{'the scoring day' if exam_date else 'none'}"
    )
    print(f"share answered correctly with no practice at all: {untaught / n:.3f}")
    print()
    print(
        "scheduler  remembered on scoring day  correct on scoring day  gain over no practice  "
        "per item practised  items practised  practised ahead"
    )
    remembered: dict[str, float] = {}
    results: dict[str, float] = {}
    for name in ("planner", "random", "leitner"):
        outcome = simulate(
            name,
            bank,
            students,
            days=options.days,
            per_day=options.per_day,
            forgetting=forgetting,
            exam_date=exam_date,
        )
        remembered[name] = outcome.remembered / n
        results[name] = outcome.correct / n
        print(
            f"{name:<10} {outcome.remembered / n:25.3f} {outcome.correct / n:23.3f} "
            f"{(outcome.correct - untaught) / n:22.3f} "
            f"{outcome.correct_practised / n:19.3f} {outcome.practised / n:16.1f} "
            f"{outcome.ahead / n:16.1f}"
        )
        if outcome.planner_reviews:
            print(
                f"  planner reviews answered right: "
                f"{outcome.planner_recalled / outcome.planner_reviews:.2f} "
                f"(FSRS predicted {outcome.planner_predicted / outcome.planner_reviews:.2f})"
            )
    ratio = remembered["planner"] / remembered["random"]
    print()
    print(f"target: planner/random >= {TARGET:.2f} ({'met' if ratio >= TARGET else 'MISSED'})")
    print(f"planner/leitner retention ratio: {remembered['planner'] / remembered['leitner']:.2f}")
    print(f"planner/random score ratio: {results['planner'] / results['random']:.2f}")
    print(f"planner/random retention ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
