"""Tactic suggestions on real messages written by others (/work/shared/corpus: public test fixtures of SMS,
WhatsApp, Telegram, Google Voice, Signal and e-mail exports): ordinary messages, so nearly no suggestion.

These are the hard negatives nobody here wrote. Measured 2026-12-07 (issue 17): 268 records read, 6 with a
suggestion before two rules were narrowed ("message from Microsoft Outlook" as third-party contact, a fable's
"I will beat you in a race" as a threat), 2 after (a model suggestion of demand on "Want to grab coffee
tomorrow?" and of guilt on an apology for a bad ISP).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.analysis import review
from evidence.errors import EvidenceError
from evidence.importers import SNIFF_BYTES, Source, find_importer
from evidence.models import ImportOptions, Record

CORPUS = Path("/work/shared/corpus")
FOLDERS = ("smsbackup", "whatsapp", "telegram", "facebook", "googlevoice", "signal", "imazing", "email")


def _records() -> list[Record]:
    options = ImportOptions(tz="Europe/London", acquired_at=datetime(2026, 12, 7, tzinfo=UTC).isoformat())
    records: list[Record] = []
    for folder in FOLDERS:
        for path in sorted(p for p in (CORPUS / folder).iterdir() if p.is_file()):
            data = path.read_bytes()
            source = Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), "")
            importer = find_importer(data[:SNIFF_BYTES], source)
            if importer is None or getattr(importer, "needs_ocr", False):
                continue
            try:
                records += [r for r in importer.parse(source, options) if isinstance(r, Record)]
            except EvidenceError:
                continue  # a fixture that carries a defect on purpose
    return records


@pytest.fixture(scope="module")
def read() -> list[Record]:
    return [r for r in _records() if review.suggests(r) and (r.text or r.subject)]


def test_real_ordinary_messages_get_almost_no_suggestion(read: list[Record]) -> None:
    assert len(read) >= 150
    suggested = [r for r in read if review.tags_for(r, {})]
    assert len(suggested) <= max(3, len(read) // 50), [review.record_words(r)[:80] for r in suggested]
    # Every suggestion still explains itself by words of the message.
    for record in suggested:
        words = review.record_words(record)
        for shown in review.tags_for(record, {}):
            assert shown.words and shown.start is not None and words[shown.start : shown.end] == shown.words
