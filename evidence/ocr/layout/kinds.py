"""Screens that hold no message, named by the words every app puts on them: an in-call screen's buttons and
a compose screen's fields. Only a screen that made no message is renamed (``named``), so these words can
never remove or add a record; they only say what the picture was.

- *In call*: at least two of the in-call buttons' labels ("Mute", "Speaker", "Keypad", "Add call", "Hold",
  "End call", ...), or one of them and a call's state ("Calling...", "Ringing", "Dialing", "Ongoing call"),
  on short lines (at most five words: labels, not a sentence that uses the word); or a call's state alone
  on its line (at most three words: "Calling...", "Call from ...").
- *Compose*: at least two field labels starting their lines ("To", "Cc", "Bcc", "Subject", "From"), or one
  and a "Compose" / "New message" title, or that title alone on its line: writing a new message or email.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

_BUTTONS: Final = re.compile(
    r"^(?:mute|unmute|speaker|keypad|dialpad|add call|hold|end call|hang up)$",
    re.IGNORECASE,
)
_STATE: Final = re.compile(
    r"^(?:calling|ringing|dialing|dialling|connecting|on hold|call from\b|(?:ongoing|incoming|outgoing) (?:video |voice )?call)\b",
    re.IGNORECASE,
)
_FIELDS: Final = re.compile(r"^(?:to|cc|bcc|subject|from)\b\s*:?", re.IGNORECASE)
_TITLES: Final = re.compile(r"(?:compose|new message|new email|new mail)\b", re.IGNORECASE)


def named(texts: list[str]) -> str | None:
    """``in_call`` or ``compose`` when the screen's lines say so, else None."""
    short = [" ".join(t.split()) for t in texts if 0 < len(t.split()) <= 5]
    buttons: set[str] = set()
    for line in short:  # a row of labels may be read as one line ("Mute Keypad Speaker")
        words = line.split()
        pieces = [line, *words, *(" ".join(pair) for pair in pairwise(words))]
        buttons.update(p.lower() for p in pieces if _BUTTONS.match(p))
    state = any(_STATE.match(t) for t in short)
    alone = any(_STATE.match(t) and len(t.split()) <= 3 for t in short)  # "Dialing...", "Incoming video call"
    if len(buttons) >= 2 or (buttons and state) or alone:
        return "in_call"
    fields = {m.group(0).strip(" :").lower() for t in texts if (m := _FIELDS.match(t.strip()))}
    title = any(_TITLES.match(t.strip()) for t in short)
    alone = any(_TITLES.fullmatch(t.strip()) for t in short)  # the screen's title is "Compose" itself
    if len(fields) >= 2 or (fields and title) or alone:
        return "compose"
    return None
