"""Dates of a WhatsApp chat written in the Persian or the Islamic calendar, as Gregorian dates
(``importers/whatsapp.py``).

A phone can be set to either calendar (iOS: Settings > General > Language & Region > Calendar; the Persian
calendar is the default for Persian in Iran), and WhatsApp writes the export's dates in it: ``1/7/1401 AP``
or ``۱۴۰۱/۱/۷`` (Persian, Solar Hijri), ``8/24/1443 AH`` or ``٢٤‏/٨‏/١٤٤٣ هـ`` (Islamic, Hijri).

- Persian: ``jdatetime`` (its Jalali arithmetic, exact for the years phones write).
- Islamic: ``hijridate``, the Umm al-Qura calendar of Saudi Arabia from its published tables (years 1343-1500
  AH). A date does not say which Islamic calendar the phone used: iOS also offers the civil (tabular) one,
  whose dates can be a day or two apart from Umm al-Qura's, so the import says that it read Umm al-Qura.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

from datetime import date

import jdatetime  # type: ignore[import-untyped]  # no stubs
from hijridate import Hijri

# The calendars the records name (``raw["calendar"]``)
PERSIAN = "persian"
ISLAMIC = "islamic"
ISLAMIC_READING = "Umm al-Qura"


def gregorian(calendar: str, year: int, month: int, day: int) -> date:
    """The Gregorian date of ``year``-``month``-``day`` in ``calendar`` ("persian", "islamic", else Gregorian);
    raises ValueError when that date does not exist (or, Islamic, lies outside the Umm al-Qura tables)."""
    if calendar == PERSIAN:
        converted = jdatetime.date(year, month, day).togregorian()
        return date(converted.year, converted.month, converted.day)
    if calendar == ISLAMIC:
        try:
            found = Hijri(year, month, day).to_gregorian()
        except OverflowError as exc:  # outside the tables
            raise ValueError(str(exc)) from exc
        return date(found.year, found.month, found.day)
    return date(year, month, day)
