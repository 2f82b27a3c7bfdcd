"""What a WhatsApp line is when it is not plain text (``importers/whatsapp.py``): a notice WhatsApp wrote itself
(encryption, security code, business account), a call, or a deleted message.

The words come from ``_whatsapp_phrases`` (the app's own translations); the structure needs no words:

* a line with no ``Sender:`` part is a system line (the caller decides that);
* iOS writes its notices in a one-to-one chat as if the chat's name had sent them, and starts their text with
  two directional marks (U+200E, U+200F in right-to-left languages) where a person's text has none and media
  or a deleted message has one: two marks make a notice in any language;
* the notice that opens an export (encryption, business account) starts with a mark and names WhatsApp;
* in a group, iOS writes who joined, left or changed the subject under the group's name, each text starting
  with a mark: a "sender" all of whose lines (two or more) start with one, one of them a notice, none of them
  media, a link, a call or a deleted message, is the chat's own voice, and its lines are system lines.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.importers._whatsapp_lines import MARKS, clean
from evidence.importers._whatsapp_phrases import phrases, security_code_pattern, starts
from evidence.models import Direction

# Notices WhatsApp writes itself that the phrase table does not hold (business accounts, older versions).
NOTICES = (
    "messages and calls are end-to-end encrypted",
    "messages you send to this group are now secured with end-to-end encryption",
    "messages you send to this chat and calls are now secured with end-to-end encryption",
    "this business uses a secure service from meta",
    "this chat is with a business account",
    "nachrichten und anrufe sind ende-zu-ende-verschlüsselt",
    "los mensajes y las llamadas están cifrados de extremo a extremo",
    "les messages et les appels sont chiffrés de bout en bout",
    "as mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "i messaggi e le chiamate sono crittografati end-to-end",
)
_WHATSAPP_NAMES = ("whatsapp", "واتساب", "واتساپ", "וואטסאפ")


def phrase_key(text: str) -> str:
    """``text`` as the phrase table writes it: no marks, plain single spaces, casefolded, no closing full stop."""
    return " ".join(clean(text).split()).casefold().rstrip(".。").strip()


def leading_marks(text: str) -> int:
    """How many directional marks ``text`` starts with."""
    return len(text) - len(text.lstrip(MARKS))


def is_notice(body: str, first: bool, media_line: bool = False) -> bool:
    """Whether ``body`` (the text after ``Name: ``) is a notice WhatsApp wrote, not something the name sent.

    ``first``: the line is the first of the export, where the encryption or business notice stands;
    ``media_line``: iOS marked the line as media (a file, never a notice).
    """
    key = phrase_key(body)
    if not key or media_line:
        return False
    if key.startswith(NOTICES) or key.startswith(starts("encryption")):
        return True
    if security_code_pattern().match(key):
        return True
    marks = leading_marks(body)
    if marks >= 2:
        return True
    return first and marks >= 1 and any(name in key for name in _WHATSAPP_NAMES)


def chat_voices(lines: list[tuple[str, str, bool]]) -> frozenset[str]:
    """The names under which the export writes its own notices (see the module docstring): besides the rest,
    one of the name's lines must be a notice ``is_notice`` knows (the encryption notice that opens every
    export stands under the chat's name), so a person who only ever sent, say, deletions in a language the
    phrase table lacks keeps their name.

    ``lines``: (sender, text after ``Name: `` as written, whether iOS marked the line as media), in file order.
    """
    seen: dict[str, int] = {}
    spoiled: set[str] = set()
    vouched: set[str] = set()
    for index, (sender, body, media_line) in enumerate(lines):
        seen[sender] = seen.get(sender, 0) + 1
        if is_notice(body, index == 0, media_line):
            vouched.add(sender)
        if (
            media_line
            or leading_marks(body) == 0
            or "://" in body
            or call(body) is not None
            or deleted(body) is not None
        ):
            spoiled.add(sender)
    return frozenset(
        name for name, count in seen.items() if count >= 2 and name in vouched and name not in spoiled
    )


@dataclass(frozen=True)
class Call:
    """A call line: voice or video, how it ended, seen from the exporting phone, and its length if shown."""

    media: str  # "voice" or "video"
    status: str | None  # "missed", "no answer", "answered", "declined", "silenced", None when not said
    direction: Direction
    duration_s: int | None


# iOS English forms besides the table's missed calls: "Voice call, No answer", "Voice call, 4 min",
# "Video call, 1 hr 23 min", "Voice call, Answered on other device", "Silenced voice call".
_CALL = re.compile(r"(?P<media>voice|video) call(?:, (?P<rest>.+))?")
_DURATION = re.compile(
    r"(?:(?P<h>\d+) ?(?:hr|hour|hours|h))? ?(?:(?P<m>\d+) ?(?:min|mins|minutes?))? ?(?:(?P<s>\d+) ?(?:sec|secs|seconds?|s))?"
)
_CALL_BACK = (", tap to call back", ", click to call back")


def call(body: str) -> Call | None:
    """The call ``body`` records, or None when it is no call line.

    A missed call appears only in the export of the phone that missed it, so it is incoming; "no answer" only
    in the caller's, so it is outgoing; an answered call does not say who called.
    """
    key = phrase_key(body)
    for tail in _CALL_BACK:
        key = key.removesuffix(tail)
    if key in phrases("missed-voice-call"):
        return Call("voice", "missed", Direction.INCOMING, None)
    if key in phrases("missed-video-call"):
        return Call("video", "missed", Direction.INCOMING, None)
    if key in ("silenced voice call", "silenced video call"):
        return Call(key.split()[1], "silenced", Direction.INCOMING, None)
    m = _CALL.fullmatch(key)
    if m is None:
        return None
    media, rest = m.group("media"), m.group("rest")
    if rest is None:
        return Call(media, None, Direction.UNKNOWN, None)
    if rest == "no answer":
        return Call(media, "no answer", Direction.OUTGOING, None)
    if rest == "declined":
        return Call(media, "declined", Direction.UNKNOWN, None)
    if rest == "answered on other device":
        return Call(media, "answered on another device", Direction.INCOMING, None)
    d = _DURATION.fullmatch(rest)
    if d is None or not any(d.groupdict().values()):
        return None
    seconds = int(d.group("h") or 0) * 3600 + int(d.group("m") or 0) * 60 + int(d.group("s") or 0)
    return Call(media, "answered", Direction.UNKNOWN, seconds)


def deleted(body: str) -> str | None:
    """Who deleted the message ``body`` stands for: "sender", "you" (the exporting phone), "unknown" when the
    phrase is used for both, or None when it is no deleted-message line."""
    key = phrase_key(body)
    by_sender, by_you = key in phrases("deleted"), key in phrases("you-deleted")
    if by_sender and by_you:
        return "unknown"
    if by_sender:
        return "sender"
    if by_you:
        return "you"
    return None
