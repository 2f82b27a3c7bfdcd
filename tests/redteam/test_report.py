"""Red-team attacks on the report (issue 13): what the report draws must be what the ledger names."""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from evidence.api import Case
from evidence.errors import CaseError, StorageError


def _screenshot(folder: Path) -> Path:
    """A small picture named as Android names screenshots (so it has a time and becomes a picture record)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Screenshot_20260314-213344.png"
    image = Image.new("RGB", (360, 640), "white")
    ImageDraw.Draw(image).text((20, 40), "Answer the phone", fill="black")
    image.save(path)
    return path


def _doctor(path: Path) -> None:
    """What the attacker does between the victim's verify and report: the picture redrawn in place."""
    os.chmod(path, 0o644)
    with Image.open(path) as image:
        doctored = image.convert("RGB")
    ImageDraw.Draw(doctored).rectangle([0, 200, 360, 320], fill="black")
    doctored.save(path, "PNG")


def test_a10_a_doctored_picture_is_never_drawn(case: Case, tmp_path: Path) -> None:
    item = case.import_files([_screenshot(tmp_path / "in")]).items[0]
    stored = case.store.path_for(item.sha256)
    before = case.head()
    assert case.render_report(profile="lawyer")  # the genuine picture is drawn
    _doctor(stored)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() != item.sha256
    with pytest.raises(StorageError) as caught:
        case.render_report(profile="lawyer")
    assert "no longer has the SHA-256 the ledger names" in caught.value.message
    target = tmp_path / "out" / "report.pdf"
    with pytest.raises(CaseError) as refused:  # a recorded report first runs verify, which names the object
        case.report(target)
    assert "MODIFIED" in refused.value.message
    assert not target.exists() and list(target.parent.iterdir()) == []
    assert case.head() == before  # nothing recorded either (the checkpoint went with the report)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _author(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next(
        (line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Author:")), ""
    )


def test_a24_a_report_names_no_login_host_or_withheld_file_unless_asked(case: Case, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "march-threat.txt").write_text("x")
    (inbox / "secret-shelter-address.txt").write_text("y")
    case.import_files([inbox / "march-threat.txt", inbox / "secret-shelter-address.txt"])
    case.import_files([_screenshot(tmp_path / "shots")])
    login = f"{getpass.getuser()}@{socket.gethostname()}"
    for options in ({"redact": True}, {}):
        pdf = case.render_report(profile="lawyer", **options)  # type: ignore[arg-type]
        text = _text(pdf, tmp_path)
        assert login not in text and "clock read" not in text
        assert _author(pdf, tmp_path) == ""
    asked = case.render_report(profile="lawyer", computer_details=True)
    assert login in _text(asked, tmp_path) and _author(asked, tmp_path) == getpass.getuser()
    # A filtered report: the withheld exhibits appear by number and hash only, in every section.
    filtered = _text(
        case.render_report(profile="lawyer", since=date(2026, 3, 14), until=date(2026, 3, 14)), tmp_path
    )
    assert "secret-shelter-address.txt" not in filtered and "march-threat.txt" not in filtered
    assert "withheld from this report" in filtered


def test_a04_no_report_or_bundle_is_made_from_a_forged_index(case: Case, tmp_path: Path) -> None:
    """The report and the bundle read the unsigned index tables; a forged row there (A04 injected one behind a
    swapped index, which verify now catches either way) must never reach a court document."""
    chat = tmp_path / "in" / "WhatsApp Chat with Alex.txt"
    chat.parent.mkdir()
    chat.write_text(
        "14/03/2026, 21:30 - Alex: Answer the phone.\n14/03/2026, 21:31 - Jordan Lee: Stop.\n",
        encoding="utf-8",
    )
    case.import_files([chat])
    row = case.conn.execute("SELECT id, json FROM records WHERE json LIKE '%Stop.%'").fetchone()
    forged = row[1].replace("Stop.", "Come round tonight, I miss you.")
    case.conn.execute("UPDATE records SET json = ? WHERE id = ?", (forged, row[0]))
    before = case.head()
    for make, target in (
        (case.report, tmp_path / "out" / "r.pdf"),
        (case.export, tmp_path / "out" / "b.zip"),
    ):
        with pytest.raises(CaseError) as caught:
            make(target)
        assert "INDEX_MISMATCH" in caught.value.message and "does not verify" in caught.value.message
        assert not target.exists()
    assert case.head() == before
