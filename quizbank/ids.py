"""Row ids as clients send them: one range check for every URL, API field, filter and form.

Every table's key is a 64-bit integer (`BigAutoField`). A larger number reaches the database as
an error (SQLite cannot bind it, PostgreSQL compares it as numeric or refuses it), so each way an
id comes in checks it here first: an API field or form answers 400 naming the field, a URL 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

MAX_ID = 2**63 - 1
OUT_OF_RANGE = f"An id is a whole number from 1 to {MAX_ID}."
# A URL segment an id can fill: 18 digits always fit in 64 bits, and no table gets near 10**18.
ID_PATTERN = "[0-9]{1,18}"
ID_VALIDATORS = [
    MinValueValidator(1, message=OUT_OF_RANGE),
    MaxValueValidator(MAX_ID, message=OUT_OF_RANGE),
]


class IdConverter:
    """`<id:pk>` in a URL: a path that names no possible row is a 404, never a server error."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class IdField(serializers.IntegerField):
    """An id in an API body or query: out of range is a 400 that names the field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
        self.error_messages["min_value"] = OUT_OF_RANGE
        self.error_messages["max_value"] = OUT_OF_RANGE


class IdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A form or filter choice of a row by id; an id out of range is an invalid choice."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_valid_id(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


def is_valid_id(value: Any) -> bool:
    """Whether `value` (a number or its digits) can be the id of a row."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID
