"""Screenshots read as screens (issue 4): one record per chat bubble, call-log row or inbox row, shown times
dated against the screenshot's own time, the layout in ``show --json``, on the timeline, in stats and the
report. Real tesseract on synthetic screenshots (tests/ocr/synth.py, with ground truth) and the real corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.analysis import identity, stats
from evidence.api import Case
from evidence.importers.screenshot import app_of, resolve_shown
from evidence.models import Channel, Direction, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import run_cli
from tests.ocr.synth import render
from tests.ocr.test_cache import counting_tesseract, runs

# (synthetic category, seed, the name the file gets: its time is the screenshot's time)
CHAT = ("light", 2, "Screenshot_20260314-213344.png")  # iMessage-like, header "+44 7700 900123"
CALLS = ("call_list", 1, "Screenshot_20260315-091500.png")  # Android call history, Sunday 15 March
INBOX = ("email", 1, "Screenshot_20260316-120000.png")  # mail inbox
SCREENS = (CHAT, CALLS, INBOX)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("shots")
    truths: dict[str, dict[str, Any]] = {}
    for category, seed, name in SCREENS:
        image, truth, _ = render(category, seed)
        image.save(folder / name, "PNG")
        truths[name] = truth
    return folder, truths


@pytest.fixture(scope="module")
def screens(
    tmp_path_factory: pytest.TempPathFactory, shots: tuple[Path, dict[str, dict[str, Any]]]
) -> Iterator[Case]:
    folder, _ = shots
    root = tmp_path_factory.mktemp("case") / "case"
    with Case.init(root, title="Screens", tz="Europe/London") as case:
        case.import_files(sorted(folder.iterdir()))
        yield case


def of(case: Case, name: str) -> tuple[Record, list[Record]]:
    """The screenshot's own record and its message records, in screen order."""
    item = next(e for e in case.exhibits() if e["original_name"] == name)
    records = [r for r in case.records() if r.item_sha256 == item["sha256"]]
    (screen,) = [r for r in records if r.locator == "image"]
    return screen, sorted((r for r in records if r != screen), key=lambda r: r.raw["sequence"])


def london(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # March before the 29th: +00:00


# -- shown times, dated against the screenshot ------------------------------------------------------------------


SHOT = datetime(2026, 3, 14, 21, 33, 44, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("21:33", datetime(2026, 3, 14, 21, 33, tzinfo=UTC)),  # not after the screenshot: the same day
        ("21:34", datetime(2026, 3, 13, 21, 34, tzinfo=UTC)),  # after it: the day before
        ("9:41 PM", datetime(2026, 3, 13, 21, 41, tzinfo=UTC)),
        ("9.05 am", datetime(2026, 3, 14, 9, 5, tzinfo=UTC)),
        ("Yesterday 23:50", datetime(2026, 3, 13, 23, 50, tzinfo=UTC)),
        ("Today, 08:00", datetime(2026, 3, 14, 8, 0, tzinfo=UTC)),
        ("Mon 9:41 PM", datetime(2026, 3, 9, 21, 41, tzinfo=UTC)),
        ("Sat 10:00", datetime(2026, 3, 7, 10, 0, tzinfo=UTC)),  # the screenshot's own weekday: a week before
        ("3 Mar 14:02", datetime(2026, 3, 3, 14, 2, tzinfo=UTC)),
        (
            "Oct 11, 7:15 PM",
            datetime(2025, 10, 11, 18, 15, tzinfo=UTC),
        ),  # later in the year: last year's (BST)
    ],
)
def test_a_shown_time_is_dated_against_the_screenshot(shown: str, expected: datetime) -> None:
    found = resolve_shown(shown, SHOT, "Europe/London")
    assert found is not None and found.moment == expected and found.moment.second == 0
    assert found.moment.utcoffset() is not None


def test_a_shown_day_has_no_minute_and_non_times_are_refused() -> None:
    yesterday = resolve_shown("Yesterday", SHOT, "Europe/London")
    assert yesterday is not None and yesterday.moment is None and yesterday.day == date(2026, 3, 13)
    wednesday = resolve_shown("Wed", SHOT, "Europe/London")
    assert wednesday is not None and wednesday.moment is None and wednesday.day == date(2026, 3, 11)
    for junk in ("25:10", "hello", "31 Feb 10:00", "13:61", "Mon 99:00"):
        assert resolve_shown(junk, SHOT, "Europe/London") is None, junk


def test_a_shown_time_in_the_spring_gap_is_noted() -> None:
    after_change = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    found = resolve_shown("01:30", after_change, "Europe/London")
    assert found is not None and found.note is not None and "does not exist" in found.note
    new_york = resolve_shown("9:41 PM", SHOT, "America/New_York")  # 17:33 there: 21:41 was the day before
    assert new_york is not None and new_york.moment is not None
    assert new_york.moment.isoformat() == "2026-03-13T21:41:00-04:00"


def test_the_app_comes_from_an_android_file_name() -> None:
    assert app_of("Screenshot_20260314-213344_WhatsApp.png") == "WhatsApp"
    assert app_of("Screenshot_2026-03-14-21-33-44-123_com.whatsapp.jpg") == "WhatsApp"
    assert app_of("Screenshot_20260314-213344_Messages.png") == "Messages"
    assert app_of("Screenshot 2026-03-14 at 21.33.44.png") is None


# -- import: records per message --------------------------------------------------------------------------------


def test_a_chat_screenshot_becomes_one_record_per_bubble(
    screens: Case, shots: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    truth = shots[1][CHAT[2]]
    screen, messages = of(screens, CHAT[2])
    assert screen.channel is Channel.SCREENSHOT and screen.text and "ruin everything" in screen.text
    assert len(messages) == len(truth["messages"])
    assert [m.direction.value for m in messages] == [t["direction"] for t in truth["messages"]]
    # a phone number in the header and no chat app in the file name: SMS (warned)
    assert {m.channel for m in messages} == {Channel.SMS}
    header = truth["header"]
    for message, expected in zip(messages, truth["messages"], strict=True):
        assert message.locator == f"image#m{message.raw['sequence']:02d}"
        assert message.raw["layout_kind"] == "chat" and message.raw["header"] == header
        assert len(message.raw["bbox"]) == 4 and message.raw["confidence_permille"] > 500
        if message.direction is Direction.INCOMING:
            assert message.sender == header and message.recipients == ()
        else:
            assert message.recipients == (header,) and message.sender is None
        assert message.text is not None
        if expected["shown_time"] is not None:
            assert message.raw["shown_time"] == expected["shown_time"]
    timed = [m for m in messages if m.raw["shown_time"]]
    # the date separators above them date them (issue 15): "Yesterday" 8:05 AM, "Today" 8:05 AM, then
    # "Yesterday" again (the generator's separators are drawn at random) over 9:04 AM and 9:37 AM
    assert [(m.raw.get("day_shown"), m.occurred_at.isoformat()) for m in timed] == [
        ("Yesterday", "2026-03-13T08:05:00+00:00"),
        ("Today", "2026-03-14T08:05:00+00:00"),
        ("Yesterday", "2026-03-13T09:04:00+00:00"),
        ("Yesterday", "2026-03-13T09:37:00+00:00"),
    ]
    for message in timed:
        assert message.time_source is TimeSource.SHOWN_ON_SCREEN and message.tz_assumed
        assert message.tz_name == "Europe/London" and message.raw["time_precision"] == "minute"
    for message in (m for m in messages if not m.raw["shown_time"]):  # no time shown: the screenshot's
        assert message.occurred_at == screen.occurred_at == london(2026, 3, 14, 21, 33, 44)
        assert message.time_source is TimeSource.FILENAME and message.raw["time_resolution"] == "screenshot"
    # the number in the header is the same person as the number in other records
    (sender,) = {m.sender for m in messages if m.sender}
    normalised = identity.normalise(sender, "GB")
    assert normalised is not None and normalised.value == "+447700900123"


def test_call_rows_become_calls_and_days_alone_keep_the_screenshot_time(
    screens: Case, shots: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    truth = shots[1][CALLS[2]]["messages"]
    screen, calls = of(screens, CALLS[2])
    assert len(calls) == len(truth) and {c.channel for c in calls} == {Channel.CALL}
    assert [c.status for c in calls] == [t["call"] for t in truth]
    for call, expected in zip(calls, truth, strict=True):
        if expected["call"] == "outgoing":  # a missed call is an incoming attempt
            assert call.direction is Direction.OUTGOING and call.sender is None and len(call.recipients) == 1
        else:
            assert call.direction is Direction.INCOMING and call.sender == call.raw["shown_as"]
        assert call.raw["count"] == expected["count"]
    by_shown = {c.raw["shown_time"]: c for c in calls}
    assert by_shown["08:44"].occurred_at.isoformat() == "2026-03-15T08:44:00+00:00"
    assert by_shown["Tue 04:37"].occurred_at.isoformat() == "2026-03-10T04:37:00+00:00"  # the Tuesday before
    yesterday = by_shown["Yesterday"]  # a day without a minute: placed at the screenshot, the day kept
    assert yesterday.occurred_at == screen.occurred_at and yesterday.raw["shown_date"] == "2026-03-14"
    assert yesterday.time_source is TimeSource.FILENAME
    shown = screens.show("EX-0002")
    messages = [w["message"] for w in shown["warnings"]]
    assert any("show only a day" in m for m in messages)
    assert any("counts as one attempt" in m and "(12)" in m for m in messages)


def test_an_inbox_becomes_received_emails(
    screens: Case, shots: tuple[Path, dict[str, dict[str, Any]]]
) -> None:
    truth = shots[1][INBOX[2]]["messages"]
    _, mails = of(screens, INBOX[2])
    assert len(mails) == len(truth) and {m.channel for m in mails} == {Channel.EMAIL}
    assert {m.direction for m in mails} == {Direction.INCOMING}
    assert [m.sender for m in mails][:3] == [t["sender"] for t in truth][:3]


def test_show_json_lists_the_messages(screens: Case) -> None:
    done = run_cli("-C", str(screens.root), "show", "EX-0001", "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["kind"] == "chat" and shown["header"] == "+44 7700 900123"
    assert shown["ocr"]["engine"].startswith("tesseract 5.") and isinstance(
        shown["ocr"]["mean_confidence"], float
    )
    assert len(shown["messages"]) == 14
    for message in shown["messages"]:
        assert {"direction", "text", "shown_time", "bbox"} <= set(message)
        assert message["direction"] in {"incoming", "outgoing", "unknown"}
        assert len(message["bbox"]) == 4 and all(isinstance(v, int) for v in message["bbox"])
    assert shown["messages"][1]["shown_time"] == "8:05 AM"
    human = run_cli("-C", str(screens.root), "show", "EX-0002")
    assert (
        "screen: call_list" in human.stdout
        and "missed call:" in human.stdout
        and "[Tue 04:37]" in human.stdout
    )


def test_timeline_stats_and_report_see_the_messages(screens: Case, tmp_path: Path) -> None:
    entries = screens.timeline()
    located = [e for e in entries if e.record.locator.startswith("image#m")]
    assert len(located) == 14 + 13 + 13
    chat = [e.record for e in located if e.record.channel is Channel.SMS]
    # records of one moment keep the screen order (zero-padded locators)
    untimed = [r.raw["sequence"] for r in chat if r.raw["time_resolution"] == "screenshot"]
    assert untimed == sorted(untimed)
    found = stats.attempts(entries, screens.resolver())
    incoming_sms = [r for r in chat if r.direction is Direction.INCOMING]
    assert len([a for a in found if a.record.channel is Channel.SMS]) == len(incoming_sms)
    assert len([a for a in found if a.record.channel is Channel.CALL]) == 11  # 13 rows, 2 outgoing
    pdf = tmp_path / "report.pdf"
    screens.report(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "You always ruin everything." in text.stdout and "image#m03" in text.stdout
    assert "Screenshot_20260314-213344.png" in text.stdout
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.splitlines()[2:]) == 3  # each screenshot still drawn in its exhibit
    # tactic rules read a message's own words
    meet = next(r for r in chat if r.text and "Be there." in r.text)
    assert meet.direction is Direction.INCOMING
    tags = {t["tactic"] for t in screens.show_record(meet.id)["tags"]}
    assert "demand_to_meet_or_respond" in tags
    assert verify_case(screens.root).ok


def test_importing_again_costs_no_ocr(
    screens: Case,
    shots: tuple[Path, dict[str, dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "runs.log"
    counting_tesseract(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    before = len(screens.records())
    copy = tmp_path / "again"
    shutil.copytree(shots[0], copy)
    screens.import_files(sorted(copy.iterdir()))
    assert len(screens.records()) == before
    done = screens.ocr(["EX-0001", "EX-0002", "EX-0003"])  # the layout result is the cached one
    assert [d.status for d in done] == ["cached"] * 3
    assert runs(log) == 0


def test_the_corpus_screenshots_still_import(corpus: Path, tmp_path: Path) -> None:
    with Case.init(tmp_path / "case", title="Corpus", tz="Europe/London") as case:
        result = case.import_files(sorted((corpus / "screenshots").iterdir()))
        assert len(result.items) == 5
        records = case.records()
        screens = [r for r in records if r.locator == "image"]
        assert len(screens) == 5 and all(r.raw["ocr"] for r in screens)
        assert all(r.locator.startswith("image#m") for r in records if r.locator != "image")
        for record in records:
            assert record.occurred_at.utcoffset() is not None
        assert verify_case(case.root).ok


def test_a_picture_read_later_gets_its_message_records(
    case: Case, shots: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(empty))
        case.import_files([shots[0] / CHAT[2]])
    assert [r.locator for r in case.records()] == ["image"]
    (done,) = case.ocr()
    assert done.status == "read"
    screen, messages = of(case, CHAT[2])
    assert screen.text and len(messages) == 14 and {m.channel for m in messages} == {Channel.SMS}
    timed = [m for m in messages if m.time_source is TimeSource.SHOWN_ON_SCREEN]
    # under the "Yesterday" separator (issue 15: separators date the bubbles below them)
    assert timed[0].occurred_at.isoformat() == "2026-03-13T08:05:00+00:00"
    derived = [e for e in case.entries() if e.kind == "records.derived"]
    assert len(derived) == 2 and derived[-1].body["from_ocr"] == done.entry
    assert derived[-1].body["record_count"] == 14
    assert case.show("EX-0001")["derivations"][-1]["record_count"] == 14
    # reading again with other settings appends an OCR result, never a second set of messages
    case.ocr(["EX-0001"], psm=6)
    assert len(case.records()) == 15
    assert verify_case(case.root).ok


def test_a_web_page_read_as_a_chat_makes_no_message_records(tmp_path: Path) -> None:
    """The sample Facebook post (a browser screenshot): its address bar came out of the layout as a "bubble".
    A post is not a conversation: no message records (no contact attempts), its text stays the picture's."""
    from tests.conftest import sample_files

    post = next(p for p in sample_files(tmp_path) if p.name == "Screenshot 2026-04-02 at 08.15.31.png")
    with Case.init(tmp_path / "case", title="t", tz="Europe/London") as case:
        result = case.import_files([post])
        records = case.records()
    assert [r.locator for r in records] == ["image"]
    assert "Posting this because" in (records[0].text or "")
    assert records[0].raw["layout_messages"] == 0
    assert result.items


def test_the_address_bar_rule() -> None:
    from evidence.importers.screenshot import layout_messages

    bubble = {"direction": "incoming", "text": "Answer me"}
    chat = {"kind": "chat", "messages": [bubble]}
    assert layout_messages(chat) == [bubble]
    for bar in ("facebook.com/groups/el/7noticeboard", "https://www.example.org/x?y=1", "m.facebook.com"):
        assert layout_messages({"kind": "chat", "messages": [{"text": bar}, bubble]}) == []
    # a URL inside a message is a message; a call list or an inbox is never a web page by this rule
    assert layout_messages({"kind": "chat", "messages": [{"text": "look at facebook.com/x now"}]})
    assert layout_messages({"kind": "call_list", "messages": [{"text": "example.com"}]})
