"""The report's machine-readable manifest, embedded in the PDF as the attachment ``evidence-manifest.json``.

The manifest is canonical JSON (``evidence.case.canonical``): the case's id and title, the ledger head the
report was built from, the key fingerprint, the profile and options, every timeline record shown (one item per
source: record id, exhibit, locator, the item's SHA-256 and the time it occurred, in UTC) and every exhibit
shown (number, SHA-256, size, original name, and the attachments of its records shown: SHA-256, size, name,
media type, record id, locator, whether the case stores it). ``evidence verify report.pdf`` reads it back
(``evidence.verify.report``) and compares it with the case.

It is attached with reportlab's own PDF objects: an ``/EmbeddedFile`` stream (uncompressed, so the JSON can be
read with any text tool too), a ``/Filespec`` with ``/AFRelationship /Data`` named in the catalog's
``/Names /EmbeddedFiles`` tree and in the catalog's ``/AF`` array (PDF/A-3 associated files). reportlab has
no attachment API; only the catalog's list of keys it writes is extended, on this one document's catalog.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFString,
)

from evidence.case.canonical import canonical_bytes
from evidence.case.formats import REPORT_MANIFEST_FORMAT, REPORT_MANIFEST_NAME

if TYPE_CHECKING:
    from evidence.report.data import ReportData
    from evidence.report.templates import Profile

NAME = REPORT_MANIFEST_NAME
FORMAT = REPORT_MANIFEST_FORMAT


def build(data: ReportData, profile: Profile) -> dict[str, Any]:
    """The manifest of a report rendered from ``data`` with ``profile``."""
    records = [
        {
            "record_id": source.record_id,
            "exhibit": source.exhibit,
            "locator": source.locator,
            "item_sha256": source.item_sha256,
            "occurred_at": entry.record.occurred_at.astimezone(UTC).isoformat(),
        }
        for entry in data.timeline
        for source in entry.sources
    ]
    from evidence.report.attachments import per_exhibit

    attached = per_exhibit(data.timeline, data.attachments)
    mask = data.redactor.text if data.redactor is not None else (lambda text: text)
    exhibits = [
        {
            "exhibit": str(ex["exhibit"]),
            "sha256": str(ex["sha256"]),
            "size": int(ex["size"]),
            "original_name": str(ex["original_name"]),
            "attachments": [
                a.to_json(mask(a.stored.name) if a.stored is not None and a.stored.name else None)
                for a in attached.get(str(ex["exhibit"]), [])
            ],
        }
        for ex in data.exhibits
    ]
    return {
        "format": FORMAT,
        "case": {"id": str(data.genesis.get("case_id")), "title": data.title},
        "built_from": {"seq": data.head.seq, "hash": data.head.hash},
        "key_fingerprint": data.key_fingerprint,
        "profile": profile.name,
        "options": {
            "bates_prefix": data.bates_prefix,
            "generated_at": data.generated_at.isoformat(),
            **data.options,
            "filter": dict(data.filters),
            "redacted": data.redactor is not None,
        },
        "tool": dict(data.tool),
        "records": records,
        "exhibits": exhibits,
        "withheld": {
            "records": data.withheld_records,
            "exhibits": [{"exhibit": str(w["exhibit"]), "sha256": str(w["sha256"])} for w in data.withheld],
        },
    }


def attach(doc: Any, manifest: dict[str, Any], mod_date: str) -> None:
    """Attach ``manifest`` as canonical JSON to reportlab's ``PDFDocument`` ``doc`` (``canvas._doc``)."""
    content = canonical_bytes(manifest)
    stream = PDFStream(
        PDFDictionary(
            {
                "Type": PDFName("EmbeddedFile"),
                "Subtype": "/application#2Fjson",  # PDFName does not escape the "/"
                "Params": PDFDictionary({"Size": len(content), "ModDate": PDFString(mod_date)}),
            }
        ),
        content,
    )
    spec = PDFDictionary(
        {
            "Type": PDFName("Filespec"),
            "F": PDFString(NAME),
            "UF": PDFString(NAME),
            "Desc": PDFString("machine-readable manifest of this report (evidence verify report.pdf)"),
            "AFRelationship": PDFName("Data"),
            "EF": PDFDictionary({"F": doc.Reference(stream), "UF": doc.Reference(stream)}),
        }
    )
    spec_ref = doc.Reference(spec)
    catalog = doc.Catalog
    catalog.Names = PDFDictionary(
        {"EmbeddedFiles": PDFDictionary({"Names": PDFArray([PDFString(NAME), spec_ref])})}
    )
    catalog.AF = PDFArray([spec_ref])
    if "AF" not in catalog.__NoDefault__:
        catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "AF"]
