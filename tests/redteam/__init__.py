"""Regression tests of the red-team attacks of issue 13 (../shared/redteam/), one test per attack."""
