"""The one wall-clock localisation (``timeutil.localise_wall``): normal, ambiguous and non-existent times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.timeutil import DstCase, localise_wall

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def wall(*fields: int) -> datetime:
    return datetime(*fields)  # naive on purpose: a wall-clock time has no zone until it is localised


@pytest.mark.parametrize(
    ("tz", "fields", "utc"),
    [
        (LONDON, (2026, 7, 1, 12, 0, 0), datetime(2026, 7, 1, 11, 0, tzinfo=UTC)),
        (LONDON, (2026, 1, 15, 9, 30, 15), datetime(2026, 1, 15, 9, 30, 15, tzinfo=UTC)),
        (NEW_YORK, (2026, 7, 1, 12, 0, 0), datetime(2026, 7, 1, 16, 0, tzinfo=UTC)),
        (NEW_YORK, (2026, 1, 15, 9, 30, 15), datetime(2026, 1, 15, 14, 30, 15, tzinfo=UTC)),
    ],
)
def test_a_plain_time_is_read_in_its_zone(tz: ZoneInfo, fields: tuple[int, ...], utc: datetime) -> None:
    moment, case = localise_wall(wall(*fields), tz)
    assert case is None
    assert moment.tzinfo is tz
    assert moment == utc


@pytest.mark.parametrize(
    ("tz", "fields", "offset"),
    [
        # Europe/London went back at 02:00 BST on 2026-10-25: 01:30 happened at +01:00 and again at +00:00.
        (LONDON, (2026, 10, 25, 1, 30, 0), timedelta(hours=1)),
        # America/New_York went back at 02:00 EDT on 2026-11-01: 01:30 happened at -04:00 and again at -05:00.
        (NEW_YORK, (2026, 11, 1, 1, 30, 0), timedelta(hours=-4)),
    ],
)
def test_an_ambiguous_time_is_its_first_occurrence(
    tz: ZoneInfo, fields: tuple[int, ...], offset: timedelta
) -> None:
    moment, case = localise_wall(wall(*fields), tz)
    assert case is DstCase.AMBIGUOUS
    assert moment.fold == 0
    assert moment.utcoffset() == offset
    assert moment.replace(tzinfo=None) == wall(*fields)


@pytest.mark.parametrize(
    ("tz", "fields", "offset"),
    [
        # Europe/London went forward at 01:00 GMT on 2026-03-29: 01:30 never happened; GMT (+00:00) kept.
        (LONDON, (2026, 3, 29, 1, 30, 0), timedelta(0)),
        # America/New_York went forward at 02:00 EST on 2026-03-08: 02:30 never happened; EST (-05:00) kept.
        (NEW_YORK, (2026, 3, 8, 2, 30, 0), timedelta(hours=-5)),
    ],
)
def test_a_nonexistent_time_keeps_the_offset_before_the_change(
    tz: ZoneInfo, fields: tuple[int, ...], offset: timedelta
) -> None:
    moment, case = localise_wall(wall(*fields), tz)
    assert case is DstCase.NONEXISTENT
    assert moment.utcoffset() == offset
    assert moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall(*fields)


def test_the_cases_are_the_words_the_whatsapp_importer_used() -> None:
    assert DstCase.AMBIGUOUS == "ambiguous"
    assert DstCase.NONEXISTENT == "nonexistent"


def test_a_time_that_already_has_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no zone"):
        localise_wall(datetime(2026, 7, 1, 12, tzinfo=UTC), LONDON)


@given(
    st.datetimes(min_value=wall(1980, 1, 1), max_value=wall(2060, 12, 31)),
    st.sampled_from([LONDON, NEW_YORK]),
)
def test_the_case_says_whether_the_wall_time_reads_back(when: datetime, tz: ZoneInfo) -> None:
    moment, case = localise_wall(when, tz)
    back = moment.astimezone(UTC).astimezone(tz)
    assert moment.fold == 0
    assert (back.replace(tzinfo=None) == when) == (case is not DstCase.NONEXISTENT)
    if case is DstCase.AMBIGUOUS:
        later = when.replace(tzinfo=tz, fold=1)
        assert later.utcoffset() != moment.utcoffset()
        assert later.astimezone(UTC) > moment.astimezone(UTC)
