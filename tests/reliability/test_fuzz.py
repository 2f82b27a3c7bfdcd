"""Fuzzing every importer in the registry with hypothesis: hostile bytes may be refused, never crash.

For each importer: (a) arbitrary bytes (pure noise, and noise behind the first bytes of a real file of its
format), parsed whenever ``sniff`` claims them; (b) mutations of a real seed file of its format (byte flips,
truncations, insertions, duplicated chunks), parsed whatever ``sniff`` says. Parsing is run to the end; the
only allowed outcomes are the yielded items or an ``EvidenceError`` (any other exception is a bug). Each
example has a time bound (the hypothesis deadline).

The seeds are small real files from the shared corpus; the diary file, the PNG and the WAV are made here.
``EVIDENCE_FUZZ_EXAMPLES`` sets the examples per importer and strategy (``make fuzz`` runs 2000).
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
import wave
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from evidence.errors import EvidenceError
from evidence.importers import REGISTRY, Importer
from evidence.importers.base import SNIFF_BYTES, Tally, Yielded
from evidence.importers.diary import diary_document
from evidence.models import Blob, ImportOptions, ImportWarning, Record
from tests.conftest import CORPUS
from tests.importers.helpers import source_for

EXAMPLES = int(os.environ.get("EVIDENCE_FUZZ_EXAMPLES", "30"))
OPTIONS = ImportOptions(tz="Europe/London", acquired_at="2026-03-14T21:30:00+00:00")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 800)
    return buffer.getvalue()


def _diary() -> bytes:
    entry = {"incident_at": "2026-03-14T21:30", "approximate": False, "text": "He waited at the gate."}
    return diary_document([entry])


def _corpus(relative: str) -> Callable[[], bytes]:
    return lambda: (CORPUS / relative).read_bytes()


IPHONE = Path(__file__).resolve().parent.parent / "data" / "iphone"
BUILT_BACKUP = IPHONE / "built-backup"


def _data(relative: str) -> Callable[[], bytes]:
    return lambda: (IPHONE / relative).read_bytes()


@functools.cache
def _packed_backup() -> bytes:
    """The test backup folder as the import packs it (one zip item)."""
    from evidence.importers._iphone_backup_folder import pack

    with tempfile.TemporaryDirectory() as out:
        return pack(BUILT_BACKUP, Path(out)).read_bytes()


# importer name -> (file name the fuzzed item carries, its seed bytes)
SEEDS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "diary": ("diary.json", _diary),
    "smsbackup": ("calls.xml", _corpus("smsbackup/calls-shruggietech-minimal_calls.xml")),
    "whatsapp": ("chat.txt", _corpus("whatsapp/chatanalytics-2A_5M.txt")),
    "telegram": ("result.json", _corpus("telegram/chatminer-test_single_export.json")),
    "facebook": ("message_1.json", _corpus("facebook/chatminer-instagram-test_export.json")),
    "signal": ("signal.txt", _corpus("signal/chatminer-test_export.txt")),
    "outlookmsg": ("mail.msg", _corpus("msg/msgreader-sent.msg")),
    "email": ("mail.eml", _corpus("email/imaptools-utf8_headers.eml")),
    "googlevoice": (
        "call.html",
        _corpus("googlevoice/Takeout/Voice/Calls/ - Placed - 2013-07-29T20_56_11Z.html"),
    ),
    "googlechat": (
        "messages.json",
        _corpus("googlevoice/Takeout/Google Chat/Groups/DM 2k64eoAAAAE/messages.json"),
    ),
    "audio": ("voicemail.wav", _wav),
    "screenshot": ("screenshot.png", _png),
    "csvlog": ("calls.csv", _corpus("imazing/imazingtosbr-call_history_basic.csv")),
    "iphone-sms": ("sms.db", _data("magnet-ctf-2020-sms.db")),
    # CallHistory.storedata and sms.db as a backup stores them (under their hashed names)
    "iphone-calls": (
        "CallHistory.storedata",
        _data("built-backup/5a/5a4935c78a5255723f707230a451d79c540d2741"),
    ),
    "iphone-backup": ("backup.iphone-backup.zip", _packed_backup),
    "imessage-exporter-txt": ("Alex.txt", _data("imessage-exporter/multiline-message.txt")),
}
IMPORTERS = [pytest.param(cls, id=cls.name) for cls in REGISTRY]


def test_every_importer_has_a_seed_that_it_claims_and_reads() -> None:
    """The seeds are real files of each format: the importer claims each one and parses it cleanly."""
    assert set(SEEDS) == {cls.name for cls in REGISTRY}
    for cls in REGISTRY:
        name, seed = SEEDS[cls.name]
        items = _run(cls(), name, seed(), parse_always=False)
        assert items is not None, f"{cls.name} does not claim its seed"
        assert any(isinstance(item, Record | ImportWarning) for item in items), cls.name


def _run(importer: Importer, name: str, data: bytes, *, parse_always: bool) -> list[Yielded] | None:
    """Sniff ``data`` stored as ``name``; parse it (when claimed, or always) to the end.

    Returns the items (None when unclaimed and not parsed, or refused with an EvidenceError); any other
    exception propagates and fails the example.
    """
    with tempfile.TemporaryDirectory(prefix="evidence-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        source = source_for(path)
        claimed = importer.sniff(data[:SNIFF_BYTES], source)
        assert isinstance(claimed, bool)
        if not (claimed or parse_always):
            return None
        try:
            items = list(importer.parse(source, OPTIONS))
        except EvidenceError as exc:
            assert exc.message and "\n" not in exc.one_line(), repr(exc.one_line())
            return None
    assert all(isinstance(item, Record | ImportWarning | Blob | Tally) for item in items)
    # An importer's count, when it keeps one, adds up whatever the bytes (issue 16).
    assert all(t.balanced for t in items if isinstance(t, Tally))
    return items


@st.composite
def _noise(draw: st.DrawFn, seed: bytes) -> bytes:
    """Arbitrary bytes, half the time behind a prefix of the seed (so that sniffing can claim them)."""
    tail = draw(st.binary(max_size=2048))
    if draw(st.booleans()):
        return seed[: draw(st.integers(0, min(len(seed), 512)))] + tail
    return tail


_MUTATION = st.tuples(
    st.sampled_from(("flip", "truncate", "insert", "duplicate")),
    st.integers(0, 2**31),
    st.integers(0, 2**31),
    st.binary(min_size=1, max_size=32),
)


def mutate(seed: bytes, mutations: list[tuple[str, int, int, bytes]]) -> bytes:
    """``seed`` with each mutation applied in turn; positions and lengths are taken modulo the size."""
    data = bytearray(seed)
    for kind, at, length, payload in mutations:
        position = at % (len(data) + 1)
        if kind == "flip" and data:
            index = position % len(data)
            data[index] ^= payload[0] or 0xFF
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = payload
        elif kind == "duplicate":
            chunk = data[position : position + 1 + length % 256]
            data[position:position] = chunk
    return bytes(data)


def test_mutate_does_what_it_says() -> None:
    assert mutate(b"abcdef", [("truncate", 3, 0, b"x")]) == b"abc"
    assert mutate(b"abc", [("insert", 1, 0, b"XY")]) == b"aXYbc"
    assert mutate(b"abc", [("duplicate", 0, 1, b"x")]) == b"ababc"
    assert mutate(b"abc", [("flip", 1, 0, b"\x01")]) == b"acc"


@pytest.mark.parametrize("cls", IMPORTERS)
@FUZZ
@given(data=st.data())
def test_arbitrary_bytes(cls: type[Importer], data: st.DataObject) -> None:
    """Noise is either left alone by sniff or, when claimed, parsed to items or an EvidenceError."""
    name, seed = SEEDS[cls.name]
    _run(cls(), name, data.draw(_noise(seed())), parse_always=False)


@pytest.mark.parametrize("cls", IMPORTERS)
@FUZZ
@given(data=st.data())
def test_mutated_seed(cls: type[Importer], data: st.DataObject) -> None:
    """A damaged real file is parsed (whatever sniff says) to items or an EvidenceError, never a crash."""
    name, seed = SEEDS[cls.name]
    mutations = data.draw(st.lists(_MUTATION, min_size=1, max_size=6))
    _run(cls(), name, mutate(seed(), mutations), parse_always=True)


# Inputs that once crashed an importer (found by this module), kept so they stay covered: (importer, bytes
# or mutations of its seed, what the outcome must be).
REGRESSIONS = [
    # wave.open raised a bare RuntimeError for a chunk running past the file: now a warning (no duration).
    pytest.param(
        "audio", b"RIFFd\x06\x00\x00WAVE\x00\x00\x00\x00\x00\x00\x00\x01", "items", id="audio-wav-chunk"
    ),
    # A flipped byte turned the declaration's encoding into "TTF-8": LookupError, now an InputError.
    pytest.param(
        "smsbackup",
        [("duplicate", 0, 199, b"\x00"), ("flip", 165775320, 0, b"\x01")],
        "refused",
        id="sms-encoding",
    ),
    # extract_msg raised ValueError ("14 is not a valid RecipientType") for a corrupt property: now an InputError.
    pytest.param("outlookmsg", [("flip", 200349, 0, b"\x00")], "refused", id="msg-enum"),
]


@pytest.mark.parametrize(("importer", "damage", "outcome"), REGRESSIONS)
def test_crash_found_by_fuzzing_stays_fixed(
    importer: str, damage: bytes | list[tuple[str, int, int, bytes]], outcome: str
) -> None:
    (cls,) = [cls for cls in REGISTRY if cls.name == importer]
    name, seed = SEEDS[importer]
    data = damage if isinstance(damage, bytes) else mutate(seed(), damage)
    items = _run(cls(), name, data, parse_always=True)
    assert (items is not None) == (outcome == "items")
