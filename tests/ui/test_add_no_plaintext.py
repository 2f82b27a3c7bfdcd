"""Nothing decrypted reaches the disk while files are added in the app to an encrypted case (issue 20, as
issue 19 for the command line): a screenshot and an SMS export are sent one a request and imported, watched
the way ``tests/case/test_no_plaintext.py`` watches ``evidence import`` (a thread reading every file under
``TMPDIR`` and the case folder every few milliseconds), and the same plaintext is searched for.

The control: while the batch waits for its import, each file is found, byte for byte, in the app's private
folder on memory-backed storage (``/dev/shm`` or ``$XDG_RUNTIME_DIR``), so the bytes were held somewhere the
watch does not cover only because that place is memory."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from evidence.api import Case
from evidence.case.memtemp import memory_folder
from evidence.case.vault import TEST_COST
from evidence.ui.app import build_app
from evidence.ui.session import Session
from tests.case.test_no_plaintext import SHOTS, SMS, Watch, _needles
from tests.ui.conftest import ORIGIN, PORT, SAME_ORIGIN, create_case


def test_adding_files_in_the_app_writes_no_plaintext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv(
        "TMPDIR", str(private_tmp)
    )  # tesseract, the OCR workers, SQLite and multipart inherit it
    monkeypatch.setattr(tempfile, "tempdir", None)
    memory = memory_folder()
    assert memory is not None  # Linux with /dev/shm: the app holds uploads there
    session = Session(port=PORT, case_root=tmp_path / "case", cost=TEST_COST)
    files = (SMS, SHOTS[0])
    folders: set[Path] = set()
    with TestClient(build_app(session), base_url=ORIGIN) as client:
        assert create_case(client, session).status_code == 303
        assert session.case_root is not None and session.keys is not None
        with Watch((session.case_root, private_tmp)) as watch:
            batch = client.post("/add/batch", headers=SAME_ORIGIN).json()["batch"]
            for path in files:
                headers = {**SAME_ORIGIN, "x-file-name": quote(path.name)}
                sent = client.post(f"/add/file/{batch}", headers=headers, content=path.read_bytes())
                assert sent.json() == {"ok": True, "name": path.name, "size": path.stat().st_size}
                (held,) = memory.glob(f"evidence-add-*/*/{path.name}")  # the control: held in memory
                assert held.read_bytes() == path.read_bytes()
                folders.add(held.parent.parent)
            done = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)
        assert done.status_code == 200, done.text
        assert "2 new exhibits added, 56 records read" in done.text  # 49 as `evidence import` reads it, and 7
        assert len(folders) == 1 and not folders.pop().exists()  # the batch's folder is gone after the import
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        needles = _needles(case)
    assert len(needles) > 40
    assert watch.scans > 3
    assert watch.leaks(needles) == []
    staged = {p.name for p in watch.paths if p.parent.name == "tmp"}
    assert any(re.fullmatch(r"session-\d+-[0-9a-f]{16}-\d{6}", n) for n in staged), staged  # seen mid-import
