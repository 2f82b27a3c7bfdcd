"""Stats on the sample case, checked against counts made by hand from samples/make_samples.py.

Hand counts (Alex Morgan, role respondent; London time):
- calls: 13 from …900123 (7 on 1 March, 6 blocked), 37 from …900456, 14 from …900789 = 64; the carrier's bill
  repeats each one (EX-0009), counted once. 11 withheld calls belong to no one; Sam called twice.
- texts: 7 + 18 + 11 = 36 incoming SMS and 1 MMS; WhatsApp (Jordan's export, "Alex", direction unknown): 14;
  e-mails: 2 + 2 = 4. In all 64 + 36 + 1 + 14 + 4 = 119. And the Instagram screenshot of 20 March (by eye: its
  header reads "Alex" over "alex.m.2", then 6 grey bubbles on the left): its 6 messages are his through the
  header's "alex.m.2" (linked; ``evidence.analysis.sides``, as the report counts them): 125.
- 14 March 20:41-21:31: 12 missed calls (2 withheld) + 3 texts (20:49, 21:08, 21:29) + 4 WhatsApp messages
  (20:58, 21:00, 21:00, 21:14) = 19 attempts, the longest gap 8 min 34 s.
- 21 March 23:41 to 22 March 00:37: 12 missed calls (2 withheld) + texts at 23:50 and 00:09 = 14 attempts.
- 29 March (clocks forward at 01:00 GMT): calls at 00:55 GMT and 02:05 BST, a text at 02:06 BST, 10 and 1
  minutes apart; then a call at 13:15 and a text at 14:12: 5 attempts that day.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from evidence.analysis import stats
from evidence.api import Case
from tests.conftest import run_cli


def test_attempts_per_channel_and_identity(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        result = case.stats(person="alex morgan")
    assert result["attempts"] == 125
    assert result["per_channel"] == {"call": 64, "chat": 20, "email": 4, "mms": 1, "sms": 36}
    assert result["per_identity"] == {
        "+447700900123": 20,
        "+447700900456": 56,
        "+447700900789": 25,
        "alex": 14,
        "alex.m.2": 6,
        "alex.m.2026@example.net": 2,
        "alex.morgan@example.net": 2,
    }
    assert result["first"] == "2026-03-01T18:03:40.130000+00:00"
    assert result["last"] == "2026-04-14T08:02:47+01:00"
    assert result["per_day"]["2026-03-14"] == 17  # 10 calls, 3 texts, 4 WhatsApp
    assert result["per_day"]["2026-03-29"] == 5


def test_everyone_incoming_counts_and_withheld_belongs_to_no_one(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        result = case.stats()
    # 119 from Alex, 11 withheld calls, Sam's 2 calls and 2 texts; Sam's e-mail has no direction and this case
    # names no owner (so nothing says it was to her): not counted. And the 6 messages of the Instagram
    # screenshot (20 March, read by the layout, one record each): its header's "alex.m.2" (OCR) is linked to
    # Alex, so they are his (they were "(sender not read)", linked to no one, before the report's resolution of
    # sides was used by every view: the report counted them as his, stats did not).
    assert result["attempts"] == 140
    assert result["per_person"] == {"(nobody linked)": 11, "Alex Morgan": 125, "Sam Patel": 4}
    assert result["per_day"]["2026-03-14"] == 20
    assert result["per_day"]["2026-03-20"] == 6
    # a withheld number says so
    assert result["per_identity"]["(withheld)"] == 11
    assert "(sender not read)" not in result["per_identity"]
    # 1 March to 14 April is 45 days; none on 7, 12, 30 March, 1, 3, 8, 10, 11, 12 April.
    assert result["days"] == {"from": "2026-03-01", "to": "2026-04-14", "days": 45, "with_contact": 36}
    assert result["attempts_since_no_contact"] == 140
    assert sum(result["per_week"].values()) == 140
    assert result["per_week"]["2026-W09"] == 14  # Sunday 1 March closes ISO week 9


def test_bursts_including_across_midnight(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        result = case.stats(person="Alex Morgan", since=date(2026, 3, 14))
        everyone = case.stats(since=date(2026, 3, 14))
    assert [(b["start"][:16], b["attempts"]) for b in result["bursts"]] == [
        ("2026-03-14T20:41", 17),  # without the two withheld calls
        ("2026-03-17T19:18", 5),
        ("2026-03-21T23:41", 12),
    ]
    by_start = {b["start"][:16]: b for b in everyone["bursts"]}
    march14 = by_start["2026-03-14T20:41"]
    assert (march14["end"][:19], march14["attempts"], march14["minutes"]) == ("2026-03-14T21:31:29", 19, 50)
    assert march14["per_channel"] == {"call": 12, "chat": 4, "sms": 3}
    assert march14["per_identity"]["(withheld)"] == 2
    midnight = by_start["2026-03-21T23:41"]
    assert (midnight["end"][:19], midnight["attempts"], midnight["across_midnight"]) == (
        "2026-03-22T00:37:57",
        14,
        True,
    )
    assert not march14["across_midnight"]


def test_the_dst_night_is_ten_minutes_not_seventy(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        found = stats.attempts(case.timeline(), case.resolver())
    night = [a for a in found if a.at.astimezone(case.tz).date() == date(2026, 3, 29)]
    assert [a.at.astimezone(case.tz).strftime("%H:%M %Z") for a in night] == [
        "00:55 GMT",
        "02:05 BST",
        "02:06 BST",
        "13:15 BST",
        "14:12 BST",
    ]
    assert night[1].at - night[0].at == timedelta(minutes=10)
    (run,) = [r for r in stats.bursts(found, minimum=3) if r[0].at == night[0].at]
    assert len(run) == 3  # 23:58 on the 28th is 56 minutes earlier: not part of it
    # The carrier's copy of each call is paired with the phone's, not counted again.
    assert all(len(a.copies) == 1 for a in night if a.record.channel.value == "call")


def test_cli_stats(sample_case: Path) -> None:
    out = run_cli(
        "-C", str(sample_case), "stats", "--json", "--person", "Alex Morgan", "--since", "2026-04-01"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["since"] == "2026-04-01"
    # 4 + 1 + 1 + 1 + 2 + 1 + 1 = 11. 2 Apr: 2 texts, 2 calls; 4 Apr: 1 text; 5 Apr: 1 text; 6 Apr: 1 e-mail; 7 Apr 2 blocked calls;
    # 9 Apr and 14 Apr: 1 blocked call each (the withheld calls of 4 and 13 April are nobody's).
    assert data["attempts"] == 11
    text = run_cli("-C", str(sample_case), "stats")
    assert "contact on 36 of the 45 days from 2026-03-01 to 2026-04-14" in text.stdout
    assert "19 attempts in 50 minutes" in text.stdout


def test_counts_read_from_the_cursor_are_those_of_the_whole_timeline(sample_case: Path) -> None:
    """``case.stats`` reads only incoming and unknown-direction records, without ``raw``, from a cursor; the
    figures are exactly those of ``stats.compute`` over the whole built timeline, its sides settled as the
    report settles them (the sample case has outgoing records, a carrier's bill repeating calls, records of
    unknown direction and a screenshot attributed by its header)."""
    from evidence.actions.query import sides

    with Case.open(sample_case, readonly=True) as case:
        settled = sides(case).timeline(case.timeline())
        assert sum(1 for e in settled if e.record.raw.get("sender_basis")) == 6
        for person in (None, "Alex Morgan"):
            whole = stats.compute(
                settled,
                case.resolver(),
                case.tz,
                no_contact_since=case.no_contact_since(),
                person=person,
            )
            assert case.stats(person=person) == whole
        directions = {e.record.direction.value for e in case.timeline()}
    assert {"incoming", "outgoing", "unknown"} <= directions


def test_an_index_row_that_is_not_a_record_is_named_not_a_traceback(case: Case, corpus: Path) -> None:
    """``stats`` counts from the counted columns (``records_counted``, issue 18), not the records' JSON: a
    record's JSON made unreadable is the timeline's to name (and ``verify``'s), and the counts still add up; a
    counted row that is not a record's (its time not a time) is one line naming the record."""
    case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    case.conn.execute("UPDATE records SET json = '{not json' WHERE rowid = 1")
    result = run_cli("-C", str(case.root), "stats")
    assert result.returncode == 0 and result.stdout.startswith("8 contact attempts")
    timeline = run_cli("-C", str(case.root), "timeline")
    assert timeline.returncode != 0 and "index is damaged" in timeline.stderr
    (rid,) = case.conn.execute(
        "SELECT id FROM records_counted WHERE direction = 'incoming' LIMIT 1"
    ).fetchone()
    case.conn.execute("UPDATE records_counted SET occurred_at = 'the day after' WHERE id = ?", (rid,))
    result = run_cli("-C", str(case.root), "stats")
    assert result.returncode != 0
    assert f"index is damaged (record {rid} is not a record)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_index_without_the_counted_table_is_one_line(case: Case, corpus: Path) -> None:
    """What a case re-indexed by no one has (an older version's index in a folder that cannot be written), or
    one whose table was removed: ``stats`` says which table is missing and what to run, no traceback."""
    case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    case.conn.execute("DROP TABLE records_counted")
    result = run_cli("-C", str(case.root), "stats")
    assert result.returncode == 4 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert (
        line.startswith("error: the case's index has no table records_counted") and "evidence verify" in line
    )


def test_a_record_whose_only_time_is_the_import_is_counted_on_no_day(case: Case, corpus: Path) -> None:
    """imaptools' ``japanese_iso_2022.eml`` has neither a Date nor a Received header: its time is the import's. Sent
    by an address linked to a respondent it would otherwise be an attempt on the day of the import."""
    case.import_files([corpus / "email" / "imaptools-japanese_iso_2022.eml"])
    case.add_person("Raas", role="respondent", ids=["raasdnil@gmail.com"])
    (entry,) = case.timeline()
    assert entry.record.time_source.value == "acquired"
    assert stats.is_attempt(entry.record, case.resolver()) and stats.undated(entry.record)
    result = case.stats()
    assert result["attempts"] == 0 and result["per_day"] == {} and result["bursts"] == []
    whole = stats.compute(case.timeline(), case.resolver(), case.tz)
    assert whole == result


def test_burst_days_are_the_days_a_burst_touches(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        result = case.stats(person="Alex Morgan")
    # 14 March 20:41-21:31, and 21 March 23:41 to 22 March 00:37 (across midnight: both days)
    assert {date(2026, 3, 14), date(2026, 3, 21), date(2026, 3, 22)} <= stats.burst_days(result)
    starts = {b["start"][:10] for b in result["bursts"]} | {b["end"][:10] for b in result["bursts"]}
    assert {d.isoformat() for d in stats.burst_days(result)} >= starts
    assert stats.burst_days({"bursts": []}) == set()
