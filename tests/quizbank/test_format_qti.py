"""QTI 3.0 export: a content package whose items are choice interactions with feedback."""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from learners.models import User
from quizbank import services
from quizbank.content import OptionContent
from quizbank.exporting import export_questions
from quizbank.models import Question
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db

QTI = "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}"
CP = "{http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1}"


@pytest.fixture
def questions(instructor: User) -> list[Question]:
    return [
        services.create_question(
            content=sample_content(stem="A 62-year-old man relapses.  \nHe has **no** neuropathy."),
            by=instructor,
        ),
        services.create_question(
            content=sample_content(
                name="crab",
                question_type="multiple",
                shuffle_options=False,
                options=[
                    OptionContent("Calcium 3.1 mmol/L", is_correct=True),
                    OptionContent("Lytic lesions", is_correct=True),
                    OptionContent("Raised ESR", why_not="Not a *CRAB* criterion."),
                ],
            ),
            by=instructor,
        ),
    ]


def package() -> zipfile.ZipFile:
    data = export_questions(fmt="qti")
    assert isinstance(data, bytes)
    return zipfile.ZipFile(io.BytesIO(data))


def item_xml(archive: zipfile.ZipFile, question: Question) -> Element:
    root: Element = fromstring(archive.read(f"items/item-{question.pk}.xml"))
    return root


def child(element: Element, path: str) -> Element:
    found = element.find(path)
    assert found is not None, path
    return found


def text_of(element: Element, path: str) -> str:
    return "".join(child(element, path).itertext())


def test_the_manifest_lists_every_item_as_a_qti3_resource(questions: list[Question]) -> None:
    archive = package()
    manifest = fromstring(archive.read("imsmanifest.xml"))

    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert manifest.findtext(f"{CP}metadata/{CP}schemaversion") == "3.0.0"
    assert sorted((r.get("identifier"), r.get("href"), r.get("type")) for r in resources) == sorted(
        (f"item-{q.pk}", f"items/item-{q.pk}.xml", "imsqti_item_xmlv3p0") for q in questions
    )
    assert sorted(archive.namelist()) == sorted(
        ["imsmanifest.xml", *(f"items/item-{q.pk}.xml" for q in questions)]
    )
    for resource in resources:
        assert child(resource, f"{CP}file").get("href") == resource.get("href")


def test_an_item_declares_its_correct_response_and_lists_the_choices(
    questions: list[Question],
) -> None:
    item = item_xml(package(), questions[0])

    assert item.tag == f"{QTI}qti-assessment-item"
    declaration = item.find(f"{QTI}qti-response-declaration")
    assert declaration is not None
    assert declaration.get("cardinality") == "single"
    correct = declaration.findall(f"{QTI}qti-correct-response/{QTI}qti-value")
    assert [value.text for value in correct] == ["A"]
    interaction = item.find(f"{QTI}qti-item-body/{QTI}qti-choice-interaction")
    assert interaction is not None
    assert (interaction.get("max-choices"), interaction.get("shuffle")) == ("1", "true")
    assert text_of(interaction, f"{QTI}qti-prompt") == "Which regimen is most appropriate?"
    choices = interaction.findall(f"{QTI}qti-simple-choice")
    assert [choice.get("identifier") for choice in choices] == ["A", "B", "C", "D", "E"]
    assert text_of(choices[4], f"{QTI}span") == "Melphalan plus prednisone"


def test_each_distractor_carries_its_why_not_as_feedback_on_its_choice(
    questions: list[Question],
) -> None:
    item = item_xml(package(), questions[0])

    feedback = {
        choice.get("identifier"): text_of(choice, f"{QTI}qti-feedback-inline")
        for choice in item.iter(f"{QTI}qti-simple-choice")
    }
    assert feedback == {
        "A": "Correct.",
        "B": "Kept for refractory disease.",
        "C": "Already received; switch class.",
        "D": "For relapse under 12 months.",
        "E": "Outdated, myelotoxic.",
    }
    inline = next(item.iter(f"{QTI}qti-feedback-inline"))
    assert (inline.get("outcome-identifier"), inline.get("show-hide")) == ("FEEDBACK", "show")
    # Response processing puts the chosen identifiers in FEEDBACK, which shows their feedback.
    processing = item.find(f"{QTI}qti-response-processing")
    assert processing is not None
    assert processing.find(f"{QTI}qti-set-outcome-value[@identifier='FEEDBACK']") is not None
    explanation = item.find(f"{QTI}qti-modal-feedback/{QTI}qti-content-body")
    assert explanation is not None
    assert "PI-exposed, lenalidomide-naive" in "".join(explanation.itertext())


def test_multiple_response_items_accept_several_choices(questions: list[Question]) -> None:
    item = item_xml(package(), questions[1])

    declaration = item.find(f"{QTI}qti-response-declaration")
    assert declaration is not None
    assert declaration.get("cardinality") == "multiple"
    assert [v.text for v in declaration.iter(f"{QTI}qti-value")] == ["A", "B"]
    interaction = item.find(f"{QTI}qti-item-body/{QTI}qti-choice-interaction")
    assert interaction is not None
    assert (interaction.get("max-choices"), interaction.get("shuffle")) == ("0", "false")
    emphasis = item.find(f".//{QTI}qti-feedback-inline/{QTI}span/{QTI}em")
    assert emphasis is not None and emphasis.text == "CRAB"


def test_markdown_in_the_stem_becomes_well_formed_xhtml(questions: list[Question]) -> None:
    item = item_xml(package(), questions[0])

    paragraph = item.find(f"{QTI}qti-item-body/{QTI}p")
    assert paragraph is not None
    assert paragraph.find(f"{QTI}br") is not None
    assert paragraph.findtext(f"{QTI}strong") == "no"
    assert "".join(paragraph.itertext()) == "A 62-year-old man relapses.\nHe has no neuropathy."
