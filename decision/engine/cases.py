"""Read a case as parsed JSON: each check names the field by its dotted path and shows the value."""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence

ROOT = "case"


def shown(value: object) -> str:
    """Return `value` as JSON where possible, so messages quote it as the user typed it."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


class CaseError(ValueError):
    """A case field is missing, malformed or out of range.

    `field` is the dotted path of the field (for example "prior_lines[0].agents[1]") and
    `value` the offending value (None when the field is missing).
    """

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class UnknownModelError(CaseError):
    """No decision model is registered under this id."""

    def __init__(self, model_id: str, known: Sequence[str]) -> None:
        super().__init__(
            "model",
            model_id,
            f"unknown decision model {shown(model_id)}; known models: {', '.join(known)}",
        )
        self.model_id = model_id


def item(parent: str, index: int) -> str:
    """Return the path of list element `index` under `parent`."""
    return f"{parent}[{index}]"


def member(parent: str, key: str) -> str:
    """Return the path of object member `key` under `parent` (the root has no prefix)."""
    return key if parent == ROOT else f"{parent}.{key}"


def as_object(value: object, field: str, *, allowed: Collection[str]) -> Mapping[str, object]:
    """Return `value` as a JSON object whose keys are all in `allowed`."""
    if not isinstance(value, Mapping):
        raise CaseError(field, value, f"must be a JSON object, got {shown(value)}")
    unknown = value.keys() - set(allowed)
    # Sorted, so the first unknown key reported does not depend on the input's key order.
    for key in sorted(str(k) for k in unknown):
        raise CaseError(
            member(field, key),
            key,
            f"unknown field {shown(key)}; expected one of {', '.join(sorted(allowed))}",
        )
    return value


def required(obj: Mapping[str, object], key: str, parent: str) -> object:
    """Return member `key` of `obj`, or raise naming the missing field."""
    if key not in obj:
        raise CaseError(member(parent, key), None, "required field is missing")
    return obj[key]


def as_list(value: object, field: str, *, min_items: int = 0) -> list[object]:
    """Return `value` as a JSON array of at least `min_items` elements."""
    if not isinstance(value, list):
        raise CaseError(field, value, f"must be a JSON array, got {shown(value)}")
    if len(value) < min_items:
        raise CaseError(
            field,
            value,
            f"must list at least {min_items} item(s), got {len(value)}: {shown(value)}",
        )
    return value


def as_bool(value: object, field: str) -> bool:
    """Return `value` as a JSON boolean."""
    if not isinstance(value, bool):
        raise CaseError(field, value, f"must be true or false, got {shown(value)}")
    return value


def as_int(value: object, field: str, *, low: int, high: int | None = None) -> int:
    """Return `value` as an integer from `low` to `high` inclusive (no upper bound if None)."""
    # bool is an int in Python but never a count or a grade in a case.
    if not isinstance(value, int) or isinstance(value, bool):
        raise CaseError(field, value, f"must be an integer, got {shown(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise CaseError(field, value, f"must be {bounds}, got {shown(value)}")
    return value


def as_number(value: object, field: str, *, low: float, low_inclusive: bool) -> float | int:
    """Return `value` as a finite number above `low` (or equal to it when `low_inclusive`)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise CaseError(field, value, f"must be a number, got {shown(value)}")
    if not math.isfinite(value):
        raise CaseError(field, value, f"must be a finite number, got {shown(value)}")
    if value < low or (value == low and not low_inclusive):
        bound = f">= {low:g}" if low_inclusive else f"> {low:g}"
        raise CaseError(field, value, f"must be {bound}, got {shown(value)}")
    return value


def as_choice(value: object, field: str, choices: Sequence[str], *, what: str) -> str:
    """Return `value` if it is one of `choices`; `what` names the kind of value in the message."""
    if not isinstance(value, str) or value not in choices:
        raise CaseError(
            field, value, f"unknown {what} {shown(value)}; expected one of {', '.join(choices)}"
        )
    return value


def distinct(values: Sequence[str], field: str) -> tuple[str, ...]:
    """Return `values` as a tuple, or raise naming the first repeated element."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise CaseError(item(field, index), value, f"{shown(value)} is listed twice")
        seen.add(value)
    return tuple(values)
