"""Fixtures the red-team regression tests share with other test folders."""

from tests.anchor.conftest import pki

__all__ = ["pki"]
