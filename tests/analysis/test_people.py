"""People and identifiers as ledger entries; the projection replays; links resolve records."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import UsageError
from evidence.models import Channel, Direction, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def _kinds(case: Case) -> list[str]:
    return [e.kind for e in case.entries()]


def test_add_link_unlink_are_ledger_entries_and_verify(case: Case) -> None:
    case.add_person("Alex Morgan", role="respondent", ids=["07700 900123", "alex@example.net", "@alex.m.2"])
    case.link_person("alex morgan", "+44 7700 900456", basis="admitted in text of 2026-03-04")
    case.link_person("Alex Morgan", "@ALEX.M.2", basis="account deleted", unlink=True)
    assert _kinds(case) == ["case.created", "person.added", "person.linked", "person.unlinked"]
    entries = list(case.entries())
    added = entries[1].body
    assert added["identities"][0] == {"kind": "phone", "value": "+447700900123", "raw": "07700 900123"}
    assert entries[2].body["confidence"] == "suspected"
    assert entries[2].body["basis"] == "admitted in text of 2026-03-04"
    (alex,) = case.people()
    assert sorted(link.identifier.value for link in alex.links) == [
        "+447700900123",
        "+447700900456",
        "alex@example.net",
    ]
    report = verify_case(case.root)
    assert report.ok, [str(f) for f in report.findings]


def test_a_tampered_people_table_fails_verification(case: Case) -> None:
    case.add_person("Alex Morgan", role="respondent", ids=["07700 900123"])
    db = sqlite3.connect(case.root / "evidence.db")
    db.execute("UPDATE person_ids SET value = '+447700900999'")
    db.commit()
    db.close()
    report = verify_case(case.root)
    assert not report.ok
    assert any(f.code == "INDEX_MISMATCH" and "person_ids" in str(f) for f in report.findings)


def test_refusals(case: Case) -> None:
    case.add_person("Alex Morgan", role="respondent", ids=["07700 900123"])
    with pytest.raises(UsageError, match="already a person"):
        case.add_person("alex morgan", role="respondent")
    with pytest.raises(UsageError, match="already linked to Alex Morgan"):
        case.add_person("Sam Patel", role="third-party", ids=["+447700900123"])
    with pytest.raises(UsageError, match="hidden caller"):
        case.link_person("Alex Morgan", "(withheld)", basis="surely him")
    with pytest.raises(UsageError, match="unknown role"):
        case.add_person("Kim", role="villain")
    with pytest.raises(UsageError, match="not linked"):
        case.link_person("Alex Morgan", "+447700900456", basis="x", unlink=True)
    with pytest.raises(UsageError, match="no person"):
        case.link_person("Nobody", "+447700900456", basis="x")
    assert _kinds(case) == ["case.created", "person.added"]


def test_records_resolve_to_people_through_any_form_of_their_identifier(case: Case) -> None:
    case.add_person("Alex Morgan", role="respondent", ids=["+447700900123", "Alex@Example.net"])
    resolver = case.resolver()

    def rec(sender: str | None, recipients: tuple[str, ...] = ()) -> Record:
        return Record(
            item_sha256="0" * 64,
            locator="x",
            occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
            time_source=TimeSource.EXPORT,
            tz_assumed=False,
            channel=Channel.CALL,
            direction=Direction.INCOMING,
            importer="t",
            importer_version="1",
            sender=sender,
            recipients=recipients,
        )

    assert resolver.sender(rec("07700900123")) == "Alex Morgan"
    assert resolver.sender(rec("(withheld)")) is None
    assert resolver.sender(rec("Withheld")) is None
    assert resolver.parties(rec(None, ("alex@example.NET",))) == ["Alex Morgan"]


def test_cli_person_commands(tmp_path: Path) -> None:
    root = tmp_path / "c"
    assert run_cli("init", "--plain", str(root), "--title", "T", "--tz", "Europe/London").returncode == 0
    added = run_cli(
        "-C",
        str(root),
        "person",
        "add",
        "Alex Morgan",
        "--role",
        "respondent",
        "--id",
        "07700 900123",
        "--id",
        "@a.m",
    )
    assert added.returncode == 0, added.stderr
    assert "+447700900123" in added.stdout
    linked = run_cli(
        "-C",
        str(root),
        "person",
        "link",
        "Alex Morgan",
        "--id",
        "a@example.net",
        "--basis",
        "signed",
        "--confirmed",
    )
    assert linked.returncode == 0, linked.stderr
    unlinked = run_cli("-C", str(root), "person", "unlink", "Alex Morgan", "--id", "@A.M", "--basis", "wrong")
    assert unlinked.returncode == 0, unlinked.stderr
    listed = run_cli("-C", str(root), "person", "list", "--json")
    (alex,) = json.loads(listed.stdout)
    assert [(i["value"], i["confidence"]) for i in alex["identifiers"]] == [
        ("+447700900123", "confirmed"),
        ("a@example.net", "confirmed"),
    ]
    bad = run_cli("-C", str(root), "person", "link", "Alex Morgan", "--id", "", "--basis", "x")
    assert bad.returncode != 0 and "hidden caller" in bad.stderr
    assert run_cli("-C", str(root), "verify").returncode == 0


def test_one_person_across_every_format_of_the_sample_case(sample_case: Path) -> None:
    """Alias linking on real formats: Alex Morgan's SMS, calls (phone log and carrier bill), WhatsApp and e-mail."""
    with Case.open(sample_case, readonly=True) as case:
        resolver = case.resolver()
        by_importer: dict[str, set[str]] = {}
        for entry in case.timeline():
            if resolver.sender(entry.record) == "Alex Morgan":
                by_importer.setdefault(entry.record.importer, set()).add(entry.record.channel.value)
    assert {"sms", "call", "mms"} <= by_importer["smsbackup"]
    assert by_importer["csvlog"] == {"call"}
    assert by_importer["whatsapp"] == {"chat"}
    assert by_importer["email"] == {"email"}
