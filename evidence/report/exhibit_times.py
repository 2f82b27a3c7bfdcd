"""Phone-side times of a whole exhibit: when the phone or the app that wrote the file says it made it (issue 14,
finding 9: stored, never shown), for the Exhibits section.

The time an exhibit was acquired is this computer's (the ledger's); the file itself often says when the phone
made it, which a reader compares with the phone and with the complainant's account of when she exported it:

- **SMS Backup & Restore** (``<smses>``/``<calls>``): the root's ``backup_date`` (epoch milliseconds: an
  instant, shown in the case zone with its offset) and the comment the app writes first ("File Created By SMS
  Backup & Restore v10.22.004 on 15/04/2026 09:30:00", the phone's wall clock, no zone: shown as written);
- **a zip** (WhatsApp's "Export chat" with media): each member's date in the zip's directory, the exporting
  phone's wall clock with no zone (a zip stores none): the chat text's and the latest member's, read in the
  case zone and marked "zone assumed";
- **an iPhone backup**: ``Info.plist``'s "Last Backup Date" (or ``Manifest.plist``'s ``Date``), which the
  import copies into each record (``raw.backup.backup_date``, UTC).

Each is labelled as what the phone or app wrote: nothing here is independently verified (a phone's clock
can be wrong or set, and anyone can edit a file before importing it; the SHA-256 only proves the file has not
changed since). Only the first bytes of an XML file are kept (the whole is hashed again as it is read); a
zip's directory, not its members, and only a zip up to ``ZIP_LIMIT`` (a larger one shows no phone-side time).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, tzinfo
from typing import Any

from evidence.report.page import shown_in
from evidence.timeutil import localise_wall

LABEL = "Phone-side time (as written, not verified)"
HEAD = 8192  # bytes of an XML file read for its root element and the app's comment
ZIP_LIMIT = 256 << 20  # a zip read whole for its directory only up to this size (a chat with its media)
_ROOT = re.compile(rb"<(smses|calls)\b([^>]*)>")
_ATTR = re.compile(rb'\bbackup_date="(\d{10,16})"')
_CREATED = re.compile(rb"<!--\s*File Created By (.{1,120}?) on (.{1,40}?)\s*-->")


def of_exhibit(data: bytes, tz: tzinfo, tz_name: str) -> list[str]:
    """What the file says of when the phone made it, one line each (empty when it says nothing this reads)."""
    if data[:4] == b"PK\x03\x04":
        return _zip(data, tz, tz_name)
    head = data[:HEAD]
    if _ROOT.search(head):
        return _sms_backup(head, tz)
    return []


def of_iphone_backup(raw: dict[str, Any], tz: tzinfo) -> list[str]:
    """An iPhone backup's date as the import copied it into a record (``raw.backup.backup_date``)."""
    backup = raw.get("backup")
    when = backup.get("backup_date") if isinstance(backup, dict) else None
    if not isinstance(when, str):
        return []
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return [f"backup date {when} (as written in Info.plist; not read as a date)"]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return [f"backup made {shown_in(moment, tz)} (Info.plist's Last Backup Date, written by the iPhone)"]


def _sms_backup(head: bytes, tz: tzinfo) -> list[str]:
    found: list[str] = []
    root = _ROOT.search(head)
    attr = _ATTR.search(root.group(2)) if root else None
    if attr is not None:
        moment = datetime.fromtimestamp(int(attr.group(1)) / 1000, UTC)
        found.append(
            f"backup made {shown_in(moment, tz)} (the backup_date the app wrote, epoch milliseconds, "
            "by the phone's clock)"
        )
    created = _CREATED.search(head)
    if created is not None:
        app, when = (g.decode("utf-8", "replace").strip() for g in created.groups())
        found.append(f"file created on {when} (the phone's wall clock, no zone written; by {app})")
    return found


def _zip(data: bytes, tz: tzinfo, tz_name: str) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    if not infos:
        return []

    def when(info: zipfile.ZipInfo) -> str:
        try:
            wall, dst = localise_wall(datetime(*info.date_time), tz)  # noqa: DTZ001  # a zip's wall clock
        except ValueError:
            return "an impossible date"
        note = f"; {dst.value}" if dst is not None else ""
        return f"{shown_in(wall, tz)} (zone assumed: {tz_name}{note})"

    chat = next((i for i in infos if i.filename.endswith(".txt")), None)
    latest = max(infos, key=lambda i: i.date_time)
    found = []
    if chat is not None:
        found.append(f"{chat.filename} dated {when(chat)} in the zip (the exporting phone's wall clock)")
    if latest is not chat:
        found.append(f"latest member {latest.filename} dated {when(latest)} in the zip")
    return found
