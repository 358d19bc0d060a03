"""Forms of the authoring pages: the question editor (a form and two formsets edited as one),
the question list's filters (quizbank.filters, dressed for people), comments and imports.

The editor only parses what the author typed into a QuestionContent; the rules a question must
satisfy live in quizbank.validation, and their errors come back through `add_service_errors`, so
each message is worded in one place and shown beside its field.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.http import QueryDict

from learners.models import User
from quizbank import importing
from quizbank.content import (
    EXPLANATION_FIELDS,
    MAX_OPTIONS,
    OptionContent,
    QuestionContent,
    ReferenceContent,
)
from quizbank.filters import QuestionFilter
from quizbank.formats import FORMATS, IMPORT_FORMATS
from quizbank.ids import ID_VALIDATORS
from quizbank.models import Question, QuestionQuerySet, Status, Tag, Topic, topic_labels
from quizbank.services import changed_fields, question_content
from quizbank.validation import validate_web_url

LETTERS = "ABCDEFGH"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def topic_choices(topics: list[Topic], *, empty_label: str) -> list[tuple[Any, str]]:
    """Return select choices for every topic, labelled with its full path, in tree order."""
    labels = topic_labels(topics)
    return [("", empty_label)] + [(topic.pk, labels[topic.pk]) for topic in topics]


def markdown_textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# The question editor --------------------------------------------------------------------------


class QuestionForm(forms.Form):
    # Fields the services validate are optional here, so that their messages (worded once, in
    # quizbank.validation) are the ones the author sees.
    topic = forms.TypedChoiceField(label="Topic", coerce=int, empty_value=None, required=False)
    new_topic = forms.CharField(
        label="Or a new topic",
        required=False,
        max_length=600,
        help_text='Names from the specialty down, separated by ">", e.g. "Hematology > '
        'Plasma cell disorders > Multiple myeloma". Used instead of the list when filled in; '
        "missing levels are created.",
    )
    question_type = forms.ChoiceField(label="Question type", choices=Question.Type.choices)
    stem = forms.CharField(
        label="Stem (the clinical vignette)",
        required=False,
        widget=markdown_textarea(8),
        help_text="Markdown: **bold**, *italic*, lists and tables.",
    )
    lead_in = forms.CharField(
        label="Lead-in",
        required=False,
        max_length=500,
        help_text="The question asked of the student, e.g. “Which regimen is most appropriate?”",
    )
    shuffle_options = forms.BooleanField(
        label="Shuffle the options for students",
        required=False,
        help_text="Untick to keep the authored order (e.g. for “all of the above”).",
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=1000,
        help_text="Separated by commas, e.g. myeloma, salvage therapy.",
    )
    key_point = forms.CharField(
        label="Key point",
        required=False,
        widget=markdown_textarea(3),
        help_text="The educational objective, in one or two sentences.",
    )
    why_correct = forms.CharField(
        label="Why the answer is right", required=False, widget=markdown_textarea(4)
    )
    high_yield = forms.CharField(
        label="High-yield facts", required=False, widget=markdown_textarea(4)
    )
    mechanism = forms.CharField(label="Mechanism", required=False, widget=markdown_textarea(3))
    pearl = forms.CharField(label="Clinical pearl", required=False, widget=markdown_textarea(2))
    mnemonic = forms.CharField(label="Mnemonic", required=False, widget=markdown_textarea(2))
    evidence = forms.CharField(label="Evidence base", required=False, widget=markdown_textarea(3))
    decision_model = forms.CharField(
        label="Decision model",
        required=False,
        max_length=64,
        help_text="The guideline model this question is built on, if any; MODEL@VERSION keeps "
        "the version it was written against (manage.py decide --list shows them).",
    )
    decision_case = forms.CharField(
        label="Decision case (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text='The structured case as a JSON object, e.g. {"age": 62}. '
        "Leave empty when no decision model applies.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics = {topic.pk: topic for topic in Topic.objects.all()}
        field = cast(forms.TypedChoiceField, self.fields["topic"])
        field.choices = topic_choices(list(self.topics.values()), empty_label="Choose a topic")

    def clean_decision_case(self) -> dict[str, Any] | None:
        text = self.cleaned_data["decision_case"].strip()
        if not text:
            return None
        try:
            case = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                "This is not valid JSON: %(problem)s (line %(line)s, column %(column)s).",
                code="invalid_json",
                params={"problem": error.msg, "line": error.lineno, "column": error.colno},
            ) from error
        if not isinstance(case, dict):
            raise ValidationError(
                "The decision case must be a JSON object, written between { and }.",
                code="not_an_object",
            )
        return case

    def topic_path(self) -> list[str]:
        """Return the chosen topic as names from the root; a typed new path wins."""
        typed = importing.split_topic_path(self.cleaned_data.get("new_topic", ""))
        if typed:
            return typed
        topic = self.topics.get(self.cleaned_data.get("topic") or 0)
        return topic.names() if topic is not None else []

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]


class OptionForm(forms.Form):
    # The saved option this row edits: responses refer to option ids, so edits must keep them.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, validators=ID_VALIDATORS)
    text = forms.CharField(label="Text", required=False, widget=markdown_textarea(2))
    is_correct = forms.BooleanField(label="Correct answer", required=False)
    why_not = forms.CharField(
        label="Why not (for a distractor)", required=False, widget=markdown_textarea(2)
    )

    def __init__(self, *args: Any, letter: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter = letter


class ReferenceForm(forms.Form):
    citation = forms.CharField(label="Citation", required=False, widget=markdown_textarea(2))
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[validate_web_url],
        error_messages={"invalid": "Enter an http:// or https:// address."},
    )

    def __init__(self, *args: Any, number: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number


class OrderedFormSet(forms.BaseFormSet[Any]):
    """A formset whose rows are reordered with a position field and removed with a checkbox."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME].label = "Position"
        form.fields[ORDERING_FIELD_NAME].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        form.fields[DELETION_FIELD_NAME].label = "Remove"


class OptionFormSet(OrderedFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["letter"] = LETTERS[index] if index is not None and index < len(LETTERS) else ""
        return kwargs


class ReferenceFormSet(OrderedFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["number"] = index + 1 if index is not None else 0
        return kwargs


def option_formset(extra: int) -> type[forms.BaseFormSet[OptionForm]]:
    # max_num caps the rows shown; the number of options is a rule of quizbank.validation.
    return forms.formset_factory(
        OptionForm,
        formset=OptionFormSet,
        extra=extra,
        max_num=MAX_OPTIONS,
        can_order=True,
        can_delete=True,
    )


ReferenceFormSetClass = forms.formset_factory(
    ReferenceForm, formset=ReferenceFormSet, extra=2, can_order=True, can_delete=True
)

# Blank rows offered to a new question: five options is the usual single-best-answer item.
NEW_QUESTION_OPTION_ROWS = 5
EXTRA_OPTION_ROWS = 2


class QuestionEditor:
    """The question form and its options and references formsets, validated and saved as one."""

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        question: Question | None = None,
    ) -> None:
        self.base = question_content(question) if question is not None else None
        form_initial: dict[str, Any] = {
            "question_type": Question.Type.SINGLE,
            "shuffle_options": True,
        }
        options_initial: list[dict[str, Any]] = []
        references_initial: list[dict[str, Any]] = []
        if question is not None and self.base is not None:
            form_initial = initial_from_content(self.base, topic_id=question.topic_id)
            options_initial = [dataclasses.asdict(option) for option in self.base.options]
            references_initial = [dataclasses.asdict(ref) for ref in self.base.references]
        extra = EXTRA_OPTION_ROWS if question is not None else NEW_QUESTION_OPTION_ROWS
        self.form = QuestionForm(data, initial=form_initial)
        self.options = option_formset(extra)(data, initial=options_initial, prefix="options")
        self.references = ReferenceFormSetClass(
            data, initial=references_initial, prefix="references"
        )
        self.options_errors: list[str] = []
        self.references_errors: list[str] = []

    def is_valid(self) -> bool:
        valid = all([self.form.is_valid(), self.options.is_valid(), self.references.is_valid()])
        self.options_errors = [str(error) for error in self.options.non_form_errors()]
        self.references_errors = [str(error) for error in self.references.non_form_errors()]
        return valid

    def content(self) -> QuestionContent:
        """Return what the author wrote, on top of what the form does not edit (name, ...)."""
        data = self.form.cleaned_data
        base = self.base or QuestionContent(topic_path=[], stem="", lead_in="", options=[])
        return dataclasses.replace(
            base,
            topic_path=self.form.topic_path(),
            stem=data["stem"],
            lead_in=data["lead_in"],
            question_type=data["question_type"],
            shuffle_options=data["shuffle_options"],
            tags=self.form.tag_names(),
            explanation={key: data[key] for key in EXPLANATION_FIELDS},
            decision_model=data["decision_model"].strip(),
            decision_case=data["decision_case"],
            options=self._option_contents(),
            references=[
                ReferenceContent(citation=f.cleaned_data["citation"], url=f.cleaned_data["url"])
                for f in self.references.ordered_forms
            ],
        )

    def changes(self, content: QuestionContent) -> list[str]:
        """Name what `content` changes in the saved question (everything, for a new one)."""
        return changed_fields(self.base, content) if self.base is not None else ["everything"]

    def _option_contents(self) -> list[OptionContent]:
        options, seen_ids = [], set()
        for form in self.options.ordered_forms:
            data = form.cleaned_data
            # A tampered form could name one option twice; the second becomes a new option.
            option_id = data["id"] if data["id"] not in seen_ids else None
            seen_ids.add(option_id)
            options.append(
                OptionContent(
                    text=data["text"],
                    is_correct=data["is_correct"],
                    why_not=data["why_not"],
                    id=option_id,
                )
            )
        return options

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the services' field errors beside their fields, or above the formsets."""
        for field, messages in messages_by_field(error).items():
            if field == "options":
                self.options_errors.extend(messages)
            elif field == "references":
                self.references_errors.extend(messages)
            elif field in self.form.fields:
                self.form.add_error(field, messages)
            else:
                self.form.add_error(None, messages)


def messages_by_field(error: ValidationError) -> dict[str | None, list[str]]:
    """Return a ValidationError's messages keyed by field (None: not about one field)."""
    by_field: dict[str | None, list[str]] = {}
    if hasattr(error, "error_dict"):
        by_field.update(error.message_dict)
    else:
        by_field[None] = error.messages
    return by_field


def initial_from_content(content: QuestionContent, *, topic_id: int) -> dict[str, Any]:
    return {
        "topic": topic_id,
        "question_type": content.question_type,
        "stem": content.stem,
        "lead_in": content.lead_in,
        "shuffle_options": content.shuffle_options,
        "tags": ", ".join(content.tags),
        "decision_model": content.decision_model,
        "decision_case": (
            json.dumps(content.decision_case, indent=2, ensure_ascii=False)
            if content.decision_case is not None
            else ""
        ),
        **{key: content.explanation_text(key) for key in EXPLANATION_FIELDS},
    }


# The question list ----------------------------------------------------------------------------


def question_filters(data: QueryDict, questions: QuestionQuerySet) -> QuestionFilter:
    """Return the filters the API uses, with selects labelled for people instead of ids."""
    filters = QuestionFilter(data, queryset=questions)
    authors = User.objects.filter(pk__in=Question.objects.values("author_id"))
    decision_models = (
        Question.objects.exclude(decision_model="")
        .order_by("decision_model")
        .values_list("decision_model", flat=True)
        .distinct()
    )
    tags = Tag.objects.values_list("name", flat=True)
    usernames = authors.order_by("username").values_list("username", flat=True)
    choices: dict[str, list[tuple[Any, str]]] = {
        "topic": topic_choices(list(Topic.objects.all()), empty_label="Any"),
        "tag": [("", "Any"), *((name, name) for name in tags)],
        "status": [("", "Any"), *Status.choices],
        "author": [("", "Anyone"), *((name, name) for name in usernames)],
        "decision_model": [("", "Any"), *((name, name) for name in decision_models)],
    }
    fields = filters.form.fields
    for name, field_choices in choices.items():
        fields[name].widget = forms.Select(choices=field_choices)
    fields["q"].label = "Search"
    fields["q"].widget.attrs["type"] = "search"
    fields["topic"].label = "Topic"
    fields["author"].label = "Author"
    return filters


# Review and import ----------------------------------------------------------------------------


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when requesting changes; recorded with any action.",
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="File")
    format = forms.ChoiceField(
        label="Format", choices=[(name, FORMATS[name].label) for name in IMPORT_FORMATS]
    )
    topic_path = forms.CharField(
        label="Topic",
        required=False,
        max_length=600,
        help_text='Optional: where the file goes, e.g. "Hematology > Plasma cell disorders". '
        "The file's own categories are placed below it; questions without one land on it.",
    )
    publish = forms.BooleanField(
        label="Publish the imported questions", required=False, help_text="Otherwise drafts."
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and report, without saving anything",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, can_publish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_publish:
            # Publishing on import is an admin's override of the review step.
            del self.fields["publish"]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                "The file is larger than %(limit)s MB; split it into smaller files.",
                code="too_large",
                params={"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        try:
            text: str = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "The file is not UTF-8 text; save it as UTF-8 and upload it again.",
                code="not_utf8",
            ) from error
        return text

    def topic_names(self) -> list[str] | None:
        return importing.split_topic_path(self.cleaned_data["topic_path"]) or None

    def source_name(self) -> str:
        """Return the uploaded file's name, for the audit log (clean_file keeps only its text)."""
        upload = self.files.get("file")
        return str(getattr(upload, "name", "") or "")


class QuestionImageForm(forms.Form):
    image = forms.FileField(label="Image", help_text="PNG, JPEG, GIF or WebP, at most 2 MB.")
    alt_text = forms.CharField(
        label="Text alternative",
        max_length=300,
        help_text="What the image shows, for screen readers (e.g. 'Blood film: rouleaux').",
    )
