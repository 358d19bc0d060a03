"""The indexes the nightly plan reads rely on, as the database has them after migrating."""

from __future__ import annotations

import pytest
from django.db import connection

from learners.models import DailyPlan, ReviewCard

pytestmark = pytest.mark.django_db


def indexed_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if (c["index"] or c["unique"])]


def test_lookups_by_learner_ride_the_unique_constraints_without_an_index_of_their_own() -> None:
    # A learner's questions are read from the unique constraint's index alone (the seen
    # questions of a plan); a separate learner index was a third write per new card, and
    # PostgreSQL chose it for that read, then visited the table for every card.
    cards = indexed_columns(ReviewCard._meta.db_table)
    assert ["learner_id", "question_id"] in cards
    assert ["learner_id", "due", "question_id", "stability", "last_review"] in cards
    assert ["learner_id"] not in cards

    plans = indexed_columns(DailyPlan._meta.db_table)
    assert ["learner_id", "day"] in plans
    assert ["learner_id"] not in plans
