"""Adding a guideline is adding a folder: copied into a knowledge package, the made-up toy
guideline (with vignette templates) decides through the engine, the API, the `decide` command's
listing and the generation service, with no line of code naming it."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from decision.engine import decide, model_ids, registry, vignettes
from decision.generation import generate_questions
from learners.models import User

TOY = Path(__file__).with_name("toy-guideline")
TEMPLATE = """\
topic: [Toy topics, Made-up rules]
case:
  score: {integer: [0, 10]}
  flag: {boolean: 0.3}
words:
  said: 'flag ? "A red flag is raised." : "No red flag is raised."'
stem:
  - text: ["A made-up patient scores {score} on a made-up scale.", "The made-up score is {score}."]
  - text: ["{said}"]
lead_in: ["What does the made-up rule book advise?"]
"""

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_with_toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A knowledge package holding only a copy of the toy folder, loaded as at start-up."""
    package = tmp_path / "toy_knowledge"
    package.mkdir()
    (package / "__init__.py").write_text('"""Guidelines of one test."""\n')
    shutil.copytree(TOY, package / "toy-guideline")
    (package / "toy-guideline" / "vignettes.yaml").write_text(TEMPLATE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "KNOWLEDGE_PACKAGE", "toy_knowledge")
    monkeypatch.setattr(registry, "_MODELS", {})
    monkeypatch.setattr(registry, "_DEFAULTS", {})
    monkeypatch.setattr(vignettes, "_WRITERS", {})
    monkeypatch.setattr(vignettes, "_TOPICS", {})
    registry.load_knowledge()
    yield
    sys.modules.pop("toy_knowledge", None)


def test_the_folder_decides_through_the_engine_and_the_api(
    knowledge_with_toy: None, instructor: User, client_for: Any
) -> None:
    case = {"score": 7, "flag": False, "options": ["act", "wait"]}

    assert model_ids() == ["toy-guideline"]
    assert decide("toy-guideline@v2", case)["guideline"]["version"] == "v2"
    response = client_for(instructor).post(
        "/api/v1/decision/toy-guideline/?version=v1",
        json.dumps(case),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["answer"] == "act"


def test_the_folder_is_listed_by_the_decide_command(knowledge_with_toy: None) -> None:
    out = StringIO()
    call_command("decide", "--list", stdout=out)

    assert "toy-guideline@v1" in out.getvalue()
    assert "toy-guideline@v2" in out.getvalue()


def test_the_folders_templates_draft_questions(knowledge_with_toy: None, instructor: User) -> None:
    questions = generate_questions(model_id="toy-guideline", count=3, seed=1, by=instructor)

    assert len(questions) == 3
    for question in questions:
        assert question.topic.names() == ["Toy topics", "Made-up rules"]
        assert question.decision_model == "toy-guideline@v1"
        assert question.options.filter(is_correct=True).count() == 1
