"""`make demo` as the Makefile types it: the people and facts lines of its recipe, run on the sample case, make
a report that counts the respondent's WhatsApp messages (sender "Alex", linked with its basis) and a police
profile whose statement facts are the samples' (issue 14)."""

from __future__ import annotations

import re
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import ROOT, run_cli, sample_files

TITLE = "Harassment of Jordan Lee by Alex Morgan"


def demo_commands() -> list[list[str]]:
    """The `evidence -C $(DEMO_DIR) person|case ...` lines of the Makefile's demo recipe, continuation lines
    joined, as argument lists after `-C`."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", recipe)
    found = []
    for line in joined.splitlines():
        m = re.match(r"\s*\$\(VENV\)/bin/evidence -C \$\(DEMO_DIR\) ((?:person|case) .*)$", line)
        if m:
            found.append(shlex.split(m.group(1)))
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("demo")
    root = base / "case"
    with Case.init(root, title=TITLE, tz="Europe/London", no_contact_since=date(2026, 3, 1)) as case:
        case.import_files(sample_files(base))
    for args in demo_commands():
        out = run_cli("-C", str(root), *args)
        assert out.returncode == 0, (args, out.stderr)
    return root


def _text(root: Path, profile: str, tmp: Path) -> str:
    out = tmp / f"{profile}.pdf"
    with Case.open(root, readonly=True) as case:
        out.write_bytes(case.render_report(profile=profile))
    raw = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True)
    return " ".join(raw.stdout.split())


def test_the_makefile_links_the_chat_name_alex_with_its_basis() -> None:
    links = [a for a in demo_commands() if a[:2] == ["person", "link"] and "Alex" in a]
    assert len(links) == 1
    (link,) = links
    assert link[2] == "Alex Morgan" and "--suspected" in link
    assert "WhatsApp Chat with Alex.txt" in link[link.index("--basis") + 1]


def test_the_demo_report_counts_his_whatsapp_messages(demo: Path, tmp_path: Path) -> None:
    text = _text(demo, "lawyer", tmp_path)
    # Before the link: 126 attempts, 105 his (27 suspected). 'WhatsApp Chat with Alex.txt' has 14 lines from
    # "Alex" (by eye, "This message was deleted" among them): each is now his, suspected. The Instagram
    # screenshot's 6 messages are his too (its header reads "alex.m.2", linked, suspected: they were "no sender
    # read"), and Sam's e-mail to Jordan's own address is Sam's attempt (it was "direction unknown"): 141.
    assert "Contact attempts, all senders 141" in text
    assert re.search(
        r"Attempts attributed to Alex Morgan \(respondent\) 125: 78 from identifiers confirmed as "
        r"theirs, 47 from identifiers only suspected",
        text,
    )
    # Jordan's own lines in the chat make it a chat she is in: Alex's lines are incoming, to her.
    chat_rows = re.findall(
        r"chat \(whatsapp\) incoming Alex .*?attempt \d+ Alex Morgan, suspected EX-0007 line", text
    )
    assert len(chat_rows) == 14
    # Sam's own chat with Alex (the zip) stays a chat between two other people: not counted as to Jordan.
    assert not re.search(r"Alex Morgan, suspected EX-0006", text)
    # The cover names the basis of the link.
    assert "display name of the other party in 'WhatsApp Chat with Alex.txt'" in text


def test_the_demo_police_profile_has_the_samples_facts(demo: Path, tmp_path: Path) -> None:
    text = _text(demo, "police", tmp_path)
    facts = text[text.index("Facts for the statement") : text.index("Incidents the complainant recorded")]
    assert "former partner (five years); contact ended by Jordan on 2026-03-01" in facts
    assert "reported to the Metropolitan Police on 101 on 2026-03-14 (CAD 4521/14MAR26)" in facts
    # samples/case.json gives no impact statement, date of birth or address: blank lines, not guesses.
    assert "Impact on the complainant (in the complainant's own words) ____" in facts
    assert "Suspect's date of birth ____" in facts and "Suspect's address ____" in facts


@pytest.fixture(scope="module")
def demo_texts(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The lawyer and police reports of the demo case, as flat text, after one checkpoint (as a report or export
    makes): the audit of issue 14 read these."""
    with Case.open(demo) as case:
        case.checkpoint()
    tmp = tmp_path_factory.mktemp("texts")
    return {profile: _text(demo, profile, tmp) for profile in ("lawyer", "police")}


def test_custody_names_each_kind_whole_and_counts_in_the_singular(demo_texts: dict[str, str]) -> None:
    text = demo_texts["lawyer"]
    # The Kind column was too narrow: "checkpoint.signe" on one line, "d" on the next.
    assert "checkpoint.signe d" not in text
    assert re.search(r"checkpoint\.signed checkpoint signed: the Merkle root of entries 1-\d+", text)
    # 'EX-0004 read by screenshot 1.2.0: 7 records, 1 warning' (it said "1 warnings", and "1 records").
    assert re.search(r"EX-0004 read by screenshot [\d.]+: 7 records, 1 warning ", text)
    assert re.search(r"EX-0001 read by email [\d.]+: 1 record, 0 warnings", text)
    assert not re.search(r"\b1 (records|warnings)\b", text)


def test_minute_precision_times_print_without_invented_seconds(demo_texts: dict[str, str]) -> None:
    police, lawyer = demo_texts["police"], demo_texts["lawyer"]
    # The diary (typed to the minute): the Incidents table and Requests to stop.
    incidents = police[police.index("Incidents the complainant recorded") : police.index("Requests to stop")]
    assert "2026-03-14 20:41 +00:00" in incidents and "20:41:00" not in incidents
    assert "2026-03-07 about 18:00 +00:00" in incidents
    requests = police[police.index("Requests to stop") : police.index("Contact by any means")]
    assert "2026-03-01 18:02 +00:00 diary" in requests and "18:02:00" not in requests
    assert "2026-03-01 18:02:11 +00:00 sms" in requests  # a time to the second keeps its seconds
    # The screenshot of 20 Mar shows "22:31": its exhibit's first event, as the Timeline prints it.
    exhibits = lawyer[lawyer.index("Exhibits") :]
    assert "First event 2026-03-20 22:31 +00:00" in exhibits and "22:31:00" not in exhibits
    # Appendix headings name their row by its time, at its precision, with its offset.
    appendix = lawyer[lawyer.rindex("A-1 the timeline's row of") :]
    for when in re.findall(r"A-\d+ the timeline's row of (\S+ (?:about )?\S+ \S+),", appendix):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d (about )?\d\d:\d\d(:\d\d)? [+-]\d\d:\d\d", when), when


def test_the_statement_of_truth_says_which_zones_were_assumed(demo_texts: dict[str, str]) -> None:
    text = demo_texts["lawyer"]
    statement = text[text.index("DRAFT STATEMENT OF TRUTH") :]
    # It said "Times are shown with the UTC offset each source recorded": false for 126 rows.
    assert "Times are shown with the UTC offset each source recorded." not in statement
    assert "where a source recorded no zone, with the offset of an assumed zone" in statement
    assert re.search(r"(\d+) of the \d+ records had a time written by their source without a zone", statement)
    assumed = text.count("zone assumed")
    assert assumed > 100  # every such row is marked


def test_every_import_warning_of_the_demo_is_printed(demo: Path, demo_texts: dict[str, str]) -> None:
    """Six warnings: two about one record (beside it), two about a whole WhatsApp export (the day-first date
    order decided for EX-0006 and EX-0007, printed nowhere before), and two screenshots whose screen was not
    recognised (the carrier's call list and the smeared picture: issue 15, never a silent nothing)."""
    with Case.open(demo, readonly=True) as case:
        messages = [w for _, w in _warnings(case)]
    assert len(messages) == 6
    assert sum(m.startswith("the screen was not recognised") for m in messages) == 2
    for profile, text in demo_texts.items():
        for message in messages:
            assert " ".join(message.split()) in text, (profile, message)
        assert text.count("dates read day-first (DMY)") == 4  # each on its exhibit and on its first row


def _warnings(case: Case) -> list[tuple[str, str]]:
    """Every (exhibit, message) the imports warned about, read from the signed records blobs."""
    from evidence.case.folder import canonical_loads
    from evidence.case.formats import Kind
    from evidence.report.screens import verified_bytes

    found = []
    for entry in case.entries():
        if entry.kind == Kind.RECORDS_DERIVED:
            body = canonical_loads(entry.body_text)
            blob = canonical_loads(verified_bytes(case.store, body["blob_sha256"], "records").decode())
            found += [(str(body["exhibit"]), str(w["message"])) for w in blob.get("warnings", [])]
    return found
