"""Diary entries typed by the user (``evidence diary add``), or a file of them.

Format: our own JSON, written by ``evidence diary add`` (one entry) or by hand/another tool (several)::

    {"evidence_diary": 1,
     "entries": [{"incident_at": "2026-03-14T21:30", "approximate": false,
                  "written_at": "2026-03-15T08:02:11.123456+00:00",
                  "text": "...", "where": "...", "witness": "...", "police_ref": "..."}]}

``incident_at`` is when the incident happened, as the user remembers it: with an offset, or a wall-clock time
in the import's zone (then ``tz_assumed``). ``written_at`` is when the entry was written, set by the system
when the CLI writes it, so a court can see how soon after the incident it was recorded ("contemporaneous").
The entry file itself is stored as an exhibit like any other original, so it cannot be edited afterwards.

Limits: entries are the user's account; the toolkit records them faithfully but cannot vouch for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, Record, TimeSource

MAX_BYTES = 16 * 1024 * 1024
_SIGNATURE = re.compile(rb'\s*\{\s*"evidence_diary"\s*:')
FIELDS = ("text", "where", "witness", "police_ref")


def diary_document(entries: list[dict[str, Any]]) -> bytes:
    """The bytes of a diary file holding ``entries`` (what ``evidence diary add`` stores)."""
    return (
        json.dumps({"evidence_diary": 1, "entries": entries}, ensure_ascii=False, indent=2) + "\n"
    ).encode()


def _parse_time(text: str, tz: ZoneInfo) -> tuple[datetime, bool]:
    moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz), True
    return moment, False


class DiaryImporter(Importer):
    """Reads diary files written by ``evidence diary add``."""

    name = "diary"
    version = "1"
    description = "Diary entries typed by the user (evidence diary add)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """A JSON object whose first key is ``evidence_diary``."""
        return _SIGNATURE.match(head) is not None

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """One record per entry, channel ``diary``, time source ``user``; then the count of the entries."""
        return counted("entries", lambda tallying: self._parse(source, options, tallying))

    def _parse(self, source: Source, options: ImportOptions, tallying: Tallying) -> Iterator[Yielded]:
        if source.size > MAX_BYTES:
            raise InputError(f"diary file is larger than {MAX_BYTES // 2**20} MiB", path=source.name)
        try:
            document = json.loads(source.path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"not a readable diary file ({exc})", path=source.name) from None
        entries = document.get("entries") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InputError("diary file has no list of entries", path=source.name)
        tz = ZoneInfo(options.tz)
        tallying.see(len(entries))
        for number, entry in enumerate(entries, start=1):
            locator = f"entry {number}"
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("text"), str)
                or not entry["text"].strip()
            ):
                yield tallying.skip(locator, "entry has no text; skipped")
                continue
            if not isinstance(entry.get("incident_at"), str):
                yield tallying.skip(locator, "entry has no incident time; skipped")
                continue
            try:
                occurred, assumed = _parse_time(entry["incident_at"], tz)
            except ValueError:
                yield tallying.skip(
                    locator, f"incident time {entry['incident_at']!r} is not a date and time; skipped"
                )
                continue
            raw = {key: entry.get(key) for key in ("incident_at", "approximate", "written_at", *FIELDS[1:])}
            raw = {k: v for k, v in raw.items() if isinstance(v, str | bool) or v is None}
            yield Record(
                item_sha256=source.sha256,
                locator=locator,
                occurred_at=occurred,
                time_source=TimeSource.USER,
                tz_assumed=assumed,
                tz_name=options.tz if assumed else None,
                channel=Channel.DIARY,
                direction=Direction.UNKNOWN,
                importer=self.name,
                importer_version=self.version,
                app="diary",
                text=entry["text"],
                status="approximate time" if entry.get("approximate") else None,
                raw=raw,
            )
