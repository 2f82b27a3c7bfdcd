"""The app's fixtures: a session for a case folder in tmp_path, and a Starlette TestClient at its address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence.case.vault import TEST_COST
from evidence.ui.app import build_app
from evidence.ui.session import Session

PORT = 50123
ORIGIN = f"http://127.0.0.1:{PORT}"
PASSPHRASE = "maple orbit candle harbour"
SAME_ORIGIN = {"origin": ORIGIN}


@pytest.fixture
def session(tmp_path: Path) -> Session:
    """A fresh session for a new case folder (not created yet), passphrase stretching at the test cost."""
    return Session(port=PORT, case_root=tmp_path / "case", cost=TEST_COST)


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """A client at the app's own address, not signed in yet."""
    with TestClient(build_app(session), base_url=ORIGIN) as test_client:
        yield test_client


def sign_in(client: TestClient, session: Session) -> None:
    """Redeem the start token (the client keeps the cookie)."""
    assert client.get(f"/start/{session.start_token}", follow_redirects=False).status_code == 303


def create_case(client: TestClient, session: Session, **changes: str) -> object:
    """Sign in, pass the safety check and create the encrypted case through the form; the last answer."""
    sign_in(client, session)
    assert client.post("/safety", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
    form = {
        "title": "Harassment by A. Morgan",
        "tz": "Europe/London",
        "no_contact": "2026-03-01",
        "passphrase": PASSPHRASE,
        "passphrase2": PASSPHRASE,
        **changes,
    }
    return client.post("/create", headers=SAME_ORIGIN, data=form, follow_redirects=False)
