"""``evidence show`` prints the complainant's attributions (``evidence attribute``: ``record.attributed``) of a
record and of an exhibit's records, labelled as her statement with her basis, never as what the file says
(issue 14: before, neither view showed them; only the report did)."""

from __future__ import annotations

import json
from pathlib import Path

from evidence.api import Case
from tests.conftest import CORPUS, run_cli

CALLS = (
    CORPUS / "smsbackup" / "calls-shruggietech-minimal_calls.xml"
)  # shruggietech/android-sms-backup-sample


def _case(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "case"
    assert run_cli("init", "--plain", str(root), "--title", "Case", "--tz", "Europe/London").returncode == 0
    assert run_cli("-C", str(root), "import", str(CALLS)).returncode == 0
    assert run_cli("-C", str(root), "person", "add", "Alex Morgan", "--role", "respondent").returncode == 0
    with Case.open(root, readonly=True) as case:
        record_id = case.timeline()[0].sources[0].record_id
    said = run_cli(
        "-C", str(root), "attribute", record_id, "--to", "alex morgan", "--basis", "I know his voice"
    )
    assert said.returncode == 0, said.stderr
    return root, record_id


def test_show_prints_her_attribution_of_a_record_and_of_an_exhibits_records(tmp_path: Path) -> None:
    root, record_id = _case(tmp_path)
    words = (
        "the complainant attributes it to Alex Morgan (her statement, not the file's; "
        "her basis: 'I know his voice')  [entry "
    )
    record = run_cli("-C", str(root), "show", record_id)
    assert record.returncode == 0, record.stderr
    assert words in record.stdout
    exhibit = run_cli("-C", str(root), "show", "EX-0001")
    assert exhibit.returncode == 0, exhibit.stderr
    assert f"  {record_id}: {words}" in exhibit.stdout
    assert exhibit.stdout.count("the complainant attributes it to") == 1  # only the record she attributed
    shown = json.loads(run_cli("-C", str(root), "show", record_id, "--json").stdout)
    assert [(a["person"], a["basis"]) for a in shown["attributed"]] == [("Alex Morgan", "I know his voice")]
