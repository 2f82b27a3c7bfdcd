"""The MMS of SMS Backup & Restore backups (``importers/smsbackup.py``): direction from the message box or PDU
type, the parties from ``<addrs>``, and each ``<part>``: text kept, content decoded from strict base64 and
yielded as a Blob once per distinct content.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Final
from xml.etree.ElementTree import Element

from evidence.importers._smsbackup_xml import attribute, integer
from evidence.models import Blob, Direction, ImportWarning

MAX_PART_BYTES: Final = 128 * 1024 * 1024  # one MMS part, decoded

# Android's Telephony.BaseMmsColumns.MESSAGE_BOX_*.
MMS_BOXES: Final[dict[int, tuple[Direction, str]]] = {
    1: (Direction.INCOMING, "received"),
    2: (Direction.OUTGOING, "sent"),
    3: (Direction.OUTGOING, "draft"),
    4: (Direction.OUTGOING, "outbox"),
    5: (Direction.OUTGOING, "failed"),
}
# PDU message types, used when msg_box is missing (old backups).
MMS_PDU_TYPES: Final[dict[int, tuple[Direction, str]]] = {
    128: (Direction.OUTGOING, "sent"),  # m-send-req
    130: (Direction.INCOMING, "not downloaded"),  # m-notification-ind
    132: (Direction.INCOMING, "received"),  # m-retrieve-conf
}
ADDR_FROM: Final = "137"
ADDR_OTHERS: Final = ("151", "130", "129")  # TO, CC, BCC
_NO_ADDRESS: Final = frozenset({"insert-address-token", ""})

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_WHITESPACE = re.compile(r"\s+")


def mms_direction(elem: Element) -> tuple[Direction, str]:
    """Direction and status from ``msg_box``, else from the PDU type ``m_type`` (old backups)."""
    box = integer(attribute(elem, "msg_box"))
    pdu = integer(attribute(elem, "m_type"))
    if box in MMS_BOXES:
        direction, status = MMS_BOXES[box]
        if direction is Direction.INCOMING and pdu == 130:
            status = "not downloaded"
        return direction, status
    if pdu in MMS_PDU_TYPES:
        return MMS_PDU_TYPES[pdu]
    return Direction.UNKNOWN, f"msg_box {elem.get('msg_box')}"


def mms_parties(
    elem: Element, addrs: list[Element], direction: Direction
) -> tuple[str | None, tuple[str, ...]]:
    """Sender and recipients from ``<addrs>`` (137 FROM; 151 TO, 130 CC, 129 BCC) and ``address``."""
    senders: list[str] = []
    others: list[str] = []
    for addr in addrs:
        value = attribute(addr, "address")
        if value is None or value.strip() in _NO_ADDRESS:
            continue
        (senders if addr.get("type") == ADDR_FROM else others).append(value)
    address = attribute(elem, "address")
    listed = [part for part in (address or "").split("~") if part.strip()]
    if direction is Direction.OUTGOING:
        named = [a for a in others if a not in senders] or listed
        return None, tuple(dict.fromkeys(named))
    if senders:
        sender: str | None = senders[0]
    elif len(listed) == 1:
        sender = listed[0]
    else:
        sender = address  # a group without a FROM address: the group as the file names it
    recipients = tuple(dict.fromkeys(a for a in others if a != sender))
    return sender, recipients


def mms_part(
    part: Element, locator: str, texts: list[str], seen_blobs: set[str]
) -> Iterator[Blob | ImportWarning | str]:
    """One MMS part: text goes to ``texts``; content is yielded as a Blob (first time) and its hash."""
    content_type = (attribute(part, "ct") or "").split(";")[0].strip().lower()
    if content_type == "application/smil":
        return
    text = attribute(part, "text")
    data_text = attribute(part, "data")
    data: bytes | None = None
    if data_text is not None and data_text.strip():
        if len(data_text) > MAX_PART_BYTES // 3 * 4 + 4096:
            yield ImportWarning(
                locator, f"part data is {len(data_text)} base64 characters, over the limit; not stored"
            )
            return
        data = decode_base64(data_text)
        if data is None:
            yield ImportWarning(locator, f"{content_type or 'part'} data is not valid base64; not stored")
            if content_type != "text/plain" or text is None:
                return
    if content_type == "text/plain":
        if text is not None:
            texts.append(text)
        elif data is not None:
            try:
                texts.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(data.decode("utf-8", errors="replace"))
                yield ImportWarning(locator, "text part is not UTF-8; undecodable bytes replaced with U+FFFD")
        return
    if data is None and text is not None:
        data = text.encode("utf-8")  # a vCard or other text-borne content written in `text`
    if data is None:
        yield ImportWarning(locator, f"{content_type or 'part'} has no data; nothing to store")
        return
    blob = Blob(
        data=data,
        name=attribute(part, "cl") or attribute(part, "name") or attribute(part, "fn"),
        media_type=attribute(part, "ct"),
        locator=locator,
    )
    sha = blob.sha256
    if sha not in seen_blobs:
        seen_blobs.add(sha)
        yield blob
    yield sha


def decode_base64(text: str) -> bytes | None:
    """Strict base64 (line breaks allowed, missing padding restored), or None."""
    compact = _WHITESPACE.sub("", text)
    if not _BASE64.fullmatch(compact) or len(compact.rstrip("=")) % 4 == 1:
        return None
    compact = compact.rstrip("=")
    compact += "=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except binascii.Error:
        return None
