"""The interface every importer implements.

An importer reads one stored item and yields records, warnings and blobs (attachments found inside it).
It never touches the case: ``evidence.actions.importing`` stores what it yields and records which importer produced it, with its
version and the options used. Each importer declares a cheap ``sniff`` ("is this mine?") over the first
bytes of the item and its original name, so formats are recognised by content, not only by extension.

Nothing is lost in silence: an importer ends its output with a ``Tally`` saying what it saw in the item (its
units: XML elements, CSV rows, JSON messages, lines, pictures) and what it made of them, every unit it could not
use named in ``skipped`` with the reason. ``counted`` keeps that arithmetic for an importer: it counts the
records made, the importer counts what it saw and names what it skipped. The import refuses an item whose
units all failed (InputError) and reports a partial one in one warning. The tally is optional: an importer
that yields none is taken as it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from evidence.models import Blob, ImportOptions, ImportWarning, Record

if TYPE_CHECKING:
    from evidence.ocr.pool import Failed
    from evidence.ocr.worker import OcrOutcome

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Source:
    """One item as an importer sees it: the stored bytes (read-only) and what is known about them."""

    path: Path  # where the bytes can be read; never written
    name: str  # the original file name
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Skip:
    """One unit of an item that made no record: where it is and why."""

    where: str  # a locator, as records use them: "sms 4", "row 12", "line 7"
    why: str

    def to_json(self) -> dict[str, str]:
        """Canonical-JSON-ready form."""
        return {"where": self.where, "why": self.why}


@dataclass(frozen=True)
class Tally:
    """What an importer saw in one item and what it made of it; yielded last, at most once per item.

    ``seen`` counts the units found (``unit`` names them, plural); each went into a record (``made``) or is in
    ``skipped``, so ``seen == made + len(skipped)`` (``balanced``). A unit is usually one record (an element, a
    row, a JSON message); lines are not (a message spans several), and a screenshot's message bubbles are records
    beyond its one unit, the picture.
    """

    unit: str
    seen: int
    made: int
    skipped: tuple[Skip, ...] = ()

    @property
    def balanced(self) -> bool:
        """Whether every unit seen is accounted for."""
        return self.seen == self.made + len(self.skipped)

    def to_json(self) -> dict[str, object]:
        """Canonical-JSON-ready form (stored beside the records it counts)."""
        return {
            "unit": self.unit,
            "seen": self.seen,
            "made": self.made,
            "skipped": [skip.to_json() for skip in self.skipped],
        }


class Tallying:
    """The running count ``counted`` hands an importer: it calls ``see`` for each unit found and ``skip`` for
    each unit that makes no record; records are counted as they are yielded."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.seen = 0
        self.made = 0
        self.skipped: list[Skip] = []

    def see(self, count: int = 1) -> None:
        """``count`` more units found."""
        self.seen += count

    def skip(self, where: str, why: str) -> ImportWarning:
        """Note a unit that makes no record; returns the warning to yield for it (same locator and text)."""
        self.skipped.append(Skip(where, why))
        return ImportWarning(where, why)

    def tally(self) -> Tally:
        """The count so far."""
        return Tally(self.unit, self.seen, self.made, tuple(self.skipped))


Yielded = Record | ImportWarning | Blob | Tally


def counted(unit: str, body: Callable[[Tallying], Iterator[Yielded]]) -> Iterator[Yielded]:
    """Run ``body`` with a fresh ``Tallying`` of ``unit``, pass on what it yields counting each record as one
    unit made, and yield the ``Tally`` last (not when ``body`` raises: a refused item has no count). For
    importers whose units are their records."""
    tallying = Tallying(unit)
    for item in body(tallying):
        if isinstance(item, Record):
            tallying.made += 1
        yield item
    yield tallying.tally()


class Importer(ABC):
    """Base class of the importers in the registry (``evidence.importers.REGISTRY``)."""

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]
    # Whether the import should OCR the item first (in worker processes, before its transaction) and hand the
    # outcome to ``parse_with``.
    needs_ocr: ClassVar[bool] = False

    @abstractmethod
    def sniff(self, head: bytes, source: Source) -> bool:
        """Whether this importer reads ``source``, judged from its first bytes (``head``) and its name."""

    @abstractmethod
    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Read ``source`` and yield its records, warnings and blobs, and last its ``Tally``; raise InputError
        when it is unusable."""

    def parse_with(
        self, source: Source, options: ImportOptions, ocr: OcrOutcome | Failed | None
    ) -> Iterator[Yielded]:
        """``parse``, given the OCR analysis the import ran for the item (only importers with ``needs_ocr``
        use it)."""
        return self.parse(source, options)
