"""The output of a decision: reasons with stable codes, verdicts, ranks, and the rendered text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["preferred", "acceptable", "not_preferred", "avoid"]
# Best first: ranks follow this order, then the model's own order of its options.
VERDICTS: tuple[Verdict, ...] = ("preferred", "acceptable", "not_preferred", "avoid")

ParamValue = str | int | float | bool | None | tuple[str, ...]


@dataclass(frozen=True)
class Reason:
    """One stable reason code and the facts of the case it cites."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the reason as JSON, lists for tuples, keys in the order the model gave them."""
        params = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in self.params.items()
        }
        return {"code": self.code, "params": params}


@dataclass(frozen=True)
class Judgement:
    """The verdict on one option and the reasons behind it."""

    option: str
    verdict: Verdict
    reasons: tuple[Reason, ...]
    # The full citations of the rules that gave the verdict and its reasons.
    citations: tuple[str, ...] = ()


def spoken(value: ParamValue) -> str:
    """Return a parameter as it reads in a sentence: 18 not 18.0, "a, b and c" for a list."""
    if isinstance(value, tuple):
        if len(value) < 2:
            return "".join(value)
        return f"{', '.join(value[:-1])} and {value[-1]}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(reasons: Sequence[Reason], wording: Mapping[str, str]) -> str:
    """Return the sentences for `reasons`, each filled in from its parameters."""
    return " ".join(
        wording[reason.code].format_map({k: spoken(v) for k, v in reason.params.items()})
        if reason.params
        else wording[reason.code]
        for reason in reasons
    )


def ranked(judgements: Sequence[Judgement], order: Sequence[str]) -> list[tuple[int, Judgement]]:
    """Return (rank, judgement) best first: by verdict, then by the model's option order."""
    ordered = sorted(
        judgements, key=lambda j: (VERDICTS.index(j.verdict), order.index(j.option), j.option)
    )
    return list(enumerate(ordered, start=1))


def decision_json(
    *,
    model: str,
    answer: str | None,
    reason: str,
    findings: Mapping[str, Any],
    judgements: Sequence[Judgement],
    order: Sequence[str],
    wording: Mapping[str, str],
    key_point: str,
    pearl: str,
    mechanism: str,
    citations: Sequence[str],
) -> dict[str, Any]:
    """Assemble the contract of `decide`, keys always in the same order."""
    output: dict[str, Any] = {"model": model, "answer": answer}
    if answer is None:
        output["reason"] = reason
    output["findings"] = dict(findings)
    output["options"] = [
        {
            "id": judgement.option,
            "verdict": judgement.verdict,
            "rank": rank,
            "explanation": render(judgement.reasons, wording),
            "reasons": [r.as_json() for r in judgement.reasons],
            "citations": list(judgement.citations),
        }
        for rank, judgement in ranked(judgements, order)
    ]
    output["key_point"] = key_point
    output["pearl"] = pearl
    output["mechanism"] = mechanism
    output["citations"] = list(citations)
    return output
