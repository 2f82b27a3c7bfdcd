"""Real-screenshot benchmark (issue 15): the screenshot importer against hand-written expected values.

    .venv/bin/python bench/ocr_real.py --set DIR [--expected FILE] [--only NAME] [--verbose] [--write]

Each picture of ``DIR`` that the expectations name (``DIR/expected.json``, or ``--expected``; the format is
``tests/data/screenshots-real/FORMAT.md``) is imported by ``ScreenshotImporter.parse`` exactly as ``evidence
import`` would (case zone ``UTC``, a fixed import time), and its message records are scored:

- *bubbles found*: expected text bubbles matched by a record (normalised texts at least ``SIMILAR`` alike, one to
  one, the most alike pairs first); *media found*: photo/voice/... bubbles matched by a record of that kind
  (``raw.media``) and side;
- *direction*: among matched bubbles, the share with the right direction; *exact text*: among matched text
  bubbles, the share whose normalised text equals the expected one;
- *headers*: pictures with an expected header whose layout header equals it (normalised);
- *group senders*: matched incoming bubbles of group chats with an expected sender, whose ``sender`` is it;
- *call rows*: expected rows matched by a call record (name alike) with the right type; *emails*: expected
  inbox rows and open emails matched by an email record (subject alike), counted right when the sender is alike
  too (else as "sender misread": the email is no invented record);
- *screen kind*: pictures whose ``raw.screen`` (the picture's record) is the expected ``screen``;
- *non-message records*: message records matching nothing expected (all of them on a screen that is not a
  chat, call list, inbox or email); *import-time dated*: message records with ``time_source`` acquired that
  are not marked ``date_unknown`` (those are placed at the import time for their order only, and say so);
- *date unknown right*: messages whose ``raw.date_unknown`` agrees with the expected ``date_known``; *time
  right*: items with an expected ``time`` whose record has that minute and offset;
- seconds per picture (OCR included, ``OMP_THREAD_LIMIT=1``, one picture at a time).

``--write`` appends the table to bench/RESULTS.md under "OCR on real screenshots".
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import os
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from evidence.importers.base import Source  # noqa: E402
from evidence.importers.screenshot import ScreenshotImporter  # noqa: E402
from evidence.models import Blob, ImportOptions, Record, TimeSource  # noqa: E402

SIMILAR: Final = 0.8
ACQUIRED: Final = "2026-12-07T12:00:00Z"
RESULTS: Final = ROOT / "bench" / "RESULTS.md"
SECTION: Final = "## OCR on real screenshots"
MESSAGE_SCREENS: Final = frozenset({"chat", "call_list", "email_list", "email"})
_FOLD: Final = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def fold(text: str | None) -> str:
    """Lower case, quotes and dashes folded, emoji and symbols dropped, spacing collapsed."""
    text = unicodedata.normalize("NFC", (text or "").translate(_FOLD)).lower()
    kept = "".join(c for c in text if not unicodedata.category(c).startswith(("S", "C")) or c in " \n")
    return " ".join(kept.split())


def alike(a: str | None, b: str | None) -> float:
    """How alike two texts are once folded (difflib's ratio, 0 to 1)."""
    fa, fb = fold(a), fold(b)
    if not fa and not fb:
        return 1.0
    return difflib.SequenceMatcher(None, fa, fb).ratio()


@dataclass
class Tally:
    """Counts over pictures (ratios are made when printing)."""

    pictures: int = 0
    bubbles: int = 0
    bubbles_found: int = 0
    media: int = 0
    media_found: int = 0
    captions: int = 0
    direction_n: int = 0
    direction_ok: int = 0
    text_n: int = 0
    text_exact: int = 0
    headers: int = 0
    headers_ok: int = 0
    senders: int = 0
    senders_ok: int = 0
    calls: int = 0
    calls_found: int = 0
    calls_typed: int = 0
    emails: int = 0
    emails_found: int = 0
    emails_sender_wrong: int = 0
    screens_ok: int = 0
    junk: int = 0
    acquired: int = 0
    dates: int = 0
    dates_ok: int = 0
    times: int = 0
    times_ok: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    notes: list[str] = field(default_factory=list)


def _record_text(record: Record) -> str:
    if record.channel.value == "call":
        return str(record.raw.get("shown_as") or record.sender or "")
    if record.channel.value == "email":
        return f"{record.sender or ''} {record.subject or ''}"
    return record.text or ""


def _minute(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _score_time(tally: Tally, want: dict[str, Any], got: Record, name: str) -> None:
    if "date_known" in want or "time" in want:
        known = bool(want.get("date_known", True))
        tally.dates += 1
        marked = bool(got.raw.get("date_unknown"))
        if marked != (not known):
            tally.notes.append(f"{name}: {fold(_record_text(got))[:30]!r} date_unknown={marked}")
        else:
            tally.dates_ok += 1
    if isinstance(want.get("time"), str):
        tally.times += 1
        wanted = dt.datetime.fromisoformat(want["time"])
        if (
            not got.raw.get("date_unknown")
            and got.occurred_at == wanted
            and got.occurred_at.utcoffset() == (wanted.utcoffset())
        ):
            tally.times_ok += 1
        else:
            tally.notes.append(f"{name}: time {_minute(got.occurred_at)} for {want['time']}")


def _best_text_matches(items: list[dict[str, Any]], records: list[Record]) -> dict[int, int]:
    """Expected text bubbles matched one to one to text records, the most alike pairs first (then the pairs
    nearest in screen order): "Key Exchange Message" goes to its own bubble, not to "Response Key Exchange
    Message"."""
    pairs: list[tuple[float, int, int, int]] = []
    for number, item in enumerate(items):
        if item.get("kind", "text") != "text":
            continue
        for index, r in enumerate(records):
            if r.channel.value in {"call", "email"} or r.raw.get("media") not in (None, "text"):
                continue
            similarity = alike(r.text, item["text"])
            if similarity >= SIMILAR:
                pairs.append((similarity, -abs(number - index), number, index))
    pairs.sort(reverse=True)
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, number, index in pairs:
        if number not in chosen and index not in taken:
            chosen[number] = index
            taken.add(index)
    return chosen


def score_picture(
    name: str, want: dict[str, Any], picture: Record, records: list[Record], layout: dict[str, Any]
) -> Tally:
    """Score one picture's records (and its OCR layout, for the header) against its expectations."""
    tally = Tally(pictures=1)
    screen = want.get("screen")
    got_screen = picture.raw.get("screen")
    if got_screen == screen or (screen == "other" and got_screen == "unknown"):
        tally.screens_ok += 1
    else:
        tally.notes.append(f"{name}: screen {got_screen!r} for {screen!r}")
    header = layout.get("header")
    if want.get("header"):
        tally.headers += 1
        if fold(str(header or "")) == fold(want["header"]):
            tally.headers_ok += 1
        else:
            tally.notes.append(f"{name}: header {header!r} for {want['header']!r}")
    # dated by the import time as if it were the message's: a record marked date unknown is placed there for
    # its order only, and says so
    tally.acquired += sum(
        r.time_source is TimeSource.ACQUIRED and not r.raw.get("date_unknown") for r in records
    )
    used: set[int] = set()
    if screen not in MESSAGE_SCREENS:
        tally.junk += len(records)
        for r in records:
            tally.notes.append(f"{name}: record on a {screen} screen: {fold(_record_text(r))[:40]!r}")
        return tally
    group = bool(want.get("group"))
    items = list(want.get("messages") or [])
    text_match = _best_text_matches(items, records)
    used.update(text_match.values())
    for number, item in enumerate(items):
        kind = item.get("kind", "text")
        if kind == "text":
            tally.bubbles += 1
        else:
            tally.media += 1
        found = text_match.get(number)
        if kind != "text":
            for index, r in enumerate(records):
                if index in used or r.channel.value in {"call", "email"}:
                    continue
                if r.raw.get("media") == kind and (
                    r.direction.value == item["direction"] or alike(r.text, item["text"]) >= SIMILAR
                ):
                    found = index
                    break
        if found is None and kind != "text" and item["text"]:
            found = next(
                (
                    i
                    for i, r in enumerate(records)
                    if i not in used
                    and r.channel.value not in {"call", "email"}
                    and alike(r.text, item["text"]) >= SIMILAR
                ),
                None,
            )  # a photo's caption read as a text bubble: the words are kept, the kind is missed
            if found is not None:
                used.add(found)
                tally.captions += 1
                tally.notes.append(f"{name}: {kind} read as text {item['text'][:40]!r}")
                continue
        if found is None:
            tally.notes.append(f"{name}: missed {kind} {item['text'][:40]!r}")
            continue
        used.add(found)
        got = records[found]
        if kind == "text":
            tally.bubbles_found += 1
            tally.text_n += 1
            if fold(got.text) == fold(item["text"]):
                tally.text_exact += 1
            else:
                tally.notes.append(f"{name}: text {fold(got.text)!r} for {fold(item['text'])!r}")
        else:
            tally.media_found += 1
        tally.direction_n += 1
        if got.direction.value == item["direction"]:
            tally.direction_ok += 1
        else:
            tally.notes.append(f"{name}: {item['text'][:30]!r} read {got.direction.value}")
        if group and item["direction"] == "incoming" and item.get("sender"):
            tally.senders += 1
            if fold(got.sender) == fold(item["sender"]):
                tally.senders_ok += 1
            else:
                tally.notes.append(f"{name}: sender {got.sender!r} for {item['sender']!r}")
        _score_time(tally, item, got, name)
    for item in want.get("calls") or []:
        tally.calls += 1
        found = next(
            (
                i
                for i, r in enumerate(records)
                if i not in used
                and r.channel.value == "call"
                and alike(_record_text(r), item["party"]) >= SIMILAR
            ),
            None,
        )
        if found is None:
            tally.notes.append(f"{name}: missed call {item['party']!r}")
            continue
        used.add(found)
        tally.calls_found += 1
        got = records[found]
        if item["type"] == "unknown" or got.status == item["type"]:
            tally.calls_typed += 1
        else:
            tally.notes.append(f"{name}: call {item['party']!r} type {got.status!r} for {item['type']!r}")
        _score_time(tally, item, got, name)
    for item in want.get("emails") or []:
        tally.emails += 1
        found = next(
            (
                i
                for i, r in enumerate(records)
                if i not in used
                and r.channel.value == "email"
                and alike(r.subject or r.text, item["subject"]) >= SIMILAR
            ),
            None,
        )
        if found is None:
            tally.notes.append(f"{name}: missed email {item['subject']!r}")
            continue
        used.add(found)
        if alike(records[found].sender, item["sender"]) < SIMILAR:  # found by its subject, its sender misread
            tally.notes.append(f"{name}: email sender {records[found].sender!r} for {item['sender']!r}")
            tally.emails_sender_wrong += 1
            continue
        tally.emails_found += 1
        _score_time(tally, item, records[found], name)
    for index, r in enumerate(records):
        if index not in used:
            tally.junk += 1
            tally.notes.append(f"{name}: record matching nothing: {fold(_record_text(r))[:50]!r}")
    return tally


def run_picture(path: Path) -> tuple[Record, list[Record], dict[str, Any], float]:
    """Import one picture as ``evidence import`` would: its own record, its message records, the OCR layout
    and the seconds."""
    data = path.read_bytes()
    source = Source(
        path=path, name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="image"
    )
    options = ImportOptions(tz="UTC", acquired_at=ACQUIRED)
    start = time.perf_counter()
    out = list(ScreenshotImporter().parse(source, options))
    seconds = time.perf_counter() - start
    records = [r for r in out if isinstance(r, Record)]
    picture = next(r for r in records if "#" not in r.locator)
    blobs = [json.loads(b.data) for b in out if isinstance(b, Blob)]
    layout = (blobs[0].get("layout") or {}) if blobs else {}
    return picture, [r for r in records if "#" in r.locator], layout, seconds


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "-"


def table(tally: Tally, label: str) -> str:
    """The Markdown table of one set."""
    rows = [
        ("text bubbles found", _pct(tally.bubbles_found, tally.bubbles)),
        ("media bubbles found (kind and side)", _pct(tally.media_found, tally.media)),
        ("media read as a text bubble of their caption", str(tally.captions)),
        ("direction right (of found)", _pct(tally.direction_ok, tally.direction_n)),
        ("exact text (of found text bubbles)", _pct(tally.text_exact, tally.text_n)),
        ("headers", _pct(tally.headers_ok, tally.headers)),
        ("group senders", _pct(tally.senders_ok, tally.senders)),
        (
            "call rows found with type right",
            f"{_pct(tally.calls_typed, tally.calls)} (found {tally.calls_found})",
        ),
        (
            "inbox rows and open emails (sender and subject right)",
            f"{_pct(tally.emails_found, tally.emails)}; sender misread: {tally.emails_sender_wrong}",
        ),
        ("screen kind right", _pct(tally.screens_ok, tally.pictures)),
        ("records from non-message screens or regions", str(tally.junk)),
        ("message records dated by the import time", str(tally.acquired)),
        ("date known / unknown right", _pct(tally.dates_ok, tally.dates)),
        ("resolved time right (minute and offset)", _pct(tally.times_ok, tally.times)),
        (
            "seconds a picture (mean, slowest)",
            f"{tally.seconds / max(1, tally.pictures):.2f}, {tally.slowest:.2f}",
        ),
    ]
    lines = [f"{label}: {tally.pictures} pictures", "", "| metric | value |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table (and the misses with ``--verbose``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path, help="folder of pictures")
    parser.add_argument("--expected", type=Path, help="expectations (default DIR/expected.json)")
    parser.add_argument("--only", action="append", default=[], help="score only pictures whose name has this")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args(argv)
    expected_path = args.expected or args.set / "expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    total = Tally()
    for name, want in sorted(expected["pictures"].items()):
        path = args.set / name
        if not path.is_file() or (args.only and not any(o in name for o in args.only)):
            continue
        picture, records, layout, seconds = run_picture(path)
        tally = score_picture(name, want, picture, records, layout)
        tally.seconds = seconds
        tally.slowest = seconds
        for key in total.__dataclass_fields__:
            if key == "notes":
                total.notes.extend(tally.notes)
            elif key == "slowest":
                total.slowest = max(total.slowest, tally.slowest)
            else:
                setattr(total, key, getattr(total, key) + getattr(tally, key))
        print(f"{name}: {len(records)} message records, {seconds:.2f} s", file=sys.stderr)
    text = table(total, f"`{args.set}`")
    print(text)
    if args.verbose:
        print()
        print("\n".join(f"- {note}" for note in total.notes))
    if args.write:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = f"\n{SECTION} ({stamp})\n\n{text}\n"
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
