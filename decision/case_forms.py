"""The authoring form of a question's decision case, generated from the model's case schema.

Each case field gets the input its type calls for: a number input with the schema's limits, a
select for a choice, a checkbox for a required boolean (a yes/no/unknown select when it may be
left out), a group of checkboxes for a list of choices, a fieldset for an object and repeated
fieldsets (a formset) for a list of objects. Whatever has no natural input (a list of numbers, a
list of objects inside a list of objects, the whole case of a model without a schema) is a JSON
text area. One select per question option says which model option it is.

The form only parses what the author typed: the engine validates the case (the same messages
as the API and `manage.py decide`), and `add_case_error` shows a CaseError beside the field it
names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import QueryDict
from django.utils.text import Truncator

from decision import engine
from decision.engine import CaseError, DecisionModel
from decision.engine.guidelines import CaseField
from quizbank.models import Option

# Blank rows offered under a list of objects; saving a filled one offers new blank rows.
EXTRA_ROWS = 2
MAX_ROWS = 50
STATUS_LABELS = {"teaching": "teaching framework", "guideline": "society guideline"}
PATH_TOKEN = re.compile(r"\[\d+\]|[^.\[\]]+")


def reference_of(model: DecisionModel) -> str:
    """Return the reference that keeps a question on this version: "model@version"."""
    return f"{model.model_id}@{model.version}"


def version_label(model: DecisionModel) -> str:
    """Return how a version is offered: its title, version, status and publication date."""
    guideline = model.guideline
    published = f"published {guideline.published}" if guideline.published else "undated"
    status = STATUS_LABELS.get(guideline.status, guideline.status)
    return f"{guideline.title} (version {guideline.version}; {status}; {published})"


def version_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return every registered model version as select choices, grouped by model."""
    return [
        (model_id, [(reference_of(m), version_label(m)) for m in engine.model_versions(model_id)])
        for model_id in engine.model_ids()
    ]


class ModelVersionForm(forms.Form):
    # A callable: the list is read when a form is built, after every model has registered.
    model = forms.ChoiceField(label="Model version", choices=version_choices)


def field_label(name: str) -> str:
    """Return a field's name as a label: "prior_lines" -> "Prior lines"."""
    return name.replace("_", " ").capitalize()


@dataclass
class Group:
    """A fieldset of the layout: an object's members, with its presence checkbox if optional."""

    legend: str
    help_text: str
    presence: forms.BoundField | None
    items: list[forms.BoundField | Group] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return True


class CaseFieldsForm(forms.Form):
    """The inputs of an object's fields; an object inside it is flattened as "name.member".

    A top-level list of objects is left to a formset (`lists_elsewhere`); deeper ones, and lists
    of anything but choices, are JSON text areas.
    """

    def __init__(
        self,
        *args: Any,
        case_fields: Sequence[CaseField],
        lists_elsewhere: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_fields = tuple(case_fields)
        self.lists_elsewhere = lists_elsewhere
        self._add_fields(self.case_fields, "")

    def _add_fields(self, case_fields: Sequence[CaseField], prefix: str) -> None:
        for case_field in case_fields:
            key = prefix + case_field.name
            if self._is_formset(case_field, prefix):
                continue
            if case_field.type == "object":
                if _may_be_absent(case_field):
                    self.fields[key] = forms.BooleanField(
                        label=f"Give {field_label(case_field.name).lower()}", required=False
                    )
                self._add_fields(case_field.fields, key + ".")
            else:
                self.fields[key] = input_for(case_field)

    def _is_formset(self, case_field: CaseField, prefix: str) -> bool:
        return self.lists_elsewhere and prefix == "" and is_list_of_objects(case_field)

    def layout(self) -> list[forms.BoundField | Group]:
        """Return the bound fields in schema order, an object's members in a fieldset."""
        return self._layout(self.case_fields, "")

    def _layout(
        self, case_fields: Sequence[CaseField], prefix: str
    ) -> list[forms.BoundField | Group]:
        items: list[forms.BoundField | Group] = []
        for case_field in case_fields:
            key = prefix + case_field.name
            if self._is_formset(case_field, prefix):
                continue
            if case_field.type == "object":
                presence = self[key] if key in self.fields else None
                group = Group(field_label(case_field.name), case_field.description, presence)
                group.items = self._layout(case_field.fields, key + ".")
                items.append(group)
            else:
                items.append(self[key])
        return items

    def value(self) -> dict[str, Any]:
        """Return the object the author entered (call after is_valid)."""
        return self._value(self.case_fields, "")

    def _value(self, case_fields: Sequence[CaseField], prefix: str) -> dict[str, Any]:
        data = self.cleaned_data
        value: dict[str, Any] = {}
        for case_field in case_fields:
            key = prefix + case_field.name
            if self._is_formset(case_field, prefix):
                continue
            if case_field.type == "object":
                if key in self.fields and not data.get(key):
                    _put_missing(value, case_field)
                else:
                    value[case_field.name] = self._value(case_field.fields, key + ".")
            else:
                entered = data.get(key)
                if entered is None or (entered == [] and not case_field.is_required):
                    _put_missing(value, case_field)
                else:
                    value[case_field.name] = entered
        return value

    @classmethod
    def initial_from(cls, case_fields: Sequence[CaseField], value: object) -> dict[str, Any]:
        """Return the initial data that shows a stored object in these inputs."""
        initial: dict[str, Any] = {}
        cls._initial(case_fields, value, "", initial)
        return initial

    @classmethod
    def _initial(
        cls, case_fields: Sequence[CaseField], value: object, prefix: str, out: dict[str, Any]
    ) -> None:
        if not isinstance(value, Mapping):
            return
        for case_field in case_fields:
            key = prefix + case_field.name
            stored = value.get(case_field.name)
            if case_field.type == "object":
                out[key] = stored is not None
                cls._initial(case_field.fields, stored, key + ".", out)
            elif stored is not None:
                out[key] = stored

    def add_path_error(self, tokens: Sequence[str], message: str) -> None:
        """Show `message` on the deepest input the path names (an element: its list)."""
        key, found = "", None
        # A path that ends on the object itself ("prior_lines[0]") is the row's own error.
        for token in tokens:
            if token.startswith("["):
                break
            key = f"{key}.{token}" if key else token
            if key in self.fields:
                found = key
        self.add_error(found, message)


def is_list_of_objects(case_field: CaseField) -> bool:
    """Return True for a list whose elements are objects (edited as repeated fieldsets)."""
    return (
        case_field.type == "list"
        and case_field.items is not None
        and case_field.items.type == "object"
    )


def _may_be_absent(case_field: CaseField) -> bool:
    return not case_field.is_required or case_field.is_nullable


def _put_missing(value: dict[str, Any], case_field: CaseField) -> None:
    """Leave an empty input out of the case, or null where the schema requires a null."""
    if case_field.is_required and case_field.is_nullable:
        value[case_field.name] = None


def input_for(case_field: CaseField) -> forms.Field:
    """Return the input of one scalar or list field. Every input is optional here: a missing
    required field is the engine's to report, in its own words, beside the field."""
    label = field_label(case_field.name)
    common: dict[str, Any] = {
        "label": label,
        "required": False,
        "help_text": case_field.description,
    }
    limits = {
        attr: f"{bound:g}"
        for attr, bound in (("min", case_field.minimum), ("max", case_field.maximum))
        if bound is not None
    }
    if case_field.type == "integer":
        return forms.IntegerField(widget=forms.NumberInput(attrs=limits), **common)
    if case_field.type == "number":
        attrs = {**limits, "step": "any"}
        return forms.FloatField(widget=forms.NumberInput(attrs=attrs), **common)
    if case_field.type == "boolean":
        if _may_be_absent(case_field):
            return forms.NullBooleanField(widget=forms.NullBooleanSelect, **common)
        return forms.BooleanField(**common)
    if case_field.type == "choice":
        choices = [("", "Not given"), *((c, c) for c in case_field.choices)]
        return forms.TypedChoiceField(choices=choices, empty_value=None, **common)
    items = case_field.items
    if case_field.type == "list" and items is not None and items.type == "choice":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in items.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        **{**common, "label": f"{label} (JSON)"},
    )


class SchemalessForm(forms.Form):
    """The case of a model that has no schema yet (written in Python): one JSON text area."""

    case = forms.JSONField(
        label="Case fields (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="This model does not describe its case with a schema yet: write the case as "
        "a JSON object, without its options (chosen below).",
    )

    def layout(self) -> list[forms.BoundField | Group]:
        return [self["case"]]

    def value(self) -> dict[str, Any]:
        case = self.cleaned_data.get("case")
        return dict(case) if isinstance(case, dict) else {}

    def clean_case(self) -> object:
        case = self.cleaned_data["case"]
        if case is not None and not isinstance(case, dict):
            raise forms.ValidationError(
                "The case must be a JSON object, written between { and }.", code="not_an_object"
            )
        return case

    def add_path_error(self, tokens: Sequence[str], message: str) -> None:
        self.add_error("case", message)


class OptionsForm(forms.Form):
    """Which model option each question option is, in the question's order."""

    def __init__(
        self, *args: Any, options: Sequence[Option], labels: Mapping[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose the model's option"), *labels.items()]
        for index, option in enumerate(options):
            self.fields[f"option_{index}"] = forms.ChoiceField(
                label=f"Option {option.letter}: {Truncator(option.text).chars(80)}",
                choices=choices,
                required=False,
            )

    def value(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class RowFormSet(forms.BaseFormSet[CaseFieldsForm]):
    """The rows of a list of objects: blank rows and rows ticked for removal are left out."""

    def add_fields(self, form: CaseFieldsForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields[DELETION_FIELD_NAME].label = "Remove"

    def kept_forms(self) -> list[CaseFieldsForm]:
        """Return the rows that go into the case, in order (call after is_valid)."""
        deleted = self.deleted_forms
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed()) and form not in deleted
        ]


@dataclass
class ObjectList:
    """A top-level list of objects, edited as repeated fieldsets."""

    case_field: CaseField
    formset: RowFormSet
    errors: list[str] = field(default_factory=list)

    @property
    def legend(self) -> str:
        return field_label(self.case_field.name)

    @property
    def is_list(self) -> bool:
        return True


class CaseEditor:
    """A question's decision case for one model version: the case inputs, the lists of objects
    as formsets, and one select per question option."""

    def __init__(
        self,
        data: QueryDict | None,
        *,
        model: DecisionModel,
        options: Sequence[Option],
        case: object = None,
    ) -> None:
        self.model = model
        stored = case if isinstance(case, Mapping) else {}
        self.fields: CaseFieldsForm | SchemalessForm
        if model.fields:
            self.fields = CaseFieldsForm(
                data,
                case_fields=model.fields,
                lists_elsewhere=True,
                prefix="case",
                initial=CaseFieldsForm.initial_from(model.fields, stored),
            )
        else:
            rest = {key: value for key, value in stored.items() if key != "options"}
            self.fields = SchemalessForm(data, prefix="case", initial={"case": rest or None})
        self.lists = [
            self._object_list(case_field, data, stored.get(case_field.name))
            for case_field in model.fields
            if is_list_of_objects(case_field)
        ]
        chosen = stored.get("options")
        regimens = list(chosen) if isinstance(chosen, list) else []
        self.options = OptionsForm(
            data,
            options=options,
            labels=model.option_labels,
            prefix="options",
            initial={
                f"option_{index}": regimen
                for index, regimen in enumerate(regimens[: len(options)])
                if isinstance(regimen, str)
            },
        )
        self.non_field_errors: list[str] = []

    @staticmethod
    def _object_list(case_field: CaseField, data: QueryDict | None, stored: object) -> ObjectList:
        item_fields = case_field.items.fields if case_field.items is not None else ()
        rows = stored if isinstance(stored, list) else []
        formset_class = cast(
            type[RowFormSet],
            forms.formset_factory(
                CaseFieldsForm,
                formset=RowFormSet,
                extra=EXTRA_ROWS,
                can_delete=True,
                max_num=MAX_ROWS,
                absolute_max=MAX_ROWS,
            ),
        )
        formset = formset_class(
            data,
            prefix=f"case-{case_field.name}",
            initial=[CaseFieldsForm.initial_from(item_fields, row) for row in rows],
            form_kwargs={"case_fields": item_fields},
        )
        return ObjectList(case_field, formset)

    def layout(self) -> list[forms.BoundField | Group | ObjectList]:
        """Return the case's inputs in schema order, each list of objects in its place."""
        lists = {object_list.case_field.name: object_list for object_list in self.lists}
        inputs = iter(self.fields.layout())
        if not self.model.fields:
            return list(inputs)
        # The form lays out one item per field it holds, in the same order, skipping the lists.
        return [lists.get(case_field.name) or next(inputs) for case_field in self.model.fields]

    def is_valid(self) -> bool:
        """Return True when every input parsed (the engine then checks the case itself)."""
        parts = [self.fields.is_valid(), self.options.is_valid()]
        parts += [object_list.formset.is_valid() for object_list in self.lists]
        return all(parts)

    def case(self) -> dict[str, Any]:
        """Return the case the author entered, with its options in the question's order."""
        case = self.fields.value()
        for object_list in self.lists:
            rows = [form.value() for form in object_list.formset.kept_forms()]
            if rows or object_list.case_field.is_required:
                case[object_list.case_field.name] = rows
        case["options"] = self.options.value()
        return case

    def add_case_error(self, error: CaseError) -> None:
        """Show the engine's error beside the input its dotted field names."""
        message = str(error)
        tokens = path_tokens(error.field)
        first, index = tokens[0] if tokens else "", _index(tokens[1:2])
        if first == "options":
            name = f"option_{index}"
            self.options.add_error(name if name in self.options.fields else None, message)
            return
        for object_list in self.lists:
            if object_list.case_field.name == first:
                kept = object_list.formset.kept_forms()
                if index is not None and index < len(kept):
                    kept[index].add_path_error(tokens[2:], message)
                else:
                    object_list.errors.append(message)
                return
        if first in {"model", "version"}:
            self.non_field_errors.append(message)
            return
        self.fields.add_path_error(tokens, message)


def path_tokens(path: str) -> list[str]:
    """Split a dotted field path: "prior_lines[0].agents" -> ["prior_lines", "[0]", "agents"]."""
    return PATH_TOKEN.findall(path)


def _index(tokens: Sequence[str]) -> int | None:
    if tokens and tokens[0].startswith("["):
        return int(tokens[0][1:-1])
    return None
