"""Selective disclosure: a bundle of a few exhibits carries only their ledger entries, each with an inclusion proof
against the export's signed checkpoint, and consistency proofs from every earlier checkpoint; every tampering
with the entries, the proofs, the checkpoints or the key is found and named, on a machine without the case."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from evidence.actions import publishing
from evidence.api import Case
from evidence.case import ledger
from evidence.case.canonical import GENESIS_PREV, entry_hash
from evidence.case.merkle import CHECKPOINT_KIND, Checkpoint, checkpoint_body, ledger_tree
from evidence.case.signing import SigningKey
from evidence.errors import CaseError, UsageError
from evidence.verify import Report
from evidence.verify.bundle import verify_bundle
from evidence.verify.case import verify_case
from tests.conftest import ROOT, run_cli
from tests.export.forgery import Members
from tests.export.forgery import read as _read
from tests.export.forgery import resum as _resum
from tests.export.forgery import write as _write

CHOSEN = ("EX-0002", "EX-0005")


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample case with a report (one checkpoint), a person, and one more checkpoint."""
    base = tmp_path_factory.mktemp("disclose")
    samples = base / "samples"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_samples.py"), str(samples)], check=True)
    files = sorted(
        p for p in samples.iterdir() if p.is_file() and p.name != "case.json" and not p.name.startswith(".")
    )
    root = base / "case"
    with Case.init(root, title="Harassment of Jordan Lee", tz="Europe/London") as case:
        case.import_files(files)
        case.report(base / "report.pdf")
        case.add_person("Alex Morgan", role="respondent", ids=["07700 900123", "alex@example.net"])
        by_exhibit = {e.sources[0].exhibit: e.record.id for e in case.timeline()}
        case.mark_relayed(by_exhibit[CHOSEN[0]], by="Sam Patel")  # about a disclosed record: disclosed
        case.mark_relayed(by_exhibit["EX-0001"], by="Robin Withheld")  # about a withheld one: not
        case.checkpoint()
    return root


@pytest.fixture(scope="module")
def selective(sample_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of two exhibits and the report, written by the CLI from a copy of the case."""
    base = tmp_path_factory.mktemp("selective")
    root = base / "case"
    shutil.copytree(sample_case, root)
    out = base / "two.zip"
    report = sample_case.parent / "report.pdf"
    done = run_cli(
        "-C", str(root), "export", "-o", str(out), "--exhibits", ",".join(CHOSEN), "--report", str(report)
    )
    assert done.returncode == 0, done.stderr
    assert "only the chosen exhibits' ledger entries, each with a Merkle proof" in done.stdout
    return out


def _lines(members: Members) -> list[dict[str, Any]]:
    return [json.loads(line) for line in members["ledger.jsonl"].decode().splitlines()]


def _set_lines(members: Members, entries: list[dict[str, Any]]) -> None:
    members["ledger.jsonl"] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode()


def _proofs(members: Members) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(members["proofs.json"])
    return doc


def _tampered(bundle: Path, tmp_path: Path, change: Callable[[Members], None]) -> Report:
    members = _read(bundle)
    change(members)
    found = verify_bundle(_write(tmp_path / "tampered.zip", _resum(members)))
    # The relisted manifest always fails its signature; the tests here look at what else is found.
    assert any(f.code == "MANIFEST_SIGNATURE" for f in found.findings)
    found.findings = [f for f in found.findings if f.code != "MANIFEST_SIGNATURE"]
    return found


def _found(report: Report, code: str) -> set[int | str | None]:
    return {f.entry if f.entry is not None else f.path for f in report.findings if f.code == code}


def _edit_proofs(edit: Callable[[dict[str, Any]], None]) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        doc = _proofs(members)
        edit(doc)
        members["proofs.json"] = json.dumps(doc).encode()

    return change


def _flip(hex_text: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()


# -- what is disclosed, and what is not ---------------------------------------------------------------------


def test_only_the_chosen_exhibits_entries_are_disclosed(
    selective: Path, sample_case: Path, tmp_path: Path
) -> None:
    members = _read(selective)
    with Case.open(sample_case, readonly=True) as case:
        exhibits = case.exhibits()
        full = list(case.entries())
    entries = _lines(members)
    kinds = {(e["kind"], e["body"].get("exhibit")) for e in entries}
    assert kinds == {
        ("case.created", None),
        ("item.acquired", "EX-0002"),
        ("item.acquired", "EX-0005"),
        ("records.derived", "EX-0002"),
        ("records.derived", "EX-0005"),
        ("report.generated", None),
        ("record.relayed", None),
        (CHECKPOINT_KIND, None),
    }
    assert [e["body"]["by"] for e in entries if e["kind"] == "record.relayed"] == ["Sam Patel"]
    checkpoints = [e for e in entries if e["kind"] == CHECKPOINT_KIND]
    # The report's, the one made by hand, the export's (it covers every entry of the case before it).
    assert [c["body"]["size"] for c in checkpoints] == [c["seq"] - 1 for c in checkpoints]
    assert len(checkpoints) == 3 and checkpoints[-1]["seq"] == len(full) + 1
    manifest = json.loads(members["manifest.json"])
    assert manifest["exhibits"]["withheld"] == []
    assert manifest["disclosure"] == {"mode": "selected", "tree_size": len(full), "entries": len(entries)}
    # Nothing of the withheld exhibits leaks: neither their names nor their hashes, in any member but the report
    # (the report shows the whole case; including it is the sender's choice).
    # derived/ holds what was read from the chosen exhibits (their own words, names and numbers, as the
    # exhibits themselves hold them), and from them only.
    assert {n.split(" ")[0].removeprefix("derived/") for n in members if n.startswith("derived/")} == set(
        CHOSEN
    )
    everything = b"".join(
        d for n, d in members.items() if not n.startswith(("exhibits/", "report/", "derived/"))
    )
    for ex in exhibits:
        if ex["exhibit"] in CHOSEN:
            continue
        assert ex["sha256"].encode() not in everything, ex["exhibit"]
        assert ex["original_name"].encode() not in everything, ex["exhibit"]
    assert b"Alex Morgan" not in everything  # the person entries are not disclosed
    assert b"Robin Withheld" not in everything
    text = members["VERIFY.txt"].decode()
    assert text.startswith("THIS BUNDLE DISCLOSES ONLY PART") and "RFC 9162" in text
    assert f"out of the {len(full)} entries" in " ".join(text.split())
    # Verified by the CLI in a folder without the case: exit 0, and every proof counted.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("verify", str(selective), "--json", cwd=elsewhere)
    assert done.returncode == 0, done.stdout
    result = json.loads(done.stdout)
    covered = [e for e in entries if e["seq"] <= len(full)]
    assert result["checked"]["proofs"] == len(covered) + 2  # inclusions, and the two earlier checkpoints
    assert result["checkpoint"]["size"] == len(full)
    assert result["checkpoint"]["root"] == ledger_tree([e.hash for e in full]).root().hex()
    plain = run_cli("verify", str(selective), cwd=elsewhere)
    assert plain.returncode == 0 and f"{len(entries)} entries disclosed of the {len(full)}" in plain.stdout


def test_full_ledger_keeps_every_entry_and_checks_every_checkpoint(sample_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(sample_case, root)
    with Case.open(root) as case:
        written = case.export(tmp_path / "all.zip", exhibits=["EX-0002"], full_ledger=True)
        count = len(list(case.entries()))
    members = _read(written.path)
    assert "proofs.json" not in members and len(_lines(members)) == count - 1  # all but export.created
    report = verify_bundle(written.path)
    assert report.ok and report.checked["checkpoints"] == 3


def test_a_wrong_checkpoint_in_a_full_ledger_is_named(
    sample_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fault injection: a checkpoint entry signed with the case's own key but naming the wrong root.
    root = tmp_path / "case"
    shutil.copytree(sample_case, root)
    with Case.open(root) as case:
        key = SigningKey.load(root / "keys", None)
        wrong = Checkpoint(str(case.genesis["case_id"]), case.head().seq, b"\x07" * 32)
        case.conn.execute("BEGIN IMMEDIATE")
        bad = ledger.append(case.conn, key, CHECKPOINT_KIND, checkpoint_body(wrong, key))
        case.conn.execute("COMMIT")
        with pytest.raises(CaseError, match="CHECKPOINT_MISMATCH"):  # export refuses a case that fails verify
            case.export(tmp_path / "refused.zip")
        # A bundle made anyway (by an older version, or by hand): the bundle verifier must name it too.
        monkeypatch.setattr(publishing, "require_intact", lambda *args: None)
        written = case.export(tmp_path / "all.zip")
    report = verify_bundle(written.path)
    assert not report.ok and _found(report, "CHECKPOINT_MISMATCH") == {bad.seq}
    case_report = verify_case(root)  # the case verifier checks every checkpoint too
    assert _found(case_report, "CHECKPOINT_MISMATCH") == {bad.seq}
    assert {f.code for f in case_report.findings} == {"CHECKPOINT_MISMATCH"}


def test_filters_choose_the_exhibits_timeline_would(sample_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(sample_case, root)
    with Case.open(root, readonly=True) as case:
        timeline = case.timeline()
        days = sorted({e.record.occurred_at.astimezone(case.tz).date() for e in timeline})
    day = days[len(days) // 2]
    expected = sorted(
        {
            str(s.exhibit)
            for e in timeline
            if e.record.occurred_at.astimezone(case.tz).date() == day
            for s in e.sources
        }
    )
    assert len(expected) > 0
    out = tmp_path / "day.zip"
    done = run_cli(
        "-C", str(root), "export", "-o", str(out), "--since", day.isoformat(), "--until", day.isoformat()
    )
    assert done.returncode == 0, done.stderr
    members = _read(out)
    assert (
        sorted(n.split(" ")[0].removeprefix("exhibits/") for n in members if n.startswith("exhibits/"))
        == expected
    )
    assert verify_bundle(out).ok
    with Case.open(root) as case:
        by_person = case.exhibits_matching(person="alex morgan")
        assert by_person and set(by_person) <= {e["exhibit"] for e in case.exhibits()}
        written = case.export(tmp_path / "alex.zip", person="Alex Morgan", exhibits=[by_person[0]])
        # VERIFY, exhibit, what was read from it (derived/: its records blob), ledger, key, proofs, sums,
        # manifest, manifest.sig
        assert written.files == 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
        with pytest.raises(UsageError, match="select no exhibit"):
            case.export(tmp_path / "none.zip", since=date(1990, 1, 1), until=date(1990, 1, 2))
        with pytest.raises(UsageError, match="no person"):
            case.export(tmp_path / "none.zip", person="Nobody At All")
    assert not (tmp_path / "none.zip").exists()


# -- tampering ------------------------------------------------------------------------------------------


def _covered(members: Members) -> list[dict[str, Any]]:
    size = _proofs(members)["checkpoint"]["size"]
    return [e for e in _lines(members) if e["seq"] <= size]


def test_a_dropped_proof(selective: Path, tmp_path: Path) -> None:
    target = _covered(_read(selective))[2]["seq"]

    def drop(doc: dict[str, Any]) -> None:
        doc["inclusion"] = [p for p in doc["inclusion"] if p["entry"] != target]

    report = _tampered(selective, tmp_path, _edit_proofs(drop))
    assert not report.ok and _found(report, "PROOF_MISSING") == {target}

    def drop_consistency(doc: dict[str, Any]) -> None:
        doc["consistency"].pop(0)

    report = _tampered(selective, tmp_path, _edit_proofs(drop_consistency))
    assert not report.ok and report.codes() == {"CONSISTENCY_MISSING"}


def test_the_proofs_file_dropped(selective: Path, tmp_path: Path) -> None:
    def drop(members: Members) -> None:
        del members["proofs.json"]

    naive = _tampered(selective, tmp_path, drop)
    assert not naive.ok and _found(naive, "MISSING") == {"proofs.json"}

    def pretend_full(members: Members) -> None:
        del members["proofs.json"]
        manifest = json.loads(members["manifest.json"])
        manifest["disclosure"] = {"mode": "full"}
        members["manifest.json"] = json.dumps(manifest).encode()

    careful = _tampered(selective, tmp_path, pretend_full)
    assert not careful.ok and "ROW_DELETED" in careful.codes()  # as a full ledger it has gaps


def test_every_element_of_every_inclusion_proof_corrupted(selective: Path, tmp_path: Path) -> None:
    members = _read(selective)
    for item in _proofs(members)["inclusion"]:
        for pos in range(len(item["path"])):

            def corrupt(doc: dict[str, Any], seq: int = item["entry"], pos: int = pos) -> None:
                proof = next(p for p in doc["inclusion"] if p["entry"] == seq)
                proof["path"][pos] = _flip(proof["path"][pos], (seq * 31 + pos * 7) % 256)

            report = _tampered(selective, tmp_path, _edit_proofs(corrupt))
            assert report.codes() == {"PROOF_INVALID"} and _found(report, "PROOF_INVALID") == {item["entry"]}


@pytest.mark.parametrize("defect", ["index+1", "index-1", "element_added", "element_removed", "wrong_leaf"])
def test_a_malformed_inclusion_proof(selective: Path, tmp_path: Path, defect: str) -> None:
    members = _read(selective)
    covered = _covered(members)
    seq = covered[3]["seq"]
    other = covered[4]["seq"]

    def corrupt(doc: dict[str, Any]) -> None:
        proofs = {p["entry"]: p for p in doc["inclusion"]}
        proof = proofs[seq]
        if defect == "index+1":
            proof["leaf_index"] += 1
        elif defect == "index-1":
            proof["leaf_index"] -= 1
        elif defect == "element_added":
            proof["path"].append(proof["path"][0])
        elif defect == "element_removed":
            proof["path"].pop()
        else:  # another entry's proof, under this entry's number
            proof["path"] = proofs[other]["path"]

    report = _tampered(selective, tmp_path, _edit_proofs(corrupt))
    assert report.codes() == {"PROOF_INVALID"} and _found(report, "PROOF_INVALID") == {seq}


def test_every_element_of_every_consistency_proof_corrupted(selective: Path, tmp_path: Path) -> None:
    members = _read(selective)
    items = _proofs(members)["consistency"]
    assert len(items) == 2
    for item in items:
        for pos in range(len(item["proof"])):

            def corrupt(doc: dict[str, Any], seq: int = item["entry"], pos: int = pos) -> None:
                proof = next(p for p in doc["consistency"] if p["entry"] == seq)
                proof["proof"][pos] = _flip(proof["proof"][pos], pos * 13 % 256)

            report = _tampered(selective, tmp_path, _edit_proofs(corrupt))
            assert _found(report, "CONSISTENCY_INVALID") == {item["entry"]}


def test_swapped_checkpoints(selective: Path, tmp_path: Path) -> None:
    def older_checkpoint(members: Members) -> None:
        earlier = next(e for e in _lines(members) if e["kind"] == CHECKPOINT_KIND)
        doc = _proofs(members)
        doc["checkpoint"]["note"] = earlier["body"]["note"]
        members["proofs.json"] = json.dumps(doc).encode()

    report = _tampered(selective, tmp_path, older_checkpoint)
    assert not report.ok and _found(report, "CHECKPOINT_NOT_RECORDED") == {"proofs.json"}

    def swap_consistency(doc: dict[str, Any]) -> None:
        a, b = doc["consistency"]
        a["proof"], b["proof"] = b["proof"], a["proof"]

    report = _tampered(selective, tmp_path, _edit_proofs(swap_consistency))
    entries = {c["entry"] for c in _proofs(_read(selective))["consistency"]}
    assert not report.ok and _found(report, "CONSISTENCY_INVALID") == entries


def test_an_entry_not_covered(selective: Path, sample_case: Path, tmp_path: Path) -> None:
    # The export.created entry the case recorded after the bundle's checkpoint: genuinely signed, but no
    # checkpoint in the bundle covers it; and an entry of a withheld exhibit slipped in without a proof.
    with Case.open(selective.parent / "case", readonly=True) as case:
        full = list(case.entries())
    late = full[-1].to_json()
    withheld = next(
        e.to_json() for e in full if e.kind == "item.acquired" and e.body["exhibit"] not in CHOSEN
    )

    def add(members: Members) -> None:
        entries = _lines(members)
        _set_lines(members, sorted([*entries, late, withheld], key=lambda e: int(e["seq"])))

    report = _tampered(selective, tmp_path, add)
    assert not report.ok
    assert _found(report, "ENTRY_NOT_COVERED") == {late["seq"]}
    assert _found(report, "PROOF_MISSING") == {withheld["seq"]}


def test_an_edited_and_a_renumbered_entry(selective: Path, tmp_path: Path) -> None:
    seq = _covered(_read(selective))[1]["seq"]

    def edit(members: Members) -> None:
        entries = _lines(members)
        target = next(e for e in entries if e["seq"] == seq)
        target["body"]["original_name"] = "something else.txt"
        _set_lines(members, entries)

    report = _tampered(selective, tmp_path, edit)
    assert not report.ok and ("ENTRY_MODIFIED", seq) in {(f.code, f.entry) for f in report.findings}

    def renumber(members: Members) -> None:
        entries = _lines(members)
        for e in entries:
            if e["seq"] == seq:
                e["seq"] = seq + 1000
        members["proofs.json"] = members["proofs.json"].replace(
            f'"entry": {seq},'.encode(), f'"entry": {seq + 1000},'.encode()
        )
        _set_lines(members, entries)

    moved = _tampered(selective, tmp_path, renumber)
    assert not moved.ok and seq + 1000 in _found(moved, "ENTRY_NOT_COVERED") | _found(moved, "PROOF_INVALID")


def test_a_replaced_key(selective: Path, tmp_path: Path) -> None:
    naive = _tampered(
        selective, tmp_path, lambda m: m.update({"case.pub": SigningKey.generate().public.to_pem()})
    )
    assert not naive.ok and _found(naive, "KEY_REPLACED") == {"case.pub"}

    # A forger with their own key re-signs every entry and every checkpoint, and rewrites the genesis to name
    # the new key: the genesis entry's hash changes, and its inclusion proof no longer reaches the root.
    forger = SigningKey.generate()

    def resign(members: Members) -> None:
        entries = _lines(members)
        for e in entries:
            if e["kind"] == "case.created":
                e["body"]["public_key"] = forger.public.raw.hex()
                e["body"]["key_fingerprint"] = forger.public.fingerprint
                e["hash"] = entry_hash(GENESIS_PREV, e["kind"], e["recorded_at"], e["body"])
            if e["kind"] == CHECKPOINT_KIND:
                lines = e["body"]["note"].split("\n")
                cp = Checkpoint(lines[0], int(lines[1]), base64.b64decode(lines[2]))
                e["body"] = {**e["body"], **checkpoint_body(cp, forger)}
                e["hash"] = entry_hash(e["prev"], e["kind"], e["recorded_at"], e["body"])
            e["sig"] = forger.sign(bytes.fromhex(e["hash"])).hex()
        _set_lines(members, entries)
        doc = _proofs(members)
        newest = next(e for e in entries if e["seq"] == doc["checkpoint"]["entry"])
        doc["checkpoint"]["note"] = newest["body"]["note"]
        members["proofs.json"] = json.dumps(doc).encode()
        members["case.pub"] = forger.public.to_pem()

    forged = _tampered(selective, tmp_path, resign)
    # Every entry whose body the forger rewrote (the genesis, the earlier checkpoints) has another hash now.
    size = _proofs(_read(selective))["checkpoint"]["size"]
    rewritten = {
        e["seq"] for e in _lines(_read(selective)) if e["kind"] == CHECKPOINT_KIND and e["seq"] <= size
    }
    assert not forged.ok and _found(forged, "PROOF_INVALID") == {1} | rewritten
    assert not verify_bundle(selective, expect_key=forger.public.fingerprint).ok


@pytest.mark.parametrize("name", ["proofs.json", "ledger.jsonl", "case.pub", "exhibit"])
def test_a_changed_byte_or_a_dropped_member_of_a_selective_bundle(
    selective: Path, tmp_path: Path, name: str
) -> None:
    members = _read(selective)
    if name == "exhibit":
        name = next(n for n in members if n.startswith("exhibits/"))
    data = members[name]
    members[name] = data[:40] + bytes([data[40] ^ 0x01]) + data[41:]
    report = verify_bundle(_write(tmp_path / "changed.zip", members))
    assert not report.ok and name in {f.path for f in report.findings if f.code == "MODIFIED"}
    del members[name]
    report = verify_bundle(_write(tmp_path / "dropped.zip", members))
    assert not report.ok and name in {f.path for f in report.findings if f.code == "MISSING"}


def test_heads_recorded_earlier_against_a_selective_bundle(selective: Path, sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        full = list(case.entries())
    disclosed = {e["seq"] for e in _lines(_read(selective))}
    shown = next(e for e in full if e.seq in disclosed and e.seq > 1)
    hidden = next(e for e in full if e.seq not in disclosed)
    assert verify_bundle(selective, heads=[f"{shown.seq}:{shown.hash}"]).ok
    unknown = verify_bundle(selective, heads=[f"{hidden.seq}:{hidden.hash}"])
    assert unknown.ok and _found(unknown, "HEAD_NOT_DISCLOSED") == {
        hidden.seq
    }  # a warning: cannot be checked
    wrong = verify_bundle(selective, heads=[f"{shown.seq}:{hidden.hash}"])
    assert not wrong.ok and _found(wrong, "HEAD_MISMATCH") == {shown.seq}
