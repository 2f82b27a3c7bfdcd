"""VERIFY.txt's hand steps (issue 14, finding 1): run as a recipient runs them, with nothing but a shell,
OpenSSL and coreutils, they pass on the bundle as made and fail on the forgeries that passed them before: an
exhibit changed, its new hash put into ledger.jsonl and SHA256SUMS, the signed manifest left as it was; and
a file added beside the exhibits (``sha256sum -c`` says nothing of a file SHA256SUMS does not list). And the
page's sections are numbered once each, and every "section N" it mentions is there."""

from __future__ import annotations

import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import CORPUS
from tests.export.forgery import Members, read


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of a small case holding a real SMS Backup & Restore file."""
    base = tmp_path_factory.mktemp("hand")
    with Case.init(base / "case", title="T", tz="Europe/London") as case:
        case.import_files([CORPUS / "smsbackup" / "sms-devadvance-sms_and_mms.xml"])
        case.export(base / "bundle.zip")
    return base / "bundle.zip"


def _hand_steps(text: str) -> list[str]:
    """The Linux commands of section 1 of VERIFY.txt, as a recipient copies them (continuation lines joined)."""
    section = text[text.index("1. CHECK THE FILES BY HAND") : text.index("2. CHECK EVERYTHING WITH THE TOOL")]
    commands: list[str] = []
    lines = section.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("printf ", "openssl pkeyutl")):
            commands.append(stripped)
        elif stripped.startswith("Linux:"):
            command = stripped.removeprefix("Linux:").strip()
            while command.endswith("\\"):
                number += 1
                command = command[:-1] + " " + lines[number].strip()
            commands.append(command)
    return commands


def _run(folder: Path, members: Members) -> str:
    folder.mkdir()
    for name, data in members.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    out = []
    for command in _hand_steps(members["VERIFY.txt"].decode()):
        done = subprocess.run(
            ["bash", "-c", command], cwd=folder, capture_output=True, text=True, check=False
        )
        out.append(done.stdout + done.stderr)
    return "".join(out)


def test_the_hand_steps_pass_on_the_bundle_as_made(bundle: Path, tmp_path: Path) -> None:
    commands = _hand_steps(read(bundle)["VERIFY.txt"].decode())
    # Five commands since the step that lists every file (d) came after sha256sum -c.
    assert len(commands) == 5 and "sha256sum -c SHA256SUMS" in commands[-2]
    out = _run(tmp_path / "x", read(bundle))
    assert "Signature Verified Successfully" in out
    assert "SHA256SUMS: OK" in out and "FILES: OK" in out and "FAILED" not in out


def test_the_hand_steps_fail_on_a_forged_exhibit(bundle: Path, tmp_path: Path) -> None:
    members = read(bundle)
    name = next(n for n in members if n.startswith("exhibits/") and n.endswith(".xml"))
    genuine = members[name]
    forged = genuine.replace(b"body=", b"body=I never said that. ", 1)
    assert forged != genuine
    old, new = hashlib.sha256(genuine).hexdigest(), hashlib.sha256(forged).hexdigest()
    members[name] = forged
    members["ledger.jsonl"] = members["ledger.jsonl"].replace(old.encode(), new.encode())
    members["SHA256SUMS"] = members["SHA256SUMS"].replace(old.encode(), new.encode())
    out = _run(tmp_path / "forged", members)
    # What passed before, still passes: the forger kept the signed manifest and re-made the lists.
    assert "Signature Verified Successfully" in out
    assert f"{name}: OK" in out
    # What the page now says to check first does not.
    assert "SHA256SUMS: FAILED" in out and "SHA256SUMS: OK" not in out


def test_the_hand_steps_fail_on_an_added_file(bundle: Path, tmp_path: Path) -> None:
    members = read(bundle)
    exhibit = next(n for n in members if n.startswith("exhibits/"))
    members["exhibits/EX-0013 forged.png"] = members[exhibit]  # a copy of an exhibit, under a new name
    out = _run(tmp_path / "added", members)
    # The three steps that passed it before still pass: the added file is in no list they read.
    assert "Signature Verified Successfully" in out and "SHA256SUMS: OK" in out
    assert f"{exhibit}: OK" in out
    # The step that lists the folder names it and fails.
    assert "exhibits/EX-0013 forged.png\n" in out
    assert "FILES: FAILED" in out and "FILES: OK" not in out


def _numbering(text: str) -> tuple[list[int], set[int]]:
    """The numbers of the page's section headings, in order, and the numbers its "section N" mentions."""
    headings = [int(n) for n in re.findall(r"^(\d+)\. [A-Z].*\n-{8,}$", text, re.MULTILINE)]
    mentioned = {int(n) for n in re.findall(r"\bsection (\d+)\b", " ".join(text.split()))}
    return headings, mentioned


def test_sections_are_numbered_once_and_every_reference_exists(bundle: Path, tmp_path: Path) -> None:
    """A full bundle without trusted timestamps (the page once had two sections 4 and mentioned a section 5
    it did not have), and a selective one (its notice points into the page)."""
    with Case.open(bundle.parent / "case") as case:
        case.export(tmp_path / "some.zip", exhibits=["EX-0001"])
    for path in (bundle, tmp_path / "some.zip"):
        text = read(path)["VERIFY.txt"].decode()
        headings, mentioned = _numbering(text)
        assert headings == [1, 2, 3, 4, 5, 6], (path.name, headings)
        assert mentioned and mentioned <= set(headings), (path.name, mentioned)
    assert "6. TRUSTED TIMESTAMPS" in read(bundle)["VERIFY.txt"].decode()
    assert read(tmp_path / "some.zip")["VERIFY.txt"].startswith(b"THIS BUNDLE DISCLOSES ONLY PART")


def test_every_exhibit_hash_is_in_the_signed_manifest(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        manifest = zf.read("manifest.json").decode()
        for info in zf.infolist():
            if info.filename.startswith("exhibits/"):
                assert hashlib.sha256(zf.read(info)).hexdigest() in manifest
