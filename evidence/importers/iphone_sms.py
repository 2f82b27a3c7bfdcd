"""An iPhone's Messages database on its own: ``sms.db`` (SMS, MMS and iMessage), as tools copy it out of a
backup (iMazing, iExplorer, iLEAPP, ``idevicebackup2`` and a look inside) or out of a file system image.

The file is an SQLite database holding the tables ``message`` and ``handle``; it is recognised by those, not
by its name (in a backup it is named ``3d0d7e5fb2ce288813306e4d4636395e047a3d28``). What is read and how is
in ``_iphone_sms``. Times are Apple's (UTC), shown at the case's zone.

Known limits: the attachments (pictures, voice notes) are not inside ``sms.db``; alone, it gives their names
only (one warning counts them): import the whole backup folder to keep them. A ``-wal`` file beside the
database (a copy taken from a running phone) is not read; messages only in it are not seen. Deleted messages
left in free pages are not recovered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from evidence.errors import InputError
from evidence.importers._iphone_db import has_tables, open_readonly, zone
from evidence.importers._iphone_sms import MessagesContext, read_messages
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import ImportOptions

NAME = "iphone-sms"
VERSION = "1"


class IphoneSmsImporter(Importer):
    """Importer for an iPhone ``sms.db`` given on its own."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "iPhone Messages database (sms.db): SMS, MMS and iMessage"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims an SQLite database with the tables ``message`` and ``handle``."""
        return has_tables(source.path, head, {"message", "handle"})

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Every message of the database; InputError when it yields none."""
        ctx = MessagesContext(source.sha256, NAME, VERSION, zone(options.tz), options.tz)
        with open_readonly(source.path, source.name) as conn:
            yield from read_messages(conn, ctx, source.name)
        if ctx.tally.made == 0:
            raise InputError(
                f"no message read: {ctx.tally.seen} rows in table 'message'"
                + (f", none with a usable date ({ctx.tally.skipped[0][1]})" if ctx.tally.seen else ""),
                path=source.name,
            )
        yield ctx.tally.shared()
