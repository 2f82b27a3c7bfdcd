"""What a WhatsApp message says about media (``importers/whatsapp.py``): the "media omitted" placeholders and the
attached-file forms of Android and iOS, in the locales known, and the media type of an exported file.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from evidence.importers._whatsapp_kinds import phrase_key
from evidence.importers._whatsapp_lines import MARKS, clean
from evidence.importers._whatsapp_phrases import phrases

# "The media was left out of the export" placeholders, casefolded (Android <...> and iOS "... omitted"): the
# corpus's, and the common locales'. An unknown one is simply text; only Record.raw["media"] depends on this.
_OMITTED = frozenset(
    {
        "<media omitted>",
        "<medien ausgeschlossen>",
        "<medien ausgelassen>",
        "<archivo omitido>",
        "<multimedia omitido>",
        "<médias omis>",
        "<mídia oculta>",
        "<media omessi>",
        "<media weggelaten>",
        "<メディアなし>",
        "image omitted",
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "document omitted",
        "gif omitted",
        "contact card omitted",
        "bild weggelassen",
        "video weggelassen",
        "audio weggelassen",
        "sticker weggelassen",
        "dokument weggelassen",
        "imagen omitida",
        "video omitido",
        "audio omitido",
        "sticker omitido",
        "documento omitido",
        "image absente",
        "vidéo absente",
    }
)
# Android: "IMG-20241202-WA0001.jpg (file attached)", in the phone's language. Inside a zip, any "(...)"
# label counts when the name is a member, so an unlisted language still finds its media.
_FILE_ATTACHED = re.compile(r"(?P<name>.*?\S)\s\((?P<label>[^()]{2,40})\)")
_ATTACHED_LABELS = frozenset(
    {
        "file attached",
        "datei angehängt",
        "archivo adjunto",
        "fichier joint",
        "arquivo anexado",
        "file allegato",
        "ファイル添付",
    }
)
# iOS: "<attached: 00000004-AUDIO-2026-06-26-20-31-14.opus>", localised ("<adjunto: ...>", "<Anhang: ...>").
_ATTACHED = re.compile(r"<(?P<label>[^<>:]{2,30}?)\s?:\s*(?P<name>[^<>]+\.[A-Za-z0-9]{1,6})>")

_MEDIA_TYPES = {".opus": "audio/ogg", ".webp": "image/webp", ".vcf": "text/vcard", ".jpg": "image/jpeg"}


@dataclass
class MediaRef:
    """Media a message names: left out of the export, or a file (by its name)."""

    kind: str  # "omitted" or "file"
    name: str | None = None


def _omitted(first: str) -> bool:
    """Whether a message's first line is a "media omitted" placeholder (iOS may put the file's name and "• 2
    pages" before it, separated by a mark: "Some file.txt \u200edocument omitted")."""
    key = phrase_key(first)
    if first.casefold() in _OMITTED or key in phrases("omitted"):
        return True
    if key.startswith("<") and key.endswith(">") and key[1:-1].strip() in phrases("omitted-android"):
        return True
    tail = first.rsplit("\u200e", 1)[-1] if "\u200e" in first else first.rsplit("\u200f", 1)[-1]
    return tail != first and phrase_key(tail) in phrases("omitted")


def media_ref(text: str, members: frozenset[str], media_line: bool = False) -> MediaRef | None:
    """What the first line of a message says about media, if anything.

    ``media_line``: iOS put a directional mark before the line's "[" prefix, which it does for media only, so a
    placeholder in a language the table lacks is still read as media left out of the export.
    """
    raw_first = text.split("\n", 1)[0]
    first = clean(raw_first)
    if _omitted(raw_first.strip()):
        return MediaRef("omitted")
    m = _ATTACHED.fullmatch(first)
    if m is None:
        m = _ATTACHED.search(first) if first.endswith(">") else None
    if m is not None:
        return MediaRef("file", m.group("name").strip())
    m = _FILE_ATTACHED.fullmatch(first)
    if m is not None and (
        m.group("label").casefold() in _ATTACHED_LABELS
        or m.group("label").casefold() in phrases("attached-android")
        or m.group("name") in members
    ):
        return MediaRef("file", m.group("name"))
    if media_line and raw_first[:1] in MARKS:
        return MediaRef("omitted")
    return None


def guess_media_type(name: str) -> str | None:
    """The media type of an exported file, from its extension (WhatsApp's own kinds first)."""
    suffix = PurePosixPath(name).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix, strict=False)[0]
