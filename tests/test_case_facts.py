"""Case facts changed after init, and contact passed on by a third party: ledger entries, never edits."""

from __future__ import annotations

import json

import pytest

from evidence.api import Case
from evidence.errors import UsageError
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def test_case_set_keeps_the_history(case: Case) -> None:
    assert case.settings()["no_contact_since"] is None
    out = run_cli(
        "-C",
        str(case.root),
        "case",
        "set",
        "--no-contact-since",
        "2026-03-01",
        "--police-ref",
        "CAD 4521/14MAR26",
    )
    assert out.returncode == 0, out.stderr
    case.set_facts(no_contact_since="2026-03-02")
    settings = case.settings()
    assert settings["no_contact_since"] == "2026-03-02" and settings["police_ref"] == "CAD 4521/14MAR26"
    updates = [e.body["set"] for e in case.entries() if e.kind == "case.updated"]
    assert updates == [
        {"no_contact_since": "2026-03-01", "police_ref": "CAD 4521/14MAR26"},
        {"no_contact_since": "2026-03-02"},
    ]
    assert case.stats()["no_contact_since"] == "2026-03-02"
    with pytest.raises(UsageError):
        case.set_facts(colour="red")
    with pytest.raises(UsageError, match="not a date"):
        case.set_facts(no_contact_since="March")
    assert verify_case(case.root).ok


def test_relayed_contact(case: Case) -> None:
    case.add_diary_entry(
        when="2026-03-20 18:00", text="Sam rang: Alex wants me to know he is 'not going anywhere'."
    )
    (record,) = case.records()
    out = run_cli(
        "-C",
        str(case.root),
        "relay",
        record.id,
        "--by",
        "Sam Patel",
        "--on-behalf-of",
        "Alex Morgan",
        "--what",
        "he is not going anywhere",
        "--witness",
    )
    assert out.returncode == 0, out.stderr
    (entry,) = json.loads(run_cli("-C", str(case.root), "timeline", "--json").stdout)
    (relay,) = entry["relayed"]
    assert (
        relay["by"] == "Sam Patel"
        and relay["on_behalf_of"] == "Alex Morgan"
        and relay["would_be_witness"] is True
    )
    with pytest.raises(UsageError, match="no record"):
        case.mark_relayed("R-0000000000000000", by="Sam")
    assert verify_case(case.root).ok
