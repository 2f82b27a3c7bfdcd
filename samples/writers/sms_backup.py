"""SMS Backup & Restore (Android): ``sms-*.xml`` with every text and the picture message, and
``calls-*.xml`` with the call log, escaped the way the app escapes (surrogate pairs as two references)."""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Sequence
from datetime import datetime

from samples.story import (
    ALEX_PHONE_2,
    BACKUP_AT,
    BACKUP_SET,
    CALLS,
    JORDAN_PHONE,
    LONDON,
    MMS_AT,
    MMS_TEXT,
    MONTHS,
    TEXTS,
    WITHHELD,
    Text,
    contact_name,
    epoch_ms,
    noise,
    with_ms,
)


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
