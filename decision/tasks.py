"""Celery tasks of the decision module: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task

from decision.generation import generate_questions
from learners.models import User


@shared_task
def generate_questions_task(model_id: str, count: int, seed: int, user_id: int) -> None:
    """Generate draft questions for the user with `user_id`, unless they have gone."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    generate_questions(model_id=model_id, count=count, seed=seed, by=user)
