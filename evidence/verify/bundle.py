"""Verify an export bundle (the zip ``evidence export`` writes) on a machine that has never seen the case.

The zip is read in place, member by member, never extracted to disk. The checks, numbered here and in the code:

  (1) Safe to read: at most ``MAX_MEMBERS`` members, none larger than ``MAX_MEMBER_SIZE``, together at most
      ``MAX_TOTAL_SIZE``, none compressed more than ``MAX_RATIO`` to 1 (past 1 MiB), no absolute names, no
      ``..``, backslashes or drive letters, no links or other special files, no encrypted members, no name
      twice. Any of these is ``UNSAFE_ZIP`` naming the member, and nothing is read. A file that is not a
      readable zip is ``BUNDLE_UNREADABLE``.
  (2) Files: ``manifest.json`` lists every member but itself and ``manifest.sig``, ``SHA256SUMS`` every
      member but those and itself, with the same SHA-256, and every member re-hashes to it: ``MODIFIED``
      (content or a damaged member), ``MISSING`` (listed but absent), ``EXTRA`` (present but not listed).
  (3) Ledger (``ledger.jsonl``): each line is one entry as ``evidence log --json`` prints it (else
      ``LEDGER_MALFORMED`` naming the line); then exactly the case verifier's checks (2)-(5) over those
      entries: genesis and key (``case.pub`` must be the key the genesis names: ``KEY_REPLACED``; and
      ``--expect-key``), canonical bodies, hashes, signatures, chain from the genesis, ``--head``. The ledger
      must end at the head ``manifest.json`` names (``HEAD_MISMATCH``).
  (3b) The manifest: ``manifest.sig`` is the genesis key's Ed25519 signature over ``MANIFEST_SIG_TAG`` and
      manifest.json's bytes (``MANIFEST_UNSIGNED``, ``MANIFEST_SIGNATURE``), and every statement in it rests
      on the ledger (``MANIFEST_MISMATCH``): case id, title, zone and key fingerprint are the genesis
      entry's; "full" or "selected" as ``proofs.json`` is absent or present; the entries it lists are exactly
      those in ``ledger.jsonl``; each included exhibit is its ``item.acquired`` entry (number, hash, size,
      original name, member name); a full bundle lists every acquired exhibit as included or withheld
      (``EXHIBIT_UNACCOUNTED``).
  (4) Exhibits: every member under ``exhibits/`` is named by an ``item.acquired`` entry with its SHA-256 and
      the exhibit number in its name (``UNKNOWN_EXHIBIT``); each withheld hash in ``manifest.json`` is too;
      its name carries the original name its entry recorded, once (``EXHIBIT_RENAMED``, ``EXTRA``).
  (5) Report: a member under ``report/`` has the SHA-256 its ``report.generated`` entry recorded
      (``UNKNOWN_REPORT``).
  (6) Checkpoints and Merkle proofs (``evidence.verify.merkle``): a selective bundle (``proofs.json``) is
      checked entry by entry in (3) instead of as a chain, then by its proofs; a full one by recomputing
      every checkpoint's root.
  (7) Anchors: every ``anchor.timestamped`` entry's token (``anchors/NNNN.tsr``) and trust anchor
      (``anchors/NNNN-ca.pem``) are re-checked as the case verifier's step (8) does (``evidence.verify.anchors``),
      and ``anchors/NNNN.digest`` (what ``openssl ts -verify -digest`` is given) must hold the hash of the entry
      the token covers (``ANCHOR_DIGEST``) and ``anchors/NNNN-ca.pem`` the recorded trust anchor
      (``ANCHOR_CA``). The covered entry is a ``checkpoint.signed`` entry (anchors sign one
      first), so in a selective bundle the chain is: token -> that entry (7) -> its signed root (6a) -> its
      inclusion and its consistency proof to the bundle's checkpoint (6d, 6e).

What a passing bundle proves and does not is in the bundle's VERIFY.txt and the README ("For the recipient").
SHA256SUMS is a convenience for ``sha256sum -c``; manifest.json is signed, and the signed ledger is what the
exhibits, the report and the manifest's statements are checked against.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evidence.case.canonical import CanonicalError, canonical_text
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey
from evidence.errors import SigningKeyError
from evidence.verify import Finding, Report
from evidence.verify.case import check_ledger
from evidence.verify.merkle import PROOFS, check_disclosed_ledger, check_merkle, is_selective

MAX_MEMBERS = 10_000
MAX_MEMBER_SIZE = 64 << 30
MAX_TOTAL_SIZE = 256 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20  # small members may compress well (a ledger of repetitive JSON)
MAX_TEXT_SIZE = 1 << 30  # manifest.json, SHA256SUMS, ledger.jsonl, case.pub are read into memory
CHUNK = 1 << 20

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
LEDGER = "ledger.jsonl"
KEY = "case.pub"
INSTRUCTIONS = "VERIFY.txt"
MANIFEST_SIG = "manifest.sig"
MANIFEST_SIG_TAG = b"evidence/bundle-manifest/v1\x00"  # as evidence.export.bundle signs (part of the format)
UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')  # as evidence.export.bundle.member_name
ENTRY_FIELDS = ("seq", "recorded_at", "kind", "body", "prev", "hash", "sig")
SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
EXHIBIT_NAME = re.compile(r"exhibits/(EX-\d+) .+")


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is a file that starts like a zip (what ``evidence verify`` dispatches on)."""
    try:
        with open(path, "rb") as fh:
            return path.is_file() and fh.read(2) == b"PK"
    except OSError:
        return False


def verify_bundle(path: Path, *, heads: Iterable[str] = (), expect_key: str | None = None) -> Report:
    """Run checks (1)-(7) over the bundle at ``path``; see the module docstring."""
    report = Report(target=str(path))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        report.add(Finding("BUNDLE_UNREADABLE", f"not a readable zip ({exc})", path=path.name))
        return report
    with zf:
        # (1) Safe to read.
        if not _check_safe(zf, report):
            return report
        # (2) Files.
        actual = _hash_members(zf, report)
        manifest = _check_lists(zf, actual, report)
        # (3) Ledger.
        selected = is_selective(zf, manifest)
        checked = _check_bundle_ledger(zf, manifest, report, heads, expect_key, selected=selected)
        if checked is None:
            return report
        rows, key = checked
        # (3b) The manifest: signed by the ledger's key, and every statement in it agrees with the ledger.
        _check_manifest_signature(zf, key, report)
        _check_manifest_statements(manifest, rows, actual, report, selected=selected)
        # (4) Exhibits and (5) the report.
        _check_exhibits(rows, actual, manifest, report)
        _check_exhibit_names(rows, actual, report)
        _check_report(rows, actual, report)
        # (6) Checkpoints and Merkle proofs.
        check_merkle(zf, rows, report, selected=selected)
        # (7) Anchors.
        _check_bundle_anchors(zf, rows, actual, report)
    return report


def _check_bundle_anchors(
    zf: zipfile.ZipFile, rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from evidence.verify.anchors import check_anchors

    by_hash: dict[str, bytes] = {}
    for name, got in actual.items():
        if not name.startswith("anchors/") or got is None or got[1] > ANCHOR_MEMBER_LIMIT:
            continue
        data = zf.read(name)
        if name.endswith("-ca.pem"):
            try:
                data = x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
            except (ValueError, x509.InvalidVersion):
                report.add(Finding("ANCHOR_MALFORMED", "is not a PEM certificate", path=name))
                continue
        by_hash[hashlib.sha256(data).hexdigest()] = data
    check_anchors(rows, by_hash.get, report)
    _check_anchor_members(zf, rows, actual, report)


def _check_anchor_members(
    zf: zipfile.ZipFile, rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report
) -> None:
    """(7): what a recipient gives ``openssl ts -verify`` is what the entry recorded: ``anchors/NNNN.digest``
    holds the hash the token covers (``ANCHOR_DIGEST``), ``anchors/NNNN-ca.pem`` is the recorded trust
    anchor (``ANCHOR_CA``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    for row in rows:
        if row.entry.kind != "anchor.timestamped" or not row.valid or not isinstance(row.body, dict):
            continue
        seq, covers, trust = row.entry.seq, row.body.get("covers"), row.body.get("trust_anchor")
        name = f"anchors/{seq:04d}.digest"  # as the exporter names them
        got = actual.get(name)
        if got is not None and got[1] <= ANCHOR_MEMBER_LIMIT and isinstance(covers, dict):
            text = zf.read(name).decode("utf-8", errors="replace").strip()
            if text != covers.get("hash"):
                report.add(
                    Finding(
                        "ANCHOR_DIGEST",
                        f"holds {text[:16]!r}, not the hash of entry {covers.get('seq')} that the token of "
                        f"entry {seq} covers",
                        path=name,
                    )
                )
        name = f"anchors/{seq:04d}-ca.pem"
        got = actual.get(name)
        if got is not None and got[1] <= ANCHOR_MEMBER_LIMIT and isinstance(trust, dict):
            try:
                der = x509.load_pem_x509_certificate(zf.read(name)).public_bytes(Encoding.DER)
            except ValueError:
                continue  # (7) named it ANCHOR_MALFORMED
            if hashlib.sha256(der).hexdigest() != trust.get("sha256"):
                report.add(
                    Finding(
                        "ANCHOR_CA",
                        f"is not the trust anchor entry {seq} recorded ({str(trust.get('subject'))[:60]})",
                        path=name,
                    )
                )


ANCHOR_MEMBER_LIMIT = 1 << 20


def _check_safe(zf: zipfile.ZipFile, report: Report) -> bool:
    infos = zf.infolist()
    before = len(report.findings)
    if len(infos) > MAX_MEMBERS:
        report.add(
            Finding("UNSAFE_ZIP", f"{len(infos)} members, more than the {MAX_MEMBERS} a bundle may hold")
        )
        return False
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        mode = info.external_attr >> 16
        problem: str | None = None
        parts = name.split("/")
        if not name or name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\\" in name or "\x00" in name:
            problem = "an absolute or malformed name"
        elif ".." in parts or "." in parts or "" in parts[:-1]:
            problem = "a name that leaves the bundle's folder"
        elif info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            problem = "a link or special file" if stat.S_ISLNK(mode) else "a special file"
        elif info.flag_bits & 0x1:
            problem = "an encrypted member"
        elif name in seen:
            problem = "a name that appears twice"
        elif info.file_size > MAX_MEMBER_SIZE:
            problem = f"a declared size of {info.file_size} bytes, over the {MAX_MEMBER_SIZE} limit"
        elif info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problem = (
                f"a compression ratio over {MAX_RATIO}:1 ({info.file_size} bytes from {info.compress_size})"
            )
        seen.add(name)
        total += info.file_size
        if problem:
            report.add(Finding("UNSAFE_ZIP", f"refused: {problem}; nothing was read", path=name[:200]))
    if total > MAX_TOTAL_SIZE:
        report.add(Finding("UNSAFE_ZIP", f"members total {total} bytes, over the {MAX_TOTAL_SIZE} limit"))
    return len(report.findings) == before


def _hash_members(zf: zipfile.ZipFile, report: Report) -> dict[str, tuple[str, int] | None]:
    """SHA-256 and size of every file member; None for a member that cannot be read (reported)."""
    actual: dict[str, tuple[str, int] | None] = {}
    total = 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        digest = hashlib.sha256()
        size = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
            report.add(Finding("MODIFIED", f"the member is damaged ({exc})", path=info.filename))
            actual[info.filename] = None
            continue
        actual[info.filename] = (digest.hexdigest(), size)
        total += size
    report.checked["objects"] = len(actual)
    report.checked["bytes"] = total
    return actual


def _read_text(zf: zipfile.ZipFile, name: str) -> str | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_TEXT_SIZE:
        return None
    try:
        with zf.open(info) as fh:
            return fh.read(MAX_TEXT_SIZE).decode("utf-8")
    except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError):
        return None


def _parse_sums(text: str, report: Report) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = SUMS_LINE.fullmatch(line)
        if match is None or match.group(2) in sums:
            report.add(Finding("MODIFIED", f"line {number} is not '<sha256>  <file>' once", path=SUMS))
            continue
        sums[match.group(2)] = match.group(1)
    return sums


def _parse_manifest(text: str | None, report: Report) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        report.add(Finding("MODIFIED", f"not JSON ({exc})", path=MANIFEST))
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        report.add(Finding("MODIFIED", "not a bundle manifest (no list of files)", path=MANIFEST))
        return None
    return manifest


def _check_lists(
    zf: zipfile.ZipFile, actual: dict[str, tuple[str, int] | None], report: Report
) -> dict[str, Any] | None:
    """Check (2): manifest.json lists every member but itself and manifest.sig, SHA256SUMS every member but
    those and itself, both with the SHA-256 each member has. Returns the manifest."""
    names = set(zf.namelist())
    sums_text = _read_text(zf, SUMS)
    if sums_text is None:
        report.add(Finding("MISSING" if SUMS not in names else "MODIFIED", "cannot be read", path=SUMS))
    sums = _parse_sums(sums_text or "", report)
    manifest = _parse_manifest(_read_text(zf, MANIFEST), report)
    if manifest is None and MANIFEST not in names:
        report.add(Finding("MISSING", "the bundle has no manifest", path=MANIFEST))
    listed: dict[str, str] = {}
    for item in manifest["files"] if manifest else []:
        if (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("sha256"), str)
        ):
            listed[item["name"]] = item["sha256"]
    for name in sorted(set(listed) & {MANIFEST, MANIFEST_SIG}):
        report.add(Finding("MODIFIED", f"lists {name}, which it cannot hold the hash of", path=MANIFEST))
    for name in sorted(set(sums) & {SUMS, MANIFEST, MANIFEST_SIG}):
        report.add(Finding("MODIFIED", f"lists {name}, which it does not cover", path=SUMS))
    for name in sorted(set(sums) | set(listed) - {MANIFEST, MANIFEST_SIG}):
        if name not in names:
            report.add(Finding("MISSING", "listed in the bundle but not in the zip", path=name))
    for name in sorted(names - {MANIFEST, MANIFEST_SIG}):
        got = actual.get(name)
        if got is None:
            continue  # a directory, or damaged: reported while hashing (directories below)
        tables = ((MANIFEST, listed),) if name == SUMS else ((SUMS, sums), (MANIFEST, listed))
        for source, table in tables:
            expected = table.get(name)
            if expected is None and (source == SUMS or manifest is not None):
                report.add(Finding("EXTRA", f"present but not listed in {source}", path=name))
            elif expected is not None and expected != got[0]:
                report.add(
                    Finding(
                        "MODIFIED",
                        f"SHA-256 is {got[0][:16]}..., {source} lists {expected[:16]}...",
                        path=name,
                    )
                )
    for name in sorted(names - set(actual)):
        report.add(Finding("EXTRA", "a directory member, which no bundle holds", path=name))
    for name in sorted(set(actual) - {SUMS, MANIFEST, MANIFEST_SIG, LEDGER, KEY, INSTRUCTIONS, PROOFS}):
        if not (name.startswith(("exhibits/", "report/", "anchors/")) and name.count("/") == 1):
            report.add(Finding("EXTRA", "not a file an export bundle holds", path=name))
    return manifest


def _parse_entry(line: str) -> tuple[Entry, list[str]] | str:
    """One ledger line as an Entry and its storage problems, or why it is not an entry at all."""
    try:
        value = json.loads(line, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        return f"not JSON ({exc})"
    if not isinstance(value, dict) or not all(k in value for k in ENTRY_FIELDS):
        return "not a ledger entry (needs " + ", ".join(ENTRY_FIELDS) + ")"
    seq = value["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool):
        return "seq is not an integer"
    problems: list[str] = []
    extra = sorted(set(value) - set(ENTRY_FIELDS))
    if extra:
        problems.append("unexpected fields " + ", ".join(extra))
    texts: list[str] = []
    for name in ENTRY_FIELDS[1:]:
        if name == "body":
            continue
        field = value[name]
        if not isinstance(field, str):
            problems.append(f"{name} is not a string")
        texts.append(field if isinstance(field, str) else json.dumps(field))
    try:
        body_text = canonical_text(value["body"])
    except (CanonicalError, RecursionError):
        # Not representable canonically (a float...): keep it non-canonical so check (3) names the entry.
        body_text = json.dumps(value["body"], ensure_ascii=False)
    recorded_at, kind, prev, digest, sig = texts
    return Entry(seq, recorded_at, kind, body_text, prev, digest, sig), problems


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _check_bundle_ledger(
    zf: zipfile.ZipFile,
    manifest: dict[str, Any] | None,
    report: Report,
    heads: Iterable[str],
    expect_key: str | None,
    *,
    selected: bool = False,
) -> tuple[list[Any], PublicKey | None] | None:
    text = _read_text(zf, LEDGER)
    if text is None:
        if LEDGER in zf.namelist():
            report.add(Finding("LEDGER_MALFORMED", "cannot be read as UTF-8 text", path=LEDGER))
        elif not any(f.code == "MISSING" and f.path == LEDGER for f in report.findings):
            report.add(Finding("MISSING", "the bundle has no ledger", path=LEDGER))
        return None
    entries: list[Entry] = []
    problems: list[list[str]] = []
    for number, line in enumerate(io.StringIO(text), 1):
        if not line.strip():
            continue
        parsed = _parse_entry(line)
        if isinstance(parsed, str):
            report.add(Finding("LEDGER_MALFORMED", f"line {number}: {parsed}", path=LEDGER))
            continue
        entries.append(parsed[0])
        problems.append(parsed[1])
    report.checked["entries"] = len(entries)
    if not entries:
        report.add(Finding("LEDGER_EMPTY", "the ledger has no entries", path=LEDGER))
        return None
    file_key: PublicKey | None = None
    key_text = _read_text(zf, KEY)
    if key_text is None:
        report.add(Finding("KEY_UNREADABLE", "the bundle's public key cannot be read", path=KEY))
    else:
        try:
            file_key = PublicKey.from_pem(key_text.encode("utf-8"))
        except SigningKeyError as exc:
            report.add(Finding("KEY_UNREADABLE", exc.message, path=KEY))
    if selected:
        rows, key = check_disclosed_ledger(
            entries, problems, file_key, report, key_path=KEY, expect_key=expect_key, heads=heads
        )
    else:
        rows, key = check_ledger(
            entries, problems, file_key, report, key_path=KEY, expect_key=expect_key, heads=heads
        )
    last = max(entries, key=lambda e: e.seq)
    report.facts["head"] = {"seq": last.seq, "hash": last.hash}
    if key is not None:
        report.facts["key_fingerprint"] = key.fingerprint
    built = manifest.get("built_from") if manifest else None
    if isinstance(built, dict) and (built.get("seq"), built.get("hash")) != (last.seq, last.hash):
        report.add(
            Finding(
                "HEAD_MISMATCH",
                f"the ledger ends at {last.seq}:{last.hash[:16]}..., manifest.json names "
                f"{built.get('seq')}:{str(built.get('hash'))[:16]}...",
                path=MANIFEST,
            )
        )
    elif manifest is not None and not isinstance(built, dict):
        report.add(Finding("MODIFIED", "names no ledger head (built_from)", path=MANIFEST))
    return rows, key


def _bodies(rows: list[Any], kind: str) -> list[tuple[int, dict[str, Any]]]:
    return [
        (row.entry.seq, row.body)
        for row in rows
        if row.entry.kind == kind and row.valid and isinstance(row.body, dict)
    ]


def _check_exhibits(
    rows: list[Any],
    actual: dict[str, tuple[str, int] | None],
    manifest: dict[str, Any] | None,
    report: Report,
) -> None:
    acquired: dict[str, set[str]] = {}
    for _, body in _bodies(rows, "item.acquired"):
        sha = body.get("sha256")
        if isinstance(sha, str):
            acquired.setdefault(sha, set()).update(
                str(x) for x in (body.get("exhibit"), body.get("duplicate_of")) if x
            )
    for name, got in sorted(actual.items()):
        if not name.startswith("exhibits/") or got is None:
            continue
        match = EXHIBIT_NAME.fullmatch(name)
        numbers = acquired.get(got[0])
        if numbers is None:
            report.add(
                Finding(
                    "UNKNOWN_EXHIBIT",
                    f"no item.acquired entry in the ledger has its SHA-256 {got[0][:16]}...",
                    path=name,
                )
            )
        elif match is None or match.group(1) not in numbers:
            report.add(
                Finding(
                    "UNKNOWN_EXHIBIT",
                    f"its content is {', '.join(sorted(numbers))} in the ledger, not the exhibit its name says",
                    path=name,
                )
            )
    exhibits = manifest.get("exhibits") if manifest else None
    withheld = exhibits.get("withheld") if isinstance(exhibits, dict) else None
    for item in withheld if isinstance(withheld, list) else []:
        sha = item.get("sha256") if isinstance(item, dict) else None
        if not isinstance(sha, str) or sha not in acquired:
            report.add(
                Finding("UNKNOWN_EXHIBIT", f"withheld exhibit {item!r} is not in the ledger", path=MANIFEST)
            )


def _check_report(rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report) -> None:
    recorded = {str(body.get("sha256")): seq for seq, body in _bodies(rows, "report.generated")}
    for name, got in sorted(actual.items()):
        if not name.startswith("report/") or got is None:
            continue
        if got[0] not in recorded:
            report.add(
                Finding(
                    "UNKNOWN_REPORT",
                    f"no report.generated entry recorded its SHA-256 {got[0][:16]}...",
                    path=name,
                )
            )
        else:
            report.facts.setdefault("reports", []).append({"file": name, "entry": recorded[got[0]]})


# -- (3b) the signed manifest ---------------------------------------------------------------------------------


def _check_manifest_signature(zf: zipfile.ZipFile, key: PublicKey | None, report: Report) -> None:
    """manifest.sig is the genesis key's Ed25519 signature over the tag and manifest.json's exact bytes
    (``MANIFEST_UNSIGNED``, ``MANIFEST_SIGNATURE``): without it nothing the manifest says can be trusted."""
    names = set(zf.namelist())
    if MANIFEST_SIG not in names and _manifest_format(zf) == "evidence-bundle/1":
        report.add(
            Finding(
                "MANIFEST_UNSIGNED",
                "written in the older format evidence-bundle/1, whose list of files is not signed: the exhibits "
                "and ledger are checked, but not what was left out; ask the sender for a new export",
                path=MANIFEST,
            )
        )
        return
    if MANIFEST_SIG not in names:
        report.add(
            Finding(
                "MANIFEST_UNSIGNED",
                "the bundle has no manifest.sig: nothing binds its list of members to the case key",
                path=MANIFEST_SIG,
            )
        )
        return
    if key is None or MANIFEST not in names:
        return  # the key or the manifest is already reported
    if zf.getinfo(MANIFEST_SIG).file_size != 64:
        report.add(Finding("MANIFEST_SIGNATURE", "is not 64 bytes (an Ed25519 signature)", path=MANIFEST_SIG))
        return
    try:
        signature = zf.read(MANIFEST_SIG)
        signed = zf.read(MANIFEST) if zf.getinfo(MANIFEST).file_size <= MAX_TEXT_SIZE else None
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
                path=MANIFEST,
            )
        )


def _manifest_format(zf: zipfile.ZipFile) -> str | None:
    try:
        value = json.loads(_read_text(zf, MANIFEST) or "null")
    except ValueError:
        return None
    return str(value.get("format")) if isinstance(value, dict) else None


def _mismatch(message: str) -> Finding:
    return Finding("MANIFEST_MISMATCH", message, path=MANIFEST)


def _check_manifest_statements(
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
    recorded = dict(_bodies(rows, "report.generated")).get(entry) if isinstance(entry, int) else None
    got = actual.get(file) if isinstance(file, str) else None
    if members != [file] or got is None or recorded is None or recorded.get("sha256") != got[0]:
        report.add(_mismatch(f"the report it names ({file!r}, entry {entry!r}) is not the one in the bundle"))


def _seq_list(seqs: list[Any]) -> str:
    shown = ", ".join(str(s) for s in seqs[:10])
    return f"entries {shown}" + (f" and {len(seqs) - 10} more" if len(seqs) > 10 else "")


def _acquired(rows: list[Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Each exhibit number's first acquisition (not a duplicate): its seq and body."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for seq, body in _bodies(rows, "item.acquired"):
        number = body.get("exhibit")
        if isinstance(number, str) and not body.get("duplicate_of") and number not in found:
            found[number] = (seq, body)
    return found


def expected_member(exhibit: str, original_name: str) -> str:
    """The member name the exporter gives an exhibit (``evidence.export.bundle.member_name``)."""
    cleaned = UNSAFE_NAME_CHARS.sub("_", original_name).strip(" .") or "file"
    return f"exhibits/{exhibit} {cleaned[:180]}"


def _check_exhibit_names(rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report) -> None:
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
        want = expected_member(number, str(body.get("original_name")))
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
        if file != expected_member(number, str(body.get("original_name"))) or file not in actual:
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
                    path=MANIFEST,
                )
            )
        elif said[number] != body.get("sha256"):
            report.add(_mismatch(f"{number}: the hash listed is not entry {seq}'s"))
