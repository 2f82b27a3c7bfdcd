"""What importer tests share: a Source for a file on disk, and an importer's output split by kind."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from evidence.importers.base import Source, Yielded
from evidence.models import Blob, ImportWarning, Record


def source_for(path: Path, media_type: str = "application/octet-stream", size: int | None = None) -> Source:
    """The Source an importer sees for ``path`` (``size`` overrides the real size, to test limits)."""
    data = path.read_bytes()
    return Source(path, path.name, hashlib.sha256(data).hexdigest(), size or len(data), media_type)


@dataclass
class Parsed:
    """Everything an importer yielded, with its records, warnings and blobs apart."""

    items: list[Yielded]

    @property
    def records(self) -> list[Record]:
        return [i for i in self.items if isinstance(i, Record)]

    @property
    def warnings(self) -> list[ImportWarning]:
        return [i for i in self.items if isinstance(i, ImportWarning)]

    @property
    def blobs(self) -> list[Blob]:
        return [i for i in self.items if isinstance(i, Blob)]

    def messages(self) -> list[str]:
        """The warnings' texts."""
        return [w.message for w in self.warnings]

    def at(self, locator: str) -> Record:
        """The one record at ``locator``."""
        (record,) = [r for r in self.records if r.locator == locator]
        return record
