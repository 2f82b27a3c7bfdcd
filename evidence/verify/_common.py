"""What the verifier's modules share: a ledger row as read and as checked, and the small parsers of hex, heads,
bodies and times every check uses. Nothing here reads a file or reports a finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evidence.case.canonical import GENESIS_PREV as GENESIS_PREV
from evidence.case.canonical import CanonicalError, entry_hash_text, parse_canonical
from evidence.case.formats import GENESIS_KIND as GENESIS_KIND
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey
from evidence.verify import Finding

LOWER_HEX = frozenset("0123456789abcdef")
_LOWER_HEX_RUN = re.compile("[0-9a-f]*")  # what ``set(text) <= LOWER_HEX`` says, faster


@dataclass
class Stored:
    """One ledger row as read, with what is wrong with its storage (not its contents)."""

    entry: Entry
    problems: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One ledger entry as checked: its parsed body, the hash its contents have, and whether it holds up."""

    entry: Entry
    body: Any  # parsed body, or None when it is not canonical JSON
    computed: str | None  # the hash its contents have (None when they cannot be hashed)
    hash_ok: bool  # well-formed, and the contents hash to the stored hash
    sig_ok: bool | None  # None when no key could be found to check it with

    @property
    def valid(self) -> bool:
        """Intact and, when a key could check it, validly signed."""
        return self.hash_ok and self.sig_ok is not False


def parse_head(text: str) -> tuple[int | None, str]:
    """A head given as ``SEQ:HASH`` or ``HASH``: (seq or None, the hash in lowercase); ValueError when SEQ is
    not a number."""
    if ":" in text:
        seq, digest = text.split(":", 1)
        return int(seq), digest.strip().lower()
    return None, text.strip().lower()


def parse_body(text: str) -> Any:
    """The canonical body, or raise CanonicalError (also for nesting too deep to serialize again)."""
    try:
        return parse_canonical(text)
    except RecursionError:
        raise CanonicalError("nested too deeply") from None


# json's C decoder with nothing hooked: for a text known to be canonical JSON (no duplicate key, no float), the
# value ``parse_canonical`` gives, without checking it again.
_DECODER = json.JSONDecoder()


def decode_canonical(text: str) -> Any:
    """The value of ``text``, already checked to be canonical JSON (``parse_body``), decoded only."""
    return _DECODER.decode(text)


def computed_hash(entry: Entry, body: Any) -> str | None:
    """The hash the entry's stored contents have, None when they cannot be hashed."""
    # ``body`` parsed from ``entry.body_text`` as canonical JSON, so the stored text is what was hashed.
    try:
        return entry_hash_text(entry.prev, entry.kind, entry.recorded_at, entry.body_text)
    except (CanonicalError, RecursionError):
        return None


def find_genesis(entries: list[Entry]) -> Entry | None:
    """The genesis entry: the first, else the first of its kind that starts a chain."""
    if entries[0].kind == GENESIS_KIND:
        return entries[0]
    # Rows moved or inserted before it: the chain check names those; the key is still the genesis's.
    for entry in entries:
        if entry.kind == GENESIS_KIND and entry.prev == GENESIS_PREV:
            return entry
    return None


def signed_by(key: PublicKey, entry: Entry) -> bool:
    """Whether ``key`` signed the entry's stored hash."""
    if not (is_lower_hex(entry.hash, 64) and is_lower_hex(entry.sig, 128)):
        return False
    return key.verify(bytes.fromhex(entry.sig), bytes.fromhex(entry.hash))


def is_lower_hex(text: str, length: int) -> bool:
    """Whether ``text`` is exactly ``length`` lowercase hex digits."""
    return len(text) == length and _LOWER_HEX_RUN.fullmatch(text) is not None


RECORDED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def recorded_instant(text: str) -> datetime | None:
    """An entry's ``recorded_at`` as an aware instant, or None when it is not RFC 3339 with a numeric offset.

    The writer always writes UTC as ``+00:00`` (``evidence.timeutil.iso_utc``); ``Z``, a time without an
    offset, or anything else is refused rather than guessed at."""
    if not RECORDED_AT.fullmatch(text):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.utcoffset() is not None else None


def span(delta: timedelta) -> str:
    """A time span in words, roughly."""
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 7200:
        return f"{seconds // 3600} hours"
    return f"{max(seconds, 1)} seconds" if seconds < 120 else f"{seconds // 60} minutes"


def head_hash_mismatch(seq: int, stored: str, recorded: str) -> Finding:
    """``HEAD_MISMATCH``: the entry a recorded head names has another hash than the one recorded."""
    return Finding(
        "HEAD_MISMATCH",
        f"entry {seq} has hash {stored[:16]}..., not the recorded {recorded[:16]}...",
        entry=seq,
    )
