"""Save generated vignettes as draft questions, keyed and explained by the decision engine."""

from __future__ import annotations

from django.db import transaction

from decision.engine import split_reference
from decision.engine.vignettes import GeneratedItem, generate, generator_topic
from learners.models import User
from quizbank.content import OptionContent, QuestionContent, ReferenceContent
from quizbank.importing import find_topic
from quizbank.models import Question
from quizbank.services import create_question


def generate_questions(
    *, model_id: str, count: int, seed: int, by: User, topic_path: list[str] | None = None
) -> list[Question]:
    """Generate `count` vignettes of the model version `model_id` names ("id" or
    "id@version") and save the new ones as drafts; return those created."""
    reference, (model_id, version) = model_id, split_reference(model_id)
    topic_path = topic_path or generator_topic(model_id)
    items = generate(reference, count=count, seed=seed)
    # A named version is part of the name, so two versions' drafts of one seed both stay.
    prefix = f"{model_id}@{version}" if version else model_id
    names = [f"{prefix}-s{seed}-{index}" for index in range(1, len(items) + 1)]
    # The names are stable for a seed, so a second run skips what the first one saved.
    topic = find_topic(topic_path)
    existing = (
        set(Question.objects.filter(topic=topic, name__in=names).values_list("name", flat=True))
        if topic is not None
        else set()
    )
    with transaction.atomic():
        return [
            create_question(
                content=question_content(item, model_id=model_id, name=name, topic=topic_path),
                by=by,
                comment=f"Generated from {model_id} (seed {seed})",
            )
            for item, name in zip(items, names, strict=True)
            if name not in existing
        ]


def question_content(
    item: GeneratedItem, *, model_id: str, name: str, topic: list[str]
) -> QuestionContent:
    """Return the question an item becomes: the engine's key, reasons and citations."""
    decision = item.decision
    explanations = {option["id"]: option.get("explanation", "") for option in decision["options"]}
    return QuestionContent(
        topic_path=topic,
        stem=item.stem,
        lead_in=item.lead_in,
        options=[
            OptionContent(
                text=label,
                is_correct=option == item.answer,
                why_not="" if option == item.answer else explanations.get(option, ""),
            )
            for option, label in item.options
        ],
        name=name,
        explanation={
            "key_point": decision.get("key_point", ""),
            "why_correct": explanations.get(item.answer, ""),
            "pearl": decision.get("pearl", ""),
            "mechanism": decision.get("mechanism", ""),
        },
        references=[ReferenceContent(citation=c) for c in decision.get("citations", [])],
        tags=["generated", model_id],
        # The version that keyed it, so the question keeps it when a newer one is published.
        decision_model=f"{model_id}@{decision['guideline']['version']}",
        decision_case=item.case,
    )
