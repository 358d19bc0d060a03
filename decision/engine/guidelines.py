"""A guideline written as data: a folder a clinician can read, run by one generic pipeline.

    decision/knowledge/<model-id>/
        model.yaml        the options and their labels, the case schema (fields and cross-field
                          checks) and which version answers when none is named
        <version>.yaml    one per version: metadata and sources, findings, the ordered answer
                          rules, the verdict rules of each option, and the wording of every code
        cases.yaml        the table of test cases, run by one generic test

Expressions are CEL (the Common Expression Language, compiled once by the
common-expression-language package): safe, side-effect free and not Turing-complete, so a rule
can only read the case and the findings before it. The pipeline is always the same:
validate the case against the schema -> findings in order -> the first answer rule that holds
-> the first verdict rule that holds for each offered option -> wording. HL7 CQL / FHIR
PlanDefinition use the same concepts (case facts, named definitions, actions with applicability
conditions), so an export could follow.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cel
import yaml

from decision.engine.cases import (
    ROOT,
    CaseError,
    as_bool,
    as_choice,
    as_int,
    as_list,
    as_number,
    as_object,
    distinct,
    item,
    member,
    required,
    shown,
)
from decision.engine.verdicts import VERDICTS, Judgement, Reason, Verdict, decision_json

CASE_FIELD_TYPES = ("integer", "number", "boolean", "choice", "list", "object")


class GuidelineFileError(ValueError):
    """A guideline folder breaks the format: named by file and entry, found when it loads."""


@dataclass(frozen=True)
class Guideline:
    """Which guideline, which version and which date an answer follows, and its sources."""

    id: str
    version: str
    title: str
    status: str
    published: str | None
    sources: Mapping[str, str]
    reviewed_by: str
    review_due: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "status": self.status,
            "published": self.published,
            "sources": list(self.sources.values()),
        }


@dataclass(frozen=True)
class CaseField:
    """A field of the case schema; a list has `items`, an object its own `fields`."""

    name: str
    type: str
    description: str
    is_required: bool
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    is_nullable: bool = False
    items: CaseField | None = None
    fields: tuple[CaseField, ...] = ()
    min_items: int = 0
    is_unique: bool = False


@dataclass(frozen=True)
class Check:
    """A cross-field rule: the case is refused, naming `field`, when `when` holds."""

    field: str
    when: cel.Program
    message: str


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a source key, its section, and the grade the source gives."""

    source: str
    section: str
    grade: str = ""

    def text(self, sources: Mapping[str, str]) -> str:
        grade = f" ({self.grade})" if self.grade else ""
        return f"{sources[self.source]} Section {self.section}{grade}."


@dataclass(frozen=True)
class Rule:
    """When `when` holds: the answer (None: no single best answer), or an option's verdict."""

    code: str
    when: cel.Program
    cite: Citation
    answer: str | None = None
    verdict: Verdict = "preferred"


@dataclass(frozen=True)
class GuidelineVersion:
    """One version of a guideline, ready to decide cases."""

    guideline: Guideline
    option_labels: Mapping[str, str]
    fields: tuple[CaseField, ...]
    checks: tuple[Check, ...]
    findings: tuple[tuple[str, cel.Program], ...]
    answer_rules: tuple[Rule, ...]
    verdict_rules: Mapping[str, tuple[Rule, ...]]
    wording: Mapping[str, str]
    # The case facts and findings each wording names, in the order it names them.
    wording_params: Mapping[str, tuple[str, ...]]
    key_point: str
    pearl: str
    mechanism: str
    # A case to show as the model's example (the API documentation's), from model.yaml.
    example: Mapping[str, Any] | None = None

    def decide(self, case: object) -> dict[str, Any]:
        """Return the decision contract (docs/decision-engine.md) for `case`."""
        facts, offered = self._validated(case)
        # Each finding may read the ones before it; the rules then share one compiled context.
        for name, program in self.findings:
            facts[name] = program.execute(facts)
        context = cel.Context(variables=facts)
        findings = {name: facts[name] for name, _ in self.findings}
        rule = next(r for r in self.answer_rules if r.when.execute(context) is True)
        answer = rule.answer if rule.answer in offered else None
        judged = [self._judge(option, context, facts) for option in offered]
        judgements = [judgement for judgement, _ in judged]
        cited = [rule.cite, *(verdict_rule.cite for _, verdict_rule in judged)]
        return decision_json(
            model=self.guideline.id,
            answer=answer,
            reason=self._reason(rule, answer, facts),
            findings=findings,
            judgements=judgements,
            order=list(self.option_labels),
            wording=self.wording,
            key_point=self.key_point,
            pearl=self.pearl,
            mechanism=self.mechanism,
            citations=list(dict.fromkeys(c.text(self.guideline.sources) for c in cited)),
        )

    def _validated(self, case: object) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Return the case's facts (optional fields absent: null) and its offered options."""
        facts = _read_fields(self.fields, case, ROOT, also=("options",))
        given = as_object(case, ROOT, allowed=[*facts, "options"])
        labels = list(self.option_labels)
        options = as_list(required(given, "options", ROOT), "options", min_items=2)
        for index, option in enumerate(options):
            as_choice(option, item("options", index), labels, what="option")
        offered = distinct([str(o) for o in options], "options")
        context = cel.Context(variables=facts)
        for check in self.checks:
            if check.when.execute(context) is True:
                raise CaseError(check.field, facts.get(check.field), check.message)
        return facts, offered

    def _judge(
        self, option: str, context: cel.Context, facts: Mapping[str, Any]
    ) -> tuple[Judgement, Rule]:
        """Return the option's verdict and the rule that gave it (the last rule always holds)."""
        rule = next(r for r in self.verdict_rules[option] if r.when.execute(context) is True)
        params = {name: facts[name] for name in self.wording_params[rule.code]}
        return Judgement(option, rule.verdict, (Reason(rule.code, params),)), rule

    def _reason(self, rule: Rule, answer: str | None, facts: Mapping[str, Any]) -> str:
        if answer is not None:
            return ""
        if rule.answer is None:
            return self.wording[rule.code].format_map(facts)
        label = self.option_labels[rule.answer]
        return f"The guideline's answer, {label}, is not among the options offered."


def _read_fields(
    fields: Sequence[CaseField], value: object, path: str, *, also: Sequence[str] = ()
) -> dict[str, Any]:
    """Return an object's fields read by the schema; an optional field left out is null."""
    given = as_object(value, path, allowed=[*(f.name for f in fields), *also])
    read: dict[str, Any] = {}
    for case_field in fields:
        if case_field.name not in given and not case_field.is_required:
            read[case_field.name] = None
            continue
        field_value = required(given, case_field.name, path)
        field_path = member(path, case_field.name)
        is_null = field_value is None and case_field.is_nullable
        read[case_field.name] = None if is_null else _read(case_field, field_value, field_path)
    return read


def _read(case_field: CaseField, value: object, path: str) -> object:
    if case_field.type == "object":
        return _read_fields(case_field.fields, value, path)
    if case_field.type == "list" and case_field.items is not None:
        elements = as_list(value, path, min_items=case_field.min_items)
        read = [_read(case_field.items, e, item(path, i)) for i, e in enumerate(elements)]
        if case_field.is_unique:
            distinct([json.dumps(e, sort_keys=True) for e in read], path)
        return read
    if case_field.type == "boolean":
        return as_bool(value, path)
    if case_field.type == "choice":
        return as_choice(value, path, case_field.choices, what=case_field.name)
    number: float
    if case_field.type == "integer":
        low = int(case_field.minimum) if case_field.minimum is not None else -(2**63)
        high = int(case_field.maximum) if case_field.maximum is not None else None
        number = as_int(value, path, low=low, high=high)
    else:
        minimum = case_field.minimum if case_field.minimum is not None else float("-inf")
        number = as_number(value, path, low=minimum, low_inclusive=True)
    if case_field.maximum is not None and number > case_field.maximum:
        raise CaseError(path, value, f"must be at most {case_field.maximum:g}, got {shown(value)}")
    return number


# Loading a folder ---------------------------------------------------------------------------


def load_model(folder: Path) -> tuple[str, list[GuidelineVersion]]:
    """Read a guideline folder; return its default version and every version in it."""
    spec = _yaml(folder / "model.yaml")
    model_id = _text(spec, "id", folder / "model.yaml")
    if model_id != folder.name:
        raise GuidelineFileError(f"{folder / 'model.yaml'}: id {model_id!r} is not the folder name")
    labels = {str(k): str(v) for k, v in spec["options"].items()}
    fields = tuple(_case_field(name, entry) for name, entry in spec["fields"].items())
    checks = tuple(
        Check(field=c["field"], when=_compile(c["when"], folder, "checks"), message=c["message"])
        for c in spec.get("checks", [])
    )
    example = spec.get("example")
    if example is not None and not isinstance(example, Mapping):
        raise GuidelineFileError(f"{folder / 'model.yaml'}: example must be a case (a mapping)")
    versions = [
        replace(_version(path, model_id, labels, fields, checks), example=example)
        for path in sorted(folder.glob("*.yaml"))
        if path.name not in {"model.yaml", "cases.yaml"}
    ]
    default = str(spec["default_version"])
    if default not in {v.guideline.version for v in versions}:
        raise GuidelineFileError(f"{folder / 'model.yaml'}: no version file for {default!r}")
    return default, versions


def _version(
    path: Path,
    model_id: str,
    labels: Mapping[str, str],
    fields: tuple[CaseField, ...],
    checks: tuple[Check, ...],
) -> GuidelineVersion:
    spec = _yaml(path)
    sources = {str(k): str(v) for k, v in spec["sources"].items()}
    guideline = Guideline(
        id=model_id,
        version=path.stem,
        title=_text(spec, "title", path),
        status=_text(spec, "status", path),
        published=str(spec["published"]) if spec.get("published") else None,
        sources=sources,
        reviewed_by=str(spec.get("reviewed_by", "")),
        review_due=str(spec["review_due"]) if spec.get("review_due") else None,
    )
    if guideline.status not in {"teaching", "guideline"}:
        raise GuidelineFileError(f"{path}: status must be teaching or guideline")
    wording = {str(k): str(v) for k, v in spec["wording"].items()}
    findings = tuple(
        (str(n), _compile(e, path, f"findings.{n}")) for n, e in spec["findings"].items()
    )
    answer_rules = tuple(_rule(r, path, "answer", sources, wording) for r in spec["answer"])
    verdict_rules = {
        option: tuple(_rule(r, path, f"verdicts.{option}", sources, wording) for r in rules)
        for option, rules in spec["verdicts"].items()
    }
    if set(verdict_rules) != set(labels):
        missing = sorted(set(labels) ^ set(verdict_rules))
        raise GuidelineFileError(f"{path}: verdicts must cover every option; check {missing}")
    for rule in answer_rules:
        if rule.answer is not None and rule.answer not in labels:
            raise GuidelineFileError(f"{path}: answer {rule.code} names unknown {rule.answer!r}")
    # Every case gets an answer (or a reason for none) and every option a verdict: each list
    # ends with a rule that always holds.
    for where, rules in [("answer", answer_rules), *verdict_rules.items()]:
        if not rules or rules[-1].when.source.strip() != "true":
            raise GuidelineFileError(f"{path}: the last rule of {where} must have when: 'true'")
    names = {f.name for f in fields} | {n for n, _ in findings}
    wording_params: dict[str, tuple[str, ...]] = {}
    for code, text in wording.items():
        named = [n for _, n, _, _ in string.Formatter().parse(text) if n]
        if unknown := sorted(set(named) - names):
            raise GuidelineFileError(f"{path}: wording {code} names unknown {unknown}")
        wording_params[code] = tuple(dict.fromkeys(named))
    return GuidelineVersion(
        guideline=guideline,
        option_labels=labels,
        fields=fields,
        checks=checks,
        findings=findings,
        answer_rules=answer_rules,
        verdict_rules=verdict_rules,
        wording=wording,
        wording_params=wording_params,
        key_point=_text(spec, "key_point", path),
        pearl=_text(spec, "pearl", path),
        mechanism=str(spec.get("mechanism", "")),
    )


def _rule(
    entry: Mapping[str, Any],
    path: Path,
    where: str,
    sources: Mapping[str, str],
    wording: Mapping[str, str],
) -> Rule:
    code = str(entry["code"])
    cite = Citation(**{str(k): str(v) for k, v in entry["cite"].items()})
    if cite.source not in sources:
        raise GuidelineFileError(f"{path}: {where} {code} cites unknown source {cite.source!r}")
    if code not in wording:
        raise GuidelineFileError(f"{path}: {where} {code} has no wording")
    verdict = str(entry.get("verdict", "preferred"))
    if verdict not in VERDICTS:
        raise GuidelineFileError(f"{path}: {where} {code} has unknown verdict {verdict!r}")
    answer = entry.get("answer")
    return Rule(
        code=code,
        when=_compile(str(entry["when"]), path, f"{where} {code}"),
        cite=cite,
        answer=None if answer is None else str(answer),
        verdict=verdict,  # type: ignore[arg-type]
    )


def _case_field(name: str, entry: Mapping[str, Any]) -> CaseField:
    kind = str(entry["type"])
    if kind not in CASE_FIELD_TYPES:
        raise GuidelineFileError(f"field {name}: type {kind!r} is not one of {CASE_FIELD_TYPES}")
    if kind == "list" and not isinstance(entry.get("items"), Mapping):
        raise GuidelineFileError(f"field {name}: a list needs its items")
    if kind == "object" and not isinstance(entry.get("fields"), Mapping):
        raise GuidelineFileError(f"field {name}: an object needs its fields")
    return CaseField(
        name=name,
        type=kind,
        description=str(entry.get("description", "")),
        is_required=bool(entry.get("required", True)),
        minimum=entry.get("minimum"),
        maximum=entry.get("maximum"),
        choices=tuple(str(c) for c in entry.get("choices", ())),
        is_nullable=bool(entry.get("nullable", False)),
        items=_case_field(f"{name}[]", entry["items"]) if kind == "list" else None,
        fields=tuple(_case_field(n, e) for n, e in entry["fields"].items())
        if kind == "object"
        else (),
        min_items=int(entry.get("min_items", 0)),
        is_unique=bool(entry.get("unique", False)),
    )


def _compile(expression: str, path: Path, where: str) -> cel.Program:
    try:
        return cel.compile(expression)
    except ValueError as error:
        raise GuidelineFileError(f"{path}: {where}: {error}") from None


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise GuidelineFileError(f"{path}: must hold a mapping")
    return data


def _text(spec: Mapping[str, Any], key: str, path: Path) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GuidelineFileError(f"{path}: {key} is missing")
    return value.strip()
