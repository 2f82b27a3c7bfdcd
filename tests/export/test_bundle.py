"""Export bundles of the sample case: contents, sha256sum -c, the export.created entry, and verification of
tampered and hostile bundles on a machine (working folder) without the case."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.signing import SigningKey
from evidence.errors import InputError, UsageError
from evidence.export.bundle import build_bundle
from evidence.verify import Report
from evidence.verify.bundle import MAX_MEMBERS, verify_bundle
from evidence.verify.case import verify_case
from tests.conftest import ROOT, run_cli
from tests.export.forgery import Members
from tests.export.forgery import read as _read
from tests.export.forgery import resum as _resum
from tests.export.forgery import write as _write


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample case (everything make_samples.py writes except case.json) with one report."""
    base = tmp_path_factory.mktemp("export")
    samples = base / "samples"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_samples.py"), str(samples)], check=True)
    files = sorted(
        p for p in samples.iterdir() if p.is_file() and p.name != "case.json" and not p.name.startswith(".")
    )
    root = base / "case"
    with Case.init(root, title="Harassment of Jordan Lee", tz="Europe/London") as case:
        case.import_files(files)
        case.report(base / "report.pdf")
    return root


@pytest.fixture(scope="module")
def bundle(sample_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of a copy of the sample case: every exhibit and the report."""
    base = tmp_path_factory.mktemp("bundle")
    root = base / "case"
    shutil.copytree(sample_case, root)
    out = base / "bundle.zip"
    with Case.open(root) as case:
        case.export(out, report=sample_case.parent / "report.pdf", recipient="DC Smith", medium="USB stick")
    return out


def _tampered(bundle: Path, tmp_path: Path, change: Callable[[Members], Members]) -> Report:
    members = change(_read(bundle))
    return verify_bundle(_write(tmp_path / "tampered.zip", members))


def _named(report: Report, code: str) -> set[str | None]:
    return {f.path for f in report.findings if f.code == code}


def _exhibit_names(members: Members) -> list[str]:
    return [n for n in members if n.startswith("exhibits/")]


def test_bundle_layout_and_cli_verify_elsewhere(bundle: Path, sample_case: Path, tmp_path: Path) -> None:
    members = _read(bundle)
    names = list(members)
    with Case.open(sample_case, readonly=True) as case:
        exhibits = case.exhibits()
        fingerprint = case.public_key.fingerprint
        entries = list(case.entries())
    assert names[0] == "VERIFY.txt" and names[-3:] == ["SHA256SUMS", "manifest.json", "manifest.sig"]
    assert len(_exhibit_names(members)) == len(exhibits) == 12
    assert f"exhibits/{exhibits[0]['exhibit']} {exhibits[0]['original_name']}" in members
    assert "report/report.pdf" in members
    # ledger.jsonl: exactly what `evidence log --json` printed before the export, and the export's checkpoint.
    log = run_cli("-C", str(sample_case), "log", "--json")
    ledger_text = members["ledger.jsonl"].decode()
    assert ledger_text.startswith(log.stdout)
    added = [json.loads(line) for line in ledger_text[len(log.stdout) :].splitlines()]
    assert [(e["seq"], e["kind"], e["body"]["size"]) for e in added] == [
        (entries[-1].seq + 1, "checkpoint.signed", entries[-1].seq)
    ]
    assert "proofs.json" not in members and json.loads(members["manifest.json"])["disclosure"] == {
        "mode": "full"
    }
    manifest = json.loads(members["manifest.json"])
    assert manifest["built_from"]["seq"] == entries[-1].seq + 1 and manifest["key_fingerprint"] == fingerprint
    assert manifest["exhibits"]["withheld"] == []
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json", "manifest.sig"}
    text = members["VERIFY.txt"].decode()
    for needle in ("certutil -hashfile", "Get-FileHash", "shasum -a 256 -c", "sha256sum -c", "Ed25519"):
        assert needle in text
    assert "evidence/ledger-entry/v1" in text and fingerprint in text
    # A folder with no case in it or above it: the bundle alone is enough.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("verify", str(bundle), "--json", "--expect-key", fingerprint, cwd=elsewhere)
    assert done.returncode == 0, done.stdout
    result = json.loads(done.stdout)
    assert result["ok"] and result["checked"]["entries"] == len(entries) + 1
    assert result["checked"]["checkpoints"] == 2  # the report's and the export's
    assert result["reports"] == [{"file": "report/report.pdf", "entry": entries[-1].seq}]
    assert list(elsewhere.iterdir()) == []  # nothing extracted
    wrong = run_cli("verify", str(bundle), "--expect-key", "0" * 64, cwd=elsewhere)
    assert wrong.returncode == 1 and "KEY_NOT_EXPECTED" in wrong.stdout


def test_sha256sum_checks_the_unpacked_bundle(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        for name in zf.namelist():
            assert not name.startswith("/") and ".." not in name.split("/")
        zf.extractall(tmp_path)
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(_read(bundle)) - 3 and all(line.endswith(": OK") for line in lines)


def test_export_created_entry_and_case_still_verifies(bundle: Path) -> None:
    root = bundle.parent / "case"
    with Case.open(root, readonly=True) as case:
        entries = list(case.entries())
    last = entries[-1]
    assert last.kind == "export.created"
    body = last.body
    assert body["sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert body["size"] == bundle.stat().st_size
    assert body["built_from"] == {"seq": entries[-2].seq, "hash": entries[-2].hash}
    assert body["recipient"] == "DC Smith" and body["medium"] == "USB stick"
    members = _read(bundle)
    files = {f["name"]: f["sha256"] for f in body["files"]}
    assert files["ledger.jsonl"] == hashlib.sha256(members["ledger.jsonl"]).hexdigest()
    assert len(body["exhibits"]) == 12 and body["withheld"] == []
    assert verify_case(root).ok


def test_bundle_bytes_are_deterministic(sample_case: Path, tmp_path: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        entries = list(case.entries())
        outs = []
        for name in ("a.zip", "b.zip"):
            with open(tmp_path / name, "w+b") as fh:
                built = build_bundle(
                    fh,
                    entries=entries,
                    genesis=case.genesis,
                    exhibits=case.exhibits(),
                    store=case.store,
                    signer=SigningKey.load(sample_case / "keys", None),
                )
            outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and built.sha256 == hashlib.sha256(outs[0]).hexdigest()
    t = datetime.fromisoformat(entries[-1].recorded_at)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        # Zip times have a two-second resolution: the head's time, rounded down to an even second.
        expected = (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2)
        assert {i.date_time for i in zf.infolist()} == {expected}


def test_exhibits_filter_lists_withheld_by_hash(sample_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(sample_case, root)
    out = tmp_path / "some.zip"
    done = run_cli(
        "-C", str(root), "export", "-o", str(out), "--exhibits", "EX-0002,ex-0005", "--full-ledger"
    )
    assert done.returncode == 0, done.stderr
    members = _read(out)
    assert [n.split(" ")[0] for n in _exhibit_names(members)] == ["exhibits/EX-0002", "exhibits/EX-0005"]
    with Case.open(root, readonly=True) as case:
        others = {
            e["exhibit"]: e["sha256"] for e in case.exhibits() if e["exhibit"] not in {"EX-0002", "EX-0005"}
        }
    withheld = json.loads(members["manifest.json"])["exhibits"]["withheld"]
    assert {w["exhibit"]: w["sha256"] for w in withheld} == others
    assert verify_bundle(out).ok
    with Case.open(root) as case, pytest.raises(UsageError, match="EX-0099"):
        case.export(tmp_path / "x.zip", exhibits=["EX-0099"])
    assert not (tmp_path / "x.zip").exists()


def test_report_must_be_a_recorded_one(sample_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(sample_case, root)
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"%PDF-1.4 not the report")
    with Case.open(root) as case:
        before = case.head()
        with pytest.raises(InputError, match=r"report\.generated"):
            case.export(tmp_path / "x.zip", report=fake)
        assert case.head() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "report.pdf"]  # no temp file left


def test_case_without_report(case: Case, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no report"):
        case.export(tmp_path / "x.zip", report=tmp_path / "r.pdf")


# -- tampering ----------------------------------------------------------------------------------------------


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "pick",
    [
        "VERIFY.txt",
        "exhibit",
        "report/report.pdf",
        "ledger.jsonl",
        "case.pub",
        "manifest.json",
    ],
)
def test_a_changed_byte_in_any_member(bundle: Path, tmp_path: Path, pick: str) -> None:
    name = _exhibit_names(_read(bundle))[3] if pick == "exhibit" else pick

    def change(members: Members) -> Members:
        members[name] = _flip(members[name])
        return members

    report = _tampered(bundle, tmp_path, change)
    assert not report.ok
    # SHA256SUMS cannot cover the manifest (the manifest lists SHA256SUMS): its signature does.
    assert name in _named(report, "MANIFEST_SIGNATURE" if name == "manifest.json" else "MODIFIED")


def test_a_changed_line_in_sha256sums(bundle: Path, tmp_path: Path) -> None:
    first = _read(bundle)["SHA256SUMS"].decode().splitlines()[0].split("  ", 1)[1]

    def change(members: Members) -> Members:
        text = members["SHA256SUMS"].decode()
        members["SHA256SUMS"] = (("1" if text[0] != "1" else "2") + text[1:]).encode()
        return members

    report = _tampered(bundle, tmp_path, change)
    assert not report.ok and first in _named(report, "MODIFIED")


def test_a_flipped_byte_in_the_zip_file_itself(bundle: Path, tmp_path: Path) -> None:
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(_exhibit_names(_read(bundle))[0])
    local = info.header_offset
    start = local + 30 + int.from_bytes(data[local + 26 : local + 28], "little")
    start += int.from_bytes(data[local + 28 : local + 30], "little")
    data[start + info.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    report = verify_bundle(damaged)
    assert not report.ok and info.filename in _named(report, "MODIFIED")


@pytest.mark.parametrize(
    "pick", ["exhibit", "ledger.jsonl", "case.pub", "report/report.pdf", "manifest.json", "SHA256SUMS"]
)
def test_a_dropped_member(bundle: Path, tmp_path: Path, pick: str) -> None:
    name = _exhibit_names(_read(bundle))[0] if pick == "exhibit" else pick

    def change(members: Members) -> Members:
        del members[name]
        return members

    report = _tampered(bundle, tmp_path, change)
    assert not report.ok and name in _named(report, "MISSING")


def test_two_exhibits_swapped(bundle: Path, tmp_path: Path) -> None:
    names = _exhibit_names(_read(bundle))
    a, b = names[1], names[2]

    def swap(members: Members) -> Members:
        members[a], members[b] = members[b], members[a]
        return members

    naive = _tampered(bundle, tmp_path, swap)
    assert not naive.ok and {a, b} <= _named(naive, "MODIFIED")
    careful = _tampered(bundle, tmp_path, lambda m: _resum(swap(m)))
    assert not careful.ok and _named(careful, "UNKNOWN_EXHIBIT") == {a, b}
    assert "MODIFIED" not in careful.codes()


def _edit_ledger(members: Members, edit: Callable[[list[dict[str, object]]], None]) -> Members:
    entries = [json.loads(line) for line in members["ledger.jsonl"].decode().splitlines()]
    edit(entries)
    members["ledger.jsonl"] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode()
    return _resum(members)


def test_an_edited_ledger_line(bundle: Path, tmp_path: Path) -> None:
    def rename(entries: list[dict[str, object]]) -> None:
        body = entries[4]["body"]
        assert isinstance(body, dict)
        body["original_name"] = "something else.txt"

    report = _tampered(bundle, tmp_path, lambda m: _edit_ledger(m, rename))
    assert not report.ok
    assert {(f.code, f.entry) for f in report.findings} >= {("ENTRY_MODIFIED", 5)}


def test_a_removed_ledger_line(bundle: Path, tmp_path: Path) -> None:
    report = _tampered(bundle, tmp_path, lambda m: _edit_ledger(m, lambda e: e.pop(6)))
    assert not report.ok and any(f.code == "ROW_DELETED" and f.entry == 7 for f in report.findings)


def test_a_ledger_line_that_is_not_json(bundle: Path, tmp_path: Path) -> None:
    def garble(members: Members) -> Members:
        lines = members["ledger.jsonl"].decode().splitlines(keepends=True)
        lines[2] = "{not json\n"
        members["ledger.jsonl"] = "".join(lines).encode()
        return _resum(members)

    report = _tampered(bundle, tmp_path, garble)
    assert not report.ok
    assert any(f.code == "LEDGER_MALFORMED" and "line 3" in f.message for f in report.findings)


def test_a_replaced_public_key(bundle: Path, tmp_path: Path) -> None:
    def replace(members: Members) -> Members:
        members["case.pub"] = SigningKey.generate().public.to_pem()
        return _resum(members)

    report = _tampered(bundle, tmp_path, replace)
    assert not report.ok and _named(report, "KEY_REPLACED") == {"case.pub"}


def test_a_manifest_naming_another_head(bundle: Path, tmp_path: Path) -> None:
    def other_head(members: Members) -> Members:
        manifest = json.loads(members["manifest.json"])
        manifest["built_from"]["seq"] -= 1
        members["manifest.json"] = json.dumps(manifest).encode()
        return _resum(members)

    report = _tampered(bundle, tmp_path, other_head)
    assert not report.ok and _named(report, "HEAD_MISMATCH") == {"manifest.json"}


def test_extra_files(bundle: Path, tmp_path: Path) -> None:
    def add(members: Members) -> Members:
        members["notes.txt"] = b"added later"
        return members

    report = _tampered(bundle, tmp_path, add)
    assert not report.ok and _named(report, "EXTRA") == {"notes.txt"}

    def add_listed(members: Members) -> Members:
        members["exhibits/EX-0099 forged.txt"] = b"never acquired"
        members["report/other.pdf"] = b"%PDF-1.4 another report"
        return _resum(members)

    careful = _tampered(bundle, tmp_path, add_listed)
    assert not careful.ok
    assert _named(careful, "UNKNOWN_EXHIBIT") == {"exhibits/EX-0099 forged.txt"}
    assert _named(careful, "UNKNOWN_REPORT") == {"report/other.pdf"}


# -- hostile bundles ----------------------------------------------------------------------------------------


def _hostile_verify(path: Path, tmp_path: Path) -> Report:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    done = run_cli("verify", str(path), "--json", cwd=cwd)
    assert done.returncode == 1, done.stdout + done.stderr
    assert list(cwd.iterdir()) == []
    result = json.loads(done.stdout)
    report = verify_bundle(path)
    assert result["ok"] is False and report.to_json()["findings"] == result["findings"]
    return report


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "exhibits/../../evil.txt", "C:/evil.txt"])
def test_zip_slip_names_are_refused(bundle: Path, tmp_path: Path, name: str) -> None:
    members = _read(bundle)
    members[name] = b"escape"
    report = _hostile_verify(_write(tmp_path / "slip.zip", members), tmp_path)
    assert _named(report, "UNSAFE_ZIP") == {name} and report.codes() == {"UNSAFE_ZIP"}
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_symlink_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("exhibits/EX-0001 passwd")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    report = _hostile_verify(path, tmp_path)
    assert _named(report, "UNSAFE_ZIP") == {"exhibits/EX-0001 passwd"}
    assert "link" in report.findings[0].message


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(MAX_MEMBERS + 1):
            zf.writestr(f"exhibits/EX-{i:05d} x", b"")
    report = _hostile_verify(path, tmp_path)
    assert report.codes() == {"UNSAFE_ZIP"} and "10001 members" in report.findings[0].message


def test_a_huge_declared_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("exhibits/EX-0001 big.bin", b"x" * 10)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # uncompressed size: 4 GiB
    path.write_bytes(bytes(data))
    report = _hostile_verify(path, tmp_path)
    assert _named(report, "UNSAFE_ZIP") == {"exhibits/EX-0001 big.bin"}
    assert "ratio" in report.findings[0].message


def test_a_file_that_only_looks_like_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK\x03\x04 and then nothing a zip holds")
    report = _hostile_verify(path, tmp_path)
    assert report.codes() == {"BUNDLE_UNREADABLE"} and report.findings[0].path == "fake.zip"


def test_heads_recorded_earlier_are_checked_against_the_bundle(bundle: Path) -> None:
    manifest = json.loads(_read(bundle)["manifest.json"])
    seq, digest = manifest["built_from"]["seq"], manifest["built_from"]["hash"]
    assert verify_bundle(bundle, heads=[f"{seq}:{digest}"]).ok
    later = verify_bundle(bundle, heads=[f"{seq + 3}:{digest}"])
    assert not later.ok and any(f.code == "HEAD_MISMATCH" and f.entry == seq + 3 for f in later.findings)


def test_the_bundle_carries_what_was_read_from_each_exhibit(bundle: Path, tmp_path: Path) -> None:
    """Issue 14: the parsed records and the OCR results are in the bundle (derived/), each the object its
    numbered records.derived entry names, in SHA256SUMS and the signed manifest."""
    members = _read(bundle)
    derived = sorted(n for n in members if n.startswith("derived/"))
    ledger = [json.loads(line) for line in members["ledger.jsonl"].decode().splitlines()]
    entries = {e["seq"]: e for e in ledger if e["kind"] == "records.derived"}
    records = [n for n in derived if n.endswith(" records.json")]
    assert len(records) == len(entries) == 12  # one import of each exhibit
    ocr = [n for n in derived if n.endswith(" ocr-tesseract.json")]
    assert len(ocr) == 3  # the sample case's three screenshots
    sums = members["SHA256SUMS"].decode()
    manifest = json.loads(members["manifest.json"])
    assert sorted(d["file"] for d in manifest["derived"]) == derived
    for name in derived:
        exhibit, _, seq, _ = name.removeprefix("derived/").split(" ", 3)
        body = entries[int(seq)]["body"]
        assert body["exhibit"] == exhibit
        digest = hashlib.sha256(members[name]).hexdigest()
        assert digest in {o["sha256"] for o in body["objects"]}
        assert f"{digest}  {name}\n" in sums
        assert isinstance(json.loads(members[name]), dict)  # canonical JSON an examiner can read
    assert "derived/" in members["VERIFY.txt"].decode()
    # A derived member named after another entry than the one that records it: UNKNOWN_DERIVED.
    wrong = records[0].replace(records[0].split(" ")[2], "1", 1)

    def rename(m: Members) -> Members:
        m = dict(m)
        m[wrong] = m.pop(records[0])
        return _resum(m)

    found = _tampered(bundle, tmp_path, rename)
    assert _named(found, "UNKNOWN_DERIVED") == {wrong}
