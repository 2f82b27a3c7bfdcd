"""``stats`` read in one pass (issue 18): ``summary`` and the copy merging of ``counted_attempts`` hold no list of
attempts, and give exactly what the list-based code before them gave (kept here as the oracle: its sort, its
``heapq.nlargest`` of the gaps, its ``bursts`` over the whole list, its merge scanning the whole list back).

The attempts are generated (hypothesis) around the edges that matter: equal times, equal gaps (the longest gaps'
ties are kept in time order), runs exactly ``BURST_GAP`` apart, copies exactly ``COPY_WINDOW`` apart, one
identity on two channels, files shared or not, a day change in the case zone at the clocks' change."""

from __future__ import annotations

import heapq
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.analysis import stats
from evidence.analysis.stats import RowAttempt

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # the night before the clocks go forward in London


def old_summary(found: list[Any], tz: Any, *, no_contact_since: date | None, since: date | None, person: str | None) -> dict[str, Any]:  # fmt: skip
    """``stats.summary`` as it was before issue 18's streaming (commit 0a5d116), over a list."""
    if since is not None:
        found = [a for a in found if a.at.astimezone(tz).date() >= since]
    if person is not None:
        found = [a for a in found if a.person is not None and a.person.casefold() == person.casefold()]
    days = Counter(a.at.astimezone(tz).date() for a in found)
    weeks: Counter[str] = Counter()
    for day, n in days.items():
        weeks[stats.iso_week(day)] += n
    result: dict[str, Any] = {
        "attempts": len(found),
        "first": found[0].at.astimezone(tz).isoformat() if found else None,
        "last": found[-1].at.astimezone(tz).isoformat() if found else None,
        "per_day": {d.isoformat(): n for d, n in sorted(days.items())},
        "per_week": dict(sorted(weeks.items())),
        "per_channel": dict(sorted(Counter(a.channel for a in found).items())),
        "per_identity": dict(sorted(Counter(a.identity for a in found).items())),
        "per_person": dict(sorted(Counter(a.person or "(nobody linked)" for a in found).items())),
        "attempts_since_no_contact": (
            sum(n for d, n in days.items() if d >= no_contact_since) if no_contact_since else None
        ),
    }
    start = no_contact_since or since or (min(days) if days else None)
    if start is not None and days:
        end = max(days)
        result["days"] = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": (end - start).days + 1,
            "with_contact": sum(1 for d in days if start <= d <= end),
        }
    else:
        result["days"] = None
    result["bursts"] = [
        {
            "start": run[0].at.astimezone(tz).isoformat(),
            "end": run[-1].at.astimezone(tz).isoformat(),
            "attempts": len(run),
            "minutes": int((run[-1].at - run[0].at).total_seconds() // 60),
            "across_midnight": run[0].at.astimezone(tz).date() != run[-1].at.astimezone(tz).date(),
            "per_channel": dict(sorted(Counter(a.channel for a in run).items())),
            "per_identity": dict(sorted(Counter(a.identity for a in run).items())),
        }
        for run in stats.bursts(found)
    ]
    gaps = heapq.nlargest(
        stats.TOP_GAPS, ((b.at - a.at, a, b) for a, b in pairwise(found)), key=lambda g: g[0]
    )
    result["gaps"] = [
        {
            "from": a.at.astimezone(tz).isoformat(),
            "to": b.at.astimezone(tz).isoformat(),
            "hours": int(length.total_seconds() // 3600),
        }
        for length, a, b in gaps
    ]
    return result


def old_merge(found: list[RowAttempt]) -> list[RowAttempt]:
    """The copy merging of ``counted_attempts`` as it was (commit 0a5d116): each attempt against the whole list
    merged so far, scanned back while within ``COPY_WINDOW``."""
    found.sort(key=lambda a: a.at)
    merged: list[RowAttempt] = []
    for attempt in found:
        for i in range(len(merged) - 1, -1, -1):
            other = merged[i]
            if attempt.at - other.at >= stats.COPY_WINDOW:
                merged.append(attempt)
                break
            if (
                not other.copied
                and other.identity == attempt.identity
                and other.channel == attempt.channel
                and not attempt.items & other.items
            ):
                other.copied = True
                break
        else:
            merged.append(attempt)
    return merged


# Steps between attempts, in seconds: none (the same instant), the copy window and the burst gap on both sides,
# an hour, a day, and equal ones often (equal gaps).
STEPS = st.sampled_from([0, 1, 59, 60, 61, 599, 600, 601, 3600, 7200, 86400, 90000])
ATTEMPT = st.tuples(
    STEPS,
    st.sampled_from(["call", "sms", "chat"]),
    st.sampled_from(["+447700900123", "(withheld)", "alex", "(sender not read)"]),
    st.sampled_from([None, "Alex Morgan", "Sam Patel"]),
    st.frozensets(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=2),
)


def attempts_of(drawn: list[tuple[int, str, str, str | None, frozenset[str]]]) -> list[RowAttempt]:
    at = START
    found = []
    for step, channel, identity, person, items in drawn:
        at += timedelta(seconds=step)
        found.append(RowAttempt(at, channel, identity, person, items))
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(ATTEMPT, max_size=40),
    st.sampled_from([None, date(2026, 3, 29), date(2026, 3, 31)]),
    st.sampled_from([None, date(2026, 3, 29)]),
    st.sampled_from([None, "alex morgan"]),
)
def test_summary_in_one_pass_is_the_list_based_summary(
    drawn: list[Any], no_contact: date | None, since: date | None, person: str | None
) -> None:
    found = attempts_of(drawn)
    result = stats.summary(iter(found), LONDON, no_contact_since=no_contact, since=since, person=person)
    expected = old_summary(found, LONDON, no_contact_since=no_contact, since=since, person=person)
    assert {k: v for k, v in result.items() if k in expected} == expected
    assert len(result["gaps"]) == min(stats.TOP_GAPS, max(0, result["attempts"] - 1))


def test_equal_gaps_keep_the_earliest() -> None:
    """Seven attempts an hour apart: six equal gaps, the first five kept, in time order."""
    found = attempts_of([(3600, "sms", "alex", None, frozenset("a"))] * 7)
    gaps = stats.summary(found, LONDON)["gaps"]
    assert [g["from"] for g in gaps] == [a.at.astimezone(LONDON).isoformat() for a in found[:5]]
    assert {g["hours"] for g in gaps} == {1}


@settings(max_examples=300, deadline=None)
@given(st.lists(ATTEMPT, max_size=40))
def test_copies_merged_within_the_last_minute_are_those_of_the_whole_list(drawn: list[Any]) -> None:
    shown = stats.merged_in_time_order(iter(attempts_of(drawn)))
    got = [(a.at, a.channel, a.identity, a.person, a.items, a.copied) for a in shown]
    want = [(a.at, a.channel, a.identity, a.person, a.items, a.copied) for a in old_merge(attempts_of(drawn))]
    assert got == want
