"""Case text on a terminal: control characters are shown escaped, never obeyed.

Everything the CLI prints about a case comes from material someone else wrote: a message's text, a subject, a
sender's name, a file name. Printed raw, a terminal obeys the control sequences in it: ``ESC [1A ESC [2K``
moves the cursor up and erases the row above (a threat in the timeline, gone from view), a carriage return
overwrites the start of a line, and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069) show text in
another order than it is stored. So ``main`` sets ``SafeStream`` over stdout and stderr for the whole command:
C0 controls except newline and tab, DEL and the C1 controls are written as ``\\x1b``, the bidi overrides as
``\\u202e``. One place, so no printer can forget it.

JSON output (``--json``) stays valid JSON: ``json_text`` escapes those characters itself as JSON escapes
(``\\u009b``), which name the same characters, so the stream has nothing left to change. The progress bar,
our own text, redraws its line with a carriage return through ``raw``.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # ensure_ascii=False's string encoder (C), as json.dumps uses it
from typing import Any, TextIO

# C0 but tab (\x09) and newline (\x0a), DEL, C1; then the bidi embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves as it is: it escapes C0 itself.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with its control characters and bidi overrides written as escapes (``\\x1b``, ``\\u202e``);
    newlines and tabs are kept."""
    return _CONTROL.sub(_escaped, text)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON (UTF-8 text kept readable) with DEL, the C1 controls and the bidi overrides written as
    JSON escapes (``\\u009b``): the same value for a JSON reader, nothing a terminal obeys."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_item(value: Any) -> str:
    """One item of a JSON array as ``json_text`` writes the array: ``json_text([value])[2:-2]``, byte for byte,
    several times faster. ``json.dumps`` with ``indent`` runs its pure-Python encoder (a generator a value);
    here dicts and lists are joined directly and strings, numbers and constants are written by the same
    functions the encoder calls (``encode_basestring``, ``int.__repr__``, ``float.__repr__``). A value of any
    other type is given to ``json_text``, which raises or writes it as it always did."""
    try:
        text = "  " + _indented(value, "\n  ")
    except _Unusual:
        return json_text([value])[2:-2]
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_document(value: Any) -> str:
    """``json_text(value)``, byte for byte, several times faster (``_indented``, as ``json_item`` writes; what
    ``stats --json`` prints: a year of days, weeks and bursts)."""
    try:
        text = _indented(value, "\n")
    except _Unusual:
        return json_text(value)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Unusual(Exception):
    """A value ``_indented`` leaves to ``json.dumps`` (a float key, NaN, a type JSON has no form for)."""


def _indented(value: Any, newline: str) -> str:
    # json.encoder._make_iterencode's order of checks (a str subclass is a string, bool before int).
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (_INFINITY, -_INFINITY):
            raise _Unusual
        return float.__repr__(value)
    inner = newline + "  "
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_indented(v, inner) for v in value]) + newline + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            parts.append(encode_basestring(key) + ": " + _indented(item, inner))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    raise _Unusual


_INFINITY = float("inf")


class SafeStream:
    """A text stream that writes through ``escape_controls``; everything else is the wrapped stream's."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters escaped; returns the length given (as print expects)."""
        self.raw.write(escape_controls(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        """Write each line, escaped."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def raw_stream(stream: Any) -> Any:
    """The stream under a ``SafeStream`` (for the CLI's own control characters), else ``stream`` itself."""
    return stream.raw if isinstance(stream, SafeStream) else stream
