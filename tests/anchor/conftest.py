"""Fixtures of the anchor tests: one test PKI per session (key generation is the slow part)."""

from __future__ import annotations

import pytest

from tests.anchor.tsa_kit import PKI


@pytest.fixture(scope="session")
def pki() -> PKI:
    """Root CA -> intermediate -> TSA certificate with critical EKU timeStamping, and a stranger root."""
    return PKI()
