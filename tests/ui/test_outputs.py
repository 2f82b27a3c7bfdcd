"""The report builder, the export and "check something received", through the guard (Starlette's TestClient, the
real app, library, pdftoppm and verifiers): what each screen says, that the downloads are the files the case
recorded, that nothing decrypted is left on disk, and that the received-file check answers green or red in words
for our own reports and bundles, changed copies of them, and files made by others."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from evidence.api import Case
from evidence.case.formats import Kind
from evidence.case.memtemp import memory_folder
from evidence.ui.app import build_app
from evidence.ui.session import Session
from evidence.verify.bundle import verify_bundle
from evidence.verify.report import verify_report
from tests.ui.conftest import ORIGIN, PORT, SAME_ORIGIN, create_case, sign_in

PREFIXES = ("evidence-report-", "evidence-export-", "evidence-received-")  # outputs.stage's folders
RECEIVED = Path(__file__).resolve().parent.parent / "data" / "received"


@pytest.fixture
def opened(client: TestClient, session: Session, corpus: Path) -> Iterator[TestClient]:
    """An encrypted case made through the app, with two SMS Backup & Restore files written by others and a person."""
    assert create_case(client, session).status_code == 303
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files(
            [
                corpus / "smsbackup" / "sms-devadvance-sms_small.xml",
                corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml",
            ]
        )
        case.add_person("Contact A", role="respondent", ids=["+15550000001"], region="US")
    yield client


def _entries(session: Session, kind: str) -> list[dict[str, object]]:
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        return [dict(e.body) for e in case.entries() if e.kind == kind]


def _staged_now() -> set[Path]:
    base = memory_folder()
    assert base is not None, "these tests need memory-backed storage (/dev/shm or $XDG_RUNTIME_DIR)"
    return {p for p in base.iterdir() if p.name.startswith(PREFIXES)}


@pytest.fixture(autouse=True)
def _staged_before() -> Iterator[None]:
    """What a killed earlier run may have left (memtemp's known limit) is not this test's."""
    _BEFORE.clear()
    _BEFORE.update(_staged_now())
    yield


_BEFORE: set[Path] = set()


def _leftovers() -> list[Path]:
    """Private folders of this module's left in memory-backed storage by this test (none may stay)."""
    return sorted(_staged_now() - _BEFORE)


def _plaintext_in_case(root: Path, needles: list[bytes]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def _send(client: TestClient, data: bytes, name: str, headers: dict[str, str] | None = None) -> str:
    answer = client.post(
        "/check",
        content=data,
        headers={
            **(headers if headers is not None else SAME_ORIGIN),
            "content-type": "application/octet-stream",
            "x-file-name": name,
        },
    )
    assert answer.status_code in {200, 400}, answer.status_code
    return answer.text


def _build_report(client: TestClient, **form: str) -> str:
    answer = client.post("/report", headers=SAME_ORIGIN, data={"profile": "police", **form})
    assert answer.status_code == 200, answer.text[-800:]
    return answer.text


def test_the_report_form_offers_the_profiles_in_words_and_the_people(opened: TestClient) -> None:
    page = opened.get("/report").text
    for words in (
        "For the police",
        "For a lawyer or a court",
        "For a court: asking for a protective order",
        "For yourself",
    ):
        assert words in page
    assert 'value="police" aria-describedby="about-police" checked' in page  # the police report unless chosen
    assert '<option value="Contact A"' in page
    assert "This copy is meant for the other side" in page
    assert 'href="/report" aria-current="page"' in page
    for html in (page, opened.get("/export").text, opened.get("/check").text):
        assert "<style" not in html and " style=" not in html and " on" + "click=" not in html
        assert html.count("<script") == html.count('<script src="/static/')


def test_a_report_is_built_recorded_previewed_and_downloaded_with_nothing_left_behind(
    opened: TestClient, session: Session
) -> None:
    assert session.case_root is not None
    page = _build_report(opened)
    assert "Your report is ready." in page and "For the police" in page
    previews = re.findall(
        r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="Page (\d) of the report"', page
    )
    assert [n for _, n in previews] == ["1", "2", "3"]
    recorded = _entries(session, Kind.REPORT_GENERATED)
    assert len(recorded) == 1 and recorded[0]["profile"] == "police" and recorded[0]["redacted"] is False
    assert f'id="report-fingerprint">{recorded[0]["sha256"]}<' in page
    name = str(recorded[0]["file_name"])
    assert re.fullmatch(r"evidence-report-police-\d{4}-\d\d-\d\d\.pdf", name)

    download = opened.post("/report/download", headers=SAME_ORIGIN)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert download.headers["cache-control"] == "no-store"
    assert hashlib.sha256(download.content).hexdigest() == recorded[0]["sha256"]
    # Nothing decrypted stayed behind: no staging folder in memory, no PDF in the (encrypted) case folder.
    assert _leftovers() == []
    assert _plaintext_in_case(session.case_root, [b"%PDF-", b"Body text 1"]) == []
    # The download is the report the case recorded: the verifier agrees, against the case.
    saved = session.case_root.parent / name
    saved.write_bytes(download.content)
    assert verify_report(saved, session.case_root, keys=session.keys).ok


def test_report_choices_reach_the_library_and_wrong_ones_are_refused_in_words(
    opened: TestClient, session: Session
) -> None:
    page = _build_report(
        opened, person="Contact A", since="2017-12-01", until="2017-12-31", redact="on", profile="lawyer"
    )
    assert "Your report is ready." in page
    body = _entries(session, Kind.REPORT_GENERATED)[-1]
    assert body["profile"] == "lawyer" and body["redacted"] is True
    assert body["filter"] == {"since": "2017-12-01", "until": "2017-12-31", "person": "Contact A"}
    assert str(body["file_name"]).endswith("-redacted.pdf")
    backwards = opened.post(
        "/report",
        headers=SAME_ORIGIN,
        data={"profile": "police", "since": "2018-01-02", "until": "2018-01-01"},
    )
    assert backwards.status_code == 400
    assert "the To date is before the From date" in backwards.text
    nobody = opened.post("/report", headers=SAME_ORIGIN, data={"profile": "police", "person": "Nobody"})
    assert nobody.status_code == 400 and "no person called &#39;Nobody&#39; in this case" in nobody.text
    assert "Traceback" not in nobody.text
    unknown = opened.post("/report", headers=SAME_ORIGIN, data={"profile": "everyone"})
    assert unknown.status_code == 400 and "choose who the report is for" in unknown.text
    # to htmx a refusal is a 200 (htmx swaps only 2xx answers), with the same words
    htmx = opened.post("/report", headers={**SAME_ORIGIN, "hx-request": "true"}, data={"profile": "everyone"})
    assert htmx.status_code == 200 and "choose who the report is for" in htmx.text
    assert len(_entries(session, Kind.REPORT_GENERATED)) == 1  # nothing refused was recorded


def test_building_and_downloading_need_the_apps_own_page(opened: TestClient, session: Session) -> None:
    for path in ("/report", "/report/download", "/export", "/export/download", "/check"):
        for headers in (
            {"origin": "http://evil.example"},
            {},
            {"origin": ORIGIN, "sec-fetch-site": "cross-site"},
        ):
            assert opened.post(path, headers=headers, data={"profile": "police"}).status_code == 403, (
                path,
                headers,
            )
    assert _entries(session, Kind.REPORT_GENERATED) == [] and _entries(session, Kind.EXPORT_CREATED) == []


def test_a_locked_case_forgets_what_was_built(opened: TestClient, session: Session) -> None:
    _build_report(opened)
    assert opened.post("/lock", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
    answer = opened.post("/report/download", headers=SAME_ORIGIN, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/unlock"
    opened.post("/unlock", headers=SAME_ORIGIN, data={"passphrase": "maple orbit candle harbour"})
    gone = opened.post("/report/download", headers=SAME_ORIGIN)
    assert gone.status_code == 410 and "The report is no longer here" in gone.text


def test_the_export_says_what_it_holds_and_downloads_a_bundle_that_verifies(
    opened: TestClient, session: Session
) -> None:
    assert session.case_root is not None
    page = opened.get("/export").text
    assert "every original file you added (2 files, " in page
    assert "VERIFY.txt" in page and "evidence verify" in page
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        fingerprint = case.public_key.fingerprint
    assert f'id="key-fingerprint">{fingerprint}<' in page
    assert "make the report first" in page  # no report built yet: nothing to put in
    assert opened.post("/report/download", headers=SAME_ORIGIN).status_code == 410  # none built yet
    _build_report(opened)
    assert "Put the report you just made in it" in opened.get("/export").text
    built = opened.post(
        "/export", headers=SAME_ORIGIN, data={"recipient": "J. Smith, solicitor", "with_report": "on"}
    )
    assert (
        built.status_code == 200 and "The export is ready." in built.text and "with the report" in built.text
    )
    recorded = _entries(session, Kind.EXPORT_CREATED)
    assert len(recorded) == 1 and recorded[0]["recipient"] == "J. Smith, solicitor"
    name = str(recorded[0]["file_name"])
    download = opened.post("/export/download", headers=SAME_ORIGIN)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert hashlib.sha256(download.content).hexdigest() == recorded[0]["sha256"]
    members = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert "VERIFY.txt" in members and sum(m.startswith("exhibits/EX-") for m in members) == 2
    assert [m for m in members if m.startswith("report/")] == [
        f"report/{_entries(session, Kind.REPORT_GENERATED)[0]['file_name']}"
    ]
    saved = session.case_root.parent / name
    saved.write_bytes(download.content)
    checked = verify_bundle(saved)
    assert checked.ok and checked.facts["key_fingerprint"] == fingerprint
    # Downloaded to the end: removed; a second download says so.
    assert _leftovers() == []
    assert opened.post("/export/download", headers=SAME_ORIGIN).status_code == 410
    assert _plaintext_in_case(session.case_root, [b"PK\x03\x04", b"%PDF-", b"Body text 1"]) == []


def test_a_received_report_and_bundle_are_green_and_their_changed_copies_red(
    opened: TestClient, session: Session
) -> None:
    _build_report(opened)
    pdf = opened.post("/report/download", headers=SAME_ORIGIN).content
    opened.post("/export", headers=SAME_ORIGIN, data={"with_report": "on"})
    bundle = opened.post("/export/download", headers=SAME_ORIGIN).content

    page = opened.get("/check").text
    assert 'type="file"' in page and "Choose a report (PDF) or an export (zip)" in page
    assert '<script src="/static/outputs.js" defer></script>' in page

    green = _send(opened, pdf, "report%20from%20me.pdf")
    assert 'class="verdict good"' in green
    assert (
        "report from me.pdf:</strong> This report was made from this case and has not been changed since."
        in green
    )
    changed = bytearray(pdf)
    at = changed.index(b"/Producer (")  # the PDF's text is compressed: change one letter of its metadata
    changed[at + 11] ^= 0x20
    red = _send(opened, bytes(changed), "report.pdf")
    assert 'class="verdict bad"' in red and "This report does not check out" in red
    assert "UNKNOWN_REPORT" in red  # the finding names what is wrong

    good = _send(opened, bundle, "bundle.zip")
    assert "This bundle checks out: nothing in it was changed, added or removed." in good
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        assert f"signed by the key with fingerprint {case.public_key.fingerprint}" in good
    tampered = bytearray(bundle)
    at = tampered.index(b"Body text 1")
    tampered[at : at + 11] = b"Body text 9"
    bad = _send(opened, bytes(tampered), "bundle.zip")
    assert "This bundle does not check out" in bad and 'class="verdict bad"' in bad
    assert _leftovers() == []  # every received file was removed after its check


def test_files_made_by_others_are_red_in_words(opened: TestClient, corpus: Path) -> None:
    pdf = _send(opened, (RECEIVED / "shared-mime-info-spec.pdf").read_bytes(), "spec.pdf")
    assert 'class="verdict bad"' in pdf
    assert "spec.pdf:</strong> This PDF is not a report made with this toolkit" in pdf
    # pdfTeX's PDF 1.5 keeps its cross-reference in a stream, which the report reader does not follow
    assert "REPORT_UNREADABLE spec.pdf: startxref points at byte 138721" in pdf
    zipped = _send(opened, (corpus / "whatsapp" / "chatanalytics-4A_11M.zip").read_bytes(), "chat.zip")
    assert 'class="verdict bad"' in zipped and "This bundle does not check out" in zipped
    text = _send(opened, (corpus / "smsbackup" / "sms-devadvance-sms_small.xml").read_bytes(), "sms.xml")
    assert "neither a report (PDF) nor a bundle (zip)" in text and 'class="verdict bad"' in text


def test_a_report_of_another_case_is_checked_by_its_signature(
    opened: TestClient, session: Session, tmp_path: Path, corpus: Path
) -> None:
    with Case.init(tmp_path / "other", title="Other", tz="UTC") as other:
        other.import_files([corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml"])
        signed = other.report(tmp_path / "signed.pdf", sign=True)
        unsigned = other.report(tmp_path / "unsigned.pdf")
        fingerprint = other.public_key.fingerprint
    green = _send(opened, signed.path.read_bytes(), "signed.pdf")
    assert "This report was made from another case. Its signature is intact" in green
    assert f"signed by the key with fingerprint {fingerprint}" in green
    red = _send(opened, unsigned.path.read_bytes(), "unsigned.pdf")
    assert "not made from this case and is not signed" in red and "UNSIGNED_REPORT" in red


def test_a_received_file_is_refused_in_one_line_when_empty_or_not_sent_by_the_page(
    opened: TestClient,
) -> None:
    empty = _send(opened, b"", "nothing.pdf")
    assert "nothing.pdf: the file is empty" in empty
    form = opened.post(
        "/check", headers=SAME_ORIGIN, files={"received": ("r.pdf", b"%PDF-1.4", "application/pdf")}
    )
    assert form.status_code == 400 and "not sent by this page" in form.text
    sly = _send(opened, b"%PDF-1.4 x", "..%2F..%2Fetc%2Fpasswd")
    assert "passwd:</strong>" in sly  # only the base name is kept (and used for nothing but the words)


def test_a_locked_case_sends_htmx_to_the_unlock_screen(opened: TestClient) -> None:
    opened.post("/lock", headers=SAME_ORIGIN)
    answer = opened.post(
        "/report",
        headers={**SAME_ORIGIN, "hx-request": "true"},
        data={"profile": "police"},
        follow_redirects=False,
    )
    assert answer.status_code == 204 and answer.headers["hx-redirect"] == "/unlock"


def test_a_new_report_leaves_the_export_waiting_for_its_download(opened: TestClient) -> None:
    opened.post("/export", headers=SAME_ORIGIN, data={})
    _build_report(opened)
    download = opened.post("/export/download", headers=SAME_ORIGIN)
    assert download.status_code == 200 and download.content.startswith(b"PK\x03\x04")
    assert opened.post("/report/download", headers=SAME_ORIGIN).content.startswith(b"%PDF-")


def test_a_build_does_not_hold_up_other_pages(opened: TestClient) -> None:
    """While a report is being made (in a worker thread), the timeline still answers: pages asked for during the
    build come back before it ends. Were the build run on the server's event loop, none would."""
    finished: list[float] = []

    def build() -> None:
        _build_report(opened)
        finished.append(time.monotonic())

    worker = threading.Thread(target=build)
    worker.start()
    answered: list[float] = []
    while worker.is_alive():
        assert "13 entries." in opened.get("/timeline").text
        answered.append(time.monotonic())
    worker.join()
    assert finished and sum(t < finished[0] for t in answered) >= 2, (len(answered), finished)


def test_a_plain_cases_report_and_export_work_the_same(tmp_path: Path, corpus: Path) -> None:
    """A plain case stages its output in its own folder, then moves it across file systems into memory."""
    root = tmp_path / "plain"
    with Case.init(root, title="Plain one", tz="UTC") as case:
        case.import_files([corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml"])
    session = Session(port=PORT, case_root=root)
    with TestClient(build_app(session), base_url=ORIGIN) as client:
        sign_in(client, session)
        client.post("/safety", headers=SAME_ORIGIN)
        client.post("/unlock", headers=SAME_ORIGIN)
        assert "Your report is ready." in _build_report(client)
        pdf = client.post("/report/download", headers=SAME_ORIGIN).content
        (tmp_path / "r.pdf").write_bytes(pdf)
        assert verify_report(tmp_path / "r.pdf", root).ok
        assert "The export is ready." in client.post("/export", headers=SAME_ORIGIN, data={}).text
        (tmp_path / "b.zip").write_bytes(client.post("/export/download", headers=SAME_ORIGIN).content)
        assert verify_bundle(tmp_path / "b.zip").ok
    assert _leftovers() == []
    assert not list((root / "objects").rglob("output-*"))  # nothing staged left in the case


def test_nothing_decrypted_reaches_the_disk_while_the_app_builds_downloads_and_checks(
    opened: TestClient, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Watched as tests/case/test_no_plaintext.py watches the CLI: the case folder and a private TMPDIR are
    read every few milliseconds while a report and an export are made, downloaded and checked; no plaintext
    and no file starting like a PDF or zip appears there. The control: the same watch over the memory-backed
    folder sees the report and the bundle, staged there."""
    from tests.case.test_no_plaintext import Watch

    assert session.case_root is not None
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    memory = memory_folder()
    assert memory is not None
    needles = {b"Body text 1", b"Body text 5", b"Harassment by A. Morgan", b"+15550000001", b"sms-devadvance"}
    with Watch((session.case_root, private_tmp)) as disk, Watch((memory,)) as staged:
        _build_report(opened, redact="on")
        pdf = opened.post("/report/download", headers=SAME_ORIGIN).content
        opened.post("/export", headers=SAME_ORIGIN, data={"with_report": "on"})
        bundle = opened.post("/export/download", headers=SAME_ORIGIN).content
        assert "This bundle checks out" in _send(opened, bundle, "bundle.zip")
        assert "has not been changed since" in _send(opened, pdf, "report.pdf")
    assert disk.scans > 3 and disk.leaks(needles) == []
    mine = [data for path, data in staged.contents.values() if path.parent.name.startswith(PREFIXES)]
    assert any(d.startswith(b"%PDF-") for d in mine) and any(d.startswith(b"PK\x03\x04") for d in mine)
    assert _leftovers() == []


def test_an_export_of_part_of_the_case_holds_only_the_chosen_originals(
    opened: TestClient, session: Session
) -> None:
    page = opened.get("/export").text
    assert "Only part of the case (leave empty for all of it)" in page and '<option value="Contact A"' in page
    built = opened.post("/export", headers=SAME_ORIGIN, data={"person": "Contact A"})
    assert "The export is ready." in built.text and "only part of the case" in built.text
    body = _entries(session, Kind.EXPORT_CREATED)[-1]
    # By looking at the files: Contact A (+15550000001) is in the SMS file only, not the call log.
    assert body["exhibits"] == ["EX-0001"] and str(body["file_name"]).startswith("evidence-bundle-part-")
    bundle = opened.post("/export/download", headers=SAME_ORIGIN).content
    members = zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    assert [m for m in members if m.startswith("exhibits/")] == [
        "exhibits/EX-0001 sms-devadvance-sms_small.xml"
    ]
    assert "proofs.json" in members  # a selective bundle: each disclosed entry with its proof
    assert "This bundle checks out" in _send(opened, bundle, "part.zip")
    nothing = opened.post("/export", headers=SAME_ORIGIN, data={"until": "2000-01-01"})
    assert nothing.status_code == 400 and "the filters select no exhibit" in nothing.text
    backwards = opened.post(
        "/export", headers=SAME_ORIGIN, data={"since": "2018-01-02", "until": "2018-01-01"}
    )
    assert backwards.status_code == 400 and "the To date is before the From date" in backwards.text
    assert len(_entries(session, Kind.EXPORT_CREATED)) == 1


def test_a_signed_report_is_recorded_as_signed_and_checks_out_without_the_case(
    opened: TestClient, session: Session, tmp_path: Path
) -> None:
    page = _build_report(opened, sign="on")
    assert "Your report is ready.</strong> For the police, " in page and ", signed," in page
    body = _entries(session, Kind.REPORT_GENERATED)[-1]
    assert isinstance(body["signature"], dict) and body["signature"]["format"] == "PAdES B-B"
    pdf = opened.post("/report/download", headers=SAME_ORIGIN).content
    assert hashlib.sha256(pdf).hexdigest() == body["sha256"]
    (tmp_path / "signed.pdf").write_bytes(pdf)
    alone = verify_report(tmp_path / "signed.pdf", None)  # as a recipient without the case checks it
    assert alone.ok and alone.codes() == {"NEEDS_CASE"}
    green = _send(opened, pdf, "signed.pdf")
    assert "This report was made from this case and has not been changed since." in green
    assert "It is signed by the key with fingerprint" in green


def test_the_fingerprint_the_sender_gave_is_compared(opened: TestClient, session: Session) -> None:
    opened.post("/export", headers=SAME_ORIGIN, data={})
    bundle = opened.post("/export/download", headers=SAME_ORIGIN).content
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        fingerprint = case.public_key.fingerprint
    spaced = " ".join(fingerprint[i : i + 4] for i in range(0, 64, 4)).upper()  # as read out on the phone
    same = _send(opened, bundle, "b.zip", {**SAME_ORIGIN, "x-expect-key": spaced.replace(" ", "%20")})
    assert 'class="verdict good"' in same and "signed by the key whose fingerprint you were given" in same
    other = _send(opened, bundle, "b.zip", {**SAME_ORIGIN, "x-expect-key": "0" * 64})
    assert 'class="verdict bad"' in other
    assert (
        "It was not signed by the key whose fingerprint you were given" in other
        and "KEY_NOT_EXPECTED" in other
    )
    typo = _send(opened, bundle, "b.zip", {**SAME_ORIGIN, "x-expect-key": "12345"})
    assert "the fingerprint you typed is not one" in typo


def test_what_was_built_is_forgotten_after_fifteen_minutes(opened: TestClient) -> None:
    from evidence.ui.output_routes import HELD_SECONDS, Outputs

    app = opened.app
    assert isinstance(app, Starlette)
    (held,) = {r.endpoint.__self__ for r in app.routes if isinstance(r, Route) and r.path == "/report"}
    assert isinstance(held, Outputs) and HELD_SECONDS == 15 * 60
    _build_report(opened)
    opened.post("/export", headers=SAME_ORIGIN, data={})
    assert held.export is not None and held.export.path.is_file()
    folder = held.export.staged.path
    held._made_at -= HELD_SECONDS  # the test moves the clock: fifteen minutes have passed
    assert opened.post("/report/download", headers=SAME_ORIGIN).status_code == 410
    assert opened.post("/export/download", headers=SAME_ORIGIN).status_code == 410
    assert not folder.exists() and held.report is None and held.export is None


def test_the_idle_lock_removes_a_held_bundle_at_once(opened: TestClient, session: Session) -> None:
    """The bundle's folder (every original, decrypted) goes when the case locks, not at the next request to
    these screens: a window left open and idle keeps sending heartbeats only."""
    assert opened.post("/export", headers=SAME_ORIGIN, data={}).status_code == 200
    assert _leftovers(), "the bundle is held in memory-backed storage until downloaded"
    session.idle_seconds = 0
    assert opened.post("/heartbeat", headers=SAME_ORIGIN).json() == {"locked": True}
    assert _leftovers() == []
