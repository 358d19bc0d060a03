"""What a reviewer counts in a batch of generated drafts (`generate_questions --report`): second
defensible answers, stems that contradict their case, and how varied the batch is; and the
read-back checks that find the contradictions, each shown to catch a planted one."""

from __future__ import annotations

import re
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from decision.engine import decide, model
from decision.engine.guidelines import GuidelineFileError
from decision.engine.templates import load_template
from decision.engine.vignettes import GeneratedItem, generate, report
from decision.knowledge.rrmm_salvage_vignettes import check_vignette

RRMM = "rrmm-salvage"
AF = "af-stroke-prevention"
VERSIONS = [RRMM, f"{AF}@esc-2024", f"{AF}@acc-aha-2023"]


@pytest.fixture(scope="module")
def rrmm_items() -> list[GeneratedItem]:
    return generate(RRMM, count=300, seed=21)


@pytest.mark.parametrize("reference", VERSIONS)
def test_a_batch_of_each_version_has_one_defensible_answer_and_consistent_stems(
    reference: str,
) -> None:
    batch = report(reference, generate(reference, count=300, seed=4))

    assert batch.has_check
    assert (batch.drafts, batch.second_defensible, batch.inconsistent) == (300, 0, 0)
    assert batch.problems == []


def test_rrmm_batches_vary_their_options_and_openings(rrmm_items: list[GeneratedItem]) -> None:
    batch = report(RRMM, rrmm_items)

    # Option sets drawn from all seven options, not the four doublets every time.
    assert batch.option_sets >= 20
    assert batch.first_sentences >= 0.9 * len(rrmm_items)
    offered = {option for item in rrmm_items for option in item.case["options"]}
    assert offered == set(model(RRMM).option_labels)
    # The findings after the relapse come in more than one order.
    orders = {
        tuple(sorted(("ECOG", "creatinine", "neuropath"), key=lambda w: item.stem.find(w)))
        for item in rrmm_items
    }
    assert len(orders) > 3
    # The relapse shows itself in more than one way: bone pain, anaemia, hypercalcaemia, renal
    # change, or a rising paraprotein alone.
    shown = {
        cue
        for item in rrmm_items
        for cue in ("lytic", "vertebral", "haemoglobin has fallen", "corrected calcium",
                    "a year ago", "routine clinic visit")
        if cue in item.stem
    }  # fmt: skip
    assert len(shown) == 6
    # Citations come from the rules that decided each draft, not one fixed list.
    assert len({tuple(item.decision["citations"]) for item in rrmm_items}) > 10


def test_no_complete_response_is_followed_by_a_paraprotein_that_merely_rose(
    rrmm_items: list[GeneratedItem],
) -> None:
    complete = [
        i for i in rrmm_items if i.case["prior_lines"][-1]["best_response"] in ("CR", "sCR")
    ]

    assert len(complete) > 20
    for item in complete:
        relapse = item.stem[item.stem.index("Now,") :]
        assert "reappeared" in relapse
        assert not re.search(r"(M-protein|paraprotein) has risen", relapse)


def test_a_second_defensible_answer_planted_in_a_batch_is_counted(
    rrmm_items: list[GeneratedItem],
) -> None:
    # An item whose case, with every option offered, has an option the engine also defends.
    for item in rrmm_items:
        every = {**item.case, "options": list(model(RRMM).option_labels)}
        also = [
            o["id"]
            for o in decide(RRMM, every)["options"]
            if o["verdict"] in ("preferred", "acceptable") and o["id"] != item.answer
        ]
        if also:
            break
    else:
        pytest.fail("no case with a second defensible option was drawn")
    distractor = next(o for o in item.case["options"] if o != item.answer)
    options = [also[0] if o == distractor else o for o in item.case["options"]]
    planted = replace(item, case={**item.case, "options": options})

    batch = report(RRMM, [planted, *rrmm_items[:9]])

    assert (batch.drafts, batch.second_defensible) == (10, 1)


def last_response(item: GeneratedItem) -> str:
    return str(item.case["prior_lines"][-1]["best_response"])


@pytest.mark.parametrize(
    ("change", "found"),
    [
        # A complete response, then a paraprotein that "rose from" a measurable level.
        (
            lambda s: re.sub(
                r"Now, (.*?),? (?:serum immunofixation|the \w+ paraprotein).*?g/L[^.]*\.",
                r"Now, \1, the paraprotein has risen from 4 g/L to 15 g/L.",
                s,
                count=1,
            ),
            "without saying it reappeared",
        ),
        (
            lambda s: re.sub(r"clearance (of|is estimated at) \d+", r"clearance \1 7", s),
            "clearance",
        ),
        (
            lambda s: s.replace("ECOG performance status is", "ECOG performance status is 4 or"),
            "ECOG",
        ),
        (lambda s: s + " She was also given pomalidomide.", "names"),
        (lambda s: re.sub(r"\(\d+ months after starting", "(99 months after starting", s), "time"),
    ],
)
def test_the_rrmm_check_finds_each_planted_contradiction(
    rrmm_items: list[GeneratedItem], change: object, found: str
) -> None:
    item = next(
        i
        for i in rrmm_items
        if i.case["prior_lines"][-1]["best_response"] == "CR" and i.case["prior_lines"][0]["asct"]
    )
    assert check_vignette(item.case, item.stem, item.lead_in) == []

    planted = change(item.stem)  # type: ignore[operator]

    assert planted != item.stem
    assert any(found in problem for problem in check_vignette(item.case, planted, item.lead_in))


def test_the_rrmm_check_reads_neuropathy_and_creatinine_against_the_case(
    rrmm_items: list[GeneratedItem],
) -> None:
    item = next(i for i in rrmm_items if i.case["neuropathy_grade"] == 2)
    wrong_grade = {**item.case, "neuropathy_grade": 3}
    older = {**item.case, "age": item.case["age"] + 1}

    assert any("neuropathy grade" in p for p in check_vignette(wrong_grade, item.stem, ""))
    assert check_vignette(item.case, item.stem.replace("Now,", "Then,"), "") == [
        'the stem has no relapse sentence ("Now, ...")'
    ]
    assert any("age or sex" in p for p in check_vignette(older, item.stem, ""))
    bad_units = re.sub(r"reatinine is (\d+)", lambda m: f"reatinine is {int(m[1]) + 9}", item.stem)
    assert any("is not" in p for p in check_vignette(item.case, bad_units, ""))


def test_the_template_reads_find_a_stem_that_contradicts_its_case() -> None:
    item = generate(f"{AF}@esc-2024", count=1, seed=3)[0]
    writer = load_template(
        Path(__file__).resolve().parents[2] / "decision/knowledge" / AF / "vignettes.yaml",
        list(model(AF).option_labels),
    )
    assert writer.check(item.case, item.stem, item.lead_in) == []

    flipped = {**item.case, "diabetes": not item.case["diabetes"]}
    older = {**item.case, "age": item.case["age"] + 1}

    assert any("diabetes" in p for p in writer.check(flipped, item.stem, ""))
    assert any("gives age as" in p for p in writer.check(older, item.stem, ""))
    assert any("does not give creatinine_clearance" in p for p in writer.check(item.case, "", ""))


@pytest.mark.parametrize(
    ("reads", "error"),
    [
        ("- {field: weight, pattern: '(\\d+) kg'}", "'weight' is not a case field"),
        ("- {field: age, pattern: 'year-old'}", "needs a group"),
        ("- {field: age}", "needs a pattern or mentions"),
    ],
)
def test_a_broken_reading_is_refused_naming_it(tmp_path: Path, reads: str, error: str) -> None:
    path = tmp_path / "vignettes.yaml"
    path.write_text(
        "topic: [T]\ncase:\n  age: {integer: [20, 30]}\nstem:\n  - text: ['{age} years.']\n"
        f"lead_in: ['Which?']\nreads:\n  {reads}\n",
        encoding="utf-8",
    )

    with pytest.raises(GuidelineFileError, match=re.escape(error)):
        load_template(path, ["a", "b"])


def test_a_named_version_keys_the_drafts(rrmm_items: list[GeneratedItem]) -> None:
    items = generate(f"{AF}@acc-aha-2023", count=20, seed=2)

    assert {item.decision["guideline"]["version"] for item in items} == {"acc-aha-2023"}


def test_the_command_reports_a_batch_and_saves_nothing(db: None) -> None:
    from quizbank.models import Question

    out = StringIO()
    call_command(
        "generate_questions", f"{AF}@acc-aha-2023", "--count", "200", "--seed", "3", "--report",
        stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert text.startswith(f"{AF}@acc-aha-2023: 200 drafts")
    assert "with a second defensible answer:  0 (0.0%)  (target 0)" in text
    assert "failing the consistency check:    0 (0.0%)  (target 0)" in text
    assert not Question.objects.exists()


def test_an_unknown_version_is_refused_before_generating() -> None:
    with pytest.raises(Exception, match="no version"):
        call_command("generate_questions", f"{AF}@esc-1999", "--report")
