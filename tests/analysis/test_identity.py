"""Identifier normalisation: phone numbers, e-mail addresses, handles, hidden callers."""

from __future__ import annotations

import pytest

from evidence.analysis.identity import normalise, region_for_zone


@pytest.mark.parametrize(
    "raw",
    [
        "07700 900123",
        "+44 7700 900123",
        "07700900123",
        "0044 7700-900123",
        "+44 (0)7700 900123",
        "(07700) 900 123",
    ],
)
def test_uk_numbers_in_any_form_are_one_e164_number(raw: str) -> None:
    ident = normalise(raw, "GB")
    assert ident is not None
    assert (ident.kind, ident.value, ident.raw) == ("phone", "+447700900123", raw)


def test_the_region_decides_national_numbers() -> None:
    us = normalise("(202) 555-0143", "US")
    assert us is not None and us.value == "+12025550143"
    uk = normalise("020 7946 0018", "GB")
    assert uk is not None and uk.value == "+442079460018"


def test_short_codes_keep_their_digits() -> None:
    ident = normalise("101", "GB")
    assert ident is not None and (ident.kind, ident.value) == ("phone", "101")


@pytest.mark.parametrize(
    "raw",
    ["", "  ", "(withheld)", "Withheld", "Private number", "UNKNOWN", "-2", "(unknown)", "(payphone)", None],
)
def test_hidden_callers_match_no_one(raw: str | None) -> None:
    assert normalise(raw, "GB") is None


def test_emails_are_case_folded_and_display_names_dropped() -> None:
    a = normalise("Alex.Morgan@Example.NET", "GB")
    b = normalise("Alex Morgan <alex.morgan@example.net>", "GB")
    assert a is not None and b is not None
    assert (a.kind, a.value) == (b.kind, b.value) == ("email", "alex.morgan@example.net")


def test_handles_lose_the_at_sign_and_case() -> None:
    a = normalise("@Alex.M.2", "GB")
    b = normalise("alex.m.2", "GB")
    assert a is not None and b is not None
    assert (a.kind, a.value) == (b.kind, b.value) == ("handle", "alex.m.2")


def test_region_from_zone() -> None:
    assert region_for_zone("Europe/London") == "GB"
    assert region_for_zone("America/New_York") == "US"
    assert region_for_zone("UTC") is None
