"""The police profile's facts for the statement (issue 14: relationship, suspect's details, impact, actions
taken) set with `case set` as signed ledger entries, printed as set or as a visible blank line, never invented;
and the PHA 1997 s.2A(3) behaviours shown only from counted attempts and confirmed tactics."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import UsageError
from evidence.verify.case import verify_case
from tests.conftest import CORPUS, run_cli

BLANK = "________________________________________ (not recorded: fill in by hand)"


@pytest.fixture
def case_root(tmp_path: Path) -> Path:
    """SMS Backup & Restore's test archive (devadvance/sms-backup-reader-2, MIT): 8 incoming texts, 3 of
    them from +15550000001, linked here as the respondent's."""
    root = tmp_path / "case"
    with Case.init(root, title="Backup", tz="America/New_York") as case:
        case.import_files([CORPUS / "smsbackup" / "sms-devadvance-sms_small.xml"])
        case.add_person("Chris Doe", role="respondent", ids=["+15550000001"], basis="saved contact")
    return root


def _police(root: Path, tmp: Path) -> str:
    out = tmp / "police.pdf"
    with Case.open(root, readonly=True) as case:
        out.write_bytes(case.render_report(profile="police"))
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_facts_nobody_set_are_blank_lines_never_invented(case_root: Path, tmp_path: Path) -> None:
    text = _police(case_root, tmp_path)
    facts = _between(text, "Facts for the statement", "Incidents the complainant recorded")
    for label in (
        "Relationship of the complainant to the suspect",
        "Impact on the complainant (in the complainant's own words)",
        "Actions taken (blocks, reports, orders)",
        "Police reference",
        "Protection order",
    ):
        assert f"{label} {BLANK}" in facts, label
    assert "Suspect's date of birth ________________________________________ (if known; not recorded" in facts
    assert "Suspect's address ________________________________________ (if known; not recorded" in facts
    # The name and identifiers are those the complainant gave the respondent, and say so.
    assert "Suspect's full name Chris Doe (the respondent of this case, 'evidence person')" in facts
    assert "+15550000001 (phone, confirmed: saved contact)" in facts
    # The statement's own paragraphs carry the same blanks, and no placeholder is left unfilled.
    statement = text[text.rindex("WITNESS STATEMENT") :]
    assert (
        "The person I complain about: Chris Doe. Date of birth: ______________________________." in statement
    )
    assert "How this has affected me: ______________________________" in statement
    assert not re.search(r"\$[a-z_]+", statement)
    # s.2A(3): contact from the counted attempts; nothing else, since nothing was reviewed.
    pha = _between(text, "Behaviours listed in PHA 1997 s.2A(3)", "Escalation: attempts per week")
    assert (
        "3 contact attempts attributed to a respondent (3 from identifiers confirmed as theirs, 0 suspected)"
        in pha
    )
    assert pha.count("no reviewed record shows it. Complainant's account:") == 6  # (a), (c)-(g)


def test_facts_set_with_case_set_are_ledger_entries_printed_as_typed(case_root: Path, tmp_path: Path) -> None:
    out = run_cli(
        "-C",
        str(case_root),
        "case",
        "set",
        "--relationship",
        "ex-partner (five years; we lived together until March)",
        "--suspect-name",
        "Christopher Doe",
        "--suspect-dob",
        "1988-11-05",
        "--suspect-address",
        "14 Example Road, Springfield",
        "--impact",
        "  I check the locks three times before bed.\n",
        "--actions-taken",
        "Blocked +15550000001 on 2 Dec 2017; reported to the police on 3 Dec 2017",
    )
    assert out.returncode == 0, out.stderr
    with Case.open(case_root) as case:
        (update,) = [e.body["set"] for e in case.entries() if e.kind == "case.updated"]
        assert update["impact"] == "I check the locks three times before bed."  # as typed, ends trimmed
        assert update["suspect_dob"] == "1988-11-05"
        with pytest.raises(UsageError, match="suspect_dob: '5/11/88' is not a date"):
            case.set_facts(suspect_dob="5/11/88")
        with pytest.raises(UsageError, match="unknown suspect_eyes"):
            case.set_facts(suspect_eyes="blue")
    assert verify_case(case_root).ok
    text = _police(case_root, tmp_path)
    facts = _between(text, "Facts for the statement", "Incidents the complainant recorded")
    assert (
        "Relationship of the complainant to the suspect ex-partner (five years; we lived together until March)"
        in facts
    )
    assert "Suspect's full name Christopher Doe" in facts and "the respondent of this case" not in facts
    assert "Suspect's date of birth 1988-11-05" in facts
    assert "Suspect's address 14 Example Road, Springfield" in facts
    assert "“I check the locks three times before bed.”" in facts
    assert "reported to the police on 3 Dec 2017" in facts
    assert facts.count(BLANK) == 2  # police reference and protection order: still nobody's
    statement = text[text.rindex("WITNESS STATEMENT") :]
    assert (
        "The person I complain about: Christopher Doe. Date of birth: 1988-11-05. Address: 14 Example Road, "
        "Springfield. Their relationship to me: ex-partner (five years; we lived together until March)."
    ) in statement
    # A bad date from the command line: one line naming the option, no traceback, nothing recorded.
    bad = run_cli("-C", str(case_root), "case", "set", "--suspect-dob", "05/11/1988")
    assert bad.returncode == 2 and "--suspect-dob" in bad.stderr and "Traceback" not in bad.stderr


def test_behaviours_come_only_from_confirmed_tactics(case_root: Path, tmp_path: Path) -> None:
    with Case.open(case_root) as case:
        first, second = (e.record.id for e in case.timeline()[:2])
        case.review_tag(first, "smear", "confirmed", note="he posted it")
        case.review_tag(second, "monitoring", "rejected")
    text = _police(case_root, tmp_path)
    pha = _between(text, "Behaviours listed in PHA 1997 s.2A(3)", "Escalation: attempts per week")
    published = _between(pha, "(c) publishing", "(d) monitoring")
    assert "smear (confirmed by the complainant), 2017-12-02" in published and "EX-0001 sms 1" in published
    assert "monitoring (confirmed" not in pha  # rejected: nowhere
    assert pha.count("no reviewed record shows it.") == 5
