"""One resolution of sides (``evidence.analysis.sides``), a test per rule on real files written by others, each
checked in every view: the settled timeline, ``evidence stats`` (counted on the index's narrow rows, equal to
``stats.compute`` over the settled timeline) and ``evidence timeline`` (text and ``--json``).

By eye: ``whatsreader-android-WhatsApp Chat with Alice.txt`` (rodrigogs/whats-reader, AGPL-3.0; see the corpus's
SOURCES.md) has 45 lines: 22 from "Alice", 21 from "Bob" and 2 notices of the app (encryption, security code),
no direction given. ``hunnysoft-m0001.eml`` is from "Doug Sauder" <doug@example.com> to
schmuergen@example.com, and an e-mail gives no direction.
"""

from __future__ import annotations

import json
from pathlib import Path

from evidence.actions.query import sides
from evidence.analysis import stats
from evidence.api import Case
from evidence.models import ImportOptions
from evidence.timeline import TimelineEntry
from tests.conftest import run_cli

CHAT = "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt"
MAIL = "email/hunnysoft-m0001.eml"
DMY = ImportOptions(tz="Europe/London", date_order="DMY")  # "01/12/24": whats-reader's own tests read it DMY


def _settled(case: Case) -> list[TimelineEntry]:
    return sides(case).timeline(case.timeline())


def _same_counts(case: Case) -> dict[str, object]:
    """``case.stats`` (the narrow rows, settled row by row) and ``stats.compute`` over the settled timeline."""
    result = case.stats()
    assert result == stats.compute(_settled(case), case.resolver(), case.tz)
    return result


def _timeline_json(case: Case) -> list[dict[str, object]]:
    out = run_cli("-C", str(case.root), "timeline", "--json")
    assert out.returncode == 0, out.stderr
    found: list[dict[str, object]] = json.loads(out.stdout)
    return found


def test_in_her_chat_the_other_senders_lines_are_incoming_and_hers_outgoing(case: Case, corpus: Path) -> None:
    case.import_files([corpus / CHAT], options=DMY)
    assert _same_counts(case)["attempts"] == 0  # no owner: Bob's lines are of unknown direction, Bob nobody's
    case.add_person("Alice", role="owner")
    settled = _settled(case)
    ways = {(e.record.sender, e.record.direction.value) for e in settled}
    assert ways == {("Alice", "outgoing"), ("Bob", "incoming"), (None, "unknown")}
    assert sum(1 for e in settled if e.record.sender == "Bob") == 21
    bob = next(e.record for e in settled if e.record.sender == "Bob")
    assert bob.raw["direction_read"] == "unknown"
    assert bob.raw["direction_basis"] == "a chat the complainant takes part in (her lines: her name, 'Alice')"
    alice = next(e.record for e in settled if e.record.sender == "Alice")
    assert alice.raw["direction_basis"] == "sent by the complainant (her name, 'Alice')"
    # Her name among the chat's senders: Bob's 21 lines are incoming, attempts (linked to nobody); hers are not.
    result = _same_counts(case)
    assert result["attempts"] == 21 and result["per_identity"] == {"bob": 21}
    rows = _timeline_json(case)
    assert sum(1 for r in rows if r["direction"] == "incoming" and r["direction_read"] == "unknown") == 21
    assert sum(1 for r in rows if r["direction"] == "outgoing") == 22
    text = run_cli("-C", str(case.root), "timeline").stdout
    assert text.count("(incoming: a chat the complainant takes part in") == 21
    assert "the file said unknown)" in text


def test_a_chat_she_is_not_in_is_between_others_and_never_counted(case: Case, corpus: Path) -> None:
    case.import_files([corpus / CHAT], options=DMY)
    case.add_person("Carol", role="owner", ids=["+447700900001"])
    between = "a conversation between Alice and Bob: the complainant is not in it"
    settled = _settled(case)
    # Its lines stayed "unknown" before (issue 14): a respondent's line in it then counted as an attempt.
    assert {e.record.direction.value for e in settled} == {"others"}
    assert all(e.record.raw["conversation_between"] == ["Alice", "Bob"] for e in settled)
    assert all(e.record.raw["direction_basis"] == between for e in settled)
    assert _same_counts(case)["attempts"] == 0
    # Bob a respondent: his 21 lines to Alice are still no attempt to contact Carol.
    case.add_person("Bob", role="respondent", ids=["Bob"])
    assert _same_counts(case)["attempts"] == 0
    rows = _timeline_json(case)
    assert len(rows) == 45 and all(r["conversation_between"] == ["Alice", "Bob"] for r in rows)
    assert all(r["direction"] == "others" and r["direction_read"] == "unknown" for r in rows)
    text = run_cli("-C", str(case.root), "timeline").stdout
    assert text.count(f"(others: {between}; the file said unknown)") == 45
    assert "between Alice and Bob: the complainant is not in it; a conversation" not in text  # said once


def test_mail_addressed_only_to_others_is_between_others_and_not_an_attempt(case: Case, corpus: Path) -> None:
    case.import_files([corpus / MAIL])
    case.add_person("Carol", role="owner", ids=["carol@example.org"])
    case.add_person("Doug Sauder", role="respondent", ids=["doug@example.com"])
    # Before (issue 14): unknown direction, from a respondent's address: counted as his attempt on Carol,
    # though it is addressed to schmuergen@example.com alone.
    (entry,) = _settled(case)
    assert entry.record.direction.value == "others"
    assert entry.record.raw["direction_basis"] == (
        "addressed to schmuergen@example.com: none of the complainant's identifiers among its recipients"
    )
    assert _same_counts(case)["attempts"] == 0
    (row,) = _timeline_json(case)
    assert (row["direction"], row["direction_read"]) == ("others", "unknown")
    assert "doug@example.com" in run_cli("-C", str(case.root), "timeline", "--direction", "others").stdout
    assert (
        "doug@example.com" not in run_cli("-C", str(case.root), "timeline", "--direction", "unknown").stdout
    )


def test_mail_addressed_to_her_is_incoming_and_counted(case: Case, corpus: Path) -> None:
    case.import_files([corpus / MAIL])
    (before,) = case.timeline()
    assert before.record.direction.value == "unknown"
    assert _same_counts(case)["attempts"] == 0  # no owner: nothing says it was to anyone in particular
    case.add_person("Jürgen Schmürgen", role="owner", ids=["schmuergen@example.com"])
    (entry,) = _settled(case)
    assert entry.record.direction.value == "incoming"
    assert entry.record.raw["direction_basis"] == (
        "addressed to the complainant (her own address schmuergen@example.com)"
    )
    result = _same_counts(case)
    assert result["attempts"] == 1 and result["per_identity"] == {"doug@example.com": 1}
    (row,) = _timeline_json(case)
    assert row["direction"] == "incoming" and row["direction_read"] == "unknown"


def test_mail_from_her_own_address_is_outgoing(case: Case, corpus: Path) -> None:
    case.import_files([corpus / MAIL])
    case.add_person("Doug Sauder", role="owner", ids=["doug@example.com"])
    (entry,) = _settled(case)
    assert entry.record.direction.value == "outgoing"
    assert entry.record.raw["direction_basis"] == "sent by the complainant (her own address doug@example.com)"
    assert _same_counts(case)["attempts"] == 0
    (row,) = _timeline_json(case)
    assert (row["direction"], row["direction_read"]) == ("outgoing", "unknown")


def test_a_direction_the_file_gives_is_never_changed(case: Case, corpus: Path) -> None:
    case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    plain = case.timeline()
    senders = {e.record.sender for e in plain if e.record.sender}
    recipients = {r for e in plain for r in e.record.recipients}
    # The owner holds every identifier of the file: only records of unknown direction could change.
    case.add_person("Owner", role="owner", ids=sorted(senders | recipients))
    assert [e.record for e in _settled(case)] == [e.record for e in plain]
    assert {e.record.direction.value for e in plain} <= {"incoming", "outgoing"}


def test_an_encrypted_case_settles_the_same(tmp_path: Path, corpus: Path) -> None:
    """The resolution reads the index through SQLCipher and the store's sealed objects like any view."""
    from evidence.case import vault

    secret = "correct horse battery staple for sides"
    with Case.init(
        tmp_path / "case",
        title="Sides",
        tz="Europe/London",
        passphrase=secret,
        encrypted=True,
        cost=vault.TEST_COST,
    ) as case:
        case.import_files([corpus / MAIL])
        case.add_person("Jürgen Schmürgen", role="owner", ids=["schmuergen@example.com"])
        result = _same_counts(case)
        assert result["attempts"] == 1
    env = {"EVIDENCE_PASSPHRASE": secret}
    out = run_cli("-C", str(tmp_path / "case"), "timeline", env=env)
    assert out.returncode == 0, out.stderr
    assert "(incoming: addressed to the complainant (her own address schmuergen@example.com)" in out.stdout
    stats_out = run_cli("-C", str(tmp_path / "case"), "stats", env=env)
    assert stats_out.stdout.startswith("1 contact attempts"), stats_out.stderr


def test_a_screen_without_a_header_names_nobody(case: Case, corpus: Path) -> None:
    """``jared-Example.png`` (ZekeSnider/Jared, Apache-2.0), by eye: a crop of macOS Messages with no header, 7
    grey replies and 5 blue commands, "Hello Jared" three times in the grey bubbles. A person linked to "Jared"
    gets none of them: only words above the first message can name the sender."""
    case.import_files([corpus / "screenshots-real" / "jared-Example.png"])
    case.add_person("Jared", role="respondent", ids=["Jared"], basis="the bot's name")
    settled = _settled(case)
    incoming = [e.record for e in settled if e.record.direction.value == "incoming"]
    assert len(incoming) == 7 and all(r.sender is None and "sender_basis" not in r.raw for r in incoming)
    assert sides(case).attributions == {}
    assert all(r.raw.get("date_unknown") for r in incoming)  # no time on the screen: counted on no day
    assert _same_counts(case)["attempts"] == 0
    text = run_cli("-C", str(case.root), "timeline").stdout
    assert "Hello Jared" in text and "sender: the screen's header" not in text
