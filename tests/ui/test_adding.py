"""The "Add evidence" routes and the exhibit page, through the guard (Starlette's TestClient, the real app,
library, Tesseract and SQLCipher): files sent one a request into an encrypted case, imported all together or
not at all, the result in words; the size limit; the exhibit page with its picture and boxes. The files are
real, written by others (/work/shared/corpus/SOURCES.md); expected values were read off the files."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from evidence.api import Case
from evidence.case.memtemp import memory_folder
from evidence.ui import adding_views, uploads
from evidence.ui.session import Session
from tests.conftest import ROOT
from tests.ui.conftest import SAME_ORIGIN, create_case

SMS = Path("smsbackup/sms-devadvance-sms_small.xml")  # 12 SMS (by looking: 12 <sms> elements)
SHOT = Path("screenshots-real/fossifymessages-2_en-US.png")  # Fossify Messages' store picture: 6 bubbles
MALFORMED = Path("smsbackup/sms-shruggietech-malformed.xml")  # an unclosed tag at line 4
MODIFIED_MS = 1_512_226_167_463  # 2017-12-02 14:49:27.463 UTC, what the browser says of the file


def start(client: TestClient) -> str:
    answer = client.post("/add/batch", headers=SAME_ORIGIN)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["batch"])


def send(client: TestClient, batch: str, path: Path, *, name: str | None = None, body: Any = None) -> Any:
    headers = {
        **SAME_ORIGIN,
        "x-file-name": quote(path.name if name is None else name),
        "x-last-modified": str(MODIFIED_MS),
    }
    return client.post(
        f"/add/file/{batch}", headers=headers, content=path.read_bytes() if body is None else body
    )


def add(client: TestClient, files: Iterable[Path]) -> Any:
    """Send ``files`` in one batch and import them: the import's answer."""
    batch = start(client)
    for path in files:
        assert send(client, batch, path).json()["ok"]
    return client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)


def exhibits(session: Session) -> list[dict[str, Any]]:
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        return case.exhibits()


def test_the_page_needs_the_open_case_and_says_the_limit(client: TestClient, session: Session) -> None:
    assert create_case(client, session).status_code == 303
    page = client.get("/add").text
    assert "<h1>Add evidence</h1>" in page and "At most 200 MB a file." in page
    assert 'for="files"' in page and 'id="files" type="file" multiple' in page and "webkitdirectory" in page
    assert '<script src="/static/add.js" defer></script>' in page and "/static/add.css" in page
    assert "<style" not in page and " style=" not in page and page.count("<script") == 3
    assert 'aria-current="page">Add evidence</a>' in page
    client.post("/lock", headers=SAME_ORIGIN)
    assert client.get("/add", follow_redirects=False).headers["location"] == "/unlock"
    assert client.post("/add/batch", headers=SAME_ORIGIN).status_code == 409


def test_files_sent_one_by_one_are_imported_together_with_their_names(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    answer = add(client, [corpus / SMS, corpus / SHOT])
    assert answer.status_code == 200
    html = answer.text
    # 12 SMS and the screenshot's 7 records (6 bubbles and the whole picture's text): 19
    assert "2 new exhibits added, 19 records read, 3 warnings." in html
    assert (
        '<a href="/exhibit/EX-0001">EX-0001</a> <span class="file-name">sms-devadvance-sms_small.xml' in html
    )
    assert "12 records read</span> (12 of 12 elements read)" in html
    assert (
        '<a href="/exhibit/EX-0002">EX-0002</a> <span class="file-name">fossifymessages-2_en-US.png' in html
    )
    assert (
        "7 records read</span> (1 of 1 picture read)" in html
        and "no date on the screen; marked date unknown" in html
    )  # warnings in full
    stored = exhibits(session)
    assert [e["original_name"] for e in stored] == [SMS.name, SHOT.name]  # the names are kept (evidence)
    assert [e["sha256"] for e in stored] == [
        hashlib.sha256((corpus / p).read_bytes()).hexdigest() for p in (SMS, SHOT)
    ]
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (acquired,) = case.show("EX-0001")["acquisitions"]
    assert (
        acquired["original_path"] == "(added in the app) sms-devadvance-sms_small.xml"
    )  # not where it was held
    assert acquired["file_mtime"] == "2017-12-02T14:49:27.463000+00:00"  # the time the browser gave


def test_a_file_already_in_the_case_is_said_so_and_not_read_twice(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert add(client, [corpus / SMS]).status_code == 200
    again = add(client, [corpus / SMS]).text
    assert "0 new exhibits added, 0 records read, 1 file was already in the case, 0 warnings." in again
    assert 'Already in the case as <a href="/exhibit/EX-0001">EX-0001</a>' in again
    assert len(exhibits(session)) == 1


def test_one_unreadable_file_means_nothing_is_added_and_says_which(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    answer = add(client, [corpus / SMS, corpus / MALFORMED])
    assert answer.status_code == 400
    assert '<h2 id="result-heading" tabindex="-1">Nothing was added</h2>' in answer.text
    failure = re.search(r'<p id="failure">(.*?)</p>', answer.text)
    assert failure is not None
    assert failure.group(1).startswith("sms-shruggietech-malformed.xml: unreadable XML at line 4, column 3")
    assert (
        "/dev/shm" not in answer.text
        and "evidence-add-" not in answer.text
        and "Traceback" not in answer.text
    )
    assert exhibits(session) == []  # the good file was not added either: all or nothing
    # the batch is gone: its files cannot be imported later
    assert client.post(f"/add/import/{start(client)}", headers=SAME_ORIGIN).status_code == 400


def test_a_file_over_the_limit_is_refused_in_one_line(
    client: TestClient, session: Session, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 10_000)  # the shot is 1.5 MB, the SMS file 3.7 kB
    assert create_case(client, session).status_code == 303
    batch = start(client)
    assert send(client, batch, corpus / SMS).json()["ok"]
    announced = send(client, batch, corpus / SHOT)
    assert announced.status_code == 400
    assert announced.json()["error"] == (
        "fossifymessages-2_en-US.png: too big to add here (1.5 MB; the limit is 10 kB a file) "
        "(evidence import, on the command line, has no such limit)"
    )
    done = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)
    assert done.status_code == 400 and "too big to add here" in done.text and "Nothing was added" in done.text
    assert exhibits(session) == []
    # A body sent without its length (chunked) is stopped as it grows past the limit.
    data = (corpus / SHOT).read_bytes()
    chunked = send(client, start(client), corpus / SHOT, body=iter([data[:8000], data[8000:16000]]))
    assert chunked.status_code == 400
    assert "more than 10 kB, the limit a file" in chunked.json()["error"]


def test_uploads_are_refused_from_another_origin_and_bad_names(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    batch = start(client)
    for headers in ({"origin": "http://evil.example"}, {}):
        assert client.post("/add/batch", headers=headers).status_code == 403
        refused = client.post(
            f"/add/file/{batch}", headers={**headers, "x-file-name": "a.xml"}, content=b"<smses/>"
        )
        assert refused.status_code == 403
        assert client.post(f"/add/import/{batch}", headers=headers).status_code == 403
    for name in ("..", "", "a\x00b"):
        bad = send(client, batch, corpus / SMS, name=name)
        assert bad.status_code == 400 and "this file name cannot be kept as it is" in bad.json()["error"]
    assert client.post(f"/add/import/{batch}", headers=SAME_ORIGIN).status_code == 400
    assert exhibits(session) == []
    assert client.post("/add/file/no-such-batch", headers=SAME_ORIGIN, content=b"x").status_code == 404


def test_the_exhibit_page_of_a_screenshot_draws_the_read_messages(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert add(client, [corpus / SMS, corpus / SHOT]).status_code == 200
    page = client.get("/exhibit/EX-0002").text
    assert '<dd id="file-name">fossifymessages-2_en-US.png</dd>' in page
    assert hashlib.sha256((corpus / SHOT).read_bytes()).hexdigest() in page
    assert re.search(r'<dd id="added-when"><time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d</time>', page)
    assert "Screenshots and pictures" in page
    # The picture is 1080x2400; six bubbles read, by looking: received, sent (a photo), received, sent, received, sent
    assert 'viewBox="0 0 1080 2400"' in page and page.count('<g class="box ') == 6
    assert re.findall(r'class="box (box-\w+)"', page) == ["box-in", "box-out"] * 3
    read = re.findall(r'<li value="(\d)"><span class="direction">([^<]+)</span> ([^<]+)</li>', page)
    assert read[0] == ("1", "received", "Hey Naveen! No, I haven&#39;t. Is it good?")
    assert read[3] == ("4", "sent by you", "Absolutely! How about next Saturday?")
    assert "7 records." in page and "to Mia Zhang" in page
    for when in re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", when)
    picture = client.get("/exhibit/EX-0002/picture")
    assert picture.content == (corpus / SHOT).read_bytes()
    assert picture.headers["content-type"] == "image/png" and picture.headers["cache-control"] == "no-store"
    # The SMS file: no picture, its records with the time's offset; not served as a picture.
    sms = client.get("/exhibit/ex-0001").text
    assert "<svg" not in sms and "12 records." in sms and "SMS Backup &amp; Restore" in sms
    assert client.get("/exhibit/EX-0001/picture").status_code == 404
    unknown = client.get("/exhibit/EX-0099")
    assert unknown.status_code == 404 and "no exhibit &#39;EX-0099&#39; in this case" in unknown.text
    client.post("/lock", headers=SAME_ORIGIN)
    assert client.get("/exhibit/EX-0002/picture").status_code == 403  # locked: no picture without the key


def test_a_picture_read_without_its_layout_says_no_boxes_are_kept(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert add(client, [corpus / SHOT]).status_code == 200
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        (done,) = case.ocr(["EX-0001"], psm=6)  # read again as one block of text: the newest reading
    assert done.status == "read"
    page = client.get("/exhibit/EX-0001").text
    assert "The case keeps no positions for what was read from this picture" in page
    assert "<rect " not in page and 'id="ocr-text"' in page and "Saturday" in page


def test_the_timeline_rows_link_to_their_exhibit(client: TestClient, session: Session, corpus: Path) -> None:
    assert create_case(client, session).status_code == 303
    assert add(client, [corpus / SMS]).status_code == 200
    timeline = client.get("/timeline").text
    assert "12 entries." in timeline
    links = re.findall(r'<div class="where"><a href="(/exhibit/[^"]+)">EX-0001 ', timeline)
    assert links == ["/exhibit/EX-0001"] * 12


def test_the_demo_files_go_through_the_app_as_through_make_demo(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    """What `make demo` imports (everything make_samples.py writes but case.json), sent through the page's
    routes: each file one exhibit, with the counts samples/README.md gives (42 SMS and 1 MMS, 78 calls in each
    log, 14 diary entries, 4 e-mails)."""
    samples = tmp_path / "samples"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_samples.py"), str(samples)], check=True)
    files = sorted(p for p in samples.iterdir() if p.name != "case.json" and not p.name.startswith("."))
    assert len(files) == 12
    assert create_case(client, session).status_code == 303
    answer = add(client, files)
    assert answer.status_code == 200
    assert "12 new exhibits added" in answer.text
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        counts = {str(e["original_name"]): 0 for e in case.exhibits()}
        names = {e["sha256"]: str(e["original_name"]) for e in case.exhibits()}
        for record in case.records():
            counts[names[record.item_sha256]] += 1
    assert sorted(counts) == [p.name for p in files]  # every name kept, spaces and brackets included
    assert counts["sms-20260415093000.xml"] == 43
    assert counts["calls-20260415093000.xml"] == counts["call-log-carrier.csv"] == 78
    assert counts["diary.json"] == 14 and counts["alex-emails.mbox"] == 4


def test_an_iphone_backup_folder_is_not_added_as_loose_files(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    batch = start(client)
    for shown in (
        "Phone backup/Info.plist",
        "Phone backup/Manifest.db",
        "Phone backup/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28",
    ):
        headers = {**SAME_ORIGIN, "x-file-name": quote(shown.rsplit("/", 1)[1]), "x-shown-as": quote(shown)}
        assert client.post(f"/add/file/{batch}", headers=headers, content=(corpus / SMS).read_bytes()).json()[
            "ok"
        ]
    done = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)
    assert done.status_code == 400
    assert "Phone backup: this folder is an iPhone backup, which is read as one whole" in done.text
    assert exhibits(session) == []


def test_a_bug_while_reading_is_said_as_one_and_nothing_is_added(
    client: TestClient, session: Session, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crashing stand-in for the import (as OCRmyPDF's fault-injecting stand-ins): the page says it is a bug,
    with no trace in the page, and the batch's files are gone from memory."""

    def crash(*_: object) -> None:
        raise RuntimeError("an importer's own mistake")

    assert create_case(client, session).status_code == 303
    batch = start(client)
    assert send(client, batch, corpus / SMS).json()["ok"]
    memory = memory_folder()
    assert memory is not None
    (held,) = memory.glob(f"evidence-add-*/*/{SMS.name}")
    monkeypatch.setattr(adding_views, "import_batch", crash)
    done = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)
    assert done.status_code == 500
    assert "Nothing was added" in done.text and "(RuntimeError): a bug in evidence" in done.text
    assert "Traceback" not in done.text and "mistake" not in done.text
    assert exhibits(session) == []
    assert not held.parent.parent.exists()  # the batch's folder, removed


def test_a_file_chosen_in_a_folder_is_recorded_with_the_folders_name(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    batch = start(client)
    shown = "Jordan’s phone/backups/" + SMS.name  # as the browser gives a folder's file: its path inside it
    headers = {**SAME_ORIGIN, "x-file-name": quote(SMS.name), "x-shown-as": quote(shown)}
    assert client.post(f"/add/file/{batch}", headers=headers, content=(corpus / SMS).read_bytes()).json()[
        "ok"
    ]
    done = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN).text
    assert f'<span class="file-name">{shown}</span>' in done
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (acquired,) = case.show("EX-0001")["acquisitions"]
    assert acquired["original_name"] == SMS.name
    assert acquired["original_path"] == "(added in the app) " + shown


def test_files_sent_but_not_added_are_removed_when_the_case_locks(
    client: TestClient, session: Session, corpus: Path
) -> None:
    """Files sent by a window then left (Leave now, or the idle lock before "Add these files") are removed from
    memory-backed storage at the lock itself."""
    assert create_case(client, session).status_code == 303
    base = memory_folder()
    assert base is not None
    before = {p for p in base.iterdir() if p.name.startswith("evidence-add-")}
    batch = start(client)
    assert send(client, batch, corpus / SMS).json()["ok"]
    held = {p for p in base.iterdir() if p.name.startswith("evidence-add-")} - before
    assert len(held) == 1 and any(p.is_file() for p in next(iter(held)).rglob("*"))
    assert client.post("/leave", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
    assert not next(iter(held)).exists()
