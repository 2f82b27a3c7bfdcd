"""Build ``built-backup/``: an unencrypted iPhone backup folder laid out as Finder/iTunes write one, from real
parts where they exist (see README.md). Run once from this folder; the result is committed.

    python build_backup.py
"""

from __future__ import annotations

import hashlib
import plistlib
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "built-backup"
APPLE = datetime(2001, 1, 1, tzinfo=UTC)


def file_id(domain: str, path: str) -> str:
    """A backup's name for a file: the SHA-1 of "<domain>-<relativePath>"."""
    return hashlib.sha1(f"{domain}-{path}".encode()).hexdigest()


def apple(iso: str) -> float:
    """Seconds since 2001-01-01 UTC."""
    return (datetime.fromisoformat(iso) - APPLE).total_seconds()


def call_history(path: Path) -> None:
    """CallHistory.storedata with the real schema (callhistory-schema.sql) and six calls written here."""
    conn = sqlite3.connect(path)
    conn.executescript((HERE / "callhistory-schema.sql").read_text())
    rows = [
        # Z_PK, ZDATE, ZDURATION, ZORIGINATED, ZANSWERED, ZCALLTYPE, ZADDRESS, ZSERVICE_PROVIDER, ZUNIQUE_ID
        (1, apple("2020-01-10T12:00:00+00:00"), 65.0, 0, 1, 1, "+17038296071", "com.apple.Telephony", "U1"),
        (2, apple("2020-01-10T12:05:00+00:00"), 0.0, 0, 0, 1, "+15713083236", "com.apple.Telephony", "U2"),
        (3, apple("2020-01-10T12:06:30+00:00"), 0.0, 1, 0, 1, "(703) 829-6071", "com.apple.Telephony", "U3"),
        (
            4,
            apple("2020-01-11T20:15:00+00:00"),
            120.4,
            1,
            0,
            8,
            b"tracysumtwelve@gmail.com",
            "com.apple.FaceTime",
            "U4",
        ),
        (5, apple("2020-01-12T08:00:00+00:00"), 30.0, 0, 1, 16, "", "com.apple.FaceTime", "U5"),
        (6, None, 12.0, 0, 1, 1, "+15713083236", "com.apple.Telephony", "U6"),
    ]
    conn.executemany(
        "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZDATE, ZDURATION, ZORIGINATED, ZANSWERED, ZCALLTYPE,"
        " ZADDRESS, ZSERVICE_PROVIDER, ZUNIQUE_ID) VALUES (?, 2, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    files: list[tuple[str, str, Path]] = [
        ("HomeDomain", "Library/SMS/sms.db", HERE / "magnet-ctf-2020-sms.db"),
        ("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb", HERE / "nist-tracy-AddressBook.sqlitedb"),
    ]
    calls = HERE / "_calls.tmp"
    call_history(calls)
    files.append(("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata", calls))
    # Two of the seven attachments sms.db names, as real pictures (not the originals, which are not public).
    corpus = Path("/work/shared/corpus/screenshots")
    files.append(
        (
            "MediaDomain",
            "Library/SMS/Attachments/60/00/AFAD9734-595A-4EF4-9A6D-AEE53D382BBB/IMG_0177.JPG",
            corpus / "whatsreader-IMG-20241201-WA0001.jpg",
        )
    )
    files.append(
        (
            "MediaDomain",
            "Library/SMS/Attachments/bb/11/404B40DB-88DE-41D1-852B-970AC6B9D0A1/5db045beac72f.jpg",
            corpus / "exifsamples-DSCN0010.jpg",
        )
    )
    manifest = sqlite3.connect(OUT / "Manifest.db")
    # The schema of the real Manifest.db in mvt's test backup.
    manifest.executescript(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);"
        "CREATE INDEX FilesDomainIdx ON Files(domain);"
        "CREATE INDEX FilesRelativePathIdx ON Files(relativePath);"
        "CREATE INDEX FilesFlagsIdx ON Files(flags);"
        "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);"
    )
    for domain, rel, src in files:
        fid = file_id(domain, rel)
        (OUT / fid[:2]).mkdir(exist_ok=True)
        shutil.copyfile(src, OUT / fid[:2] / fid)
        manifest.execute("INSERT INTO Files VALUES (?, ?, ?, 1, NULL)", (fid, domain, rel))
    # Listed but absent: what a backup of an iPhone that no longer had the file looks like.
    missing = "Library/SMS/Attachments/73/03/EF03C7DA-9D5E-4932-85BB-26F8C3676BBA/IMG_0181.JPG"
    manifest.execute(
        "INSERT INTO Files VALUES (?, 'MediaDomain', ?, 1, NULL)", (file_id("MediaDomain", missing), missing)
    )
    manifest.execute(
        "INSERT INTO Files VALUES (?, 'HomeDomain', 'Library/SMS', 2, NULL)",
        (file_id("HomeDomain", "Library/SMS"),),
    )
    manifest.commit()
    manifest.close()
    calls.unlink()
    backup_date = datetime(2020, 2, 20, 9, 30, 0)  # plists hold UTC without a zone
    info = {
        "Build Version": "17D50",
        "Device Name": "Kim's iPhone",
        "Display Name": "Kim's iPhone",
        "GUID": "0123456789ABCDEF0123456789ABCDEF",
        "Last Backup Date": backup_date,
        "Product Type": "iPhone10,4",
        "Product Version": "13.3.1",
        "Serial Number": "F00000000000",
        "Target Identifier": "00008020-000000000000002e",
        "Target Type": "Device",
        "Unique Identifier": "00008020-000000000000002E",
        "iTunes Version": "12.10.4",
    }
    (OUT / "Info.plist").write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))
    lockdown = {"DeviceName": "Kim's iPhone", "ProductVersion": "13.3.1", "BuildVersion": "17D50"}
    manifest_plist = {"Date": backup_date, "IsEncrypted": False, "Version": "10.0", "Lockdown": lockdown}
    (OUT / "Manifest.plist").write_bytes(plistlib.dumps(manifest_plist, fmt=plistlib.FMT_BINARY))
    status = {"BackupState": "new", "Date": backup_date, "IsFullBackup": False, "SnapshotState": "finished"}
    (OUT / "Status.plist").write_bytes(plistlib.dumps(status, fmt=plistlib.FMT_BINARY))


if __name__ == "__main__":
    main()
