"""Named definitions of a guideline version: `define: {"given(a, l)": "a in l.agents"}`.

CEL has no user functions, so a fact used in several rules ("is the disease refractory to this
drug after this line?") would be written out in each. A definition names it once; when the
version loads, every call `given("lenalidomide", l)` is written out as the definition's body with
its parameters replaced by the call's arguments, in parentheses. Definitions may call each
other (not themselves). What runs is plain CEL, as fast as if it had been written out by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SIGNATURE = re.compile(
    r"\s*([a-z_][a-z0-9_]*)\s*\(\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\)\s*"
)
# Calls written out in one expression before the definitions are refused as circular.
MAX_EXPANSIONS = 1000
OPENING, CLOSING = "([{", ")]}"


class DefineError(ValueError):
    """A definition's signature or a call to it is malformed, or definitions call in a circle."""


@dataclass(frozen=True)
class Define:
    name: str
    params: tuple[str, ...]
    body: str


def parse(entries: Mapping[str, object]) -> dict[str, Define]:
    """Return the definitions of a `define:` mapping, keyed by name."""
    defines: dict[str, Define] = {}
    for signature, body in entries.items():
        match = SIGNATURE.fullmatch(str(signature))
        if match is None:
            raise DefineError(f"{signature!r} is not a signature such as given(a, l)")
        params = tuple(p.strip() for p in match.group(2).split(","))
        defines[match.group(1)] = Define(match.group(1), params, " ".join(str(body).split()))
    return defines


def expand(expression: str, defines: Mapping[str, Define]) -> str:
    """Return `expression` with every call of a definition written out."""
    if not defines:
        return expression
    calls = re.compile(r"(?<![\w.\"])(" + "|".join(map(re.escape, defines)) + r")\s*\(")
    for _ in range(MAX_EXPANSIONS):
        match = calls.search(expression)
        if match is None:
            return expression
        define = defines[match.group(1)]
        args, end = _arguments(expression, match.end())
        if len(args) != len(define.params):
            raise DefineError(
                f"{define.name} takes {len(define.params)} arguments, "
                f"got {len(args)} in {expression!r}"
            )
        # All parameters at once, so an argument is never itself rewritten.
        body = _bind(define, args)
        expression = f"{expression[: match.start()]}({body}){expression[end:]}"
    raise DefineError(f"definitions call each other in a circle in {expression[:80]!r}")


def _bind(define: Define, args: list[str]) -> str:
    """Return the definition's body with all its parameters replaced at once, so an argument
    is never itself rewritten."""
    bound = dict(zip(define.params, args, strict=True))
    params = re.compile(r"(?<![\w.\"])(" + "|".join(map(re.escape, bound)) + r")\b")
    return params.sub(lambda m: f"({bound[m.group(1)]})", define.body)


def _arguments(text: str, start: int) -> tuple[list[str], int]:
    """Return the top-level arguments of the call opened just before `start`, and the index
    after its closing parenthesis."""
    args: list[str] = []
    depth, quote, begin = 0, "", start
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in OPENING:
            depth += 1
        elif char in CLOSING:
            if depth == 0:
                args.append(text[begin:index].strip())
                return [a for a in args if a], index + 1
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[begin:index].strip())
            begin = index + 1
    raise DefineError(f"a call is not closed in {text[:80]!r}")
