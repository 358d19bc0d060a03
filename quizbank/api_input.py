"""What API clients send: a request body names only fields its endpoint knows.

DRF drops unknown keys silently, so a misspelt field (`"explantion"`) would do something other
than the client meant; every request serializer of the API extends `InputSerializer` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class InputSerializer(serializers.Serializer[Any]):
    """A request body: a field the endpoint does not take is a 400 that names it."""

    unknown_field_message = "This field is not part of this request."

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(name) for name in data if name not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [self.unknown_field_message] for name in unknown}
                )
        return super().to_internal_value(data)
