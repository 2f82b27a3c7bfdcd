"""Generate the synthetic demo case: one harassment story told in every input format the toolkit reads.

Usage: ``python samples/make_samples.py OUTDIR`` (``make demo`` runs it with ``build/samples``).

The story (see samples/README.md): Jordan Lee ends a relationship with Alex Morgan on 1 March 2026 and
blocks the number; for six weeks Alex calls, texts, emails, messages on WhatsApp and Instagram, leaves a
voicemail, sends a mutual friend (Sam Patel) with a message and posts a smear about Jordan. Jordan keeps a
diary and reports one night to the police.

Every byte is a function of this file alone, so two runs give identical files (the tests compare SHA-256):
no current time, no randomness (the little variation there is comes from SHA-256 of fixed strings), fixed
zip entry times, PNG/JPEG written without time stamps. Pixels depend on the Pillow/FreeType/zlib build,
so identical bytes are promised for one machine, not across machines.

All names, numbers and addresses are invented: phone numbers are from Ofcom's drama range
(+44 7700 900xxx), e-mail domains are example.org / example.net, IP addresses are RFC 5737/3849
documentation ranges.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import quopri
import struct
import sys
import textwrap
import wave
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

LONDON = ZoneInfo("Europe/London")
PACIFIC = ZoneInfo("America/Los_Angeles")  # Gmail's mx servers stamp Received headers in Pacific time
MARKER = ".samples-generated"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# -- the people ---------------------------------------------------------------------------------------------

JORDAN_NAME = "Jordan Lee"
JORDAN_PHONE = "+447700900001"
JORDAN_EMAIL = "jordan.lee@example.org"
ALEX_NAME = "Alex Morgan"
ALEX_PHONE_1 = "+447700900123"  # the known number, blocked on 1 March
ALEX_PHONE_2 = "+447700900456"  # from 4 March; Jordan saved it as "Alex" to recognise it; blocked 22 March
ALEX_PHONE_3 = "+447700900789"  # from 24 March; never saved; blocked 6 April
ALEX_EMAIL_1 = "alex.morgan@example.net"
ALEX_EMAIL_2 = "alex.m.2026@example.net"
ALEX_INSTAGRAM_1 = "alexmorgan.ldn"  # blocked 12 March
ALEX_INSTAGRAM_2 = "alex.m.2"  # opened after the first was blocked
SAM_NAME = "Sam Patel"
SAM_PHONE = "+447700900555"
SAM_EMAIL = "sam.patel@example.org"
POLICE_REF = "CAD 4521/14MAR26"
WITHHELD = ""  # Android logs a withheld caller with an empty number and presentation=2

# The name each number has in Jordan's address book when the backup was taken (15 April).
CONTACTS = {
    ALEX_PHONE_1: "Alex Morgan",
    ALEX_PHONE_2: "Alex",
    SAM_PHONE: "Sam Patel",
}

BACKUP_AT = datetime(2026, 4, 15, 8, 30, 0, 417000, tzinfo=UTC)  # 09:30:00 BST, the name of the XML files
BACKUP_SET = "6d1f4b2a-93c8-4e57-b0a1-2f8c5e7d9a43"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A London wall-clock time as the people in the story lived it; refuses times the clocks skipped."""
    moment = datetime(year, month, day, hour, minute, second, tzinfo=LONDON)
    back = moment.astimezone(UTC).astimezone(LONDON)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValueError(f"{moment:%Y-%m-%d %H:%M} does not exist in Europe/London")
    return moment.astimezone(UTC)


def noise(key: str, modulo: int) -> int:
    """A stable pseudo-random number in [0, modulo) derived from ``key`` (no random module: reproducible)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % modulo


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, as Android stores times."""
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


# -- the events ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One SMS in Jordan's phone."""

    when: datetime
    number: str
    body: str
    outgoing: bool = False


@dataclass(frozen=True)
class Call:
    """One entry of Jordan's call log; ``kind`` is Android's CallLog.Calls type code."""

    when: datetime
    number: str
    kind: int  # 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked
    duration: int = 0


INCOMING, OUTGOING, MISSED, VOICEMAIL, REJECTED, BLOCKED = 1, 2, 3, 4, 5, 6

TEXTS: tuple[Text, ...] = (
    # 1 March: Jordan ends it; anger; the number is blocked at about 22:00.
    Text(
        at(2026, 3, 1, 18, 2, 11),
        ALEX_PHONE_1,
        "I've said everything I need to say and I'm not going to change my mind. "
        "Please don't contact me again.",
        outgoing=True,
    ),
    Text(at(2026, 3, 1, 18, 3, 40), ALEX_PHONE_1, "Are you serious? Five years and you end it with a text"),
    Text(at(2026, 3, 1, 18, 4, 2), ALEX_PHONE_1, "Pick up the phone"),
    Text(at(2026, 3, 1, 18, 9, 55), ALEX_PHONE_1, "Jordan pick up"),
    Text(
        at(2026, 3, 1, 18, 16, 27),
        ALEX_PHONE_1,
        "You don't get to decide this on your own. We talk about it like adults.\nCall me back.",
    ),
    Text(
        at(2026, 3, 1, 18, 40, 13),
        ALEX_PHONE_1,
        "Fine. Ignore me. It's what you always do when things get hard. You're a coward, you know that?",
    ),
    Text(at(2026, 3, 1, 19, 22, 48), ALEX_PHONE_1, "Don't think I won't come round for my stuff"),
    Text(at(2026, 3, 1, 21, 57, 30), ALEX_PHONE_1, "I'm sorry. I didn't mean that. Please just call me."),
    # 4-6 March: a new number.
    Text(
        at(2026, 3, 4, 8, 17, 5),
        ALEX_PHONE_2,
        "Blocking my number? Really? This is my new one. Save it or don't, I don't care.",
    ),
    Text(at(2026, 3, 4, 8, 17, 51), ALEX_PHONE_2, "You owe me a conversation at the very least"),
    Text(at(2026, 3, 4, 8, 31, 20), ALEX_PHONE_2, "Please stop contacting me.", outgoing=True),
    Text(at(2026, 3, 4, 8, 31, 58), ALEX_PHONE_2, "Or what?"),
    Text(at(2026, 3, 5, 23, 48, 9), ALEX_PHONE_2, "Hope you're happy. I haven't slept in three days."),
    Text(
        at(2026, 3, 6, 0, 2, 33),
        ALEX_PHONE_2,
        "Everyone keeps asking where you are. What am I supposed to tell them?",
    ),
    # 8-13 March: "I've changed".
    Text(
        at(2026, 3, 8, 10, 5, 44),
        ALEX_PHONE_2,
        "I've been doing a lot of thinking. I know I scared you. I scared myself.",
    ),
    Text(
        at(2026, 3, 8, 10, 6, 30),
        ALEX_PHONE_2,
        "I've booked in with a counsellor. First session Thursday. I've changed Jordan, I really have.",
    ),
    Text(at(2026, 3, 11, 22, 40, 17), ALEX_PHONE_2, "I miss you so much \U0001f622"),
    Text(
        at(2026, 3, 11, 22, 41, 2),
        ALEX_PHONE_2,
        "I love you. I'll always love you. That's never going to change",
    ),
    Text(
        at(2026, 3, 13, 7, 55, 10),
        ALEX_PHONE_2,
        "Morning. I know you're reading these. One coffee, that's all I'm asking. Somewhere public if you want",
    ),
    # 14 March: the evening of a dozen missed calls; Jordan calls 101 at 21:41.
    Text(at(2026, 3, 14, 20, 49, 31), ALEX_PHONE_2, "Answer the phone"),
    Text(at(2026, 3, 14, 21, 8, 4), ALEX_PHONE_2, "I'm not going away until you talk to me"),
    Text(at(2026, 3, 14, 21, 29, 12), ALEX_PHONE_2, "I know you're in. Your light's on."),
    # 15 March: Sam relays the message.
    Text(at(2026, 3, 15, 10, 14, 30), SAM_PHONE, "Just sent you an email. Sorry to be the messenger x"),
    Text(
        at(2026, 3, 15, 10, 31, 2),
        SAM_PHONE,
        "Thanks Sam. Please don't pass anything else on from him, I've reported it to the police.",
        outgoing=True,
    ),
    # 17-28 March: guilt.
    Text(
        at(2026, 3, 17, 19, 20, 4),
        ALEX_PHONE_2,
        "After everything I did for you. I paid your rent for six months when you lost your job. "
        "I drove you to every one of your mum's appointments.",
    ),
    Text(at(2026, 3, 17, 19, 21, 10), ALEX_PHONE_2, "And this is how you repay me"),
    Text(
        at(2026, 3, 19, 23, 14, 52),
        ALEX_PHONE_2,
        "My mum keeps asking about you. What do I tell her? That you just disappeared?",
    ),
    Text(at(2026, 3, 21, 23, 50, 26), ALEX_PHONE_2, "Pick up"),
    Text(at(2026, 3, 22, 0, 9, 41), ALEX_PHONE_2, "I'm not going to stop Jordan"),
    # 24 March: a third number.
    Text(at(2026, 3, 24, 17, 34, 2), ALEX_PHONE_3, "Don't hang up on me."),
    Text(
        at(2026, 3, 24, 17, 40, 45),
        ALEX_PHONE_3,
        "I know this is you. Please stop contacting me. If you carry on I will go back to the police.",
        outgoing=True,
    ),
    Text(at(2026, 3, 24, 17, 41, 30), ALEX_PHONE_3, "Go on then. Tell them what? That I miss you?"),
    Text(
        at(2026, 3, 26, 22, 10, 8),
        ALEX_PHONE_3,
        "after everything i did for you, you can't even give me five minutes",
    ),
    Text(at(2026, 3, 28, 23, 58, 30), ALEX_PHONE_3, "I'm not sleeping. Are you?"),
    # 29 March: the clocks go forward at 01:00 GMT; this one arrives at 02:06 BST.
    Text(datetime(2026, 3, 29, 1, 6, 20, tzinfo=UTC), ALEX_PHONE_3, "You can't ignore me forever"),
    Text(at(2026, 3, 29, 14, 12, 7), ALEX_PHONE_3, "Sorry about last night \U0001f64f I'd had a drink."),
    Text(
        at(2026, 3, 31, 20, 31, 15),
        ALEX_PHONE_3,
        "If you won't talk to me I'll make sure everyone knows what you're really like.",
    ),
    Text(at(2026, 4, 2, 8, 40, 19), ALEX_PHONE_3, "Seen it yet? Everyone's going to know now."),
    Text(at(2026, 4, 2, 8, 52, 3), ALEX_PHONE_3, "Take me off block and I'll take it down. Simple."),
    Text(
        at(2026, 4, 2, 9, 5, 48),
        SAM_PHONE,
        "Just seen that post. I've reported it. Nobody who actually knows you will believe it x",
    ),
    Text(at(2026, 4, 4, 22, 20, 36), ALEX_PHONE_3, "Jordan please. I can't cope with this. I'm begging you"),
    Text(at(2026, 4, 5, 10, 2, 51), ALEX_PHONE_3, "My mum's in hospital. Not that you care."),
)

MMS_AT = at(2026, 3, 9, 21, 15, 2)
MMS_TEXT = "Remember this? Best weekend of my life. We can have that again, I know we can"


def _burst(number_for: Callable[[int], str], times: Sequence[datetime]) -> list[Call]:
    """Missed calls at ``times``; ``number_for(i)`` says who the i-th came from (withheld or not)."""
    return [Call(t, number_for(i), MISSED) for i, t in enumerate(times)]


CALLS: tuple[Call, ...] = tuple(
    sorted(
        [
            # 1 March, before the block.
            Call(at(2026, 3, 1, 18, 4, 30), ALEX_PHONE_1, MISSED),
            Call(at(2026, 3, 1, 18, 6, 2), ALEX_PHONE_1, MISSED),
            Call(at(2026, 3, 1, 18, 10, 15), ALEX_PHONE_1, MISSED),
            Call(at(2026, 3, 1, 18, 12, 40), ALEX_PHONE_1, MISSED),
            Call(at(2026, 3, 1, 18, 20, 5), ALEX_PHONE_1, MISSED),
            Call(at(2026, 3, 1, 18, 41, 22), ALEX_PHONE_1, REJECTED),
            Call(at(2026, 3, 1, 21, 58, 10), ALEX_PHONE_1, MISSED),
            # Blocked from 1 March about 22:00: the phone still logs the attempts.
            Call(at(2026, 3, 2, 7, 12, 33), ALEX_PHONE_1, BLOCKED),
            Call(at(2026, 3, 2, 7, 14, 2), ALEX_PHONE_1, BLOCKED),
            Call(at(2026, 3, 2, 12, 31, 47), ALEX_PHONE_1, BLOCKED),
            Call(at(2026, 3, 2, 23, 5, 19), ALEX_PHONE_1, BLOCKED),
            Call(at(2026, 3, 3, 8, 41, 0), ALEX_PHONE_1, BLOCKED),
            Call(at(2026, 3, 3, 17, 55, 31), ALEX_PHONE_1, BLOCKED),
            # The second number.
            Call(at(2026, 3, 4, 8, 20, 12), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 4, 8, 22, 40), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 4, 8, 25, 3), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 4, 8, 33, 15), ALEX_PHONE_2, REJECTED),
            Call(at(2026, 3, 6, 0, 5, 44), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 8, 10, 15, 9), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 11, 22, 45, 26), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 13, 18, 10, 4), SAM_PHONE, INCOMING, 244),
            Call(at(2026, 3, 13, 19, 2, 10), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 13, 19, 5, 37), ALEX_PHONE_2, MISSED),
            # 14 March, 20:41-21:31: twelve missed calls in fifty minutes, two of them withheld.
            *_burst(
                lambda i: WITHHELD if i in (4, 7) else ALEX_PHONE_2,
                [
                    at(2026, 3, 14, 20, 41, 7),
                    at(2026, 3, 14, 20, 43, 30),
                    at(2026, 3, 14, 20, 46, 12),
                    at(2026, 3, 14, 20, 48, 55),
                    at(2026, 3, 14, 20, 52, 20),
                    at(2026, 3, 14, 20, 55, 41),
                    at(2026, 3, 14, 21, 2, 3),
                    at(2026, 3, 14, 21, 6, 37),
                    at(2026, 3, 14, 21, 11, 14),
                    at(2026, 3, 14, 21, 19, 48),
                    at(2026, 3, 14, 21, 26, 5),
                    at(2026, 3, 14, 21, 31, 29),
                ],
            ),
            Call(at(2026, 3, 14, 21, 41, 10), "101", OUTGOING, 1104),
            Call(at(2026, 3, 14, 22, 20, 15), SAM_PHONE, INCOMING, 412),
            Call(at(2026, 3, 16, 18, 18, 52), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 17, 19, 18, 40), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 17, 19, 19, 30), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 19, 23, 10, 3), ALEX_PHONE_2, MISSED),
            # 21-22 March, 23:41-00:37: a burst across midnight.
            *_burst(
                lambda i: WITHHELD if i in (3, 7) else ALEX_PHONE_2,
                [
                    at(2026, 3, 21, 23, 41, 2),
                    at(2026, 3, 21, 23, 44, 20),
                    at(2026, 3, 21, 23, 47, 51),
                    at(2026, 3, 21, 23, 52, 9),
                    at(2026, 3, 21, 23, 58, 33),
                    at(2026, 3, 22, 0, 3, 16),
                    at(2026, 3, 22, 0, 6, 48),
                    at(2026, 3, 22, 0, 12, 25),
                    at(2026, 3, 22, 0, 19, 2),
                    at(2026, 3, 22, 0, 25, 40),
                    at(2026, 3, 22, 0, 31, 11),
                    at(2026, 3, 22, 0, 37, 57),
                ],
            ),
            # 22 March: the call rings out, then the voicemail arrives.
            Call(at(2026, 3, 22, 19, 3, 31), ALEX_PHONE_2, MISSED),
            Call(at(2026, 3, 22, 19, 4, 12), ALEX_PHONE_2, VOICEMAIL, 8),
            Call(at(2026, 3, 23, 8, 10, 5), ALEX_PHONE_2, BLOCKED),
            Call(at(2026, 3, 23, 8, 11, 30), ALEX_PHONE_2, BLOCKED),
            # The third number: answered once, not knowing who it was.
            Call(at(2026, 3, 24, 17, 32, 18), ALEX_PHONE_3, INCOMING, 9),
            Call(at(2026, 3, 25, 8, 5, 10), ALEX_PHONE_3, REJECTED),
            Call(at(2026, 3, 25, 8, 6, 2), ALEX_PHONE_3, REJECTED),
            Call(at(2026, 3, 26, 22, 12, 44), ALEX_PHONE_3, MISSED),
            # The night the clocks go forward: 00:55 GMT and, ten minutes later, 02:05 BST.
            Call(datetime(2026, 3, 29, 0, 55, 0, tzinfo=UTC), ALEX_PHONE_3, MISSED),
            Call(datetime(2026, 3, 29, 1, 5, 0, tzinfo=UTC), ALEX_PHONE_3, MISSED),
            Call(at(2026, 3, 29, 13, 15, 27), ALEX_PHONE_3, MISSED),
            Call(at(2026, 3, 31, 20, 25, 50), ALEX_PHONE_3, MISSED),
            Call(at(2026, 4, 2, 8, 45, 13), ALEX_PHONE_3, MISSED),
            Call(at(2026, 4, 2, 8, 47, 39), ALEX_PHONE_3, MISSED),
            Call(at(2026, 4, 4, 22, 10, 5), WITHHELD, MISSED),
            Call(at(2026, 4, 4, 22, 12, 48), WITHHELD, MISSED),
            Call(at(2026, 4, 4, 22, 15, 20), WITHHELD, MISSED),
            # Blocked from 6 April about 23:30.
            Call(at(2026, 4, 7, 7, 30, 41), ALEX_PHONE_3, BLOCKED),
            Call(at(2026, 4, 7, 12, 2, 16), ALEX_PHONE_3, BLOCKED),
            Call(at(2026, 4, 9, 21, 40, 9), ALEX_PHONE_3, BLOCKED),
            Call(at(2026, 4, 13, 21, 12, 30), WITHHELD, MISSED),
            Call(at(2026, 4, 13, 21, 14, 2), WITHHELD, MISSED),
            Call(at(2026, 4, 13, 21, 19, 55), WITHHELD, MISSED),
            Call(at(2026, 4, 13, 21, 25, 12), WITHHELD, MISSED),
            Call(at(2026, 4, 14, 8, 2, 47), ALEX_PHONE_3, BLOCKED),
        ],
        key=lambda c: c.when,
    )
)


def with_ms(moment: datetime, key: str) -> datetime:
    """``moment`` plus a stable sub-second part, as real phone times have."""
    return moment + timedelta(milliseconds=noise(key, 1000))


# -- SMS Backup & Restore ----------------------------------------------------------------------------------


def readable(moment: datetime) -> str:
    """SMS Backup & Restore's ``readable_date`` on an en-GB phone: local time, ``14 Mar 2026 21:33:44``."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M:%S}"


def xml_attr(value: str) -> str:
    """Escape an attribute value the way the app (Android's XmlSerializer) does.

    Characters outside the Basic Multilingual Plane come out as two numeric references to UTF-16
    surrogates (``&#55357;&#56866;``): invalid XML 1.0, and exactly what real backups contain.
    """
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "'":
            out.append("&apos;")
        elif ch == "\n":
            out.append("&#10;")
        elif code > 0xFFFF:
            pair = ch.encode("utf-16-be")
            hi, lo = struct.unpack(">HH", pair)
            out.append(f"&#{hi};&#{lo};")
        else:
            out.append(ch)
    return "".join(out)


def element(name: str, attrs: Sequence[tuple[str, str]], *, close: bool = True) -> str:
    """``<name a="1" b="2" />`` (or an opening tag), attributes in the given order."""
    body = " ".join(f'{key}="{xml_attr(value)}"' for key, value in attrs)
    return f"<{name} {body}{' />' if close else '>'}"


def xml_header(stylesheet: str) -> list[str]:
    """The first lines of a backup file: declaration, "File Created By" comment, stylesheet."""
    local = BACKUP_AT.astimezone(LONDON)
    return [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
        f"<!--File Created By SMS Backup & Restore v10.22.004 on {local:%d/%m/%Y %H:%M:%S}-->",
        f'<?xml-stylesheet type="text/xsl" href="{stylesheet}"?>',
    ]


def contact_name(number: str) -> str:
    """The address-book name at backup time, ``(Unknown)`` for anyone else."""
    return CONTACTS.get(number, "(Unknown)")


def sms_element(text: Text) -> str:
    """One ``<sms/>`` line."""
    when = with_ms(text.when, "sms " + text.body)
    sent = 0 if text.outgoing else epoch_ms(text.when) // 1000 * 1000 - 1000 * (1 + noise(text.body, 3))
    attrs = [
        ("protocol", "0"),
        ("address", text.number),
        ("date", str(epoch_ms(when))),
        ("type", "2" if text.outgoing else "1"),
        ("subject", "null"),
        ("body", text.body),
        ("toa", "null"),
        ("sc_toa", "null"),
        ("service_center", "null" if text.outgoing else "+447700900999"),
        ("read", "1"),
        ("status", "-1"),
        ("locked", "0"),
        ("date_sent", str(sent)),
        ("sub_id", "1"),
        ("readable_date", readable(when)),
        ("contact_name", contact_name(text.number)),
    ]
    return "  " + element("sms", attrs)


def mms_lines(image_png: bytes) -> list[str]:
    """The one picture message: SMIL layout, the PNG (base64) and the text."""
    when = MMS_AT.replace(microsecond=0)
    smil = (
        '<smil><head><layout><root-layout/><region id="Image" fit="meet" top="0" left="0" '
        'height="80%" width="100%"/><region id="Text" top="80%" left="0" height="20%" width="100%"/>'
        '</layout></head><body><par dur="5000ms"><img src="image000000.png" region="Image" />'
        '<text src="text000001.txt" region="Text" /></par></body></smil>'
    )
    tr_id = base64.b64encode(hashlib.sha256(b"mms tr_id").digest()).decode()
    attrs = [
        ("date", str(epoch_ms(when))),
        ("rr", "null"),
        ("sub", "null"),
        ("ct_t", "application/vnd.wap.multipart.related"),
        ("read_status", "null"),
        ("seen", "1"),
        ("msg_box", "1"),
        ("address", ALEX_PHONE_2),
        ("sub_cs", "null"),
        ("resp_st", "null"),
        ("retr_st", "null"),
        ("d_tm", "null"),
        ("text_only", "0"),
        ("exp", "604800"),
        ("locked", "0"),
        ("m_id", "mms-" + hashlib.sha256(b"mms m_id").hexdigest()[:24]),
        ("st", "null"),
        ("retr_txt_cs", "null"),
        ("retr_txt", "null"),
        ("creator", "com.google.android.apps.messaging"),
        ("date_sent", str(int(when.timestamp()) - 2)),
        ("read", "1"),
        ("m_size", str(len(image_png) + len(MMS_TEXT.encode()) + len(smil))),
        ("rpt_a", "null"),
        ("ct_cls", "null"),
        ("pri", "129"),
        ("sub_id", "1"),
        ("tr_id", "proto:" + tr_id),
        ("resp_txt", "null"),
        ("ct_l", "null"),
        ("m_cls", "personal"),
        ("d_rpt", "129"),
        ("v", "18"),
        ("m_type", "132"),
        ("readable_date", readable(when)),
        ("contact_name", contact_name(ALEX_PHONE_2)),
    ]
    common = [("chset", "null"), ("cd", "null"), ("fn", "null")]
    smil_part = [("seq", "-1"), ("ct", "application/smil"), ("name", "null"), *common]
    smil_part += [("cid", "<smil>"), ("cl", "smil.xml"), ("ctt_s", "null"), ("ctt_t", "null"), ("text", smil)]
    image_part = [("seq", "0"), ("ct", "image/png"), ("name", "image000000.png"), *common]
    image_part += [("cid", "<image000000>"), ("cl", "image000000.png"), ("ctt_s", "null"), ("ctt_t", "null")]
    image_part += [("text", "null"), ("data", base64.b64encode(image_png).decode())]
    text_part = [("seq", "0"), ("ct", "text/plain"), ("name", "null"), ("chset", "106"), ("cd", "null")]
    text_part += [("fn", "null"), ("cid", "<text000001>"), ("cl", "text000001.txt"), ("ctt_s", "null")]
    text_part += [("ctt_t", "null"), ("text", MMS_TEXT)]
    return [
        "  " + element("mms", attrs, close=False),
        "    <parts>",
        "      " + element("part", smil_part),
        "      " + element("part", image_part),
        "      " + element("part", text_part),
        "    </parts>",
        "    <addrs>",
        "      " + element("addr", [("address", ALEX_PHONE_2), ("type", "137"), ("charset", "106")]),
        "      " + element("addr", [("address", JORDAN_PHONE), ("type", "151"), ("charset", "106")]),
        "    </addrs>",
        "  </mms>",
    ]


def sms_xml(image_png: bytes) -> bytes:
    """sms-*.xml: every text of the story in date order, with the picture message in its place."""
    items: list[tuple[datetime, list[str]]] = [(t.when, [sms_element(t)]) for t in TEXTS]
    items.append((MMS_AT, mms_lines(image_png)))
    items.sort(key=lambda item: item[0])
    root = [("count", str(len(items))), ("backup_set", BACKUP_SET), ("backup_date", str(epoch_ms(BACKUP_AT)))]
    root.append(("type", "full"))
    lines = [*xml_header("sms.xsl"), element("smses", root, close=False)]
    for _, item_lines in items:
        lines.extend(item_lines)
    lines.append("</smses>")
    return ("\n".join(lines) + "\n").encode()


def calls_xml() -> bytes:
    """calls-*.xml: Jordan's call log."""
    root = [("count", str(len(CALLS))), ("backup_set", BACKUP_SET), ("backup_date", str(epoch_ms(BACKUP_AT)))]
    root.append(("type", "full"))
    lines = [*xml_header("calls.xsl"), element("calls", root, close=False)]
    for call in CALLS:
        when = with_ms(call.when, f"call {call.when.isoformat()}")
        attrs = [
            ("number", call.number),
            ("duration", str(call.duration)),
            ("date", str(epoch_ms(when))),
            ("type", str(call.kind)),
            ("presentation", "2" if call.number == WITHHELD else "1"),
            ("subscription_id", "1"),
            ("post_dial_digits", ""),
            (
                "subscription_component_name",
                "com.android.phone/com.android.services.telephony.TelephonyConnectionService",
            ),
            ("readable_date", readable(when)),
            ("contact_name", contact_name(call.number)),
        ]
        lines.append("  " + element("call", attrs))
    lines.append("</calls>")
    return ("\n".join(lines) + "\n").encode()


# -- the carrier's call log -----------------------------------------------------------------------------------


def national(number: str) -> str:
    """A UK number as the carrier prints it: ``07700900456``."""
    return "0" + number[3:] if number.startswith("+44") else number


def carrier_csv() -> bytes:
    """The carrier's itemised call history (CSV, local wall-clock times, CRLF as exported)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Date", "Time", "Number", "Direction", "Duration", "Type", "Cost (GBP)"])
    for call in CALLS:
        local = call.when.astimezone(LONDON)
        voicemail = call.kind == VOICEMAIL
        outgoing = call.kind == OUTGOING
        hours, rest = divmod(call.duration, 3600)
        writer.writerow(
            [
                f"{local:%d/%m/%Y}",
                f"{local:%H:%M:%S}",
                "Withheld" if call.number == WITHHELD else national(call.number),
                "Outgoing" if outgoing else "Incoming",
                f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}",
                "Voicemail deposit" if voicemail else "Voice",
                "0.15" if outgoing else "0.00",
            ]
        )
    return out.getvalue().encode()


# -- WhatsApp ----------------------------------------------------------------------------------------------

ENCRYPTED = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
    "can read or listen to them. Tap to learn more."
)

# Jordan's own Android export of the chat with Alex's second number (saved as "Alex"): local wall-clock times.
ANDROID_CHAT: tuple[tuple[str, str | None, str], ...] = (
    ("04/03/2026, 12:44", None, ENCRYPTED),
    ("04/03/2026, 12:44", "Alex", "You've blocked my number so I'll talk to you here."),
    (
        "04/03/2026, 12:46",
        "Alex",
        "I'm not going to just disappear because you've decided we're done.\n"
        "Five years, Jordan.\n"
        "You at least owe me a conversation.",
    ),
    ("04/03/2026, 12:50", JORDAN_NAME, "Please stop contacting me. I won't reply again."),
    ("04/03/2026, 12:51", "Alex", "You just did"),
    ("05/03/2026, 22:31", "Alex", "Fine."),
    ("05/03/2026, 22:33", "Alex", "This message was deleted"),
    (
        "08/03/2026, 10:12",
        "Alex",
        "I was awake all night thinking about us.\n"
        "About Lisbon, about the flat, about your stupid laugh.\n"
        "I know I got things wrong. I'm sorting myself out, I promise.",
    ),
    ("11/03/2026, 22:43", "Alex", "I'm not angry any more. I've changed. Just let me show you \u2764\ufe0f"),
    ("14/03/2026, 20:58", "Alex", "Pick up"),
    ("14/03/2026, 21:00", "Alex", "Jordan"),
    ("14/03/2026, 21:00", "Alex", "JORDAN"),
    ("14/03/2026, 21:14", "Alex", "I'm outside. I just want to talk. Come down for five minutes"),
    ("16/03/2026, 18:20", "Alex", "Sam's not answering me either. What have you been telling people?"),
    (
        "17/03/2026, 19:25",
        "Alex",
        "After everything I did for you.\n"
        "I carried you when your mum was ill. I paid your rent for six months when you had nothing.\n"
        "And you can't give me ten minutes.",
    ),
    ("18/03/2026, 07:48", "Alex", "I'm not sleeping. I'm not eating. I hope that makes you happy"),
    ("18/03/2026, 08:02", None, "You blocked this contact. Tap to unblock."),
)

LRM = "\u200e"
PHOTO_NAME = "00000012-PHOTO-2026-03-14-21-35-02.jpg"

# Sam's iPhone export of his chat with Alex ("Alex Morgan" in Sam's contacts), handed to Jordan.
IOS_CHAT: tuple[tuple[str, str, str], ...] = (
    (
        "02/06/2024, 18:20:11",
        ALEX_NAME,
        LRM + "Messages and calls are end-to-end encrypted. No one outside of "
        "this chat, not even WhatsApp, can read or listen to them.",
    ),
    ("02/06/2024, 18:20:11", SAM_NAME, "Alright mate, it's Sam. Saved your number"),
    ("02/06/2024, 18:25:40", ALEX_NAME, "Nice one. See you Saturday"),
    ("17/11/2025, 09:02:15", SAM_NAME, "Happy birthday mate! Have a good one"),
    ("17/11/2025, 12:48:03", ALEX_NAME, "Cheers Sam \U0001f37b"),
    ("14/03/2026, 21:33:44", ALEX_NAME, "You about?"),
    ("14/03/2026, 21:34:10", ALEX_NAME, "Need a favour. It's about Jordan"),
    ("14/03/2026, 21:35:02", ALEX_NAME, LRM + f"<attached: {PHOTO_NAME}>"),
    (
        "14/03/2026, 21:36:40",
        ALEX_NAME,
        "Can you give her that. Or just send her a photo of it, she's blocked me on everything",
    ),
    (
        "14/03/2026, 21:38:15",
        ALEX_NAME,
        "Tell her I'm not angry. Tell her I've changed and I just need ten minutes to explain.\n"
        "Tell her I'm not going anywhere until she hears me out.",
    ),
    ("14/03/2026, 21:44:52", SAM_NAME, "Alex it's nearly 10. What's going on?"),
    ("14/03/2026, 21:46:03", ALEX_NAME, "She won't pick up. I've been ringing all night"),
    ("14/03/2026, 21:47:30", SAM_NAME, "Mate if she's not picking up that's your answer"),
    ("14/03/2026, 21:49:18", ALEX_NAME, "Just pass it on. Please. After everything I've done for you"),
    (
        "14/03/2026, 21:52:40",
        SAM_NAME,
        "I'll tell her you asked. That's it. I'm not getting in the middle of this",
    ),
    (
        "15/03/2026, 10:20:05",
        SAM_NAME,
        "I've passed it on. She's asked me not to pass anything else on and I won't. Please leave her alone.",
    ),
    ("15/03/2026, 10:24:31", ALEX_NAME, "Whose side are you on?"),
    ("15/03/2026, 10:24:58", ALEX_NAME, "Unbelievable"),
    ("02/04/2026, 00:03:12", ALEX_NAME, "Share this. People should know what she's really like"),
    ("02/04/2026, 00:03:30", ALEX_NAME, "https://www.facebook.com/groups/e17noticeboard/posts/4821930517"),
    ("02/04/2026, 07:41:09", SAM_NAME, "No. Take it down Alex. I mean it."),
)

ZIP_TIME = (2026, 4, 3, 19, 22, 10)  # when Sam exported the chat (local time, as zip stores it)


def android_chat() -> bytes:
    """WhatsApp Chat with Alex.txt (Android export: ``dd/mm/yyyy, hh:mm - Sender: text``)."""
    lines = []
    for stamp, sender, text in ANDROID_CHAT:
        lines.append(f"{stamp} - {text}" if sender is None else f"{stamp} - {sender}: {text}")
    return ("\n".join(lines) + "\n").encode()


def ios_chat() -> bytes:
    """_chat.txt (iOS export: ``[dd/mm/yyyy, hh:mm:ss] Sender: text``)."""
    lines = [f"[{stamp}] {sender}: {text}" for stamp, sender, text in IOS_CHAT]
    return ("\n".join(lines) + "\n").encode()


def chat_zip(photo_jpg: bytes) -> bytes:
    """WhatsApp Chat - Alex Morgan.zip: _chat.txt and the photo, with fixed entry times."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method in (
            ("_chat.txt", ios_chat(), zipfile.ZIP_DEFLATED),
            (PHOTO_NAME, photo_jpg, zipfile.ZIP_STORED),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


# -- e-mail ------------------------------------------------------------------------------------------------


def gm_id(moment: datetime, salt: str) -> int:
    """A Gmail message/thread id: milliseconds since the epoch shifted left 20 bits, plus low bits."""
    return (epoch_ms(moment) << 20) | noise(salt, 1 << 20)


def pacific(moment: datetime) -> str:
    """Time as mx.google.com writes it in Received headers: ``Tue, 3 Mar 2026 14:14:43 -0800 (PST)``."""
    local = moment.astimezone(PACIFIC)
    return f"{format_datetime(local)} ({local.tzname()})"


def mail_time(moment: datetime, offset_zone: ZoneInfo = LONDON) -> str:
    """An RFC 5322 date in the sender's zone (``+0000`` in winter, ``+0100`` in summer)."""
    return format_datetime(moment.astimezone(offset_zone))


def received_chain(sent: datetime, sender: str, client_ip: str, host_ip: str, salt: str) -> list[str]:
    """Received headers, newest first, as Gmail stores an incoming message."""
    domain = sender.split("@", 1)[1]
    smtp_id = hashlib.sha256(("smtp " + salt).encode()).hexdigest()
    queue_id = base64.b32encode(hashlib.sha256(("queue " + salt).encode()).digest()).decode()[:14]
    gx = sent + timedelta(seconds=2)
    return [
        f"Received: by 2001:db8:7208:{smtp_id[:4]}:b0:{smtp_id[4:8]}:{smtp_id[8:12]}:{smtp_id[12:16]} "
        f"with SMTP id {smtp_id[16:28]};",
        f"        {pacific(gx + timedelta(seconds=1))}",
        f"X-Received: by 2001:db8:a17:{smtp_id[28:32]}::{smtp_id[32:36]} with SMTP id "
        f"{smtp_id[36:48]}.{noise(salt, 90) + 10}.{sent:%Y}.{sent:%m}.{sent:%d}.{sent:%H}.{sent:%M}.{sent:%S};",
        f"        {pacific(gx)}",
        f"Return-Path: <{sender}>",
        f"Received: from mail.{domain} (mail.{domain}. [{host_ip}])",
        f"        by mx.google.com with ESMTPS id {smtp_id[48:60]}.{noise(salt, 900) + 100}.{sent:%Y}.{sent:%m}"
        f".{sent:%d}.{sent:%H}.{sent:%M}.{sent:%S}",
        f"        for <{JORDAN_EMAIL}>",
        "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);",
        f"        {pacific(gx)}",
        f"Received-SPF: pass (google.com: domain of {sender} designates {host_ip} as permitted sender) "
        f"client-ip={host_ip};",
        "Authentication-Results: mx.google.com;",
        f"       spf=pass (google.com: domain of {sender} designates {host_ip} as permitted sender) "
        f"smtp.mailfrom={sender}",
        f"Received: from [192.168.1.23] (unknown [{client_ip}])",
        f"        by mail.{domain} (Postfix) with ESMTPSA id {queue_id}",
        f"        for <{JORDAN_EMAIL}>; {format_datetime(sent.astimezone(UTC)).replace(' +0000', ' +0000 (UTC)')}",
    ]


def fake_uuid(salt: str) -> str:
    """A UUID-shaped string derived from ``salt`` (upper case, as Apple's mail apps write them)."""
    d = hashlib.sha256(salt.encode()).hexdigest().upper()
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"


def message_id(salt: str, domain: str) -> str:
    """A Message-ID in the style of iPhone Mail: ``<UUID@domain>``."""
    return f"<{fake_uuid('msgid ' + salt)}@{domain}>"


def apple_boundary(salt: str) -> str:
    """A MIME boundary in the style of iPhone Mail: ``Apple-Mail-UUID``."""
    return "Apple-Mail-" + fake_uuid(salt)


def qp(text: str) -> str:
    """Quoted-printable body lines (soft breaks at 76), as mail clients send non-ASCII text."""
    return quopri.encodestring(text.encode(), quotetabs=False).decode()


def flowed(text: str) -> str:
    """RFC 3676 format=flowed, as Thunderbird sends: soft breaks end in a space, lines at most 72 wide."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.startswith(">") or len(paragraph) <= 72:
            out.append(paragraph)
            continue
        lines = textwrap.wrap(paragraph, 71, break_long_words=False, break_on_hyphens=False)
        out.extend(line + " " for line in lines[:-1])
        out.append(lines[-1])
    return "\n".join(out)


def b64_lines(data: bytes) -> str:
    """Base64 in 76-character lines."""
    encoded = base64.b64encode(data).decode()
    return "\n".join(textwrap.wrap(encoded, 76))


@dataclass(frozen=True)
class Mail:
    """One e-mail of the mbox."""

    sent: datetime
    zone: ZoneInfo
    sender: str
    sender_name: str
    subject: str  # header text, already encoded where needed
    labels: str
    body_headers: list[str]
    body: str


PAYMENTS_CSV = (
    "Date,What,Amount\r\n"
    "01/08/2025,Rent (your half),650.00\r\n"
    "01/09/2025,Rent (your half),650.00\r\n"
    "01/10/2025,Rent (your half),650.00\r\n"
    "14/10/2025,Car insurance,312.40\r\n"
    "01/11/2025,Rent (your half),650.00\r\n"
    "22/12/2025,Flights to Lisbon,238.60\r\n"
    ",Total,3151.00\r\n"
)


def mails() -> list[Mail]:
    """The four e-mails Alex sent to Jordan, as Google Takeout exports them."""
    m1_body = textwrap.dedent(
        """\
        Jordan,

        You've blocked my number like I'm some kind of stalker. Do you know how that feels? Five years and I
        find out it's over from a text message while I'm sat at my desk.

        I'm not asking for much. I'm asking for one conversation, face to face, so I can understand what
        happened. You owe me that. Everybody I've told says the same.

        I'll be at the flat on Saturday to get the rest of my things. If you're not there I'll let myself in,
        I still have a key.

        Alex
        """
    )
    m2_text = textwrap.dedent(
        """\
        Jordan,

        I know I'm the last person you want to hear from. I've had time to think and I can see it now, the
        shouting, the checking your phone, all of it. It wasn't fair on you.

        I've started seeing someone. A counsellor I mean. It's helping. I'm not the person I was in January.

        I'm not asking you to come back. I'm asking for a coffee. Half an hour. Then if you still want me gone
        I'll go, I promise.

        I love you. I never stopped.

        A x
        """
    )
    m2_html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body dir="auto"><div dir="ltr"><div>Jordan,</div><div><br></div><div>I know I&#39;m the last person you want to hear '
        "from. I&#39;ve had time to think and I can see it now, the shouting, the checking your phone, all of "
        "it. It wasn&#39;t fair on you.</div><div><br></div><div>I&#39;ve started seeing someone. A counsellor "
        "I mean. It&#39;s helping. I&#39;m not the person I was in January.</div><div><br></div><div>I&#39;m "
        "not asking you to come back. I&#39;m asking for a coffee. Half an hour. Then if you still want me gone "
        "I&#39;ll go, I promise.</div><div><br></div><div><b>I love you. I never stopped.</b></div><div><br>"
        "</div><div>A x</div></div></body></html>\n"
    )
    b2 = apple_boundary("boundary 2")
    m2_body = (
        f"--{b2}\n"
        'Content-Type: text/plain; charset="UTF-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(m2_text)}\n"
        f"--{b2}\n"
        'Content-Type: text/html; charset="UTF-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(m2_html)}\n"
        f"--{b2}--\n"
    )
    m3_text = textwrap.dedent(
        """\
        Since you won't answer anything else.

        After everything I did for you I think I deserve better than being blocked on every app like a
        criminal. I've attached what I paid for while you were out of work. Just over three thousand pounds.
        I never asked for a penny back because I thought we were building something.

        I'm not saying you owe me the money. I'm saying you owe me the truth.

        Alex
        """
    )
    b3 = apple_boundary("boundary 3")
    m3_body = (
        f"--{b3}\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{m3_text}\n"
        f"--{b3}\n"
        'Content-Type: text/csv; charset="UTF-8"; name="what-i-paid.csv"\n'
        'Content-Disposition: attachment; filename="what-i-paid.csv"\n'
        "Content-Transfer-Encoding: base64\n"
        f"Content-ID: <f_{hashlib.sha256(b'cid 3').hexdigest()[:10]}>\n\n"
        f"{b64_lines(PAYMENTS_CSV.encode())}\n"
        f"--{b3}--\n"
    )
    m4_text = textwrap.dedent(
        """\
        You did this. Not me.

        I gave you every chance to sit down and talk like an adult and you treated me like I was nothing. So
        now people know your side isn’t the only side. If you don’t like it, you know how to make it stop.

        Unblock me and talk to me. That’s all it ever was.
        """
    )
    return [
        Mail(
            at(2026, 3, 3, 22, 14, 41),
            LONDON,
            ALEX_EMAIL_1,
            ALEX_NAME,
            "Please read this",
            "Inbox,Opened,Category Personal",
            ['Content-Type: text/plain; charset="UTF-8"'],
            m1_body,
        ),
        Mail(
            at(2026, 3, 10, 21, 3, 9),
            LONDON,
            ALEX_EMAIL_1,
            ALEX_NAME,
            "=?UTF-8?Q?I=E2=80=99ve_changed?=",
            "Alex,Opened,Category Personal",
            [f'Content-Type: multipart/alternative; boundary="{b2}"'],
            m2_body,
        ),
        Mail(
            at(2026, 3, 27, 20, 47, 55),
            LONDON,
            ALEX_EMAIL_2,
            "Alex",
            "After everything",
            "Inbox,Opened,Category Personal",
            [f'Content-Type: multipart/mixed; boundary="{b3}"'],
            m3_body,
        ),
        Mail(
            at(2026, 4, 6, 23, 18, 30),
            LONDON,
            ALEX_EMAIL_2,
            "Alex",
            "You did this",
            "Inbox,Important,Opened,Category Personal",
            ['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"],
            qp(m4_text),
        ),
    ]


def mbox() -> bytes:
    """alex-emails.mbox: Google Takeout style (``From <id>@xxx <date>`` separators, X-GM-* headers)."""
    chunks = []
    for n, mail in enumerate(mails(), start=1):
        salt = f"mail {n}"
        msg_id = gm_id(mail.sent + timedelta(seconds=3), salt)
        thread = msg_id
        sep_time = mail.sent.astimezone(UTC)
        separator = (
            f"From {msg_id}@xxx {WEEKDAYS[sep_time.weekday()]} {MONTHS[sep_time.month - 1]} "
            f"{sep_time:%d %H:%M:%S} +0000 {sep_time:%Y}"
        )
        domain = mail.sender.split("@", 1)[1]
        headers = [
            separator,
            f"X-GM-THRID: {thread}",
            f"X-Gmail-Labels: {mail.labels}",
            f"Delivered-To: {JORDAN_EMAIL}",
            *received_chain(mail.sent, mail.sender, f"203.0.113.{40 + n}", "192.0.2.25", salt),
            f"From: {mail.sender_name} <{mail.sender}>",
            "Mime-Version: 1.0 (1.0)",
            f"Date: {mail_time(mail.sent, mail.zone)}",
            f"Subject: {mail.subject}",
            f"Message-Id: {message_id(salt, domain)}",
            f"To: {JORDAN_NAME} <{JORDAN_EMAIL}>",
            "X-Mailer: iPhone Mail (23D127)",
            *mail.body_headers,
        ]
        text = "\n".join(h for h in headers if h) + "\n\n" + mail.body.rstrip("\n") + "\n\n"
        assert "\nFrom " not in text.split("\n\n", 1)[1], "an unescaped From line would split the mbox"
        chunks.append(text)
    return "".join(chunks).encode()


SAM_EMAIL_SUBJECT = "Message from Alex (sorry)"


def sam_eml() -> bytes:
    """The message Sam sent Jordan relaying what Alex asked him to say (saved from the mail app, CRLF)."""
    sent = at(2026, 3, 15, 10, 12, 37)
    body = textwrap.dedent(
        """\
        Hi Jordan,

        I’m really sorry to be sending you this. Alex messaged me last night (about half nine) asking me to pass a message on to you. I told him I’d tell you he asked and that’s all. I’m not taking sides, I just didn’t want to keep it from you, and if you’re keeping a record of things I thought you’d want it word for word.

        This is exactly what he sent me:

        > Tell her I'm not angry. Tell her I've changed and I just need ten minutes to explain.
        > Tell her I'm not going anywhere until she hears me out.

        He also sent a photo of a letter he wants me to give you. I haven’t got the letter and I’m not going to collect it. I can send you the photo and the whole chat if it helps.

        He seemed in a bad way. Please look after yourself, and shout if you need anything.

        Sam
        """
    )
    headers = [
        "Return-Path: <sam.patel@example.org>",
        "Delivered-To: jordan.lee@example.org",
        "Received: from mx1.example.org (mx1.example.org [198.51.100.10])",
        "\tby imap.example.org (Dovecot) with LMTP id 8dGQKz2H82VxOAAAqF1vZg",
        f"\tfor <{JORDAN_EMAIL}>; {format_datetime(sent + timedelta(seconds=2))}",
        "Received: from [192.168.0.14] (unknown [203.0.113.77])",
        "\tby smtp.example.org (Postfix) with ESMTPSA id 4Tq8Rb1xYzz3kT",
        f"\tfor <{JORDAN_EMAIL}>; {format_datetime(sent + timedelta(seconds=1))}",
        f"Message-ID: <{fake_uuid('msgid sam').lower()}@example.org>",
        f"Date: {mail_time(sent)}",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla Thunderbird",
        "Content-Language: en-GB",
        f"To: {JORDAN_NAME} <{JORDAN_EMAIL}>",
        f"From: {SAM_NAME} <{SAM_EMAIL}>",
        f"Subject: {SAM_EMAIL_SUBJECT}",
        "Content-Type: text/plain; charset=UTF-8; format=flowed",
        "Content-Transfer-Encoding: 8bit",
    ]
    text = "\n".join(headers) + "\n\n" + flowed(body)
    return text.replace("\n", "\r\n").encode()


# -- voicemail ---------------------------------------------------------------------------------------------

WAV_RATE = 8000  # narrow-band, as voicemail systems record
WAV_SECONDS = 8


def voicemail_wav() -> bytes:
    """An 8-second mono 16-bit WAV: line hiss, then speech-like tone bursts with pauses (no real voice)."""
    frames = bytearray()
    # Syllable-like bursts: (start s, length s, base pitch Hz).
    bursts = [
        (0.45, 0.28, 180),
        (0.80, 0.22, 165),
        (1.10, 0.35, 190),
        (1.90, 0.30, 175),
        (2.30, 0.25, 160),
        (2.60, 0.40, 185),
        (3.60, 0.20, 170),
        (3.85, 0.30, 195),
        (4.25, 0.45, 175),
        (5.20, 0.30, 165),
        (5.55, 0.25, 180),
        (5.90, 0.50, 160),
        (6.80, 0.35, 150),
    ]
    state = 0x2545F491
    for i in range(WAV_RATE * WAV_SECONDS):
        t = i / WAV_RATE
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF  # fixed-seed LCG for the line hiss
        sample = ((state >> 16) % 401 - 200) * 1.0
        for start, length, pitch in bursts:
            if start <= t < start + length:
                phase = (t - start) / length
                envelope = math.sin(math.pi * phase) ** 2
                f0 = pitch * (1.0 + 0.08 * math.sin(2 * math.pi * 3 * phase))
                voice = sum(
                    math.sin(2 * math.pi * f0 * k * t) / k * (1.6 if 600 < f0 * k < 1100 else 1.0)
                    for k in range(1, 9)
                )
                sample += 5200 * envelope * voice
        frames += struct.pack("<h", max(-32768, min(32767, round(sample))))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(WAV_RATE)
        wav.writeframes(bytes(frames))
    return buf.getvalue()


# -- pictures ----------------------------------------------------------------------------------------------

Color = tuple[int, int, int]
_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(size: int, style: str = "") -> ImageFont.FreeTypeFont:
    """DejaVu Sans (``style`` "Bold", "Oblique", or "Serif-Italic"/"Serif"), cached."""
    key = (style, size)
    if key not in _FONTS:
        name = {
            "": "DejaVuSans.ttf",
            "Bold": "DejaVuSans-Bold.ttf",
            "Oblique": "DejaVuSans-Oblique.ttf",
            "Serif": "DejaVuSerif.ttf",
            "Serif-Italic": "DejaVuSerif-Italic.ttf",
        }[style]
        _FONTS[key] = ImageFont.truetype(str(FONT_DIR / name), size)
    return _FONTS[key]


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (explicit newlines kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if fnt.getlength(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def png_bytes(img: Image.Image, info: PngInfo | None = None, dpi: int | None = None) -> bytes:
    """Encode a PNG with no time stamp (Pillow adds none unless told)."""
    buf = io.BytesIO()
    extra: dict[str, object] = {"optimize": True}
    if info is not None:
        extra["pnginfo"] = info
    if dpi is not None:
        extra["dpi"] = (dpi, dpi)
    img.save(buf, "PNG", **extra)
    return buf.getvalue()


def status_bar(draw: ImageDraw.ImageDraw, width: int, clock: str, battery: int) -> None:
    """An Android status bar (light theme): clock left; signal, wi-fi and battery right."""
    ink: Color = (32, 33, 36)
    draw.text((54, 24), clock, font=font(40), fill=ink)
    x = width - 300
    for i in range(4):  # signal bars
        h = 12 + i * 8
        draw.rectangle((x + i * 14, 62 - h, x + i * 14 + 9, 62), fill=ink)
    wx, wy = width - 210, 64  # wi-fi fan
    for r in (34, 24, 14):
        draw.pieslice((wx - r, wy - r, wx + r, wy + r), 225, 315, fill=ink if r != 24 else (255, 255, 255))
    draw.pieslice((wx - 34, wy - 34, wx + 34, wy + 34), 225, 315, outline=ink, width=3)
    draw.text((width - 170, 26), f"{battery}%", font=font(34), fill=ink)
    bx = width - 80
    draw.rounded_rectangle((bx, 30, bx + 44, 64), radius=6, outline=ink, width=3)
    draw.rectangle((bx + 44, 40, bx + 49, 54), fill=ink)
    draw.rectangle((bx + 5, 35, bx + 5 + round(34 * battery / 100), 59), fill=ink)


def nav_handle(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    """The gesture-navigation pill at the bottom of the screen."""
    draw.rounded_rectangle(
        (width // 2 - 110, height - 36, width // 2 + 110, height - 26), radius=5, fill=(32, 33, 36)
    )


def avatar(draw: ImageDraw.ImageDraw, x: int, y: int, d: int, fill: Color, letter: str | None) -> None:
    """A round contact picture with an initial, or a generic person silhouette."""
    draw.ellipse((x, y, x + d, y + d), fill=fill)
    if letter:
        f = font(d // 2)
        draw.text((x + d / 2, y + d / 2), letter, font=f, fill=(255, 255, 255), anchor="mm")
    else:
        c = (255, 255, 255)
        draw.ellipse((x + d * 0.34, y + d * 0.2, x + d * 0.66, y + d * 0.52), fill=c)
        draw.pieslice((x + d * 0.18, y + d * 0.58, x + d * 0.82, y + d * 1.2), 180, 360, fill=c)


def missed_calls_png() -> bytes:
    """Screenshot_20260314-213344.png: the phone app's Recents list during the 14 March burst."""
    width, height = 1080, 2340
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    status_bar(draw, width, "21:33", 64)
    ink, grey, red = (32, 33, 36), (95, 99, 104), (217, 48, 37)
    draw.rounded_rectangle((40, 120, width - 40, 250), radius=65, fill=(241, 243, 244))
    draw.ellipse((86, 160, 130, 204), outline=grey, width=5)
    draw.line((124, 198, 146, 220), fill=grey, width=6)
    draw.text((180, 185), "Search contacts", font=font(42), fill=grey, anchor="lm")
    draw.ellipse((width - 150, 145, width - 70, 225), fill=(103, 58, 183))
    draw.text((width - 110, 185), "J", font=font(40), fill=(255, 255, 255), anchor="mm")

    # Group the log as the phone app does: consecutive calls from one number make one row "Name (n)".
    shot_at = at(2026, 3, 14, 21, 33, 44)
    day_start = at(2026, 3, 14, 0, 0)
    rows: list[tuple[str, Call, int]] = []  # section, newest call, count
    for call in sorted(
        (c for c in CALLS if at(2026, 3, 13, 0, 0) <= c.when <= shot_at), key=lambda c: c.when
    ):
        section = "Today" if call.when >= day_start else "Yesterday"
        if (
            rows
            and rows[-1][0] == section
            and rows[-1][1].number == call.number
            and rows[-1][1].kind == call.kind
        ):
            rows[-1] = (section, call, rows[-1][2] + 1)
        else:
            rows.append((section, call, 1))
    rows.reverse()

    y = 300
    current = ""
    for section, call, count in rows:
        if section != current:
            draw.text((60, y + 30), section, font=font(36, "Bold"), fill=grey)
            y += 100
            current = section
        name = contact_name(call.number) if call.number != WITHHELD else "Private number"
        if name == "(Unknown)":
            name = call.number
        label = f"{name} ({count})" if count > 1 else name
        colour = red if call.kind == MISSED else ink
        if call.number == WITHHELD:
            avatar(draw, 50, y + 10, 110, (154, 160, 166), None)
        else:
            avatar(
                draw, 50, y + 10, 110, (26, 115, 232) if call.number != SAM_PHONE else (0, 137, 123), name[0]
            )
        draw.text((200, y + 22), label, font=font(44), fill=colour)
        local = call.when.astimezone(LONDON)
        detail = "Mobile" if call.number != WITHHELD else "Unknown"
        # A small arrow: pointing in (down-left) for incoming, slashed for missed.
        ax, ay = 204, y + 98
        arrow = red if call.kind == MISSED else (30, 142, 62)
        draw.line((ax + 22, ay - 16, ax, ay + 6), fill=arrow, width=5)
        draw.line((ax, ay + 6, ax + 16, ay + 6), fill=arrow, width=5)
        draw.line((ax, ay + 6, ax, ay - 10), fill=arrow, width=5)
        draw.text((244, y + 80), f"{detail} \u2022 {local:%H:%M}", font=font(36), fill=grey)
        # Call-back handset on the right.
        draw.text((width - 110, y + 65), "\u2706", font=font(56), fill=(26, 115, 232), anchor="mm")
        y += 150

    # Bottom navigation: Favourites, Recents (selected), Contacts.
    bar = height - 230
    draw.rectangle((0, bar, width, height), fill=(242, 246, 252))
    for i, tab in enumerate(("Favourites", "Recents", "Contacts")):
        cx = width * (2 * i + 1) // 6
        if tab == "Recents":
            draw.rounded_rectangle((cx - 80, bar + 30, cx + 80, bar + 100), radius=35, fill=(211, 227, 253))
        icon = {"Favourites": "\u2606", "Recents": "\u25f7", "Contacts": "\u263a"}[tab]
        draw.text((cx, bar + 65), icon, font=font(50), fill=ink, anchor="mm")
        draw.text(
            (cx, bar + 135), tab, font=font(34, "Bold" if tab == "Recents" else ""), fill=ink, anchor="mm"
        )
    draw.ellipse((width - 220, bar - 200, width - 60, bar - 40), fill=(194, 231, 255))
    for dx in (-30, 0, 30):
        for dy in (-30, 0, 30):
            cx, cy = width - 140 + dx, bar - 120 + dy
            draw.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), fill=(0, 29, 53))
    nav_handle(draw, width, height)
    return png_bytes(img)


INSTAGRAM_DMS = (
    "You blocked me so I made a new one",
    "I'm not trying to upset you",
    "I just want five minutes. That's all I've ever asked for",
    "I know you've seen my texts",
    "Don't make me do this the hard way Jordan",
    "Answer me",
)


def instagram_png() -> bytes:
    """Screenshot_20260320-224512_Instagram.png: a message request from the new account @alex.m.2."""
    width, height = 1080, 2340
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    status_bar(draw, width, "22:45", 41)
    ink, grey = (0, 0, 0), (115, 115, 115)
    # Header: back arrow, avatar, name and handle, call icons.
    draw.line((60, 190, 90, 160), fill=ink, width=6)
    draw.line((60, 190, 90, 220), fill=ink, width=6)
    avatar(draw, 130, 140, 100, (199, 199, 204), None)
    draw.text((260, 148), "Alex", font=font(42, "Bold"), fill=ink)
    draw.text((260, 200), ALEX_INSTAGRAM_2, font=font(34), fill=grey)
    draw.text((width - 225, 190), "\u2706", font=font(60), fill=ink, anchor="mm")
    draw.rounded_rectangle((width - 140, 168, width - 95, 212), radius=10, outline=ink, width=5)
    draw.polygon([(width - 95, 190), (width - 62, 170), (width - 62, 210)], outline=ink, width=5)
    draw.line((0, 280, width, 280), fill=(219, 219, 219), width=2)

    # The profile card Instagram shows at the top of a chat with a new account.
    cx = width // 2
    avatar(draw, cx - 90, 320, 180, (199, 199, 204), None)
    draw.text((cx, 548), "Alex", font=font(46, "Bold"), fill=ink, anchor="mm")
    draw.text((cx, 604), f"{ALEX_INSTAGRAM_2} \u00b7 Instagram", font=font(36), fill=grey, anchor="mm")
    draw.text((cx, 654), "0 followers \u00b7 0 posts", font=font(36), fill=grey, anchor="mm")
    draw.text((cx, 704), "You don't follow each other on Instagram", font=font(36), fill=grey, anchor="mm")
    draw.rounded_rectangle((cx - 150, 745, cx + 150, 825), radius=20, fill=(239, 239, 239))
    draw.text((cx, 785), "View profile", font=font(36, "Bold"), fill=ink, anchor="mm")
    card_bottom = 825

    # Messages sit on the request bar, newest at the bottom, as a chat screen scrolls.
    bar = height - 380
    body = font(40)
    line_h = 52
    blocks: list[tuple[str | None, list[str]]] = [("20 Mar, 22:31", [])]
    for n, message in enumerate(INSTAGRAM_DMS):
        if n == 4:
            blocks.append(("20 Mar, 22:44", []))
        blocks.append((None, wrap(message, body, 700)))
    heights = [110 if stamp else line_h * len(lines) + 62 for stamp, lines in blocks]
    y = bar - 30 - sum(heights)
    assert y > card_bottom, "the messages would cover the profile card"
    for (stamp, lines), block_h in zip(blocks, heights, strict=True):
        if stamp:
            draw.text((width // 2, y + 55), stamp, font=font(32), fill=grey, anchor="mm")
        else:
            bubble_w = max(round(body.getlength(line)) for line in lines) + 72
            bubble_h = block_h - 10
            draw.rounded_rectangle((130, y, 130 + bubble_w, y + bubble_h), radius=46, fill=(239, 239, 239))
            for i, line in enumerate(lines):
                draw.text((166, y + 24 + i * line_h), line, font=body, fill=ink)
        y += block_h
    avatar(draw, 40, y - 10 - 70, 70, (199, 199, 204), None)

    # The message-request bar instead of the composer.
    draw.line((0, bar, width, bar), fill=(219, 219, 219), width=2)
    draw.text(
        (width // 2, bar + 70),
        f"Accept message request from {ALEX_INSTAGRAM_2}?",
        font=font(36, "Bold"),
        fill=ink,
        anchor="mm",
    )
    draw.text(
        (width // 2, bar + 130),
        "If you accept, they will also be able to call you and see",
        font=font(30),
        fill=grey,
        anchor="mm",
    )
    draw.text(
        (width // 2, bar + 170), "info such as your activity status.", font=font(30), fill=grey, anchor="mm"
    )
    for i, (label, colour) in enumerate(
        (("Block", (237, 73, 86)), ("Delete", (237, 73, 86)), ("Accept", ink))
    ):
        cx = width * (2 * i + 1) // 6
        draw.text((cx, bar + 260), label, font=font(40, "Bold"), fill=colour, anchor="mm")
    nav_handle(draw, width, height)
    return png_bytes(img)


SMEAR_POST = (
    "Posting this because people deserve to know who they're dealing with. Jordan Lee (some of you know her "
    "from the studio on Hoe Street) has been telling everyone I \u2018harassed\u2019 her. The truth is she "
    "emptied our joint account and walked out, and now she's playing the victim.\n\n"
    "If she comes to you with a sob story, ask her where the \u00a33,000 went. I have the bank statements. "
    "Some people are not who they seem."
)


SMEAR_COMMENTS = (
    ("Lauren Kaye", (176, 92, 60), "Wow. Would never have guessed, she always seemed so nice", "7h"),
    ("Dev Raman", (52, 120, 90), "This isn't the place for this mate. Take it down.", "6h"),
    ("Sam Patel", (0, 137, 123), "Reported. Anyone who knows Jordan knows this isn't true.", "1h"),
)


def smear_png() -> bytes:
    """Screenshot 2026-04-02 at 08.15.31.png: a macOS capture of the smear post in a browser window."""
    scale = 2  # a Retina capture: 144 dpi, twice the logical size

    def s(v: float) -> int:
        return round(v * scale)

    width = s(720)
    left, right, top = s(60), width - s(60), s(100)
    text_font, comment_font = font(s(15)), font(s(14))
    lines = wrap(SMEAR_POST, text_font, right - left - s(32))
    line_h = s(22)
    comments = [
        (who, colour, wrap(said, comment_font, right - left - s(120)), ago)
        for who, colour, said, ago in SMEAR_COMMENTS
    ]
    comments_h = sum(s(26) + s(19) * len(c[2]) + s(30) for c in comments)
    card_bottom = top + s(70) + line_h * len(lines) + s(112) + comments_h
    height = card_bottom + s(24)
    img = Image.new("RGB", (width, height), (240, 242, 245))
    draw = ImageDraw.Draw(img)
    ink, grey, blue = (5, 5, 5), (101, 103, 107), (8, 102, 255)

    # Browser chrome: traffic lights, address bar, the group's title bar.
    draw.rectangle((0, 0, width, s(40)), fill=(246, 246, 246))
    for i, colour in enumerate(((255, 95, 87), (254, 188, 46), (40, 200, 64))):
        draw.ellipse((s(16 + 20 * i), s(14), s(28 + 20 * i), s(26)), fill=colour)
    draw.rounded_rectangle((s(150), s(8), s(570), s(32)), radius=s(7), fill=(228, 228, 230))
    draw.text(
        (s(360), s(20)),
        "facebook.com/groups/e17noticeboard",
        font=font(s(12)),
        fill=(60, 60, 67),
        anchor="mm",
    )
    draw.rectangle((0, s(40), width, s(76)), fill=(255, 255, 255))
    draw.text(
        (s(20), s(58)), "Walthamstow & E17 Noticeboard", font=font(s(15), "Bold"), fill=ink, anchor="lm"
    )
    draw.text(
        (width - s(20), s(58)), "Public group \u00b7 18.4K members", font=font(s(12)), fill=grey, anchor="rm"
    )
    draw.line((0, s(76), width, s(76)), fill=(218, 221, 225), width=s(1))

    # The post card.
    draw.rounded_rectangle((left, top, right, card_bottom), radius=s(8), fill=(255, 255, 255))
    avatar(draw, left + s(16), top + s(14), s(40), (88, 101, 115), "A")
    draw.text((left + s(66), top + s(16)), ALEX_NAME, font=font(s(15), "Bold"), fill=ink)
    draw.text((left + s(66), top + s(37)), "8h \u00b7 Public", font=font(s(12)), fill=grey)
    draw.text((right - s(30), top + s(22)), "\u00b7\u00b7\u00b7", font=font(s(18), "Bold"), fill=grey)
    y = top + s(70)
    for line in lines:
        draw.text((left + s(16), y), line, font=text_font, fill=ink)
        y += line_h
    y += s(14)
    draw.ellipse((left + s(16), y, left + s(34), y + s(18)), fill=blue)
    draw.text((left + s(25), y + s(9)), "\u2714", font=font(s(10)), fill=(255, 255, 255), anchor="mm")
    draw.text((left + s(40), y + s(1)), "27", font=font(s(13)), fill=grey)
    draw.text((right - s(16), y + s(1)), "14 comments  3 shares", font=font(s(13)), fill=grey, anchor="ra")
    y += s(30)
    draw.line((left + s(16), y, right - s(16), y), fill=(206, 208, 212), width=s(1))
    for i, label in enumerate(("Like", "Comment", "Share")):
        cx = left + (right - left) * (2 * i + 1) // 6
        draw.text((cx, y + s(20)), label, font=font(s(14), "Bold"), fill=grey, anchor="mm")
    y += s(40)
    draw.line((left + s(16), y, right - s(16), y), fill=(206, 208, 212), width=s(1))
    y += s(14)
    for who, colour, comment_lines, ago in comments:
        avatar(draw, left + s(16), y, s(32), colour, who[0])
        bubble_h = s(26) + s(19) * len(comment_lines)
        bubble_w = max(
            max(comment_font.getlength(line) for line in comment_lines), font(s(13), "Bold").getlength(who)
        ) + s(24)
        draw.rounded_rectangle(
            (left + s(56), y, left + s(56) + round(bubble_w), y + bubble_h),
            radius=s(16),
            fill=(240, 242, 245),
        )
        draw.text((left + s(68), y + s(6)), who, font=font(s(13), "Bold"), fill=ink)
        for i, line in enumerate(comment_lines):
            draw.text((left + s(68), y + s(24) + i * s(19)), line, font=comment_font, fill=ink)
        draw.text(
            (left + s(68), y + bubble_h + s(4)), f"{ago}   Like   Reply", font=font(s(11), "Bold"), fill=grey
        )
        y += bubble_h + s(30)

    # macOS writes the pixel size and "Screenshot" as XMP (no dates) and a 144 dpi pHYs chunk.
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">\n'
        '   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '      <rdf:Description rdf:about=""\n'
        '            xmlns:exif="http://ns.adobe.com/exif/1.0/">\n'
        f"         <exif:PixelYDimension>{height}</exif:PixelYDimension>\n"
        f"         <exif:PixelXDimension>{width}</exif:PixelXDimension>\n"
        "         <exif:UserComment>Screenshot</exif:UserComment>\n"
        "      </rdf:Description>\n"
        "   </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    )
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    return png_bytes(img, info, dpi=144)


def beach_png() -> bytes:
    """The small picture in the MMS: an old holiday photo at sunset (drawn, 240x180)."""
    width, height = 240, 180
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    horizon = 110
    for y in range(horizon):
        k = y / horizon
        draw.line((0, y, width, y), fill=(round(70 + 180 * k), round(90 + 80 * k), round(160 - 60 * k)))
    draw.ellipse((150, 78, 190, 118), fill=(255, 214, 120))
    for y in range(horizon, 140):
        k = (y - horizon) / 30
        draw.line((0, y, width, y), fill=(round(40 + 30 * k), round(80 + 30 * k), round(130 + 10 * k)))
    for i in range(6):  # glints on the water
        y = horizon + 4 + i * 5
        draw.line((150 - i * 4, y, 190 + i * 4, y), fill=(250, 200, 130), width=1)
    for y in range(140, height):
        k = (y - 140) / 40
        draw.line((0, y, width, y), fill=(round(214 - 30 * k), round(190 - 30 * k), round(150 - 30 * k)))
    draw.text((8, 160), "Brighton, Aug '24", font=font(12), fill=(60, 40, 20))
    return png_bytes(img)


LETTER = (
    "Jordan,\n\n"
    "I don't know if Sam will even give you this. I'm not writing to argue. I just need you to know "
    "I'm not the person you think I am. I've changed.\n\n"
    "I'll wait as long as it takes. I'm not going anywhere until you hear me out. You owe us that much "
    "after five years.\n\n"
    "Please. Ten minutes.\n\n"
    "Always yours,\n"
    "A x"
)


def letter_jpg() -> bytes:
    """The photo in Sam's chat: a handwritten letter on a table, as WhatsApp recompresses it (no EXIF)."""
    width, height = 720, 960
    img = Image.new("RGB", (width, height), (120, 86, 60))
    draw = ImageDraw.Draw(img)
    for x in range(0, width, 6):  # wood grain
        shade = noise(f"grain {x}", 30)
        draw.line((x, 0, x + 40, height), fill=(110 + shade, 78 + shade // 2, 52 + shade // 3), width=6)
    paper = Image.new("RGB", (560, 780), (248, 245, 236))
    pdraw = ImageDraw.Draw(paper)
    rule = 38
    for y in range(90, 780, rule):  # ruled lines
        pdraw.line((20, y, 540, y), fill=(196, 214, 232), width=2)
    pdraw.line((70, 0, 70, 780), fill=(232, 170, 170), width=2)
    hand = font(23, "Serif-Italic")
    for n, line in enumerate(wrap(LETTER, hand, 440)):
        pdraw.text((84, 90 + n * rule - 7), line, font=hand, fill=(28, 42, 110), anchor="ls")
    rotated = paper.rotate(-3.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", paper.size, 255).rotate(-3.5, resample=Image.Resampling.BICUBIC, expand=True)
    img.paste(rotated, ((width - rotated.width) // 2, (height - rotated.height) // 2 + 10), mask)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=72, optimize=True)
    return buf.getvalue()


# -- the diary and the case facts -------------------------------------------------------------------------


def local_iso(moment: datetime) -> str:
    """ISO 8601 in London time with its offset, to the minute: ``2026-03-14T21:41:00+00:00``."""
    return moment.astimezone(LONDON).isoformat(timespec="seconds")


def diary() -> dict[str, object]:
    """Jordan's incident diary, in the file format ``evidence diary add`` writes.

    Times are London local with their offsets; ``approximate`` marks a time the author was not sure of and
    ``incident_until`` an incident that lasted a while.
    """

    def entry(
        n: int,
        start: datetime,
        written: datetime,
        text: str,
        *,
        until: datetime | None = None,
        approximate: bool = False,
        where: str = "Home",
        witness: str | None = None,
        police_ref: str | None = None,
    ) -> dict[str, object]:
        return {
            "id": f"D{n:02d}",
            "incident_at": local_iso(start),
            "incident_until": local_iso(until) if until else None,
            "approximate": approximate,
            "written_at": local_iso(written),
            "where": where,
            "witness": witness,
            "police_ref": police_ref,
            "text": text,
        }

    entries = [
        entry(
            1,
            at(2026, 3, 1, 18, 2),
            at(2026, 3, 1, 22, 40),
            "Told Alex by text that it's over and asked him not to contact me. He texted and rang all evening. "
            "Blocked 07700 900123 at about 10pm.",
        ),
        entry(
            2,
            at(2026, 3, 7, 18, 0),
            at(2026, 3, 7, 21, 15),
            "Alex was standing across the road from the office when I came out, around 6. He didn't come "
            "over, just watched me walk to the bus stop. Priya saw him too and waited with me for the bus.",
            approximate=True,
            where="Outside work, Mare Street, Hackney",
            witness="Priya Shah (colleague)",
        ),
        entry(
            3,
            at(2026, 3, 12, 8, 0),
            at(2026, 3, 12, 8, 45),
            f"Blocked Alex's Instagram (@{ALEX_INSTAGRAM_1}) after he commented on every post I've made "
            "since January, overnight.",
            approximate=True,
        ),
        entry(
            4,
            at(2026, 3, 14, 20, 41),
            at(2026, 3, 15, 0, 20),
            "Twelve missed calls between 20:41 and 21:31 from 07700 900456 and a withheld number, plus texts. "
            "At 21:29 he texted that he knew I was in because my light was on. I took a screenshot of the call "
            "list, then rang 101 at 21:41 and reported it. Reference " + POLICE_REF + ". Two officers came "
            "round at about 23:10; he had gone by then. They took a statement and advised me to keep "
            "everything.",
            until=at(2026, 3, 14, 21, 31),
            police_ref=POLICE_REF,
        ),
        entry(
            5,
            at(2026, 3, 15, 10, 12),
            at(2026, 3, 15, 11, 0),
            "Sam emailed me what Alex had asked him to tell me. I told Sam not to pass anything else on. Sam "
            "later gave me his WhatsApp chat with Alex, with the photo of the letter.",
        ),
        entry(
            6,
            at(2026, 3, 20, 22, 31),
            at(2026, 3, 20, 23, 5),
            f"Message request on Instagram from a new account, @{ALEX_INSTAGRAM_2} (0 followers, 0 posts). "
            "Definitely Alex. Screenshot taken 22:45, then blocked and reported the account.",
        ),
        entry(
            7,
            at(2026, 3, 21, 23, 41),
            at(2026, 3, 22, 9, 30),
            "Calls again from 23:41 until after half past midnight, twelve of them, two withheld. Didn't sleep.",
            until=at(2026, 3, 22, 0, 38),
        ),
        entry(
            8,
            at(2026, 3, 22, 19, 4),
            at(2026, 3, 22, 20, 0),
            "Voicemail from 07700 900456. He says: \"It's me. I know you're getting these. I'm not going to "
            'stop until you talk to me, so you might as well." Saved the recording. Blocked this number too.',
        ),
        entry(
            9,
            at(2026, 3, 24, 17, 32),
            at(2026, 3, 24, 18, 0),
            "Answered a number I didn't know (07700 900789). It was Alex. Hung up after a few seconds and "
            "texted him to stop, and that I'd go back to the police.",
        ),
        entry(
            10,
            at(2026, 3, 29, 0, 55),
            at(2026, 3, 29, 9, 10),
            "Woken by a call at 00:55 and another at 02:05 (the clocks went forward in between, so it was only "
            "ten minutes). Text at 02:06.",
            until=datetime(2026, 3, 29, 1, 6, tzinfo=UTC),
        ),
        entry(
            11,
            at(2026, 4, 2, 8, 10),
            at(2026, 4, 2, 8, 30),
            "A friend sent me a post Alex put in the E17 noticeboard group last night saying I stole money "
            "from him. Screenshot taken on the laptop at 08:15. Reported the post. Sam told me Alex had asked "
            "him to share it.",
            approximate=True,
        ),
        entry(
            12,
            at(2026, 4, 6, 23, 18),
            at(2026, 4, 6, 23, 40),
            'Email from his second address saying "you did this". Blocked 07700 900789.',
        ),
        entry(
            13,
            at(2026, 4, 10, 14, 0),
            at(2026, 4, 10, 19, 20),
            'Flowers and a card on the doorstep when I got home at 6. Card says "I\'m not giving up on us. A x". '
            "Mrs Evans at no. 14 saw a man who looked like Alex at the door around 4.",
            until=at(2026, 4, 10, 18, 0),
            approximate=True,
            witness="Mrs Evans (neighbour, no. 14)",
        ),
        entry(
            14,
            at(2026, 4, 13, 21, 12),
            at(2026, 4, 14, 8, 40),
            "Four withheld calls between 21:12 and 21:25. Rang 101 this morning to add everything since the "
            "14th to my report.",
            until=at(2026, 4, 13, 21, 25),
            police_ref=POLICE_REF,
        ),
    ]
    # The file format ``evidence diary add`` writes (evidence/importers/diary.py), so the demo imports it as
    # diary records; ``id`` and ``incident_until`` are extra keys that importer keeps out of its records.
    return {"evidence_diary": 1, "author": JORDAN_NAME, "entries": entries}


def case_facts() -> dict[str, object]:
    """The facts of the case, for the commands that add people and write the report."""
    return {
        "format": "evidence-samples-case/1",
        "title": "Harassment of Jordan Lee by Alex Morgan",
        "tz": "Europe/London",
        "no_contact_since": "2026-03-01",
        "owner": {
            "name": JORDAN_NAME,
            "phones": [JORDAN_PHONE],
            "emails": [JORDAN_EMAIL],
            "whatsapp_name": JORDAN_NAME,
        },
        "respondent": {
            "name": ALEX_NAME,
            "relationship": "former partner (five years); contact ended by the owner on 2026-03-01",
            "aliases": ["Alex", ALEX_INSTAGRAM_2],
            "phones": [
                {
                    "number": ALEX_PHONE_1,
                    "saved_as": CONTACTS[ALEX_PHONE_1],
                    "first_seen": "2026-03-01",
                    "blocked": "2026-03-01",
                },
                {
                    "number": ALEX_PHONE_2,
                    "saved_as": CONTACTS[ALEX_PHONE_2],
                    "first_seen": "2026-03-04",
                    "blocked": "2026-03-22",
                    "whatsapp_blocked": "2026-03-18",
                },
                {
                    "number": ALEX_PHONE_3,
                    "saved_as": None,
                    "first_seen": "2026-03-24",
                    "blocked": "2026-04-06",
                },
            ],
            "emails": [
                {"address": ALEX_EMAIL_1, "first_seen": "2026-03-03"},
                {"address": ALEX_EMAIL_2, "first_seen": "2026-03-27"},
            ],
            "handles": [
                {"platform": "instagram", "handle": ALEX_INSTAGRAM_1, "blocked": "2026-03-12"},
                {
                    "platform": "instagram",
                    "handle": ALEX_INSTAGRAM_2,
                    "first_seen": "2026-03-20",
                    "blocked": "2026-03-20",
                },
                {"platform": "facebook", "handle": ALEX_NAME, "first_seen": "2026-04-01"},
            ],
            "withheld_calls_attributed": True,
        },
        "third_parties": [
            {
                "name": SAM_NAME,
                "role": "mutual friend; relayed a message on 2026-03-15; gave the owner his WhatsApp export",
                "phones": [SAM_PHONE],
                "emails": [SAM_EMAIL],
            },
            {"name": "Priya Shah", "role": "colleague; witness on 2026-03-07"},
            {"name": "Mrs Evans", "role": "neighbour; witness on 2026-04-10"},
        ],
        "police": [
            {
                "force": "Metropolitan Police Service",
                "reference": POLICE_REF,
                "reported_at": local_iso(at(2026, 3, 14, 21, 41)),
                "how": "101 non-emergency line",
                "updated_at": local_iso(at(2026, 4, 14, 8, 40)),
            }
        ],
    }


def json_bytes(data: object) -> bytes:
    """Pretty JSON, UTF-8, keys in the order written, trailing newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


# -- the folder --------------------------------------------------------------------------------------------


def build() -> dict[str, bytes]:
    """Every sample file, name to bytes."""
    return {
        "sms-20260415093000.xml": sms_xml(beach_png()),
        "calls-20260415093000.xml": calls_xml(),
        "call-log-carrier.csv": carrier_csv(),
        "WhatsApp Chat with Alex.txt": android_chat(),
        "WhatsApp Chat - Alex Morgan.zip": chat_zip(letter_jpg()),
        "alex-emails.mbox": mbox(),
        f"{SAM_EMAIL_SUBJECT}.eml": sam_eml(),
        "Voicemail 2026-03-22 at 19.04.wav": voicemail_wav(),
        "Screenshot_20260314-213344.png": missed_calls_png(),
        "Screenshot_20260320-224512_Instagram.png": instagram_png(),
        "Screenshot 2026-04-02 at 08.15.31.png": smear_png(),
        "diary.json": json_bytes(diary()),
        "case.json": json_bytes(case_facts()),
    }


class RefusedError(Exception):
    """The output folder holds files this script did not write."""


def prepare(outdir: Path) -> None:
    """Make ``outdir`` ready: create it, or clear this script's previous output from it; refuse otherwise."""
    if not outdir.exists():
        outdir.mkdir(parents=True)
        return
    if not outdir.is_dir():
        raise RefusedError(f"{outdir}: exists and is not a folder")
    present = {p.name for p in outdir.iterdir()}
    if not present:
        return
    marker = outdir / MARKER
    if not marker.is_file():
        raise RefusedError(f"{outdir}: folder is not empty and was not made by this script; choose another")
    ours = {line for line in marker.read_text().splitlines()[1:] if line}
    foreign = sorted(present - ours - {MARKER})
    if foreign:
        raise RefusedError(f"{outdir}: holds files this script did not write ({', '.join(foreign)})")
    for name in sorted(present):
        path = outdir / name
        if path.is_dir() and not path.is_symlink():
            raise RefusedError(f"{outdir}: {name} is a folder; this script writes only files")
        path.unlink()


def generate(outdir: Path) -> list[Path]:
    """Write the sample case into ``outdir``; returns the files written (the marker not included)."""
    files = build()
    prepare(outdir)
    written = []
    for name, data in files.items():
        path = outdir / name
        path.write_bytes(data)
        written.append(path)
    names = "\n".join(sorted(files))
    (outdir / MARKER).write_text(f"written by samples/make_samples.py; safe to delete\n{names}\n")
    return written


def main(argv: Sequence[str]) -> int:
    """``make_samples.py OUTDIR``: 0 on success, 2 on a usage error or a folder it will not touch."""
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: make_samples.py OUTDIR", file=sys.stderr)
        return 2
    try:
        written = generate(Path(argv[1]))
    except RefusedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total // 1024} KiB) to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
