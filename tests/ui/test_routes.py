"""Each security rule of the app, one route test each (Starlette's TestClient, the real app and library):
the one-time start token, the cookie, Host (DNS rebinding), Origin (CSRF), the headers, the idle lock; and
the create and unlock forms' refusals."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.testclient import TestClient

from evidence.api import Case, is_case
from evidence.case.vault import TEST_COST
from evidence.ui.app import build_app
from evidence.ui.guard import CSP
from evidence.ui.session import Session
from tests.ui.conftest import ORIGIN, PASSPHRASE, PORT, SAME_ORIGIN, create_case, sign_in


def test_the_start_token_becomes_an_httponly_strict_cookie_and_leaves_the_address(
    client: TestClient, session: Session
) -> None:
    answer = client.get(f"/start/{session.start_token}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"  # the token is no longer in the address bar
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"evidence_session={session.cookie_value};")
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert session.start_token not in cookie
    assert client.get("/", follow_redirects=True).url.path == "/safety"


def test_a_used_start_token_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    stranger = TestClient(client.app, base_url=ORIGIN)
    again = stranger.get(f"/start/{session.start_token}", follow_redirects=False)
    assert again.status_code == 403
    assert "set-cookie" not in again.headers
    assert stranger.get("/safety").status_code == 403


def test_a_wrong_or_missing_token_is_refused(client: TestClient, session: Session) -> None:
    wrong = client.get("/start/" + "x" * 43, follow_redirects=False)
    assert wrong.status_code == 403
    assert "set-cookie" not in wrong.headers
    assert client.get("/start/", follow_redirects=False).status_code in {403, 404}
    assert client.get("/", follow_redirects=False).status_code == 403  # no cookie at all
    # a wrong guess does not use up the right token
    assert client.get(f"/start/{session.start_token}", follow_redirects=False).status_code == 303


def test_a_wrong_cookie_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    client.cookies.set("evidence_session", "not-the-session")
    answer = client.get("/timeline", follow_redirects=False)
    assert answer.status_code == 403
    assert "not signed in" in answer.text


def test_any_other_host_is_refused_dns_rebinding(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    for host in ("evil.example", f"evil.example:{PORT}", f"localhost:{PORT}", "127.0.0.1:1", "127.0.0.1"):
        answer = client.get("/safety", headers={"host": host}, follow_redirects=False)
        assert answer.status_code == 421, host
    assert client.get("/safety").status_code == 200  # the right host, the same cookie


def test_a_change_from_another_origin_is_refused_csrf(client: TestClient, session: Session) -> None:
    assert create_case(client, session).status_code == 303
    assert session.unlocked
    refused: list[dict[str, str]] = [
        {"origin": "http://evil.example"},
        {"origin": "http://localhost:" + str(PORT)},
        {"origin": "null"},  # a sandboxed frame or a file: page
        {"origin": "null", "sec-fetch-site": "cross-site"},
        {"origin": ORIGIN, "sec-fetch-site": "cross-site"},
        {"origin": ORIGIN, "sec-fetch-site": "same-site"},
        {"sec-fetch-site": "same-origin"},  # no Origin at all
        {},
    ]
    for headers in refused:
        answer = client.post("/lock", headers=headers, follow_redirects=False)
        assert answer.status_code == 403, headers
        assert session.unlocked, headers  # the refused request changed nothing
    # The app's own form under Referrer-Policy: no-referrer: the browser sends Origin null and Sec-Fetch-Site.
    own_form = {"origin": "null", "sec-fetch-site": "same-origin"}
    answer = client.post("/lock", headers=own_form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/unlock"
    assert not session.unlocked
    assert session.keys is None


def test_every_answer_carries_the_security_headers(client: TestClient, session: Session) -> None:
    answers = [client.get("/"), client.get("/static/app.js")]  # a refusal (no cookie) and a file
    sign_in(client, session)
    answers += [client.get("/safety"), client.get("/create"), client.get("/nowhere")]
    for answer in answers:
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert "script-src 'self';" in CSP and "style-src 'self';" in CSP and "default-src 'none'" in CSP


def test_pages_have_no_inline_script_or_style(client: TestClient, session: Session) -> None:
    assert create_case(client, session).status_code == 303
    pages = [client.get(path).text for path in ("/safety", "/timeline", "/verify")]
    pages.append(client.post("/verify", headers=SAME_ORIGIN).text)
    client.post("/lock", headers=SAME_ORIGIN)
    pages.append(client.get("/unlock").text)
    for html in pages:
        assert "<style" not in html and " style=" not in html
        assert html.count("<script") == html.count('<script src="/static/') == 2
        assert " on" + "click=" not in html and "javascript:" not in html


def test_create_refuses_two_different_passphrases(client: TestClient, session: Session) -> None:
    answer = create_case(client, session, passphrase2=PASSPHRASE + "x")
    assert answer.status_code == 400
    assert "The two passphrases are not the same" in answer.text
    assert session.case_root is not None and not is_case(session.case_root)
    assert not session.unlocked


def test_create_makes_an_encrypted_case_with_the_facts_given(client: TestClient, session: Session) -> None:
    answer = create_case(client, session)
    assert answer.headers["location"] == "/timeline"
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, passphrase=PASSPHRASE) as case:
        assert case.keys is not None  # encrypted: it opened only with the passphrase
        assert case.title == "Harassment by A. Morgan"
        assert str(case.tz) == "Europe/London"
    assert "Nothing here yet." in client.get("/timeline").text


def test_the_strength_hint_is_the_librarys(client: TestClient, session: Session) -> None:
    sign_in(client, session)
    weak = client.post("/strength", headers=SAME_ORIGIN, data={"passphrase": "password1"}).text
    assert weak.startswith("This passphrase is weak")
    strong = client.post("/strength", headers=SAME_ORIGIN, data={"passphrase": PASSPHRASE}).text
    assert strong.startswith("This passphrase is strong")


def test_the_idle_lock_forgets_the_key_and_shows_the_unlock_screen(
    client: TestClient, session: Session
) -> None:
    session.idle_seconds = 0.4  # the test's short idle time (a parameter, not a user setting)
    assert create_case(client, session).status_code == 303
    assert client.post("/heartbeat", headers=SAME_ORIGIN).json() == {"locked": False}
    time.sleep(0.5)
    assert client.post("/heartbeat", headers=SAME_ORIGIN).json() == {"locked": True}
    assert session.keys is None
    answer = client.get("/timeline", follow_redirects=False)
    assert answer.headers["location"] == "/unlock"
    page = client.get("/unlock?idle=1").text
    assert "locked because nothing was done for a while" in page
    assert 'type="password"' in page


def test_a_heartbeat_is_not_activity(client: TestClient, session: Session) -> None:
    session.idle_seconds = 0.6
    assert create_case(client, session).status_code == 303
    for _ in range(4):  # an open window beating for longer than the idle time still locks
        client.post("/heartbeat", headers=SAME_ORIGIN)
        time.sleep(0.2)
    assert not session.unlocked


def test_unlock_refuses_a_wrong_passphrase_and_opens_with_the_right_one(
    client: TestClient, session: Session
) -> None:
    assert create_case(client, session).status_code == 303
    client.post("/lock", headers=SAME_ORIGIN)
    wrong = client.post(
        "/unlock", headers=SAME_ORIGIN, data={"passphrase": "not it at all"}, follow_redirects=False
    )
    assert wrong.status_code == 400
    assert "That passphrase did not open the case" in wrong.text
    assert not session.unlocked
    right = client.post(
        "/unlock", headers=SAME_ORIGIN, data={"passphrase": PASSPHRASE}, follow_redirects=False
    )
    assert right.headers["location"] == "/timeline"
    assert session.unlocked and session.keys is not None


def test_leave_now_locks_and_goes_to_a_neutral_site(client: TestClient, session: Session) -> None:
    assert create_case(client, session).status_code == 303
    answer = client.post("/leave", headers=SAME_ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("https://www.bbc.co.uk/")
    assert not session.unlocked and session.keys is None


def test_a_case_given_with_C_is_unlocked_not_created(tmp_path: Path, session: Session) -> None:
    root = tmp_path / "given"
    Case.init(root, title="Given", tz="UTC", passphrase=PASSPHRASE, encrypted=True, cost=TEST_COST).close()
    session.case_root = root
    with TestClient(build_app(session), base_url=ORIGIN) as client:
        sign_in(client, session)
        client.post("/safety", headers=SAME_ORIGIN)
        assert client.get("/", follow_redirects=False).headers["location"] == "/unlock"
        assert client.get("/create", follow_redirects=False).headers["location"] == "/unlock"


def test_the_check_is_green_then_red_in_words_after_a_stored_file_is_changed(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    green = client.post("/verify", headers=SAME_ORIGIN).text
    assert "All is in order." in green and 'id="head"' in green
    stored = max(
        (p for p in (session.case_root / "objects").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size
    )
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0x01
    stored.write_bytes(bytes(data))
    red = client.post("/verify", headers=SAME_ORIGIN).text
    assert "Something is wrong." in red and "problem" in red
    assert 'id="head"' not in red  # no fingerprint to copy from a case that does not check out
    assert 'id="findings"' in red
    assert "MODIFIED EX-0001" in red  # the finding names the exhibit whose stored file changed


def test_the_timeline_filters_by_person_and_way_with_offsets(
    client: TestClient, session: Session, corpus: Path
) -> None:
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
    everyone = client.get("/timeline").text
    assert "13 entries." in everyone
    # By looking at the file: +15550000001 sent "Body text 1" to "3" (type="1") and was sent "Body text 5"
    # (type="2"); "Body text 4" came from +15550000003.
    only_a = client.get("/timeline", params={"person": "Contact A"}).text
    assert "4 entries." in only_a
    assert [f"Body text {n}<" in only_a for n in (1, 2, 3, 4, 5)] == [True, True, True, False, True]
    # each row names the other side, with the person linked to the number
    assert only_a.count('received</span> <span class="who">from +15550000001 (Contact A)</span>') == 3
    assert only_a.count('sent by you</span> <span class="who">to +15550000001 (Contact A)</span>') == 1
    calls = client.get("/timeline", params={"channel": "call"}).text
    assert "1 entry." in calls and "+15551234567" in calls and "Body text" not in calls
    # calls-shruggietech-minimal_calls.xml: date="1609632000000", 2021-01-03 00:00:00 UTC, +00:00 in London
    assert "2021-01-03 00:00:00 +00:00" in calls
    later = client.get("/timeline", params={"since": "2018-01-01"}).text
    assert "1 entry." in later
    none = client.get("/timeline", params={"until": "2017-12-01"}).text
    assert "Nothing matches these filters." in none
    bad = client.get("/timeline", params={"since": "yesterday"}).text
    assert "is not a date" in bad and "13 entries." in bad


def test_create_with_a_wrong_time_zone_says_so_in_one_line(client: TestClient, session: Session) -> None:
    answer = create_case(client, session, tz="Mars/Olympus")
    assert answer.status_code == 400
    assert "unknown time zone &#39;Mars/Olympus&#39;" in answer.text
    assert "--tz" not in answer.text  # the library's hint names a command-line flag: not shown here
    assert "Traceback" not in answer.text
    assert session.case_root is not None and not is_case(session.case_root)


def test_without_C_the_form_asks_for_the_folder(tmp_path: Path) -> None:
    session = Session(port=PORT, case_root=None, cost=TEST_COST)
    with TestClient(build_app(session), base_url=ORIGIN) as client:
        sign_in(client, session)
        client.post("/safety", headers=SAME_ORIGIN)
        assert 'id="folder"' in client.get("/create").text
        form = {
            "title": "T",
            "folder": str(tmp_path / "chosen"),
            "tz": "UTC",
            "no_contact": "",
            "passphrase": PASSPHRASE,
            "passphrase2": PASSPHRASE,
        }
        answer = client.post("/create", headers=SAME_ORIGIN, data=form, follow_redirects=False)
        assert answer.headers["location"] == "/timeline"
        assert session.case_root == (tmp_path / "chosen").resolve()
        assert is_case(tmp_path / "chosen")


def test_a_plain_case_opens_without_a_passphrase(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    Case.init(root, title="Plain one", tz="UTC").close()
    session = Session(port=PORT, case_root=root)
    with TestClient(build_app(session), base_url=ORIGIN) as client:
        sign_in(client, session)
        client.post("/safety", headers=SAME_ORIGIN)
        page = client.get("/unlock").text
        assert 'type="password"' not in page and 'id="unlock"' in page
        answer = client.post("/unlock", headers=SAME_ORIGIN, follow_redirects=False)
        assert answer.headers["location"] == "/timeline"
        assert session.unlocked and session.keys is None
        assert "Plain one" in client.get("/timeline").text
