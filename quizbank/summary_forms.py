"""The evidence summary editor: a formset of sections and a formset of references, without
JavaScript (reordering and removal through the formsets' ORDER and DELETE fields).

Citations in the points refer to the references by the numbers the page shows. When the author
reorders or removes references, the editor renumbers the citations to match the new list.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME

from quizbank.content import CITATION, ReferenceContent, SummaryContent, SummarySection
from quizbank.validation import validate_web_url

# A list marker an author pastes at the start of a line; every line is a bullet point anyway.
LIST_MARKER = re.compile(r"^(?:[-*+\u2022]\s+)")
SUGGESTED_HEADINGS = ("From the guidelines", "From the research")


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200)
    points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One point per line. Cite references by their number: [1], [2].",
    )

    def point_lines(self) -> list[str]:
        """Return the points, one a line, without blank lines or pasted list markers."""
        lines = (
            LIST_MARKER.sub("", line.strip()) for line in self.cleaned_data["points"].split("\n")
        )
        return [line.strip() for line in lines if line.strip()]


class ReferenceForm(forms.Form):
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Authors, title, source and year.",
    )
    url = forms.URLField(
        label="URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[validate_web_url],
        help_text="Optional link to the source.",
    )


class OrderedFormSet(forms.BaseFormSet[Any]):
    """A formset whose ORDER and DELETE fields carry labels that say what they do."""

    noun = "item"

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        order = form.fields[ORDERING_FIELD_NAME]
        order.label = "Position"
        order.help_text = f"Change the numbers to reorder the {self.noun}s."
        form.fields[DELETION_FIELD_NAME].label = f"Remove this {self.noun}"


class SectionFormSet(OrderedFormSet):
    noun = "section"

    def __init__(self, *args: Any, suggest_headings: bool = False, **kwargs: Any) -> None:
        self.suggest_headings = suggest_headings
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # A new summary starts with the usual two headings; a section left as suggested is
        # unchanged, so the formset ignores it.
        kwargs = super().get_form_kwargs(index)
        if self.suggest_headings and index is not None and index < len(SUGGESTED_HEADINGS):
            kwargs["initial"] = {"heading": SUGGESTED_HEADINGS[index]}
        return kwargs


class ReferenceFormSet(OrderedFormSet):
    noun = "reference"


def _formset_class(base: type[OrderedFormSet], form: type[forms.Form], extra: int) -> Any:
    return forms.formset_factory(form, formset=base, extra=extra, can_order=True, can_delete=True)


def renumber_citations(text: str, numbers: dict[int, int]) -> str:
    """Replace each [n] by [numbers[n]]; numbers missing from the mapping stay as written."""
    return CITATION.sub(lambda match: f"[{numbers.get(int(match[1]), int(match[1]))}]", text)


class SummaryEditor:
    """The two formsets of the summary editor and the content they describe."""

    def __init__(self, data: Any = None, *, initial: SummaryContent | None = None) -> None:
        is_new = initial is None
        sections = (
            [{"heading": s.heading, "points": "\n".join(s.points)} for s in initial.sections]
            if initial
            else []
        )
        references = (
            [{"citation": r.citation, "url": r.url} for r in initial.references] if initial else []
        )
        section_class = _formset_class(SectionFormSet, SectionForm, extra=2 if is_new else 1)
        reference_class = _formset_class(ReferenceFormSet, ReferenceForm, extra=3 if is_new else 2)
        self.sections: SectionFormSet = section_class(
            data, prefix="sections", initial=sections, suggest_headings=is_new
        )
        self.references: ReferenceFormSet = reference_class(
            data, prefix="references", initial=references
        )
        # Errors about the summary as a whole, from the editor or from the services' validation.
        self.section_errors: list[str] = []
        self.reference_errors: list[str] = []

    def is_valid(self) -> bool:
        """Validate both formsets and that every citation names a reference that stays."""
        if not (self.sections.is_valid() & self.references.is_valid()):
            return False
        kept = self._reference_numbers()
        removed = {
            index + 1
            for index, form in enumerate(self.references.forms)
            if form in self.references.deleted_forms
        }
        for form in self.sections.ordered_forms:
            heading = form.cleaned_data["heading"]
            for point in form.point_lines():
                for number in dict.fromkeys(int(n) for n in CITATION.findall(point)):
                    if number in removed:
                        self.reference_errors.append(
                            f'[{number}] in "{heading}" cites a reference marked for removal.'
                        )
                    elif number not in kept:
                        self.reference_errors.append(
                            f'[{number}] in "{heading}" has no matching reference.'
                        )
        return not self.reference_errors

    def _reference_numbers(self) -> dict[int, int]:
        """Map each kept reference's number on the page to its number in the new order."""
        index_of = {id(form): index for index, form in enumerate(self.references.forms)}
        return {
            index_of[id(form)] + 1: position
            for position, form in enumerate(self.references.ordered_forms, start=1)
        }

    def content(self) -> SummaryContent:
        """Return the summary the author wrote, its citations numbered in the new order."""
        numbers = self._reference_numbers()
        return SummaryContent(
            sections=[
                SummarySection(
                    heading=form.cleaned_data["heading"].strip(),
                    points=[renumber_citations(p, numbers) for p in form.point_lines()],
                )
                for form in self.sections.ordered_forms
            ],
            references=[
                ReferenceContent(
                    citation=form.cleaned_data["citation"].strip(),
                    url=form.cleaned_data["url"].strip(),
                )
                for form in self.references.ordered_forms
            ],
        )

    def add_validation_error(self, error: ValidationError) -> None:
        """Show the services' errors (keys `sections` and `references`) on the page."""
        for field, messages in error.message_dict.items():
            target = self.reference_errors if field == "references" else self.section_errors
            target.extend(messages)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.section_errors
            or self.reference_errors
            or self.sections.total_error_count()
            or self.references.total_error_count()
        )
