"""Google Chat (Hangouts successor) messages from Google Takeout: ``Google Chat/Groups/<DM|Space> <id>/messages.json``.

Format (see ../shared/corpus/FORMATS.md section 9)::

    {"messages": [{"creator": {"name", "email", "user_type"},
                   "created_date": "Monday, August 25, 2014 at 5:29:21 PM UTC",
                   "text", "attached_files": [{"original_name", "export_name"}], "topic_id", "message_id"}]}

Times are English prose in UTC (newer exports put U+202F before AM/PM); they are exact. The sender is the
creator's email address, with the display name kept in ``raw``. The ``group_info.json`` beside it (members) is
stored as a plain file. Attached files sit beside the JSON, not inside it: their names are kept in ``raw``.

Limits: only the ``UTC`` zone name is accepted in ``created_date`` (the only one Takeout writes); any other
is a warning and the message is skipped. Direction is unknown (the export does not say which member is the
owner).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from evidence.errors import InputError
from evidence.importers._json import load_json
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, Record, TimeSource

_HEAD = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"messages"\s*:\s*\[\s*(?:\]|\{\s*"creator"\s*:)')
_DATE = re.compile(r"^\w+, (\w+ \d{1,2}, \d{4}) at (\d{1,2}:\d{2}:\d{2}) ([AP]M) (\w+)$")


def parse_created_date(text: str) -> datetime | None:
    """``Monday, August 25, 2014 at 5:29:21 PM UTC`` as an aware UTC time; None when it is not that form."""
    normal = re.sub(r"[\s\u202f\u00a0]+", " ", text).strip()
    match = _DATE.match(normal)
    if not match or match.group(4) != "UTC":
        return None
    stamp = f"{match.group(1)} {match.group(2)} {match.group(3)} +0000"  # the zone name was checked: UTC
    try:
        return datetime.strptime(stamp, "%B %d, %Y %I:%M:%S %p %z")
    except ValueError:
        return None


class GoogleChatImporter(Importer):
    """Reads Google Chat ``messages.json`` files from Google Takeout."""

    name = "googlechat"
    version = "1.0.0"
    description = "Google Chat messages.json (Google Takeout)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """A JSON object whose first key is ``messages`` holding objects that start with ``creator``."""
        return _HEAD.match(head) is not None

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """One record per message; channel chat, app googlechat, exact UTC times; then the count."""
        return counted("messages", lambda tallying: self._parse(source, tallying))

    def _parse(self, source: Source, tallying: Tallying) -> Iterator[Yielded]:
        document = load_json(source, "a Google Chat messages.json")
        messages = document.get("messages") if isinstance(document, dict) else None
        if not isinstance(messages, list):
            raise InputError('no "messages" list', path=source.name)
        tallying.see(len(messages))
        for number, message in enumerate(messages, start=1):
            locator = f"message {number}"
            if not isinstance(message, dict):
                yield tallying.skip(locator, "not a message object; skipped")
                continue
            created = message.get("created_date")
            moment = parse_created_date(created) if isinstance(created, str) else None
            if moment is None:
                yield tallying.skip(locator, f"created_date {created!r} is not a Takeout UTC date; skipped")
                continue
            creator_value = message.get("creator")
            creator: dict[str, Any] = creator_value if isinstance(creator_value, dict) else {}
            email = creator.get("email") if isinstance(creator.get("email"), str) else None
            name = creator.get("name") if isinstance(creator.get("name"), str) else None
            files = [
                f.get("original_name") or f.get("export_name")
                for f in message.get("attached_files") or []
                if isinstance(f, dict) and isinstance(f.get("original_name") or f.get("export_name"), str)
            ]
            raw: dict[str, Any] = {
                "created_date": created,
                "creator_name": name,
                "creator_email": email,
                "user_type": creator.get("user_type") if isinstance(creator.get("user_type"), str) else None,
                "message_id": message.get("message_id")
                if isinstance(message.get("message_id"), str)
                else None,
                "topic_id": message.get("topic_id") if isinstance(message.get("topic_id"), str) else None,
                "attached_files": files,
            }
            text = message.get("text")
            yield Record(
                item_sha256=source.sha256,
                locator=locator,
                occurred_at=moment,
                time_source=TimeSource.EXPORT,
                tz_assumed=False,
                channel=Channel.CHAT,
                direction=Direction.UNKNOWN,
                importer=self.name,
                importer_version=self.version,
                app="googlechat",
                sender=email or name,
                text=text if isinstance(text, str) else None,
                raw=raw,
            )
