"""SMS Backup & Restore XML, robustness: repaired character references, truncated files, hostile and foreign input,
bounded memory, UTF-16. (Split from test_smsbackup.py; its helpers are shared.)"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence import importers
from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.base import Tally
from evidence.importers.smsbackup import CharRefRepairingReader, SmsBackupImporter
from evidence.models import Record
from evidence.verify.case import verify_case
from tests.importers.test_smsbackup import HERE, LONDON, parse, records_of, source_for, warnings_of

# -- repairs: surrogate pairs, truncation ------------------------------------------------------------------------


def test_surrogate_pair_references_become_the_real_characters() -> None:
    items = parse(HERE / "surrogate_emoji.xml")
    first, second, third = records_of(items)
    assert first.text == "you think this is funny \U0001f600\U0001f601 \U0001f602"
    assert first.raw["attributes"]["body"] == first.text
    assert second.text == "cut \ufffd here and \ufffd there"
    assert third.text == "raw \U0001f600 and escaped \U0001f600 agree"
    assert [(w.locator, w.message) for w in warnings_of(items)] == [
        (
            "sms 2",
            "2 character reference(s) to a lone UTF-16 surrogate (or a character XML forbids) replaced with U+FFFD",
        )
    ]


def repaired(data: bytes, chunk: int) -> tuple[bytes, int, int]:
    reader = CharRefRepairingReader(io.BytesIO(data), chunk=chunk)
    out = bytearray()
    while piece := reader.read(chunk):
        out += piece
    return bytes(out), reader.paired, reader.replaced


def test_reader_repairs_references_split_across_reads() -> None:
    data = b'<a b="x&#55357;&#56832;y&#xD83D;&#xDE02;z&#1;&#56832;"/>'
    expected = b'<a b="x&#128512;y&#128514;z&#65533;&#65533;"/>'
    for chunk in range(1, len(data) + 2):
        assert repaired(data, chunk) == (expected, 2, 2), chunk


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x1FAFF), max_size=40),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_reader_output_is_independent_of_read_size(text: str, chunk: int) -> None:
    # Write every character as SBR does: outside the BMP as two surrogate references, the rest raw or as a reference.
    parts: list[bytes] = []
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if code > 0xFFFF:
            high, low = divmod(code - 0x10000, 0x400)
            parts.append(b"&#%d;&#%d;" % (0xD800 + high, 0xDC00 + low))
        elif ch in '&<"':
            parts.append(b"&#%d;" % code)
        else:
            parts.append(ch.encode("utf-8"))
    data = b'<smses><sms body="' + b"".join(parts) + b'"/></smses>'
    whole = repaired(data, len(data) + 1)
    assert repaired(data, chunk) == whole
    assert whole[2] == 0


def test_truncated_file_keeps_complete_records() -> None:
    items = parse(HERE / "truncated_mid_record.xml")
    assert [r.text for r in records_of(items)] == ["first", "second"]
    assert [(w.locator, w.message) for w in warnings_of(items)] == [
        (
            "line 5",
            "the file is cut off at line 5, column 3 (unclosed token): the 2 complete records up to sms 2 are kept; "
            "whatever followed is missing",
        ),
        ("smses", "the count attribute declares 3 records, the file holds 2"),
    ]


def test_truncated_corpus_file_ends_with_its_last_complete_mms(corpus: Path) -> None:
    items = parse(corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml")
    assert records_of(items)[-1].locator == "mms 8"
    assert warnings_of(items)[0].locator == "line 136"


# -- hostile and foreign input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_dtds_are_rejected(name: str) -> None:
    path = HERE / name
    # Claimed, so that the refusal is explicit rather than the file passing as a plain one.
    assert SmsBackupImporter().sniff(path.read_bytes(), source_for(path))
    with pytest.raises(InputError) as caught:
        parse(path)
    assert caught.value.message == (
        "rejected as hostile XML: it declares a DTD (<!DOCTYPE smses>), which can expand entities or fetch "
        "outside files; SMS Backup & Restore never writes one"
    )
    assert caught.value.path == name


def test_foreign_root_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b"<?xml version='1.0'?><rss><channel/></rss>")
    assert not SmsBackupImporter().sniff(path.read_bytes(), source_for(path))
    with pytest.raises(InputError, match=r"the root element is <rss>, not <smses> or <calls>"):
        parse(path)


def test_deep_nesting_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_bytes(b"<smses><mms>" + b"<x>" * 20 + b"</x>" * 20 + b"</mms></smses>")
    with pytest.raises(InputError, match="nested more than 8 deep"):
        parse(path)


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">", True),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\r\n<calls>', True),
        (
            b"<?xml version='1.0'?><!--File Created By SMS Backup & Restore v10.20-->\n"
            b'<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n<smses\n  count="3">',
            True,
        ),
        (b"<smses/>", True),
        (b"<?xml version='1.0'?>\n<smsesx>", False),
        (b"<?xml version='1.0'?>\n<html><body>&lt;smses&gt;</body></html>", False),
        (b"<?xml version='1.0'?><!-- a comment that never ends <smses>", False),
        (b"smses, calls and more: a plain text note", False),
        (b"", False),
    ],
)
def test_sniff_reads_the_root_not_the_name(tmp_path: Path, head: bytes, claimed: bool) -> None:
    path = tmp_path / "backup.txt"
    path.write_bytes(head)
    assert SmsBackupImporter().sniff(head, source_for(path)) is claimed


# -- bounded memory ----------------------------------------------------------------------------------------------


def test_large_backup_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "sms-big.xml"
    body = "x" * 300
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"20000\">\n")
        for n in range(20000):
            out.write(
                f'  <sms address="+447700900010" date="{1773524024000 + n * 1000}" type="1" '
                f'body="{body} {n} &#55357;&#56832;" readable_date="null" />\n'
            )
        out.write("</smses>\n")
    assert path.stat().st_size > 7_000_000
    source = source_for(path)
    count = 0
    last: Record | None = None
    tracemalloc.start()
    try:
        for item in SmsBackupImporter().parse(source, LONDON):
            if isinstance(item, Tally):
                assert (item.seen, item.made) == (20000, 20000)
                continue
            assert isinstance(item, Record)
            count += 1
            last = item
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20000
    assert last is not None and last.text == f"{body} 19999 \U0001f600"
    assert peak < 1_500_000, peak  # the file is over 7 MB: neither the tree nor the records pile up


# -- UTF-16 (issue 8) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_backup_with_bom_reads_like_its_utf8_original(tmp_path: Path, corpus: Path, codec: str) -> None:
    """A backup re-saved as UTF-16 (BOM, declaration saying UTF-16) gives the records of the UTF-8 original,
    emoji written raw (a UTF-16 surrogate pair in the file) and as broken references both repaired."""
    original = corpus / "smsbackup" / "sms-brokensandals-test_archive.xml"
    text = original.read_bytes().decode("utf-8")
    assert "&#55357;" in text  # the surrogate-pair references the repair exists for
    text = text.replace("encoding='UTF-8'", "encoding='UTF-16'").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    assert "UTF-16" in text[:100]
    text = text.replace(
        "</smses>", '<sms address="+1" date="1700000000000" type="1" body="raw 😡 emoji" /></smses>'
    )
    bom = "\ufeff".encode(codec)
    converted = tmp_path / f"{codec}.xml"
    converted.write_bytes(bom + text.encode(codec))
    head = converted.read_bytes()[: importers.SNIFF_BYTES]
    assert SmsBackupImporter().sniff(head, source_for(converted))
    assert importers.find_importer(head, source_for(converted)).__class__ is SmsBackupImporter

    plain = tmp_path / "utf8.xml"
    plain.write_text(text.replace("encoding='UTF-16'", "encoding='UTF-8'").replace('"UTF-16"', '"UTF-8"'))
    expected, got = parse(plain), parse(converted)
    assert [(r.locator, r.text, r.sender) for r in records_of(got)] == [
        (r.locator, r.text, r.sender) for r in records_of(expected)
    ]
    assert len(records_of(got)) > 2
    assert records_of(got)[-1].text == "raw 😡 emoji"
    assert [w.message for w in warnings_of(got)] == [w.message for w in warnings_of(expected)]


def test_utf16_backup_cut_off_mid_character_keeps_the_records_before(tmp_path: Path) -> None:
    """An odd last byte (the file cut inside a UTF-16 code unit) and a lone surrogate: replaced and warned."""
    records = "".join(
        f'<sms address="+4477009001{i:02d}" date="{1700000000000 + i * 60000}" type="1" body="message {i}" />'
        for i in range(5)
    )
    data = "\ufeff<?xml version='1.0' encoding='UTF-16'?><smses count=\"5\">".encode("utf-16-le")
    data += records.encode("utf-16-le").replace(
        "message 2".encode("utf-16-le"), "message ".encode("utf-16-le") + b"\x00\xd8"
    )
    path = tmp_path / "cut.xml"
    path.write_bytes(data + b"<")  # no closing tag, and half a code unit
    got = parse(path)
    texts = [r.text for r in records_of(got)]
    assert texts == ["message 0", "message 1", "message \ufffd", "message 3", "message 4"]
    messages = [w.message for w in warnings_of(got)]
    assert any("do not decode as UTF-16" in m for m in messages), messages
    assert any("cut off" in m for m in messages), messages


def test_utf16_backup_imports_into_a_case(case: Case, tmp_path: Path, corpus: Path) -> None:
    original = corpus / "smsbackup" / "sms-devadvance-sms_small.xml"
    path = tmp_path / "sms-utf16.xml"
    path.write_bytes(original.read_bytes().decode("utf-8").encode("utf-16"))
    result = case.import_files([path])
    (item,) = result.items
    assert item.importer == "smsbackup" and item.records > 0
    assert verify_case(case.root).findings == []
