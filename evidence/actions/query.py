"""What the case holds, read only: one exhibit or record in full, statistics, search, relays, tactic counts,
the exhibits a filter keeps, the trusted timestamps. Nothing here writes."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from evidence.case import index, ledger
from evidence.case import sqldriver as sqlite3
from evidence.case.folder import CaseFolder, canonical_loads
from evidence.case.formats import Kind
from evidence.errors import CaseError, StorageError, UsageError
from evidence.models import Channel
from evidence.timeutil import parse_iso

if TYPE_CHECKING:
    from evidence.analysis.sides import Sides
    from evidence.analysis.stats import IndexRow
    from evidence.analysis.suggested import Stored
    from evidence.timeline import TimelineEntry


def stored_suggestions(case: CaseFolder, record_id: str | None = None) -> Stored:
    """The tactic suggestions stored when the records entered the case, made by the tagger in force (of the one
    record ``record_id`` when given): ``review.tags_for``'s ``stored`` (``evidence.analysis.suggested``)."""
    from evidence.analysis import suggested

    return suggested.load(case.conn, record_id)


def timeline_stream(case: CaseFolder, *, settled: bool = False) -> Iterator[TimelineEntry]:
    """``case.timeline()`` entry by entry, read from a cursor (``evidence.timeline.stream``): the same entries in
    the same order, without the whole list in memory; ``settled``: each entry's direction and sender as the
    case's facts settle them (:func:`sides`, ``evidence.analysis.sides``: what the report and ``stats`` count),
    the importer's reading kept in the record's ``raw``."""
    from evidence import timeline

    exhibits = {e["sha256"]: e["exhibit"] for e in case.exhibits()}
    facts = sides(case) if settled else None  # read before the cursor opens: one query at a time
    entries = timeline.stream(index.records_in_time_order(case.conn), exhibits)
    return entries if facts is None or not facts.active else map(facts.entry, entries)


# What ``sides`` reads of a record: the chats' senders, the screenshots' headerless messages and OCR blobs.
_SIDES_PATHS = "'$.locator', '$.sender', '$.raw.kind', '$.raw.header', '$.raw.bbox', '$.raw.ocr.blob_sha256'"


def sides(case: CaseFolder, *, read: Callable[[str], bytes] | None = None) -> Sides:
    """The case's facts about sides (``evidence.analysis.sides.Sides``), read once from the index: the people,
    each chat export's senders (only when the case names its owner) and, for each screenshot whose messages
    have no sender and no header read, the OCR words above its first message (from its OCR result, read with
    ``read``, by default from the store with its SHA-256 checked). One scan of the chat and picture records;
    nothing when the case names nobody."""
    from evidence.analysis.sides import OWNER, Sides, blob_words, header_words

    everyone = case.people()
    resolver = case.resolver()
    if not everyone:
        return Sides(everyone, resolver)
    owner = any(p.role == OWNER for p in everyone)
    sql = (
        f"SELECT item_sha256, channel, json_extract(json, {_SIDES_PATHS}) FROM records "  # noqa: S608
        "WHERE (channel = 'chat' AND ?) "
        "OR item_sha256 IN (SELECT sha256 FROM exhibits WHERE media_type LIKE 'image/%')"
    )
    chats: dict[str, set[str]] = {}
    boxes: dict[str, list[Any]] = {}
    blobs: dict[str, str] = {}
    try:
        rows = case.conn.execute(sql, (int(owner),)).fetchall()
    except sqlite3.Error:
        raise _damaged_index(case) from None
    for item, channel, fields in rows:
        value = index.stored_json(fields, f"a record of {item}")
        if not isinstance(value, list) or len(value) != 6:
            raise CaseError(
                f"the case's index is damaged (a record of {item} is not a record): run 'evidence verify'"
            )
        locator, sender, kind, header, bbox, blob = value
        if channel == Channel.CHAT.value and isinstance(sender, str) and sender and kind != "system":
            chats.setdefault(item, set()).add(sender)
        if not isinstance(locator, str):
            continue
        if locator.startswith("image#") and not sender and not header:
            boxes.setdefault(item, []).append(bbox)
        elif locator == "image" and isinstance(blob, str):
            blobs[item] = blob
    headers = {}
    for item in boxes:
        sha = blobs.get(item)
        if sha is None or not case.store.exists(sha):
            continue
        data = read(sha) if read is not None else _checked(case, sha)
        headers[item] = header_words(blob_words(canonical_loads(data.decode("utf-8"))), boxes[item])
    return Sides(everyone, resolver, chats, headers)


def _checked(case: CaseFolder, sha256: str) -> bytes:
    """A stored object's bytes, when they still have the SHA-256 the ledger names them by."""
    import hashlib

    data = case.store.read_bytes(sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StorageError(
            f"a stored OCR result no longer has the SHA-256 the ledger names ({sha256[:16]}...)",
            path=case.store.relpath_for(sha256),
            hint="run 'evidence verify': the case was altered",
        )
    return data


def show_record(case: CaseFolder, record_id: str) -> dict[str, Any]:
    """One record with where it came from, why each tactic tag was suggested (rule, description, words), and
    the complainant's attributions of it (``attributed``: person, basis, entry; hers, not the file's)."""
    from evidence.analysis import review
    from evidence.analysis.tactics import default_rules

    entry = next((e for e in case.timeline() if record_id in {s.record_id for s in e.sources}), None)
    if entry is None:
        raise UsageError(f"no record {record_id!r} in this case", hint="'timeline' shows each record's id")
    entry = sides(case).entry(entry)  # its direction and sender as every view shows them
    rules = default_rules()
    tags = []
    stored = stored_suggestions(case, entry.record.id)
    for shown in review.tags_for(entry.record, review.decisions(case.entries()), rules, stored):
        data = shown.to_json()
        if shown.rule is not None:
            try:
                rule = rules.rule(shown.rule)
            except KeyError:  # stored by another version of the rules (a picture read again since)
                data["rule_description"] = None
                data["rule_file"] = None
                tags.append(data)
                continue
            data["rule_description"] = rule.description
            data["rule_file"] = rule.source
        tags.append(data)
    said = attributions(case)
    attributed = [a for s in entry.sources for a in said.get(s.record_id, [])]
    return {**entry.to_json(), "raw": entry.record.raw, "tags": tags, "attributed": attributed}


def show(case: CaseFolder, exhibit: str, *, with_records: bool = True) -> dict[str, Any]:
    """Everything the case knows of one exhibit: the original, each acquisition, each derivation, its
    records and warnings, the complainant's attributions of its records (``attributed``: record id -> person,
    basis, entry), and (for pictures) what OCR read. Raises UsageError for an unknown number.
    ``with_records`` False leaves the records out (an empty list): finding them reads every record of the
    case, seconds in a large one; ``actions.viewing.records_of`` reads a page of them from the index."""
    wanted = exhibit.strip().upper()
    found = [e for e in case.exhibits() if e["exhibit"] == wanted]
    if not found:
        raise UsageError(f"no exhibit {exhibit!r} in this case", hint="'evidence -C CASE log' lists them")
    item = found[0]
    sha = item["sha256"]
    acquisitions: list[dict[str, Any]] = []
    derivations: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    private = case.private_details()  # the owner's own view: from which path, by whom, on which computer
    for entry in case.entries():
        if entry.kind not in {Kind.ITEM_ACQUIRED, Kind.RECORDS_DERIVED}:
            continue
        body = {**canonical_loads(entry.body_text), **private.get(entry.seq, {})}
        if entry.kind == Kind.ITEM_ACQUIRED and body.get("sha256") == sha:
            acquisitions.append(
                {
                    "entry": entry.seq,
                    "recorded_at": entry.recorded_at,
                    "original_name": body.get("original_name"),
                    "original_path": body.get("original_path"),
                    "file_mtime": body.get("file_mtime"),
                    "imported_by": body.get("imported_by"),
                    "duplicate_of": body.get("duplicate_of"),
                    "handed_over": body.get("handed_over"),
                    "extension_mismatch": body.get("extension_mismatch"),
                    "tool": body.get("tool"),
                }
            )
        elif entry.kind == Kind.RECORDS_DERIVED and body.get("item_sha256") == sha:
            derivations.append(
                {
                    "entry": entry.seq,
                    "importer": body.get("importer"),
                    "importer_version": body.get("importer_version"),
                    "options": body.get("options"),
                    "record_count": body.get("record_count"),
                    "blob_sha256": body.get("blob_sha256"),
                }
            )
            blob = canonical_loads(case.store.read_bytes(body["blob_sha256"]).decode("utf-8"))
            warnings.extend(blob.get("warnings", []))
    records = [r for r in case.records() if r.item_sha256 == sha] if with_records else []
    ids = {r.id for r in records}
    shown: dict[str, Any] = {
        **item,
        "acquisitions": acquisitions,
        "derivations": derivations,
        "warnings": warnings,
        "records": [{**r.to_json(), "occurred_at": r.occurred_at.isoformat()} for r in records],
        "attributed": {rid: found for rid, found in attributions(case).items() if rid in ids},
    }
    results = index.ocr_results_of(case.conn, sha)
    if results:
        newest = results[-1]
        words = canonical_loads(case.store.read_bytes(newest["blob_sha256"]).decode("utf-8"))
        permille = words.get("mean_confidence_permille")
        shown["ocr"] = {
            "text": words.get("text") or "",
            "engine": f"{newest['engine']} {newest['engine_version']}",
            "settings": {**newest["settings"]["ocr"], "preprocess": newest["settings"]["preprocess"]},
            # percent, as tesseract reports it
            "mean_confidence": permille / 10 if permille is not None else 0.0,
            "words": words.get("words", []),
            "blob_sha256": newest["blob_sha256"],
            "entry": newest["entry"],
            "cache_key": newest["cache_key"],
        }
        shown.update(_layout_shown(words))
        # Earlier results, oldest first: kept in the ledger and the store, never replaced.
        shown["ocr_earlier"] = [
            {
                "entry": r["entry"],
                "engine": f"{r['engine']} {r['engine_version']}",
                "settings": r["settings"],
                "blob_sha256": r["blob_sha256"],
                "cache_key": r["cache_key"],
            }
            for r in results[:-1]
        ]
    return shown


def _layout_shown(document: dict[str, Any]) -> dict[str, Any]:
    """``kind``, ``header`` and ``messages`` (direction, text, shown_time, bbox; calls: call and count;
    e-mails: sender) of an OCR blob that read the screen's layout; nothing for a whole-image result."""
    layout = document.get("layout")
    if not isinstance(layout, dict):
        return {}
    messages = []
    found = layout.get("messages") or []
    width = max(2, len(str(len(found))))  # as the importer's locators
    for number, message in enumerate(found, start=1):
        item = {key: message.get(key) for key in ("direction", "text", "shown_time", "bbox")}
        item.update(
            {key: message[key] for key in ("sender", "call", "count") if message.get(key) is not None}
        )
        item["confidence_permille"] = message.get("confidence")
        item["locator"] = f"image#m{number:0{width}d}"
        messages.append(item)
    return {"kind": layout.get("kind"), "header": layout.get("header"), "messages": messages}


def stats(case: CaseFolder, *, since: date | None = None, person: str | None = None) -> dict[str, Any]:
    """Counts of contact attempts, bursts and gaps (``evidence.analysis.stats``), JSON-ready: computed over the
    index's candidate rows (the counted fields as columns, ``evidence.case.counted``; no JSON read), read once
    and not held, each row's direction and sender settled by the case's facts (:func:`sides`): the same figures
    as the report's, over the whole timeline."""
    from evidence.analysis import people, stats

    if person is not None:
        person = people.find(case.people(), person).name
    exhibits = {e["sha256"]: e["exhibit"] for e in case.exhibits()}
    settled = sides(case)  # the report's directions and senders: the same counts in every view
    with _no_cycle_collection():
        return stats.compute_rows(
            _stats_rows(case),
            exhibits,
            settled.resolver,
            case.tz,
            no_contact_since=case.no_contact_since(),
            since=since,
            person=person,
            settled=settled,
        )


# The columns of ``records_counted`` (``evidence.case.counted``) in ``stats.IndexRow``'s order.
_ROW_COLUMNS = (
    "id, item_sha256, locator, occurred_at, channel, direction, sender, recipients, content, has_header"
)
_CHANNELS = frozenset(c.value for c in Channel)


def _stats_rows(case: CaseFolder) -> Iterator[IndexRow]:
    """The records that can be attempts (``stats.CANDIDATES``), in the timeline's order, from the counted
    columns (no JSON read: the table's own b-tree is in time order); a row that is not a record's is a
    ``CaseError`` naming it, as ``index.records_in_time_order`` gives."""
    from evidence.analysis.stats import CANDIDATES, IndexRow
    from evidence.case.counted import TABLE

    sql = f"SELECT {_ROW_COLUMNS} FROM {TABLE} WHERE {CANDIDATES} ORDER BY occurred_at, id"  # noqa: S608
    try:
        rows = case.conn.execute(sql)
        found = rows.fetchmany(2000)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise _damaged_index(case) from None
        raise CaseError(  # an index an older version built, in a folder this user cannot write; or removed
            f"the case's index has no table {TABLE} (an older version built it and this folder cannot be "
            "written, or it was removed): run 'evidence verify'; a copy of the case folder somewhere "
            "writable is re-indexed when opened"
        ) from None
    except sqlite3.Error:
        raise _damaged_index(case) from None
    while found:
        for record_id, item, locator, at, channel, direction, sender, recipients, content, header in found:
            try:
                moment = parse_iso(at)
                if channel not in _CHANNELS or not isinstance(recipients, str):
                    raise ValueError(channel)
            except (TypeError, ValueError):
                raise CaseError(
                    f"the case's index is damaged (record {record_id} is not a record): run 'evidence verify'"
                ) from None
            yield IndexRow(
                record_id,
                item,
                locator,
                moment,
                channel,
                direction,
                sender,
                recipients,
                content,
                bool(header),
            )
        try:
            found = rows.fetchmany(2000)
        except sqlite3.Error:
            raise _damaged_index(case) from None


def _damaged_index(case: CaseFolder) -> CaseError:
    """What ``index.records_in_time_order`` says of an index SQLite cannot read with a condition."""
    try:
        for _ in index.records_in_time_order(case.conn):
            pass
    except CaseError as exc:
        return exc
    return CaseError("the case's index is damaged (a record cannot be read): run 'evidence verify'")


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the counts are made: rows and attempts (which hold no cycles) are
    made by the hundred thousand, and the collector would run every few hundred of them (still about a tenth of
    the counting's time with nothing long-lived held). Objects are still freed when nothing refers to them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def search(case: CaseFolder, query: str, *, every: bool = False) -> list[Any]:
    """Records whose text matches ``query`` (``evidence.analysis.search.Hit``), in time order: the first
    ``MAX_HITS``, or ``every`` one (what a filter needs: the app's timeline keeps the entries that match)."""
    from evidence.analysis.search import MAX_HITS, search

    return search(case.conn, query, limit=_EVERY if every else MAX_HITS)


_EVERY = 2**63 - 1  # SQLite's largest LIMIT: no limit (its -1 would cut the last hit in Python's slice)


def relays(case: CaseFolder) -> dict[str, list[dict[str, Any]]]:
    """For each record id, what the ledger says about it being passed on by a third party."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in ledger.entries_of_kind(case.conn, Kind.RECORD_RELAYED):
        body = canonical_loads(entry.body_text)
        found.setdefault(str(body["record"]), []).append({**body, "entry": entry.seq})
    return found


def attributions(case: CaseFolder) -> dict[str, list[dict[str, Any]]]:
    """For each record id, the complainant's attributions of it to a person (``record.attributed``)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in ledger.entries_of_kind(case.conn, Kind.RECORD_ATTRIBUTED):
        body = canonical_loads(entry.body_text)
        found.setdefault(str(body["record"]), []).append({**body, "entry": entry.seq})
    return found


def tactic_counts(case: CaseFolder, timeline: list[TimelineEntry] | None = None) -> dict[str, dict[str, int]]:
    """Per tactic, how many timeline entries (all, or those given) carry it confirmed, and how many only as
    a suggestion."""
    from evidence.analysis import review

    reviewed = review.decisions(case.entries())
    stored = stored_suggestions(case)
    counts: dict[str, dict[str, int]] = {}
    for entry in case.timeline() if timeline is None else timeline:
        for shown in review.tags_for(entry.record, reviewed, stored=stored):
            if shown.status != review.REJECTED:
                slot = counts.setdefault(shown.tactic, {"confirmed": 0, "suggested": 0})
                slot[shown.status] += 1
    return counts


def exhibits_matching(
    case: CaseFolder, *, since: date | None = None, until: date | None = None, person: str | None = None
) -> list[str]:
    """The exhibits holding a record that passes ``timeline``'s filters (days of the case zone,
    inclusive; a person as sender or recipient, senders settled as every view settles them: a screenshot
    whose header names the person is theirs)."""
    from evidence.analysis import people
    from evidence.analysis.select import select

    name = people.find(case.people(), person).name if person else None
    timeline = sides(case).timeline(case.timeline()) if name else case.timeline()
    chosen = select(timeline, case.tz, resolver=case.resolver(), person=name, since=since, until=until)
    return sorted({s.exhibit for e in chosen for s in e.sources if s.exhibit})


def anchors(case: CaseFolder) -> list[dict[str, Any]]:
    """Every ``anchor.timestamped`` entry: its seq and body (what ``log`` and reports show)."""
    return [
        {"seq": e.seq, **canonical_loads(e.body_text)}
        for e in case.entries()
        if e.kind == Kind.ANCHOR_TIMESTAMPED
    ]
