"""The summary's figures reconcile with the timeline (issue 14, finding 2), and reports for others print only
reviewed tactics, each on its row with its words (finding 3).

The sums are made on the rendered PDF's text (poppler's pdftotext): the figures printed in the summary must
equal the marks printed in the Timeline's Counted column, row by row, as a defence lawyer would add them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import CORPUS, sample_files

TITLE = "Harassment of Jordan Lee by Alex Morgan"


def _raw_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def _people_of_the_demo(case: Case) -> None:
    """The people `make demo` adds (samples/case.json's facts), as a user types them."""
    case.add_person(
        "Jordan Lee", role="owner", ids=["+447700900001", "jordan.lee@example.org"], basis="the owner's own"
    )
    case.add_person(
        "Alex Morgan",
        role="respondent",
        ids=["+447700900123", "+447700900456", "alex.morgan@example.net", "@alexmorgan.ldn"],
        basis="saved contacts; signed their messages with their name",
    )
    for ident in ("+447700900789", "alex.m.2026@example.net", "@alex.m.2"):
        case.link_person(
            "Alex Morgan", ident, basis="new number and accounts after blocking", confidence="suspected"
        )
    case.add_person(
        "Sam Patel", role="third-party", ids=["+447700900555", "sam.patel@example.org"], basis="mutual friend"
    )


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("figures")
    root = base / "case"
    with Case.init(root, title=TITLE, tz="Europe/London", no_contact_since=date(2026, 3, 1)) as case:
        case.import_files(sample_files(base))
        _people_of_the_demo(case)
    return root


@pytest.fixture
def case_copy(demo_case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(demo_case, target)
    return target


def _marks(text: str) -> tuple[dict[int, str], Counter[int], int]:
    """The Timeline's Counted column read back: attempt number -> who (one line), copies per attempt, rows
    not counted. A copy is printed in its attempt's row ("and copy of attempt 12 in EX-0010 call 1: counted once");
    a copy of a record not counted in that record's row ("and its copy in EX-0010 call 36: one event"), under
    the key 0."""
    attempts: dict[int, str] = {}
    copies: Counter[int] = Counter()
    for m in re.finditer(r"(copy\s+of\s+)?attempt\s+(\d+)(?=\s)(.*?)(?=EX-\d{4}|and\s+copy)", text, re.S):
        number = int(m.group(2))
        if m.group(1):
            copies[number] += 1
        else:
            assert number not in attempts, f"attempt {number} is numbered twice"
            attempts[number] = " ".join(m.group(3).split())
    copies[0] = len(re.findall(r"and\s+its\s+copy\s+in\s+EX-\d{4}", text))
    return attempts, copies, len(re.findall(r"not\s+counted:", text))


def _figure(text: str, label: str) -> str:
    m = re.search(re.escape(label) + r"\s+(.+)", text)
    assert m, f"no {label!r} in the summary"
    return m.group(1)


def test_summary_figures_reconcile_with_the_timeline_rows(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    with Case.open(demo_case, readonly=True) as case:
        out.write_bytes(case.render_report(profile="lawyer"))
        rows = len(case.timeline())
    text = _raw_text(out)
    attempts, copies, not_counted = _marks(text)

    total = int(_figure(text, "Contact attempts, all senders").split()[0])
    assert sorted(attempts) == list(range(1, total + 1))  # every attempt numbered once, none skipped
    assert set(copies) - {0} <= set(attempts)
    assert total + sum(copies.values()) + not_counted == rows
    assert int(_figure(text, "Records on the timeline").split()[0]) == rows
    # Finding 12: a copy shares its attempt's row (the call in the handset's log and the carrier's bill), so
    # the table's rows are the attempts and the records not counted; the summary says how many.
    printed = total + not_counted
    assert (
        sum(copies.values()) - copies[0] == 77
    )  # each incoming call of the carrier's bill is one of the log's
    # The complainant's call to the police (101), outgoing, in the bill and the log: one row, not counted, once.
    assert copies[0] == 1
    assert re.search(
        r"not counted: outgoing and its copy in EX-0009 row 36: one event EX-0010 call 36 EX-0009 row 36",
        " ".join(text.split()),
    ), "the outgoing call in two files is not one row naming both"
    assert (
        "[the same event in EX-0009 row 36: 2026-03-14 21:41:10 +00:00 zone assumed; call outgoing; call, 1104 s]"
        in (" ".join(text.split()))
    )
    # The summary's channel table adds up the same way: records − copies = rows, per channel and in all.
    table = re.search(r"By channel.*?total (\d+) (\d+) (\d+)", " ".join(text.split()))
    assert table, "no total line in the channel table"
    assert [int(g) for g in table.groups()] == [rows, sum(copies.values()), rows - sum(copies.values())]
    calls = re.search(r"By channel.*? call (\d+) (\d+) (\d+)", " ".join(text.split()))
    assert calls and [int(g) for g in calls.groups()] == [156, 78, 78]  # 78 calls in the log and in the bill
    assert re.search(rf"=\s+{printed}\s+timeline\s+rows", text), "no count of the Timeline's rows"
    assert f"the Timeline has {printed} rows" in " ".join(text.split())
    # The first call: one row, the handset's log (EX-0010, which says "missed", its time with the offset the
    # file gave) and its copy in the carrier's bill (EX-0009, whose zone is assumed). Before, the bill was the
    # row because its exhibit number comes first (issue 14, finding 12: show the more exact source).
    first_call = re.search(
        r"attempt 3 Alex Morgan, confirmed and copy of attempt 3 in EX-0009 row 1: counted once "
        r"EX-0010 call 1 EX-0009 row 1",
        " ".join(text.split()),
    )
    assert first_call, "the first call is not one row naming both files"
    assert (
        "[the same event in EX-0009 row 1: 2026-03-01 18:04:30 +00:00 zone assumed; call incoming; 07700900123; call]"
        in " ".join(text.split())
    )

    # Per respondent, confirmed and suspected: the summary's figures are the rows' marks, summed.
    who = Counter(attempts.values())
    split = re.search(
        r"Attempts attributed to Alex Morgan\s+\(respondent\)\s+(\d+): (\d+) from identifiers confirmed as "
        r"theirs, (\d+) from\s+identifiers only suspected",
        text,
    )
    assert split, "no per-respondent figure"
    respondent, confirmed, suspected = (int(g) for g in split.groups())
    assert confirmed == who["Alex Morgan, confirmed"]
    assert suspected == who["Alex Morgan, suspected"]
    assert respondent == confirmed + suspected
    # The figures the issue found by hand in the demo: 105 of 126, 27 of them through suspected identifiers.
    # Since the audit (the case's own facts settle directions, a screen's header names its sender): the 6
    # Instagram messages move from "nobody: no sender read" to him (suspected: @alex.m.2 is read in the
    # header); the 14 lines of "Alex" in Jordan's WhatsApp chat are attempts (incoming: her own lines are in
    # it; not linked here); Sam's e-mail to her address is a third party's: 141, of which 111 his, 33 suspected.
    assert (total, respondent, suspected) == (126 + 14 + 1, 105 + 6, 27 + 6)
    # The mutual friend's texts are his own, never the respondent's.
    third = int(re.search(r"never counted as\s+the respondent\)\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    assert third == who["Sam Patel, third party"] == 4 + 1  # his texts and calls, and his e-mail to her
    nobody = sum(n for label, n in who.items() if label.startswith("nobody: "))
    assert int(_figure(text, "Unattributed attempts").split(":")[0]) == nobody
    assert respondent + third + nobody == total
    reconciliation = " ".join(_figure(text, "Reconciliation").split())
    assert reconciliation.startswith(f"{respondent} + {third} + {nobody} = {total} attempts")
    # The complainant's own diary is never an attempt, and says whose account it is.
    flat = " ".join(text.split())
    assert flat.count("COMPLAINANT'S OWN ACCOUNT (diary), not a machine record") == 14
    assert flat.count("not counted: the complainant's own account") == 14


def test_a_chat_display_name_linked_with_a_basis_counts_for_the_respondent(
    case_copy: Path, tmp_path: Path
) -> None:
    """His WhatsApp messages (sender "Alex", no number) count for him once the display name is linked, with its
    basis, as suspected; before that they are attempts by nobody linked."""
    out = tmp_path / "before.pdf"
    with Case.open(case_copy) as case:
        out.write_bytes(case.render_report())
        before = _raw_text(out)
        case.link_person(
            "Alex Morgan",
            "Alex",
            basis="display name of the other party in the WhatsApp export 'WhatsApp Chat with Alex.txt'",
            confidence="suspected",
        )
        out.write_bytes(case.render_report())
    after = _raw_text(out)
    gained = (
        Counter(_marks(after)[0].values())["Alex Morgan, suspected"]
        - Counter(_marks(before)[0].values())["Alex Morgan, suspected"]
    )
    assert gained == 14
    # Jordan's own lines ("Jordan Lee", the owner's name) make it a chat she is in: his lines are incoming, so
    # attempts before the link too, unattributed ("nobody: not linked"); the link moves them to him and the
    # total stays. (Before issue 14's audit they were "direction unknown", not counted, and the total grew.)
    lost = (
        Counter(_marks(before)[0].values())["nobody: not linked"]
        - Counter(_marks(after)[0].values())["nobody: not linked"]
    )
    assert lost == 14
    assert int(_figure(after, "Contact attempts, all senders").split()[0]) == 141
    assert int(_figure(before, "Contact attempts, all senders").split()[0]) == 141


def test_counts_on_a_backup_written_by_others(tmp_path: Path) -> None:
    """SMS Backup & Restore's test archive (devadvance/sms-backup-reader-2, MIT): 12 texts, 8 incoming: 3 from
    +15550000001 (linked as the respondent's, confirmed), 4 from +15550000004 (suspected), 1 from
    +15550000003 (a third party); 4 outgoing. Values read off the file by eye."""
    root = tmp_path / "case"
    with Case.init(root, title="Backup", tz="America/New_York") as case:
        case.import_files([CORPUS / "smsbackup" / "sms-devadvance-sms_small.xml"])
        case.add_person("R", role="respondent", ids=["+15550000001"], basis="saved contact")
        case.link_person("R", "+15550000004", basis="same wording", confidence="suspected")
        case.add_person("T", role="third-party", ids=["+15550000003"], basis="a friend")
        out = tmp_path / "r.pdf"
        out.write_bytes(case.render_report(profile="police"))
    text = _raw_text(out)
    attempts, copies, not_counted = _marks(text)
    assert Counter(attempts.values()) == Counter({"R, confirmed": 3, "R, suspected": 4, "T, third party": 1})
    assert (len(attempts), sum(copies.values()), not_counted) == (8, 0, 4)
    assert " ".join(text.split()).count("not counted: outgoing") == 4
    assert re.search(r"Attempts attributed to R \(respondent\)\s+7: 3 from identifiers confirmed", text)


def test_court_and_police_reports_print_only_reviewed_tactics_each_with_its_words(
    case_copy: Path, tmp_path: Path
) -> None:
    with Case.open(case_copy) as case:
        tagged = _suggestions(case)
        (confirm_id, confirm_tactic, confirm_words), (reject_id, reject_tactic, _) = tagged[0], tagged[1]
        case.review_tag(confirm_id, confirm_tactic, "confirmed", note="he said it twice")
        case.review_tag(reject_id, reject_tactic, "rejected")
        pdfs = {}
        for profile in ("lawyer", "police", "protective-order", "working"):
            out = tmp_path / f"{profile}.pdf"
            out.write_bytes(case.render_report(profile=profile))
            pdfs[profile] = " ".join(_raw_text(out).split())
    unreviewed = len(tagged) - 2
    for profile in ("lawyer", "police", "protective-order"):
        text = pdfs[profile]
        assert "Tactics confirmed by the complainant" in text, profile
        assert f"“{confirm_words}" in text and "he said it twice" in text, profile
        assert (
            f"{unreviewed} suggestion(s) by word-matching rules that nobody reviewed are not listed" in text
        )
        assert " suggested " not in text, profile  # no unreviewed row, no count of one
        assert "love bombing" not in text or confirm_tactic == "love_bombing", profile
    working = pdfs["working"]
    assert "Not for court or the police" in working
    assert working.count(" suggested ") == unreviewed


def _suggestions(case: Case) -> list[tuple[str, str, str]]:
    """(record id, tactic, matched words) of every suggestion on the case's timeline."""
    from evidence.analysis import review

    reviewed = review.decisions(case.entries())
    return [
        (e.record.id, tag.tactic, str(tag.words))
        for e in case.timeline()
        for tag in review.tags_for(e.record, reviewed)
        if tag.words
    ]


def test_police_incidents_list_diary_facts_requests_to_stop_and_contact_by_channel(
    demo_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "police.pdf"
    with Case.open(demo_case, readonly=True) as case:
        out.write_bytes(case.render_report(profile="police"))
    text = _raw_text(out)
    flat = " ".join(text.split())
    incidents = flat[
        flat.index("Incidents the complainant recorded") : flat.index("Escalation: attempts per week")
    ]
    # The sample diary's entry of 7 March (samples/story.py): place and witness as typed.
    assert "Outside work, Mare Street, Hackney" in incidents and "Priya Shah (colleague)" in incidents
    assert "“Please stop contacting me.”" in incidents  # the complainant's text of 4 March
    # Contact by any means: the respondent's rows sum to the summary's confirmed and suspected figures.
    table = incidents[incidents.index("Contact by any means") :]
    rows = re.findall(r"Alex Morgan (call|email|mms|sms|chat|voicemail|social) (\d+) (\d+)", table)
    assert rows
    split = re.search(r"(\d+): (\d+) from identifiers confirmed as theirs, (\d+) from", flat)
    assert split
    assert sum(int(c) for _, c, _ in rows) == int(split.group(2))
    assert sum(int(s) for _, _, s in rows) == int(split.group(3))


def test_each_call_in_two_files_by_others_is_one_row_counted_once(corpus: Path, tmp_path: Path) -> None:
    """iMazing's call history and the SB&R calls file its converter's author expects from it
    (tests/data/same_calls): 4 calls in each file. Incoming ones are attempts with a copy; outgoing ones are
    not counted, each with a copy; the figures reconcile."""
    from evidence.report.figures import COPY, NOT_COUNTED, count

    root = tmp_path / "case"
    with Case.init(root, title="calls", tz="UTC") as case:
        case.import_files(
            [
                corpus / "imazing" / "imazingtosbr-call_history_basic.csv",
                Path(__file__).parents[1]
                / "data"
                / "same_calls"
                / "imazingtosbr-call_history_basic-result.xml",
            ]
        )
        case.add_person("Jane", role="respondent", ids=["+9876543210"], basis="saved contact")
        timeline = case.timeline()
        marks, figures = count(timeline, case.resolver())
        out = tmp_path / "r.pdf"
        out.write_bytes(case.render_report())
    assert (figures.rows, figures.attempts, figures.copies, figures.not_counted) == (8, 2, 4, 2)
    assert figures.respondents == {"Jane": {"confirmed": 1, "suspected": 0}}
    assert figures.unattributed == {"not linked": 1}
    for i, mark in enumerate(marks):
        if mark.kind == COPY:
            shown = timeline[mark.of or 0].record
            assert shown.occurred_at == timeline[i].record.occurred_at, mark
            assert shown.direction == timeline[i].record.direction
            # Finding 12: the row is the record whose offset its file gave (SB&R's epoch milliseconds), its copy
            # the one whose zone was assumed (iMazing's wall-clock CSV); before, the earlier exhibit's was shown.
            assert not shown.tz_assumed and timeline[i].record.tz_assumed, mark
    assert sorted(m.status or "" for m in marks if m.kind == NOT_COUNTED) == ["outgoing", "outgoing"]
    flat = " ".join(_raw_text(out).split())
    assert flat.count("and its copy in EX-0001") == 2  # the two outgoing calls, each one row
    assert len(re.findall(r"and copy of attempt \d in EX-0001 row \d: counted once", flat)) == 2  # incoming
    assert "[the same event in EX-0001 row 2: 2024-03-15 15:45:30 +00:00 zone assumed; call, 80 s]" in flat
    assert "2 + 0 + 1 = 2 attempts" not in flat and "1 + 0 + 1 = 2 attempts" in flat
    assert "2 attempts + 4 copies + 2 records not counted = 8 records" in flat
    assert "8 records − 4 copies shown in another record's row = 4 timeline rows" in flat
