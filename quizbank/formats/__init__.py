"""The question file formats, by name: what each can read and write.

A parser takes the file's text and returns a `ParseResult` (plain values, no database); a writer
takes an `ExportSet` of questions and returns text, or bytes for a package (QTI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quizbank.formats import aiken, gift, moodlexml, native_json, qti
from quizbank.formats.interchange import ExportSet, ParseResult

Parser = Callable[[str], ParseResult]
Writer = Callable[[ExportSet], str | bytes]


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extension: str
    media_type: str
    write: Writer
    parse: Parser | None = None

    @property
    def is_binary(self) -> bool:
        return self.media_type == "application/zip"


FORMATS: dict[str, Format] = {
    "gift": Format("gift", "GIFT (Moodle)", "gift.txt", "text/plain", gift.write, gift.parse),
    "aiken": Format("aiken", "Aiken", "txt", "text/plain", aiken.write, aiken.parse),
    "moodlexml": Format(
        "moodlexml", "Moodle XML", "xml", "application/xml", moodlexml.write, moodlexml.parse
    ),
    "json": Format(
        "json", "JSON", "json", "application/json", native_json.write, native_json.parse
    ),
    "qti": Format("qti", "IMS QTI 3.0 package", "zip", "application/zip", qti.write),
}
IMPORT_FORMATS = tuple(name for name, spec in FORMATS.items() if spec.parse is not None)
EXPORT_FORMATS = tuple(FORMATS)


class UnknownFormatError(ValueError):
    """A format name that the registry does not have (or that cannot be imported)."""

    code = "unknown_format"


def get_format(name: str) -> Format:
    """Return the format called `name`."""
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(
            f'Unknown format "{name}": use one of {", ".join(EXPORT_FORMATS)}.'
        ) from None


def parser_for(name: str) -> Parser:
    """Return the parser of an importable format."""
    parse = get_format(name).parse
    if parse is None:
        raise UnknownFormatError(
            f'"{name}" can be exported but not imported: import {", ".join(IMPORT_FORMATS)}.'
        )
    return parse


def writer_for(name: str) -> Writer:
    return get_format(name).write
