"""Forgeries of the counted columns (``records_counted``, issue 18) by someone with write access and no key.

``evidence stats`` counts contact attempts from that table alone (no record's JSON is read), so whoever can
write ``evidence.db`` can change the counts a police statement quotes by editing it: plant an attempt, take one
away, move attempts to the respondent, hide them from the per-day counts. Each test does the edit, checks that
``stats`` now says something else (the attack works), and asserts that ``verify`` names the table and the record
(check (7): the table is compared with a replay of the ledger, every column). The small case of
``test_database`` (twelve SMS of ``sms-devadvance-sms_small.xml``: 8 incoming, 3 of them from +15550000001,
linked to the respondent Alex Morgan), plain and encrypted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.api import Case
from tests.redteam.test_database import KEYS, base, check, cli, errors, forge, root

__all__ = ["base", "root"]  # the fixtures: the small case, a fresh copy of it per test

ALEX = "+15550000001"
OTHER = "+15550000004"  # 5 incoming messages, nobody linked


def alex_attempts(root: Path) -> tuple[int, int]:
    """``stats``' attempts in all and those of Alex Morgan."""
    with Case.open(root, readonly=True, keys=KEYS.get(root)) as case:
        result = case.stats()
    return result["attempts"], result["per_person"].get("Alex Morgan", 0)


def one_id(root: Path, condition: str, *params: str) -> str:
    with forge(root) as db:
        row = db.execute(f"SELECT id FROM records_counted WHERE {condition} LIMIT 1", params).fetchone()
    return str(row[0])


# attack: (which row: outgoing or his, the edit, stats' attempts and Alex Morgan's after it)
ATTACKS: dict[str, tuple[str, str, tuple[int, int]]] = {
    # an outgoing message of hers made an incoming one of his
    "planted": ("outgoing", f"UPDATE records_counted SET direction = 'incoming', sender = '{ALEX}'", (9, 4)),
    # one of his messages moved to someone nobody linked (the respondent's count falls)
    "moved away": ("his", f"UPDATE records_counted SET sender = '{OTHER}'", (8, 2)),
    # one of his messages said to have no known day: counted on no day, in no burst
    "undated": ("his", "UPDATE records_counted SET dated = 0", (7, 2)),
    # one of his messages taken out of the counts
    "deleted": ("his", "DELETE FROM records_counted", (7, 2)),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_edited_counted_row_changes_stats_and_is_named(root: Path, attack: str) -> None:
    which, edit, expected = ATTACKS[attack]
    assert alex_attempts(root) == (8, 3)
    rid = one_id(root, "direction = 'outgoing'") if which == "outgoing" else one_id(root, "sender = ?", ALEX)
    with forge(root) as db:
        db.execute(f"{edit} WHERE id = ?", (rid,))
    assert alex_attempts(root) == expected  # the attack changes what stats says
    found = errors(check(root))
    assert list(found) == ["INDEX_MISMATCH"]
    (message,) = found["INDEX_MISMATCH"]
    assert message.startswith("the records_counted table") and f"record {rid} (entry " in message


def test_a_forged_counted_row_is_not_in_the_ledger(root: Path) -> None:
    """A row of his at a time no record has: an attempt planted in the counts only (the timeline has no such
    record)."""
    with forge(root) as db:
        row = list(db.execute("SELECT * FROM records_counted WHERE sender = ? LIMIT 1", (ALEX,)).fetchone())
        row[0] = "2017-12-02T23:59:00.000000+00:00"
        row[1] = "R-0f0f0f0f0f0f0f0f"
        db.execute(f"INSERT INTO records_counted VALUES ({','.join('?' * len(row))})", row)
    assert alex_attempts(root) == (9, 4)
    found = errors(check(root))
    assert list(found) == ["INDEX_MISMATCH"]
    assert "not in the ledger: record R-0f0f0f0f0f0f0f0f" in found["INDEX_MISMATCH"][0]
    result = cli(root, "verify")
    assert result.returncode == 1 and result.stdout.startswith("INDEX_MISMATCH evidence.db: ")


def test_a_changed_content_digest_is_named(root: Path) -> None:
    """The digest that tells copies apart (two records at one instant): changed, it could merge two different
    messages into one attempt or split one into two. No copy is at stake in this case, so the counts stay; the
    verifier names the row all the same."""
    rid = one_id(root, "sender = ?", ALEX)
    with forge(root) as db:
        db.execute("UPDATE records_counted SET content = x'00' WHERE id = ?", (rid,))
    assert alex_attempts(root) == (8, 3)
    found = errors(check(root))
    assert list(found) == ["INDEX_MISMATCH"] and f"record {rid} (entry " in found["INDEX_MISMATCH"][0]
