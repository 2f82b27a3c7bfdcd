"""An iPhone's call history on its own: ``CallHistory.storedata`` (phone calls, FaceTime, and apps that use
CallKit), as tools copy it out of a backup or a file system image.

The file is a Core Data SQLite store holding the table ``ZCALLRECORD``; it is recognised by that, not by its
name (in a backup it is ``5a4935c78a5255723f707230a451d79c540d2741``). What is read and how is in
``_iphone_calls``. Times are Apple's (UTC), shown at the case's zone.

Known limits: iOS keeps only recent calls (older ones are dropped from the store); calls still only in a
``-wal`` file beside it are not read; the older ``call_history.db`` (iOS 7 and before) is not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from evidence.errors import InputError
from evidence.importers._iphone_calls import CallsContext, read_calls
from evidence.importers._iphone_db import has_tables, open_readonly, zone
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import ImportOptions

NAME = "iphone-calls"
VERSION = "1"


class IphoneCallsImporter(Importer):
    """Importer for an iPhone ``CallHistory.storedata`` given on its own."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "iPhone call history (CallHistory.storedata): calls and FaceTime"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims an SQLite database with the table ``ZCALLRECORD``."""
        return has_tables(source.path, head, {"ZCALLRECORD"})

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Every call of the store; InputError when it yields none."""
        ctx = CallsContext(source.sha256, NAME, VERSION, zone(options.tz), options.tz)
        with open_readonly(source.path, source.name) as conn:
            yield from read_calls(conn, ctx, source.name)
        if ctx.tally.made == 0:
            raise InputError(
                f"no call read: {ctx.tally.seen} rows in table 'ZCALLRECORD'"
                + (f", none with a usable date ({ctx.tally.skipped[0][1]})" if ctx.tally.seen else ""),
                path=source.name,
            )
        yield ctx.tally.shared()
