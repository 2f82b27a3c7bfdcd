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
    # "Alex" (by eye, "This message was deleted" among them): each is now his, suspected.
    assert "Contact attempts, all senders 140" in text
    assert re.search(
        r"Attempts attributed to Alex Morgan \(respondent\) 119: 78 from identifiers confirmed as "
        r"theirs, 41 from identifiers only suspected",
        text,
    )
    chat_rows = re.findall(
        r"chat \(whatsapp\) unknown Alex .*?attempt \d+ Alex Morgan, suspected EX-0007 line", text
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
