"""WhatsApp exports: Jordan's Android ``.txt`` of the chat with Alex's second number, and Sam's iPhone
``.zip`` (``_chat.txt`` and the photo of the letter, fixed entry times)."""

from __future__ import annotations

import io
import zipfile

from samples.story import ALEX_NAME, JORDAN_NAME, SAM_NAME

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
