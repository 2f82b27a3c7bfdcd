"""Full-text search (SQLite FTS5) over the records' text, subjects and senders: messages, e-mail bodies,
chat lines, diary entries and any text an importer read from a picture.

The ``search_text`` table is a projection like the others: filled when a ``records.derived`` entry is applied,
rebuilt from the ledger, and compared row by row with a replay by the verifier. Tokeniser: ``unicode61`` with
diacritics removed, so ``cafe`` finds ``café``; words are matched whole, ``word*`` matches a prefix. A query
that is not valid FTS5 syntax (``don't``, a lone quote) is searched as plain words instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

MAX_HITS = 200


@dataclass(frozen=True)
class Hit:
    """One record that matches, with where to find it."""

    record_id: str
    exhibit: str | None
    locator: str
    channel: str
    occurred_at: str
    sender: str | None
    snippet: str

    def to_json(self) -> dict[str, Any]:
        """As ``search --json`` prints it."""
        return {
            "record_id": self.record_id,
            "exhibit": self.exhibit,
            "locator": self.locator,
            "channel": self.channel,
            "occurred_at": self.occurred_at,
            "sender": self.sender,
            "snippet": self.snippet,
        }


_SQL = """
SELECT record_id, exhibit, locator, channel,
       (SELECT MIN(occurred_at) FROM records WHERE records.id = search_text.record_id) AS occurred_at,
       sender, snippet(search_text, -1, '[', ']', '…', 12)
FROM search_text
WHERE search_text MATCH ?
ORDER BY occurred_at, record_id
LIMIT ?
"""


def plain(query: str) -> str:
    """``query`` as an FTS5 query of quoted words (every word must occur)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


def search(conn: sqlite3.Connection, query: str, *, limit: int = MAX_HITS) -> list[Hit]:
    """Records matching ``query``, in time order."""
    if not query.strip():
        return []
    try:
        rows = conn.execute(_SQL, (query, limit)).fetchall()
    except sqlite3.OperationalError:
        rows = conn.execute(_SQL, (plain(query), limit)).fetchall()
    return [
        Hit(
            record_id=str(row[0]),
            exhibit=None if row[1] is None else str(row[1]),
            locator=str(row[2]),
            channel=str(row[3]),
            occurred_at=str(row[4]),
            sender=None if row[5] is None else str(row[5]),
            snippet=str(row[6]),
        )
        for row in rows
    ]
