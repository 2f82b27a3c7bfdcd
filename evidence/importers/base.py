"""The interface every importer implements.

An importer reads one stored item and yields records, warnings and blobs (attachments found inside it).
It never touches the case: ``evidence.actions.importing`` stores what it yields and records which importer produced it, with its
version and the options used. Each importer declares a cheap ``sniff`` ("is this mine?") over the first
bytes of the item and its original name, so formats are recognised by content, not only by extension.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
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


Yielded = Record | ImportWarning | Blob


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
        """Read ``source`` and yield its records, warnings and blobs; raise InputError when it is unusable."""

    def parse_with(
        self, source: Source, options: ImportOptions, ocr: OcrOutcome | Failed | None
    ) -> Iterator[Yielded]:
        """``parse``, given the OCR analysis the import ran for the item (only importers with ``needs_ocr``
        use it)."""
        return self.parse(source, options)
