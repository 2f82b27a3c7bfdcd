"""The identifiers seen in a case's records, counted (``evidence.analysis.seen``), on SMS Backup & Restore files
written by others; the expected counts were read off the files by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from evidence.actions.casework import SightingsMemo, identifiers_seen
from evidence.api import Case
from tests.conftest import DATA


def test_each_number_is_counted_once_an_entry_and_linking_moves_it_to_its_person(
    case: Case, corpus: Path
) -> None:
    sms = corpus / "smsbackup" / "sms-devadvance-sms_small.xml"
    case.import_files([sms, corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml"])
    found = identifiers_seen(case)
    counts = {s.identifier.value: (s.entries, s.from_them) for s in found.unlinked()}
    # +15550000004: type="1" (received) Body text 6, 8, 9, 13; type="2" (sent) 7, 10-12 (one message), 14
    assert counts == {
        "+15550000004": (7, 4),
        "+15550000001": (4, 3),
        "+15550000003": (1, 1),
        "+15551234567": (1, 1),
    }
    assert [s.identifier.value for s in found.unlinked()][:2] == ["+15550000004", "+15550000001"]
    busiest = found.unlinked()[0]
    assert busiest.first == datetime(2017, 12, 2, 18, 4, 3, 922000, tzinfo=UTC)  # date="1512237843922"
    assert busiest.last == datetime(2017, 12, 2, 18, 10, 45, 524000, tzinfo=UTC)  # date="1512238245524"
    assert found.hidden == 0

    memo = SightingsMemo()
    assert identifiers_seen(case, memo) == found
    counted = memo.found
    case.add_person("Contact A", role="respondent")
    case.link_person("Contact A", "+1 555 000 0004", basis="signed a text 'A'", confidence="suspected")
    again = identifiers_seen(case)
    assert "+15550000004" not in {s.identifier.value for s in again.unlinked()}
    assert [(s.identifier.value, s.entries) for s in again.of("Contact A")] == [("+15550000004", 7)]
    # A link changes whose a number is, not the counts: the memo's counts are linked afresh, not recounted.
    assert identifiers_seen(case, memo) == again and memo.found is counted

    # The same file imported a second time adds no entry (copies merge on the timeline), so no count changes.
    copy = case.root.parent / "copy.xml"
    copy.write_bytes(sms.read_bytes().replace(b'backup_set="97e66a20', b'backup_set="97e66a21'))
    case.import_files([copy])
    assert identifiers_seen(case) == again
    assert identifiers_seen(case, memo) == again and memo.found is not counted  # new records: counted again


def test_hidden_callers_are_counted_apart(case: Case) -> None:
    # all_call_types.xml (written for this project's importer tests): number="" (presentation 2), "-1",
    # presentation 4 (a payphone: the importer keeps no number) and "-2" are hidden, read as "(withheld)",
    # "(unknown)" and "(payphone)"; +447700900001 is in the other 7 calls.
    case.import_files([DATA / "smsbackup" / "all_call_types.xml"])
    found = identifiers_seen(case)
    assert found.hidden == 4
    assert {s.identifier.value: s.entries for s in found.seen} == {"+447700900001": 7}
