"""E-mail: Alex's four messages as a Google Takeout ``.mbox`` (Received chains, X-GM headers, MIME
in the styles of iPhone Mail) and Sam's relayed message as a Thunderbird ``.eml`` (format=flowed, CRLF)."""

from __future__ import annotations

import base64
import hashlib
import quopri
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from samples.story import (
    ALEX_EMAIL_1,
    ALEX_EMAIL_2,
    ALEX_NAME,
    JORDAN_EMAIL,
    JORDAN_NAME,
    LONDON,
    MONTHS,
    PACIFIC,
    SAM_EMAIL,
    SAM_NAME,
    WEEKDAYS,
    at,
    epoch_ms,
    noise,
)


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
