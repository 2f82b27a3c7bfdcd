"""The PDF report of the sample case: content (read back with pdftotext), determinism, ledger entry, CLI."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.ledger import Head
from evidence.errors import UsageError
from evidence.verify.case import verify_case
from tests.conftest import ROOT, run_cli, sample_files

PROFILES = ("police", "lawyer", "protective-order")


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample case of `make demo`: everything make_samples.py writes except case.json, imported."""
    base = tmp_path_factory.mktemp("report")
    files = sample_files(base)
    root = base / "case"
    with Case.init(
        root,
        title="Harassment of Jordan Lee by Alex Morgan",
        tz="Europe/London",
        no_contact_since=date(2026, 3, 1),
    ) as case:
        case.import_files(files)
    return root


@pytest.fixture
def case_copy(sample_case: Path, tmp_path: Path) -> Path:
    """A private copy of the sample case (reports append to the ledger)."""
    target = tmp_path / "case"
    shutil.copytree(sample_case, target)
    return target


def test_report_content_and_ledger_entry(case_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    with Case.open(case_copy) as case:
        head = case.head()
        exhibits = [e["exhibit"] for e in case.exhibits()]
        written = case.report(out, profile="lawyer")
        after = case.head()
        checkpoint, last = list(case.entries())[-2:]
    data = out.read_bytes()
    # The report first signs a checkpoint of the ledger as it stood, and shows the ledger up to it.
    assert checkpoint.kind == "checkpoint.signed" and checkpoint.body["size"] == head.seq
    built = Head(checkpoint.seq, checkpoint.hash)
    assert written.built_from == built
    assert after.seq == head.seq + 2 and written.entry == after
    assert last.kind == "report.generated"
    assert last.body["sha256"] == hashlib.sha256(data).hexdigest() == written.sha256
    assert last.body["size"] == len(data)
    assert last.body["built_from"] == {"seq": built.seq, "hash": built.hash}
    assert last.body["profile"] == "lawyer"
    assert not list(out.parent.glob(".*.tmp"))

    text = _text(out)
    assert "Harassment of Jordan Lee by Alex Morgan" in text
    assert f"{built.seq}:{built.hash}" in text
    assert "page 1 of" in text and "EVD-000001" in text
    for exhibit in exhibits:
        assert exhibit in text
    lines = text.splitlines()
    # Every timeline row carries its offset: winter (GMT) and summer (BST) rows both appear.
    row = r"\d\d:\d\d:\d\d \{offset}\s+(incoming|outgoing|unknown)"
    assert any(re.search(row.format(offset="+00:00"), line) for line in lines)
    assert any(re.search(row.format(offset="+01:00"), line) for line in lines)
    assert (
        "sha256sum FILE" in text and "shasum -a 256 FILE" in text and "certutil -hashfile FILE SHA256" in text
    )
    assert "penalty of perjury" in text  # US 902(14) declaration
    assert "proceedings for contempt of court" in text  # UK statement of truth
    assert "Attempts since 2026-03-01" in text

    report = verify_case(case_copy, heads=[str(head)])
    assert report.ok, [str(f) for f in report.findings]


def test_same_case_same_bytes(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        first = case.render_report(profile="police")
        second = case.render_report(profile="police")
        other_prefix = case.render_report(profile="police", bates_prefix="JL")
    assert first == second
    assert first != other_prefix
    assert first.startswith(b"%PDF-")


def test_same_bytes_in_another_process(sample_case: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from evidence.api import Case\n"
        "with Case.open(Path(sys.argv[1]), readonly=True) as c: sys.stdout.buffer.write(c.render_report(profile='police'))"
    )
    done = subprocess.run([sys.executable, "-c", script, str(sample_case)], capture_output=True, check=True)
    with Case.open(sample_case, readonly=True) as case:
        assert done.stdout == case.render_report(profile="police")


def test_creation_date_is_the_head_time_or_the_one_given(sample_case: Path, tmp_path: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        head_time = datetime.fromisoformat(list(case.entries())[-1].recorded_at)
        default = case.render_report()
        given = case.render_report(generated_at=datetime(2036, 4, 20, 9, 30, tzinfo=UTC))
    assert f"D:{head_time:%Y%m%d%H%M%S}+00'00'".encode() in default
    assert b"D:20360420093000+00'00'" in given
    path = tmp_path / "given.pdf"
    path.write_bytes(given)
    assert "2036-04-20 10:30:00 +01:00" in _text(path)  # shown in the case's zone, with its offset


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_renders(sample_case: Path, tmp_path: Path, profile: str) -> None:
    with Case.open(sample_case, readonly=True) as case:
        pdf = case.render_report(profile=profile)
    path = tmp_path / f"{profile}.pdf"
    path.write_bytes(pdf)
    text = _text(path)
    assert "Chain of custody" in text and "item.acquired" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Harassment of Jordan Lee by Alex Morgan" in info  # title metadata
    assert f"profile {profile}" in info  # keywords metadata
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert f"page {pages} of {pages}" in text


def test_outline_has_the_sections(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        pdf = case.render_report(profile="lawyer")
    for title in (b"Cover", b"Summary", b"Timeline", b"Exhibits", b"Chain of custody", b"Verification"):
        assert b"/Title (" + title + b")" in pdf
    assert b"/Title (EX-0012  sms-20260415093000.xml)" in pdf  # one entry per exhibit
    assert b"/Outlines" in pdf


def test_custom_templates_and_unknown_profile(sample_case: Path, tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", mine)
    police = (mine / "profiles" / "police.json").read_text(encoding="utf-8")
    (mine / "profiles" / "mine.json").write_text(
        police.replace("Evidence report for the police", "Rapport de preuves — Ελληνικά"), encoding="utf-8"
    )
    with Case.open(sample_case, readonly=True) as case:
        pdf = case.render_report(profile="mine", templates=mine)
        with pytest.raises(UsageError, match="no report profile 'nope'"):
            case.render_report(profile="nope")
    path = tmp_path / "mine.pdf"
    path.write_bytes(pdf)
    assert "Rapport de preuves — Ελληνικά" in _text(path)


def test_cli_report(case_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.pdf"
    done = run_cli("-C", str(case_copy), "report", "-o", str(out), "--profile", "protective-order")
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in done.stdout
    bad = run_cli("-C", str(case_copy), "report", "-o", str(tmp_path / "x.pdf"), "--profile", "nope")
    assert bad.returncode == 2 and "no report profile" in bad.stderr
    assert not (tmp_path / "x.pdf").exists()
    log = run_cli("-C", str(case_copy), "log")
    assert "report.generated" in log.stdout


def test_summary_uses_the_stats_and_the_reviewed_tactics(case_copy: Path, tmp_path: Path) -> None:
    with Case.open(case_copy) as case:
        stats = case.stats()
        threat = next(
            e for e in case.timeline() if e.record.text and "come round for my stuff" in e.record.text
        )
        case.review_tag(threat.record.id, "threat", "confirmed")
        smear = next(e for e in case.timeline() if e.record.text == "No. Take it down Alex. I mean it.")
        case.review_tag(smear.record.id, "smear", "rejected", note="Jordan's own words")
        counts = case._tactic_counts()
        case.report(tmp_path / "r.pdf")
    text = " ".join(_text(tmp_path / "r.pdf").split())
    days = stats["days"]
    # Issue 14: the all-senders figure is labelled as such (the respondent's own is apart), and a lawyer's
    # report lists the one confirmed tactic on its row with its words, never unreviewed counts.
    assert f"Contact attempts, all senders {stats['attempts']}" in text
    assert f"{days['with_contact']} of the {days['days']} days" in text
    assert "Longest burst" in text and "attempts in" in text
    assert "Tactics confirmed by the complainant" in text
    assert "threat confirmed" in text
    summary = text[: text.index("By channel")]
    assert "smear" not in summary and "love bombing" not in summary  # rejected, and unreviewed
    assert counts["threat"]["confirmed"] == 1
    assert counts["smear"]["suggested"] == 6  # suggested by the issue 17 tagger and not rejected
