"""Sample question content for tests: a complete, publishable five-option item."""

from __future__ import annotations

from typing import Any

from quizbank.content import OptionContent, QuestionContent, ReferenceContent

TOPIC = ["Hematology", "Plasma cell disorders", "Relapsed and refractory myeloma"]


def sample_content(**overrides: Any) -> QuestionContent:
    content = QuestionContent(
        topic_path=list(TOPIC),
        name="first-relapse-after-vtd",
        stem="A 62-year-old man relapses 18 months after VTD induction and autologous transplant.",
        lead_in="Which regimen is most appropriate?",
        options=[
            OptionContent("Lenalidomide plus dexamethasone", is_correct=True),
            OptionContent(
                "Pomalidomide plus dexamethasone", why_not="Kept for refractory disease."
            ),
            OptionContent(
                "Bortezomib plus dexamethasone", why_not="Already received; switch class."
            ),
            OptionContent("Carfilzomib plus dexamethasone", why_not="For relapse under 12 months."),
            OptionContent("Melphalan plus prednisone", why_not="Outdated, myelotoxic."),
        ],
        explanation={
            "key_point": "Switch class at first relapse.",
            "why_correct": "PI-exposed, lenalidomide-naive, good renal function.",
            "pearl": "Switch class.",
        },
        references=[ReferenceContent("Harrison's Principles of Internal Medicine, 21st ed.")],
        tags=["myeloma", "Salvage therapy"],
    )
    for key, value in overrides.items():
        setattr(content, key, value)
    return content
