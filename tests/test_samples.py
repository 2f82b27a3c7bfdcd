"""samples/make_samples.py: the synthetic demo case is complete, well-formed, reproducible and importable."""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import hashlib
import importlib.util
import io
import json
import mailbox
import re
import subprocess
import sys
import wave
import zipfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree as SafeET
from PIL import Image

from evidence.api import Case
from evidence.importers.base import SNIFF_BYTES, Source
from evidence.importers.diary import DiaryImporter
from evidence.models import ImportOptions, ImportWarning, Record
from evidence.verify.case import verify_case

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "samples" / "make_samples.py"
LONDON = ZoneInfo("Europe/London")
CLOCKS_CHANGE = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)

EXPECTED = {
    "sms-20260415093000.xml",
    "calls-20260415093000.xml",
    "call-log-carrier.csv",
    "WhatsApp Chat with Alex.txt",
    "WhatsApp Chat - Alex Morgan.zip",
    "alex-emails.mbox",
    "Message from Alex (sorry).eml",
    "Voicemail 2026-03-22 at 19.04.wav",
    "Screenshot_20260314-213344.png",
    "Screenshot_20260320-224512_Instagram.png",
    "Screenshot 2026-04-02 at 08.15.31.png",
    "diary.json",
    "case.json",
}
MARKER = ".samples-generated"
PHOTO = "00000012-PHOTO-2026-03-14-21-35-02.jpg"
SURROGATE_PAIR = re.compile(r"&#(\d{5});&#(\d{5});")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_samples() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def outdir(make_samples: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples") / "out"
    make_samples.generate(out)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )


def _repair_surrogates(text: str) -> str:
    """What an importer must do before a strict XML parser sees a backup: re-pair UTF-16 surrogate refs."""

    def join(m: re.Match[str]) -> str:
        hi, lo = int(m.group(1)), int(m.group(2))
        if not (0xD800 <= hi <= 0xDBFF and 0xDC00 <= lo <= 0xDFFF):
            return m.group(0)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))

    return SURROGATE_PAIR.sub(join, text)


def _parse_backup(path: Path) -> Element:
    return SafeET.fromstring(_repair_surrogates(path.read_text(encoding="utf-8")).encode())


def _ms(value: str) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def _readable(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{local.day} {months[local.month - 1]} {local.year} {local:%H:%M:%S}"


# -- the folder --------------------------------------------------------------------------------------------


def test_every_expected_file_is_written_with_the_marker(outdir: Path) -> None:
    names = {p.name for p in outdir.iterdir()}
    assert names == EXPECTED | {MARKER}
    assert set((outdir / MARKER).read_text().splitlines()[1:]) == EXPECTED


def test_the_folder_stays_small(outdir: Path) -> None:
    total = sum(p.stat().st_size for p in outdir.iterdir())
    assert total < 2 * 1024 * 1024


def test_two_runs_give_identical_bytes(outdir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = _run_script(str(again))
    assert result.returncode == 0, result.stderr
    assert _digests(again) == _digests(outdir)


def test_rerun_replaces_its_own_output(make_samples: ModuleType, outdir: Path, tmp_path: Path) -> None:
    target = tmp_path / "twice"
    make_samples.generate(target)
    (target / "diary.json").write_text("edited by hand")
    make_samples.generate(target)
    assert _digests(target) == _digests(outdir)


def test_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.docx").write_bytes(b"precious")
    result = _run_script(str(target))
    assert result.returncode == 2
    assert "not made by this script" in result.stderr
    assert [p.name for p in target.iterdir()] == ["thesis.docx"]
    assert (target / "thesis.docx").read_bytes() == b"precious"


def test_refuses_its_own_folder_once_a_stranger_file_is_added(
    make_samples: ModuleType, tmp_path: Path
) -> None:
    target = tmp_path / "mixed"
    make_samples.generate(target)
    (target / "notes.txt").write_text("mine")
    with pytest.raises(make_samples.RefusedError, match=r"notes\.txt"):
        make_samples.generate(target)
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "case.json").is_file()


def test_usage_error_without_a_folder() -> None:
    result = _run_script()
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_no_real_numbers_or_addresses(outdir: Path) -> None:
    for name in EXPECTED - {"WhatsApp Chat - Alex Morgan.zip", "Voicemail 2026-03-22 at 19.04.wav"}:
        if name.endswith(".png"):
            continue
        text = (outdir / name).read_text(encoding="utf-8")
        for number in re.findall(r"\+44\d{10}|(?<![\d.])0\d{10}(?!\d)", text):
            assert re.fullmatch(r"(\+44|0)7700900\d{3}", number), f"{name}: {number}"
        for domain in re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text):
            assert domain in {"example.org", "example.net"}, f"{name}: {domain}"


# -- SMS Backup & Restore ----------------------------------------------------------------------------------


def test_backups_have_the_apps_preamble(outdir: Path) -> None:
    for name, xsl in (("sms-20260415093000.xml", "sms.xsl"), ("calls-20260415093000.xml", "calls.xsl")):
        lines = (outdir / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
        assert lines[1].startswith("<!--File Created By SMS Backup & Restore v")
        assert lines[2] == f'<?xml-stylesheet type="text/xsl" href="{xsl}"?>'


def test_sms_backup_count_matches_and_emoji_are_split_surrogates(outdir: Path) -> None:
    path = outdir / "sms-20260415093000.xml"
    assert "&#55357;&#56866;" in path.read_text(encoding="utf-8")
    root = _parse_backup(path)
    assert root.tag == "smses"
    assert int(root.attrib["count"]) == len(root) > 30
    assert _ms(root.attrib["backup_date"]).astimezone(LONDON).strftime("%Y%m%d%H%M%S") == "20260415093000"
    bodies = [el.attrib["body"] for el in root.iter("sms")]
    assert "I miss you so much \U0001f622" in bodies
    assert any("\n" in body for body in bodies)


def test_sms_times_cover_both_zones_and_readable_dates_agree(outdir: Path) -> None:
    root = _parse_backup(outdir / "sms-20260415093000.xml")
    dates = [_ms(el.attrib["date"]) for el in root]
    assert dates == sorted(dates)
    assert any(d < CLOCKS_CHANGE for d in dates) and any(d > CLOCKS_CHANGE for d in dates)
    for el in root:
        assert el.attrib["readable_date"] == _readable(_ms(el.attrib["date"]))


def test_only_a_few_texts_are_outgoing(outdir: Path) -> None:
    root = _parse_backup(outdir / "sms-20260415093000.xml")
    outgoing = [el.attrib["body"] for el in root.iter("sms") if el.attrib["type"] == "2"]
    assert 2 <= len(outgoing) <= 5
    assert "Please stop contacting me." in outgoing
    for el in root.iter("sms"):
        assert (el.attrib["date_sent"] == "0") == (el.attrib["type"] == "2")


def test_the_mms_carries_a_png_and_a_text_part(outdir: Path) -> None:
    root = _parse_backup(outdir / "sms-20260415093000.xml")
    (mms,) = root.iter("mms")
    parts = {p.attrib["ct"]: p.attrib for p in mms.iter("part")}
    assert set(parts) == {"application/smil", "image/png", "text/plain"}
    png = base64.b64decode(parts["image/png"]["data"], validate=True)
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG"
    assert parts["text/plain"]["text"].startswith("Remember this?")
    assert {a.attrib["type"] for a in mms.iter("addr")} == {"137", "151"}


def test_call_backup_count_types_and_withheld(outdir: Path) -> None:
    root = _parse_backup(outdir / "calls-20260415093000.xml")
    calls = list(root.iter("call"))
    assert int(root.attrib["count"]) == len(calls) == len(root)
    assert {c.attrib["type"] for c in calls} >= {"1", "3", "4", "5", "6"}
    withheld = [c for c in calls if c.attrib["presentation"] == "2"]
    assert withheld and all(c.attrib["number"] == "" for c in withheld)
    for c in calls:
        assert c.attrib["readable_date"] == _readable(_ms(c.attrib["date"]))
        if c.attrib["type"] in {"3", "5", "6"}:
            assert c.attrib["duration"] == "0"


def test_calls_on_the_night_the_clocks_go_forward(outdir: Path) -> None:
    root = _parse_backup(outdir / "calls-20260415093000.xml")
    night = [_ms(c.attrib["date"]) for c in root.iter("call")]
    night = [d for d in night if CLOCKS_CHANGE - timedelta(hours=1) <= d < CLOCKS_CHANGE + timedelta(hours=1)]
    assert [d.strftime("%H:%M") for d in night] == ["00:55", "01:05"]
    assert [d.astimezone(LONDON).strftime("%H:%M %Z") for d in night] == ["00:55 GMT", "02:05 BST"]


def test_a_dozen_missed_calls_within_an_hour_across_midnight(outdir: Path) -> None:
    root = _parse_backup(outdir / "calls-20260415093000.xml")
    missed = sorted(_ms(c.attrib["date"]) for c in root.iter("call") if c.attrib["type"] == "3")
    crossing = [
        missed[i : i + 12]
        for i in range(len(missed) - 11)
        if missed[i + 11] - missed[i] <= timedelta(hours=1)
        and missed[i].astimezone(LONDON).date() != missed[i + 11].astimezone(LONDON).date()
    ]
    assert crossing


# -- carrier CSV -------------------------------------------------------------------------------------------


def test_carrier_log_matches_the_phone_log(outdir: Path) -> None:
    with open(outdir / "call-log-carrier.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["Date", "Time", "Number", "Direction", "Duration", "Type", "Cost (GBP)"]
    calls = list(_parse_backup(outdir / "calls-20260415093000.xml").iter("call"))
    assert len(rows) == len(calls)
    night = [(r["Time"], r["Number"]) for r in rows if r["Date"] == "29/03/2026" and r["Time"] < "03:00:00"]
    assert night == [("00:55:00", "07700900789"), ("02:05:00", "07700900789")]
    assert any(r["Number"] == "Withheld" for r in rows)


# -- WhatsApp ----------------------------------------------------------------------------------------------

ANDROID_PREFIX = re.compile(r"^(\d{2})/(\d{2})/(\d{4}), \d{2}:\d{2} - ")


def test_android_export_shape(outdir: Path) -> None:
    lines = (outdir / "WhatsApp Chat with Alex.txt").read_text(encoding="utf-8").splitlines()
    assert ANDROID_PREFIX.match(lines[0]) and "end-to-end encrypted" in lines[0]
    days = [int(m.group(1)) for line in lines if (m := ANDROID_PREFIX.match(line))]
    assert max(days) > 12  # the day comes first, and the file proves it
    continuation = [line for line in lines if not ANDROID_PREFIX.match(line)]
    assert len(continuation) >= 3  # multi-line messages
    assert any(line.endswith(" - Alex: Pick up") for line in lines)


def test_ios_zip_holds_chat_and_photo_with_fixed_times(outdir: Path) -> None:
    with zipfile.ZipFile(outdir / "WhatsApp Chat - Alex Morgan.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["_chat.txt", PHOTO]
        assert {i.date_time for i in infos} == {(2026, 4, 3, 19, 22, 10)}
        assert zf.testzip() is None
        chat = zf.read("_chat.txt").decode("utf-8")
        photo = zf.read(PHOTO)
    lines = chat.splitlines()
    assert lines[0].startswith("[02/06/2024, 18:20:11] Alex Morgan: \u200eMessages and calls are end-to-end")
    assert "[14/03/2026, 21:33:44] Alex Morgan: You about?" in lines
    assert f"[14/03/2026, 21:35:02] Alex Morgan: \u200e<attached: {PHOTO}>" in lines
    with Image.open(io.BytesIO(photo)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()


# -- e-mail ------------------------------------------------------------------------------------------------


def _body_parts(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.walk() if isinstance(p, EmailMessage) and not p.is_multipart()]


def test_mbox_is_takeout_style_with_offsets_html_and_attachment(outdir: Path) -> None:
    path = outdir / "alex-emails.mbox"
    assert re.match(r"From \d{19}@xxx \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}\n", path.read_text())
    box = mailbox.mbox(path, factory=None, create=False)
    raw = [bytes(m.as_bytes()) for m in box]
    box.close()
    msgs = [email.message_from_bytes(r, policy=email.policy.default) for r in raw]
    assert isinstance(msgs[0], EmailMessage)
    assert 3 <= len(msgs) <= 4
    senders = {str(m["From"].addresses[0].addr_spec) for m in msgs}
    assert senders == {"alex.morgan@example.net", "alex.m.2026@example.net"}
    offsets = {parsedate_to_datetime(str(m["Date"])).utcoffset() for m in msgs}
    assert offsets == {timedelta(0), timedelta(hours=1)}
    for m in msgs:
        assert m.get_all("Received") and m["Message-Id"] and m["X-GM-THRID"]
    kinds = [p.get_content_type() for m in msgs for p in _body_parts(m)]
    assert "text/html" in kinds
    attachments = [p.get_filename() for m in msgs for p in _body_parts(m) if p.get_filename()]
    assert attachments == ["what-i-paid.csv"]
    assert msgs[1]["Subject"] == "I\u2019ve changed"


def test_relayed_message_from_sam(outdir: Path) -> None:
    raw = (outdir / "Message from Alex (sorry).eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["From"].addresses[0].addr_spec == "sam.patel@example.org"
    assert msg["To"].addresses[0].addr_spec == "jordan.lee@example.org"
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "> Tell her I'm not angry. Tell her I've changed" in text


# -- voicemail and pictures ----------------------------------------------------------------------------


def test_voicemail_is_eight_seconds_of_sound(outdir: Path) -> None:
    with wave.open(str(outdir / "Voicemail 2026-03-22 at 19.04.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.getnframes() / wav.getframerate() == 8.0
        frames = wav.readframes(wav.getnframes())
    peak = max(
        abs(int.from_bytes(frames[i : i + 2], "little", signed=True)) for i in range(0, len(frames), 2)
    )
    assert peak > 10000


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("Screenshot_20260314-213344.png", (1080, 2340)),
        ("Screenshot_20260320-224512_Instagram.png", (1080, 2340)),
        ("Screenshot 2026-04-02 at 08.15.31.png", None),
    ],
)
def test_screenshots_are_pngs_without_dates_in_metadata(
    outdir: Path, name: str, size: tuple[int, int] | None
) -> None:
    with Image.open(outdir / name) as img:
        assert img.format == "PNG"
        if size:
            assert img.size == size
        info: dict[Any, Any] = dict(img.info)
        text: dict[str, str] = dict(getattr(img, "text", {}))
    for value in [*text.values(), *(str(v) for v in info.values())]:
        assert not re.search(r"\d{4}[-:]\d{2}[-:]\d{2}", value)
    if name.startswith("Screenshot 20"):  # macOS: 144 dpi and the "Screenshot" XMP comment
        assert "<exif:UserComment>Screenshot</exif:UserComment>" in text["XML:com.adobe.xmp"]
        assert round(info["dpi"][0]) == 144


# -- diary and case facts ----------------------------------------------------------------------------------


def test_diary_entries_are_complete_and_aware(outdir: Path) -> None:
    diary = json.loads((outdir / "diary.json").read_text(encoding="utf-8"))
    case = json.loads((outdir / "case.json").read_text(encoding="utf-8"))
    assert next(iter(diary)) == "evidence_diary"
    entries = diary["entries"]
    assert len(entries) >= 8
    keys = {
        "id",
        "incident_at",
        "incident_until",
        "approximate",
        "written_at",
        "where",
        "witness",
        "police_ref",
        "text",
    }
    for entry in entries:
        assert set(entry) == keys
        start = datetime.fromisoformat(entry["incident_at"])
        written = datetime.fromisoformat(entry["written_at"])
        assert start.tzinfo is not None and written.tzinfo is not None
        assert written >= start
        if entry["incident_until"]:
            assert datetime.fromisoformat(entry["incident_until"]) > start
    assert any(e["approximate"] for e in entries) and not all(e["approximate"] for e in entries)
    assert any(e["witness"] for e in entries)
    police = [e for e in entries if e["police_ref"]]
    assert police and {e["police_ref"] for e in police} == {case["police"][0]["reference"]}


def test_case_facts_name_every_identifier(outdir: Path) -> None:
    case = json.loads((outdir / "case.json").read_text(encoding="utf-8"))
    assert case["tz"] == "Europe/London" and case["no_contact_since"] == "2026-03-01"
    respondent = case["respondent"]
    assert [p["number"] for p in respondent["phones"]] == ["+447700900123", "+447700900456", "+447700900789"]
    assert [e["address"] for e in respondent["emails"]] == [
        "alex.morgan@example.net",
        "alex.m.2026@example.net",
    ]
    assert {h["handle"] for h in respondent["handles"]} >= {"alexmorgan.ldn", "alex.m.2"}
    assert case["police"][0]["force"] == "Metropolitan Police Service"
    assert case["police"][0]["reference"] == "CAD 4521/14MAR26"
    assert case["owner"]["phones"] == ["+447700900001"]


def test_the_diary_importer_reads_the_diary(outdir: Path) -> None:
    path = outdir / "diary.json"
    data = path.read_bytes()
    source = Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), "application/json")
    importer = DiaryImporter()
    assert importer.sniff(data[:SNIFF_BYTES], source)
    items = list(importer.parse(source, ImportOptions(tz="Europe/London")))
    assert not [i for i in items if isinstance(i, ImportWarning)]
    records = [i for i in items if isinstance(i, Record)]
    assert len(records) == len(json.loads(data)["entries"])
    assert not any(r.tz_assumed for r in records)
    assert records[3].occurred_at == datetime(2026, 3, 14, 20, 41, tzinfo=UTC)


# -- end to end ------------------------------------------------------------------------------------------


def test_the_sample_folder_imports_and_verifies(outdir: Path, tmp_path: Path) -> None:
    with Case.init(
        tmp_path / "case", title="Harassment of Jordan Lee by Alex Morgan", tz="Europe/London"
    ) as case:
        result = case.import_files([outdir])
        assert {Path(item.path).name for item in result.items} == EXPECTED  # the hidden marker is skipped
        exhibits = case.exhibits()
        assert {e["original_name"] for e in exhibits} == EXPECTED
        assert {e["sha256"] for e in exhibits} == set(_digests(outdir).values()) - {
            hashlib.sha256((outdir / MARKER).read_bytes()).hexdigest()
        }
        root = case.root
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
