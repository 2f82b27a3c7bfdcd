"""Google Voice call logs, voicemails and text threads from Google Takeout (``Takeout/Voice/Calls/*.html``).

Format: Takeout writes one XHTML file per event (``corpus/FORMATS.md`` section 9), marked up with microformats:
a call or voicemail is a ``div.haudio`` (the kind in its ``span.fn`` — "Received call from", "Placed call to",
"Missed call from", "Voicemail from", "Recorded call with" —, the other party in ``a.tel[href="tel:..."]`` and
``span.fn``, the time in ``abbr.published[title]``, the length in ``abbr.duration[title]`` as an ISO 8601
duration, a voicemail transcript in ``span.full-text``); a text thread is a ``div.hChatLog`` of ``div.message``
elements (``abbr.dt[title]``, ``cite.sender a.tel``, ``q`` = the text; the owner's own messages show
``abbr.fn`` "Me"), with ``div.participants`` in group threads.

How fields are read: the document is parsed with the standard library's ``html.parser`` into a small tree (void
elements such as ``<br>`` closed at once, stray end tags ignored). Times come only from the ISO 8601 ``title``
attributes, which carry a UTC offset: exact, kept with that offset (``time_source`` export, ``tz_assumed`` False);
the visible text (U+202F, "Pacific Time") is never parsed. A call file becomes one record located as ``call``:
Received -> incoming "answered", Placed -> outgoing "dialled", Missed -> incoming "missed", Voicemail -> channel
voicemail, incoming, with the transcript as text, Recorded -> direction unknown, "recorded"; ``duration_s`` is the
duration rounded down to whole seconds. A text thread becomes one SMS record per message, located as
``message N`` (1-based, counting every message element, also the ones skipped with a warning); parties are seen
from the owner: their own messages have ``sender`` None and the thread's other parties as ``recipients``.
``raw`` keeps the kind, the ``tel:`` hrefs, names, labels, the ``User Deleted`` flag and the names of the
attachment files the page refers to (audio, images, contact cards).

Known limits: attachments are separate files beside the page (``...-1-1.jpg``, ``.mp3``, ``.vcf``); this importer
reads one file, so it names them in ``raw`` but does not store them (import them as files of their own). The
Google Chat part of Takeout (JSON) is not read here. Files over ``MAX_BYTES`` or with more than ``MAX_ELEMENTS``
elements are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import ClassVar, Final

from evidence.errors import InputError
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource

NAME: Final = "googlevoice"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 32 * 1024 * 1024
MAX_ELEMENTS: Final = 500_000
MAX_DEPTH: Final = 200

_VOID: Final = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_SNIFF_MARKERS: Final = (b'class="haudio"', b'class="hChatLog')
_DURATION: Final = re.compile(
    r"P(?:(?P<d>\d{1,6})D)?(?:T(?:(?P<h>\d{1,6})H)?(?:(?P<m>\d{1,6})M)?(?:(?P<s>\d{1,9})(?:\.\d+)?S)?)?"
)
_FILE_KIND: Final = re.compile(r" - (Placed|Received|Missed|Voicemail|Recorded|Text) - ")

# The first word of the call's ``span.fn``: channel, direction, status.
CALL_KINDS: Final[dict[str, tuple[Channel, Direction, str]]] = {
    "received": (Channel.CALL, Direction.INCOMING, "answered"),
    "placed": (Channel.CALL, Direction.OUTGOING, "dialled"),
    "missed": (Channel.CALL, Direction.INCOMING, "missed"),
    "voicemail": (Channel.VOICEMAIL, Direction.INCOMING, "voicemail"),
    "recorded": (Channel.CALL, Direction.UNKNOWN, "recorded"),
}


@dataclass
class Node:
    """One element of the parsed page."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.attrs.get("class", "").split())

    def has(self, cls: str) -> bool:
        return cls in self.classes

    def find_all(self, tag: str | None = None, cls: str | None = None) -> Iterator[Node]:
        """Descendants (depth first, document order) with the tag and class given."""
        stack: list[Node] = [c for c in reversed(self.children) if isinstance(c, Node)]
        while stack:
            node = stack.pop()
            if (tag is None or node.tag == tag) and (cls is None or node.has(cls)):
                yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        return next(self.find_all(tag, cls), None)

    def text(self) -> str:
        """The text content, ``<br>`` as a line break."""
        out: list[str] = []
        stack: list[Node | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                out.append(item)
            elif item.tag == "br":
                out.append("\n")
            else:
                stack.extend(reversed(item.children))
        return "".join(out)


class _TreeBuilder(HTMLParser):
    """A small element tree from ``html.parser`` events, with limits on size and depth."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.root = Node("#document", {})
        self.stack: list[Node] = [self.root]
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise InputError(
                f"more than {MAX_ELEMENTS} HTML elements: not a Google Voice page", path=self.name
            )
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            if len(self.stack) > MAX_DEPTH:
                raise InputError(
                    f"HTML nested more than {MAX_DEPTH} deep: not a Google Voice page", path=self.name
                )
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_duration(value: str) -> int | None:
    """Whole seconds of an ISO 8601 duration (``PT1M23S``, ``PT4S``, ``PT1M``), rounded down; None if unreadable."""
    match = _DURATION.fullmatch(value.strip())
    if match is None or value.strip() in ("P", "PT"):
        return None
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return ((parts["d"] * 24 + parts["h"]) * 60 + parts["m"]) * 60 + parts["s"]


def _tel(node: Node | None) -> str | None:
    """The number of an ``a.tel`` (``tel:+1...``), or None when empty."""
    if node is None:
        return None
    href = node.attrs.get("href", "")
    number = href[4:] if href.lower().startswith("tel:") else href
    return number.strip() or None


def _clean(text: str) -> str:
    return " ".join(text.split())


class GoogleVoiceImporter(Importer):
    """Importer for Google Voice Takeout pages (calls, voicemails, text threads)."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "Google Voice (Google Takeout) call, voicemail and text pages"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims HTML that carries Google Voice's ``haudio`` or ``hChatLog`` microformat blocks."""
        lowered = head[:4096].lower()
        if b"<html" not in lowered and b"<!doctype html" not in lowered:
            return False
        return any(marker in head for marker in _SNIFF_MARKERS)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield one record per call page, or one per message of a text thread."""
        if source.size > MAX_BYTES:
            raise InputError(f"the page is {source.size} bytes, over the {MAX_BYTES} limit", path=source.name)
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            yield ImportWarning("file", "the page is not valid UTF-8; undecodable bytes replaced with U+FFFD")
        builder = _TreeBuilder(source.name)
        builder.feed(text)
        builder.close()
        root = builder.root
        audio = root.find("div", "haudio")
        chat = root.find("div", "hChatLog")
        common = self._common(root)
        if audio is not None:
            yield from counted("calls", lambda tallying: self._call(source, audio, common, tallying))
        elif chat is not None:
            yield from counted("messages", lambda tallying: self._texts(source, chat, common, tallying))
        else:
            raise InputError(
                "no Google Voice call (div.haudio) or text thread (div.hChatLog) in the page",
                path=source.name,
            )

    @staticmethod
    def _common(root: Node) -> dict[str, object]:
        raw: dict[str, object] = {}
        tags = root.find("div", "tags")
        if tags is not None:
            raw["labels"] = [_clean(a.text()) for a in tags.find_all("a") if a.attrs.get("rel") == "tag"]
        deleted = root.find("div", "deletedStatusContainer")
        if deleted is not None:
            raw["user_deleted"] = _clean(deleted.text()).rsplit(":", 1)[-1].strip()
        title = root.find("title")
        if title is not None:
            raw["title"] = _clean(title.text())
        return raw

    @staticmethod
    def _time(node: Node | None, what: str, locator: str) -> tuple[datetime | None, ImportWarning | None]:
        if node is None:
            return None, ImportWarning(locator, f"no {what} time; skipped")
        value = node.attrs.get("title", "").strip()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None, ImportWarning(locator, f"{what} time {value!r} is not an ISO 8601 time; skipped")
        if moment.tzinfo is None:
            return None, ImportWarning(locator, f"{what} time {value!r} has no UTC offset; skipped")
        return moment, None

    def _call(
        self, source: Source, audio: Node, common: dict[str, object], tallying: Tallying
    ) -> Iterator[Yielded]:
        locator = "call"
        tallying.see()
        heading = next((c for c in audio.children if isinstance(c, Node) and c.has("fn")), None)
        heading_text = _clean(heading.text()) if heading is not None else ""
        word = heading_text.split(" ", 1)[0].lower() if heading_text else ""
        if word not in CALL_KINDS:
            from_name = _FILE_KIND.search(source.name)
            word = from_name.group(1).lower() if from_name else word
        if word in CALL_KINDS:
            channel, direction, status = CALL_KINDS[word]
        else:
            channel, direction, status = Channel.CALL, Direction.UNKNOWN, heading_text or "unknown"
            yield ImportWarning(locator, f"unknown call kind {heading_text!r}; direction unknown")
        published = audio.find("abbr", "published")
        moment, problem = self._time(published, "call", locator)
        if problem is not None:
            yield tallying.skip(problem.locator, problem.message)
        if moment is None:
            return
        contributor = audio.find(cls="contributor")
        tel = contributor.find("a", "tel") if contributor is not None else None
        number = _tel(tel)
        fn = tel.find(cls="fn") if tel is not None else None
        name = _clean(fn.text()) if fn is not None else ""
        party = number or name or "(unknown)"
        if number is None:
            yield ImportWarning(locator, f"no number for the other party{f' ({name})' if name else ''}")
        raw: dict[str, object] = {"kind": word or heading_text, "heading": heading_text, **common}
        raw["tel"] = tel.attrs.get("href") if tel is not None else None
        raw["name"] = name or None
        raw["published"] = published.attrs.get("title") if published is not None else None
        duration: int | None = None
        duration_node = audio.find("abbr", "duration")
        if duration_node is not None:
            value = duration_node.attrs.get("title", "")
            raw["duration"] = value
            duration = parse_duration(value)
            if duration is None:
                yield ImportWarning(locator, f"duration {value!r} is not an ISO 8601 duration; left out")
        files = [n.attrs["src"] for n in audio.find_all("audio") if n.attrs.get("src")]
        if files:
            raw["audio_files"] = files
        transcript = audio.find("span", "full-text")
        text = _clean(transcript.text()) if transcript is not None else None
        sender, recipients = (None, (party,)) if direction is Direction.OUTGOING else (party, ())
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=moment,
            time_source=TimeSource.EXPORT,
            tz_assumed=False,
            channel=channel,
            direction=direction,
            importer=NAME,
            importer_version=VERSION,
            app="google-voice",
            sender=sender,
            recipients=recipients,
            text=text or None,
            status=status,
            duration_s=duration,
            raw=raw,
        )

    def _texts(
        self, source: Source, chat: Node, common: dict[str, object], tallying: Tallying
    ) -> Iterator[Yielded]:
        participants_node = chat.find("div", "participants")
        participants: list[str] = []
        if participants_node is not None:
            for tel in participants_node.find_all("a", "tel"):
                number = _tel(tel)
                if number and number not in participants:
                    participants.append(number)
        messages = list(chat.find_all("div", "message"))
        if not messages:
            raise InputError("the text thread holds no messages", path=source.name)
        tallying.see(len(messages))
        others = list(participants)
        for message in messages:
            cite = message.find("cite", "sender")
            sender_tel = cite.find("a", "tel") if cite is not None else None
            if sender_tel is not None and not self._is_me(sender_tel):
                other = _tel(sender_tel)
                if other and other not in others:
                    others.append(other)
        if not others:
            prefix = source.name.split(" - ", 1)[0].strip()
            if prefix and prefix != "Group Conversation":
                others.append(prefix)
        for index, message in enumerate(messages, start=1):
            yield from self._message(
                source, message, f"message {index}", others, participants, common, tallying
            )

    @staticmethod
    def _is_me(tel: Node) -> bool:
        fn = tel.find(cls="fn")
        return fn is not None and fn.tag == "abbr" and _clean(fn.text()) == "Me"

    def _message(
        self,
        source: Source,
        message: Node,
        locator: str,
        others: list[str],
        participants: list[str],
        common: dict[str, object],
        tallying: Tallying,
    ) -> Iterator[Yielded]:
        dt = message.find("abbr", "dt")
        moment, problem = self._time(dt, "message", locator)
        if problem is not None:
            yield tallying.skip(problem.locator, problem.message)
        if moment is None:
            return
        cite = message.find("cite", "sender")
        tel = cite.find("a", "tel") if cite is not None else None
        number = _tel(tel)
        fn = tel.find(cls="fn") if tel is not None else None
        name = _clean(fn.text()) if fn is not None else ""
        quote = message.find("q")
        text = quote.text().strip() if quote is not None else ""
        files = [n.attrs["src"] for n in message.find_all("img") if n.attrs.get("src")]
        files += [n.attrs["href"] for n in message.find_all("a", "vcard") if n.attrs.get("href")]
        raw: dict[str, object] = {
            "time": dt.attrs.get("title") if dt is not None else None,
            "tel": tel.attrs.get("href") if tel is not None else None,
            "name": name or None,
            **common,
        }
        if participants:
            raw["participants"] = participants
        if files:
            raw["attachment_files"] = files
        sender: str | None
        recipients: tuple[str, ...]
        if tel is not None and self._is_me(tel):
            direction, sender, recipients = Direction.OUTGOING, None, tuple(others)
        elif number is not None or name:
            direction = Direction.INCOMING
            sender = number or name
            recipients = tuple(p for p in participants if p != sender)
        else:
            direction, sender, recipients = Direction.UNKNOWN, "(unknown)", ()
            yield ImportWarning(locator, "no sender given; direction unknown")
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=moment,
            time_source=TimeSource.EXPORT,
            tz_assumed=False,
            channel=Channel.SMS,
            direction=direction,
            importer=NAME,
            importer_version=VERSION,
            app="google-voice",
            sender=sender,
            recipients=recipients,
            text=text or None,
            status="received" if direction is Direction.INCOMING else "sent" if sender is None else None,
            raw=raw,
        )
