"""What a careful forger does to a bundle, shared by the bundle, disclosure and anchor tests: read its members,
change them, rewrite manifest.json and SHA256SUMS to match, and zip them again. (The forger cannot re-sign the
manifest: manifest.sig, kept, no longer matches, and the verifier says MANIFEST_SIGNATURE.)"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

Members = dict[str, bytes]


def read(path: Path) -> Members:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write(path: Path, members: Members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def resum(members: Members) -> Members:
    """manifest.json's file list and SHA256SUMS rewritten to match the (changed) members."""
    manifest = json.loads(members["manifest.json"])
    unlisted = {"manifest.json", "manifest.sig", "SHA256SUMS"}
    out = {n: d for n, d in members.items() if n != "SHA256SUMS"}
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in out.items() if n not in unlisted)
    out["SHA256SUMS"] = sums.encode()
    manifest["files"] = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d), "role": "file"}
        for n, d in out.items()
        if n not in {"manifest.json", "manifest.sig"}
    ]
    out["manifest.json"] = json.dumps(manifest).encode()
    return out


def three_notes(base: Path) -> list[Path]:
    """Three small text files, one name non-ASCII: the case the bundle red-team tests export."""
    files = []
    for i, text in enumerate(("one", "two", "three")):
        path = base / f"note {i} caf\u00e9.txt"
        path.write_text(f"{text}: Alex called again\n", encoding="utf-8")
        files.append(path)
    return files
