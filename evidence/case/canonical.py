"""The one canonical JSON serializer, and the hash primitives built on it.

Writer and verifier share exactly this module (and ``signing``), nothing else, so what is hashed when an
entry is written is byte for byte what is hashed when it is checked.

Canonical form (a subset of RFC 8785 that needs no float formatting):
  * objects with string keys, sorted by Unicode code point (Python's string order; this differs from RFC 8785,
    which sorts by UTF-16 code units, only for keys mixing U+E000-U+FFFF with characters above U+FFFF);
    no duplicate keys;
  * no whitespace: separators ``,`` and ``:``;
  * strings as UTF-8, not ``\\u`` escaped except where JSON requires it (control characters, ``"``, ``\\``);
  * integers only, within +/- 2**53 (so any JSON reader keeps them exact); **no floats**, no NaN;
  * ``true``, ``false``, ``null``, arrays.

Hashes that mean different things are domain-separated: each starts with a tag naming what is hashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import Any

from evidence.case.formats import ENTRY_TAG as ENTRY_TAG
from evidence.case.formats import PRIVATE_DETAILS_TAG
from evidence.case.formats import RECORD_ID_TAG as RECORD_ID_TAG
from evidence.errors import EvidenceError

MAX_SAFE_INT = 2**53

# The domain tags ENTRY_TAG and RECORD_ID_TAG live in ``evidence.case.formats``. Changing one changes every hash:
# they are part of the format, versioned by their suffix.

GENESIS_PREV = "0" * 64


class CanonicalError(EvidenceError):
    """A value cannot be put in canonical form (a float, a non-string key, a lone surrogate...)."""


def _check(value: Any, where: str) -> None:
    # Strings are not encoded here one by one: a lone surrogate makes the final UTF-8 encoding fail, which
    # canonical_bytes reports (checking every string twice was most of the verifier's time).
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            raise CanonicalError(f"{where}: integer {value} is outside +/-2**53")
        return
    if isinstance(value, float):
        raise CanonicalError(
            f"{where}: floats are not allowed in canonical JSON (use an integer or a string)"
        )
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{where}: object key {key!r} is not a string")
            _check(key, f"{where}.<key>")
            _check(item, f"{where}.{key}")
        return
    raise CanonicalError(f"{where}: {type(value).__name__} cannot be serialized")


_PLAIN_DEPTH = 200


def _plain(value: Any) -> bool:
    """Whether ``value`` is made only of the exact types canonical JSON holds (dict with str keys, list, str,
    int within range, bool, None), nested at most ``_PLAIN_DEPTH`` deep: a fast pass with no path strings.

    False means "not sure": ``_check`` then walks the value again and names what is wrong, or accepts it (a str
    or int subclass, a tuple). Without this pass, building a path string for every value was most of the cost
    of serializing a large records blob (issue 8, bench/import_speed.py)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if not -MAX_SAFE_INT <= item <= MAX_SAFE_INT:
                return False
            continue
        if depth >= _PLAIN_DEPTH:
            return False
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                kind = type(child)
                if kind is not str and child is not None and kind is not bool:
                    push((child, depth + 1))
        elif kind is list:
            for child in item:
                kind = type(child)
                if kind is not str and child is not None and kind is not bool:
                    push((child, depth + 1))
        else:
            return False
    return True


_LONG_LIST = 256


# One encoder, built once: ``json.dumps`` with these arguments builds a new one on every call (a third of the
# cost of a record id's two strings). ``encode`` gives exactly what ``json.dumps`` gives.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _pieces(value: Any, depth: int) -> Iterator[str]:
    """The canonical text of ``value`` in pieces: the top object's members and the items of its lists one by
    one. Byte for byte what ``_dumps`` gives (JSON text is the concatenation of its members' texts), but
    without json's token list of the whole value, which for a records blob took eight times the blob's size."""
    if depth < 2 and type(value) is dict:
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield ("," if i else "") + _dumps(key) + ":"
            yield from _pieces(value[key], depth + 1)
        yield "}"
    elif depth < 2 and type(value) is list:
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _pieces(item, depth + 1)
        yield "]"
    else:
        yield _dumps(value)


def canonical_bytes(value: Any) -> bytes:
    """Serialize ``value`` to canonical JSON bytes (UTF-8). Raises CanonicalError for what it cannot hold."""
    try:
        if not _plain(value):
            _check(value, "$")
        large = type(value) is dict and any(
            type(item) is list and len(item) > _LONG_LIST for item in value.values()
        )
        if large:
            return b"".join(piece.encode("utf-8") for piece in _pieces(value, 0))
        text = _dumps(value)
    except RecursionError:
        raise CanonicalError("value is nested too deeply for canonical JSON") from None
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"a string is not valid Unicode ({exc.reason})") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"a string is not valid Unicode ({exc.reason})") from None


def canonical_text_of_json(value: Any) -> str:
    """``canonical_text`` of a value ``json`` decoded with no floats and no integer outside +/-2**53 (the
    caller's decoder refused them): such a value holds only the types canonical JSON has, so the walk that
    checks them is skipped (a records blob's hundred thousand records are checked this way). A lone surrogate
    comes out as is: the caller compares the text with what it decoded, which never held one unescaped."""
    return _dumps(value)


def canonical_text(value: Any) -> str:
    """Canonical JSON as a str (what the ledger's ``body`` column holds)."""
    return canonical_bytes(value).decode("utf-8")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_float(text: str) -> Any:
    raise CanonicalError(f"float {text} in canonical JSON")


def _reject_constant(text: str) -> Any:
    raise CanonicalError(f"{text} in canonical JSON")


def _safe_int(text: str) -> int:
    number = int(text)
    if not -MAX_SAFE_INT <= number <= MAX_SAFE_INT:
        raise CanonicalError(f"integer {text[:40]} is outside +/-2**53")
    return number


# The quick check's decoder: json's C scanner building plain dicts (no hook a member), refusing floats, NaN and
# integers outside +/-2**53 as they are met (these hooks run only for such tokens and for integers).
_QUICK_DECODER = json.JSONDecoder(
    parse_float=_reject_float, parse_constant=_reject_constant, parse_int=_safe_int
)

# Texts with more brackets than this are left to the strict parser: nesting is then at most this deep, well
# within ``_PLAIN_DEPTH`` and the interpreter's recursion limit, so depth never decides the quick check.
_QUICK_BRACKETS = 100


def _parse_quick(text: str | bytes, raw: bytes) -> tuple[bool, Any]:
    """(True, value) when ``raw`` is certainly canonical JSON and ``value`` is what the strict parse gives;
    (False, None) when not sure (the strict parse then decides, and names what is wrong).

    Accepting here is the same as the strict parse accepting (``tests/case/test_canonical_quick.py`` holds it
    to that on generated and hostile texts): the value is decoded with the same scanner but without the
    duplicate-key hook, then serialized canonically and compared byte for byte with ``raw``. Equal bytes mean
    ``raw`` *is* the canonical serialization of a value of canonical types, and such a text has no duplicate
    key, float or constant, so the hooks of the strict parse would not have fired and its value is this one;
    conversely a canonical text decodes here to the value that serializes back to it. Nothing the quick check
    accepts is accepted by it alone: every refusal or doubt falls through to the strict parse."""
    if raw.count(b"[") + raw.count(b"{") > _QUICK_BRACKETS:
        return False, None
    try:
        # What json.loads decodes: the str as given, or (bytes) UTF-8 here, as json detects it for any text
        # whose first two bytes are not NUL (a canonical text's never are); anything else is left to it.
        decoded = text if isinstance(text, str) else raw.decode("utf-8")
        value = _QUICK_DECODER.decode(decoded)
        same = _dumps(value).encode("utf-8") == raw
    except (ValueError, RecursionError, CanonicalError):
        return False, None
    return (True, value) if same else (False, None)


def parse_canonical(text: str | bytes) -> Any:
    """Parse JSON that must already be canonical; raises CanonicalError if it is not (or is not JSON)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    sure, quick = _parse_quick(text, raw)
    return quick if sure else _parse_strict(raw)


def _parse_strict(raw: bytes) -> Any:
    """The strict parse: every object's members checked for duplicates, then serialized again and compared."""
    try:
        value = json.loads(
            raw,
            object_pairs_hook=_reject_duplicates,
            parse_float=_reject_float,
            parse_constant=_reject_constant,
        )
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, CanonicalError):
            raise
        raise CanonicalError(f"not JSON: {exc}") from None
    if canonical_bytes(value) != raw:
        raise CanonicalError("JSON is not in canonical form")
    return value


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def private_commitment(salt: str, details_text: str) -> str:
    """The commitment an entry's body makes to its private details (``details_text``: canonical JSON), salted
    with ``salt`` (hex) so that nobody can confirm a guess of them (a login name, a host) from the hash."""
    return sha256_hex(PRIVATE_DETAILS_TAG + salt.encode("ascii") + b"\x00" + details_text.encode("utf-8"))


def entry_hash(prev: str, kind: str, recorded_at: str, body: Any) -> str:
    """The hash of one ledger entry: SHA-256(tag || prev || canonical({body, kind, recorded_at})).

    ``prev`` is the previous entry's hash in hex (64 zeros for the first entry). The row's position is not
    hashed: the chain itself fixes it, since each entry commits to all of its predecessors through ``prev``.
    """
    return entry_hash_text(prev, kind, recorded_at, canonical_text(body))


def entry_hash_text(prev: str, kind: str, recorded_at: str, body_text: str) -> str:
    """``entry_hash`` over a body already in canonical text (as stored), without serializing it again.

    The payload is exactly ``canonical({"body": body, "kind": kind, "recorded_at": recorded_at})``: the three
    keys are in sorted order and ``body_text`` is canonical, so splicing it in is the same bytes. Callers
    holding untrusted text must check it with ``parse_canonical`` first.
    """
    if len(prev) != 64:
        raise CanonicalError(f"prev hash {prev!r} is not 64 hex digits")
    try:
        prev_bytes = bytes.fromhex(prev)
    except ValueError:
        raise CanonicalError(f"prev hash {prev!r} is not hex") from None
    # A lone string's canonical form: what json.dumps(s, ensure_ascii=False) returns, without building an
    # encoder a call (JSONEncoder.encode of a str is this function).
    kind_json = encode_basestring(kind)
    time_json = encode_basestring(recorded_at)
    try:
        payload = (
            '{"body":' + body_text + ',"kind":' + kind_json + ',"recorded_at":' + time_json + "}"
        ).encode()
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"a string is not valid Unicode ({exc.reason})") from None
    return hashlib.sha256(ENTRY_TAG + prev_bytes + payload).hexdigest()
