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
