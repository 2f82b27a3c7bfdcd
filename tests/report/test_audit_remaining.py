"""What the last session's audit of the demo report left (issue 14): the redacted copy, read as the other side
reads it, masks the complainant's name as consistently as her numbers (her initials in the producer's
references, her name where a message, a display name, a basis or the case title quotes it, the PDF's metadata
and its manifest); the s.9 statement names its witness (or says it is to be completed, never a blank); the
voicemail no file attributes shows the complainant's own attribution, as hers, with its basis."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import run_cli, sample_files
from tests.report.test_demo import TITLE, demo_commands


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("redacted")
    root = base / "case"
    with Case.init(root, title=TITLE, tz="Europe/London", no_contact_since=date(2026, 3, 1)) as case:
        case.import_files(sample_files(base))
    for args in demo_commands():
        out = run_cli("-C", str(root), *args)
        assert out.returncode == 0, (args, out.stderr)
    return root


def _pdf(root: Path, tmp: Path, name: str, **options: object) -> Path:
    out = tmp / f"{name}.pdf"
    with Case.open(root, readonly=True) as case:
        out.write_bytes(case.render_report(**options))  # type: ignore[arg-type]
    return out


def _text(pdf: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(raw.stdout.split())


def test_the_redacted_copy_masks_her_name_and_initials_everywhere(demo: Path, tmp_path: Path) -> None:
    pdf = _pdf(demo, tmp_path, "redacted", profile="police", redact=True)
    text = _text(pdf)
    # Before: "JL/7" in Exhibits and the s.9 list, "Jordan Lee (owner)" on the cover, the title, the chat's
    # sender "Jordan Lee", the basis "her name, 'Jordan Lee'", and messages quoting her ("Jordan pick up").
    assert not re.search(r"\bJL/\d", text)
    assert not re.search(r"jordan|\bLee\b", text, re.IGNORECASE), re.findall(
        r".{40}(?:Jordan|Lee).{40}", text
    )
    assert "[owner initials]/7 (the complainant's initials and the exhibit's number" in text
    assert "[owner initials]/12 (EX-0012): sms-20260415093000.xml" in text
    assert "“[owner name] pick up”" in text  # the SMS that quotes her name
    assert "Statement of: [owner name]" in text
    assert "Harassment of [owner name] by Alex Morgan" in text
    # The respondent stays named: the copy must still prove what he did.
    assert "Alex Morgan" in text
    # Neither the PDF's metadata nor its attached manifest carries her name.
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Jordan" not in info and "[owner name]" in info
    out = tmp_path / "attached"
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(pdf)], check=True, capture_output=True)
    assert [p.name for p in out.iterdir()] == ["evidence-manifest.json"]
    assert "Jordan" not in (out / "evidence-manifest.json").read_text(encoding="utf-8")


def test_the_s9_statement_names_the_witness_from_the_owner(demo: Path, tmp_path: Path) -> None:
    text = _text(_pdf(demo, tmp_path, "police", profile="police"))
    statement = text[text.index("WITNESS STATEMENT (DRAFT, MG11 STYLE)") :]
    # It printed "Statement of: ______________________________ [full name]" with the owner named in the case.
    assert "Statement of: Jordan Lee Age if under 18" in statement
    # "I am the person named as the owner in the case": the tool's word for her, not a witness's.
    assert "owner" not in statement[: statement.index("2. I produce")]
    assert (
        "1. I am the complainant, whose records the report accompanying this statement sets out" in statement
    )
    assert "JL/7 (EX-0007): WhatsApp Chat with Alex.txt" in statement


def test_without_an_owner_the_statement_says_who_completes_it(corpus: Path, tmp_path: Path) -> None:
    with Case.init(tmp_path / "case", title="No owner named", tz="Europe/London") as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
        pdf = tmp_path / "police.pdf"
        pdf.write_bytes(case.render_report(profile="police"))
    statement = _text(pdf)[_text(pdf).index("WITNESS STATEMENT (DRAFT, MG11 STYLE)") :]
    assert "Statement of: ______________________________ [to be completed by the witness]" in statement
    assert "__/1 (EX-0001)" in statement  # no initials guessed either


def test_the_voicemail_shows_the_complainants_attribution_as_hers(demo: Path, tmp_path: Path) -> None:
    with Case.open(demo, readonly=True) as case:
        (voicemail,) = [e.record.id for e in case.timeline() if e.record.channel.value == "voicemail"]
    before = _text(_pdf(demo, tmp_path, "before", profile="police"))
    # The file gives no caller: the row says so, and nobody's attempt (before and after).
    assert "not counted: a recording whose file gives neither who left it nor for whom" in before
    assert "the complainant's attribution" not in before
    out = run_cli(
        "-C", str(demo), "attribute", voicemail, "--to", "alex morgan", "--basis", "I recognise his voice"
    )
    assert out.returncode == 0, out.stderr
    report = tmp_path / "after.pdf"
    made = run_cli(
        "-C", str(demo), "report", "-o", str(report), "--profile", "police"
    )  # verifies the case first
    assert made.returncode == 0, made.stderr
    after = _text(report)
    row = after[after.index("voicemail") : after.index("EX-0005", after.index("voicemail"))]
    assert "(the complainant attributes it to Alex Morgan)" in row
    assert re.search(
        r"\[the complainant's attribution, not read from the file: Alex Morgan, because “I recognise his voice” "
        r"\(ledger entry \d+\)\]",
        row,
    )
    assert "not counted: a recording whose file gives neither who left it nor for whom" in after
    # Her attribution is shown, not counted: the figures are the files' (141 on the demo case).
    assert "Contact attempts, all senders 141" in after
    assert "record " + voicemail + " attributed by the complainant to Alex Morgan" in after  # custody
    refused = run_cli("-C", str(demo), "attribute", voicemail, "--to", "Alex Morgan", "--basis", " ")
    assert refused.returncode != 0 and "say on what basis" in refused.stderr


def test_rows_without_a_side_or_a_sender_say_what_the_file_gives(demo: Path, tmp_path: Path) -> None:
    """The audit after these fixes, read as a defence lawyer: labels that claimed more than the file says."""
    text = _text(_pdf(demo, tmp_path, "lawyer", profile="lawyer"))
    # The voicemail's Sender said "sender not read" (as if OCR had missed one): the recording names none.
    assert re.search(
        r"voicemail unknown no caller in the file (\(the complainant attributes it to Alex Morgan\) )?"
        r"voicemail, 8 s",
        text,
    )
    assert "sender not read voicemail" not in text
    # Her diary and whole pictures have no side: they printed "diary unknown", "screenshot unknown" (in the
    # Timeline and the Appendix's headings), as though a direction were missing.
    assert not re.search(r"\b(diary|screenshot) unknown\b", text)
    assert text.count("diary - COMPLAINANT'S OWN ACCOUNT (diary), not a machine record") == 14
    assert re.search(r"A-\d+ the timeline's row of 2026-03-14 20:41 \+00:00, diary: EX-0011 entry 4", text)
    # The Instagram screenshot's messages show no time of their own: each was timed by the line above its
    # group ("20 Mar, 22:31"), which the row said was "on screen", as if the message showed it (by eye: four
    # bubbles under 22:31 and two under 22:44, all his).
    start = text.index("Date and time (time source if not the export) Channel Sender Words")
    timeline = text[start : text.index("Appendix: full text and attachments The words", start)]
    assert timeline.count("on screen above its group ('20 Mar, 22:31'): sent then or later") == 4
    assert timeline.count("on screen above its group ('20 Mar, 22:44'): sent then or later") == 2
    # The friend's chat in its exhibit: "21 chat others"; and the summary defines the figure it lists apart.
    assert "Timeline entries 21: 21 chat between others; from 2024-06-02 18:20:11 +01:00" in text
    assert (
        "between other people a chat the complainant is not in, or a message addressed only to others" in text
    )


def test_no_one_is_said_to_be_named_with_a_file_nobody_names(demo: Path, tmp_path: Path) -> None:
    # The cover, Completeness and the s.9 statement said the files were "handed over by the people named with
    # them": no one is named with any exhibit (EX-0006 is Sam's chat, handed over): a false assurance. The
    # statement of truth pointed at "the person named as importing them", whom no report names unless made
    # with --computer-details.
    text = _text(_pdf(demo, tmp_path, "police", profile="police"))
    assert "named with them" not in text
    lawyer = _text(_pdf(demo, tmp_path, "lawyer", profile="lawyer"))
    assert "named as importing" not in lawyer and "named with them" not in lawyer
    assert (
        "the files I (or ______________________________ [who imported them, if not you]) acquired" in lawyer
    )
    # The demo's imports say nobody handed anything over (no --provided-by): the report says so, and where the
    # case would record it (tests/report/test_handover.py: a case that does).
    assert "the Exhibits section says who handed over each file where the import recorded it" in text
    assert (
        "or files others handed to me. The case does not record who handed over any of them: "
        "[say which exhibits others gave you, who, and when:" in text
    )


def test_the_cover_and_completeness_count_records_and_rows_alike(demo: Path, tmp_path: Path) -> None:
    # They said "266 timeline entries" while the Timeline has 188 rows (78 calls read from the handset's log
    # and the carrier's bill are shown in one row each): a reader counting the rows found 78 missing.
    text = _text(_pdf(demo, tmp_path, "cover", profile="lawyer"))
    assert "timeline entries from" not in text
    both = (
        "266 records from 12 exhibits, in 188 Timeline rows (78 records are the same event read from a second "
        "file, shown in its first record's row)"
    )
    assert f"Contents {both};" in text
    assert f"This report shows {both}, read from the case at ledger entry" in text


def test_an_exhibits_event_times_say_where_they_came_from(demo: Path, tmp_path: Path) -> None:
    # Exhibits printed "First event 2026-03-14 21:33:44 +00:00" for the call-list screenshot, as though the
    # picture said so: the time is its file name's (Screenshot_20260314-213344.png), in a zone assumed. And a
    # whole picture was "1 direction not given by the source", as if a side were missing.
    text = _text(_pdf(demo, tmp_path, "exhibits", profile="lawyer"))
    exhibits = text[text.index("EX-0003 Screenshot_20260314-213344.png Producer's reference") :]
    assert (
        exhibits.startswith("EX-0003 Screenshot_20260314-213344.png Producer's reference JL/3")
        and "Directions 0 incoming, 0 outgoing, 0 direction not given by the source, 1 with no side"
        in exhibits
    )
    assert "First event 2026-03-14 21:33:44 +00:00 (file name, zone assumed)" in exhibits
    assert "First event 2026-03-01 18:02 +00:00 (complainant, to the minute)" in exhibits  # the diary


def test_verification_does_not_claim_a_shortened_ledger_is_detected_alone(demo: Path, tmp_path: Path) -> None:
    # "no entry was altered, removed, inserted or reordered without that being detected": dropping the last
    # entries needs no key and leaves a valid chain; only a head kept elsewhere shows it.
    text = _text(_pdf(demo, tmp_path, "verification", profile="police"))
    assert "altered, removed, inserted or reordered without" not in text
    assert (
        "Entries removed from its end leave a valid shorter ledger: that is detected only against a head"
        in text
    )


def test_a_request_to_stop_keeps_its_import_warning(demo: Path, tmp_path: Path) -> None:
    # Her WhatsApp line "Please stop contacting me..." (EX-0007 line 6) carries an import warning in the
    # Timeline (a line that may have been written to look like a new message); Requests to stop, which an
    # officer relies on, quoted it without the caveat.
    text = _text(_pdf(demo, tmp_path, "police-requests", profile="police"))
    requests = text[text.index("Requests to stop") : text.index("Contact by any means")]
    row = requests[requests.index("“Please stop contacting me. I won't reply again.”") :]
    row = row.split("EX-0007 line 6")[0]
    assert row.count("[import warning: ") == 1 and "written to look like a new message" in row
