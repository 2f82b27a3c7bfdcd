"""Nothing decrypted is written to disk (issue 19): import (with screenshots read by OCR), ``ocr``, report and
export of an encrypted case, watched.

Each step runs with ``TMPDIR`` pointed at a private folder; a thread lists and reads every file there and in the
case folder while the step runs (every few milliseconds, without inotify) and once more after it, keeping each
distinct content it saw. After the steps the plaintext of the material is searched for in all of it: numbers,
names, words of messages and of what OCR read, file names, the exhibits' and blobs' hashes, a slice of the
picture's bytes, and the first bytes of a picture, a PDF, a zip or a plain SQLite file. The material is real
(a published SMS Backup & Restore file and an app's published screenshot, /work/shared/corpus/SOURCES.md).

The watcher is shown to see: on a plain case the same search finds the plaintext while the import runs, and
in the encrypted case it saw the staging files of the import and the report's temporary file beside its target.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.case.memtemp import memory_folder
from tests.conftest import CORPUS, run_cli
from tests.export.test_hand_check import _run as run_hand_steps

PASS = "correct horse battery staple"
TITLE = "Harassment by A. Morgan"
DIARY = "He waited outside the school gates again at pickup and filmed us getting into the car"
SMS = CORPUS / "smsbackup" / "sms-devadvance-sms_and_mms.xml"
SHOTS = (
    CORPUS / "screenshots-real" / "fossifymessages-2_en-US.png",
    CORPUS / "screenshots-real" / "fluffychat-android_2.png",
)
# First bytes of a decrypted picture, PDF, zip or database (a plain SQLite file: the case's is SQLCipher's).
MAGIC = (b"\x89PNG\r\n", b"\xff\xd8\xff", b"%PDF-", b"PK\x03\x04", b"SQLite format 3\x00")


@dataclass
class Watch:
    """Polls ``folders`` in a thread while a step runs: every file's path, and each distinct content read."""

    folders: tuple[Path, ...]
    paths: set[Path] = field(default_factory=set)
    contents: dict[str, tuple[Path, bytes]] = field(default_factory=dict)  # by SHA-256: where first seen
    scans: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def scan(self) -> None:
        """List and read every file under the folders once."""
        for folder in self.folders:
            for base, dirs, files in os.walk(folder):
                for name in (*dirs, *files):
                    self.paths.add(Path(base) / name)
                for name in files:
                    path = Path(base) / name
                    try:
                        data = path.read_bytes()
                    except OSError:  # gone between the listing and the read (a staging file placed)
                        continue
                    self.contents.setdefault(hashlib.sha256(data).hexdigest(), (path, data))
        self.scans += 1

    def _loop(self) -> None:
        while not self._stop.wait(0.005):
            self.scan()

    def __enter__(self) -> Watch:
        self.scan()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.scan()

    def leaks(self, needles: set[bytes]) -> list[tuple[str, str]]:
        """Each (file, what) where plaintext was seen: a needle in a file's bytes or name, or a file that
        starts as a picture, a PDF, a zip or a plain database does."""
        found = [
            (str(path), needle.decode("utf-8", "replace"))
            for path, data in self.contents.values()
            for needle in needles
            if needle in data
        ]
        found += [(str(p), "magic") for p, data in self.contents.values() if data.startswith(MAGIC)]
        found += [
            (str(p), n.decode())
            for p in self.paths
            for n in needles
            if n.decode("utf-8", "replace") in str(p)
        ]
        return found


def _needles(case: Case) -> set[bytes]:
    """The material's plaintext, read back from the case: what must appear nowhere on disk."""
    found: set[bytes] = {TITLE.encode(), SMS.name.encode(), *(s.name.encode() for s in SHOTS)}
    found |= {SMS.stem.encode(), *(s.stem.encode() for s in SHOTS)}
    found |= {str(e["original_name"]).encode() for e in case.exhibits()}  # the diary file's name too
    for entry in case.entries():
        found |= {m.encode() for m in re.findall(r"[0-9a-f]{64}", entry.body_text)}  # every object's hash
    for record in case.records():
        for value in (record.text, record.sender, *record.recipients):
            if isinstance(value, str) and len(value.strip()) >= 8:
                found.add(value.strip()[:24].encode("utf-8"))
        for word in re.findall(r"[A-Za-z']{7,}", record.text or ""):
            found.add(word.encode())
    for shot in SHOTS:
        data = shot.read_bytes()
        found.add(data[len(data) // 2 : len(data) // 2 + 48])
    return {n for n in found if len(n) >= 6}


@dataclass
class Flow:
    """The encrypted case after the watched steps, and what each step's watch saw."""

    case: Case
    out: Path
    watches: dict[str, Watch]
    results: dict[str, Any]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    base = tmp_path_factory.mktemp("noplain")
    private_tmp, out, root = base / "tmp", base / "out", base / "case"
    private_tmp.mkdir()
    out.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(private_tmp))  # tesseract, the OCR workers and SQLite inherit it
        mp.setattr(tempfile, "tempdir", None)  # and this process asks again
        case = Case.init(
            root, title=TITLE, tz="Europe/London", passphrase=PASS, encrypted=True, cost=vault.TEST_COST
        )
        watches: dict[str, Watch] = {}
        results: dict[str, Any] = {}
        with Watch((root, private_tmp)) as watches["import"]:
            results["import"] = case.import_files([SMS, *SHOTS], passphrase=PASS)
        with Watch((root, private_tmp)) as watches["ocr"]:
            shots = [i.exhibit for i in results["import"].items[1:]]
            results["ocr"] = case.ocr(shots, psm=6, passphrase=PASS)
        with Watch((root, private_tmp)) as watches["render"]:
            results["render"] = case.render_report()
        with Watch((root, private_tmp)) as watches["diary"]:
            results["diary"] = case.add_diary_entry(
                when="2026-11-30 08:15", text=DIARY, witness="Priya Raman", passphrase=PASS
            )
        yield Flow(case, out, watches, results)
        case.close()


def test_import_and_ocr_of_an_encrypted_case_write_no_plaintext(flow: Flow) -> None:
    items = flow.results["import"].items
    assert [i.records for i in items][1:] == [7, 8]  # the screenshots' messages, read by OCR at import
    assert [d.status for d in flow.results["ocr"]] == ["read", "read"]  # read again, from memory
    needles = _needles(flow.case)
    assert len(needles) > 40
    for step in ("import", "ocr", "render", "diary"):
        watch = flow.watches[step]
        # The long steps are scanned many times while they run; a quick one (the diary entry can take a few
        # milliseconds) at least once after it, as every step.
        assert watch.scans > (3 if step in ("import", "ocr") else 0) and watch.leaks(needles) == [], step
    staged = {p.name for p in flow.watches["import"].paths if p.parent.name == "tmp"}
    assert any(re.fullmatch(r"session-\d+-[0-9a-f]{16}-\d{6}", n) for n in staged), staged  # seen mid-import
    assert flow.results["render"].startswith(b"%PDF-")
    # The diary entry was written for its import in memory-backed storage, not in a temporary folder on disk.
    (diary,) = flow.results["diary"].items
    assert diary.records == 1 and Path(diary.path).parent.parent == memory_folder()
    assert any(DIARY[:24] in (r.text or "") for r in flow.case.records())  # and it is among the needles


def test_the_watch_finds_plaintext_in_a_plain_case(tmp_path: Path) -> None:
    """The control: the same search over a plain case while the same file is imported finds it."""
    with Case.init(tmp_path / "plain", title=TITLE, tz="Europe/London") as case:
        with Watch((tmp_path / "plain",)) as watch:
            case.import_files([SMS])
        needles = _needles(case)
    leaks = watch.leaks(needles)
    assert len({what for _, what in leaks}) >= len(needles) // 2
    assert any(
        "/objects/tmp/session-" in path for path, _ in leaks
    )  # seen while staged, before it was placed


def test_report_and_export_of_an_encrypted_case_write_no_plaintext_in_it(flow: Flow, tmp_path: Path) -> None:
    watched = (flow.case.root, Path(os.environ["TMPDIR"]))
    with Watch(watched) as report_watch, Watch((flow.out,)) as beside:
        written = flow.case.report(flow.out / "report.pdf", passphrase=PASS)
    with Watch(watched) as export_watch:
        bundle = flow.case.export(flow.out / "bundle.zip", passphrase=PASS)
    needles = _needles(flow.case)
    assert report_watch.leaks(needles) == [] and export_watch.leaks(needles) == []
    assert report_watch.scans > 3 and export_watch.scans > 3
    assert any(p.name.startswith(".report.pdf.output-") for p in beside.paths)  # staged beside its target
    assert sorted(p.name for p in flow.out.iterdir()) == ["bundle.zip", "report.pdf"]
    assert hashlib.sha256(written.path.read_bytes()).hexdigest() == written.sha256
    # The bundle holds the decrypted originals, byte for byte, and a recipient's checks pass on it.
    with zipfile.ZipFile(bundle.path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    exhibits = {hashlib.sha256(d).hexdigest() for n, d in members.items() if n.startswith("exhibits/")}
    assert exhibits == {
        str(e["sha256"]) for e in flow.case.exhibits()
    }  # the SMS file, the pictures, the diary
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in (SMS, *SHOTS)} <= exhibits
    done = run_cli("verify", str(bundle.path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = run_hand_steps(tmp_path / "hand", members)
    assert "Signature Verified Successfully" in out
    assert "SHA256SUMS: OK" in out and "FAILED" not in out
