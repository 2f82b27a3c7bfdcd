"""A24/B10 (issue 13): bundles carry no login, host name, home path, local zone or file times, and the private
details kept in the case instead (under a salted commitment in each signed body) cannot be changed unseen."""

from __future__ import annotations

import getpass
import json
import re
import socket
import sqlite3
import zipfile
from pathlib import Path

from evidence.api import Case
from evidence.case.canonical import canonical_text, private_commitment
from evidence.case.formats import PRIVATE_FIELDS
from evidence.verify.bundle import verify_bundle
from evidence.verify.case import verify_case
from tests.conftest import run_cli

HOME_LIKE = "home-of-jordan-secret-street-12"


def _imported(case: Case, tmp_path: Path) -> Path:
    folder = tmp_path / HOME_LIKE / "Downloads"
    folder.mkdir(parents=True)
    (folder / "threat.txt").write_text("You'll regret this.\n", encoding="utf-8")
    (folder / "WhatsApp Chat with Alex.txt").write_text(
        "14/03/2026, 21:30 - Alex: Answer the phone.\n14/03/2026, 21:31 - Jordan Lee: Stop.\n",
        encoding="utf-8",
    )
    case.import_files(sorted(folder.iterdir()))
    case.add_person("Alex Morgan", role="respondent", ids=["+447700900123"], basis="saved contact")
    return folder


def _bodies(case: Case) -> list[dict[str, object]]:
    return [e.body for e in case.entries()]


def test_b10_signed_bodies_hold_no_private_field(case: Case, tmp_path: Path) -> None:
    _imported(case, tmp_path)
    for body in _bodies(case):
        assert not PRIVATE_FIELDS & set(body), body
    named = [b for b in _bodies(case) if "private_details" in b]
    assert len(named) >= 4  # the case, two acquisitions, the person
    # The same person importing twice still gets two different commitments: a salt each, no guessing.
    digests = [b["private_details"]["sha256"] for b in named]  # type: ignore[index]
    assert len(set(digests)) == len(digests)


def test_a24_bundles_carry_no_login_host_path_zone_or_file_time(case: Case, tmp_path: Path) -> None:
    _imported(case, tmp_path)
    login, host = getpass.getuser(), socket.gethostname()
    for name, options in (("full.zip", {}), ("one.zip", {"exhibits": ["EX-0001"]})):
        target = tmp_path / "out" / name
        case.export(target, **options)  # type: ignore[arg-type]
        assert verify_bundle(target).ok
        with zipfile.ZipFile(target) as bundle:
            for member in bundle.namelist():
                data = bundle.read(member)
                assert HOME_LIKE.encode() not in data, member
                assert f'"host":"{host}"'.encode() not in data, member
                assert f'"user":"{login}"'.encode() not in data, member
                for field in PRIVATE_FIELDS:  # named in a commitment's "fields", never a key with a value
                    assert not re.search(f'"{field}"\\s*:'.encode(), data), (member, field)
            ledger_lines = bundle.read("ledger.jsonl").decode().splitlines()
        assert any("private_details" in line for line in ledger_lines)  # committed to, not carried


def test_the_owner_still_sees_where_each_file_came_from(case: Case, tmp_path: Path) -> None:
    folder = _imported(case, tmp_path)
    shown = case.show("EX-0001")
    assert shown["acquisitions"][0]["original_path"] == str(folder / "WhatsApp Chat with Alex.txt")
    assert shown["acquisitions"][0]["imported_by"] == {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
    }
    out = run_cli("-C", str(case.root), "show", "EX-0001").stdout
    assert f"{getpass.getuser()}@{socket.gethostname()}" in out and HOME_LIKE in out


def _tamper(case: Case, statement: str, *args: object) -> None:
    case.close()
    with sqlite3.connect(case.root / "evidence.db") as db:
        db.execute("DROP TRIGGER entry_private_append_only_update")
        db.execute("DROP TRIGGER entry_private_append_only_delete")
        db.execute(statement, args)
        for action in ("update", "delete"):
            db.execute(
                f"CREATE TRIGGER entry_private_append_only_{action} BEFORE {action.upper()} ON entry_private\n"
                f"BEGIN SELECT RAISE(ABORT, 'private details are append-only: rows cannot be "
                f"{action}d'); END"
            )
    db.close()


def test_changed_private_details_are_named(case: Case, tmp_path: Path) -> None:
    _imported(case, tmp_path)
    assert verify_case(case.root).ok
    digest, details = case.conn.execute(
        "SELECT sha256, details FROM entry_private WHERE details LIKE '%original_path%' LIMIT 1"
    ).fetchone()
    forged = json.loads(details)
    forged["original_path"] = "/media/usb/planted.txt"
    _tamper(case, "UPDATE entry_private SET details = ? WHERE sha256 = ?", canonical_text(forged), digest)
    found = verify_case(case.root)
    assert [f.code for f in found.findings] == ["PRIVATE_DETAILS_MODIFIED"]
    assert "changed after signing" in found.findings[0].message


def test_removed_and_planted_private_details_are_named(case: Case, tmp_path: Path) -> None:
    _imported(case, tmp_path)
    digest = case.conn.execute("SELECT sha256 FROM entry_private LIMIT 1").fetchone()[0]
    _tamper(case, "DELETE FROM entry_private WHERE sha256 = ?", digest)
    assert [f.code for f in verify_case(case.root).findings] == ["PRIVATE_DETAILS_MISSING"]
    planted = canonical_text({"imported_by": {"user": "alex", "host": "alex-laptop"}})
    salt = "ab" * 16
    with sqlite3.connect(case.root / "evidence.db") as db:
        db.execute(
            "INSERT INTO entry_private (sha256, salt, details) VALUES (?, ?, ?)",
            (private_commitment(salt, planted), salt, planted),
        )
    db.close()
    assert [f.code for f in verify_case(case.root).findings] == [
        "PRIVATE_DETAILS_MISSING",
        "PRIVATE_DETAILS_EXTRA",
    ]
