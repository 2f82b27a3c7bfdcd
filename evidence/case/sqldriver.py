"""The SQLite driver of case databases: SQLCipher's build of SQLite (``sqlcipher3``), the standard library's
``sqlite3`` API to the letter.

One driver for every connection to a case database, plain or encrypted, so that an error raised by either is
the same class wherever it is caught (``sqlcipher3``'s ``Error`` is not ``sqlite3.Error``). Without a key a
SQLCipher connection reads and writes ordinary SQLite files, so plain cases, old cases and cases made by other
tools open as before; with ``PRAGMA key`` (``evidence.case.folder.connect``) every page is encrypted.

Modules import it as ``from evidence.case import sqldriver as sqlite3``: the code reads as the standard
library's API, which it is. Foreign databases an importer reads (an iPhone's sms.db) keep the standard
library's ``sqlite3``: they are never keyed and never mixed with the case's connections.

For the type checker the names are the standard library's (``sqlcipher3`` ships no types; its classes have
the same methods).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite3 import (
        Connection as Connection,
    )
    from sqlite3 import (
        Cursor as Cursor,
    )
    from sqlite3 import (
        DatabaseError as DatabaseError,
    )
    from sqlite3 import (
        Error as Error,
    )
    from sqlite3 import (
        IntegrityError as IntegrityError,
    )
    from sqlite3 import (
        OperationalError as OperationalError,
    )
    from sqlite3 import (
        Row as Row,
    )
    from sqlite3 import (
        connect as connect,
    )
    from sqlite3 import (
        sqlite_version as sqlite_version,
    )
else:
    from sqlcipher3.dbapi2 import (
        Connection,
        Cursor,
        DatabaseError,
        Error,
        IntegrityError,
        OperationalError,
        Row,
        connect,
        sqlite_version,
    )

__all__ = [
    "Connection",
    "Cursor",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "OperationalError",
    "Row",
    "connect",
    "sqlite_version",
]
