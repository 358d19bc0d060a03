"""Fixtures of the question bank tests."""

from __future__ import annotations

import pytest

from learners.models import User
from quizbank import services
from quizbank.models import Question
from tests.quizbank.samples import sample_content


@pytest.fixture
def draft(instructor: User) -> Question:
    """A complete five-option question, saved as the instructor's draft."""
    return services.create_question(content=sample_content(), by=instructor)
