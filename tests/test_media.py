"""Media type from content, and the extension check."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.media import detect, extension_mismatch


@pytest.mark.parametrize(
    ("name", "detected", "flagged"),
    [
        ("photo.png", "image/png", False),
        ("photo.jpg", "image/png", True),  # a PNG saved as .jpg: renamed or re-saved
        ("photo.JPG", "image/jpeg", False),
        ("calls.xml", "text/xml", False),
        ("calls.xml", "text/plain", False),
        ("mail.eml", "message/rfc822", False),
        ("msg_01.txt", "message/rfc822", False),
        ("voicemail.m4a", "video/mp4", False),
        ("voicemail.m4a", "audio/x-m4a", False),
        ("chat.zip", "application/zip", False),
        ("note.png", "text/plain", True),
        ("report.pdf", "image/jpeg", True),
        ("no_extension", "image/png", False),
        ("empty.txt", "inode/x-empty", False),
    ],
)
def test_extension_mismatch(name: str, detected: str, flagged: bool) -> None:
    result = extension_mismatch(name, detected)
    assert (result is not None) == flagged
    if result:
        assert result["detected"] == detected


def test_detect_reads_content_not_the_name(tmp_path: Path) -> None:
    f = tmp_path / "looks-like.txt"
    f.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    assert detect(f) == "application/pdf"
