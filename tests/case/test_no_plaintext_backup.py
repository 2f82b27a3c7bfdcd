"""Nothing decrypted is written to disk when an encrypted case imports an iPhone backup (plain and encrypted) or
an e-mail re-saved as UTF-16 (issue 19), watched as ``test_no_plaintext.py`` watches (``Watch``), and more:
the files this process holds open under the watched folders are read too (``/proc/self/fd``), so a temporary
file removed while still open (``tempfile.TemporaryFile``, which has no name on Linux) is seen.

The material: the iPhone test backups (tests/data/iphone/README.md: the real Magnet CTF ``sms.db``, NIST's
address book, two real pictures as attachments; ``encrypted-backup`` is the same backup encrypted as iOS does) and
a real message of the shared corpus (``email/hunnysoft-m0004.eml``, SOURCES.md) re-saved as UTF-16.

Where the backup went instead is watched too: the packed zip, and the decryption library's own copy of
``Manifest.db``, are in memory-backed storage (``memtemp.memory_folder``) while the import runs, and gone after.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.case.memtemp import memory_folder, require_room
from evidence.errors import ExitCode, StorageError
from evidence.importers._iphone_backup_folder import PASSWORD_ENV
from tests.case.test_no_plaintext import Watch
from tests.conftest import CORPUS, run_cli

PASS = "correct horse battery staple"
TITLE = "Harassment by A. Morgan"
IPHONE = Path(__file__).resolve().parents[1] / "data" / "iphone"
BACKUPS = (IPHONE / "built-backup", IPHONE / "encrypted-backup")
BACKUP_PASSWORD = "correct horse battery staple"  # build_encrypted_backup.py's
EMAIL = CORPUS / "email" / "hunnysoft-m0004.eml"


class FdWatch(Watch):
    """A ``Watch`` that also reads the files this process holds open under the watched folders, named or not."""

    def scan(self) -> None:
        super().scan()
        try:
            fds = os.listdir("/proc/self/fd")
        except OSError:
            return
        roots = tuple(str(f) for f in self.folders)
        for fd in fds:
            link = f"/proc/self/fd/{fd}"
            try:
                target = os.readlink(link)
                if not target.startswith(roots):
                    continue
                with open(link, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            self.paths.add(Path(target))
            self.contents.setdefault(f"fd:{target}:{hash(data)}", (Path(target), data))


@dataclass
class MemoryWatch:
    """Lists, every millisecond or so, what appears in the memory-backed folder that was not there before."""

    folder: Path
    before: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # paths relative to the folder
    _stop: threading.Event = field(default_factory=threading.Event)

    def scan(self) -> None:
        for entry in set(os.listdir(self.folder)) - self.before:
            for base, _, files in os.walk(self.folder / entry):
                self.seen.update(str(Path(base, f).relative_to(self.folder)) for f in files)

    def _loop(self) -> None:
        while not self._stop.wait(0.001):
            self.scan()

    def __enter__(self) -> MemoryWatch:
        self.before = set(os.listdir(self.folder))
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def left(self) -> set[str]:
        """What appeared during the watch and is still there."""
        return set(os.listdir(self.folder)) - self.before


def _needles(case: Case) -> set[bytes]:
    """The material's plaintext, read back from the case: what must appear nowhere on disk."""
    found: set[bytes] = {TITLE.encode(), EMAIL.name.encode(), *(b.name.encode() for b in BACKUPS)}
    found |= {str(e["original_name"]).encode() for e in case.exhibits()}
    for entry in case.entries():
        found |= {m.encode() for m in re.findall(r"[0-9a-f]{64}", entry.body_text)}  # every object's hash
    for record in case.records():
        for value in (record.text, record.sender, record.subject, *record.recipients):
            if isinstance(value, str) and len(value.strip()) >= 8:
                found.add(value.strip()[:24].encode("utf-8"))
        for word in re.findall(r"[A-Za-z']{7,}", record.text or ""):
            found.add(word.encode())
        device = record.raw.get("backup", {}) if isinstance(record.raw, dict) else {}
        found |= {str(device[k]).encode() for k in ("device_name", "serial_number", "udid") if k in device}
    return {n for n in found if len(n) >= 6}


@dataclass
class Flow:
    case: Case
    watch: FdWatch
    memory: MemoryWatch
    result: Any


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    base = tmp_path_factory.mktemp("noplainbackup")
    private_tmp, inputs, root = base / "tmp", base / "inputs", base / "case"
    private_tmp.mkdir()
    inputs.mkdir()
    utf16 = inputs / "m0004-resaved-unicode.eml"  # as an editor saves "Unicode": UTF-16 LE with a BOM
    utf16.write_bytes(b"\xff\xfe" + EMAIL.read_bytes().decode("latin-1").encode("utf-16-le"))
    memory = memory_folder()
    assert memory is not None, "this test needs /dev/shm or $XDG_RUNTIME_DIR on tmpfs"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(private_tmp))
        mp.setattr(tempfile, "tempdir", None)
        mp.setenv(PASSWORD_ENV, BACKUP_PASSWORD)
        case = Case.init(
            root, title=TITLE, tz="Europe/London", passphrase=PASS, encrypted=True, cost=vault.TEST_COST
        )
        with FdWatch((root, private_tmp)) as watch, MemoryWatch(memory) as in_memory:
            result = case.import_files([*BACKUPS, utf16], passphrase=PASS)
        yield Flow(case, watch, in_memory, result)
        case.close()


def test_iphone_backups_and_utf16_mail_into_an_encrypted_case_write_no_plaintext(flow: Flow) -> None:
    built, encrypted, mail = flow.result.items
    assert built.importer == encrypted.importer == "iphone-backup"
    assert built.records == encrypted.records == 105 + 5  # sms.db's messages, CallHistory's dated calls
    assert mail.importer == "email" and mail.records == 1
    assert mail.warnings[0].message.startswith("the file is UTF-16 text (utf-16-le)")
    needles = _needles(flow.case)
    assert b"Kim's iPhone" in needles  # the device's name, the mail's subject (its UTF-8 transcoding), words
    assert b"Die Hasen und die Fr\xc3\xb6sch" in needles and b"Sprecher" in needles
    assert len(needles) > 150
    assert flow.watch.scans > 3
    assert flow.watch.leaks(needles) == []


def test_the_backups_were_packed_and_decrypted_in_memory_and_nothing_is_left_there(flow: Flow) -> None:
    seen = flow.memory.seen
    for backup in BACKUPS:
        zips = [
            p for p in seen if re.fullmatch(rf"evidence-backup-[^/]+/{backup.name}\.iphone-backup\.zip", p)
        ]
        assert zips, seen
    # iphone_backup_decrypt's own decrypted Manifest.db (it writes one into tempfile.mkdtemp()).
    assert any(re.fullmatch(r"tmp[^/]+/Manifest\.db", p) for p in seen), seen
    assert flow.memory.left() == set()


def test_a_backup_too_large_for_memory_is_refused_in_one_line(tmp_path: Path) -> None:
    """A backup whose selection does not fit in memory-backed storage is refused before anything is read or
    written: here an attachment made (sparse, no disk used) larger than the memory folder's free space."""
    memory = memory_folder()
    assert memory is not None
    backup = tmp_path / "big-backup"
    shutil.copytree(BACKUPS[0], backup)
    stat = os.statvfs(memory)
    huge = stat.f_bavail * stat.f_frsize + 2 * 1024**3
    attachment = next(p for p in (backup / "31").iterdir())  # one of the two pictures sms.db names
    os.truncate(attachment, huge)
    env = {"EVIDENCE_PASSPHRASE": PASS}
    case = tmp_path / "case"
    made = run_cli("init", str(case), "--title", "t", "--tz", "UTC", env=env)
    assert made.returncode == 0, made.stderr
    before = set(os.listdir(memory))
    # No file of the import may grow past 64 MiB (RLIMIT_FSIZE): were the check to fail, the import would stop at
    # once instead of filling the disk with the sparse file's zeros.
    done = subprocess.run(
        [sys.executable, "-m", "evidence", "-C", str(case), "import", str(backup)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20)),
        check=False,
    )
    assert done.returncode == ExitCode.STORAGE, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {backup}: the backup's messages, calls and attachments need "), lines
    assert "of memory to be read without writing them decrypted to disk, and only " in lines[0]
    assert f"free in {memory}" in lines[0] or "of memory available" in lines[0]
    assert "Traceback" not in done.stderr
    assert set(os.listdir(memory)) == before
    with Case.open(case, passphrase=PASS) as opened:
        assert opened.exhibits() == []


def test_require_room_names_what_does_not_fit(tmp_path: Path) -> None:
    memory = memory_folder()
    assert memory is not None
    stat = os.statvfs(memory)
    free = stat.f_bavail * stat.f_frsize
    require_room(memory, 1024, 0, what="the test's files", path=tmp_path)  # fits: no error
    with pytest.raises(StorageError) as refused:
        require_room(memory, free + 10**9, 0, what="the test's files", path=tmp_path)
    assert refused.value.path == str(tmp_path)
    assert refused.value.message.startswith("the test's files need ")
    assert refused.value.hint is not None and "more memory" in refused.value.hint


def test_the_encrypted_case_stores_and_reads_the_backup_as_a_plain_case_does(
    flow: Flow, tmp_path: Path
) -> None:
    """Packed in memory and read from memory, the backup is the same exhibit (the same zip, byte for byte) with
    the same records as in a plain case, which packs it in the temporary folder and reads its staged copy."""
    with Case.init(tmp_path / "plain", title=TITLE, tz="Europe/London") as plain:
        (item,) = plain.import_files([BACKUPS[0]]).items
        assert item.sha256 == flow.result.items[0].sha256
        expected = [r.to_json() for r in plain.records()]
    got = [r.to_json() for r in flow.case.records() if r.to_json()["item_sha256"] == item.sha256]
    assert len(got) == 110 and got == expected


def test_a_failure_after_the_library_decrypted_manifest_db_leaves_nothing_in_memory(tmp_path: Path) -> None:
    """pyiosbackup's encrypted test backup (written by others): its password opens the keybag, then
    iphone_backup_decrypt refuses its Manifest.db after making its temporary copy (in memory, in an encrypted
    case). One line, exit 3, and nothing of it left in memory once the command has ended."""
    memory = memory_folder()
    assert memory is not None
    env = {"EVIDENCE_PASSPHRASE": PASS}
    case = tmp_path / "case"
    assert run_cli("init", str(case), "--title", "t", "--tz", "UTC", env=env).returncode == 0
    before = set(os.listdir(memory))
    done = run_cli(
        "-C", str(case), "import", str(IPHONE / "encrypted-pyiosbackup"), env={**env, PASSWORD_ENV: "0000"}
    )
    assert done.returncode == ExitCode.INPUT, done.stderr
    assert done.stderr.splitlines()[0].startswith(
        f"error: {IPHONE / 'encrypted-pyiosbackup'}: the encrypted backup cannot be opened (Invalid CBC padding"
    )
    assert (
        "Traceback" not in done.stderr
        and "Exception ignored" not in done.stderr
        and "WARN" not in done.stdout
    )
    assert set(os.listdir(memory)) == before
