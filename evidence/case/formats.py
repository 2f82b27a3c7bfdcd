"""The format constants the writer and the verifier share: names of files, folders and bundle members, the
object path layout, domain tags, and the ledger's entry kinds.

A case folder::

    evidence.db                 the ledger and its index (SQLite, WAL mode)
    evidence.lock               the one-writer-at-a-time lock
    keys/case.pub               the case's public key (keys/case.key the private one, keys/case.crt its certificate)
    objects/sha256/ab/ab...     every stored object, named by its SHA-256 (``object_path``)
    objects/tmp/                staging files of an import under way, reports and bundles being written

An encrypted case has ``objects/sealed/ab/ab...`` instead of ``objects/sha256/``, and also has
``keys/vault.json`` (the data key wrapped under the passphrase, ``evidence.case.vault``)
and ``keys/unlock-failures`` (the count of failed unlocks); its objects are sealed (``evidence.case.sealed``).

Everything here is part of the on-disk or on-the-wire format: changing a value makes earlier cases, bundles
or reports unreadable or unverifiable. This module imports nothing of the package, so anything may import it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

# -- the case folder -----------------------------------------------------------------------------------------

CASE_FORMAT = "evidence-case/1"  # the genesis entry's "format"
DB_NAME = "evidence.db"
LOCK_NAME = "evidence.lock"
KEYS_DIR = "keys"
PRIVATE_NAME = "case.key"
PUBLIC_NAME = "case.pub"
CERTIFICATE_NAME = "case.crt"
PUBLIC_KEY_PATH = f"{KEYS_DIR}/{PUBLIC_NAME}"  # relative to the case folder, as findings name it
OBJECTS_DIR = "objects"
HASH_DIR = "sha256"  # objects/sha256/: the objects, named by their SHA-256
STAGING_DIR = "tmp"  # objects/tmp/: staging files

# -- an encrypted case: the vault and sealed objects (evidence.case.vault, evidence.case.sealed) ----------------

VAULT_FORMAT = "evidence-vault/1"  # vault.json's "format"
VAULT_NAME = "vault.json"  # in keys/: the data key wrapped under argon2id(passphrase)
VAULT_PATH = f"{KEYS_DIR}/{VAULT_NAME}"  # relative to the case folder, as messages name it
UNLOCK_FAILURES_NAME = "unlock-failures"  # in keys/: failed unlocks since the last success (a growing delay)
# The associated data of the wrapped data key: this tag, then the canonical JSON of the vault's format, KDF and
# AEAD parameters, so that editing a parameter fails the unlock instead of weakening the key.
VAULT_AD_TAG = b"evidence/vault-data-key/v1\x00"
# HKDF-SHA256 labels (``info``) of the sub-keys derived from the data key: one key, one purpose.
DB_KEY_LABEL = b"evidence/db/v1"
OBJECT_KEY_LABEL = b"evidence/objects/v1"
NAME_KEY_LABEL = b"evidence/names/v1"
SIGNING_SECRET_LABEL = b"evidence/signing/v1"
# A sealed object: magic, 12-byte nonce, 48-byte wrapped file key (its associated data: this tag and the raw
# plaintext SHA-256), then the plaintext in SEAL_CHUNK chunks, each AES-256-GCM (STREAM nonces).
SEAL_MAGIC = b"EVSEAL01"
SEAL_CHUNK = 1024 * 1024
SEAL_FILE_KEY_TAG = b"evidence/object-key/v1\x00"
# A sealed object's file name: hex HMAC-SHA256(name key, this tag + the plaintext SHA-256 in hex ASCII).
SEAL_NAME_TAG = b"evidence/object-name/v1\x00"
# An encrypted case's database: SQLCipher 4 with a raw 32-byte key (no key derivation of its own) and these
# settings, given on every connection right after the key: 16 KiB pages and HMAC-SHA256 page authentication (a
# quarter of the per-page work of SQLCipher's 4 KiB pages and HMAC-SHA512; a full scan of a 100,000-record case
# 1.3x a plain one instead of 2.2x). Part of the on-disk format.
SQLCIPHER_SETTINGS = ("cipher_page_size = 16384", "cipher_hmac_algorithm = HMAC_SHA256")
SEALED_DIR = "sealed"  # objects/sealed/ab/ab...: an encrypted case's objects, under their sealed names


def sealed_subpath(name: str) -> str:
    """Where the sealed object named ``name`` (``evidence.case.sealed.sealed_name``) lives inside ``objects/``."""
    return f"{SEALED_DIR}/{name[:2]}/{name}"


# The SQLite tables a crashed writer leaves rows in: the import journal (objects placed before their entries
# committed) and the journal of report/export files being written. The next writing command recovers both.
IMPORT_JOURNAL = "pending_objects"
OUTPUTS_JOURNAL = "pending_outputs"
# Its columns, as the writer creates it and the verifier expects it (one definition for both).
OUTPUTS_JOURNAL_COLUMNS = (
    "tmp TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT, seq INTEGER"
)
# A report or bundle being written waits in the staging folder as ``output-<24 hex>`` (the name its
# ``pending_outputs`` row gives, relative to that folder) until its entry commits and it is moved out.
OUTPUT_TEMP_PREFIX = "output-"
OUTPUT_TEMP_NAME = re.compile(r"output-[0-9a-f]{24}")


def object_subpath(sha256: str) -> str:
    """Where the object named ``sha256`` lives inside ``objects/``: ``sha256/ab/ab...`` (the one layout)."""
    return f"{HASH_DIR}/{sha256[:2]}/{sha256}"


def object_relpath(sha256: str) -> str:
    """The object's path relative to the case folder, as findings and messages name it."""
    return f"{OBJECTS_DIR}/{object_subpath(sha256)}"


def object_path(case_root: Path, sha256: str) -> Path:
    """The object's path in the case folder at ``case_root``."""
    return case_root / OBJECTS_DIR / object_subpath(sha256)


# The table of entries' private details and the body field naming them (see ``evidence.case.ledger``).
PRIVATE_TABLE = "entry_private"
PRIVATE_DETAILS_FIELD = "private_details"
# The body fields that are private details: the ledger moves them out of every body it signs.
PRIVATE_FIELDS = frozenset(
    {
        "created_by",  # the OS login and host name of whoever acted
        "imported_by",
        "run_by",
        "marked_by",
        "reviewed_by",
        "recorded_by",
        "generated_by",
        "exported_by",
        "anchored_by",
        "created_local",  # the computer's local time and zone then
        "acquired_local",
        "original_path",  # where a file was found on that computer (home folders, names)
        "file_mtime",  # the file's times on that computer
        "file_mtime_ns",
    }
)

# -- domain tags: a hash or signature made for one purpose is never valid for another ------------------------

ENTRY_TAG = b"evidence/ledger-entry/v1\x00"
RECORD_ID_TAG = b"evidence/record-id/v1\x00"
MANIFEST_SIG_TAG = (
    b"evidence/bundle-manifest/v1\x00"  # an export bundle's manifest.sig signs this + manifest.json
)
# The salted commitment to an entry's private details (who imported, on which computer, from which path):
# SHA-256(tag || salt || 0x00 || canonical details), named in the signed body, the details kept beside it.
PRIVATE_DETAILS_TAG = b"evidence/private-details/v1\x00"
MERKLE_LEAF_PREFIX = b"\x00"  # RFC 6962 leaf and node hashes
MERKLE_NODE_PREFIX = b"\x01"

# -- the ledger's entry kinds --------------------------------------------------------------------------------


class Kind(StrEnum):
    """Every kind of ledger entry (the ``kind`` column); a kind names what the entry's body records."""

    CASE_CREATED = "case.created"  # the genesis entry: case id, title, zone, public key
    CASE_UPDATED = "case.updated"
    ITEM_ACQUIRED = "item.acquired"
    RECORDS_DERIVED = "records.derived"
    OCR_DERIVED = "ocr.derived"
    PERSON_ADDED = "person.added"
    PERSON_LINKED = "person.linked"
    PERSON_UNLINKED = "person.unlinked"
    RECORD_RELAYED = "record.relayed"
    RECORD_ATTRIBUTED = "record.attributed"  # the complainant says who sent a record the file does not name
    TACTIC_REVIEWED = "tactic.reviewed"
    TACTICS_SUGGESTED = (
        "tactics.suggested"  # the tagger's suggestions for one entry's records, and its identity
    )
    REPORT_GENERATED = "report.generated"
    EXPORT_CREATED = "export.created"
    CHECKPOINT_SIGNED = "checkpoint.signed"
    KEY_CERTIFICATE = "key.certificate"
    ANCHOR_TIMESTAMPED = "anchor.timestamped"


GENESIS_KIND = Kind.CASE_CREATED
CHECKPOINT_KIND = Kind.CHECKPOINT_SIGNED
ANCHOR_KIND = Kind.ANCHOR_TIMESTAMPED

# -- export bundles ------------------------------------------------------------------------------------------

BUNDLE_FORMAT = "evidence-bundle/2"  # /2: manifest.sig, carried_entries, SHA256SUMS listed in the manifest
BUNDLE_FORMAT_UNSIGNED = "evidence-bundle/1"  # the older format, whose manifest is not signed
BUNDLE_SUMS = "SHA256SUMS"
BUNDLE_MANIFEST = "manifest.json"
BUNDLE_MANIFEST_SIG = "manifest.sig"
BUNDLE_LEDGER = "ledger.jsonl"
BUNDLE_KEY = "case.pub"
BUNDLE_INSTRUCTIONS = "VERIFY.txt"
BUNDLE_PROOFS = "proofs.json"
PROOFS_FORMAT = "evidence-proofs/1"
BUNDLE_DERIVED = "derived/"  # the records blobs and OCR results of the included exhibits (issue 14)
DERIVED_OCR = re.compile(r"ocr-[a-z0-9]+\.json")  # a records.derived entry's OCR result object's name
BUNDLE_FOLDERS = ("exhibits/", "report/", "anchors/", BUNDLE_DERIVED)
UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# Every part of a member's name fits every common file system with room to spare (ext4, APFS: 255 bytes a
# part; NTFS: 255 UTF-16 units, never more than UTF-8 bytes), and the whole name leaves room for the folder
# a recipient unzips into.
MAX_COMPONENT_BYTES = 200
MAX_MEMBER_NAME_BYTES = 240
MAX_NAME_CHARS = 180  # the older cap, kept: where it fits, names are as older versions wrote them
MAX_KEPT_SUFFIX = 16  # a longer extension is cut with the rest of the name


def member_name(exhibit: str, original_name: str) -> str:
    """The bundle member an exhibit is stored as: ``exhibits/EX-0001 <original name, made safe>``, its last part
    at most ``MAX_COMPONENT_BYTES`` bytes of UTF-8 (a longer name is cut, keeping its extension)."""
    cleaned = UNSAFE_NAME_CHARS.sub("_", original_name).strip(" .") or "file"
    return f"exhibits/{exhibit} {fit_name(cleaned, MAX_COMPONENT_BYTES - len(exhibit.encode()) - 1)}"


def fit_name(name: str, limit: int) -> str:
    """``name`` cut to at most ``MAX_NAME_CHARS`` characters (the older rule, kept when it fits) and ``limit``
    bytes of UTF-8 on a character boundary, then keeping a short extension; never ending in a space or dot
    (which Windows drops)."""
    older = name[:MAX_NAME_CHARS].rstrip(" .") or "file"
    if len(older.encode("utf-8")) <= limit:
        return older
    stem, dot, suffix = name.rpartition(".")
    keep = f".{suffix}" if dot and stem and len(f".{suffix}".encode()) <= MAX_KEPT_SUFFIX else ""
    base = name[: len(name) - len(keep)] if keep else name
    cut = base.encode("utf-8")[: limit - len(keep.encode("utf-8"))].decode("utf-8", errors="ignore")
    return (cut.rstrip(" .") or "file") + keep


def anchor_member(seq: int, suffix: str) -> str:
    """The bundle member of anchor entry ``seq``: ``anchors/0012.tsr``, ``anchors/0012-ca.pem``, ..."""
    return f"anchors/{seq:04d}{suffix}"


# -- reports -------------------------------------------------------------------------------------------------

REPORT_MANIFEST_NAME = "evidence-manifest.json"  # the PDF's embedded file
REPORT_MANIFEST_FORMAT = "evidence-report-manifest/v1"
