"""Check a question's authored key against its decision model (Django glue over the engine).

A question linked to a model stores the structured case; the case's `options` are the
question's options in order (option i is regimen `case["options"][i]`). The link names the
model and, to keep the version the question was written against, optionally the version
("rrmm-salvage@seed-004"); without one, the model's default version checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from decision import engine
from decision.engine import CaseError, UnknownModelError, decide
from decision.engine.registry import LATEST
from quizbank.models import Option, Question


@dataclass(frozen=True)
class OptionVerdict:
    option: Option
    regimen: str
    verdict: str
    rank: int
    explanation: str
    citations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionCheck:
    """What the engine says about a question, beside what its author keyed."""

    model: str
    error: str = ""
    engine_answer: Option | None = None
    no_answer_reason: str = ""
    options: list[OptionVerdict] = field(default_factory=list)
    output: dict[str, Any] = field(default_factory=dict)
    keyed: list[Option] = field(default_factory=list)
    # The model's newest version's check, beside a link to an older version (check_with_newest).
    newest: DecisionCheck | None = None

    @property
    def disagrees(self) -> bool:
        """True when the engine prefers an option other than the authored key."""
        return self.engine_answer is not None and self.engine_answer not in self.keyed

    @property
    def verdict_by_option(self) -> dict[int, OptionVerdict]:
        return {verdict.option.pk: verdict for verdict in self.options}

    @property
    def rows(self) -> list[tuple[OptionVerdict, OptionVerdict | None]]:
        """Each option's verdict beside the newest version's (None without one)."""
        newest = self.newest.verdict_by_option if self.newest else {}
        return [(verdict, newest.get(verdict.option.pk)) for verdict in self.options]


def check_question(question: Question, reference: str = "") -> DecisionCheck | None:
    """Run the question's decision model (or the version `reference` names) on its case; None
    when it has no model."""
    if not question.decision_model:
        return None
    model = reference or question.decision_model
    options = list(question.options.all())
    keyed = [option for option in options if option.is_correct]
    try:
        engine.model(model)
    except UnknownModelError:
        return DecisionCheck(model=model, error=f'There is no decision model "{model}".')
    except CaseError as error:
        return DecisionCheck(model=model, error=f"{error.problem.capitalize()}.")
    case = question.decision_case
    if not isinstance(case, dict):
        return DecisionCheck(model=model, error="The question has no decision case.")
    regimens = case.get("options")
    if not isinstance(regimens, list) or len(regimens) != len(options):
        listed = len(regimens) if isinstance(regimens, list) else 0
        return DecisionCheck(
            model=model,
            error=f"The case lists {listed} options but the question has {len(options)}; "
            "list them in the question's order.",
        )
    try:
        output = decide(model, case)
    except CaseError as error:
        return DecisionCheck(model=model, error=f"The decision case is not valid: {error}")
    option_by_regimen = dict(zip(regimens, options, strict=True))
    verdicts = [
        OptionVerdict(
            option=option_by_regimen[entry["id"]],
            regimen=entry["id"],
            verdict=entry["verdict"],
            rank=entry["rank"],
            explanation=entry["explanation"],
            citations=entry["citations"],
        )
        for entry in output["options"]
    ]
    answer = output.get("answer")
    return DecisionCheck(
        model=model,
        engine_answer=option_by_regimen.get(answer) if answer else None,
        no_answer_reason="" if answer else str(output.get("reason", "")),
        options=sorted(verdicts, key=lambda verdict: verdict.option.position),
        output=output,
        keyed=keyed,
    )


def current_check(question: Question, linked: DecisionCheck | None = None) -> DecisionCheck | None:
    """The newest version's check of a question linked to an older version of its model; None
    when the question has no model, or follows the newest version already. `linked`: the
    question's own check, when the caller has it."""
    linked = linked or check_question(question)
    if linked is None or linked.error:
        return None
    model_id = linked.output["guideline"]["id"]
    newest = engine.model(f"{model_id}@{LATEST}")
    if newest.version == linked.output["guideline"]["version"]:
        return None
    return check_question(question, f"{model_id}@{newest.version}")


def check_with_newest(question: Question) -> DecisionCheck | None:
    """The question's check, with the newest version's beside it where the link is older."""
    linked = check_question(question)
    newest = current_check(question, linked)
    if linked is None or newest is None or newest.error:
        return linked
    return replace(linked, newest=newest)


def guideline_snapshot(question: Question, linked: DecisionCheck | None = None) -> dict[str, Any]:
    """What students are told, beside the explanation, about the guideline a question follows.

    `follows`: the guideline, version, date and sources of the version the question is linked
    to. `current`, only where the model's newest version does not back the key: what it
    prefers among the offered options (`option`: the option's id, or null when it leaves the
    case to judgement), why, and its citations. Empty for a question without a valid link.
    `linked`: the question's own check, when the caller has it.
    """
    linked = linked or check_question(question)
    if linked is None or linked.error:
        return {}
    snapshot: dict[str, Any] = {"follows": linked.output["guideline"]}
    current = current_check(question, linked)
    if current is None or current.error:
        return snapshot
    answer = current.engine_answer
    if answer is not None and answer in linked.keyed:
        return snapshot
    verdict = current.verdict_by_option.get(answer.pk) if answer is not None else None
    snapshot["current"] = {
        "guideline": current.output["guideline"],
        "option": answer.pk if answer is not None else None,
        "explanation": verdict.explanation if verdict else current.no_answer_reason,
        "citations": verdict.citations if verdict else current.output["citations"],
    }
    return snapshot
