"""The flag on a WhatsApp message that may be a forged header (``importers/whatsapp.py``, red-team A29).

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from evidence.models import ImportWarning, Record

# A message's text may hold a line shaped like a message header ("04/03/2026, 12:47 - Jordan Lee: ..."), and
# WhatsApp exports it as a line of its own: read back, it is a message from whoever it names. Such a line can
# only hide inside a message of several lines that its sender typed, so a message right after one, from
# someone else and within a few minutes, is flagged (a heuristic: a genuine quick reply looks the same). Not
# flagged: what follows a place shared from the map (its name, address and link are lines WhatsApp writes, the
# sender types none of them), lines that are no one's message (system lines, calls), and deleted-message
# placeholders (they attribute no words).
FORGEABLE_WITHIN = timedelta(minutes=5)
_VENUE_LINK = re.compile(r"https://(?:foursquare\.com/|maps\.google\.com/|www\.google\.com/maps)\S*")


def _typed_lines(record: Record) -> bool:
    """Whether ``record`` is text of several lines its sender typed (not a place shared from the map)."""
    lines = (record.text or "").split("\n")
    return (
        record.raw.get("kind") == "message"
        and len(lines) > 1
        and not (len(lines) <= 3 and _VENUE_LINK.fullmatch(lines[-1].strip()))
    )


def maybe_forged_header(record: Record, previous: Record) -> Iterator[ImportWarning]:
    """The warning for a message that could be a line of the multi-line message before it."""
    if record.sender == previous.sender or record.sender is None or record.raw.get("kind") != "message":
        return
    if record.raw.get("deleted") is not None:
        return  # a deleted-message placeholder puts no words in anyone's mouth
    if not _typed_lines(previous):
        return
    if not timedelta(0) <= record.occurred_at - previous.occurred_at <= FORGEABLE_WITHIN:
        return
    yield ImportWarning(
        record.locator,
        f"this message from {record.sender} comes right after a message of several lines from "
        f"{previous.sender} ({previous.locator}): a line of that message's text, written to look like a new "
        "message, would be exported exactly like this; compare it with the phone before relying on it",
    )
