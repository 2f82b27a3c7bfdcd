"""The report's full-text appendix, per-exhibit counts and where to get the toolkit (issue 14, findings 6, 11
and 13).

On files others wrote (tests/../shared/corpus: SMS Backup & Restore's MMS sample from devadvance/sms-backup-
reader-2, an e-mail with an attachment from ikvk/imap_tools, Hunny Software's German sample message) and on the
sample case's diary and mailbox: every row the Timeline cuts short points to an appendix item holding its words
in full; attachments are drawn (pictures, hashed again as drawn) or listed with name, type, size and SHA-256;
redacted and filtered reports mask and withhold in the appendix as in the table. Expected values were read off
the rendered pages.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import StorageError
from tests.conftest import CORPUS, ROOT, sample_files

MMS = CORPUS / "smsbackup" / "sms-devadvance-sample_mms.xml"
ATTACHED = CORPUS / "email" / "imaptools-attachment_nonascii_filename.eml"
GERMAN = CORPUS / "email" / "hunnysoft-m0001.eml"
MMS_PNG = "6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0"
POLICE_VISIT = (
    "Two officers came round at about 23:10; he had gone by then. They took a statement and advised me to keep "
    "everything."
)


def _flat(pdf: bytes, tmp: Path, name: str) -> str:
    path = tmp / name
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return " ".join(text.split())


def _appendix(text: str) -> str:
    """The appendix's text: from its heading to the Exhibits section's."""
    start = text.index("Appendix: full text and attachments The words")
    return text[start : text.index(" Exhibits Each original", start)]


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("appendix")
    samples = {p.name: p for p in sample_files(base)}
    root = base / "case"
    with Case.init(root, title="Appendix", tz="Europe/London") as case:
        case.import_files([MMS, ATTACHED, GERMAN, samples["diary.json"], samples["alex-emails.mbox"]])
    return root


def test_every_row_cut_short_has_its_full_text_in_the_appendix(case_root: Path, tmp_path: Path) -> None:
    with Case.open(case_root, readonly=True) as case:
        text = _flat(case.render_report(), tmp_path, "r.pdf")
        long = [
            e
            for e in case.timeline()
            if len(" — ".join(filter(None, (e.record.subject, e.record.text)))) > 300
        ]
    appendix = _appendix(text)
    pointers = re.findall(r"\[continues in Appendix (A-\d+)\]", text)
    assert (
        len(pointers) == len(long) == 5
    )  # the sample's 3 e-mails, its diary's police visit, the German message
    for label in pointers:
        assert f"{label} the timeline's row of" in appendix
    for entry in long:  # every word of each, in the appendix (the table shows 300 characters)
        words = " ".join((entry.record.text or "").split())
        assert words[-80:] in appendix, entry.record.locator
    assert POLICE_VISIT in appendix  # the diary's police visit, cut in the table in today's report
    assert "müssen als wir." in appendix  # the German fable's last words
    assert POLICE_VISIT not in text[: text.index("Appendix: full text and attachments The words")]


def test_attachments_are_drawn_or_listed_with_their_hashes(case_root: Path, tmp_path: Path) -> None:
    with Case.open(case_root, readonly=True) as case:
        pdf = case.render_report()
    text = _flat(pdf, tmp_path, "r.pdf")
    appendix = _appendix(text)
    # Read off the pages: each MMS part and the e-mail's attached file, with name, type, size and hash.
    for name, kind, size, sha in (
        ("image.png", "image/png", "70 bytes", MMS_PNG),
        (
            "video.mp4",
            "video/mp4",
            "42 bytes",
            "ec42d5f9eb16842754f87d5631e2344e68cee031606433c9aeee7704aa1db9f8",
        ),
        (
            "document.pdf",
            "application/pdf",
            "139 bytes",
            "df8eb0d64a9eaef59470447e39a8cfbc12b0d140ad36a6ef9be2aaf898c66e79",
        ),
        (
            "ciële.txt",
            "text/plain",
            "11 bytes",
            "12ad052c11ebcc644692dfbf6186c8441a55ba49e7f8a5f979eeb638160669d8",
        ),
    ):
        assert re.search(
            rf"{re.escape(name)} Media type {re.escape(kind)} Size {size} SHA-256 {sha}", appendix
        )
    assert "(+1 attachment: Appendix A-" in text
    # The MMS picture (1 x 1 pixel) is drawn: the only picture of the report.
    listed = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert [line.split()[2:5] for line in listed if line.split()[2] == "image"] == [["image", "1", "1"]]


def test_a_swapped_attachment_stops_the_report(case_root: Path, tmp_path: Path) -> None:
    """The picture is hashed again as it is drawn: one changed after verify is never shown."""
    import shutil

    root = tmp_path / "case"
    shutil.copytree(case_root, root)
    stored = next((root / "objects").rglob(MMS_PNG))
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes() + b"\0")
    with (
        Case.open(root, readonly=True) as case,
        pytest.raises(StorageError, match="no longer has the SHA-256"),
    ):
        case.render_report()


def test_redacted_and_filtered_reports_mask_and_withhold_in_the_appendix(
    case_root: Path, tmp_path: Path
) -> None:
    with Case.open(case_root, readonly=True) as case:
        redacted = _appendix(_flat(case.render_report(redact=True), tmp_path, "red.pdf"))
        until = _flat(case.render_report(until=date(2026, 3, 10)), tmp_path, "until.pdf")
    # The diary's numbers written in free text, linked to nobody, are masked as in the table.
    assert "07700 900456" not in redacted and re.search(r"\[third party \d+\]", redacted)
    assert re.search(r"image\.png .* not drawn in this redacted copy", redacted)
    listed = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "red.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listed == []
    # Filtered to before the police visit: its full text is withheld from the appendix too.
    assert POLICE_VISIT not in until and "Two officers" not in until
    assert "müssen als wir." in _appendix(until)


def test_exhibits_give_counts_directions_and_dates(case_root: Path, tmp_path: Path) -> None:
    with Case.open(case_root, readonly=True) as case:
        text = _flat(case.render_report(), tmp_path, "r.pdf")
    mms = text[text.index("EX-0001 sms-devadvance-sample_mms.xml") :]
    assert re.match(
        r"EX-0001 sms-devadvance-sample_mms\.xml .*? Timeline entries 4: 4 mms incoming; "
        r"from 2024-07-16 21:29:24 \+01:00 to 2024-07-16 21:29:27 \+01:00 Read by the import 4 of 4 elements read "
        r"Directions 4 incoming, 0 outgoing, 0 direction not given by the source "
        r"First event 2024-07-16 21:29:24 \+01:00 Last event 2024-07-16 21:29:27 \+01:00",
        mms,
    )


def test_the_cover_and_manifest_say_where_to_get_the_toolkit(case_root: Path, tmp_path: Path) -> None:
    with Case.open(case_root, readonly=True) as case:
        pdf = case.render_report()
    text = _flat(pdf, tmp_path, "r.pdf")
    subprocess.run(
        ["pdfdetach", "-save", "1", "-o", str(tmp_path / "m.json"), str(tmp_path / "r.pdf")], check=True
    )
    tool = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["tool"]
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    assert tool["source"].startswith(f"the evidence toolkit, version {tool['version']}, commit {commit}")
    # pyproject.toml names no address: the report says so rather than invent one.
    assert "the project names no public address" in tool["source"]
    assert "Where to get the tool the evidence toolkit, version" in text
