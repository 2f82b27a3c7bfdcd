"""The records blob of a ``records.derived`` entry, written and read record by record.

A records blob is one canonical JSON object (``evidence.case.canonical``): ``{"importer", "importer_version",
"item_sha256", "records": [...], "warnings": [...]}``. A phone backup's blob holds 100,000 records and more, so
neither side holds it whole as Python objects:

- ``pieces`` gives the canonical bytes of such an object in pieces, records taken one at a time from an
  iterator (the import streams them into the store as the importer reads them); the bytes are exactly
  ``canonical_bytes`` of the whole object, so a blob written either way has the same hash.
- ``read_records`` yields the records of a blob's bytes one at a time (``json``'s ``raw_decode`` at each
  record's offset) and checks, as ``parse_canonical`` does for the whole, that the text is canonical: each key
  and value is exactly its own canonical text, keys sorted and unique, no byte before, between or after them.
  What is not is a ``CanonicalError``, raised when the reader reaches it (the caller's transaction undoes
  what it inserted before).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

from evidence.case.canonical import (
    MAX_SAFE_INT,
    CanonicalError,
    canonical_bytes,
    canonical_text,
    canonical_text_of_json,
    parse_canonical,
)

RECORDS_KEY = "records"


def pieces(head: dict[str, Any], records: Iterable[dict[str, Any]], tail: dict[str, Any]) -> Iterator[bytes]:
    """The canonical bytes of ``{**head, "records": [*records], **tail}`` in pieces: ``head``'s keys must sort
    before ``records`` and ``tail``'s after it (``tail`` is read only once the records are exhausted, so it
    may be filled while they are produced: the warnings an importer gives among its records)."""
    if any(key >= RECORDS_KEY for key in head):
        raise CanonicalError("a records blob's head keys must sort before 'records'")
    start = canonical_text(head)[:-1]  # '{"importer":...' without its closing brace
    yield ((start + "," if head else start) + '"records":[').encode("utf-8")
    for number, record in enumerate(records):
        yield (b"," if number else b"") + canonical_bytes(record)
    if any(key <= RECORDS_KEY for key in tail):
        raise CanonicalError("a records blob's tail keys must sort after 'records'")
    rest = canonical_text(tail)[1:]  # '"warnings":[...]}' without its opening brace
    yield (("]," + rest) if tail else "]}").encode("utf-8")


_DECODER = json.JSONDecoder(
    parse_float=lambda text: _reject(f"float {text} in canonical JSON"),
    parse_constant=lambda text: _reject(f"{text} in canonical JSON"),
    parse_int=lambda text: _safe_int(text),
)


def _safe_int(text: str) -> int:
    number = int(text)
    if not -MAX_SAFE_INT <= number <= MAX_SAFE_INT:
        raise CanonicalError(f"integer {text[:40]} is outside +/-2**53")
    return number


def _reject(message: str) -> Any:
    raise CanonicalError(message)


WINDOW = 1 << 20  # bytes decoded at a time: a blob with emoji is four bytes a character as a str


class _Text:
    """The blob's text, decoded a window at a time: ``text[pos:]`` always holds at least ``WINDOW`` characters
    (or the rest of the blob), so one record is read from a few megabytes, never the whole blob."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0  # bytes of ``data`` decoded so far
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.fill(WINDOW)

    @property
    def done(self) -> bool:
        return self.offset >= len(self.data)

    def fill(self, want: int) -> None:
        """Decode more, until ``want`` characters are ahead of ``pos`` or the blob ends."""
        if len(self.text) - self.pos >= want or self.done:
            return
        parts = [self.text[self.pos :]]
        ahead = len(parts[0])
        while ahead < want and not self.done:
            chunk = self.data[self.offset : self.offset + max(WINDOW, want)]
            self.offset += len(chunk)
            try:
                part = self.decoder.decode(chunk, final=self.done)
            except UnicodeDecodeError as exc:
                raise CanonicalError(f"not JSON: {exc}") from None
            parts.append(part)
            ahead += len(part)
        self.text = "".join(parts)
        self.pos = 0

    def peek(self) -> str:
        self.fill(WINDOW)
        return self.text[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise CanonicalError(f"JSON is not in canonical form (expected {char!r})")
        self.pos += 1

    def value(self) -> Any:
        """The canonical JSON value at ``pos`` (``pos`` moves past it)."""
        want = WINDOW
        while True:
            self.fill(want)
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
                break
            except (ValueError, RecursionError) as exc:
                if isinstance(exc, CanonicalError):
                    raise
                if self.done:
                    raise CanonicalError(f"not JSON: {exc}") from None
                want = max(want * 2, len(self.text) - self.pos + WINDOW)  # a value longer than the window
        piece = self.text[self.pos : end]
        if canonical_text_of_json(value) != piece:
            # The precise reason (a duplicate key, a float) when there is one, else the general one.
            parse_canonical(piece)
            raise CanonicalError("JSON is not in canonical form")
        self.pos = end
        return value


def read_records(data: bytes, header: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """The records of the records blob ``data``, one at a time, the whole text checked canonical (see the
    module docstring); the other keys' values are put in ``header`` as they are read. A blob whose
    ``records`` is not a list of objects is a ``CanonicalError`` too."""
    found = {} if header is None else header
    text = _Text(data)
    text.expect("{")
    previous: str | None = None
    while text.peek() != "}":
        if previous is not None:
            text.expect(",")
        key = text.value()
        if not isinstance(key, str):
            raise CanonicalError("JSON is not in canonical form (an object key is not a string)")
        if previous is not None and key <= previous:
            raise CanonicalError(
                f"duplicate key {key!r}" if key == previous else "JSON is not in canonical form"
            )
        previous = key
        text.expect(":")
        if key == RECORDS_KEY:
            if text.peek() != "[":
                raise CanonicalError("the records blob's records are not a list")
            text.pos += 1
            first = True
            while text.peek() != "]":
                if not first:
                    text.expect(",")
                record = text.value()
                if not isinstance(record, dict):
                    raise CanonicalError("a record of the records blob is not an object")
                first = False
                yield record
            text.pos += 1
            found[key] = None  # read, not kept
        else:
            found[key] = text.value()
    text.pos += 1
    if text.pos != len(text.text) or not text.done:
        raise CanonicalError("JSON is not in canonical form (bytes after the object)")
    if RECORDS_KEY not in found:
        raise CanonicalError("the records blob has no list of records")
