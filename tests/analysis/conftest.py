"""The sample case (samples/make_samples.py), imported once per session, with its people added."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import sample_files

ALEX_IDS = (
    "+447700900123",
    "07700 900456",  # national form: normalised with the case's region (GB)
    "+44 7700 900789",
    "Alex.Morgan@example.net",
    "@alex.m.2",
    "Alex",  # the name Jordan's WhatsApp export shows for the second number
)


@pytest.fixture(scope="session")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case holding every sample file but case.json, Alex and Sam added as people (do not write to it)."""
    base = tmp_path_factory.mktemp("samples")
    files = sample_files(base)
    root = base / "case"
    from datetime import date

    with Case.init(root, title="Samples", tz="Europe/London", no_contact_since=date(2026, 3, 1)) as case:
        case.import_files(files)
        case.add_person("Alex Morgan", role="respondent", ids=ALEX_IDS, basis="known numbers and accounts")
        case.link_person(
            "Alex Morgan",
            "ALEX.M.2026@example.net",
            basis="e-mail of 2026-03-27 signed Alex",
            confidence="confirmed",
        )
        case.add_person("Sam Patel", role="third-party", ids=("07700900555", "sam.patel@example.org"))
    return root
