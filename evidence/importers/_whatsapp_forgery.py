"""The flag on a WhatsApp message that may be a forged header (``importers/whatsapp.py``, red-team A29).

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from evidence.models import ImportWarning, Record

# A message's text may hold a line shaped like a message header ("04/03/2026, 12:47 - Jordan Lee: ..."), and
# WhatsApp exports it as a line of its own: read back, it is a message from whoever it names. Such a line can
# only hide inside a message of several lines, so a message right after one, from someone else and within a
# few minutes, is flagged (a heuristic: a genuine quick reply looks the same). Not flagged: a deleted-message
# placeholder, which puts no words in anyone's mouth. A call line is flagged like a message ("Jordan Lee:
# Missed voice call" would claim Jordan called); whatever else the hiding message looks like (a place shared
# from the map, a caption) its sender could have typed it, so it is no reason to stay silent.
FORGEABLE_WITHIN = timedelta(minutes=5)


def maybe_forged_header(record: Record, previous: Record) -> Iterator[ImportWarning]:
    """The warning for a message that could be a line of the multi-line message before it."""
    if record.sender == previous.sender or record.sender is None or record.raw.get("deleted") is not None:
        return
    if previous.raw.get("kind") != "message" or "\n" not in (previous.text or ""):
        return
    if not timedelta(0) <= record.occurred_at - previous.occurred_at <= FORGEABLE_WITHIN:
        return
    yield ImportWarning(
        record.locator,
        f"this message from {record.sender} comes right after a message of several lines from "
        f"{previous.sender} ({previous.locator}): a line of that message's text, written to look like a new "
        "message, would be exported exactly like this; compare it with the phone before relying on it",
    )
