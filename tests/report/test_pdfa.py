"""PDF/A-3b structures of the report (evidence.report.pdfa), read back with pyHanko's reader: XMP metadata
consistent with the Info dictionary, the sRGB output intent, the manifest as an associated file, embedded fonts,
a fixed document ID, and byte-identical unsigned output."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from evidence.api import Case
from evidence.report import pdfa
from evidence.report.manifest import NAME
from tests.conftest import DATA

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
GENERATED = datetime(2036, 4, 15, 10, 0, 5, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Calls and texts (so the summary's chart is drawn), with a title outside Latin-1 and markup characters."""
    root = tmp_path_factory.mktemp("pdfa") / "case"
    with Case.init(root, title="Ödön & Żaneta <v. Морган>", tz="Europe/London") as case:
        case.import_files(
            [DATA / "smsbackup" / "all_sms_types.xml", DATA / "smsbackup" / "all_call_types.xml"]
        )
    return root


@pytest.fixture(scope="module")
def pdf(small_case: Path) -> bytes:
    with Case.open(small_case, readonly=True) as case:
        return case.render_report(generated_at=GENERATED)


def _reader(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data))


def _pdf_date(text: str) -> datetime:
    """D:YYYYMMDDHHmmSS+HH'mm' as a datetime."""
    body = text.removeprefix("D:").replace("'", "")
    return datetime.strptime(body, "%Y%m%d%H%M%S%z")


def test_unsigned_report_is_byte_identical(small_case: Path, tmp_path: Path, pdf: bytes) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(small_case, copy)  # another folder, another process-level state: the same bytes
    with Case.open(copy, readonly=True) as case:
        again = case.render_report(generated_at=GENERATED)
        later = case.render_report(generated_at=GENERATED + timedelta(seconds=1))
    assert again == pdf
    assert later != pdf  # the bytes do depend on what is shown: the comparison could fail
    assert pdfa.srgb_profile() == pdfa.srgb_profile()


def test_xmp_metadata_mirrors_the_info_dictionary(pdf: bytes) -> None:
    reader = _reader(pdf)
    info = reader.trailer["/Info"].get_object()
    metadata = reader.root["/Metadata"].get_object()
    assert metadata["/Type"] == "/Metadata" and metadata["/Subtype"] == "/XML"
    assert "/Filter" not in metadata  # readable by any tool
    packet = metadata.data
    assert packet.startswith(b"<?xpacket begin=") and packet.endswith(b'<?xpacket end="w"?>')
    tree = SafeET.fromstring(packet[packet.index(b"<x:xmpmeta") : packet.index(b"</x:xmpmeta>") + 12])
    desc = tree.find("rdf:RDF/rdf:Description", NS)
    assert desc is not None

    def one(path: str) -> str:
        found = desc.find(path, NS)
        assert found is not None, path
        return found.text or ""

    assert one("pdfaid:part") == "3" and one("pdfaid:conformance") == "B"
    assert one("dc:title/rdf:Alt/rdf:li") == str(info["/Title"])
    assert "Ödön & Żaneta <v. Морган>" in one("dc:title/rdf:Alt/rdf:li")
    assert one("dc:creator/rdf:Seq/rdf:li") == str(info["/Author"])
    assert one("dc:description/rdf:Alt/rdf:li") == str(info["/Subject"])
    assert one("pdf:Keywords") == str(info["/Keywords"])
    assert one("pdf:Producer") == str(info["/Producer"])
    assert one("xmp:CreatorTool") == str(info["/Creator"])
    created = _pdf_date(str(info["/CreationDate"]))
    assert created == _pdf_date(str(info["/ModDate"])) == GENERATED.replace(microsecond=0)
    for name in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        stamp = datetime.fromisoformat(one(name))
        assert stamp == created and stamp.utcoffset() == created.utcoffset() == timedelta(hours=1)


def test_srgb_output_intent(pdf: bytes) -> None:
    reader = _reader(pdf)
    (intent,) = [i.get_object() for i in reader.root["/OutputIntents"]]
    assert intent["/Type"] == "/OutputIntent" and intent["/S"] == "/GTS_PDFA1"
    assert intent["/OutputConditionIdentifier"] == pdfa.SRGB_IDENTIFIER
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3
    icc = profile.data
    assert icc == pdfa.srgb_profile()
    assert int.from_bytes(icc[:4], "big") == len(icc)
    assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB " and icc[12:16] == b"mntr"
    assert icc[24:36] == bytes.fromhex("07e8 0001 0001 0000 0000 0000")  # the fixed date, not "now"


def test_manifest_is_an_associated_file(pdf: bytes) -> None:
    reader = _reader(pdf)
    (spec,) = [s.get_object() for s in reader.root["/AF"]]
    assert spec["/Type"] == "/Filespec" and spec["/AFRelationship"] == "/Data"
    assert spec["/F"] == NAME == spec["/UF"]
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/json" and "/ModDate" in embedded["/Params"]
    assert embedded["/Params"]["/Size"] == len(embedded.data)
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == NAME and names[1].get_object() == spec


def _fonts(reader: PdfFileReader) -> list[generic.DictionaryObject]:
    found: dict[Any, generic.DictionaryObject] = {}
    for page_ref in reader.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", generic.DictionaryObject()).get_object().values():
            font = ref.get_object()
            found[ref.idnum if isinstance(ref, generic.IndirectObject) else id(font)] = font
    return list(found.values())


def test_every_font_is_embedded_and_the_id_is_fixed(pdf: bytes) -> None:
    reader = _reader(pdf)
    fonts = _fonts(reader)
    assert len(fonts) >= 3  # regular, bold, mono
    for font in fonts:
        base = str(font["/BaseFont"])
        assert "Helvetica" not in base and "DejaVu" in base, base
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        ).get_object()
        assert "/FontFile2" in descriptor, f"{base} is not embedded"
    first, second = reader.trailer["/ID"]
    assert len(first.original_bytes) == 16 and first.original_bytes == second.original_bytes
    assert b"/Helvetica" not in pdf


def test_signing_keeps_the_pdfa_metadata(small_case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(small_case, copy)
    out = tmp_path / "signed.pdf"
    with Case.open(copy) as case:
        case.report(out, sign=True, generated_at=GENERATED)
    reader = _reader(out.read_bytes())
    packet = reader.root["/Metadata"].get_object().data
    # pyHanko rewrites the packet in the update (properties as attributes) but keeps the PDF/A identification.
    assert b'pdfaid:part="3"' in packet and b'pdfaid:conformance="B"' in packet
    assert reader.root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.root["/AF"][0].get_object()["/AFRelationship"] == "/Data"
    assert datetime.now(UTC) - _pdf_date(str(reader.trailer["/Info"]["/ModDate"])) < timedelta(minutes=10)
