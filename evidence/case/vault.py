"""The vault of an encrypted case: a random data key wrapped under the passphrase, and the keys derived from it.

``keys/vault.json`` holds the case's 32-byte data key encrypted with AES-256-GCM under a key stretched from the
passphrase by argon2id (RFC 9106). Everything secret in the case comes from the data key, through HKDF-SHA256
with one label per purpose (``CaseKeys``): the SQLCipher database key, the key that seals objects
(``evidence.case.sealed``), the key that names them, and the password of the signing key's PKCS#8 file. So
changing the passphrase re-wraps the data key only: no object, database page or key file changes.

``vault.json`` is canonical JSON (``evidence.case.canonical``), for example::

    {"aead":{"ciphertext":"<48 bytes, base64>","name":"aes-256-gcm","nonce":"<12 bytes, base64>"},
     "format":"evidence-vault/1",
     "kdf":{"iterations":4,"lanes":4,"memory_kib":131072,"name":"argon2id","salt":"<16 bytes, base64>"}}

(one line on disk). The AEAD's associated data is ``VAULT_AD_TAG`` followed by the canonical JSON of the same
document without ``ciphertext`` and ``nonce``: the format, the AEAD's name and every KDF parameter are bound, so
editing one (a cheaper cost, say) makes the unlock fail instead of weakening the key. Parameters outside sane
bounds (``MIN_MEMORY_KIB`` .. ``MAX_MEMORY_KIB``, at most ``MAX_ITERATIONS`` and ``MAX_LANES``) are refused
before any work, so an edited vault cannot make an unlock run for hours or exhaust memory.

The passphrase is normalised to Unicode NFC and encoded as UTF-8 (the same words typed on macOS and Linux give
the same bytes).

Cost (``DEFAULT_COST``: 128 MiB, 4 passes, 4 lanes). Measured on this machine (2 AMD EPYC cores shared with
other work, cryptography 51.0.1, December 2026), seconds per derivation::

    128 MiB, t=3, p=1   0.40           128 MiB, t=3, p=4   0.27
    128 MiB, t=4, p=4   0.32-0.50      <- DEFAULT_COST (0.33 idle; create and unlock, load ~0.7: 0.38-0.50)
    192 MiB, t=3, p=4   0.45-0.51      128 MiB, t=5, p=4   0.59-0.75 (busy)

The process peaks at about 160 MiB while deriving.
cryptography runs the lanes in parallel, so four lanes cost a one-core laptop about what one lane costs (~0.5
s) and a multi-core one less, while an attacker pays the full memory-hard work for every guess. ``TEST_COST``
(8 MiB, one pass, ~5 ms) is for the test suite, which passes it explicitly; nothing reads it from the
environment, so no setting can weaken a real case.

Wrong passphrases: each failure is counted in ``keys/unlock-failures`` (canonical JSON: the count and the time
of the last failure, with its offset); from the third consecutive failure on, every further attempt first waits
``min(2 ** (count - 3), 60)`` seconds (``unlock_delay``), and a success resets the count. Nothing is ever
deleted: the delay only slows someone guessing at the keyboard (argon2id is what makes offline guessing slow).
When the keys folder is not writable (a case on read-only media) failures are not counted. Two processes failing
at the same moment may count one failure; that costs a guesser nothing worth having.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hmac
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evidence.case.canonical import CanonicalError, canonical_bytes, parse_canonical
from evidence.case.formats import (
    DB_KEY_LABEL,
    KEYS_DIR,
    NAME_KEY_LABEL,
    OBJECT_KEY_LABEL,
    SIGNING_SECRET_LABEL,
    UNLOCK_FAILURES_NAME,
    VAULT_AD_TAG,
    VAULT_FORMAT,
    VAULT_NAME,
)
from evidence.case.signing import read_key_file, write_key_file
from evidence.errors import CaseError, PassphraseError, StorageError, UsageError
from evidence.timeutil import iso_utc, parse_iso, utc_now

KEY_SIZE = 32
SALT_SIZE = 16
NONCE_SIZE = 12
KDF_NAME = "argon2id"
AEAD_NAME = "aes-256-gcm"
VAULT_LIMIT = 4096  # a vault is about 300 bytes
FAILURES_LIMIT = 1024
DELAY_AFTER = 3  # failures before the delay starts
MAX_DELAY = 60  # seconds

MIN_MEMORY_KIB = 8 * 1024
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB: more would not fit many of the laptops this is for
MAX_ITERATIONS = 16
MAX_LANES = 16


@dataclass(frozen=True)
class Cost:
    """argon2id's parameters: memory in KiB, passes over it, and lanes (computed in parallel)."""

    memory_kib: int
    iterations: int
    lanes: int

    def problem(self) -> str | None:
        """What is outside the accepted bounds, or None."""
        for name, value, low, high in (
            ("memory_kib", self.memory_kib, MIN_MEMORY_KIB, MAX_MEMORY_KIB),
            ("iterations", self.iterations, 1, MAX_ITERATIONS),
            ("lanes", self.lanes, 1, MAX_LANES),
        ):
            if type(value) is not int or not low <= value <= high:
                return f"{name} {value!r} is outside {low}..{high}"
        if self.memory_kib < 8 * self.lanes:
            return "memory_kib is less than 8 KiB a lane"
        return None


DEFAULT_COST = Cost(memory_kib=128 * 1024, iterations=4, lanes=4)
TEST_COST = Cost(memory_kib=8 * 1024, iterations=1, lanes=1)  # the test suite's, passed explicitly


def _derive(data_key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=label).derive(data_key)


@dataclass(frozen=True, repr=False, eq=False)
class CaseKeys:
    """The case's data key and the keys derived from it (HKDF-SHA256, one label each). Never shown: its repr
    names no byte of them."""

    data_key: bytes
    db_key: bytes = field(init=False)  # SQLCipher's raw key (32 bytes)
    object_key: bytes = field(init=False)  # seals objects (evidence.case.sealed)
    name_key: bytes = field(init=False)  # names sealed objects (sealed_name)
    signing_secret: str = field(init=False)  # hex: the password of the signing key's PKCS#8 file

    def __post_init__(self) -> None:
        if type(self.data_key) is not bytes or len(self.data_key) != KEY_SIZE:
            raise PassphraseError(f"a case's data key is {KEY_SIZE} bytes")
        object.__setattr__(self, "db_key", _derive(self.data_key, DB_KEY_LABEL))
        object.__setattr__(self, "object_key", _derive(self.data_key, OBJECT_KEY_LABEL))
        object.__setattr__(self, "name_key", _derive(self.data_key, NAME_KEY_LABEL))
        object.__setattr__(self, "signing_secret", _derive(self.data_key, SIGNING_SECRET_LABEL).hex())

    def __repr__(self) -> str:
        return "CaseKeys(<hidden>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseKeys):
            return NotImplemented
        return hmac.compare_digest(self.data_key, other.data_key)

    __hash__ = None  # type: ignore[assignment]  # keys are not dictionary keys

    def to_bytes(self) -> bytes:
        """The data key alone (what the unlock agent holds and passes over its socket)."""
        return self.data_key

    @classmethod
    def from_bytes(cls, data: bytes) -> CaseKeys:
        """The keys from a data key given by ``to_bytes``; PassphraseError when it is not 32 bytes."""
        return cls(bytes(data))


# -- the vault file ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vault:
    cost: Cost
    salt: bytes
    nonce: bytes
    ciphertext: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _header(cost: Cost, salt: bytes) -> dict[str, Any]:
    """The document without the ciphertext and nonce: what the AEAD binds."""
    return {
        "aead": {"name": AEAD_NAME},
        "format": VAULT_FORMAT,
        "kdf": {
            "iterations": cost.iterations,
            "lanes": cost.lanes,
            "memory_kib": cost.memory_kib,
            "name": KDF_NAME,
            "salt": _b64(salt),
        },
    }


def _passphrase_bytes(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def _stretch(passphrase: str, salt: bytes, cost: Cost) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=KEY_SIZE,
        iterations=cost.iterations,
        lanes=cost.lanes,
        memory_cost=cost.memory_kib,
    )
    return kdf.derive(_passphrase_bytes(passphrase))


def _write_vault(keys_dir: Path, data_key: bytes, passphrase: str, cost: Cost, *, replace: bool) -> None:
    problem = cost.problem()
    if problem:
        raise UsageError(f"argon2id cost: {problem}")
    salt = secrets.token_bytes(SALT_SIZE)
    nonce = secrets.token_bytes(NONCE_SIZE)
    header = _header(cost, salt)
    wrapping = AESGCM(_stretch(passphrase, salt, cost))
    ciphertext = wrapping.encrypt(nonce, data_key, VAULT_AD_TAG + canonical_bytes(header))
    document = {**header, "aead": {"ciphertext": _b64(ciphertext), "name": AEAD_NAME, "nonce": _b64(nonce)}}
    path = keys_dir / VAULT_NAME
    try:
        keys_dir.mkdir(mode=0o700, exist_ok=True)
        write_key_file(path, canonical_bytes(document), 0o600, replace=replace)
    except FileExistsError:
        raise CaseError(
            "this case already has a vault", path=path, hint="change the passphrase instead"
        ) from None
    except OSError as exc:
        raise StorageError(f"cannot write the vault ({exc.strerror})", path=path) from None


def _decode(value: Any, size: int, what: str, path: Path) -> bytes:
    try:
        if not isinstance(value, str):
            raise ValueError
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, binascii.Error):
        raise CaseError(f"the vault is damaged: its {what} is not base64", path=path) from None
    if len(raw) != size:
        raise CaseError(f"the vault is damaged: its {what} is {len(raw)} bytes, not {size}", path=path)
    return raw


def _read_vault(keys_dir: Path) -> _Vault:
    """Read and check ``keys/vault.json``; CaseError naming it for anything but a well-formed vault."""
    path = keys_dir / VAULT_NAME
    try:
        data = read_key_file(path)
    except FileNotFoundError:
        raise CaseError(
            "this case has no vault (keys/vault.json is missing)",
            path=path,
            hint="restore keys/vault.json from a backup of the case folder",
        ) from None
    except OSError as exc:
        reason = "it is too large" if exc.errno == errno.EFBIG else exc.strerror
        raise CaseError(f"cannot read the vault ({reason})", path=path) from None
    if len(data) > VAULT_LIMIT:
        raise CaseError(f"the vault is damaged: {len(data)} bytes, larger than any vault", path=path)
    try:
        document = parse_canonical(data)
    except CanonicalError as exc:
        raise CaseError(f"the vault is damaged: {exc.message}", path=path) from None
    if not isinstance(document, dict) or not isinstance(document.get("format"), str):
        raise CaseError("the vault is damaged: it names no format", path=path)
    if document["format"] != VAULT_FORMAT:
        raise CaseError(
            f"the vault's format {document['format']!r} is unknown (this version reads {VAULT_FORMAT})",
            path=path,
            hint="open the case with the version of evidence that made it, or a newer one",
        )
    kdf, aead = document.get("kdf"), document.get("aead")
    if (
        set(document) != {"aead", "format", "kdf"}
        or not isinstance(kdf, dict)
        or not isinstance(aead, dict)
        or set(kdf) != {"iterations", "lanes", "memory_kib", "name", "salt"}
        or set(aead) != {"ciphertext", "name", "nonce"}
    ):
        raise CaseError("the vault is damaged: its fields are not those of a vault", path=path)
    if kdf["name"] != KDF_NAME or aead["name"] != AEAD_NAME:
        raise CaseError(
            f"the vault uses {kdf['name']!r} and {aead['name']!r}, not {KDF_NAME} and {AEAD_NAME}", path=path
        )
    cost = Cost(memory_kib=kdf["memory_kib"], iterations=kdf["iterations"], lanes=kdf["lanes"])
    problem = cost.problem()
    if problem:
        raise CaseError(f"the vault is damaged: argon2id {problem}", path=path)
    return _Vault(
        cost=cost,
        salt=_decode(kdf["salt"], SALT_SIZE, "salt", path),
        nonce=_decode(aead["nonce"], NONCE_SIZE, "nonce", path),
        ciphertext=_decode(aead["ciphertext"], KEY_SIZE + 16, "wrapped key", path),
    )


# -- failed unlocks ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnlockFailures:
    """Consecutive failed unlocks recorded in ``keys/unlock-failures``, and when the last one happened."""

    count: int
    last: datetime | None


def recorded_failures(keys_dir: Path) -> UnlockFailures:
    """The failed unlocks since the last success (none when the record is missing or unreadable: it is only a
    speed bump, rewritten at the next failure)."""
    try:
        record = parse_canonical(read_key_file(keys_dir / UNLOCK_FAILURES_NAME)[:FAILURES_LIMIT])
        count, last = record["count"], record["last_failure"]
        if type(count) is not int or count < 0:
            raise ValueError
        return UnlockFailures(count=count, last=parse_iso(last) if last is not None else None)
    except (OSError, CanonicalError, KeyError, TypeError, ValueError):
        return UnlockFailures(count=0, last=None)


def _record_failures(keys_dir: Path, failures: UnlockFailures) -> None:
    record = {"count": failures.count, "last_failure": iso_utc(failures.last) if failures.last else None}
    # Not counted when keys/ cannot be written: the passphrase error still reaches the user.
    with contextlib.suppress(OSError):
        write_key_file(keys_dir / UNLOCK_FAILURES_NAME, canonical_bytes(record), 0o600, replace=True)


def unlock_delay(failures: int) -> int:
    """Seconds an unlock waits after ``failures`` consecutive failures: none before the third, then 1, 2, 4,
    ... up to ``MAX_DELAY``."""
    if failures < DELAY_AFTER:
        return 0
    return min(1 << min(failures - DELAY_AFTER, 6), MAX_DELAY)


# -- the operations ----------------------------------------------------------------------------------------------


def create_vault(keys_dir: Path, passphrase: str, *, cost: Cost = DEFAULT_COST) -> CaseKeys:
    """Make a new case's data key and write ``keys/vault.json`` wrapping it under ``passphrase``; its keys.
    CaseError when the case already has a vault; UsageError for an empty passphrase."""
    if not passphrase:
        raise UsageError("the passphrase is empty", hint="choose four or more unrelated words")
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the passphrase is not valid text") from None
    keys = CaseKeys(secrets.token_bytes(KEY_SIZE))
    _write_vault(keys_dir, keys.data_key, passphrase, cost, replace=False)
    return keys


def unlock(keys_dir: Path, passphrase: str, *, sleep: Callable[[float], None] = time.sleep) -> CaseKeys:
    """The case's keys, unwrapped with ``passphrase``. PassphraseError (naming the case folder) when it is
    wrong, after waiting ``unlock_delay`` when earlier attempts failed; CaseError for a missing or damaged
    vault (not counted as a failure: no passphrase was tried)."""
    vault = _read_vault(keys_dir)
    case_folder = keys_dir.parent if keys_dir.name == KEYS_DIR else keys_dir
    if not passphrase:
        raise PassphraseError(
            "no passphrase was given for this case",
            path=case_folder,
            hint="type it when asked, or set EVIDENCE_PASSPHRASE",
        )
    failures = recorded_failures(keys_dir)
    wait = unlock_delay(failures.count)
    if wait:
        sleep(wait)
    key = _stretch(passphrase, vault.salt, vault.cost)
    header = _header(vault.cost, vault.salt)
    try:
        data_key = AESGCM(key).decrypt(vault.nonce, vault.ciphertext, VAULT_AD_TAG + canonical_bytes(header))
    except InvalidTag:
        _record_failures(keys_dir, UnlockFailures(count=failures.count + 1, last=utc_now()))
        following = unlock_delay(failures.count + 1)
        raise PassphraseError(
            "wrong passphrase for this case",
            path=case_folder,
            hint=(
                f"after {failures.count + 1} wrong tries in a row the next one waits {following} s"
                if following
                else "check the passphrase (and that Caps Lock is off) and try again"
            ),
        ) from None
    if failures.count:
        _record_failures(keys_dir, UnlockFailures(count=0, last=failures.last))
    return CaseKeys(data_key)


def change_passphrase(
    keys_dir: Path,
    old: str,
    new: str,
    *,
    cost: Cost = DEFAULT_COST,
    sleep: Callable[[float], None] = time.sleep,
) -> CaseKeys:
    """Re-wrap the case's data key under ``new`` (a new salt; ``old`` no longer unlocks). The data key, and so
    every object, the database and the signing key file, are untouched. PassphraseError when ``old`` is wrong."""
    if not new:
        raise UsageError("the new passphrase is empty", hint="choose four or more unrelated words")
    try:
        new.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the new passphrase is not valid text") from None
    keys = unlock(keys_dir, old, sleep=sleep)
    _write_vault(keys_dir, keys.data_key, new, cost, replace=True)
    return keys


def is_encrypted(case_root: Path) -> bool:
    """Whether the case at ``case_root`` is encrypted: ``keys/vault.json`` exists (a link there counts, and
    is then refused when read, rather than taken for a plain case)."""
    return os.path.lexists(case_root / KEYS_DIR / VAULT_NAME)


# -- the strength hint -------------------------------------------------------------------------------------------

# The most common passwords of the public leaked-password lists (SecLists' top entries, NCSC's 100,000 list),
# and a few famous examples; compared case-insensitively, also with trailing digits and symbols removed.
_COMMON_TEXT = """
    123456 123456789 12345678 12345 1234567 1234567890 123123 111111 000000 654321 666666 121212 112233
    123321 987654321 1q2w3e4r 1qaz2wsx zaq12wsx qazwsx qwerty qwertyuiop asdfghjkl asdfgh zxcvbnm password
    passw0rd password1 p@ssw0rd letmein welcome iloveyou admin administrator login master secret dragon monkey
    sunshine princess football baseball soccer hockey superman batman starwars shadow michael jennifer jordan
    hunter ranger harley tigger charlie daniel andrew thomas jessica ashley bailey nicole michelle pepper summer
    ginger joshua cheese matthew freedom whatever trustno1 hello loveme lovely flower mustang access killer
    computer internet samsung google iphone secret maggie buster cookie chocolate orange banana purple
    mypassword changeme default guest test abc abc123 abcdef abcd1234 aa123456 qwe123 iloveu mylove babygirl
    angel jesus blessed family forever friends lovers
    correcthorsebatterystaple tr0ub4dor&3
"""
_COMMON = frozenset(_COMMON_TEXT.split())
_KEYBOARD_RUNS = (
    "0123456789",
    "9876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
_WORD = re.compile(r"[^\W\d_]{3,}")

WEAK_BELOW = 10  # characters
GOOD_FROM = 16  # characters (or 12 with three kinds of characters, or three words and 14 characters)
STRONG_FROM = 24  # characters (or four words and 20 characters)


_RUN_PIECES = sorted(
    {
        run[i : i + n]
        for run in _KEYBOARD_RUNS
        for n in range(4, len(run) + 1)
        for i in range(len(run) - n + 1)
    },
    key=len,
    reverse=True,
)
_COMMON_PIECES = sorted((w for w in _COMMON if len(w) >= 4), key=len, reverse=True)


def _in_run(text: str) -> bool:
    return len(text) >= 3 and any(text in run for run in _KEYBOARD_RUNS)


def _common(passphrase: str) -> bool:
    """Whether a guesser tries it early: a common password (also with digits or symbols after it), one or two
    characters repeated, digits only, or what is left after removing common passwords and keyboard or number
    runs (of four or more) is under six characters, or two runs interleaved (``1q2w3e4r5t``)."""
    folded = re.sub(r"\s+", "", passphrase.casefold())
    if folded in _COMMON or re.sub(r"[\W\d_]+$", "", folded) in _COMMON:
        return True
    if len(set(folded)) <= 2 or (folded.isdigit() and len(folded) < GOOD_FROM):
        return True
    rest = folded
    for piece in (*_COMMON_PIECES, *_RUN_PIECES):
        rest = rest.replace(piece, "")
    if len(rest) < 6:
        return True
    return _in_run(folded[::2]) and _in_run(folded[1::2])


def passphrase_strength(passphrase: str) -> str:
    """A one-line hint in plain words on how hard ``passphrase`` is to guess: "weak", "fair", "good" or
    "strong", a reason, and what would make it stronger.

    Thresholds: weak under ``WEAK_BELOW`` (10) characters, or guessable early (``_common``: a common password,
    digits only, keyboard or number runs); strong from ``STRONG_FROM`` (24) characters, or four words (runs of
    three or more letters) and 20 characters; good from ``GOOD_FROM`` (16) characters, or 12 characters of
    three kinds (lower case, upper case, digits, others), or three words and 14 characters; fair otherwise.
    Only a hint: nothing here knows what a guesser knows about the person (names, birthdays, pets)."""
    length = len(passphrase)
    words = len(_WORD.findall(passphrase))
    kinds = sum(
        (
            any(c.islower() for c in passphrase),
            any(c.isupper() for c in passphrase),
            any(c.isdigit() for c in passphrase),
            any(not c.isalnum() for c in passphrase),
        )
    )
    advice = "use four or more unrelated words"
    common = _common(passphrase)
    if common or length < WEAK_BELOW:
        reasons = [r for r, bad in (("short", length < WEAK_BELOW), ("common", common)) if bad]
        return f"weak: {' and '.join(reasons)}; {advice}"
    if length >= STRONG_FROM or (words >= 4 and length >= 20):
        return "strong: long and unusual; remember it well, nobody can open this case without it"
    if length >= GOOD_FROM or (length >= 12 and kinds >= 3) or (words >= 3 and length >= 14):
        return f"good: {length} characters; one more unrelated word would make it strong"
    return f"fair: {length} characters; longer is stronger: {advice}"
