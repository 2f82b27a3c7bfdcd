"""The case verifier on intact cases, through the CLI, with an interrupted import's leftovers; and the canonical
serializer and entry hash it shares with the writer (known answers pinned, so a format change fails here)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evidence.importers
from evidence.api import Case
from evidence.case.canonical import (
    ENTRY_TAG,
    GENESIS_PREV,
    MAX_SAFE_INT,
    CanonicalError,
    canonical_bytes,
    canonical_text,
    entry_hash,
    parse_canonical,
)
from evidence.verify.case import verify_case
from tests.conftest import run_cli

# -- canonical JSON --------------------------------------------------------------------------------------


def test_canonical_known_answer() -> None:
    value = {"b": [1, {"z": None, "a": True}], "a": 'é\u2028\n"\\', "é": -5, "": [], "c": {}}
    assert canonical_bytes(value) == (
        b'{"":[],"a":"\xc3\xa9\xe2\x80\xa8\\n\\"\\\\","b":[1,{"a":true,"z":null}],"c":{},"\xc3\xa9":-5}'
    )
    assert canonical_text(value) == canonical_bytes(value).decode("utf-8")


def test_canonical_escapes_only_what_json_requires() -> None:
    assert (
        canonical_text(["\x00\x1f\x7f", "\t\r\b\f", "/", "😀"])
        == '["\\u0000\\u001f\x7f","\\t\\r\\b\\f","/","😀"]'
    )


def test_canonical_keys_sort_by_code_point() -> None:
    # Code point order, as the module documents: U+FFFF sorts before U+1F600 (UTF-16 order would not).
    assert canonical_text({"😀": 1, "\uffff": 2, "Z": 3, "a": 4}) == '{"Z":3,"a":4,"\uffff":2,"😀":1}'


def test_canonical_integer_bounds() -> None:
    assert canonical_text([MAX_SAFE_INT, -MAX_SAFE_INT]) == f"[{2**53},{-(2**53)}]"
    for bad in (MAX_SAFE_INT + 1, -MAX_SAFE_INT - 1):
        with pytest.raises(CanonicalError, match="outside"):
            canonical_bytes({"n": bad})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.0, "floats are not allowed"),
        ({"a": [0.5]}, "floats are not allowed"),
        (float("nan"), "floats are not allowed"),
        (float("inf"), "floats are not allowed"),
        ({1: "a"}, "is not a string"),
        ({None: "a"}, "is not a string"),
        ({"a": "\ud800"}, "not valid Unicode"),
        ({"\udfff": 1}, "not valid Unicode"),
        ({"a"}, "set cannot be serialized"),
        (b"bytes", "bytes cannot be serialized"),
    ],
)
def test_canonical_rejects(value: Any, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        canonical_bytes(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a":1,"a":2}', "duplicate key"),
        ("1.0", "float"),
        ("[1e3]", "float"),
        ("NaN", "NaN in canonical JSON"),
        ("-Infinity", "-Infinity in canonical JSON"),
        ("-0", "not in canonical form"),
        ('{"b":1,"a":2}', "not in canonical form"),
        ('{"a": 1}', "not in canonical form"),
        ('"\\u00e9"', "not in canonical form"),
        ('"\\ud800"', "not valid Unicode"),
        ("9007199254740993", "outside"),
        ("[1,", "not JSON"),
        (b'"\xff"', "not JSON"),
        ("[" * 100000 + "]" * 100000, "not JSON"),
    ],
)
def test_parse_canonical_rejects(text: str | bytes, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        parse_canonical(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INT, MAX_SAFE_INT) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_round_trip(value: Any) -> None:
    text = canonical_text(value)
    parsed = parse_canonical(text)
    assert parsed == value
    assert canonical_text(parsed) == text  # also tells True from 1, which == does not
    assert parse_canonical(text.encode("utf-8")) == value


def test_entry_hash_known_answer() -> None:
    body = {"title": "Pinned", "n": 1, "list": ["é", None, True]}
    recorded_at = "2026-03-01T12:00:00.000000+00:00"
    pinned = "aca079ad205ceda670d1c494f9c975d30a780fed668aaccba4edc78ac8649f47"
    assert entry_hash(GENESIS_PREV, "case.created", recorded_at, body) == pinned
    # The documented construction, spelled out: SHA-256(tag || prev bytes || canonical {body, kind, recorded_at}).
    payload = (
        b'{"body":{"list":["\xc3\xa9",null,true],"n":1,"title":"Pinned"},"kind":"case.created",'
        b'"recorded_at":"2026-03-01T12:00:00.000000+00:00"}'
    )
    assert ENTRY_TAG == b"evidence/ledger-entry/v1\x00"
    assert hashlib.sha256(ENTRY_TAG + bytes(32) + payload).hexdigest() == pinned
    assert (
        entry_hash("ab" * 32, "item.acquired", "2026-03-01T12:00:00.000001+00:00", {})
        == "0d5a23f39e479a2d1f7d944fd88d9850a6b82dd827ebcdf193ddfc6ec01d5067"
    )


@pytest.mark.parametrize("prev", ["0" * 63, "0" * 65, "g" * 64, ""])
def test_entry_hash_rejects_a_malformed_prev(prev: str) -> None:
    with pytest.raises(CanonicalError, match="prev hash"):
        entry_hash(prev, "case.created", "2026-03-01T12:00:00.000000+00:00", {})


# -- an intact case --------------------------------------------------------------------------------------


@pytest.fixture
def filled(case: Case, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    """The ``case`` fixture with three corpus emails in two imports, one a duplicate.

    No importer reads them (the registry is emptied for the test), so the counts below do not change as
    importers are added: the verifier's business is the entries and objects, not the records.
    """
    monkeypatch.setattr(evidence.importers, "REGISTRY", ())
    email = corpus / "email"
    case.import_files([email / "cpython-msg_01.txt", email / "cpython-msg_02.txt"])
    case.import_files([email / "hunnysoft-m0001.eml", email / "cpython-msg_01.txt"])
    return case


def test_intact_case_is_ok_with_no_findings(filled: Case) -> None:
    head = filled.head()
    report = verify_case(filled.root, heads=[str(head)], expect_key=filled.public_key.fingerprint)
    assert report.ok
    assert report.findings == []
    assert report.checked["entries"] == 5
    assert report.checked["signatures"] == 5
    assert report.checked["objects"] == 3
    assert report.checked["heads"] == 1
    assert report.checked["bytes"] == sum(e["size"] for e in filled.exhibits())
    assert report.facts["head"] == {"seq": head.seq, "hash": head.hash}
    assert report.facts["key_fingerprint"] == filled.public_key.fingerprint


def test_a_head_given_as_a_bare_hash_or_malformed(filled: Case) -> None:
    first = next(filled.entries())
    assert verify_case(filled.root, heads=[first.hash.upper()]).ok
    bad = verify_case(filled.root, heads=["x:y", "f" * 64])
    assert [f.code for f in bad.findings] == ["HEAD_MISMATCH", "HEAD_MISMATCH"]


def _flip_first_byte(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))


def _sha_of(case: Case, exhibit: str) -> str:
    return next(str(e["sha256"]) for e in case.exhibits() if e["exhibit"] == exhibit)


# -- the CLI ---------------------------------------------------------------------------------------------


def test_cli_verify_exits_0_on_an_intact_case(filled: Case) -> None:
    result = run_cli("-C", str(filled.root), "verify")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    head = filled.head()
    assert len(lines) == 2
    assert lines[0].startswith("OK: 5 entries, 5 signatures, 3 objects (")
    assert lines[0].endswith(f" checked; head {head.seq}:{head.hash}")
    assert lines[1].strip() == f"signed with key {filled.public_key.fingerprint}"


def test_cli_verify_exits_1_and_prints_one_line_per_finding(filled: Case) -> None:
    sha = _sha_of(filled, "EX-0002")
    _flip_first_byte(filled.store.path_for(sha))
    result = run_cli("-C", str(filled.root), "verify")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == f"MODIFIED EX-0002 objects/sha256/{sha[:2]}/{sha}: content no longer matches its hash"
    assert lines[1].startswith("FAILED: 1 problem(s) found; 5 entries, 5 signatures, 3 objects")


def test_cli_verify_json(filled: Case) -> None:
    sha = _sha_of(filled, "EX-0001")
    filled.store.path_for(sha).unlink()
    result = run_cli("-C", str(filled.root), "verify", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["findings"] == [
        {
            "code": "MISSING",
            "severity": "error",
            "message": "object named by the ledger is gone",
            "entry": 2,
            "exhibit": "EX-0001",
            "path": f"objects/sha256/{sha[:2]}/{sha}",
        }
    ]
    assert data["checked"] == {
        "entries": 5,
        "signatures": 5,
        "heads": 0,
        "checkpoints": 0,
        "objects": 3,
        "private_details": 5,  # case created and four imports: who and where, each under its commitment
        "bytes": sum(e["size"] for e in filled.exhibits() if e["exhibit"] != "EX-0001"),  # what is left
    }
    assert data["key_fingerprint"] == filled.public_key.fingerprint


def test_cli_head_printed_earlier_catches_dropped_entries(filled: Case) -> None:
    printed = run_cli("-C", str(filled.root), "head").stdout.strip()
    assert printed == str(filled.head())
    filled.close()
    with sqlite3.connect(filled.root / "evidence.db") as conn:
        conn.execute("DROP TRIGGER ledger_append_only_delete")
        conn.execute(
            "DELETE FROM ledger WHERE seq = 5"
        )  # the duplicate acquisition: it changed no projection
    conn.close()
    # Its private details (who imported it, from where) are left behind: a row no entry names.
    left = run_cli("-C", str(filled.root), "verify")
    assert left.returncode == 1 and "PRIVATE_DETAILS_EXTRA" in left.stdout
    with sqlite3.connect(filled.root / "evidence.db") as conn:
        conn.execute("DROP TRIGGER entry_private_append_only_delete")
        conn.execute(
            "DELETE FROM entry_private WHERE sha256 NOT IN (SELECT json_extract(body, "
            "'$.private_details.sha256') FROM ledger WHERE body LIKE '%private_details%')"
        )
        conn.execute(
            "CREATE TRIGGER entry_private_append_only_delete BEFORE DELETE ON entry_private\n"
            "BEGIN SELECT RAISE(ABORT, 'private details are append-only: rows cannot be deleted'); END"
        )
    conn.close()
    assert run_cli("-C", str(filled.root), "verify").returncode == 0  # a valid prefix on its own
    result = run_cli("-C", str(filled.root), "verify", "--head", printed)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("warning: TRIGGERS_REMOVED evidence.db: ")
    assert result.stdout.splitlines()[1].startswith(
        f"HEAD_MISMATCH entry 5: head 5:{printed[2:18]}... was recorded, but the ledger now ends at entry 4"
    )


def test_cli_expect_key(filled: Case) -> None:
    right = run_cli("-C", str(filled.root), "verify", "--expect-key", filled.public_key.fingerprint.upper())
    assert right.returncode == 0, right.stdout
    wrong = run_cli("-C", str(filled.root), "verify", "--expect-key", "0" * 64)
    assert wrong.returncode == 1
    assert wrong.stdout.startswith(
        f"KEY_NOT_EXPECTED entry 1: the case's key fingerprint is {filled.public_key.fingerprint}"
    )


def test_cli_verify_takes_the_case_as_an_argument(filled: Case, tmp_path: Path) -> None:
    result = run_cli("verify", str(filled.root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# -- warnings: an interrupted import ---------------------------------------------------------------------

KILL_DURING_PLACE = """
import os, sys
from pathlib import Path
import evidence.importers
from evidence.api import Case
from evidence.case.store import ObjectStore

real_place = ObjectStore.place
def place(self, staged):
    if list(self.root.glob("sha256/*/*")) != BEFORE:
        os._exit(9)  # killed between placing the first object and committing the entries
    return real_place(self, staged)
ObjectStore.place = place
evidence.importers.REGISTRY = ()
case = Case.open(Path(sys.argv[1]))
BEFORE = list(case.store.root.glob("sha256/*/*"))
case.import_files([Path(p) for p in sys.argv[2:]])
"""


def test_interrupted_import_leaves_warnings_only_and_the_next_import_cleans_up(
    filled: Case, corpus: Path
) -> None:
    email = corpus / "email"
    new = [email / "cpython-msg_05.txt", email / "cpython-msg_06.txt"]
    before = verify_case(filled.root)
    head = filled.head()
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_PLACE, str(filled.root), *map(str, new)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in new]
    placed = [s for s in shas if filled.store.exists(s)]
    strays = filled.store.stray_stages()
    # The second file's staging copy, and the lock of the dead import's staging session.
    assert len(placed) == 1 and len(strays) == 2
    assert sorted(p.suffix for p in strays) == ["", ".lock"]
    assert filled.head() == head  # nothing was committed

    report = verify_case(filled.root)
    assert report.ok
    assert {f.code for f in report.findings} == {"INCOMPLETE_IMPORT"}
    assert all(f.severity == "warning" for f in report.findings)
    paths = {f.path for f in report.findings}
    assert paths == {f"objects/tmp/{p.name}" for p in strays} | {f"objects/sha256/{s[:2]}/{s}" for s in shas}
    assert report.checked == before.checked
    cli = run_cli("-C", str(filled.root), "verify")
    assert cli.returncode == 0
    assert sum(line.startswith("warning: INCOMPLETE_IMPORT ") for line in cli.stdout.splitlines()) == 4

    filled.import_files([email / "cpython-msg_07.txt"])
    assert not any(filled.store.exists(s) for s in shas)
    assert filled.store.stray_stages() == []
    after = verify_case(filled.root)
    assert after.ok and after.findings == []


def test_leftover_staging_file_and_journalled_object_are_warnings(filled: Case, corpus: Path) -> None:
    stage = filled.store.tmp / "stage-4242-0123456789abcdef"
    stage.write_bytes(b"half an upload")
    data = b"an object placed by an import that never committed"
    sha = hashlib.sha256(data).hexdigest()
    path = filled.store.path_for(sha)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
    filled.conn.execute("INSERT INTO pending_objects (sha256, op) VALUES (?, 'killed-op')", (sha,))
    report = verify_case(filled.root)
    assert report.ok
    assert sorted((f.code, f.severity, f.path) for f in report.findings) == [
        ("INCOMPLETE_IMPORT", "warning", f"objects/sha256/{sha[:2]}/{sha}"),
        ("INCOMPLETE_IMPORT", "warning", f"objects/tmp/{stage.name}"),
    ]
    filled.import_files([corpus / "email" / "cpython-msg_10.txt"])
    assert not stage.exists() and not path.exists()
    assert verify_case(filled.root).findings == []


def test_an_unjournalled_unnamed_object_is_an_error(filled: Case) -> None:
    data = b"smuggled in"
    sha = hashlib.sha256(data).hexdigest()
    path = filled.store.path_for(sha)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    (filled.root / "objects" / "notes.txt").write_text("not the store's")
    report = verify_case(filled.root)
    assert not report.ok
    assert sorted((f.code, f.path) for f in report.findings) == [
        ("EXTRA", "objects/notes.txt"),
        ("EXTRA", f"objects/sha256/{sha[:2]}/{sha}"),
    ]


def test_missing_parts_of_the_case_folder(filled: Case, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(filled.root, copy)
    (copy / "keys" / "case.pub").unlink()
    report = verify_case(copy)
    assert not report.ok
    assert [(f.code, f.path) for f in report.findings] == [
        ("MISSING", "keys/case.pub"),
        ("KEY_UNREADABLE", "keys/case.pub"),
    ]
    (copy / "evidence.db").unlink()
    assert [(f.code, f.path) for f in verify_case(copy).findings] == [
        ("MISSING", "evidence.db"),
        ("MISSING", "keys/case.pub"),
    ]


def test_deep_nesting_is_a_canonical_error_not_a_crash() -> None:
    from evidence.case.canonical import CanonicalError, canonical_bytes

    value: list[object] = []
    for _ in range(5000):
        value = [value]
    with pytest.raises(CanonicalError, match="nested too deeply"):
        canonical_bytes(value)
