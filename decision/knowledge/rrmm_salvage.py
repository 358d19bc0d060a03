"""Model "rrmm-salvage": the regimen for relapsed multiple myeloma after prior therapy.

Sources: the teaching table of salvage regimens (prior PI / prior IMiD / prior both / early
relapse, "switch class") and the NCCN definition of lenalidomide-refractory disease. Every
rule and every "why not" has a stable code; all the wording a clinician reviews is in WORDING.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

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
)
from decision.engine.guidelines import Guideline
from decision.engine.registry import DecisionModel, register
from decision.engine.verdicts import (
    Judgement,
    ParamValue,
    Reason,
    Verdict,
    decision_json,
    render,
)
from decision.knowledge.rrmm_salvage_wording import CITATIONS, WORDING

MODEL_ID = "rrmm-salvage"

PROTEASOME_INHIBITORS = ("bortezomib", "carfilzomib", "ixazomib")
IMIDS = ("thalidomide", "lenalidomide", "pomalidomide")
AGENTS = (
    *PROTEASOME_INHIBITORS,
    *IMIDS,
    "daratumumab",
    "isatuximab",
    "elotuzumab",
    "melphalan",
    "cyclophosphamide",
    "doxorubicin",
    "dexamethasone",
    "prednisone",
)
NEUROTOXIC = ("bortezomib", "thalidomide")
RESPONSES = ("sCR", "CR", "VGPR", "PR", "MR", "SD", "PD")
NO_RESPONSE = ("SD", "PD")
REFRACTORY_WINDOW_DAYS = 60
EARLY_RELAPSE_MONTHS = 12
NEUROPATHY_GRADE = 2
SEXES = ("female", "male")

# Regimen id -> (label, its anti-myeloma agents besides dexamethasone). The order is the tie-break
# of ranks and, within the pomalidomide triplets, the order of preference.
REGIMENS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lenalidomide-dexamethasone": ("Lenalidomide plus dexamethasone", ("lenalidomide",)),
    "pomalidomide-dexamethasone": ("Pomalidomide plus dexamethasone", ("pomalidomide",)),
    "bortezomib-dexamethasone": ("Bortezomib plus dexamethasone", ("bortezomib",)),
    "carfilzomib-dexamethasone": ("Carfilzomib plus dexamethasone", ("carfilzomib",)),
    "ixazomib-pomalidomide-dexamethasone": (
        "Ixazomib, pomalidomide and dexamethasone",
        ("ixazomib", "pomalidomide"),
    ),
    "daratumumab-pomalidomide-dexamethasone": (
        "Daratumumab, pomalidomide and dexamethasone",
        ("daratumumab", "pomalidomide"),
    ),
    "isatuximab-pomalidomide-dexamethasone": (
        "Isatuximab, pomalidomide and dexamethasone",
        ("isatuximab", "pomalidomide"),
    ),
}
ORDER = tuple(REGIMENS)
LENALIDOMIDE_RD = "lenalidomide-dexamethasone"
POMALIDOMIDE_PD = "pomalidomide-dexamethasone"
BORTEZOMIB_VD = "bortezomib-dexamethasone"
CARFILZOMIB_KD = "carfilzomib-dexamethasone"
# Ixazomib first: it is the triplet the NCCN guideline names for this setting; the anti-CD38
# triplets follow in the order of REGIMENS (the sources do not rank them against each other).
POMALIDOMIDE_TRIPLETS = (
    "ixazomib-pomalidomide-dexamethasone",
    "daratumumab-pomalidomide-dexamethasone",
    "isatuximab-pomalidomide-dexamethasone",
)

CASE_FIELDS = (
    "prior_lines",
    "months_to_relapse",
    "creatinine_clearance",
    "neuropathy_grade",
    "age",
    "sex",
    "ecog",
    "options",
)
LINE_FIELDS = (
    "agents",
    "asct",
    "best_response",
    "progressed_on_therapy",
    "days_from_last_dose_to_progression",
)

# The seed-004 patient: VTD and ASCT, relapse at 18 months, normal kidneys, no neuropathy.
# The API shows it as its example; the tests start from it.
SEED_CASE: dict[str, Any] = {
    "prior_lines": [
        {
            "agents": ["bortezomib", "thalidomide", "dexamethasone"],
            "asct": True,
            "best_response": "VGPR",
            "progressed_on_therapy": False,
            "days_from_last_dose_to_progression": None,
        }
    ],
    "months_to_relapse": 18,
    "creatinine_clearance": 85,
    "neuropathy_grade": 0,
    "options": [LENALIDOMIDE_RD, POMALIDOMIDE_PD, BORTEZOMIB_VD, CARFILZOMIB_KD],
}


@dataclass(frozen=True)
class PriorLine:
    number: int
    agents: tuple[str, ...]
    asct: bool
    best_response: str
    progressed_on_therapy: bool
    days_from_last_dose_to_progression: int | None

    def refractory_reason(self, agent: str) -> Reason | None:
        """Return why the disease is refractory to `agent` after this line, if it is.

        NCCN: no response, or progression on therapy or within 60 days of its last dose,
        whatever the dose. Minimal response counts as a response (IMWG).
        """
        if agent not in self.agents:
            return None
        if self.progressed_on_therapy:
            return Reason("REFRACTORY_PROGRESSED_ON_THERAPY", {"agent": agent, "line": self.number})
        if self.best_response in NO_RESPONSE:
            return Reason(
                "REFRACTORY_NO_RESPONSE",
                {"agent": agent, "line": self.number, "best_response": self.best_response},
            )
        days = self.days_from_last_dose_to_progression
        if days is not None and days <= REFRACTORY_WINDOW_DAYS:
            return Reason(
                "REFRACTORY_WITHIN_WINDOW", {"agent": agent, "line": self.number, "days": days}
            )
        return None


@dataclass(frozen=True)
class Case:
    prior_lines: tuple[PriorLine, ...]
    months_to_relapse: float
    creatinine_clearance: float
    neuropathy_grade: int
    options: tuple[str, ...]


def parse_line(value: object, field: str, number: int) -> PriorLine:
    """Return one prior line of therapy, validated."""
    line = as_object(value, field, allowed=LINE_FIELDS)
    agents_field = member(field, "agents")
    agents = [
        as_choice(agent, item(agents_field, i), AGENTS, what="agent")
        for i, agent in enumerate(
            as_list(required(line, "agents", field), agents_field, min_items=1)
        )
    ]
    days_field = member(field, "days_from_last_dose_to_progression")
    days = required(line, "days_from_last_dose_to_progression", field)
    parsed = PriorLine(
        number=number,
        agents=distinct(agents, agents_field),
        asct=as_bool(required(line, "asct", field), member(field, "asct")),
        best_response=as_choice(
            required(line, "best_response", field),
            member(field, "best_response"),
            RESPONSES,
            what="response",
        ),
        progressed_on_therapy=as_bool(
            required(line, "progressed_on_therapy", field), member(field, "progressed_on_therapy")
        ),
        days_from_last_dose_to_progression=None
        if days is None
        else as_int(days, days_field, low=0),
    )
    # Progression on therapy is progression while still dosed: a gap after the last dose
    # contradicts it.
    gap = parsed.days_from_last_dose_to_progression
    if parsed.progressed_on_therapy and gap is not None and gap > 0:
        raise CaseError(
            days_field,
            gap,
            f"progression on therapy leaves no gap after the last dose, got {gap} days; "
            "give 0 or null, or set progressed_on_therapy to false",
        )
    return parsed


def parse_case(value: object) -> Case:
    """Return the validated case, or raise CaseError naming the first bad field."""
    case = as_object(value, ROOT, allowed=CASE_FIELDS)
    lines = as_list(required(case, "prior_lines", ROOT), "prior_lines", min_items=1)
    prior_lines = tuple(
        parse_line(line, item("prior_lines", i), i + 1) for i, line in enumerate(lines)
    )
    months = required(case, "months_to_relapse", ROOT)
    clearance = required(case, "creatinine_clearance", ROOT)
    grade = required(case, "neuropathy_grade", ROOT)
    parsed = Case(
        prior_lines=prior_lines,
        months_to_relapse=as_number(months, "months_to_relapse", low=0, low_inclusive=True),
        creatinine_clearance=as_number(
            clearance, "creatinine_clearance", low=0, low_inclusive=False
        ),
        neuropathy_grade=as_int(grade, "neuropathy_grade", low=0, high=4),
        options=(),
    )
    # Optional descriptors: validated so a typo is caught, though no rule of the sources uses
    # them. Adults only: the sources concern adult myeloma.
    if "age" in case:
        as_int(case["age"], "age", low=18, high=120)
    if "sex" in case:
        as_choice(case["sex"], "sex", SEXES, what="sex")
    if "ecog" in case:
        as_int(case["ecog"], "ecog", low=0, high=4)
    options = [
        as_choice(option, item("options", i), ORDER, what="regimen")
        for i, option in enumerate(as_list(required(case, "options", ROOT), "options", min_items=2))
    ]
    return replace(parsed, options=distinct(options, "options"))


@dataclass(frozen=True)
class Facts:
    """What the policy reads off a case: exposures, refractoriness, organ function."""

    case: Case
    prior_agents: tuple[str, ...]
    refractory: Mapping[str, Reason]

    def received(self, agents: tuple[str, ...]) -> tuple[str, ...]:
        """Return which of `agents` were given, in the order they were first given."""
        return tuple(agent for agent in self.prior_agents if agent in agents)

    @cached_property
    def pi_agents(self) -> tuple[str, ...]:
        return self.received(PROTEASOME_INHIBITORS)

    @cached_property
    def imid_agents(self) -> tuple[str, ...]:
        return self.received(IMIDS)

    def first_line_with(self, agent: str) -> int:
        """Return the number of the first prior line that included `agent`."""
        return next(line.number for line in self.case.prior_lines if agent in line.agents)

    @property
    def pi_exposed(self) -> bool:
        return bool(self.pi_agents)

    @property
    def imid_exposed(self) -> bool:
        return bool(self.imid_agents)

    @property
    def lenalidomide_exposed(self) -> bool:
        return "lenalidomide" in self.prior_agents

    @property
    def early_relapse(self) -> bool:
        return self.case.months_to_relapse < EARLY_RELAPSE_MONTHS

    @property
    def neuropathy(self) -> bool:
        return self.case.neuropathy_grade >= NEUROPATHY_GRADE

    @property
    def renal_impairment(self) -> str:
        clearance = self.case.creatinine_clearance
        if clearance >= 60:
            return "none"
        return "moderate" if clearance >= 30 else "severe"

    @property
    def triplet_eligible(self) -> bool:
        """Seed 000 (NCCN): lenalidomide-refractory after >= 2 lines including a PI and an IMiD."""
        return (
            len(self.case.prior_lines) >= 2
            and self.pi_exposed
            and self.imid_exposed
            and "lenalidomide" in self.refractory
        )

    def findings(self) -> dict[str, Any]:
        """Return the derived findings, in a fixed order."""
        return {
            "pi_exposed": self.pi_exposed,
            "imid_exposed": self.imid_exposed,
            "lenalidomide_exposed": self.lenalidomide_exposed,
            "lenalidomide_refractory": "lenalidomide" in self.refractory,
            "pi_refractory": any(agent in self.refractory for agent in PROTEASOME_INHIBITORS),
            "early_relapse": self.early_relapse,
            "renal_impairment": self.renal_impairment,
            "neuropathy": self.neuropathy,
            "prior_line_count": len(self.case.prior_lines),
            "refractory_to": [agent for agent in AGENTS if agent in self.refractory],
        }


def read_facts(case: Case) -> Facts:
    """Derive the facts of `case`."""
    prior_agents: list[str] = []
    refractory: dict[str, Reason] = {}
    for line in case.prior_lines:
        for agent in line.agents:
            if agent not in prior_agents:
                prior_agents.append(agent)
            reason = line.refractory_reason(agent)
            # The first line listed that made the disease refractory is the one cited.
            if reason is not None and agent not in refractory:
                refractory[agent] = reason
    return Facts(case=case, prior_agents=tuple(prior_agents), refractory=refractory)


@dataclass(frozen=True)
class Rule:
    code: str
    # The regimens the rule recommends, best first; the first offered and usable one is chosen.
    family: tuple[str, ...]


def matching_rule(facts: Facts) -> Rule | None:
    """Return the first rule of the salvage table that fits, in the table's order."""
    # "Prior both" means a PI and lenalidomide: thalidomide alone leaves lenalidomide open, as
    # for the teaching table's own patient after VTD.
    if facts.pi_exposed and facts.lenalidomide_exposed:
        triplets = POMALIDOMIDE_TRIPLETS if facts.triplet_eligible else ()
        return Rule("PRIOR_BOTH", (POMALIDOMIDE_PD, *triplets))
    if facts.early_relapse:
        return Rule("EARLY_RELAPSE", (CARFILZOMIB_KD,))
    if facts.pi_exposed:
        return Rule("SWITCH_TO_LENALIDOMIDE", (LENALIDOMIDE_RD,))
    if facts.imid_exposed:
        # The table offers bortezomib or carfilzomib; bortezomib first unless neuropathy.
        if facts.neuropathy:
            return Rule("SWITCH_TO_PI", (CARFILZOMIB_KD,))
        return Rule("SWITCH_TO_PI", (BORTEZOMIB_VD, CARFILZOMIB_KD))
    # No PI and no IMiD before (for example melphalan-prednisone only) and a late relapse: the
    # sources have no row for this, so the model abstains rather than guess.
    return None


def refractory_reasons(regimen: str, facts: Facts) -> tuple[Reason, ...]:
    """Return why the disease is refractory to a drug of `regimen` (empty if it is not)."""
    return tuple(facts.refractory[a] for a in REGIMENS[regimen][1] if a in facts.refractory)


def support(regimen: str, facts: Facts) -> tuple[Reason, ...]:
    """Return why `regimen`, the chosen one, fits this case."""
    case = facts.case
    pi_agents = facts.pi_agents
    clearance = {"creatinine_clearance": case.creatinine_clearance}
    grade = {"neuropathy_grade": case.neuropathy_grade}
    if regimen == POMALIDOMIDE_PD:
        return (Reason("PRIOR_PI_AND_LENALIDOMIDE", {"pi_agents": pi_agents}),)
    if regimen in POMALIDOMIDE_TRIPLETS:
        return (
            Reason("PRIOR_PI_AND_LENALIDOMIDE", {"pi_agents": pi_agents}),
            Reason("TRIPLET_LENALIDOMIDE_REFRACTORY", {"lines": len(case.prior_lines)}),
        )
    if regimen == LENALIDOMIDE_RD:
        reasons = [Reason("SWITCH_TO_LENALIDOMIDE", {"pi_agents": pi_agents})]
        if "thalidomide" in facts.prior_agents:
            reasons.append(Reason("THALIDOMIDE_IS_NOT_LENALIDOMIDE"))
        if facts.renal_impairment == "none":
            reasons.append(Reason("LENALIDOMIDE_FULL_DOSE", clearance))
        else:
            reasons.append(
                Reason("LENALIDOMIDE_RENAL_DOSE", {**clearance, "band": facts.renal_impairment})
            )
        return tuple(reasons)
    imid_switch = Reason("SWITCH_TO_PROTEASOME_INHIBITOR", {"imid_agents": facts.imid_agents})
    if regimen == BORTEZOMIB_VD:
        return (
            imid_switch,
            Reason("NEUROPATHY_ALLOWS_BORTEZOMIB", grade),
            Reason("BORTEZOMIB_NO_RENAL_ADJUSTMENT", clearance),
        )
    # Carfilzomib: chosen for early relapse, or as the PI after an IMiD.
    if facts.early_relapse:
        return (Reason("EARLY_RELAPSE", {"months": case.months_to_relapse}),)
    if facts.neuropathy:
        return (imid_switch, Reason("CARFILZOMIB_SPARES_NERVES", grade))
    return (imid_switch,)


def alternative(regimen: str, facts: Facts) -> tuple[Reason, ...]:
    """Return why `regimen`, in the rule's family but not chosen, is still acceptable."""
    if regimen in POMALIDOMIDE_TRIPLETS:
        return (Reason("TRIPLET_ALSO_SUPPORTED", {"lines": len(facts.case.prior_lines)}),)
    return (Reason("CARFILZOMIB_ALTERNATIVE", {"months": facts.case.months_to_relapse}),)


def context(rule: Rule | None, facts: Facts) -> tuple[Reason, ...]:
    """Return the rule's reason against any regimen outside its family."""
    if rule is None:
        return ()
    if rule.code == "PRIOR_BOTH":
        pi_agents = facts.pi_agents
        return (Reason("PRIOR_BOTH_FAVOURS_POMALIDOMIDE", {"pi_agents": pi_agents}),)
    if rule.code == "EARLY_RELAPSE":
        months = facts.case.months_to_relapse
        return (Reason("EARLY_RELAPSE_FAVOURS_CARFILZOMIB", {"months": months}),)
    if rule.code == "SWITCH_TO_LENALIDOMIDE":
        pi_agents = facts.pi_agents
        return (Reason("SWITCH_CLASS_TO_LENALIDOMIDE", {"pi_agents": pi_agents}),)
    imid_agents = facts.imid_agents
    return (Reason("SWITCH_CLASS_TO_PROTEASOME_INHIBITOR", {"imid_agents": imid_agents}),)


def why_not(regimen: str, facts: Facts, rule: Rule | None) -> tuple[Verdict, tuple[Reason, ...]]:
    """Return the verdict on a regimen the rule does not recommend, and the case's reasons."""
    case = facts.case
    months = {"months": case.months_to_relapse}
    grade = {"neuropathy_grade": case.neuropathy_grade}
    verdict: Verdict = "not_preferred"
    reasons: list[Reason] = []
    if regimen == LENALIDOMIDE_RD:
        if facts.lenalidomide_exposed:
            line = facts.first_line_with("lenalidomide")
            reasons.append(Reason("LENALIDOMIDE_ALREADY_RECEIVED", {"line": line}))
        reasons.extend(context(rule, facts))
        if reasons and facts.renal_impairment != "none":
            band = {"creatinine_clearance": case.creatinine_clearance}
            reasons.append(
                Reason("LENALIDOMIDE_RENAL_DOSE", {**band, "band": facts.renal_impairment})
            )
    elif regimen == POMALIDOMIDE_PD or regimen in POMALIDOMIDE_TRIPLETS:
        prior = {"prior_agents": facts.prior_agents}
        if not facts.lenalidomide_exposed:
            reasons.append(Reason("POMALIDOMIDE_LENALIDOMIDE_NAIVE", prior))
        elif not facts.pi_exposed:
            reasons.append(Reason("POMALIDOMIDE_PI_NAIVE", prior))
        else:
            # Both exposed, so this is a triplet the NCCN criteria do not yet cover.
            if len(case.prior_lines) < 2:
                lines: dict[str, ParamValue] = {"lines": len(case.prior_lines), **prior}
                reasons.append(Reason("TRIPLET_TOO_FEW_LINES", lines))
            if "lenalidomide" not in facts.refractory:
                line = facts.first_line_with("lenalidomide")
                reasons.append(Reason("TRIPLET_NOT_LENALIDOMIDE_REFRACTORY", {"line": line}))
        if rule is not None and rule.code == "EARLY_RELAPSE":
            reasons.extend(context(rule, facts))
    elif regimen == BORTEZOMIB_VD:
        if facts.neuropathy:
            verdict = "avoid"
            reasons.append(Reason("BORTEZOMIB_NEUROPATHY", grade))
        elif "bortezomib" in facts.prior_agents:
            line = facts.first_line_with("bortezomib")
            reasons.append(Reason("BORTEZOMIB_ALREADY_RECEIVED", {"line": line}))
            neurotoxic = facts.received(NEUROTOXIC)
            reasons.append(
                Reason(
                    "CUMULATIVE_NEUROPATHY",
                    {"neurotoxic_agents": neurotoxic, "neuropathy_grade": case.neuropathy_grade},
                )
            )
        elif facts.pi_exposed:
            pi_agents = facts.pi_agents
            reasons.append(Reason("PI_ALREADY_RECEIVED", {"pi_agents": pi_agents}))
        reasons.extend(context(rule, facts))
    else:
        # Seeds silent: early relapse after both classes suits carfilzomib's aggressive-disease
        # role, but the "prior both" row comes first, so it ranks as an alternative only.
        if rule is not None and rule.code == "PRIOR_BOTH" and facts.early_relapse:
            return "acceptable", (Reason("EARLY_RELAPSE_BUT_PRIOR_BOTH", months),)
        reasons.append(Reason("CARFILZOMIB_FOR_EARLY_RELAPSE", months))
        reasons.extend(context(rule, facts))
        reasons.append(Reason("CARFILZOMIB_COST"))
    if not reasons:
        # Only when no rule applies: nothing in the sources argues for or against it.
        facts_cited: dict[str, ParamValue] = {
            "prior_agents": facts.prior_agents,
            "months": case.months_to_relapse,
        }
        return "acceptable", (Reason("NO_TABLE_ROW", facts_cited),)
    return verdict, tuple(reasons)


def judge(case: Case) -> tuple[Facts, Rule | None, str | None, Reason | None, list[Judgement]]:
    """Apply the policy: the facts, the rule, the answer (or why none) and every verdict."""
    facts = read_facts(case)
    rule = matching_rule(facts)
    family = rule.family if rule is not None else ()
    offered = [r for r in family if r in case.options]
    usable = [r for r in offered if not refractory_reasons(r, facts)]
    answer = usable[0] if usable else None
    null_reason: Reason | None = None
    if rule is None:
        null_reason = Reason(
            "NULL_NO_RULE", {"prior_agents": facts.prior_agents, "months": case.months_to_relapse}
        )
    elif not offered:
        labels = tuple(REGIMENS[r][0] for r in family)
        null_reason = Reason("NULL_NOT_OFFERED", {"regimens": labels})
    elif answer is None:
        labels = tuple(REGIMENS[r][0] for r in offered)
        null_reason = Reason("NULL_REFRACTORY", {"regimens": labels})
    judgements = []
    for regimen in case.options:
        if regimen == answer:
            judgements.append(Judgement(regimen, "preferred", support(regimen, facts)))
        elif refractory := refractory_reasons(regimen, facts):
            judgements.append(Judgement(regimen, "avoid", refractory))
        elif regimen in usable:
            judgements.append(Judgement(regimen, "acceptable", alternative(regimen, facts)))
        else:
            judgements.append(Judgement(regimen, *why_not(regimen, facts, rule)))
    return facts, rule, answer, null_reason, judgements


def mechanism(regimen: str | None) -> str:
    """Return how the key drug of `regimen` works (empty when there is none)."""
    if regimen is None:
        return ""
    drug = next(a for a in REGIMENS[regimen][1] if a in IMIDS + PROTEASOME_INHIBITORS)
    # A triplet's key drug is its pomalidomide backbone, not the added proteasome inhibitor.
    if regimen in POMALIDOMIDE_TRIPLETS:
        drug = "pomalidomide"
    code = "MECHANISM_IMID" if drug in IMIDS else "MECHANISM_PI"
    return render((Reason(code, {"drug": drug.capitalize()}),), WORDING)


def decide(value: object) -> dict[str, Any]:
    """Return the decision for a case given as parsed JSON; raise CaseError for bad input."""
    case = parse_case(value)
    facts, rule, answer, null_reason, judgements = judge(case)
    key_point = f"KEY_POINT_{rule.code}" if rule is not None else "KEY_POINT_NO_RULE"
    return decision_json(
        model=MODEL_ID,
        answer=answer,
        reason=render((null_reason,), WORDING) if null_reason is not None else "",
        findings=facts.findings(),
        judgements=judgements,
        order=ORDER,
        wording=WORDING,
        key_point=WORDING[key_point],
        pearl=WORDING["PEARL"],
        mechanism=mechanism(answer or (rule.family[0] if rule is not None else None)),
        citations=CITATIONS,
    )


# The seed-004 teaching table, still in Python until it moves into a folder of data with the
# corrections the clinical review asked for (issue 17, part 3).
GUIDELINE = Guideline(
    id=MODEL_ID,
    version="seed-004",
    title="Salvage therapy at relapse of multiple myeloma: the seed-004 teaching table",
    status="teaching",
    published=None,
    sources={str(index): citation for index, citation in enumerate(CITATIONS, start=1)},
    reviewed_by="",
    review_due=None,
)

MODEL = register(
    DecisionModel(
        model_id=MODEL_ID,
        option_labels={regimen: label for regimen, (label, _) in REGIMENS.items()},
        decide=decide,
        guideline=GUIDELINE,
    ),
    is_default=True,
)
