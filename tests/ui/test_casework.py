"""The people, tactic review and diary screens through the real app and guard (Starlette's TestClient) on an
encrypted case holding files written by others: what each page shows, that each change is a POST from the
app's own origin written to the case, and that a refused or incomplete form writes nothing."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from evidence.actions.casework import diary_entries, review_queue
from evidence.api import Case
from evidence.models import ImportOptions
from evidence.timeutil import display
from evidence.ui.session import Session
from tests.ui.conftest import PASSPHRASE, SAME_ORIGIN, create_case

SMS = "smsbackup/sms-devadvance-sms_small.xml"
ALICE = "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt"
DMITRY = "whatsapp-real/whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt"


def _case_with(session: Session, corpus: Path, *names: str) -> None:
    assert session.case_root is not None and session.keys is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files(
            [corpus / n for n in names], options=ImportOptions(tz="Europe/London", date_order="DMY")
        )


def _head(session: Session) -> int:
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        return case.head().seq


def _text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_people_shows_the_unknown_numbers_with_their_counts_and_links_one(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    _case_with(session, corpus, SMS)
    page = client.get("/people")
    assert page.status_code == 200
    words = _text(page.text)
    assert "Nobody has been added yet" in words
    # Read off the file: +15550000004 is in 7 messages, 4 of them received from it (type="1"), the first at
    # date="1512237843922" (2017-12-02 18:04:03 UTC, +00:00 in London in December).
    assert "+15550000004 7 entries, 4 from it" in words
    assert "First 2017-12-02 18:04:03 +00:00, last 2017-12-02 18:10:45 +00:00" in words
    assert "+15550000001 4 entries, 3 from it" in words
    assert words.index("+15550000004") < words.index("+15550000001")  # the busiest first
    assert "Link +15550000004 to a person" in words

    # Add the person: a POST from the app's own origin, answered by a redirect; the page says what was done.
    start = _head(session)
    added = client.post(
        "/people",
        headers=SAME_ORIGIN,
        data={"action": "add", "name": "Contact A", "role": "respondent", "ids": "", "basis": ""},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/people"
    assert _head(session) == start + 1
    words = _text(client.get("/people").text)
    assert "Added Contact A." in words
    assert "Contact A the person harassing you (respondent)" in words
    assert "Added Contact A." not in _text(client.get("/people").text)  # said once

    # Linking needs a basis: without one nothing is written and the form says why.
    form = {"action": "link", "identifier": "+15550000004", "name": "Contact A", "confidence": "suspected"}
    refused = client.post("/people", headers=SAME_ORIGIN, data={**form, "basis": " "})
    assert refused.status_code == 400
    assert "Say how you know" in refused.text
    assert _head(session) == start + 1
    # From another origin: refused by the guard, nothing written.
    basis = "Texts from it are signed 'A' and mention our son by name"
    forged = client.post("/people", headers={"origin": "http://evil.example"}, data={**form, "basis": basis})
    assert forged.status_code == 403
    assert _head(session) == start + 1

    linked = client.post(
        "/people", headers=SAME_ORIGIN, data={**form, "basis": basis}, follow_redirects=False
    )
    assert linked.status_code == 303
    assert _head(session) == start + 2
    page = client.get("/people")
    words = _text(page.text)
    assert "Linked +15550000004 to Contact A (suspected, not proven)." in words
    card = _text(page.text.split('id="people"', 1)[1].split("</ul>\n</section>", 1)[0])
    assert "+15550000004 suspected, not proven 7 entries in the case" in card
    assert f"How you know: {basis}" in card
    unknown = _text(page.text.split('id="unknown-heading"', 1)[1].split("</section>", 1)[0])
    assert "+15550000004" not in unknown and "+15550000001" in unknown
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (person,) = case.people()
        (link,) = person.links
        assert (link.identifier.value, link.confidence, link.basis) == ("+15550000004", "suspected", basis)

    # A wrong link is removed with a reason (required); both stay in the record, the number is unknown again.
    unlink = {"action": "unlink", "name": "Contact A", "identifier": "+15550000004"}
    assert "This is not theirs: remove the link" in page.text
    refused = client.post("/people", headers=SAME_ORIGIN, data={**unlink, "basis": ""})
    assert refused.status_code == 400 and "Say why it is not theirs" in refused.text
    why = "Their sister uses this phone"
    removed = client.post(
        "/people", headers=SAME_ORIGIN, data={**unlink, "basis": why}, follow_redirects=False
    )
    assert removed.status_code == 303 and _head(session) == start + 3
    page = client.get("/people")
    assert "Removed the link of +15550000004 to Contact A." in _text(page.text)
    assert "+15550000004" in _text(page.text.split('id="unknown-heading"', 1)[1])
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (person,) = case.people()
        assert person.links == ()
        kinds = [e.kind for e in case.entries()][-2:]
        assert kinds == ["person.linked", "person.unlinked"]
        assert list(case.entries())[-1].body["basis"] == why
    relinked = client.post(
        "/people", headers=SAME_ORIGIN, data={**form, "basis": basis}, follow_redirects=False
    )
    assert relinked.status_code == 303

    # A number already someone else's is refused in words (the library's check), nothing written.
    client.post(
        "/people",
        headers=SAME_ORIGIN,
        data={"action": "add", "name": "Sam", "role": "witness", "ids": "", "basis": ""},
    )
    again = client.post(
        "/people",
        headers=SAME_ORIGIN,
        data={**form, "name": "Sam", "basis": "a guess", "confidence": "confirmed"},
    )
    assert again.status_code == 400
    assert "is already linked to Contact A" in _text(again.text)


def test_adding_a_person_with_numbers_needs_a_basis(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    start = _head(session)
    form = {"action": "add", "name": "Alex", "role": "respondent", "ids": "+15550000001\n+1 555 000 0003"}
    refused = client.post("/people", headers=SAME_ORIGIN, data={**form, "basis": ""})
    assert refused.status_code == 400 and "Say how you know" in refused.text
    # the reason is in the form that was refused, focused (the page opens there), and said once
    in_form = refused.text.split('id="add-form"', 1)[1]
    assert 'id="error" tabindex="-1" autofocus>Say how you know' in in_form
    assert refused.text.count("Say how you know") == 1
    assert "+1 555 000 0003" in refused.text  # what was typed is kept in the form
    assert _head(session) == start
    done = client.post(
        "/people",
        headers=SAME_ORIGIN,
        data={**form, "basis": "his numbers in my contacts"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    words = _text(client.get("/people").text)
    assert "Added Alex with 2 numbers or accounts." in words
    assert "+15550000001 confirmed 0 entries in the case" in words
    assert "+15550000003 confirmed" in words


def test_review_shows_the_matched_words_and_moves_on_after_a_decision(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    _case_with(session, corpus, ALICE, DMITRY)
    # What the library suggests (the rules may change; the page must show whatever they suggest, in order).
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        expected = review_queue(case).waiting
    assert len(expected) >= 2
    first = expected[0]
    # The first visit: the page comes at once, saying the messages are being read, and fetches its body.
    reading = client.get("/review")
    assert reading.status_code == 200
    assert re.search(r"Reading \d+ messages for suggestions", _text(reading.text))
    assert 'hx-get="/review/part"' in reading.text and 'hx-trigger="load"' in reading.text
    assert 'href="/review?wait=1"' in reading.text  # without script
    assert '<span class="case-title">Harassment by A. Morgan</span>' in reading.text
    part = client.get("/review/part")
    assert part.status_code == 200 and "<html" not in part.text and 'id="current"' in part.text
    page = client.get("/review")  # the suggestions are kept now: the whole page at once
    assert page.status_code == 200 and 'id="reading"' not in page.text
    current = page.text.split('id="current"', 1)[1].split("</article>", 1)[0]
    assert re.findall(r"<mark>([^<]+)</mark>", current) == [escape(first.tag.words or "")]
    marked = [first.tag.words or ""]
    # The time with its offset in the case's zone, the sender as the export names them, the rule's reason.
    words = _text(current)
    assert display(first.entry.record.occurred_at, ZoneInfo("Europe/London")) in words
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", words)
    assert f"From: {first.entry.record.sender}" in words
    assert (first.why or "") in words
    assert _text(escape(first.words_read)).strip() in words
    key = re.search(r'name="key" value="([^"]+)"', current)
    assert key is not None and key.group(1) == f"{first.entry.record.id}|{first.tag.tactic}"
    waiting = len(expected)
    assert f"Waiting for you: {waiting}" in _text(page.text)

    start = _head(session)
    bad = client.post("/review", headers=SAME_ORIGIN, data={"key": key.group(1), "decision": "maybe"})
    assert bad.status_code == 400 and _head(session) == start
    done = client.post(
        "/review",
        headers=SAME_ORIGIN,
        data={"key": key.group(1), "decision": "rejected", "note": "friends arranging coffee"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and _head(session) == start + 1
    page = client.get("/review")
    words = _text(page.text)
    assert re.search(r"Rejected: [a-z]", words)
    assert f"Waiting for you: {waiting - 1}" in words
    assert key.group(1) not in page.text.split('id="decided"', 1)[0]  # no longer waiting
    decided = _text(page.text.split('id="decided"', 1)[1])
    assert "Rejected" in decided and "Your note: friends arranging coffee" in decided
    assert re.search(r"Decided \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", decided)
    assert marked[0] in decided  # the words are shown with the decision too
    record_id, _, tactic = key.group(1).partition("|")
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (body,) = [e.body for e in case.entries() if e.kind == "tactic.reviewed"]
    assert (body["record"], body["tactic"], body["decision"], body["note"]) == (
        record_id,
        tactic,
        "rejected",
        "friends arranging coffee",
    )

    # A change of mind: the decided item's own button; both decisions stay in the record, the latest in force.
    assert "Change to confirmed" in page.text.split('id="decided"', 1)[1]
    changed = client.post(
        "/review",
        headers=SAME_ORIGIN,
        data={"key": key.group(1), "decision": "confirmed"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    page = client.get("/review")
    decided = _text(page.text.split('id="decided"', 1)[1])
    assert decided.count("Confirmed") == 1 and "Rejected" not in decided
    assert f"Waiting for you: {waiting - 1}" in _text(page.text)
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        reviews = [e.body["decision"] for e in case.entries() if e.kind == "tactic.reviewed"]
    assert reviews == ["rejected", "confirmed"]

    # New evidence: the messages are read again; ``?wait=1`` (the link for a page without script) waits.
    _case_with(session, corpus, SMS)
    assert 'id="reading"' in client.get("/review").text
    waited = client.get("/review?wait=1")
    assert 'id="reading"' not in waited.text and 'id="decided"' in waited.text


def test_the_diary_warns_saves_through_diary_add_and_lists_the_entry(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    page = client.get("/diary")
    assert "The other side may read this diary." in page.text
    assert "No diary entries yet." in page.text
    for label in (
        "Day",
        "Time",
        "Where it happened",
        "Who saw or heard it (witnesses)",
        "What happened (required)",
    ):
        assert re.search(rf'<label for="[a-z_]+">{re.escape(label)}</label>', page.text), label

    start = _head(session)
    form = {"day": "2026-03-14", "time": "21:30", "where": "Outside the school gates", "text": ""}
    empty = client.post("/diary", headers=SAME_ORIGIN, data=form)
    assert empty.status_code == 400 and "Write what happened." in empty.text
    assert 'value="Outside the school gates"' in empty.text  # kept for the user to finish
    assert _head(session) == start
    text = "He stood at the gate for twenty minutes and shouted my name."
    saved = client.post(
        "/diary",
        headers=SAME_ORIGIN,
        data={**form, "text": text, "approximate": "yes", "witness": "Sam Patel", "police_ref": "CAD 4521"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and _head(session) > start
    page = client.get("/diary")
    words = _text(page.text)
    exhibit = re.search(r"Saved as exhibit (EX-\d+)\.", words)
    assert exhibit is not None
    entry = _text(page.text.split('id="saved"', 1)[1].split("</li>", 1)[0])
    # 21:30 on 14 March 2026 in London is GMT (+00:00); British Summer Time starts on 29 March.
    assert "Happened: 2026-03-14 21:30:00 +00:00 (approximate)" in entry
    assert re.search(r"Written: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", entry)
    assert text in entry and "Sam Patel" in entry and "CAD 4521" in entry and exhibit.group(1) in entry
    assert session.case_root is not None
    with Case.open(session.case_root, readonly=True, keys=session.keys) as case:
        (record,) = [e.record for e in diary_entries(case)]
    assert record.text == text and record.raw["where"] == "Outside the school gates"
    assert record.raw["approximate"] is True and record.raw["police_ref"] == "CAD 4521"


def test_the_screens_need_the_open_case_and_carry_no_inline_script_or_style(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    _case_with(session, corpus, ALICE)
    for path in ("/people", "/review", "/diary"):
        html = client.get(path).text
        assert "<style" not in html and " style=" not in html and " on" + "click=" not in html
        assert html.count("<script") == html.count('<script src="/static/')
        assert '<link rel="stylesheet" href="/static/casework.css">' in html
    assert client.get("/static/casework.css").status_code == 200
    client.post("/lock", headers=SAME_ORIGIN)
    for path in ("/people", "/review", "/diary"):
        away = client.get(path, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/unlock", path
        refused = client.post(path, headers=SAME_ORIGIN, data={"text": "x"}, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"] == "/unlock", path
    # What the screens kept of the messages (the rules' suggestions) is not kept across Lock: after the
    # passphrase the messages are read again.
    assert client.post("/unlock", headers=SAME_ORIGIN, data={"passphrase": PASSPHRASE}).status_code == 200
    assert 'id="reading"' in client.get("/review").text


def test_changes_from_another_origin_are_refused_on_every_screen(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    _case_with(session, corpus, ALICE)
    start = _head(session)
    forms = {
        "/people": {"action": "add", "name": "Mallory", "role": "other"},
        "/review": {"key": "x|threat", "decision": "confirmed"},
        "/diary": {"day": "2026-03-14", "time": "21:30", "text": "planted"},
    }
    for path, form in forms.items():
        for headers in (
            {"origin": "http://evil.example"},
            {"origin": "null", "sec-fetch-site": "cross-site"},
            {},
        ):
            answer = client.post(path, headers=headers, data=form, follow_redirects=False)
            assert answer.status_code == 403, (path, headers)
    assert _head(session) == start
