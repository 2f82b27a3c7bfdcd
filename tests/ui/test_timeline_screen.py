"""The timeline screen's filters (which way, tactic, words, with person, how and dates), its count, the per-day
chart with its bursts and the entries whose date is not known, through the app's routes (Starlette's
TestClient, the real app and library, an encrypted case made through the form).

Files written by others (``/work/shared/corpus``); the expected values were read off the files:
- ``sms-devadvance-sms_small.xml``: 12 texts on 2 December 2017 (UTC, +00:00 in London), 8 received
  (type="1": Body text 1, 2, 3, 4, 6, 8, 9, 13) and 4 sent (type="2": 5, 7, "10 11 12", 14);
- ``calls-shruggietech-minimal_calls.xml``: one received call, 3 January 2021 00:00:00 UTC;
- ``sms-devadvance-sample_mms.xml`` (4) and ``sms-devadvance-corrupt_attachments.xml`` (2): six received MMS,
  date="1721161764000" to "1721161769000": 16 July 2024 20:29:24-20:29:29 UTC, 21:29:24-21:29:29 +01:00 in
  London: a burst (at least 5 attempts, no gap over 10 minutes); four of them say "attachment";
- WhatsApp, Dmitry S (``whatsjson``): line 24, "27/03/2022, 15:11 - Dmitry S: Reply" (the rules suggest a
  demand to answer); lines 61-62, two missed voice calls on 07/01/2023 at 23:32;
- ``jared-Example.png``: a chat screenshot with no date on the screen and none in the file.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.testclient import TestClient

from evidence.api import Case
from evidence.ui.session import Session
from tests.ui.conftest import create_case

BURST = "16 July 2024: 6 attempts in less than a minute, 21:29:24+01:00 – 21:29:29+01:00"
DMITRY = "whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt"


def _case(client: TestClient, session: Session, corpus: Path, *names: str) -> None:
    assert create_case(client, session).status_code == 303  # no-contact day 1 March 2026
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files([corpus / name for name in names])


def _count(page: str) -> str:
    found = re.search(r'<p id="count">([^<]*)</p>', page)
    assert found is not None
    return html.unescape(found.group(1))


def _texts(page: str) -> list[str]:
    """The texts of the rows of the (dated) timeline, in order."""
    timeline = page.split('<ol class="timeline" id="timeline">', 1)[1].split("</ol>", 1)[0]
    return [html.unescape(t) for t in re.findall(r'<div class="text">([^<]*)</div>', timeline)]


SMS = ("smsbackup/sms-devadvance-sms_small.xml", "smsbackup/calls-shruggietech-minimal_calls.xml")
MMS = ("smsbackup/sms-devadvance-sample_mms.xml", "smsbackup/sms-devadvance-corrupt_attachments.xml")


def test_which_way_words_and_dates_combine_and_the_count_adds_up(
    client: TestClient, session: Session, corpus: Path
) -> None:
    _case(client, session, corpus, *SMS, *MMS)
    everything = client.get("/timeline").text
    assert _count(everything) == "19 entries."
    assert 'id="clear"' not in everything  # nothing to clear
    received = client.get("/timeline", params={"direction": "incoming"}).text
    assert _count(received) == "15 entries."
    sent = client.get("/timeline", params={"direction": "outgoing"}).text
    assert _count(sent) == "4 entries."
    assert _texts(sent) == [
        "Body text 5",
        "Body text 7",
        "Body text 10\nBody text 11\nBody text 12",
        "Body text 14",
    ]
    assert '<option value="outgoing" selected>Sent by you</option>' in sent
    # words: the library's search (a part of a word is found too: "attach" in "attachment")
    words = client.get("/timeline", params={"q": "attach"}).text
    assert _count(words) == "5 entries."
    assert all("attachment" in text for text in _texts(words))
    both = client.get(
        "/timeline", params={"q": "attach", "direction": "incoming", "since": "2024-07-16"}
    ).text
    assert _count(both) == "5 entries."
    assert 'id="clear"' in both and 'href="/timeline" id="clear"' in both
    assert _count(client.get("/timeline", params={"q": "attach", "channel": "sms"}).text) == (
        "Nothing matches these filters."
    )
    assert _count(client.get("/timeline", params={"q": "attach", "direction": "outgoing"}).text) == (
        "Nothing matches these filters."
    )
    day = client.get(
        "/timeline", params={"since": "2017-12-02", "until": "2017-12-02", "direction": "incoming"}
    )
    assert _count(day.text) == "8 entries."


def test_a_choice_not_on_offer_is_left_out_and_said(
    client: TestClient, session: Session, corpus: Path
) -> None:
    _case(client, session, corpus, *SMS)
    page = client.get("/timeline", params={"direction": "sideways", "tactic": "rudeness", "q": ""}).text
    assert _count(page) == "13 entries."
    assert "A choice in the filters was not one on offer (direction)" in page
    assert "(tactic)" in page
    nobody = client.get("/timeline", params={"person": "Nobody Known"}).text
    assert _count(nobody) == "13 entries." and "That person is not in the case; everyone is shown." in nobody
    assert "Traceback" not in page


def test_the_chart_counts_attempts_per_day_marks_the_burst_and_lists_it(
    client: TestClient, session: Session, corpus: Path
) -> None:
    _case(client, session, corpus, *SMS, *MMS)
    page = client.get("/timeline").text
    # 8 received texts on 2 December 2017, the call on 3 January 2021, the six MMS on 16 July 2024
    table = page.split('<details id="days">', 1)[1].split("</details>", 1)[0]
    rows = re.findall(r'<a href="([^"]*)">([^<]*)</a></td><td>(\d+)</td><td>([^<]*)</td>', table)
    assert [(day, int(n), burst) for _, day, n, burst in rows] == [
        ("2 December 2017", 8, ""),
        ("3 January 2021", 1, ""),
        ("16 July 2024", 6, "yes"),
    ]
    assert html.unescape(rows[0][0]) == "/timeline?since=2017-12-02&until=2017-12-02"
    # The days run over more than a year: the chart shows the last 366 and says so.
    assert "The chart shows the last 366 days, from 17 July 2023." in page
    assert "16 July 2024: 6 contact attempts (a burst)</title>" in page
    assert page.count('<rect class="bar') == 1
    assert "In all, 15 attempts on 3 days." in page
    # the no-contact day (1 March 2026, set when the case was made) is after the last attempt
    assert "You asked them to stop on 1 March 2026, after the last day shown." in page
    bursts = page.split('<ul id="bursts"', 1)[1].split("</ul>", 1)[0]
    assert html.unescape(re.sub(r"<[^>]+>", "", bursts)).strip().splitlines()[-1] == BURST
    link = html.unescape(re.findall(r'<li><a href="([^"]*)">', bursts)[0])
    assert link == "/timeline?since=2024-07-16&until=2024-07-16"
    burst_day = client.get(link).text
    assert _count(burst_day) == "6 entries."
    assert '<rect class="bar burst"' in burst_day
    assert "Contact attempts per day, 16 July 2024 to 16 July 2024: 6 attempts on 1 day" in burst_day
    # the chart is over the filtered entries: what was sent is no attempt, so no chart, said in words
    sent = client.get("/timeline", params={"direction": "outgoing"}).text
    assert 'id="chart"' not in sent and "No contact attempts among these entries" in sent
    # five of the six say "attachment" within four seconds: still a burst (at least 5)
    words = client.get("/timeline", params={"q": "attachment"}).text
    assert "4 attempts" not in words and "5 attempts in less than a minute" in words
    assert "The dashed line" not in words


def test_the_no_contact_day_is_drawn_when_it_is_in_the_chart(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session, no_contact="2024-07-10").status_code == 303
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files([corpus / name for name in MMS])
    page = client.get("/timeline").text
    assert "The dashed line is 10 July 2024, the day you asked them to stop." in page
    assert '<line class="no-contact" x1=' in page
    # widened to the no-contact day: 10 to 16 July
    assert "Contact attempts per day, 10 July 2024 to 16 July 2024: 6 attempts on 1 day" in page


def test_tactics_filter_in_words_suggested_and_confirmed(
    client: TestClient, session: Session, corpus: Path
) -> None:
    _case(client, session, corpus, *SMS, "whatsapp-real/" + DMITRY)
    options = client.get("/timeline").text
    assert ">Demands to answer or meet</option>" in options and ">Threats</option>" in options
    demand = {"tactic": "demand_to_meet_or_respond"}
    page = client.get("/timeline", params=demand).text
    assert _count(page) == "1 entry." and _texts(page) == ["Reply"]
    assert "Tactics: Demands to answer or meet (suggested, not checked)" in page
    confirmed_only = {**demand, "confirmed": "1"}
    assert _count(client.get("/timeline", params=confirmed_only).text) == "Nothing matches these filters."
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        reply = next(r for r in case.records() if r.text == "Reply")
        four = next(r for r in case.records() if r.text == "Body text 4")
        case.review_tag(reply.id, "demand_to_meet_or_respond", "confirmed")
        case.review_tag(four.id, "threat", "confirmed")  # one the rules did not see, added by the user
    page = client.get("/timeline", params=confirmed_only).text
    assert _count(page) == "1 entry." and "Demands to answer or meet (you confirmed it)" in page
    threats = client.get("/timeline", params={"tactic": "threat"}).text
    assert _texts(threats) == ["Body text 4"] and "Threats (you confirmed it)" in threats
    with Case.open(session.case_root, keys=session.keys) as case:
        case.review_tag(reply.id, "demand_to_meet_or_respond", "rejected")
    assert _count(client.get("/timeline", params=demand).text) == "Nothing matches these filters."
    assert (
        "Demands to answer or meet"
        not in client.get("/timeline", params={"q": "Reply"}).text.split('id="timeline"')[1]
    )


def test_entries_whose_date_is_not_known_are_listed_apart_and_not_charted(
    client: TestClient, session: Session, corpus: Path
) -> None:
    _case(client, session, corpus, *MMS, "screenshots-real/jared-Example.png")
    page = client.get("/timeline").text
    # the picture itself (its time is the import's) and its 12 messages (no date on the screen)
    assert (
        _count(page)
        == "6 entries with a known date. And 13 entries whose date is not known, listed apart below."
    )
    undated = page.split('<ol class="timeline" id="undated">', 1)[1].split("</ol>", 1)[0]
    assert undated.count('<li class="entry">') == 13
    assert "Your name is zeke." in undated and "Your name is zeke." not in _texts(page)
    assert undated.count("Date not known") == 13
    assert re.search(r"for order only", undated)
    # the chart holds the six MMS only, not the screenshot's received messages
    assert "6 attempts on 1 day" in page and page.count('<rect class="bar') == 1
    # the dates chosen do not apply to them; the other filters do
    other_day = client.get("/timeline", params={"since": "2020-01-01", "until": "2020-01-02"}).text
    assert (
        _count(other_day)
        == "No entries with a known date. And 13 entries whose date is not known, listed apart below."
    )
    received = client.get("/timeline", params={"direction": "incoming", "channel": "chat"}).text
    assert (
        _count(received)
        == "No entries with a known date. And 7 entries whose date is not known, listed apart below."
    )


def test_a_burst_across_midnight_names_both_days() -> None:
    """The words of one burst as ``stats.summary`` gives it (times in the case's zone, with offsets): the
    sample story's night of 21 to 22 March 2026 (tests/analysis/test_stats.py counts it from the files)."""
    from datetime import date

    from evidence.ui.daychart import burst_words

    burst = {
        "start": "2026-03-21T23:41:05+00:00",
        "end": "2026-03-22T00:37:40+00:00",
        "attempts": 14,
        "minutes": 56,
    }
    words = burst_words(burst)
    assert words.words == "21 March 2026 23:41+00:00 – 22 March 2026 00:37+00:00: 14 attempts in 56 minutes"
    assert (words.first_day, words.last_day) == (date(2026, 3, 21), date(2026, 3, 22))
    one = burst_words({**burst, "end": "2026-03-21T23:42:05+00:00", "attempts": 5, "minutes": 1})
    assert one.words == "21 March 2026: 5 attempts in 1 minute, 23:41+00:00 – 23:42+00:00"
