"""PDF/A-3b at the document level of the report, as far as reportlab allows: XMP metadata and an output intent.

What is added to reportlab's catalog (with reportlab's own PDF objects, as ``manifest.attach`` does):

- ``/Metadata``: an uncompressed XMP packet with ``pdfaid:part 3``, ``pdfaid:conformance B``, and the Info
  dictionary's values mirrored as PDF/A asks (``dc:title`` = Title, ``dc:creator`` = Author,
  ``dc:description`` = Subject, ``pdf:Keywords``, ``pdf:Producer``, ``xmp:CreatorTool`` = Creator, and
  ``xmp:CreateDate``/``ModifyDate``/``MetadataDate`` = CreationDate/ModDate, the report's generation time).
- ``/OutputIntents``: one ``/GTS_PDFA1`` intent whose destination profile is an sRGB ICC profile made by
  Pillow's LittleCMS (``ImageCms.createProfile("sRGB")``), its creation date fixed so the bytes do not change.
- The manifest is already an associated file (``/AF`` on the catalog, ``/AFRelationship /Data``, with
  ``/Subtype`` and ``/Params /ModDate``), see ``evidence.report.manifest``.
- The document ID is fixed by reportlab's invariant mode; every font is DejaVu, embedded and subsetted.

Not yet conformant, or not checked (no veraPDF here; the structures are checked with pyHanko's reader):

- The header says ``%PDF-1.4`` (reportlab's default); PDF/A-3 is based on PDF 1.7. Validators accept it, but
  the version is not raised.
- reportlab's subsetted TrueType fonts carry no ``/CIDSet`` and their widths are not cross-checked against
  the font program; veraPDF may report width mismatches for some glyphs.
- A signed report (``--sign``): pyHanko's incremental update rewrites the XMP packet (keeping ``pdfaid``, as
  attributes) and the Info dictionary with its own ``ModDate``, but the producers then differ (XMP
  ``pdf:Producer`` "pyHanko x.y", Info ``/Producer`` "evidence ... (reportlab); pyHanko x.y"), a PDF/A
  mismatch. Its invisible signature widget has ``/F 132`` (Print, Locked) and a zero-area ``/Rect``, which
  the annotation rules allow without an appearance stream, as far as we read them.
- The document is untagged (PDF/A-3b does not require tags; PDF/A-3a and PDF/UA would).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from PIL import ImageCms
from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFName, PDFStream, PDFString

SRGB_IDENTIFIER = "sRGB IEC61966-2.1"
# ICC header bytes 24-35: the profile's creation date (six big-endian uint16). LittleCMS writes "now";
# a fixed date keeps the report's bytes the same from one run to the next. The profile ID (bytes 84-99)
# is left zero by LittleCMS, so no checksum has to follow.
_ICC_DATE = slice(24, 36)
_FIXED_ICC_DATE = bytes.fromhex("07e8 0001 0001 0000 0000 0000")  # 2024-01-01 00:00:00


def srgb_profile() -> bytes:
    """An sRGB ICC profile (LittleCMS's, via Pillow) with a fixed creation date."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[_ICC_DATE] = _FIXED_ICC_DATE
    return bytes(data)


def xmp_date(moment: datetime) -> str:
    """An XMP date (ISO 8601 with offset, whole seconds) equal to the PDF date of the same moment."""
    return moment.replace(microsecond=0).isoformat()


def xmp_packet(info: dict[str, str], moment: datetime) -> bytes:
    """The XMP metadata of a PDF/A-3b document whose Info dictionary holds ``info``."""

    def text(key: str) -> str:
        return escape(info.get(key, ""))

    when = xmp_date(moment)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        "   <pdfaid:part>3</pdfaid:part>\n"
        "   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "   <dc:format>application/pdf</dc:format>\n"
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text("Title")}</rdf:li></rdf:Alt></dc:title>\n'
        f"   <dc:creator><rdf:Seq><rdf:li>{text('Author')}</rdf:li></rdf:Seq></dc:creator>\n"
        f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text("Subject")}</rdf:li></rdf:Alt>'
        "</dc:description>\n"
        f"   <pdf:Keywords>{text('Keywords')}</pdf:Keywords>\n"
        f"   <pdf:Producer>{text('Producer')}</pdf:Producer>\n"
        f"   <xmp:CreatorTool>{text('Creator')}</xmp:CreatorTool>\n"
        f"   <xmp:CreateDate>{when}</xmp:CreateDate>\n"
        f"   <xmp:ModifyDate>{when}</xmp:ModifyDate>\n"
        f"   <xmp:MetadataDate>{when}</xmp:MetadataDate>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def apply(doc: Any, moment: datetime) -> None:
    """Add the XMP metadata and the sRGB output intent to reportlab's ``PDFDocument`` ``doc``.

    Called once, while the first page is drawn (the Info values are set by then); ``moment`` is the time the
    Info dictionary's CreationDate and ModDate show.
    """
    raw = doc.info
    info = {
        "Title": str(raw.title),
        "Author": str(raw.author),
        "Subject": str(raw.subject),
        "Keywords": str(raw.keywords),
        "Producer": str(raw.producer),
        "Creator": str(raw.creator),
    }
    metadata = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp_packet(info, moment)
    )
    icc = PDFStream(PDFDictionary({"N": 3}), srgb_profile())
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB_IDENTIFIER),
            "Info": PDFString(SRGB_IDENTIFIER),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": doc.Reference(icc),
        }
    )
    catalog = doc.Catalog
    catalog.Metadata = doc.Reference(metadata)
    catalog.OutputIntents = PDFArray([doc.Reference(intent)])
    keys = list(getattr(catalog, "__NoDefault__", PDFCatalog.__NoDefault__))
    if "OutputIntents" not in keys:
        catalog.__NoDefault__ = [*keys, "OutputIntents"]
