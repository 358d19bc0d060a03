"""IMS QTI 3.0 export: a content package (zip) of choice items with per-choice feedback.

Each question becomes one qti-assessment-item: a qti-choice-interaction of qti-simple-choice
elements, the key in qti-response-declaration, each distractor's "why not" as inline feedback on
its choice, and the explanation as modal feedback. Response processing records the chosen
identifiers in FEEDBACK, which is what shows a choice's feedback (the standard match_correct
template sets only SCORE). Export only: nothing here reads QTI.
"""

from __future__ import annotations

import io

# The standard library only builds output here; nothing untrusted is parsed with it.
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

from quizbank.content import QuestionContent
from quizbank.formats.interchange import SECTION_LABELS, ExportSet
from quizbank.rendering import render_markdown

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
LETTERS = "ABCDEFGH"
VOID = {"br", "hr", "img"}
MIXED_CONTENT = {"qti-simple-choice", "qti-prompt", "qti-feedback-inline"}
KEPT_ATTRIBUTES = {"href", "src", "alt", "title", "width", "height"}
# A fixed timestamp makes the same bank give the same package, byte for byte.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _document(root: ET.Element, namespace: str) -> bytes:
    # Elements are built without a namespace and the root declares it as the default one:
    # ElementTree's own default_namespace option rejects unprefixed attributes.
    root.set("xmlns", namespace)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode()


def _q(tag: str) -> str:
    """Return the tag of a QTI (or XHTML-in-QTI) element; its namespace is the document's."""
    return tag


class _XhtmlBuilder(HTMLParser):
    """Append sanitised HTML to an element as XHTML in the QTI namespace (well-formed XML)."""

    def __init__(self, parent: ET.Element, *, inline: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.inline = inline

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.inline and tag == "p":
            # Choices, prompts and inline feedback hold inline content only.
            tag = "span"
        kept = {name: value or "" for name, value in attrs if name in KEPT_ATTRIBUTES}
        element = ET.SubElement(self.stack[-1], _q(tag), kept)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self.inline and tag == "p":
            tag = "span"
        names = [element.tag for element in self.stack[1:]]
        if _q(tag) in names:
            while self.stack[-1].tag != _q(tag):
                self.stack.pop()
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def _append_markdown(parent: ET.Element, markdown: str, *, inline: bool = False) -> None:
    builder = _XhtmlBuilder(parent, inline=inline)
    builder.feed(str(render_markdown(markdown)).strip())
    builder.close()


def _item(identifier: str, content: QuestionContent) -> bytes:
    correct = [letter for letter, o in zip(LETTERS, content.options, strict=False) if o.is_correct]
    single = content.question_type == "single"
    item = ET.Element(
        _q("qti-assessment-item"),
        {
            "identifier": identifier,
            "title": content.name,
            "adaptive": "false",
            "time-dependent": "false",
            XML_LANG: "en",
            f"{{{XSI}}}schemaLocation": f"{QTI} {ITEM_SCHEMA}",
        },
    )
    response = ET.SubElement(
        item,
        _q("qti-response-declaration"),
        {
            "identifier": "RESPONSE",
            "cardinality": "single" if single else "multiple",
            "base-type": "identifier",
        },
    )
    correct_response = ET.SubElement(response, _q("qti-correct-response"))
    for letter in correct:
        ET.SubElement(correct_response, _q("qti-value")).text = letter
    score = ET.SubElement(
        item,
        _q("qti-outcome-declaration"),
        {"identifier": "SCORE", "cardinality": "single", "base-type": "float"},
    )
    ET.SubElement(ET.SubElement(score, _q("qti-default-value")), _q("qti-value")).text = "0"
    ET.SubElement(
        item,
        _q("qti-outcome-declaration"),
        {"identifier": "FEEDBACK", "cardinality": "multiple", "base-type": "identifier"},
    )

    body = ET.SubElement(item, _q("qti-item-body"))
    _append_markdown(body, content.stem)
    interaction = ET.SubElement(
        body,
        _q("qti-choice-interaction"),
        {
            "response-identifier": "RESPONSE",
            "shuffle": "true" if content.shuffle_options else "false",
            "max-choices": "1" if single else "0",
        },
    )
    _append_markdown(ET.SubElement(interaction, _q("qti-prompt")), content.lead_in, inline=True)
    for letter, option in zip(LETTERS, content.options, strict=False):
        choice = ET.SubElement(interaction, _q("qti-simple-choice"), {"identifier": letter})
        _append_markdown(choice, option.text, inline=True)
        feedback = ET.SubElement(
            choice,
            _q("qti-feedback-inline"),
            {"outcome-identifier": "FEEDBACK", "identifier": letter, "show-hide": "show"},
        )
        if option.is_correct:
            feedback.text = "Correct."
        else:
            _append_markdown(feedback, option.why_not or "Incorrect.", inline=True)

    _response_processing(item)
    explanation = ET.SubElement(
        item,
        _q("qti-modal-feedback"),
        {
            "outcome-identifier": "FEEDBACK",
            "identifier": "EXPLANATION",
            "show-hide": "show",
            "title": "Explanation",
        },
    )
    explanation_body = ET.SubElement(explanation, _q("qti-content-body"))
    _append_markdown(explanation_body, content.explanation_text("why_correct"))
    for key, label in SECTION_LABELS.items():
        if content.explanation_text(key).strip():
            ET.SubElement(explanation_body, _q("h4")).text = label
            _append_markdown(explanation_body, content.explanation_text(key))
    _indent(item)
    return _document(item, QTI)


def _indent(element: ET.Element, depth: int = 0) -> None:
    """Indent the item's structure, leaving text content (where spaces show) as it is."""
    if (
        not element.tag.startswith("qti-")
        or element.tag in MIXED_CONTENT
        or not len(element)
        or (element.text or "").strip()
    ):
        return
    padding = "\n" + "  " * (depth + 1)
    element.text = padding
    for child in element:
        _indent(child, depth + 1)
        if not (child.tail or "").strip():
            child.tail = padding
    last = element[-1]
    if not (last.tail or "").strip():
        last.tail = "\n" + "  " * depth


def _response_processing(item: ET.Element) -> None:
    """Score 1 for the keyed response, else 0; show the chosen choices' feedback and the
    explanation."""
    processing = ET.SubElement(item, _q("qti-response-processing"))
    condition = ET.SubElement(processing, _q("qti-response-condition"))
    for branch, value in (("qti-response-if", "1"), ("qti-response-else", "0")):
        element = ET.SubElement(condition, _q(branch))
        if branch == "qti-response-if":
            match = ET.SubElement(element, _q("qti-match"))
            ET.SubElement(match, _q("qti-variable"), {"identifier": "RESPONSE"})
            ET.SubElement(match, _q("qti-correct"), {"identifier": "RESPONSE"})
        outcome = ET.SubElement(element, _q("qti-set-outcome-value"), {"identifier": "SCORE"})
        ET.SubElement(outcome, _q("qti-base-value"), {"base-type": "float"}).text = value
    feedback = ET.SubElement(processing, _q("qti-set-outcome-value"), {"identifier": "FEEDBACK"})
    chosen = ET.SubElement(feedback, _q("qti-multiple"))
    ET.SubElement(chosen, _q("qti-variable"), {"identifier": "RESPONSE"})
    ET.SubElement(chosen, _q("qti-base-value"), {"base-type": "identifier"}).text = "EXPLANATION"


def _manifest(hrefs: dict[str, str]) -> bytes:
    manifest = ET.Element("manifest", {"identifier": "mcq-practice-export"})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTI Package"
    ET.SubElement(metadata, "schemaversion").text = "3.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    for identifier, href in hrefs.items():
        resource = ET.SubElement(
            resources,
            "resource",
            {"identifier": identifier, "type": "imsqti_item_xmlv3p0", "href": href},
        )
        ET.SubElement(resource, "file", {"href": href})
    ET.indent(manifest)
    return _document(manifest, CP)


def write(export: ExportSet) -> bytes:
    """Return a QTI 3.0 content package: imsmanifest.xml and items/<identifier>.xml."""
    files: dict[str, bytes] = {}
    hrefs: dict[str, str] = {}
    for question in export.questions:
        identifier = f"item-{question.pk}"
        hrefs[identifier] = f"items/{identifier}.xml"
        files[hrefs[identifier]] = _item(identifier, export.content(question))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in [("imsmanifest.xml", _manifest(hrefs)), *files.items()]:
            package.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), data)
    return buffer.getvalue()
