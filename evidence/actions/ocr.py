"""Reading pictures: the OCR cache, the parallel run before an import, and ``evidence ocr``.

The case is the cache: a result is keyed on the picture's SHA-256, the engine version and the settings
(``evidence.ocr.cache``), and believed only when the signed ledger names its blob and the blob matches.
The analysis itself (``evidence.ocr.worker.analyse_image``) runs in worker processes (``evidence.ocr.pool``).
Each new reading is an ``ocr.derived`` entry with its own blob; a picture read for the first time with its
layout also gets its message records (a ``records.derived`` entry naming the reading).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case import index
from evidence.case.canonical import canonical_bytes
from evidence.case.folder import CaseFolder, PassphraseSource, actor, canonical_loads, tool_info
from evidence.case.formats import Kind
from evidence.case.ledger import Entry
from evidence.case.store import Staged
from evidence.case.writer import Writer
from evidence.errors import DependencyError, StorageError, UsageError
from evidence.models import ImportOptions, ImportWarning, Record

if TYPE_CHECKING:
    from evidence.actions.importing import Prepared
    from evidence.case.signing import SigningKey
    from evidence.ocr.pool import Failed, Job, Progress
    from evidence.ocr.tesseract import Settings
    from evidence.ocr.worker import OcrOutcome


@dataclass(frozen=True)
class OcrDone:
    """What ``ocr`` did for one picture: ``read`` (a new entry), ``cached`` (the case already held this
    result; nothing run) or ``failed`` (``message`` says why)."""

    exhibit: str
    sha256: str
    status: str
    entry: int | None  # the ocr.derived (or import) entry holding the result
    outcome: OcrOutcome | None
    message: str | None


def jobs_for(
    case: CaseFolder,
    images: Sequence[tuple[str, Path | None, str]],
    settings: Settings,
    *,
    layout: bool = True,
) -> tuple[dict[str, OcrOutcome | Failed], list[Job], dict[str, str]]:
    """Split ``(sha256, path, name)`` images into results the case already holds (by cache key) and jobs
    to run (a layout analysis, or with ``layout`` False one whole-image pass with ``settings``). A path is a
    file outside the case (an import's original); None is a picture of the case, read into memory when its job
    runs (``load_stored``). Raises DependencyError when tesseract is missing."""
    from evidence.ocr.cache import cache_key
    from evidence.ocr.pool import Job
    from evidence.ocr.tesseract import ENGINE, TesseractProbe
    from evidence.ocr.worker import ocr_settings, preprocess_json

    version = TesseractProbe().version()
    wanted = {"ocr": ocr_settings(settings, layout=layout), "preprocess": preprocess_json(layout=layout)}
    found: dict[str, OcrOutcome | Failed] = {}
    jobs: list[Job] = []
    keys: dict[str, str] = {}
    for sha, path, name in images:
        if sha in keys:
            continue
        keys[sha] = cache_key(sha, ENGINE, version, wanted)
        reused = cached(case, sha, keys[sha])
        if reused is not None:
            found[sha] = reused[0]
        else:
            jobs.append(
                Job(None if path is None else str(path), sha, name, settings.psm, settings.lang, layout)
            )
    return found, jobs, keys


def load_stored(case: CaseFolder) -> Callable[[Job], Job]:
    """What fills a job of a stored picture with its bytes, read from the case (decrypted in memory in an
    encrypted case) and checked against the SHA-256 the ledger names: no program is ever handed the path of a
    stored object (in an encrypted case that is ciphertext, and decrypting it to a file would leave plaintext
    on disk)."""
    from dataclasses import replace

    def load(job: Job) -> Job:
        if job.path is not None or job.data is not None:
            return job
        data = case.store.read_bytes(job.image_sha256)
        if hashlib.sha256(data).hexdigest() != job.image_sha256:
            raise StorageError(
                f"the stored picture of {job.name} no longer has the SHA-256 the ledger names "
                f"({job.image_sha256[:16]}...); nothing was read",
                path=case.root,
                hint="run 'evidence verify': the case was altered",
            )
        return replace(job, data=data)

    return load


def cached(case: CaseFolder, image_sha256: str, key: str) -> tuple[OcrOutcome, int] | None:
    """The OCR result the case holds under ``key`` and its entry, checked before it is reused; None when
    there is none.

    The index is not signed, so a row is believed only when the ledger entry it points to names the blob,
    the blob's bytes hash to its name, and the blob itself is for this image with this key. Anything else
    is ignored and the image read again (``verify`` reports the tampered index).
    """
    from evidence.ocr.cache import summary_key
    from evidence.ocr.worker import OcrOutcome

    for blob_sha, seq in index.ocr_results_for(case.conn, key):
        row = case.conn.execute("SELECT body FROM ledger WHERE seq = ?", (seq,)).fetchone()
        objects = canonical_loads(row[0]).get("objects", []) if row else []
        if not any(isinstance(o, dict) and o.get("sha256") == blob_sha for o in objects):
            continue
        if not case.store.exists(blob_sha):
            continue
        data = case.store.read_bytes(blob_sha)
        if hashlib.sha256(data).hexdigest() != blob_sha:
            continue
        outcome = OcrOutcome.from_blob(data)
        document = canonical_loads(data.decode("utf-8"))
        if document.get("image_sha256") == image_sha256 and summary_key(image_sha256, outcome.summary) == key:
            return outcome, seq
    return None


def before_import(
    case: CaseFolder, prepared: Sequence[Prepared], progress: Progress | None
) -> dict[str, OcrOutcome | Failed]:
    """OCR every new picture of an import in worker processes, before the transaction (results in
    memory, by image SHA-256). Without tesseract, nothing: the importer warns for each picture."""
    images: list[tuple[str, Path | None, str]] = [
        (p.staged.sha256, p.source_path, p.path.name)
        for p in prepared
        if p.importer is not None
        and p.importer.needs_ocr
        and index.exhibit_for(case.conn, p.staged.sha256) is None
    ]
    if not images:
        return {}
    from evidence.ocr.pool import run_all
    from evidence.ocr.tesseract import TesseractProbe
    from evidence.ocr.worker import OCR_SETTINGS, analyse_image

    if not TesseractProbe().installed():
        return {}
    try:
        found, jobs, _ = jobs_for(case, images, OCR_SETTINGS)
    except DependencyError:
        return {}  # installed but unusable (--version fails): the importer warns for each picture
    found.update(run_all(analyse_image, jobs, progress=progress))
    return found


def image_exhibits(case: CaseFolder) -> list[dict[str, Any]]:
    """The exhibits an OCR-reading importer (screenshots) claims, judged from their first bytes."""
    from evidence.importers import REGISTRY, SNIFF_BYTES, Source

    readers = [cls() for cls in REGISTRY if cls.needs_ocr]
    found = []
    for item in case.exhibits():
        sha = str(item["sha256"])
        with case.store.open(sha) as fh:
            head = fh.read(SNIFF_BYTES)
        source = Source(
            case.store.path_for(sha),
            str(item["original_name"]),
            sha,
            int(item["size"]),
            str(item["media_type"]),
        )
        if any(reader.sniff(head, source) for reader in readers):
            found.append(item)
    return found


def ocr(
    case: CaseFolder,
    exhibits: Sequence[str] = (),
    *,
    psm: int | None = None,
    lang: str | None = None,
    passphrase: PassphraseSource | str | None = None,
    progress: Progress | None = None,
) -> list[OcrDone]:
    """(Re)run OCR on stored pictures: the named exhibits, or every picture without any OCR yet.

    Without ``psm`` and ``lang`` the screen's layout is read (as on import); with either, one whole-image
    pass with those settings.

    Each new result is a derived blob and an ``ocr.derived`` entry; nothing earlier is replaced (the
    image's record shows the newest text, ``show`` lists every result). A picture already read with the
    same engine version and settings is not read again (``status`` ``cached``). Raises DependencyError
    when tesseract is missing, UsageError for an exhibit that is not a picture.
    """
    from evidence.ocr.pool import Failed, run_all
    from evidence.ocr.tesseract import Settings
    from evidence.ocr.worker import OCR_SETTINGS, analyse_image

    settings = Settings(psm=OCR_SETTINGS.psm if psm is None else psm, lang=lang or OCR_SETTINGS.lang)
    if not 0 <= settings.psm <= 13:
        raise UsageError(
            f"--psm {settings.psm} is not a page segmentation mode", hint="0 to 13; 3 is automatic"
        )
    if not re.fullmatch(r"[A-Za-z_]+(\+[A-Za-z_]+)*", settings.lang):
        raise UsageError(f"--lang {settings.lang!r} is not a tesseract language", hint="eng, or eng+fra")
    pictures = {e["exhibit"]: e for e in image_exhibits(case)}
    if exhibits:
        targets = []
        for name in exhibits:
            wanted = name.strip().upper()
            if wanted not in pictures:
                known = any(e["exhibit"] == wanted for e in case.exhibits())
                raise UsageError(
                    f"{name}: {'not a picture (PNG, JPEG, WebP)' if known else 'no such exhibit in this case'}",
                    hint="'evidence -C CASE log' lists the exhibits",
                )
            if pictures[wanted] not in targets:
                targets.append(pictures[wanted])
    else:
        targets = [e for e in pictures.values() if not index.ocr_results_of(case.conn, e["sha256"])]
    key = case.signing_key(passphrase)
    images: list[tuple[str, Path | None, str]] = [
        (e["sha256"], None, str(e["original_name"])) for e in targets
    ]
    layout = psm is None and lang is None
    found, jobs, keys = jobs_for(case, images, settings, layout=layout)
    was_cached = set(found)
    found.update(run_all(analyse_image, jobs, progress=progress, load=load_stored(case)))
    done: list[OcrDone] = []
    new: list[tuple[dict[str, Any], OcrOutcome]] = []
    for item in targets:
        sha = item["sha256"]
        outcome = found[sha]
        if isinstance(outcome, Failed):
            done.append(OcrDone(item["exhibit"], sha, "failed", None, None, outcome.message))
        elif sha in was_cached:
            hit = cached(case, sha, keys[sha])
            done.append(OcrDone(item["exhibit"], sha, "cached", hit[1] if hit else None, outcome, None))
        else:
            new.append((item, outcome))
    if new:
        done.extend(_record(case, new, settings, key, keys))
    return done


def _record(
    case: CaseFolder,
    new: list[tuple[dict[str, Any], OcrOutcome]],
    settings: Settings,
    key: SigningKey,
    keys: dict[str, str],
) -> list[OcrDone]:
    """Store the new OCR blobs and append their ``ocr.derived`` entries, all in one transaction."""
    op = str(uuid.uuid4())
    done: list[OcrDone] = []
    writer = Writer(case)
    with case.store.session(), writer.lock():
        staged = [case.store.stage_bytes(outcome.blob, f"{item['exhibit']} OCR") for item, outcome in new]
        messages = _messages(case, new)
        retagged = _retagged(case, new)
        tagged = {sha: _message_suggestions(case, sha, made) for sha, made in messages.items()}
        every = [
            *staged,
            *(m[2] for m in messages.values()),
            *(s[0] for s in retagged.values()),
            *(s[0] for s in tagged.values()),
        ]
        try:
            with writer.placing(every, op):
                for (item, outcome), stage in zip(new, staged, strict=True):
                    sha = item["sha256"]
                    known = cached(case, sha, keys[sha])
                    if known is not None:  # another process read it while we did
                        done.append(OcrDone(item["exhibit"], sha, "cached", known[1], known[0], None))
                        continue
                    earlier = index.ocr_results_of(case.conn, sha)
                    body = {
                        "op": op,
                        "exhibit": item["exhibit"],
                        "item_sha256": sha,
                        "cache_key": keys[sha],
                        "ocr": outcome.raw(),
                        "supersedes": earlier[-1]["blob_sha256"] if earlier else None,
                        "requested": {"psm": settings.psm, "lang": settings.lang},
                        "run_by": actor(),
                        "tool": tool_info(),
                        "objects": [{"sha256": stage.sha256, "role": "ocr", "size": stage.size}],
                    }
                    entry = writer.append(key, index.OCR_KIND, body)
                    done.append(OcrDone(item["exhibit"], sha, "read", entry.seq, outcome, None))
                    if sha in retagged:
                        _append_suggestions(writer, key, op, item, retagged[sha], ocr_seq=entry.seq)
                    if sha in messages:
                        derived = _append_messages(writer, key, op, item, entry.seq, messages[sha])
                        _append_suggestions(writer, key, op, item, tagged[sha], derived_seq=derived.seq)
        except BaseException:
            for stage in every:
                case.store.discard(stage)
            raise
    return done


def _messages(
    case: CaseFolder, new: list[tuple[dict[str, Any], OcrOutcome]]
) -> dict[str, tuple[dict[str, Any], dict[str, Any], Staged]]:
    """The message records of each new layout reading whose picture has none yet (it was imported without
    Tesseract, or read as a whole image): ``(options, records blob, staged blob)`` by image SHA-256.

    The messages are dated against the picture's own record, in the zone its import used."""
    from evidence.importers import Source
    from evidence.importers._screenshot_messages import NAME, VERSION, Shot, message_records

    found: dict[str, tuple[dict[str, Any], dict[str, Any], Staged]] = {}
    wanted = {str(i["sha256"]) for i, o in new if o.layout is not None and o.layout.get("messages")}
    if not wanted:
        return found
    of_image: dict[str, list[Record]] = {}
    for record in case.records():
        if record.item_sha256 in wanted:
            of_image.setdefault(record.item_sha256, []).append(record)
    zones: dict[str, str] = {}  # the zone each picture's import used
    for entry in case.entries():
        if entry.kind == Kind.RECORDS_DERIVED and entry.body.get("item_sha256") in wanted:
            zones[str(entry.body["item_sha256"])] = str(entry.body["options"]["tz"])
    for item, outcome in new:
        sha = str(item["sha256"])
        if sha not in wanted or outcome.layout is None or sha in found:
            continue
        records = of_image.get(sha, [])
        image = next((r for r in records if r.locator == index.IMAGE_LOCATOR), None)
        if image is None or any(r.locator.startswith(f"{index.IMAGE_LOCATOR}#m") for r in records):
            continue
        options = ImportOptions(tz=zones.get(sha) or image.tz_name or case.tz.key)
        source = Source(
            case.store.path_for(sha),
            str(item["original_name"]),
            sha,
            int(item["size"]),
            str(item["media_type"]),
        )
        shot = Shot(image.occurred_at, image.time_source, image.tz_assumed, image.tz_name)
        made = list(message_records(source, options, shot, outcome.layout))
        doc = {
            "item_sha256": sha,
            "importer": NAME,
            "importer_version": VERSION,
            "records": [r.to_json() for r in made if isinstance(r, Record)],
            "warnings": [w.to_json() for w in made if isinstance(w, ImportWarning)],
        }
        staged = case.store.stage_bytes(canonical_bytes(doc), f"{item['exhibit']} messages")
        found[sha] = (options.to_json(), doc, staged)
    return found


def _append_messages(
    writer: Writer,
    key: SigningKey,
    op: str,
    item: dict[str, Any],
    ocr_seq: int,
    made: tuple[dict[str, Any], dict[str, Any], Staged],
) -> Entry:
    """The ``records.derived`` entry of the messages a later layout reading found (``from_ocr`` names it)."""
    from evidence.importers._screenshot_messages import NAME, VERSION

    options, doc, staged = made
    derived = {
        "op": op,
        "exhibit": item["exhibit"],
        "item_sha256": item["sha256"],
        "importer": NAME,
        "importer_version": VERSION,
        "options": options,
        "blob_sha256": staged.sha256,
        "record_count": len(doc["records"]),
        "warning_count": len(doc["warnings"]),
        "from_ocr": ocr_seq,
        "tool": tool_info(),
        "objects": [{"sha256": staged.sha256, "role": "records", "size": staged.size}],
    }
    return writer.append(key, Kind.RECORDS_DERIVED, derived, doc)


# A staged suggestions blob (``evidence.analysis.suggested``), the records the tagger read, those it listed.
Suggested = tuple[Staged, int, int]


def _stage_suggestions(
    case: CaseFolder, sha: str, source_sha256: str, records: list[Record], *, every: bool = False
) -> Suggested:
    from evidence.analysis.suggested import blob_pieces, tag_records

    found, read = tag_records(records, every=every)
    data = b"".join(blob_pieces(sha, source_sha256, found))
    return case.store.stage_bytes(data, "tactic suggestions"), read, len(found)


def _retagged(case: CaseFolder, new: list[tuple[dict[str, Any], OcrOutcome]]) -> dict[str, Suggested]:
    """For each new reading, the tactic suggestions of the picture's own record with the words it now holds
    (``index._apply_ocr`` gives it the newest text), when the tagger reads that record."""
    from dataclasses import replace

    found: dict[str, Suggested] = {}
    for item, outcome in new:
        sha = str(item["sha256"])
        if sha in found:
            continue
        rows = index.records_in_time_order(
            case.conn,
            "item_sha256 = ? AND json_extract(json, '$.locator') = ? AND channel = 'screenshot'",
            (sha, index.IMAGE_LOCATOR),
        )
        records = [replace(r, text=outcome.text, raw={**r.raw, "ocr": outcome.raw()}) for r in rows]
        if records:
            found[sha] = _stage_suggestions(case, sha, outcome.blob_sha256, records, every=True)
    return found


def _message_suggestions(
    case: CaseFolder, sha: str, made: tuple[dict[str, Any], dict[str, Any], Staged]
) -> Suggested:
    """The tactic suggestions of the message records a later layout reading found."""
    records = [Record.from_json(r) for r in made[1]["records"]]
    return _stage_suggestions(case, sha, made[2].sha256, records)


def _append_suggestions(
    writer: Writer,
    key: SigningKey,
    op: str,
    item: dict[str, Any],
    suggested: Suggested,
    *,
    derived_seq: int | None = None,
    ocr_seq: int | None = None,
) -> None:
    """The ``tactics.suggested`` entry of a picture's records (``derived_seq``) or its new words (``ocr_seq``)."""
    from evidence.analysis.suggested import entry_body

    staged, read, listed = suggested
    body = entry_body(op, str(item["exhibit"]), str(item["sha256"]), staged.sha256, staged.size, read, listed)
    body["derived_seq" if derived_seq is not None else "ocr_seq"] = (
        derived_seq if derived_seq is not None else ocr_seq
    )
    writer.append(key, Kind.TACTICS_SUGGESTED, {**body, "tool": tool_info()})
