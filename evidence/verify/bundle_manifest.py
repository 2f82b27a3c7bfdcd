"""Check (3b) of ``evidence.verify.bundle``: ``manifest.sig`` signs ``manifest.json`` with the case key, and
every statement of the manifest rests on the ledger; and (4b): each exhibit member carries the name its
``item.acquired`` entry gives it.
"""

from __future__ import annotations

import json
import re
import zipfile
from typing import Any

from evidence.case.formats import (
    BUNDLE_FORMAT_UNSIGNED,
    BUNDLE_MANIFEST,
    BUNDLE_MANIFEST_SIG,
    MANIFEST_SIG_TAG,
    Kind,
    member_name,
)
from evidence.case.signing import PublicKey
from evidence.verify import Finding, Report
from evidence.verify.bundle_ledger import TEXT_LIMITS, bodies, read_text

EXHIBIT_NAME = re.compile(r"exhibits/(EX-\d+) .+")


def check_manifest_signature(zf: zipfile.ZipFile, key: PublicKey | None, report: Report) -> None:
    """manifest.sig is the genesis key's Ed25519 signature over the tag and manifest.json's exact bytes
    (``MANIFEST_UNSIGNED``, ``MANIFEST_SIGNATURE``): without it nothing the manifest says can be trusted."""
    names = set(zf.namelist())
    if BUNDLE_MANIFEST_SIG not in names and _manifest_format(zf) == BUNDLE_FORMAT_UNSIGNED:
        report.add(
            Finding(
                "MANIFEST_UNSIGNED",
                "written in the older format evidence-bundle/1, whose list of files is not signed: the exhibits "
                "and ledger are checked, but not what was left out; ask the sender for a new export",
                path=BUNDLE_MANIFEST,
            )
        )
        return
    if BUNDLE_MANIFEST_SIG not in names:
        report.add(
            Finding(
                "MANIFEST_UNSIGNED",
                "the bundle has no manifest.sig: nothing binds its list of members to the case key",
                path=BUNDLE_MANIFEST_SIG,
            )
        )
        return
    if key is None or BUNDLE_MANIFEST not in names:
        return  # the key or the manifest is already reported
    if zf.getinfo(BUNDLE_MANIFEST_SIG).file_size != 64:
        report.add(
            Finding("MANIFEST_SIGNATURE", "is not 64 bytes (an Ed25519 signature)", path=BUNDLE_MANIFEST_SIG)
        )
        return
    try:
        signature = zf.read(BUNDLE_MANIFEST_SIG)
        signed = (
            zf.read(BUNDLE_MANIFEST)
            if zf.getinfo(BUNDLE_MANIFEST).file_size <= TEXT_LIMITS[BUNDLE_MANIFEST]
            else None
        )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # a damaged member: reported while hashing in (2)
    if signed is None:
        return  # too large to be a manifest: reported as unreadable in (2)
    if not key.verify(signature, MANIFEST_SIG_TAG + signed):
        report.add(
            Finding(
                "MANIFEST_SIGNATURE",
                f"manifest.json is not signed by the case key {key.fingerprint[:16]}...: "
                "it was changed, or written by someone else",
                path=BUNDLE_MANIFEST,
            )
        )


def _manifest_format(zf: zipfile.ZipFile) -> str | None:
    try:
        value = json.loads(read_text(zf, BUNDLE_MANIFEST) or "null")
    except ValueError:
        return None
    return str(value.get("format")) if isinstance(value, dict) else None


def _mismatch(message: str) -> Finding:
    return Finding("MANIFEST_MISMATCH", message, path=BUNDLE_MANIFEST)


def check_manifest_statements(
    manifest: dict[str, Any] | None,
    rows: list[Any],
    actual: dict[str, tuple[str, int] | None],
    report: Report,
    *,
    selected: bool,
) -> None:
    """Every statement of the manifest rests on the ledger: case id, title, zone and key fingerprint are the
    genesis entry's; full or selective as the members say; the entries carried are the ones in ledger.jsonl;
    each included exhibit is its ``item.acquired`` entry; a full bundle accounts for every exhibit."""
    if manifest is None:
        return
    genesis = next((r.body for r in rows if r.entry.seq == 1 and isinstance(r.body, dict)), None)
    case = manifest.get("case")
    if genesis is not None:
        said = case if isinstance(case, dict) else {}
        for field in ("case_id", "title", "tz"):
            if said.get(field) != genesis.get(field):
                report.add(
                    _mismatch(
                        f"case {field} {said.get(field)!r} is not the genesis entry's {genesis.get(field)!r}"
                    )
                )
        if manifest.get("key_fingerprint") != genesis.get("key_fingerprint"):
            report.add(_mismatch("the key fingerprint is not the one the genesis entry names"))
    disclosure = manifest.get("disclosure")
    mode = disclosure.get("mode") if isinstance(disclosure, dict) else None
    if mode != ("selected" if selected else "full"):
        report.add(
            _mismatch(
                f"says the bundle is {mode!r}, but it {'holds' if selected else 'has no'} proofs.json"
                + (" (a selective bundle)" if selected else "")
            )
        )
    carried = manifest.get("carried_entries")
    seqs = carried.get("seqs") if isinstance(carried, dict) else None
    present = sorted(r.entry.seq for r in rows)
    if not isinstance(seqs, list):
        report.add(_mismatch("does not say which ledger entries the bundle carries (carried_entries)"))
    elif sorted(seqs) != present:
        gone = sorted(set(seqs) - set(present))
        added = sorted(set(present) - set(seqs))
        report.add(
            _mismatch(
                "ledger.jsonl does not hold the entries the manifest lists: "
                + (f"missing {_seq_list(gone)}" if gone else "")
                + ("; " if gone and added else "")
                + (f"not listed {_seq_list(added)}" if added else "")
            )
        )
    _check_included(manifest, rows, actual, report)
    if not selected:
        _check_accounted(manifest, rows, report)
    _check_manifest_report(manifest, rows, actual, report)
    last = max(rows, key=lambda r: r.entry.seq).entry
    built = manifest.get("built_from")
    if (
        isinstance(built, dict)
        and built.get("seq") == last.seq
        and built.get("recorded_at") != last.recorded_at
    ):
        report.add(_mismatch(f"the head's time {built.get('recorded_at')!r} is not entry {last.seq}'s"))


def _check_manifest_report(
    manifest: dict[str, Any], rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report
) -> None:
    """The report the manifest names is the member under report/, recorded by the entry it names."""
    said = manifest.get("report")
    members = sorted(n for n in actual if n.startswith("report/"))
    if said is None:
        if members:
            report.add(_mismatch(f"names no report, but the bundle holds {members[0]!r}"))
        return
    file = said.get("file") if isinstance(said, dict) else None
    entry = said.get("entry") if isinstance(said, dict) else None
    recorded = dict(bodies(rows, Kind.REPORT_GENERATED)).get(entry) if isinstance(entry, int) else None
    got = actual.get(file) if isinstance(file, str) else None
    if members != [file] or got is None or recorded is None or recorded.get("sha256") != got[0]:
        report.add(_mismatch(f"the report it names ({file!r}, entry {entry!r}) is not the one in the bundle"))


def _seq_list(seqs: list[Any]) -> str:
    shown = ", ".join(str(s) for s in seqs[:10])
    return f"entries {shown}" + (f" and {len(seqs) - 10} more" if len(seqs) > 10 else "")


def _acquired(rows: list[Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Each exhibit number's first acquisition (not a duplicate): its seq and body."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for seq, body in bodies(rows, Kind.ITEM_ACQUIRED):
        number = body.get("exhibit")
        if isinstance(number, str) and not body.get("duplicate_of") and number not in found:
            found[number] = (seq, body)
    return found


def check_exhibit_names(rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report) -> None:
    """(4b) Each exhibit member carries the original name its ``item.acquired`` entry recorded
    (``EXHIBIT_RENAMED``), and no exhibit appears twice."""
    acquired = _acquired(rows)
    seen: dict[str, str] = {}
    for name in sorted(actual):
        match = EXHIBIT_NAME.fullmatch(name)
        if match is None or match.group(1) not in acquired:
            continue
        number = match.group(1)
        seq, body = acquired[number]
        want = member_name(number, str(body.get("original_name")))
        if name != want:
            report.add(
                Finding(
                    "EXHIBIT_RENAMED",
                    f"entry {seq} recorded {number} as {body.get('original_name')!r}; "
                    f"the member should be named {want!r}",
                    path=name,
                    entry=seq,
                )
            )
        if number in seen:
            report.add(
                Finding("EXTRA", f"a second member for {number} (the first is {seen[number]!r})", path=name)
            )
        seen.setdefault(number, name)


def _check_included(
    manifest: dict[str, Any],
    rows: list[Any],
    actual: dict[str, tuple[str, int] | None],
    report: Report,
) -> None:
    acquired = _acquired(rows)
    exhibits = manifest.get("exhibits")
    included = exhibits.get("included") if isinstance(exhibits, dict) else None
    if not isinstance(included, list):
        report.add(_mismatch("does not list the included exhibits"))
        return
    files: set[str] = set()
    for item in included:
        if not isinstance(item, dict):
            report.add(_mismatch(f"an included exhibit is not an object: {item!r}"))
            continue
        number, seq = item.get("exhibit"), item.get("acquired_seq")
        known = acquired.get(number) if isinstance(number, str) else None
        if not isinstance(number, str) or known is None or known[0] != seq:
            report.add(
                _mismatch(f"included exhibit {number!r} is not acquired by entry {seq!r} of the ledger")
            )
            continue
        body = known[1]
        for field in ("sha256", "size", "original_name"):
            if item.get(field) != body.get(field):
                report.add(
                    _mismatch(
                        f"{number}: {field} {item.get(field)!r} is not entry {seq}'s {body.get(field)!r}"
                    )
                )
        file = item.get("file")
        if file != member_name(number, str(body.get("original_name"))) or file not in actual:
            report.add(_mismatch(f"{number}: file {file!r} is not the exhibit's member in the bundle"))
        files.add(str(file))
    for name in sorted(n for n in actual if n.startswith("exhibits/") and n not in files):
        report.add(Finding("UNKNOWN_EXHIBIT", "not an included exhibit in manifest.json", path=name))


def _check_accounted(manifest: dict[str, Any], rows: list[Any], report: Report) -> None:
    """A full bundle accounts for every exhibit the ledger acquired: included, or withheld by its hash
    (``EXHIBIT_UNACCOUNTED``)."""
    exhibits = manifest.get("exhibits")
    said: dict[str, Any] = {}
    for part in ("included", "withheld"):
        items = exhibits.get(part) if isinstance(exhibits, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("exhibit"), str):
                said[item["exhibit"]] = item.get("sha256")
    for number, (seq, body) in sorted(_acquired(rows).items()):
        if number not in said:
            report.add(
                Finding(
                    "EXHIBIT_UNACCOUNTED",
                    f"acquired by entry {seq} but neither included nor listed as withheld",
                    exhibit=number,
                    entry=seq,
                    path=BUNDLE_MANIFEST,
                )
            )
        elif said[number] != body.get("sha256"):
            report.add(_mismatch(f"{number}: the hash listed is not entry {seq}'s"))
