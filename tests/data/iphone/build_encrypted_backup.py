"""Build ``encrypted-backup/``: ``built-backup/`` encrypted the way iOS 10.2+ encrypts a backup, so that the
import's use of ``iphone_backup_decrypt`` is tested end to end. Run once from this folder after
``build_backup.py``; the result is committed.

    python build_encrypted_backup.py

The format (as iphone_backup_decrypt and Apple's iOS Security Guide describe it): ``Manifest.plist`` holds a
keybag (tag-length-value) whose class keys are AES-wrapped (RFC 3394) with a key derived from the password
(PBKDF2-SHA256 over DPSL/DPIC, then PBKDF2-SHA1 over SALT/ITER); ``ManifestKey`` (class, then a wrapped key)
encrypts ``Manifest.db``; each file's key is wrapped by its class key in its ``Files.file`` record (an
NSKeyedArchiver ``MBFile``), and the file is AES-256-CBC with a zero IV and PKCS#7 padding. Only library
primitives are used (``hashlib``, ``cryptography``); the iteration counts are 1 (iOS uses 10,000,000 and
10,000) to keep the tests fast, and the keys are derived from fixed labels so the files are reproducible.
"""

from __future__ import annotations

import hashlib
import plistlib
import shutil
import sqlite3
import struct
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

HERE = Path(__file__).resolve().parent
PLAIN = HERE / "built-backup"
OUT = HERE / "encrypted-backup"
PASSWORD = b"correct horse battery staple"
SALT, DPSL = b"S" * 20, b"D" * 20
ITER = DPIC = 1
FILE_CLASS = 3
MANIFEST_CLASS = 3


def key(label: str) -> bytes:
    """A fixed 32-byte key for ``label``."""
    return hashlib.sha256(b"evidence test key " + label.encode()).digest()


def encrypt(data: bytes, aes_key: bytes) -> bytes:
    """AES-256-CBC, zero IV, PKCS#7 padding."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(aes_key), modes.CBC(b"\x00" * 16)).encryptor()
    return enc.update(padded) + enc.finalize()


def tlv(tag: bytes, value: bytes | int) -> bytes:
    """One keybag entry."""
    data = struct.pack(">L", value) if isinstance(value, int) else value
    return tag + struct.pack(">L", len(data)) + data


def keybag(class_keys: dict[int, bytes]) -> bytes:
    """The BackupKeyBag: header, then each class key wrapped with the password's key."""
    round1 = hashlib.pbkdf2_hmac("sha256", PASSWORD, DPSL, DPIC, 32)
    password_key = hashlib.pbkdf2_hmac("sha1", round1, SALT, ITER, 32)
    out = tlv(b"VERS", 3) + tlv(b"TYPE", 1) + tlv(b"UUID", b"\x01" * 16) + tlv(b"HMCK", b"\x00" * 40)
    out += tlv(b"WRAP", 0) + tlv(b"SALT", SALT) + tlv(b"ITER", ITER)
    out += tlv(b"DPWT", 1) + tlv(b"DPIC", DPIC) + tlv(b"DPSL", DPSL)
    for cls, class_key in sorted(class_keys.items()):
        out += tlv(b"UUID", bytes([cls]) * 16) + tlv(b"CLAS", cls) + tlv(b"WRAP", 2) + tlv(b"KTYP", 0)
        out += tlv(b"WPKY", aes_key_wrap(password_key, class_key))
    return out


def mbfile(wrapped: bytes, size: int) -> bytes:
    """A Files.file record: an NSKeyedArchiver MBFile naming the file's wrapped key and size."""
    archive = {
        "$version": 100000,
        "$archiver": "NSKeyedArchiver",
        "$top": {"root": plistlib.UID(1)},
        "$objects": [
            "$null",
            {
                "$class": plistlib.UID(3),
                "EncryptionKey": plistlib.UID(2),
                "ProtectionClass": FILE_CLASS,
                "Size": size,
                "Mode": 0o100644,
                "LastModified": 1582190000,
                "Birth": 1582190000,
            },
            {"$class": plistlib.UID(4), "NS.data": struct.pack("<l", FILE_CLASS) + wrapped},
            {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
            {"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]},
        ],
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    class_keys = {cls: key(f"class {cls}") for cls in range(1, 12)}
    plain = sqlite3.connect(PLAIN / "Manifest.db")
    rows = plain.execute("SELECT fileID, domain, relativePath, flags FROM Files ORDER BY fileID").fetchall()
    plain.close()
    manifest_plain = OUT / "_manifest.tmp"
    manifest = sqlite3.connect(manifest_plain)
    manifest.executescript(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);"
        "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);"
    )
    for file_id, domain, path, flags in rows:
        src = PLAIN / file_id[:2] / file_id
        if flags != 1 or not src.is_file():
            record = plistlib.dumps(
                {"$top": {"root": plistlib.UID(1)}, "$objects": ["$null", {"Size": 0}]},
                fmt=plistlib.FMT_BINARY,
            )
            manifest.execute(
                "INSERT INTO Files VALUES (?, ?, ?, ?, ?)", (file_id, domain, path, flags, record)
            )
            continue
        data = src.read_bytes()
        file_key = key(f"file {file_id}")
        (OUT / file_id[:2]).mkdir(exist_ok=True)
        (OUT / file_id[:2] / file_id).write_bytes(encrypt(data, file_key))
        record = mbfile(aes_key_wrap(class_keys[FILE_CLASS], file_key), len(data))
        manifest.execute("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", (file_id, domain, path, flags, record))
    manifest.commit()
    manifest.close()
    manifest_key = key("manifest")
    (OUT / "Manifest.db").write_bytes(encrypt(manifest_plain.read_bytes(), manifest_key))
    manifest_plain.unlink()
    info = plistlib.loads((PLAIN / "Info.plist").read_bytes())
    (OUT / "Info.plist").write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))
    status = plistlib.loads((PLAIN / "Status.plist").read_bytes())
    (OUT / "Status.plist").write_bytes(plistlib.dumps(status, fmt=plistlib.FMT_BINARY))
    plain_manifest = plistlib.loads((PLAIN / "Manifest.plist").read_bytes())
    plain_manifest.update(
        {
            "IsEncrypted": True,
            "BackupKeyBag": keybag(class_keys),
            "ManifestKey": struct.pack("<l", MANIFEST_CLASS)
            + aes_key_wrap(class_keys[MANIFEST_CLASS], manifest_key),
        }
    )
    (OUT / "Manifest.plist").write_bytes(plistlib.dumps(plain_manifest, fmt=plistlib.FMT_BINARY))


if __name__ == "__main__":
    main()
