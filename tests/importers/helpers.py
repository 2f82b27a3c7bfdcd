"""What importer tests share: a Source for a file on disk, an importer's output split by kind, its tally."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from evidence.importers.base import Source, Tally, Yielded
from evidence.models import Blob, ImportWarning, Record


def tally_of(items: list[Yielded], *, every_skip_warned: bool = True) -> Tally:
    """The importer's count of ``items``, checked: yielded once and last, every unit seen either read or
    skipped, every skip also a warning (same place, same words; not so for the further lines of a skipped
    Signal message, which are counted but not warned one by one)."""
    tallies = [i for i in items if isinstance(i, Tally)]
    assert len(tallies) == 1 and items[-1] is tallies[0], tallies
    tally = tallies[0]
    assert tally.seen == tally.made + len(tally.skipped), tally
    warned = {(i.locator, i.message) for i in items if isinstance(i, ImportWarning)}
    if every_skip_warned:
        assert all((s.where, s.why) in warned for s in tally.skipped), tally.skipped
    return tally


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
    def tally(self) -> Tally:
        """The importer's count, checked (``tally_of``)."""
        return tally_of(self.items)

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
