"""The counted fields of each record, as columns: the index table ``records_counted`` (issue 18).

``evidence stats`` counts contact attempts over every record that can be one. Read from the records' stored
JSON (``records.json``), SQLite parsed about 110 MB for the 100,000-message case (most of the command's time);
these columns hold the same values, so the counts read no JSON at all. One row a row of ``records``, filled in
the same ``index.apply`` (so the verifier's replay rebuilds it and check (7) compares it row by row: a changed
direction, sender or date mark here is ``INDEX_MISMATCH``). The table is ``WITHOUT ROWID`` with the key
``(occurred_at, id, derived_seq)``: its own b-tree is in the timeline's order, so the counts read it in one
scan, with neither a sort nor a second index.

What is stored is the importer's reading, never a settled side: people and case facts change after the import,
so ``analysis.sides`` settles directions and senders when the counts are read.

Columns (each as ``analysis.stats`` read it with ``json_extract`` before, so the figures stay exactly the same):

- ``occurred_at``, ``id``, ``derived_seq``, ``item_sha256``, ``locator``, ``channel``, ``direction``,
  ``sender``: the record's;
- ``recipients``: the record's list as JSON text (parsed only for the few rows whose side is settled or that
  share their instant with another record);
- ``content``: a digest of the subject, text, call status and duration (what, with the fields above, makes two
  records at one instant copies of each other on the timeline: ``timeline.dedupe_key``), so the counts can merge
  copies without reading the texts;
- ``dated``: 1 unless the day is not known (``raw.date_unknown``, a message no screen dated, or a time that is
  only the import's, ``time_source`` ``acquired``): such a record is counted on no day;
- ``has_header``: the screen's header was read (``raw.header``): its messages keep the sender the layout gave.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from evidence.models import TimeSource

TABLE = "records_counted"
COLUMNS = (
    "occurred_at",
    "id",
    "derived_seq",
    "item_sha256",
    "locator",
    "channel",
    "direction",
    "sender",
    "recipients",
    "content",
    "dated",
    "has_header",
)
INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})"  # noqa: S608 - constant names
UPDATE_CONTENT = f"UPDATE {TABLE} SET content = ? WHERE occurred_at = ? AND id = ? AND derived_seq = ?"  # noqa: S608

# Domain of the content digest (blake2b's personalisation, at most 16 bytes): an equality test inside the index,
# never compared with anything outside it.
_CONTENT_PERSON = b"evidence-copy-v1"
_ACQUIRED = TimeSource.ACQUIRED.value
_TEXT = json.JSONEncoder(ensure_ascii=False)


def content_digest(rec: dict[str, Any]) -> bytes:
    """The digest of what, besides the counted columns, tells copies apart: subject, text, call status and
    duration (in that order, as JSON: different values never share a digest but by a 128-bit collision)."""
    data = _TEXT.encode([rec.get("subject"), rec.get("text"), rec.get("status"), rec.get("duration_s")])
    return hashlib.blake2b(
        data.encode("utf-8", "surrogatepass"), digest_size=16, person=_CONTENT_PERSON
    ).digest()


def row(rec: dict[str, Any], seq: int) -> tuple[Any, ...]:
    """The ``records_counted`` row of one record (a record as its blob holds it), in ``COLUMNS`` order."""
    raw = rec.get("raw")
    raw = raw if isinstance(raw, dict) else {}
    return (
        rec["occurred_at"],
        rec["id"],
        seq,
        rec["item_sha256"],
        rec["locator"],
        rec["channel"],
        rec["direction"],
        rec.get("sender"),
        _TEXT.encode(rec.get("recipients")),
        content_digest(rec),
        int(_zero_or_null(raw.get("date_unknown")) and rec.get("time_source") != _ACQUIRED),
        int(_truthy(raw.get("header"))),
    )


def _zero_or_null(value: Any) -> bool:
    """SQL's ``IFNULL(json_extract(...), 0) = 0`` of a JSON value (how the counts read ``date_unknown``): null,
    false, or a number equal to zero."""
    if value is None or value is False:
        return True
    return type(value) in (int, float) and value == 0


def _truthy(value: Any) -> bool:
    """Python's truth of ``json_extract``'s value of a JSON value (how the counts read ``raw.header``): an object
    or array is JSON text, never empty; ``true`` and ``false`` are 1 and 0."""
    if isinstance(value, dict | list):
        return True
    return bool(value)
