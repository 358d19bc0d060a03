"""DRF serializers generated from a decision model's case schema: the API's documented contract.

Each model version carries its case schema (`DecisionModel.fields`), so the request body of
`POST /api/v1/decision/<model>/` is described from that data and never written by hand per
model. The engine stays the one validator of a case: the API's 400 and `manage.py decide` word a
mistake the same way. A generated serializer also validates the same shapes and limits, so it can
be tested as a faithful description of the contract.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from decision.engine import DecisionModel
from decision.engine.guidelines import CaseField

AnyField = serializers.Field[Any, Any, Any, Any]
# Every case lists the offered options, at least two, each once (the engine's rule).
MIN_OPTIONS = 2


class CaseSerializer(serializers.Serializer[Any]):
    """The base of every generated case (and nested object) serializer."""


class UniqueListField(serializers.ListField):
    """A list in which no item appears twice (the schema's `unique: true`)."""

    default_error_messages = {"not_unique": "Item {index} repeats an earlier item."}

    def to_internal_value(self, data: Any) -> list[Any]:
        items = super().to_internal_value(data)
        seen: set[str] = set()
        for index, element in enumerate(items):
            key = json.dumps(element, sort_keys=True)
            if key in seen:
                self.fail("not_unique", index=index)
            seen.add(key)
        return items


class CaseSerializerSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """Document that a case refuses fields its schema does not name, as the engine does."""

    target_class = CaseSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(  # type: ignore[no-untyped-call]
            self.target, direction, bypass_extensions=True
        )
        schema["additionalProperties"] = False
        return schema


class UniqueListFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """Document a list whose items may not repeat as `uniqueItems`."""

    target_class = UniqueListField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(  # type: ignore[no-untyped-call]
            self.target, direction, bypass_extensions=True
        )
        schema["uniqueItems"] = True
        return schema


def case_serializer(model: DecisionModel) -> type[CaseSerializer]:
    """Return the serializer of `model`'s case: its fields, then `options` over its option ids."""
    return _case_serializer(model.model_id, model.fields, tuple(model.option_labels))


# Cached on the schema's values (frozen and hashable), so a model keeps one class, and one
# OpenAPI component, however often the schema is generated.
@functools.cache
def _case_serializer(
    model_id: str, fields: tuple[CaseField, ...], option_ids: tuple[str, ...]
) -> type[CaseSerializer]:
    name = _camel(model_id) + "Case"
    attrs = _fields(fields, name)
    attrs["__doc__"] = f"A case for decision model {model_id}."
    attrs["options"] = UniqueListField(
        child=serializers.ChoiceField(choices=list(option_ids)),
        min_length=MIN_OPTIONS,
        help_text="The options offered, in the question's order; each at most once.",
    )
    return _serializer_class(name, attrs)


def _serializer_class(name: str, attrs: dict[str, Any]) -> type[CaseSerializer]:
    return type(f"{name}Serializer", (CaseSerializer,), {**attrs, "__module__": __name__})


def _fields(fields: Sequence[CaseField], owner: str) -> dict[str, Any]:
    return {field.name: _field(field, owner + _camel(field.name)) for field in fields}


def _field(case_field: CaseField, name: str, *, is_item: bool = False) -> AnyField:
    """Return the serializer field of one schema field; `name` names a nested object's class."""
    options: dict[str, Any] = {"allow_null": case_field.is_nullable}
    if not is_item:
        options["required"] = case_field.is_required
        if case_field.description:
            options["help_text"] = case_field.description
    if case_field.type == "object":
        what = case_field.name.removesuffix("[]")
        doc = f"An element of {what}." if is_item else f"The {what} object."
        attrs = {**_fields(case_field.fields, name), "__doc__": doc}
        return _serializer_class(name, attrs)(**options)
    if case_field.type == "list" and case_field.items is not None:
        child = _field(case_field.items, name, is_item=True)
        list_class = UniqueListField if case_field.is_unique else serializers.ListField
        return list_class(child=child, min_length=case_field.min_items or None, **options)
    if case_field.type == "boolean":
        return serializers.BooleanField(**options)
    if case_field.type == "choice":
        return serializers.ChoiceField(choices=list(case_field.choices), **options)
    is_integer = case_field.type == "integer"
    for key, bound in (("min_value", case_field.minimum), ("max_value", case_field.maximum)):
        if bound is not None:
            options[key] = int(bound) if is_integer else bound
    return serializers.IntegerField(**options) if is_integer else serializers.FloatField(**options)


def _camel(name: str) -> str:
    """Return "prior_lines" or "some-model" as "PriorLines" / "SomeModel" (a class name)."""
    words = name.replace("-", "_").replace("[]", "").split("_")
    return "".join(word[:1].upper() + word[1:] for word in words if word)
