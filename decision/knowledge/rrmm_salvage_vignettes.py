"""Sample clinically coherent relapsed myeloma cases and write them up as exam vignettes.

Pure Python: values in, values out; every random choice comes from the `random.Random` passed in,
so one seed always gives the same cases and the same words. The sampler follows real treatment
pathways (transplant-eligible or not, induction, ASCT, maintenance, later lines) so the history
it writes is one a clinician would recognise, and it reaches every branch of the salvage policy.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from decision.engine.vignettes import register_generator

Case = dict[str, Any]

DOUBLETS = (
    "lenalidomide-dexamethasone",
    "pomalidomide-dexamethasone",
    "bortezomib-dexamethasone",
    "carfilzomib-dexamethasone",
)
POMALIDOMIDE_TRIPLETS = (
    "ixazomib-pomalidomide-dexamethasone",
    "daratumumab-pomalidomide-dexamethasone",
    "isatuximab-pomalidomide-dexamethasone",
)


@dataclass(frozen=True)
class Regimen:
    abbreviation: str
    agents: tuple[str, ...]
    words: str
    # Given until progression (continuous) rather than for a fixed number of cycles.
    is_continuous: bool = False


REGIMENS = {
    r.abbreviation: r
    for r in (
        Regimen(
            "VRd",
            ("bortezomib", "lenalidomide", "dexamethasone"),
            "bortezomib, lenalidomide and dexamethasone",
        ),
        Regimen(
            "VTD",
            ("bortezomib", "thalidomide", "dexamethasone"),
            "bortezomib, thalidomide and dexamethasone",
        ),
        Regimen(
            "VCd",
            ("bortezomib", "cyclophosphamide", "dexamethasone"),
            "bortezomib, cyclophosphamide and dexamethasone",
        ),
        Regimen(
            "PAD",
            ("bortezomib", "doxorubicin", "dexamethasone"),
            "bortezomib, doxorubicin and dexamethasone",
        ),
        Regimen(
            "VMP",
            ("bortezomib", "melphalan", "prednisone"),
            "bortezomib, melphalan and prednisone",
        ),
        Regimen(
            "MPT",
            ("melphalan", "prednisone", "thalidomide"),
            "melphalan, prednisone and thalidomide",
        ),
        Regimen(
            "Rd",
            ("lenalidomide", "dexamethasone"),
            "lenalidomide and dexamethasone",
            is_continuous=True,
        ),
        Regimen(
            "DRd",
            ("daratumumab", "lenalidomide", "dexamethasone"),
            "daratumumab, lenalidomide and dexamethasone",
            is_continuous=True,
        ),
    )
}
TRANSPLANT_INDUCTIONS = ("VTD", "VCd", "VRd", "PAD")
NON_TRANSPLANT_INDUCTIONS = ("Rd", "MPT", "VMP", "DRd")
FIXED_CYCLES = {"VTD": (4, 6), "VCd": (4, 6), "VRd": (4, 6), "PAD": (3, 4), "VMP": (9, 9)}

RESPONSES = {
    "sCR": "a stringent complete response",
    "CR": "a complete response",
    "VGPR": "a very good partial response",
    "PR": "a partial response",
    "MR": "a minimal response",
    "SD": "stable disease",
}
ISOTYPES = ("IgG-kappa", "IgG-lambda", "IgA-kappa", "IgA-lambda")
NEUROTOXIC = ("bortezomib", "thalidomide")

NEUROPATHY = {
    0: (
        "{He} has no peripheral neuropathy on examination.",
        "There are no symptoms or signs of peripheral neuropathy.",
        "Neurological examination is normal, with no peripheral neuropathy.",
    ),
    1: (
        "{He} has mild numbness of the toes with reduced ankle reflexes, but no pain and no "
        "limitation of daily activities (grade 1 neuropathy{since}).",
        "Examination shows reduced vibration sense at the ankles; the tingling does not bother "
        "{him} or limit what {he} does (grade 1 sensory neuropathy{since}).",
    ),
    2: (
        "{He} describes painful tingling in both feet and struggles with buttons and cooking "
        "(grade 2 sensory neuropathy{since}).",
        "Burning paraesthesia of the feet and fingertips now limits {his} shopping and "
        "housework (grade 2 peripheral neuropathy{since}).",
    ),
    3: (
        "{He} has severe painful neuropathy in a stocking-glove distribution and needs help to "
        "dress and bathe (grade 3 neuropathy{since}).",
        "Sensory loss to the knees with an unsteady gait means {he} needs help with washing and "
        "dressing (grade 3 peripheral neuropathy{since}).",
    ),
}
LEAD_INS = (
    "Of the following regimens, which is the most appropriate treatment for this {nth} relapse?",
    "Which of the following is the most appropriate treatment at this {nth} relapse?",
    "Which salvage regimen is most appropriate for this patient now?",
    "Among the regimens below, which is the best choice for {his} {nth} relapse?",
)


@dataclass
class Patient:
    age: int
    is_female: bool
    ecog: int
    isotype: str

    def words(self, template: str) -> str:
        """Fill the pronouns of `template` ({He}, {he}, {him}, {his}) for this patient."""
        f = self.is_female
        return template.format(
            He="She" if f else "He",
            he="she" if f else "he",
            him="her" if f else "him",
            his="her" if f else "his",
            His="Her" if f else "His",
            since="{since}",
            nth="{nth}",
            hb="{hb}",
            calcium="{calcium}",
        )


@dataclass
class Line:
    regimen: Regimen
    asct: bool
    best_response: str
    on_therapy: bool
    days: int | None
    # Months from the point the stem counts from (ASCT, the end of a fixed course, or the start
    # of continuous therapy) to this relapse, and from the start of the line to that point.
    months: int
    cycles: int = 0
    maintenance_months: int | None = None  # None: no lenalidomide maintenance
    maintenance_stop: str = ""
    offset: int = 0

    @property
    def months_from_start(self) -> int:
        """Time to relapse as the model defines it: from the start of the line."""
        return self.months + self.offset

    def agents(self) -> list[str]:
        agents = list(self.regimen.agents)
        if self.maintenance_months is not None and "lenalidomide" not in agents:
            agents.append("lenalidomide")
        return agents

    def as_case(self) -> Case:
        """The line as the model reads it: maintenance (IMWG: part of the same line) is judged
        on its own, so progression on lenalidomide maintenance is not progression on the
        induction's bortezomib."""
        if self.maintenance_months is None:
            return {
                "agents": self.agents(),
                "asct": self.asct,
                "best_response": self.best_response,
                "progressed_on_therapy": self.on_therapy,
                "days_from_last_dose_to_progression": self.days,
            }
        return {
            "agents": list(self.regimen.agents),
            "asct": self.asct,
            "best_response": self.best_response,
            "progressed_on_therapy": False,
            # The induction's last dose came about six weeks before ASCT.
            "days_from_last_dose_to_progression": self.months * 30 + 45,
            "maintenance": {
                "agents": ["lenalidomide"],
                "progressed_on_therapy": self.on_therapy,
                "days_from_last_dose_to_progression": self.days,
            },
        }


MAX_WORDS = 130


def sample_vignette(rng: random.Random) -> tuple[Case, str, str]:
    """Return a random coherent case (with options), its stem and its lead-in."""
    # The few combinations of the longest sentences that overrun the word limit are resampled.
    while True:
        case, stem, lead_in = _sample(rng)
        if len(stem.split()) <= MAX_WORDS:
            return case, stem, lead_in


def _check(case: Case, stem: str, lead_in: str) -> list[str]:
    return check_vignette(case, stem, lead_in)


register_generator(
    "rrmm-salvage",
    sample_vignette,
    topic=["Hematology", "Plasma cell disorders", "Relapsed and refractory myeloma"],
    # Defined below, with the patterns it reads the stem with.
    check=_check,
)


def _sample(rng: random.Random) -> tuple[Case, str, str]:
    is_transplant = rng.random() < 0.55
    patient = Patient(
        age=rng.randint(42, 70) if is_transplant else rng.randint(66, 86),
        is_female=rng.random() < 0.45,
        ecog=rng.choice((0, 0, 1, 1, 1)) if is_transplant else rng.choice((0, 1, 1, 2, 2)),
        isotype=rng.choice(ISOTYPES),
    )
    lines = [_first_line(rng, is_transplant=is_transplant)]
    exposed = set(lines[0].agents())
    # Some patients already had Rd at first relapse after PI-only therapy and now relapse again.
    if "lenalidomide" not in exposed and "bortezomib" in exposed and rng.random() < 0.3:
        lines.append(_second_line_rd(rng))
    neuropathy = _neuropathy_grade(rng, lines)
    creatinine_mg, clearance = _renal_function(rng, patient)
    # Four or five of the model's options: the doublets, where most answers of this version
    # lie, with one sometimes left out, and up to two pomalidomide triplets.
    doublets = rng.sample(DOUBLETS, rng.choice((3, 4, 4)))
    triplets = rng.sample(POMALIDOMIDE_TRIPLETS, rng.choice((4, 5)) - len(doublets))
    options = [*doublets, *triplets]
    rng.shuffle(options)
    case: Case = {
        "prior_lines": [line.as_case() for line in lines],
        "months_to_relapse": lines[-1].months_from_start,
        "creatinine_clearance": clearance,
        "neuropathy_grade": neuropathy,
        "age": patient.age,
        "sex": "female" if patient.is_female else "male",
        "ecog": patient.ecog,
        "options": options,
    }
    stem = _stem(rng, patient, lines, neuropathy, creatinine_mg, clearance)
    nth = "first" if len(lines) == 1 else "second"
    lead_in = patient.words(rng.choice(LEAD_INS)).format(nth=nth)
    return case, stem, lead_in


def _first_line(rng: random.Random, *, is_transplant: bool) -> Line:
    early = rng.random() < 0.3
    months = rng.randint(3, 11) if early else rng.randint(13, 54)
    if is_transplant:
        regimen = REGIMENS[rng.choice(TRANSPLANT_INDUCTIONS)]
        response = rng.choice(("sCR", "CR", "CR", "VGPR", "VGPR", "VGPR", "PR"))
        line = Line(
            regimen,
            True,
            response,
            False,
            None,
            months,
            rng.randint(*FIXED_CYCLES[regimen.abbreviation]),
        )
        # Induction cycles of three to four weeks, then mobilisation and ASCT: about two months.
        line.offset = line.cycles + 2
        maintenance_chance = 0.7 if regimen.abbreviation == "VRd" else 0.35
        if rng.random() < maintenance_chance:
            _add_maintenance(rng, line)
        else:
            # Last induction dose about six weeks before ASCT; months are counted from ASCT.
            line.days = months * 30 + rng.randint(35, 55)
        return line
    regimen = REGIMENS[rng.choice(NON_TRANSPLANT_INDUCTIONS)]
    response = rng.choice(("CR", "VGPR", "VGPR", "PR", "PR", "MR"))
    if regimen.is_continuous:
        return Line(regimen, False, response, True, 0, months)
    cycles = rng.randint(*FIXED_CYCLES.get(regimen.abbreviation, (12, 12)))
    line = Line(regimen, False, response, False, months * 30 + rng.randint(0, 25), months, cycles)
    # VMP and MPT are given in six-week cycles.
    line.offset = round(cycles * 6 / 4.345)
    return line


def _add_maintenance(rng: random.Random, line: Line) -> None:
    line.maintenance_months = line.months
    if line.months >= 18 and rng.random() < 0.4:
        stopped = rng.randint(6, line.months - 2)
        line.maintenance_months = stopped
        line.maintenance_stop = rng.choice(
            ("because of fatigue and diarrhoea", "because of recurrent neutropenia")
        )
        line.days = (line.months - stopped) * 30 + rng.randint(0, 20)
    else:
        line.on_therapy, line.days = True, 0


def _second_line_rd(rng: random.Random) -> Line:
    early = rng.random() < 0.3
    months = rng.randint(4, 11) if early else rng.randint(13, 36)
    response = rng.choice(("VGPR", "PR", "PR", "MR"))
    return Line(REGIMENS["Rd"], False, response, True, 0, months)


def _neuropathy_grade(rng: random.Random, lines: list[Line]) -> int:
    """Neuropathy is common after bortezomib or thalidomide and uncommon otherwise."""
    exposed = any(agent in NEUROTOXIC for line in lines for agent in line.agents())
    weights = (45, 25, 20, 10) if exposed else (90, 10, 0, 0)
    return rng.choices((0, 1, 2, 3), weights=weights)[0]


def _renal_function(rng: random.Random, patient: Patient) -> tuple[float, int]:
    """Return serum creatinine (mg/dL) and its Cockcroft-Gault clearance (mL/min)."""
    band = rng.random()
    if band < 0.72:
        creatinine = rng.uniform(0.6, 1.1) if patient.is_female else rng.uniform(0.7, 1.25)
    elif band < 0.93:
        creatinine = rng.uniform(1.4, 2.4)
    else:
        creatinine = rng.uniform(2.6, 4.2)
    creatinine = round(creatinine, 2)
    weight = rng.uniform(52, 82) if patient.is_female else rng.uniform(62, 98)
    clearance = (140 - patient.age) * weight / (72 * creatinine)
    if patient.is_female:
        clearance *= 0.85
    return creatinine, max(5, round(clearance))


def _stem(
    rng: random.Random,
    patient: Patient,
    lines: list[Line],
    neuropathy: int,
    creatinine_mg: float,
    clearance: int,
) -> str:
    p = patient
    first = lines[0]
    sentences = [_history(rng, p, first)]
    if len(lines) == 2:
        sentences.append(_second_line_words(rng, p, lines[1]))
    sentences.append(
        _relapse(rng, p, lines[-1], is_second=len(lines) == 2, creatinine=creatinine_mg)
    )
    micromoles = round(creatinine_mg * 88.4)
    sentences.append(
        rng.choice(
            (
                f"Creatinine is {micromoles} µmol/L ({creatinine_mg:.2f} mg/dL), with an "
                f"estimated creatinine clearance of {clearance} mL/min.",
                f"Serum creatinine is {micromoles} µmol/L ({creatinine_mg:.2f} mg/dL) and "
                f"creatinine clearance is estimated at {clearance} mL/min.",
            )
        )
    )
    since = ""
    drugs = [a for a in NEUROTOXIC if any(a in line.agents() for line in lines)]
    if neuropathy and drugs:
        since = ", dating from " + " and ".join(drugs) + " treatment"
    sentences.append(p.words(rng.choice(NEUROPATHY[neuropathy])).format(since=since))
    sentences.append(
        rng.choice(
            (
                f"ECOG performance status is {p.ecog}.",
                p.words(f"{{His}} ECOG performance status is {p.ecog}."),
            )
        )
    )
    # The history and the relapse come first; the findings after them in any order.
    findings = sentences[-3:]
    rng.shuffle(findings)
    return " ".join([*sentences[:-3], *findings])


def _history(rng: random.Random, p: Patient, line: Line) -> str:
    r = line.regimen
    article = "An" if str(p.age).startswith("8") or p.age in (11, 18) else "A"
    who = f"{article} {p.age}-year-old {'woman' if p.is_female else 'man'}"
    disease = f"{p.isotype} multiple myeloma"
    drugs = f"{r.words} ({r.abbreviation})"
    if line.asct:
        treatment = (
            f"{line.cycles} cycles of {drugs}, followed by high-dose melphalan and autologous "
            f"stem cell transplantation (ASCT)"
        )
    elif r.is_continuous:
        treatment = f"continuous {drugs}, as {p.words('{he}')} was not fit for transplantation"
    else:
        treatment = (
            f"{line.cycles} cycles of {drugs}, as {p.words('{he}')} was not a transplant candidate"
        )
    response = RESPONSES[line.best_response]
    opening = rng.choice(
        (
            f"{who} with {disease} was treated with {treatment}, and reached {response}.",
            f"{who} was diagnosed with {disease} and received {treatment}; the best response was "
            f"{response}.",
        )
    )
    if line.maintenance_months is None:
        if line.asct:
            opening += p.words(" {He} did not receive maintenance therapy.")
        return opening
    if line.maintenance_stop:
        return opening + p.words(
            f" Lenalidomide maintenance was given for {line.maintenance_months} months and "
            f"stopped {line.maintenance_stop}."
        )
    return opening + " Lenalidomide maintenance was started after ASCT."


def _second_line_words(rng: random.Random, p: Patient, line: Line) -> str:
    return p.words(
        rng.choice(
            (
                "At first relapse {he} received lenalidomide and dexamethasone (Rd) until "
                "progression, with ",
                "First relapse was treated with continuous lenalidomide and dexamethasone (Rd), "
                "giving ",
            )
        )
        + RESPONSES[line.best_response]
        + "."
    )


def _relapse(
    rng: random.Random, p: Patient, line: Line, *, is_second: bool, creatinine: float
) -> str:
    months, total = line.months, line.months_from_start
    if is_second:
        when = f"after {months} months of Rd"
    elif line.asct:
        when = f"{months} months after ASCT ({total} months after starting induction)"
    elif line.regimen.is_continuous:
        when = f"after {months} months of treatment"
    else:
        when = (
            f"{months} months after completing {line.regimen.abbreviation} ({total} months "
            "after starting it)"
        )
    last_drug = (
        "lenalidomide"
        if is_second or line.maintenance_months is not None
        else line.regimen.abbreviation
    )
    if line.on_therapy:
        status = f", while still taking {last_drug},"
    elif line.days is not None and line.days <= 120:
        status = f", {line.days} days after the last dose of {last_drug},"
    else:
        status = ","
    protein = p.isotype.split("-")[0]
    high = rng.randint(10, 28)
    his = p.words("{his}")
    if line.best_response in ("sCR", "CR"):
        # After a complete response there is no paraprotein to rise from: it reappears.
        rise = rng.choice(
            (
                f"serum immunofixation has turned positive again and {his} {protein} "
                f"M-protein has reappeared, now {high} g/L on two tests.",
                f"the {protein} paraprotein, undetectable since the complete response, has "
                f"reappeared and measures {high} g/L on repeat testing.",
            )
        )
    else:
        low = rng.randint(2, 6)
        rise = rng.choice(
            (
                f"{his} serum {protein} M-protein has risen on two tests from {low} g/L to "
                f"{high} g/L.",
                f"the paraprotein has risen from {low} g/L to {high} g/L on two tests.",
            )
        )
    return f"Now, {when}{status} {rise}" + _presentation(rng, p, creatinine)


# How the relapse shows itself, beyond the paraprotein (none of it changes the answer).
PRESENTATIONS = (
    "",
    " {He} feels well; the rise was found at a routine clinic visit.",
    " {He} has new pain in the lower back, and MRI shows a new lesion in the L3 vertebral body.",
    " {He} reports a month of aching ribs, and low-dose whole-body CT shows two new lytic lesions.",
    " {He} is more tired than usual, and haemoglobin has fallen from 128 g/L to {hb} g/L.",
    " {He} is thirsty and constipated; corrected calcium is {calcium} mmol/L.",
)


def _presentation(rng: random.Random, p: Patient, creatinine: float) -> str:
    choices = list(PRESENTATIONS)
    if creatinine >= 1.4:
        # Impaired kidneys: the relapse may show as a rising creatinine (lower a year ago).
        earlier = round(creatinine * 88.4 * rng.uniform(0.55, 0.75))
        choices.append(f" {{His}} creatinine was {earlier} µmol/L a year ago.")
    text = rng.choice(choices)
    hb, calcium = rng.randint(88, 109), f"{rng.uniform(2.75, 3.1):.2f}"
    return p.words(text).format(hb=hb, calcium=calcium) if text else ""


# Reading a vignette back -------------------------------------------------------------------
# The check reads the stem as a reviewer would, with its own patterns, and compares what it
# says with the case the engine decided: it shares no code with the writer above.

# The drugs a stem may name, as it names them.
DRUG_WORDS = (
    "bortezomib", "carfilzomib", "ixazomib", "thalidomide", "lenalidomide", "pomalidomide",
    "daratumumab", "isatuximab", "elotuzumab", "melphalan", "cyclophosphamide", "doxorubicin",
    "dexamethasone", "prednisone",
)  # fmt: skip
RESPONSE_WORDS = re.compile(
    r"(stringent complete response|complete response|very good partial response|"
    r"partial response|minimal response|stable disease)"
)
MEASURABLE_RISE = re.compile(
    r"(?:M-protein|paraprotein) has risen[^.]*? from (\d+) g/L to (\d+) g/L"
)
REAPPEARED = re.compile(r"reappeared|became detectable again|immunofixation.{0,40}positive")
CREATININE = re.compile(r"[Cc]reatinine is (\d+) µmol/L \((\d+\.\d+) mg/dL\)")
CLEARANCE = re.compile(r"clearance (?:of|is estimated at) (\d+) mL/min")
AGE = re.compile(r"(\d+)-year-old (woman|man)")
GRADE = re.compile(r"grade (\d) (?:sensory |peripheral )?neuropathy")
ECOG = re.compile(r"ECOG performance status is (\d)")
INTERVALS = (
    re.compile(r"\((\d+) months after starting (?:induction|it)\)"),
    re.compile(r"after (\d+) months of (?:treatment|Rd)"),
)


def check_vignette(case: Case, stem: str, lead_in: str) -> list[str]:
    """Return what the stem says that its case contradicts (empty when it is consistent)."""
    problems: list[str] = []
    relapse_at = stem.find("Now,")
    if relapse_at < 0:
        return ['the stem has no relapse sentence ("Now, ...")']
    history, relapse = stem[:relapse_at], stem[relapse_at:]
    responses = RESPONSE_WORDS.findall(history)
    rise = MEASURABLE_RISE.search(relapse)
    after_complete = bool(responses) and "complete response" in responses[-1]
    if after_complete and rise and int(rise.group(1)) > 0 and not REAPPEARED.search(relapse):
        problems.append(
            f"{responses[-1]} is followed by a measurable paraprotein of {rise.group(1)} g/L "
            "without saying it reappeared"
        )
    creatinine, clearance = CREATININE.search(stem), CLEARANCE.search(stem)
    age = AGE.search(stem)
    if creatinine is None or clearance is None or age is None:
        problems.append("the stem does not give the age, creatinine and clearance")
    else:
        micromoles, mg = int(creatinine.group(1)), float(creatinine.group(2))
        if abs(micromoles - mg * 88.4) > 1:
            problems.append(f"creatinine {micromoles} µmol/L is not {mg} mg/dL")
        if int(clearance.group(1)) != round(case["creatinine_clearance"]):
            problems.append("the clearance in the stem is not the case's")
        years, is_female = int(age.group(1)), age.group(2) == "woman"
        if years != case.get("age") or is_female != (case.get("sex") == "female"):
            problems.append("the age or sex in the stem is not the case's")
        # Cockcroft-Gault for any adult weight from 40 to 130 kg.
        factor = 0.85 if is_female else 1.0
        low, high = ((140 - years) * kg * factor / (72 * mg) for kg in (40, 130))
        if not low - 1 <= int(clearance.group(1)) <= high + 1:
            problems.append(
                f"a clearance of {clearance.group(1)} mL/min does not follow from creatinine "
                f"{mg} mg/dL at {years} for any adult weight"
            )
    # High-dose melphalan is the conditioning of a transplant, which the case gives as `asct`.
    drugs_named = stem.lower()
    if any(line["asct"] for line in case["prior_lines"]):
        drugs_named = drugs_named.replace("high-dose melphalan", "")
    named = {drug for drug in DRUG_WORDS if drug in drugs_named}
    given = {agent for line in case["prior_lines"] for agent in _line_agents(line)}
    if named != given:
        problems.append(f"the stem names {sorted(named)} but the lines give {sorted(given)}")
    interval = next((m for p in INTERVALS if (m := p.search(relapse))), None)
    if interval is None or float(interval.group(1)) != case["months_to_relapse"]:
        problems.append("the time to relapse in the stem is not the case's months_to_relapse")
    grade = GRADE.search(stem)
    stated = int(grade.group(1)) if grade else 0
    if stated != case["neuropathy_grade"]:
        problems.append(
            f"the stem gives neuropathy grade {stated}, the case {case['neuropathy_grade']}"
        )
    ecog = ECOG.search(stem)
    if ecog is None or int(ecog.group(1)) != case.get("ecog"):
        problems.append("the ECOG status in the stem is not the case's")
    return problems


def _line_agents(line: Case) -> list[str]:
    maintenance = line.get("maintenance") or {}
    return [*line["agents"], *maintenance.get("agents", [])]
