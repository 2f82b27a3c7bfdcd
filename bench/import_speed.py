"""Import speed: an SMS Backup & Restore XML of 100,000 messages and an mbox of 10,000 e-mails.

    .venv/bin/python bench/import_speed.py [--sms N] [--emails N] [--profile]

Each file is generated (seeded, so every run reads the same bytes) and then, each in a fresh interpreter so that
its peak memory (``VmHWM``) is its own:

- imported into a new case with ``Case.import_files`` (staging, hashing, parsing, the records blob, the ledger
  entries and the index): records per second;
- merely parsed with the standard library, the anchor: ``xml.etree.ElementTree.iterparse`` over the XML
  (each record element read, then dropped), ``mailbox.mbox`` + ``email.message_from_bytes(policy=default)``
  over the mbox (each message's body walked).

The ratio printed is anchor time / import time (1.0 would be an import as fast as a bare parse). ``--profile``
prints the top of a cProfile of each import instead.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Chris",
    "Taylor",
    "Morgan",
    "Jamie",
    "Robin",
    "Casey",
    "Drew",
    "Kim",
    "Lee",
]
LAST = ["Morgan", "Smith", "Okafor", "Nowak", "García", "Müller", "Chen", "Dubois", "Rossi", "O'Brien"]
_PHRASES = (
    "where are you why won't you answer me I saw you at the station yesterday you can't ignore me forever "
    "please just talk to me I know you read this call me back now or I'll come round everyone will know "
    "what you did sorry I didn't mean it I love you pick up the phone I'm outside your house again tonight"
)
WORDS = _PHRASES.split()
EMOJI = ["😡", "❤️", "🙏", "👀", "😢", "🔪", "📞"]


def _body(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(3, 40))
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.1:
        text += " " + rng.choice(EMOJI)
    elif roll < 0.15:
        text += "\n" + " ".join(rng.choices(WORDS, k=5))
    elif roll < 0.18:
        text += ' & <that\'s "it">'
    return text[0].upper() + text[1:]


def _parties(rng: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        style = i % 4
        digits = f"{rng.randint(100, 999)}{rng.randint(1000000, 9999999)}"
        if style == 0:
            address = f"+447{digits[:9]}"
        elif style == 1:
            address = f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:10]}"
        elif style == 2:
            address = f"0{digits[:10]}"
        else:
            address = rng.choice(["Google", "OTP Bank", "72404", "AMAZON"])
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if style != 3 else "(Unknown)"
        out.append((address, name))
    return out


def make_sms_xml(path: Path, n: int, seed: int = 8) -> int:
    """Write an ``<smses>`` backup of ``n`` records (about 1 in 50 an MMS with a text part and a small image)."""
    rng = random.Random(seed)
    parties = _parties(rng, 60)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ms = int(start.timestamp() * 1000)
    image = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(600))).decode()
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write("<!--File Created By SMS Backup & Restore v10.20.002 on 01/06/2026 21:40:12-->\n")
        out.write('<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n')
        out.write(
            f'<smses count="{n}" backup_set="6a1c2f4e-0000-4000-8000-00000000b3c8" backup_date="{ms}" type="full">\n'
        )
        for i in range(n):
            ms += rng.randint(1_000, 600_000)
            when = datetime.fromtimestamp(ms / 1000, UTC)
            readable = when.strftime("%b %-d, %Y %-I:%M:%S %p")
            address, name = rng.choice(parties)
            if i % 50 == 49:
                box = rng.choice((1, 2))
                out.write(
                    f'  <mms date="{ms}" ct_t="application/vnd.wap.multipart.related" msg_box="{box}" '
                    f'address="{address}" m_type="{132 if box == 1 else 128}" read="1" date_sent="{ms // 1000}" '
                    f'text_only="0" sub="null" readable_date="{readable}" contact_name={quoteattr(name)}>\n'
                    f"    <parts>\n"
                    f'      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null" '
                    f'cid="&lt;smil&gt;" cl="smil.xml" text="&lt;smil&gt;&lt;body&gt;&lt;/body&gt;&lt;/smil&gt;" />\n'
                    f'      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" '
                    f'cid="&lt;text_0&gt;" cl="text_0.txt" text={quoteattr(_body(rng))} />\n'
                    f'      <part seq="1" ct="image/jpeg" name="IMG_{i}.jpg" chset="null" cd="null" fn="null" '
                    f'cid="&lt;image_{i}&gt;" cl="IMG_{i}.jpg" data="{image[: 200 + i % 600]}" />\n'
                    f"    </parts>\n"
                    f"    <addrs>\n"
                    f'      <addr address="{address}" type="{137 if box == 1 else 151}" charset="106" />\n'
                    f'      <addr address="+447700900123" type="{151 if box == 1 else 137}" charset="106" />\n'
                    f"    </addrs>\n"
                    f"  </mms>\n"
                )
                continue
            kind = 1 if rng.random() < 0.7 else 2
            sent = ms - rng.randint(500, 9_000) if kind == 1 else 0
            out.write(
                f'  <sms protocol="0" address="{address}" date="{ms}" type="{kind}" subject="null" '
                f'body={quoteattr(_body(rng))} toa="null" sc_toa="null" '
                f'service_center="{"+447802000332" if kind == 1 else "null"}" read="1" status="-1" locked="0" '
                f'date_sent="{sent}" sub_id="1" readable_date="{readable}" contact_name={quoteattr(name)} />\n'
            )
        out.write("</smses>\n")
    return n


def make_mbox(path: Path, n: int, seed: int = 8) -> int:
    """Write an mbox of ``n`` messages: plain, quoted-printable, HTML alternatives, and about 1 in 10 multipart
    with a small base64 attachment; varied From/To/Cc/Subject/Date/Message-ID/Received headers."""
    rng = random.Random(seed)
    people = [
        (
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            f"{rng.choice(FIRST).lower()}{i}@example.{rng.choice(['com', 'org', 'net'])}",
        )
        for i in range(40)
    ]
    when = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
    attachment = base64.encodebytes(bytes(rng.getrandbits(8) for _ in range(3000))).decode()
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for i in range(n):
            when += timedelta(seconds=rng.randint(30, 7200))
            offset = rng.choice(["+0000", "+0100", "-0500", "+0530"])
            sender, recipient, cc = rng.sample(people, 3)
            subject = " ".join(rng.choices(WORDS, k=rng.randint(2, 8)))
            if i % 7 == 3:
                subject = "=?utf-8?b?" + base64.b64encode(f"Re: {subject} 😡".encode()).decode() + "?="
            headers = [
                f"From {sender[1]} {when.strftime('%a %b %d %H:%M:%S %Y')}",
                f"Received: from mx{i % 5}.example.net (mx{i % 5}.example.net [192.0.2.{i % 250}]) by "
                f"mail.example.com with ESMTPS id {i:08x}; {when.strftime('%a, %d %b %Y %H:%M:%S')} +0000",
                f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S')} {offset}",
                f'From: "{sender[0]}" <{sender[1]}>',
                f"To: {recipient[0]} <{recipient[1]}>",
            ]
            if i % 3 == 0:
                headers.append(f"Cc: {cc[1]}")
            headers += [
                f"Subject: {subject}",
                f"Message-ID: <{i}.{rng.getrandbits(32):08x}@example.com>",
                "MIME-Version: 1.0",
            ]
            text = "\n".join(_body(rng) for _ in range(rng.randint(1, 6)))
            text = text.replace("\nFrom ", "\n>From ")
            if i % 10 == 5:
                boundary = f"=_b{i}"
                headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
                body = (
                    f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    f'{text}\n--{boundary}\nContent-Type: image/png; name="photo{i}.png"\n'
                    f'Content-Disposition: attachment; filename="photo{i}.png"\n'
                    f"Content-Transfer-Encoding: base64\n\n{attachment}--{boundary}--\n"
                )
            elif i % 10 == 7:
                boundary = f"=_a{i}"
                headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
                body = (
                    f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
                    f"--{boundary}\nContent-Type: text/html; charset=utf-8\n\n<p>{text}</p>\n--{boundary}--\n"
                )
            else:
                headers.append("Content-Type: text/plain; charset=utf-8")
                headers.append("Content-Transfer-Encoding: 8bit")
                body = text + "\n"
            out.write("\n".join(headers) + "\n\n" + body + "\n")
    return n


# -- the measured runs, each in a fresh interpreter --------------------------------------------------------------


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child(mode: str, path: Path, workdir: Path) -> dict[str, float | int]:
    if mode == "import":
        from evidence.api import Case

        case = Case.init(workdir / "case", title="bench", tz="Europe/London")
        start = time.perf_counter()
        result = case.import_files([path])
        elapsed = time.perf_counter() - start
        case.close()
        return {"seconds": elapsed, "records": result.items[0].records, "peak_kib": _peak_kib()}
    if mode == "parse-xml":
        import xml.etree.ElementTree as ET

        start = time.perf_counter()
        count = 0
        depth = 0
        root = None
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = elem
                continue
            depth -= 1
            if depth == 1 and root is not None:
                count += 1
                root.clear()
        return {"seconds": time.perf_counter() - start, "records": count, "peak_kib": _peak_kib()}
    if mode == "parse-mbox":
        import email
        import email.policy
        import mailbox

        start = time.perf_counter()
        count = 0
        box = mailbox.mbox(path, create=False)
        for key in box.iterkeys():
            msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            for part in msg.walk():
                if not part.is_multipart():
                    part.get_content()
            count += 1
        box.close()
        return {"seconds": time.perf_counter() - start, "records": count, "peak_kib": _peak_kib()}
    raise ValueError(mode)


def _run_child(mode: str, path: Path, workdir: Path) -> dict[str, float | int]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float | int] = json.loads(out.stdout)
    return result


def _profile(path: Path, workdir: Path) -> None:
    import cProfile
    import pstats

    from evidence.api import Case

    case = Case.init(workdir / f"profile-{path.stem}", title="bench", tz="Europe/London")
    profiler = cProfile.Profile()
    profiler.enable()
    case.import_files([path])
    profiler.disable()
    case.close()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def bench_import(workdir: Path, sms: int, emails: int) -> list[str]:
    """The two import benchmarks as Markdown table rows (the layout of bench/run.py)."""
    rows = []
    xml = workdir / "sms-bench.xml"
    mbox = workdir / "bench.mbox"
    make_sms_xml(xml, sms)
    make_mbox(mbox, emails)
    for path, anchor_mode, anchor_name, expected in (
        (xml, "parse-xml", "ElementTree.iterparse", sms),
        (mbox, "parse-mbox", "mailbox.mbox + email (policy=default)", emails),
    ):
        size_mib = path.stat().st_size / 1024 / 1024
        case_dir = workdir / f"import-{path.stem}"
        case_dir.mkdir()
        imported = _run_child("import", path, case_dir)
        anchor = _run_child(anchor_mode, path, workdir)
        t_imp, t_anchor = float(imported["seconds"]), float(anchor["seconds"])
        records = int(imported["records"])
        # Every generated message must become a record, and the anchor must read each one too.
        assert records == int(anchor["records"]) == expected, (path.name, imported, anchor)
        rows.append(
            f"| import {path.name}, {records:,} records, {size_mib:.0f} MiB | {t_imp:.1f} s "
            f"({records / t_imp:,.0f} records/s), peak {int(imported['peak_kib']) // 1024} MiB "
            f"| {anchor_name}: {t_anchor:.1f} s ({int(anchor['records']):,} elements/messages), "
            f"peak {int(anchor['peak_kib']) // 1024} MiB | {t_anchor / t_imp:.3f}x |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "WORKDIR"))
    args = parser.parse_args()
    if args.child:
        mode, path, workdir = args.child
        print(json.dumps(_child(mode, Path(path), Path(workdir))))
        return
    with tempfile.TemporaryDirectory(prefix="evidence-bench-import-") as tmp:
        work = Path(tmp)
        if args.profile:
            make_sms_xml(work / "sms-bench.xml", args.sms)
            make_mbox(work / "bench.mbox", args.emails)
            _profile(work / "sms-bench.xml", work)
            _profile(work / "bench.mbox", work)
            return
        rows = ["| benchmark | evidence | anchor (same run) | ratio anchor/evidence |", "|---|---|---|---|"]
        rows += bench_import(work, args.sms, args.emails)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
