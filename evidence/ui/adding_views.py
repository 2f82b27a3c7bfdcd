"""What the "Add evidence" and exhibit screens ask of the library, as plain functions returning what a
template shows: import a batch of uploaded files (``import_files``, as ``evidence import``: all or nothing),
the result in words, and one exhibit (``query.show`` and ``viewing.original``).

Times are shown with their offset (``timeutil.display``) in the case's zone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case.memtemp import size_text
from evidence.errors import EvidenceError
from evidence.timeutil import display, parse_iso
from evidence.ui.screens import CHANNEL_WORDS, DIRECTION_WORDS, attribution_words, in_words

if TYPE_CHECKING:
    from evidence.actions.importing import ImportResult
    from evidence.case.vault import CaseKeys
    from evidence.ui.uploads import Batch

RECORDS_SHOWN = 500  # an exhibit's records listed at once (a phone backup can hold tens of thousands)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def import_batch(root: Path, keys: CaseKeys | None, batch: Batch) -> ImportResult:
    """Import every file of ``batch`` in one import (``Case.import_files``): all or nothing. Each file is
    recorded as coming from the app's upload under its own name; ``batch`` follows the progress."""
    from evidence.api import Case

    origins = {held.path: f"(added in the app) {held.shown_as}" for held in batch.files}
    with Case.open(root, keys=keys) as case:
        return case.import_files(
            [held.path for held in batch.files],
            origins=origins,
            progress=batch.on_file,
            ocr_progress=batch.on_pictures,
        )


def failure_in_words(exc: EvidenceError, batch: Batch) -> str:
    """The one line of a failed import, naming the file as the user knows it (not where it was held)."""
    for held in batch.files:
        if exc.path is not None and exc.path in {str(held.path), held.path.name}:
            exc.path = held.shown_as
    line = in_words(exc)
    return line.replace(str(batch.folder) + "/", "")


def result_view(result: ImportResult) -> dict[str, Any]:
    """Each file of an import in words (its exhibit, what it is, the records read, the warnings in full, or
    the exhibit it already was), and the totals."""
    from evidence.actions.viewing import reader_description

    items: list[dict[str, Any]] = []
    for item in result.items:
        shown = item.path.removeprefix("(added in the app) ")
        warnings = [f"{w.locator}: {w.message}" for w in item.warnings]
        if item.extension_mismatch:
            warnings.insert(0, f"its name does not match what it holds ({item.media_type})")
        read = None
        if item.tally is not None:
            tally = item.tally
            one = "entry" if tally.unit == "entries" else tally.unit.removesuffix("s")  # as importing's words
            read = f"{tally.made} of {tally.seen} {one if tally.seen == 1 else tally.unit} read"
        items.append(
            {
                "name": shown,
                "exhibit": item.exhibit,
                "duplicate_of": item.duplicate_of,
                "kind": reader_description(item.importer) or f"a file kept as it is ({item.media_type})",
                "records": item.records,
                "read": read,
                "size": size_text(item.size),
                "warnings": warnings,
            }
        )
    new = [i for i in items if not i["duplicate_of"]]
    again = len(items) - len(new)
    records = sum(i["records"] for i in items)
    warned = sum(len(i["warnings"]) for i in items)
    parts = [f"{_plural(len(new), 'new exhibit')} added", f"{_plural(records, 'record')} read"]
    if again:
        parts.append(f"{_plural(again, 'file was', 'files were')} already in the case")
    parts.append(_plural(warned, "warning"))
    return {"items": items, "summary": ", ".join(parts) + ".", "new": len(new), "again": again}


def _who(record: dict[str, Any], resolver: Any) -> str:
    def named(raw: str) -> str:
        name = resolver.identify(raw)[1]
        return f"{raw} ({name})" if name else raw

    if record.get("direction") == "outgoing":
        recipients = record.get("recipients") or []
        return "to " + ", ".join(named(r) for r in recipients) if recipients else ""
    return "from " + named(record["sender"]) if record.get("sender") else ""


def exhibit_view(root: Path, keys: CaseKeys | None, exhibit: str) -> dict[str, Any]:
    """One exhibit: what it is (file name, kind, fingerprint, when added), each time it was added, for a
    picture its size and the messages read with their boxes, and the records read from it (times with their
    offset, direction in words). UsageError for an unknown exhibit."""
    from evidence.actions import viewing
    from evidence.api import Case
    from evidence.models import Channel

    with Case.open(root, readonly=True, keys=keys) as case:
        shown = case.show(exhibit, with_records=False)
        found, total = viewing.records_of(case, shown["sha256"], RECORDS_SHOWN)
        said = case.attributions()
        tz = case.tz
        resolver = case.resolver()
        picture = shown["media_type"] in viewing.PICTURE_TYPES
        size = viewing.picture_size(viewing.original(case, shown["exhibit"]).data) if picture else None
        title = case.title
    added = [
        {
            "when": display(parse_iso(a["recorded_at"]), tz),
            "name": a.get("original_name") or "",
            "from": a.get("original_path") or "",
            "again": bool(a.get("duplicate_of")),
            "handed": handed_words(a.get("handed_over") or {}),
        }
        for a in shown["acquisitions"]
    ]
    importer = shown["derivations"][0]["importer"] if shown["derivations"] else None
    messages = []
    numbers: dict[str, int] = {}
    for number, message in enumerate(shown.get("messages", []), start=1):
        numbers[str(message["locator"])] = number
        box = message.get("bbox")
        messages.append(
            {
                "number": number,
                "direction": DIRECTION_WORDS.get(str(message.get("direction")), "direction unknown"),
                "text": message.get("text") or "(no words read)",
                "box": (box[0], box[1], box[2] - box[0], box[3] - box[1]) if box else None,
            }
        )
    # A picture's records in screen order (as its numbers), any other file's in time order.
    records = sorted(
        [{**r.to_json(), "occurred_at": r.occurred_at.isoformat()} for r in found],
        key=(lambda r: ("", r["locator"]))
        if messages
        else (lambda r: (parse_iso(r["occurred_at"]).timestamp(), r["locator"])),
    )
    rows = []
    for record in records:
        raw = record.get("raw") or {}
        channel = Channel(record["channel"])
        rows.append(
            {
                "when": display(parse_iso(record["occurred_at"]), tz),
                "iso": record["occurred_at"],
                "day_unknown": bool(raw.get("date_unknown")),
                "assumed": bool(record.get("tz_assumed")),
                "channel": CHANNEL_WORDS.get(channel, channel.value),
                "direction": DIRECTION_WORDS.get(record["direction"], record["direction"]),
                "who": _who(record, resolver),
                "text": (record.get("text") or record.get("subject") or record.get("status") or "")[:2000],
                "where": record["locator"],
                "message": numbers.get(record["locator"]),
                "attributed": [attribution_words(a) for a in said.get(record["id"], [])],
            }
        )
    width = size[0] if size else 0
    ocr = shown.get("ocr")
    return {
        "case_title": title,
        "exhibit": shown["exhibit"],
        "file_name": shown["original_name"],
        "kind": viewing.reader_description(importer) or f"a file kept as it is ({shown['media_type']})",
        "media_type": shown["media_type"],
        "fingerprint": shown["sha256"],
        "size": size_text(int(shown["size"])),
        "added": added,
        "picture": picture,
        "picture_size": size,
        "label_size": max(16, width // 28),  # the boxes' numbers, in the picture's pixels
        "line_width": max(2, width // 180),
        "layout": bool(shown.get("kind")),
        "messages": messages,
        "ocr_text": (ocr or {}).get("text", "") if not shown.get("kind") else "",
        "ocr_read": ocr is not None,
        "records": rows,
        "records_total": total,
        "warnings": [f"{w.get('locator')}: {w.get('message')}" for w in shown["warnings"]],
    }


def handed_words(handed: dict[str, str]) -> str:
    """Who handed the file over and when, as the import recorded it (``import --provided-by``); "" when not."""
    if not handed:
        return ""
    who = handed.get("by") or "someone not recorded"
    return f"handed over by {who}, on {handed.get('on') or 'a day not recorded'}"
