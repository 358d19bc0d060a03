"""The pure ordering rules of session building."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from learners.selection import option_order, spread_topics


def adjacent_repeats(topics: list[str]) -> int:
    return sum(1 for a, b in pairwise(topics) if a == b)


def test_spreads_topics_so_no_neighbours_share_one() -> None:
    items = [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("b", 5), ("c", 6)]
    ordered = spread_topics(items, lambda item: item[0], Random(1))
    assert sorted(ordered) == sorted(items)
    assert adjacent_repeats([topic for topic, _ in ordered]) == 0


def test_puts_unavoidable_repeats_together_only_as_often_as_needed() -> None:
    items = [("a", n) for n in range(5)] + [("b", 9)]
    ordered = spread_topics(items, lambda item: item[0], Random(3))
    # Five of one topic and one of another: at least three neighbours must repeat.
    assert adjacent_repeats([topic for topic, _ in ordered]) == 3


@given(st.lists(st.sampled_from("abcde"), max_size=60), st.integers(0, 2**32))
def test_avoids_repeats_whenever_the_mix_allows(topics: list[str], seed: int) -> None:
    items = list(enumerate(topics))
    ordered = spread_topics(items, lambda item: item[1], Random(seed))
    assert sorted(ordered) == items
    most = max(Counter(topics).values(), default=0)
    unavoidable = max(0, most - (len(topics) - most) - 1)
    assert adjacent_repeats([topic for _, topic in ordered]) == unavoidable


def test_keeps_the_authored_option_order_when_shuffling_is_off() -> None:
    assert option_order([5, 6, 7, 8], shuffle=False, rng=Random(0)) == [5, 6, 7, 8]


def test_shuffles_options_reproducibly_for_a_seed() -> None:
    first = option_order(list(range(8)), shuffle=True, rng=Random(42))
    assert sorted(first) == list(range(8))
    assert first != list(range(8))
    assert option_order(list(range(8)), shuffle=True, rng=Random(42)) == first
