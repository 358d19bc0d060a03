"""Vignette templates as data: a guideline folder's `vignettes.yaml` samples cases and writes them.

    topic:     the topic path generated drafts are filed under
    case:      how each case field is drawn: {integer: [low, high]}, {number: [low, high]} (whole
               numbers), {boolean: chance of true}, {choice: [a, b, ...], weights: [...]}
    ensure:    CEL conditions every drawn case must meet (it is drawn again otherwise), so no
               case contradicts itself (a mechanical mitral valve with native mitral stenosis)
    words:     named CEL expressions giving words of the case ("woman", "She", "her")
    stem:      sentences in order, each {when, text}: the sentence appears when `when` holds
               (always, without it) and its wording is drawn from `text`; {placeholders} name
               case fields or words
    lead_in:   lead-ins to draw from
    options:   how many of the model's options to offer (all, in a random order, by default)
    reads:     how a reviewer reads the facts back from a written stem, to check it against its
               case (`generate_questions --report`): {field, pattern} takes the pattern's first
               group as the field's value ({values: {word: value}} maps words to values);
               {field, mentions} says a boolean field is true exactly when the pattern occurs

The writer is registered with decision.engine.vignettes like a Python one, so generation (keys,
one defensible answer, distinct stems) is the same for both.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cel
import yaml

from decision.engine.guidelines import GuidelineFileError

# Draws allowed for one case to meet the `ensure` conditions.
DRAWS_PER_CASE = 100


@dataclass(frozen=True)
class Sentence:
    when: cel.Program | None
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """One fact a reviewer reads back from a stem: a field's value, or whether it is mentioned."""

    field: str
    pattern: re.Pattern[str]
    is_mention: bool
    values: Mapping[str, Any]

    def problem(self, case: Mapping[str, Any], stem: str) -> str | None:
        """Return how the stem contradicts the case on this field, or None."""
        found = self.pattern.search(stem)
        expected = case.get(self.field)
        if self.is_mention:
            if bool(found) != bool(expected):
                said = "mentions" if found else "does not mention"
                return f"the stem {said} {self.field}, which the case gives as {expected}"
            return None
        if found is None:
            return f"the stem does not give {self.field}"
        text = found.group(1)
        value: Any = self.values.get(text, text)
        if isinstance(expected, int | float) and not isinstance(expected, bool):
            value = float(value)
        if value != expected:
            return f"the stem gives {self.field} as {text}, the case as {expected}"
        return None


@dataclass(frozen=True)
class TemplateWriter:
    """A vignette writer read from a folder: draw a case, then write its stem and lead-in."""

    fields: tuple[tuple[str, Mapping[str, Any]], ...]
    ensure: tuple[cel.Program, ...]
    words: tuple[tuple[str, cel.Program], ...]
    stem: tuple[Sentence, ...]
    lead_ins: tuple[str, ...]
    options: tuple[str, ...]
    option_count: int
    topic: tuple[str, ...]
    reads: tuple[Reading, ...] = ()

    def check(self, case: dict[str, Any], stem: str, lead_in: str) -> list[str]:
        """Read the stem back against its case (the `reads` of vignettes.yaml)."""
        return [p for r in self.reads if (p := r.problem(case, stem)) is not None]

    def __call__(self, rng: random.Random) -> tuple[dict[str, Any], str, str]:
        case = self._case(rng)
        named: dict[str, Any] = dict(case)
        context = cel.Context(variables=case)
        for name, program in self.words:
            named[name] = program.execute(context)
        sentences = [
            rng.choice(s.texts).format_map(named)
            for s in self.stem
            if s.when is None or s.when.execute(context) is True
        ]
        offered = rng.sample(self.options, self.option_count)
        return (
            {**case, "options": offered},
            " ".join(sentences),
            rng.choice(self.lead_ins).format_map(named),
        )

    def _case(self, rng: random.Random) -> dict[str, Any]:
        for _ in range(DRAWS_PER_CASE):
            case = {name: _draw(spec, rng) for name, spec in self.fields}
            context = cel.Context(variables=case)
            if all(condition.execute(context) is True for condition in self.ensure):
                return case
        raise RuntimeError(f"No case met the template's conditions in {DRAWS_PER_CASE} draws.")


def _draw(spec: Mapping[str, Any], rng: random.Random) -> Any:
    if "integer" in spec:
        low, high = spec["integer"]
        return rng.randint(int(low), int(high))
    if "number" in spec:
        low, high = spec["number"]
        return round(rng.uniform(float(low), float(high)))
    if "boolean" in spec:
        return rng.random() < float(spec["boolean"])
    choices = list(spec["choice"])
    return rng.choices(choices, weights=spec.get("weights"))[0]


SAMPLERS = ("integer", "number", "boolean", "choice")


def load_template(path: Path, options: Sequence[str]) -> TemplateWriter:
    """Read a folder's vignettes.yaml; a mistake stops start-up naming the file and entry."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(spec, Mapping):
        raise GuidelineFileError(f"{path}: must hold a mapping")
    if missing := [key for key in ("topic", "case", "stem", "lead_in") if not spec.get(key)]:
        raise GuidelineFileError(f"{path}: {', '.join(missing)} missing")
    fields = tuple((str(n), s) for n, s in spec["case"].items())
    for name, sampler in fields:
        if not isinstance(sampler, Mapping) or not set(sampler) & set(SAMPLERS):
            raise GuidelineFileError(f"{path}: case.{name} needs one of {SAMPLERS}")
    words = tuple(
        (str(n), _compile(e, path, f"words.{n}")) for n, e in (spec.get("words") or {}).items()
    )
    stem = tuple(
        Sentence(
            when=_compile(s["when"], path, "stem") if "when" in s else None,
            texts=tuple(str(t) for t in s["text"]),
        )
        for s in spec["stem"]
    )
    lead_ins = tuple(str(t) for t in spec["lead_in"])
    known = {name for name, _ in fields} | {name for name, _ in words}
    for text in [t for s in stem for t in s.texts] + list(lead_ins):
        named = {n for _, n, _, _ in string.Formatter().parse(text) if n}
        if unknown := sorted(named - known):
            raise GuidelineFileError(f"{path}: {text[:40]!r}... names unknown {unknown}")
    count = int(spec.get("options", len(options)))
    if not 2 <= count <= len(options):
        raise GuidelineFileError(f"{path}: options must be between 2 and {len(options)}")
    return TemplateWriter(
        reads=tuple(_reading(entry, path, known) for entry in spec.get("reads") or ()),
        fields=fields,
        ensure=tuple(_compile(e, path, "ensure") for e in spec.get("ensure", ())),
        words=words,
        stem=stem,
        lead_ins=lead_ins,
        options=tuple(options),
        option_count=count,
        topic=tuple(str(t) for t in spec["topic"]),
    )


def _reading(entry: Mapping[str, Any], path: Path, fields: set[str]) -> Reading:
    field = str(entry.get("field", ""))
    if field not in fields:
        raise GuidelineFileError(f"{path}: reads: {field!r} is not a case field")
    pattern = entry.get("mentions", entry.get("pattern"))
    if not pattern:
        raise GuidelineFileError(f"{path}: reads.{field} needs a pattern or mentions")
    try:
        compiled = re.compile(str(pattern))
    except re.error as error:
        raise GuidelineFileError(f"{path}: reads.{field}: {error}") from None
    if "pattern" in entry and compiled.groups < 1:
        raise GuidelineFileError(f"{path}: reads.{field}: the pattern needs a group to read")
    return Reading(
        field=field,
        pattern=compiled,
        is_mention="mentions" in entry,
        values=dict(entry.get("values") or {}),
    )


def _compile(expression: str, path: Path, where: str) -> cel.Program:
    try:
        return cel.compile(str(expression))
    except ValueError as error:
        raise GuidelineFileError(f"{path}: {where}: {error}") from None
