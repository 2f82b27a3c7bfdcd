"""A message's MIME tree: which parts are its text, which are attachments, and their bytes.

``text/plain`` is preferred over HTML in a ``multipart/alternative`` (unless it holds only white space); the
inline text parts of a ``multipart/mixed`` are joined. Every leaf part with a file name, with
``Content-Disposition: attachment``, or whose type is neither ``text/plain`` nor ``text/html`` is an attachment.
Content-Type and Content-Disposition are read with their 8-bit bytes decoded, and bounded: hostile input (a
Content-Type field longer than ``MAX_CONTENT_TYPE``, more than ``MAX_PARTS`` parts, deeper than
``MAX_MIME_DEPTH``, HTML beyond ``MAX_HTML_CHARS``) is refused or cut, with a problem noted. The bytes of a
``message/*`` attachment are regenerated from the parsed structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as email_policy
from email.errors import HeaderParseError, MessageError
from email.message import Message
from typing import Any, Final

from evidence.importers._mail.charsets import (
    decode_charset,
    decode_unlabelled,
    escaped_text,
    raw_bytes,
    repair,
)
from evidence.importers._mail.headers import decode_header_bytes
from evidence.importers._mail.text import html_to_text, unflow
from evidence.models import Blob

MAX_MIME_DEPTH: Final = 40  # nesting of multiparts and attached messages followed
MAX_PARTS: Final = 5_000  # MIME parts looked at per message
MAX_HTML_CHARS: Final = 4 * 1024 * 1024  # HTML converted to text; the rest is cut (warned)
MAX_MIME_FIELD: Final = 16 * 1024  # Content-Type/-Disposition parameters read from at most this many bytes
MAX_CONTENT_TYPE: Final = 64 * 1024  # a longer Content-Type field anywhere: the message is not parsed

# Regenerating an attached message: no refolding, no line-length limit, 8-bit bytes kept.
_GEN_POLICY: Final = email_policy.default.clone(refold_source="none", max_line_length=0)

# Errors the standard library's MIME parameter and payload code can raise on broken header fields; caught only
# around those calls, never around our own code.
_HEADER_ERRORS: Final = (ValueError, IndexError, TypeError, AttributeError, LookupError, HeaderParseError)
_CONTENT_TYPE_FIELD: Final = re.compile(rb"(?im)^content-type[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")


@dataclass
class Walk:
    """What reading one message's MIME tree found."""

    texts: list[str] = field(default_factory=list)
    text_types: list[str] = field(default_factory=list)
    attachments: list[tuple[str, Message]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: int = 0
    cut: bool = False


def _mime_view(part: Message) -> Message:
    """The part's Content-Type and Content-Disposition with 8-bit bytes decoded (UTF-8, else windows-1252).

    The standard library would turn a raw 8-bit file name into U+FFFD; an over-long field keeps only its type
    (parameter parsing is quadratic in the number of parameters).
    """
    view = Message(policy=email_policy.compat32)
    view.set_default_type(part.get_default_type())  # message/rfc822 inside a multipart/digest
    for name, value in part.raw_items():
        if name.lower() in ("content-type", "content-disposition"):
            raw = raw_bytes(value)
            if len(raw) > MAX_MIME_FIELD:
                raw = raw.split(b";", 1)[0][:200]
            view[name] = decode_unlabelled(raw, name, [])
    return view


def _safe_call(part: Message, getter: Callable[[Message], Any], default: Any) -> Any:
    """Read a MIME parameter; a header field the standard library cannot read gives ``default``."""
    try:
        return getter(_mime_view(part))
    except (*_HEADER_ERRORS, UnicodeError):
        return default


def hostile_structure(data: bytes) -> str | None:
    """Why ``data`` should not be given to the MIME parser at all, or None.

    The parser reads every multipart's Content-Type parameters while it splits the message, in time quadratic
    in their number; no real message has a Content-Type field anywhere near MAX_CONTENT_TYPE bytes.
    """
    for match in _CONTENT_TYPE_FIELD.finditer(data):
        if match.end() - match.start() > MAX_CONTENT_TYPE:
            return f"a Content-Type field longer than {MAX_CONTENT_TYPE} bytes"
    return None


def _has_content(part: Message) -> bool:
    try:
        payload = part.get_payload(decode=True)
    except _HEADER_ERRORS:
        return True
    return not isinstance(payload, bytes) or bool(payload.strip())


def _content_type(part: Message) -> str:
    return str(_safe_call(part, lambda p: p.get_content_type(), "text/plain")).lower()


def _filename(part: Message, problems: list[str], what: str) -> str | None:
    name = _safe_call(part, lambda p: p.get_filename(), None)
    if name is None:
        return None
    text = repair(str(name))
    if "=?" in text:
        text = decode_header_bytes(raw_bytes(text), what, problems)
    return text.strip() or None


def _disposition(part: Message) -> str | None:
    value = _safe_call(part, lambda p: p.get_content_disposition(), None)
    return str(value).lower() if value else None


def _param(part: Message, name: str) -> str | None:
    value = _safe_call(part, lambda p: p.get_param(name), None)
    if value is None or isinstance(value, tuple):
        return None
    return repair(str(value))


def walk_parts(part: Message, walk: Walk, *, want_text: bool, depth: int, path: str) -> None:
    """Read ``part`` and its children into ``walk``: texts, attachments, problems and defects."""
    walk.parts += 1
    if walk.parts > MAX_PARTS or depth > MAX_MIME_DEPTH:
        if not walk.cut:
            walk.cut = True
            walk.problems.append(
                f"more than {MAX_PARTS} MIME parts or deeper than {MAX_MIME_DEPTH} levels; the rest not read"
            )
        return
    walk.defects.extend(f"part {path}: {type(d).__name__}" for d in part.defects)
    ctype = _content_type(part)
    declared = raw_bytes(str(part.get("content-type", ""))).split(b";", 1)[0].strip()
    if declared and b"/" not in declared:
        shown = escaped_text(declared[:100])
        walk.problems.append(f"part {path}: Content-Type {shown!r} has no subtype; read as {ctype}")
    if ctype.startswith("message/") or not part.is_multipart():
        if _is_attachment(part, ctype):
            walk.attachments.append((path, part))
        elif want_text:
            text = _part_text(part, ctype, walk, path)
            if text is not None:
                walk.texts.append(text)
                walk.text_types.append(ctype)
        return
    children = [c for c in part.get_payload() if isinstance(c, Message)]
    chosen: Message | None = None
    if ctype == "multipart/alternative":
        chosen = _choose_alternative(children)
    elif ctype == "multipart/related":
        chosen = _related_root(part, children)
    for number, child in enumerate(children, 1):
        keep = want_text and (chosen is None or child is chosen)
        walk_parts(child, walk, want_text=keep, depth=depth + 1, path=f"{path}.{number}")


def _is_attachment(part: Message, ctype: str) -> bool:
    if ctype.startswith("multipart/"):
        return False  # a multipart whose parts could not be found: its body is read as text
    if ctype not in ("text/plain", "text/html"):
        return True
    if _disposition(part) == "attachment":
        return True
    return _safe_call(part, lambda p: p.get_filename(), None) is not None


def _choose_alternative(children: list[Message]) -> Message | None:
    """text/plain, else HTML, else a multipart; a text alternative with nothing but white space is passed over."""
    if not children:
        return None
    types = [_content_type(c) for c in children]
    for wanted in ("text/plain", "text/html"):
        for child, ctype in zip(children, types, strict=True):
            if ctype == wanted and _disposition(child) != "attachment" and _has_content(child):
                return child
    for child, ctype in zip(children, types, strict=True):
        if ctype.startswith("multipart/"):
            return child
    return children[-1]


def _related_root(part: Message, children: list[Message]) -> Message | None:
    if not children:
        return None
    start = _param(part, "start")
    if start:
        for child in children:
            if str(child.get("content-id", "")).strip() == start.strip():
                return child
    root_type = (_param(part, "type") or "").lower()
    for child in children:
        ctype = _content_type(child)
        if ctype == root_type or (not root_type and (ctype.startswith(("text/", "multipart/")))):
            return child
    return children[0]


def _part_text(part: Message, ctype: str, walk: Walk, path: str) -> str | None:
    try:
        payload = part.get_payload(decode=True)
    except _HEADER_ERRORS:
        walk.problems.append(f"part {path}: its content cannot be decoded")
        return None
    if not isinstance(payload, bytes):
        return None
    label = _param(part, "charset")
    text = decode_charset(payload, label, f"part {path} ({ctype})", walk.problems)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ctype.startswith("multipart/"):
        walk.problems.append(f"part {path}: {ctype} whose parts could not be found; its body read as text")
    elif ctype == "text/html":
        if len(text) > MAX_HTML_CHARS:
            walk.problems.append(
                f"part {path}: HTML longer than {MAX_HTML_CHARS} characters; the rest not read"
            )
            text = text[:MAX_HTML_CHARS]
        return html_to_text(text)
    elif (_param(part, "format") or "").lower() == "flowed":
        text = unflow(text, (_param(part, "delsp") or "").lower() == "yes")
    return text


def attachment_blob(
    part: Message, part_path: str, locator: str, linesep: str, problems: list[str]
) -> tuple[Blob | None, dict[str, Any]]:
    """The attachment's bytes as a Blob (None when they cannot be read) and its ``raw["attachments"]`` entry."""
    ctype = _content_type(part)
    name = _filename(part, problems, f"part {part_path} file name")
    info: dict[str, Any] = {
        "part": part_path,
        "name": name,
        "media_type": ctype,
        "disposition": _disposition(part),
        "sha256": None,
        "size": None,
    }
    data: bytes | None = None
    try:
        if part.is_multipart():
            # message/rfc822 holds one message; message/delivery-status and the like, blocks of fields.
            gen_policy = _GEN_POLICY.clone(linesep=linesep)
            blocks = [m.as_bytes(policy=gen_policy) for m in part.get_payload() if isinstance(m, Message)]
            data = b"".join(blocks)
            info["regenerated"] = True
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
    except (*_HEADER_ERRORS, UnicodeError, MessageError, RecursionError):
        problems.append(f"part {part_path}: attachment {name!r} could not be read; not stored")
        return None, info
    blob = Blob(data=data, name=name, media_type=ctype, locator=locator)
    info["sha256"] = blob.sha256
    info["size"] = len(data)
    return blob, info
