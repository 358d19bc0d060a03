"""Pure ordering rules for building a session: spread topics apart, shuffle options."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def spread_topics(items: Sequence[T], topic_of: Callable[[T], Hashable], rng: Random) -> list[T]:
    """Order `items` so that no two neighbours share a topic wherever that can be avoided.

    Greedy: each step takes an item from the topic with the most items left among those that
    differ from the previous one (ties broken at random). Taking from the largest group first
    is what makes the greedy succeed whenever any such order exists, i.e. whenever no topic
    holds more than half the items (rounded up); otherwise the excess ends up adjacent.
    """
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        groups.setdefault(topic_of(item), []).append(item)
    ordered: list[T] = []
    previous: Hashable = object()
    while len(ordered) < len(items):
        open_topics = [topic for topic, left in groups.items() if left and topic != previous]
        if not open_topics:
            open_topics = [previous]
        most = max(len(groups[topic]) for topic in open_topics)
        topic = rng.choice([topic for topic in open_topics if len(groups[topic]) == most])
        ordered.append(groups[topic].pop())
        previous = topic
    return ordered


def option_order(option_ids: Sequence[int], *, shuffle: bool, rng: Random) -> list[int]:
    """Return the order a session shows the options in: shuffled unless the author forbids it."""
    order = list(option_ids)
    if shuffle:
        rng.shuffle(order)
    return order
