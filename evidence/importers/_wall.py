"""Wall-clock times (a date and time with no zone written) read in the import's zone, with the DST warnings
worded as the importers that share them word them.

The localisation itself is ``evidence.timeutil.localise_wall`` (one function for the whole package); this module
only turns its DST case into the sentence a warning says:

- ``localize``: the mail wording, used by the e-mail and Outlook importers and for audio and screenshot times
  (times given as a ``Wall`` tuple, the zone by name);
- ``export_dst_note``: the chat-export wording, used by the Signal and Telegram importers.

Not an importer itself (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

from datetime import datetime

from evidence.timeutil import DstCase, localise_wall, zone

Wall = tuple[int, int, int, int, int, int]  # year, month, day, hour, minute, second: a time without a zone


def localize(wall: Wall, tz_name: str) -> tuple[datetime, str | None]:
    """A wall-clock time in ``tz_name``; the note says when it was ambiguous (fold=0 taken) or non-existent."""
    tz = zone(tz_name)
    moment, case = localise_wall(datetime(*wall), tz)  # noqa: DTZ001 - a wall clock, given its zone here
    if case is None:
        return moment, None
    shown = f"{moment:%Y-%m-%d %H:%M:%S}"
    if case is DstCase.AMBIGUOUS:
        return (
            moment,
            f"{shown} happened twice in {tz_name} (clocks went back); the first of the two was taken",
        )
    return moment, f"{shown} does not exist in {tz_name} (clocks went forward); read with the earlier offset"


def export_dst_note(wall: datetime, moment: datetime, case: DstCase | None, tz_name: str) -> str | None:
    """The warning for ``wall`` read as ``moment`` in the zone the user named ``tz_name``, or None when plain."""
    if case is None:
        return None
    if case is DstCase.AMBIGUOUS:
        return (
            f"{wall:%Y-%m-%d %H:%M:%S} happened twice in {tz_name} (clocks went back); "
            f"read as the first one ({moment.isoformat()}), the export does not say which"
        )
    return (
        f"{wall:%Y-%m-%d %H:%M:%S} does not exist in {tz_name} (clocks went forward); "
        f"read with the offset before the change ({moment.isoformat()})"
    )


__all__ = ["Wall", "export_dst_note", "localize"]
