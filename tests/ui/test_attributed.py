"""The app's exhibit page and timeline show the complainant's attributions (``evidence attribute``: a
``record.attributed`` entry) beside the record, as hers with her reason, not as what the file says (issue 14:
before, only the report showed them)."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.testclient import TestClient

from evidence.api import Case
from evidence.ui.session import Session
from tests.ui.conftest import create_case

CALLS = "smsbackup/calls-shruggietech-minimal_calls.xml"  # shruggietech/android-sms-backup-sample
SAID = (
    "You said this was Alex Morgan (your reason: \u201cI know his voice\u201d). "
    "This is your statement, not what the file says."
)


def test_exhibit_and_timeline_show_her_attribution_as_hers(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files([corpus / CALLS])
        case.add_person("Alex Morgan", role="respondent")
        first = case.timeline()[0]
        case.attribute_record(first.sources[0].record_id, person="alex morgan", basis="I know his voice")
    exhibit = html.unescape(client.get("/exhibit/EX-0001").text)
    assert exhibit.count(f'<div class="attributed">{SAID}</div>') == 1
    timeline = html.unescape(client.get("/timeline").text)
    assert timeline.count(f'<div class="attributed">{SAID}</div>') == 1


def test_exhibit_page_says_who_handed_the_file_over_when_the_import_recorded_it(
    client: TestClient, session: Session, corpus: Path
) -> None:
    assert create_case(client, session).status_code == 303
    assert session.case_root is not None
    with Case.open(session.case_root, keys=session.keys) as case:
        case.import_files([corpus / CALLS])
        case.import_files(
            [corpus / CALLS], handed_over={"by": "Jordan Lee, from her own phone", "on": "2026-03-14"}
        )
    page = html.unescape(client.get("/exhibit/EX-0001").text)
    assert page.count('<span class="handed">') == 1  # the first acquisition recorded nobody
    assert '<span class="handed">handed over by Jordan Lee, from her own phone, on 2026-03-14</span>' in page
