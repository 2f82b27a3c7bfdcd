"""The demo case (``make demo``'s recipe, built once through the library and the CLI as ``tests/report/test_demo``
does): ``evidence stats``, the report's summary and the app's timeline chart give the same counts of contact
attempts, in total and per person (issue 14: the app's chart said 122 and the police report 141).

By eye, the report's figures (``tests/report/test_demo``): 141 attempts, 125 Alex Morgan's (78 confirmed, 47
suspected), Sam Patel's 5 (his e-mail to Jordan's own address among them), 11 withheld calls nobody's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.ui.timeline_screen import timeline_view
from tests.conftest import run_cli
from tests.report.test_demo import demo

__all__ = ["demo"]  # the module's fixture: the demo case, built once for this module


@pytest.fixture(scope="module")
def summary(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The lawyer report's text, one line."""
    out = tmp_path_factory.mktemp("summary") / "report.pdf"
    with Case.open(demo, readonly=True) as case:
        out.write_bytes(case.render_report(profile="lawyer"))
    raw = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True)
    return " ".join(raw.stdout.split())


def test_stats_the_report_and_the_app_chart_count_the_same(demo: Path, summary: str) -> None:
    with Case.open(demo, readonly=True) as case:
        result = case.stats()
    total = re.search(r"Contact attempts, all senders (\d+)", summary)
    alex = re.search(
        r"Attempts attributed to Alex Morgan \(respondent\) (\d+): (\d+) from identifiers", summary
    )
    third = re.search(
        r"Attempts by third parties \(never counted as the respondent\) (\d+): Sam Patel (\d+)", summary
    )
    nobody = re.search(r"Unattributed attempts (\d+)", summary)
    assert total and alex and third and nobody
    assert result["attempts"] == int(total.group(1)) == 141
    assert result["per_person"] == {
        "Alex Morgan": int(alex.group(1)),
        "Sam Patel": int(third.group(2)),
        "(nobody linked)": int(nobody.group(1)),
    }
    assert result["per_person"] == {"Alex Morgan": 125, "Sam Patel": 5, "(nobody linked)": 11}
    chart = timeline_view(demo, None, {})
    assert chart["attempts"] == 141
    # Per person through the app's filter: each person's chart is the report's figure for them.
    assert timeline_view(demo, None, {"person": "Alex Morgan"})["attempts"] == 125
    assert timeline_view(demo, None, {"person": "Sam Patel"})["attempts"] == 5


def test_the_cli_stats_and_timeline_show_the_settled_sides(demo: Path) -> None:
    out = run_cli("-C", str(demo), "stats")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("141 contact attempts")
    assert "per person: (nobody linked) 11, Alex Morgan 125, Sam Patel 5" in out.stdout
    lines = run_cli("-C", str(demo), "timeline").stdout.splitlines()
    # The Instagram screenshot's 6 messages: sender from its header, the basis beside the row.
    insta = [
        line for line in lines if "sender: the screen's header, above the messages, reads 'alex.m.2'" in line
    ]
    assert len(insta) == 6 and all(" alex.m.2 (Alex Morgan) " in line for line in insta)
    # Sam's e-mail to her own address: incoming, and what the file said.
    (sam,) = [line for line in lines if " sam.patel@example.org (Sam Patel) " in line and " email " in line]
    assert " email     incoming " in sam
    assert (
        "(incoming: addressed to the complainant (her own address jordan.lee@example.org); the file said unknown)"
        in sam
    )
    # Sam's own chat with Alex (the zip): between the two of them, never to her (direction "others" since the
    # audit's item 5; it stayed "unknown", and a respondent's line of unknown direction counts as an attempt).
    between = [
        line
        for line in lines
        if " others " in line
        and "(others: a conversation between Alex Morgan and Sam Patel: the complainant is not in it; "
        "the file said unknown)"
        in line
    ]
    assert len(between) == len([line for line in lines if "EX-0006 _chat.txt" in line]) > 0


def test_show_and_a_persons_exhibits_read_the_settled_sides(demo: Path) -> None:
    with Case.open(demo, readonly=True) as case:
        # The Instagram screenshot (EX-0004): its messages are Alex's through its header, so his export has it.
        assert "EX-0004" in case.exhibits_matching(person="Alex Morgan")
        assert "EX-0004" not in case.exhibits_matching(person="Sam Patel")
        (sam,) = [
            e.record.id
            for e in case.timeline()
            if e.record.channel.value == "email" and e.record.sender == "sam.patel@example.org"
        ]
    out = run_cli("-C", str(demo), "show", sam)
    assert out.returncode == 0, out.stderr
    assert " email incoming  from sam.patel@example.org" in out.stdout
    assert (
        "  incoming: addressed to the complainant (her own address jordan.lee@example.org); the file said unknown"
        in out.stdout
    )
