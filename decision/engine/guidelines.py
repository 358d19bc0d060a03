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
import re
import string
from collections.abc import Collection, Mapping, Sequence
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
from decision.engine.defines import Define, DefineError, expand
from decision.engine.defines import parse as parse_defines
from decision.engine.verdicts import (
    VERDICTS,
    Judgement,
    ParamValue,
    Reason,
    Verdict,
    decision_json,
    spoken,
)

CASE_FIELD_TYPES = ("integer", "number", "boolean", "choice", "list", "object")
# The files of a folder that are not versions (vignettes.yaml: decision/engine/templates.py).
RESERVED_FILES = frozenset({"model.yaml", "cases.yaml", "vignettes.yaml"})
CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


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
    # A numbered list of objects: each element also reads its 1-based `number` in expressions.
    is_numbered: bool = False


@dataclass(frozen=True)
class Check:
    """A cross-field rule: the case is refused, naming `field`, when `when` holds.

    With `each` (a list field), the rule is tried on every element, which expressions read as
    `item`, and the error names the element's field: `prior_lines[1].maintenance.agents`.
    """

    field: str
    when: cel.Program
    message: str
    each: str = ""
    # With `each`: the same rule over the whole list at once, so a valid case costs one run.
    any_item: cel.Program | None = None

    def failure(self, facts: Mapping[str, Any], context: cel.Context) -> CaseError | None:
        """Return the error this rule finds in the case's facts (evaluated in `context`)."""
        if not self.each:
            if self.when.execute(context) is True:
                return self._error(self.field, facts.get(self.field))
            return None
        if self.any_item is None or self.any_item.execute(context) is not True:
            return None
        for index, element in enumerate(facts.get(self.each) or ()):
            if self.when.execute(cel.Context(variables={**facts, "item": element})) is True:
                value: Any = element
                for part in self.field.split("."):
                    value = value.get(part) if isinstance(value, Mapping) else None
                return self._error(member(item(self.each, index), self.field), value)
        return None

    def _error(self, field: str, value: object) -> CaseError:
        return CaseError(field, value, f"{self.message}; got {shown(value)}")


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
    """When `when` holds: the answer, or an option's verdict, with the reasons to say why.

    An answer rule names one option or a family of them, best first: the answer is the first
    offered whose verdict is not `avoid`; None marks a case left to judgement. `params` adds
    named facts to the reason (a CEL map); `also` lists further reasons, each given when its
    own `when` holds.
    """

    code: str
    when: cel.Program
    cite: Citation
    # The citation in full (source, section, grade), written once when the file loads.
    cited: str = ""
    answer: tuple[str, ...] | None = None
    verdict: Verdict = "preferred"
    params: cel.Program | None = None
    also: tuple[Rule, ...] = ()
    key_point: str = ""
    # A verdict rule's reason when its option is preferred but is not the answer: a single best
    # answer has one preferred option, so the others the guideline supports read `acceptable`.
    runner_up: str = ""


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
    # A code whose wording has variants: the param that picks one (its value, upper-cased,
    # ends the code the reason carries).
    wording_variants: Mapping[str, str]
    key_point: str
    pearl: str
    # The mechanism of the answer's key drug, by option ("*": whatever the answer).
    mechanism: Mapping[str, str]
    # A case to show as the model's example (the API documentation's), from model.yaml.
    example: Mapping[str, Any] | None = None

    def decide(self, case: object) -> dict[str, Any]:
        """Return the decision contract (docs/decision-engine.md) for `case`."""
        facts, offered, context = self._validated(case)
        # Each finding may read the ones before it. Adding a variable would rebuild the whole
        # context, so findings reach expressions through a resolver instead; a null finding,
        # which a resolver cannot give, is added as a variable.
        found: dict[str, Any] = {}
        context.set_variable_resolver(found.get)
        for name, program in self.findings:
            facts[name] = found[name] = program.execute(context)
            if facts[name] is None:
                context.add_variable(name, None)
        # A finding named with a leading underscore is a working step, left out of the answer.
        findings = {name: facts[name] for name, _ in self.findings if not name.startswith("_")}
        rule = next(r for r in self.answer_rules if r.when.execute(context) is True)
        judged = {option: self._judge(option, context, facts) for option in offered}
        family = rule.answer or ()
        answer = next((o for o in family if o in judged and judged[o][0].verdict != "avoid"), None)
        judgements = [
            self._runner_up(judgement, verdict_rule, context, facts)
            if answer is not None and option != answer and judgement.verdict == "preferred"
            else judgement
            for option, (judgement, verdict_rule) in judged.items()
        ]
        cited = [rule.cited, *(c for judgement, _ in judged.values() for c in judgement.citations)]
        key = answer or (family[0] if family else "")
        return decision_json(
            model=self.guideline.id,
            answer=answer,
            reason=self._reason(rule, answer, family, offered, facts),
            findings=findings,
            judgements=judgements,
            order=list(self.option_labels),
            wording=self.wording,
            key_point=self.wording[rule.key_point] if rule.key_point else self.key_point,
            pearl=self.pearl,
            mechanism=self.mechanism.get(key, self.mechanism.get("*", "")) if key else "",
            citations=list(dict.fromkeys(cited)),
        )

    def _validated(self, case: object) -> tuple[dict[str, Any], tuple[str, ...], cel.Context]:
        """Return the case's facts (optional fields absent: null), its offered options, and the
        context the checks, findings and rules evaluate in."""
        facts = _read_fields(self.fields, case, ROOT, also=("options",))
        given = as_object(case, ROOT, allowed=[*facts, "options"])
        labels = list(self.option_labels)
        options = as_list(required(given, "options", ROOT), "options", min_items=2)
        for index, option in enumerate(options):
            as_choice(option, item("options", index), labels, what="option")
        offered = distinct([str(o) for o in options], "options")
        context = cel.Context(variables={**facts, "options": list(offered)})
        for check in self.checks:
            if (error := check.failure(facts, context)) is not None:
                raise error
        return facts, offered, context

    def _judge(
        self, option: str, context: cel.Context, facts: Mapping[str, Any]
    ) -> tuple[Judgement, Rule]:
        """Return the option's verdict (with the citations of the rules that gave its reasons)
        and the rule that gave the verdict.

        The first rule that holds gives the verdict (the last rule always holds); its `also`
        reasons follow, each when its own condition holds.
        """
        rule = next(r for r in self.verdict_rules[option] if r.when.execute(context) is True)
        extra = [r for r in rule.also if r.when.execute(context) is True]
        reasons = tuple(self._reason_of(r, context, facts) for r in (rule, *extra))
        texts = tuple(dict.fromkeys(r.cited for r in (rule, *extra)))
        return Judgement(option, rule.verdict, reasons, texts), rule

    def _runner_up(
        self, judgement: Judgement, rule: Rule, context: cel.Context, facts: Mapping[str, Any]
    ) -> Judgement:
        """Return a preferred option that is not the answer as acceptable, said as such."""
        if not rule.runner_up:
            return replace(judgement, verdict="acceptable")
        runner_up = replace(rule, code=rule.runner_up, params=None)
        first = self._reason_of(runner_up, context, facts)
        return replace(judgement, verdict="acceptable", reasons=(first, *judgement.reasons[1:]))

    def _reason_of(self, rule: Rule, context: cel.Context, facts: Mapping[str, Any]) -> Reason:
        """Return the rule's reason: its code (its variant, if worded in variants) and params."""
        named = {**facts, **rule.params.execute(context)} if rule.params else facts
        code = rule.code
        if code in self.wording_variants:
            code = f"{code}_{str(named[self.wording_variants[code]]).upper()}"
        return Reason(code, {name: _param(named[name]) for name in self.wording_params[code]})

    def _reason(
        self,
        rule: Rule,
        answer: str | None,
        family: tuple[str, ...],
        offered: tuple[str, ...],
        facts: Mapping[str, Any],
    ) -> str:
        if answer is not None:
            return ""
        if not family:
            params = {k: spoken(_param(v)) for k, v in facts.items()}
            return self.wording[rule.code].format_map(params)
        usable = [o for o in family if o in offered]
        if not usable:
            labels = " or ".join(self.option_labels[o] for o in family)
            return f"The guideline's answer, {labels}, is not among the options offered."
        labels = " or ".join(self.option_labels[o] for o in usable)
        return (
            f"The guideline's choice here, {labels}, is to be avoided in this case, as its "
            "explanation says; no other option takes its place."
        )


def _param(value: Any) -> ParamValue:
    """Return a fact as a reason parameter: lists become tuples, whole numbers stay as given."""
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return value  # type: ignore[no-any-return]


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
            scalar = case_field.items.type not in {"list", "object"}
            distinct([str(e) if scalar else json.dumps(e, sort_keys=True) for e in read], path)
        if case_field.is_numbered:
            read = [{**e, "number": n} for n, e in enumerate(read, start=1)]  # type: ignore[dict-item]
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
        Check(
            field=c["field"],
            when=_compile(c["when"], folder, "checks"),
            message=c["message"],
            each=str(c.get("each", "")),
            any_item=_compile(f"{c['each']}.exists(item, {c['when']})", folder, "checks")
            if c.get("each")
            else None,
        )
        for c in spec.get("checks", [])
    )
    example = spec.get("example")
    if example is not None and not isinstance(example, Mapping):
        raise GuidelineFileError(f"{folder / 'model.yaml'}: example must be a case (a mapping)")
    versions = [
        replace(_version(path, model_id, labels, fields, checks), example=example)
        for path in sorted(folder.glob("*.yaml"))
        if path.name not in RESERVED_FILES
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
    constants = dict(spec.get("constants") or {})
    if lower := sorted(n for n in constants if not CONSTANT_NAME.fullmatch(str(n))):
        raise GuidelineFileError(f"{path}: constants are named in capitals: {lower}")
    try:
        defines = parse_defines(spec.get("define") or {})
        spec = _inlined(spec, constants, defines)
    except DefineError as error:
        raise GuidelineFileError(f"{path}: define: {error}") from None
    wording, wording_variants, base_of = _wording(spec["wording"], path)
    worded = set(base_of.values())
    findings = tuple(
        (str(n), _compile(e, path, f"findings.{n}")) for n, e in spec["findings"].items()
    )
    answer_rules = tuple(_rule(r, path, "answer", sources, worded) for r in spec["answer"])
    verdict_rules = {
        option: tuple(_rule(r, path, f"verdicts.{option}", sources, worded) for r in rules)
        for option, rules in spec["verdicts"].items()
    }
    if set(verdict_rules) != set(labels):
        missing = sorted(set(labels) ^ set(verdict_rules))
        raise GuidelineFileError(f"{path}: verdicts must cover every option; check {missing}")
    for rule in answer_rules:
        if unknown_options := sorted(set(rule.answer or ()) - set(labels)):
            raise GuidelineFileError(f"{path}: answer {rule.code} names unknown {unknown_options}")
        if rule.key_point and rule.key_point not in wording:
            raise GuidelineFileError(f"{path}: answer {rule.code}: no wording {rule.key_point}")
    for rule in _all_rules((), verdict_rules):
        if rule.runner_up and rule.runner_up not in wording:
            raise GuidelineFileError(f"{path}: {rule.code}: no wording {rule.runner_up}")
    # Every case gets an answer (or a reason for none) and every option a verdict: each list
    # ends with a rule that always holds.
    for where, rules in [("answer", answer_rules), *verdict_rules.items()]:
        if not rules or rules[-1].when.source.strip() != "true":
            raise GuidelineFileError(f"{path}: the last rule of {where} must have when: 'true'")
    # A rule's own params may name more: only codes given by such rules may use them.
    with_params = {r.code for r in _all_rules(answer_rules, verdict_rules) if r.params}
    names = {f.name for f in fields} | {n for n, _ in findings} | {"options"}
    wording_params: dict[str, tuple[str, ...]] = {}
    for code, text in wording.items():
        named = [n for _, n, _, _ in string.Formatter().parse(text) if n]
        if (unknown := sorted(set(named) - names)) and base_of[code] not in with_params:
            raise GuidelineFileError(f"{path}: wording {code} names unknown {unknown}")
        wording_params[code] = tuple(dict.fromkeys(named))
    mechanism = spec.get("mechanism", "")
    mechanisms = (
        {str(k): str(v) for k, v in mechanism.items()}
        if isinstance(mechanism, Mapping)
        else {"*": str(mechanism)}
    )
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
        wording_variants=wording_variants,
        key_point=_text(spec, "key_point", path),
        pearl=_text(spec, "pearl", path),
        mechanism=mechanisms,
    )


def _inlined(
    spec: Mapping[str, Any], constants: Mapping[str, Any], defines: Mapping[str, Define]
) -> dict[str, Any]:
    """Return the version's spec with each definition's calls written out and each constant
    written in as a CEL literal: the context then holds only the case, so it stays cheap."""
    if not constants and not defines:
        return dict(spec)
    names = re.compile(r"(?<![\w.\"])(" + "|".join(map(re.escape, constants)) + r")\b")

    def inline(expression: object) -> str:
        expanded = expand(str(expression), defines)
        if not constants:
            return expanded
        return names.sub(lambda m: json.dumps(constants[m.group(1)]), expanded)

    def rule(entry: Mapping[str, Any]) -> dict[str, Any]:
        changed = {k: inline(v) for k, v in entry.items() if k in ("when", "params")}
        also = [rule(a) for a in entry.get("also", ())]
        return {**entry, **changed, **({"also": also} if also else {})}

    return {
        **spec,
        "findings": {n: inline(e) for n, e in spec["findings"].items()},
        "answer": [rule(r) for r in spec["answer"]],
        "verdicts": {o: [rule(r) for r in rules] for o, rules in spec["verdicts"].items()},
    }


def _all_rules(
    answer_rules: Sequence[Rule], verdict_rules: Mapping[str, Sequence[Rule]]
) -> list[Rule]:
    rules = [*answer_rules, *(r for rs in verdict_rules.values() for r in rs)]
    return [*rules, *(a for r in rules for a in r.also)]


def _wording(
    entries: Mapping[str, Any], path: Path
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Return every code's text, variants flattened (`CODE_VARIANT`); each varied code's
    deciding param; and, for every text, the code rules name it by (its own, or its variant's)."""
    wording: dict[str, str] = {}
    variants: dict[str, str] = {}
    base_of: dict[str, str] = {}
    for code, entry in entries.items():
        if not isinstance(entry, Mapping):
            wording[str(code)], base_of[str(code)] = str(entry), str(code)
            continue
        if "by" not in entry:
            raise GuidelineFileError(f"{path}: wording {code} has variants but no `by`")
        variants[str(code)] = str(entry["by"])
        for variant, text in entry.items():
            if variant != "by":
                flat = f"{code}_{str(variant).upper()}"
                wording[flat], base_of[flat] = str(text), str(code)
    return wording, variants, base_of


def _rule(
    entry: Mapping[str, Any],
    path: Path,
    where: str,
    sources: Mapping[str, str],
    worded: Collection[str],
) -> Rule:
    code = str(entry["code"])
    cite = Citation(**{str(k): str(v) for k, v in entry["cite"].items()})
    if cite.source not in sources:
        raise GuidelineFileError(f"{path}: {where} {code} cites unknown source {cite.source!r}")
    # An answer rule's code is worded only when it gives no answer (its text is the reason).
    is_worded = where != "answer" or entry.get("answer") is None
    if is_worded and code not in worded:
        raise GuidelineFileError(f"{path}: {where} {code} has no wording")
    verdict = str(entry.get("verdict", "preferred"))
    if verdict not in VERDICTS:
        raise GuidelineFileError(f"{path}: {where} {code} has unknown verdict {verdict!r}")
    answer = entry.get("answer")
    family = (answer,) if isinstance(answer, str) else answer
    also = tuple(
        _rule({"cite": entry["cite"], **a}, path, f"{where} {code} also", sources, worded)
        for a in entry.get("also", ())
    )
    return Rule(
        code=code,
        when=_compile(str(entry.get("when", "true")), path, f"{where} {code}"),
        cite=cite,
        cited=cite.text(sources),
        answer=None if family is None else tuple(str(o) for o in family),
        verdict=verdict,  # type: ignore[arg-type]
        params=_compile(entry["params"], path, f"{where} {code} params")
        if "params" in entry
        else None,
        also=also,
        key_point=str(entry.get("key_point", "")),
        runner_up=str(entry.get("runner_up", "")),
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
        is_numbered=bool(entry.get("numbered", False)),
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
