"""Contact names from an iPhone's address book (``AddressBook.sqlitedb`` in a backup), for display only.

Tables read: ``ABPerson`` (``First``, ``Last``, ``Organization``) and ``ABMultiValue`` (``record_id``,
``property`` 3 = phone number, 4 = e-mail, ``value``). A name is what the phone's owner typed, not proof of
who used a number: records keep the number or address as the party and the name only in
``raw["contact_name"]``.

Numbers match when their digits are equal, or when both have at least 10 digits and the last 10 are equal
(``+1 703 829 6071`` and ``(703) 829-6071``); e-mail addresses match case-insensitively.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import sqlite3
from typing import Final

from evidence.importers._iphone_db import columns, select_rows

_PHONE: Final = 3
_EMAIL: Final = 4
_SUFFIX: Final = 10


class Contacts:
    """A lookup from a number or address to the name the phone's address book gives it."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.people = 0

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> Contacts:
        """The names of an open ``AddressBook.sqlitedb`` (an empty lookup when its tables are missing)."""
        contacts = cls()
        if not {"ROWID", "First", "Last"} <= columns(conn, "ABPerson"):
            return contacts
        if not {"record_id", "property", "value"} <= columns(conn, "ABMultiValue"):
            return contacts
        names: dict[int, str] = {}
        for person in select_rows(conn, "ABPerson", ("ROWID", "First", "Last", "Organization")):
            parts = [str(person[k]) for k in ("First", "Last") if person[k]]
            name = " ".join(parts) or str(person["Organization"] or "")
            if name:
                names[person["ROWID"]] = name
        contacts.people = len(names)
        for record_id, value in conn.execute(
            "SELECT record_id, value FROM ABMultiValue WHERE property IN (?, ?)", (_PHONE, _EMAIL)
        ):
            if record_id in names and value:
                for key in _keys(str(value)):
                    contacts.by_key.setdefault(key, names[record_id])
        return contacts

    def name(self, handle: str) -> str | None:
        """The contact name for a number or address, or None."""
        for key in _keys(handle):
            if key in self.by_key:
                return self.by_key[key]
        return None


def _keys(value: str) -> list[str]:
    """The keys a number or address is found under: the address casefolded, or the digits and their last 10."""
    if "@" in value:
        return ["@" + value.strip().casefold()]
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        return []
    keys = ["#" + digits]
    if len(digits) >= _SUFFIX:
        keys.append("~" + digits[-_SUFFIX:])
    return keys
