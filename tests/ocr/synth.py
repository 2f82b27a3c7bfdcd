"""Synthetic phone screenshots with exact ground truth, for the OCR layout tests and benchmark (issue #4).

Each image is drawn with Pillow: a status bar (clock, signal, battery), an app header (contact name or phone
number, or the mailbox / call-log title), then the content of one of these screens:

- chats styled like WhatsApp (tails, times inside the bubbles, wallpaper), iMessage/SMS (blue, green or grey
  bubbles, times under some bubbles) and Instagram DMs (round bubbles, times beside some bubbles), light and
  dark themes, date separators ("Yesterday", "Mon 14 Mar");
- call logs in an Android and an iOS style (missed calls in red, direction arrows, "(3)" counts, time or day);
- an email inbox list (sender, time, subject, snippet) and an open email (subject, sender, date, body).

Categories: ``light`` and ``dark`` (chats), ``email``, ``call_list``, and the degraded copies of chats ``jpeg``
(JPEG quality 60-85) and ``scaled`` (resized to 50-60 %, boxes scaled with it).

Ground truth (``NAME.json`` beside ``NAME.png`` / ``NAME.jpg``) uses the field names of
``evidence.ocr.layout.Message`` / ``Layout``::

    {"category", "kind", "header", "text", "width", "height", "seed", "style": {...},
     "messages": [{"direction", "text", "shown_time", "bbox", "sender", "call", "count", "fill"}]}

- ``bbox`` is the bubble's body (without its tail), the whole call-log row, the whole inbox row, or the body
  of an open email, in pixels of the saved image. A WhatsApp time is drawn inside its bubble's box; iMessage
  and Instagram times are outside it (under or beside the bubble).
- ``text`` of a bubble: its lines joined by single spaces (the time is not part of it). Call rows: the name or
  number as shown, without the "(3)" count. Inbox rows: subject and snippet joined by one space, the sender in
  ``sender``. Open email: the body lines joined, the sender's name in ``sender``, the subject in ``header``.
- ``fill`` (not part of the layout interface) is the RGB colour of the bubble or row background, for tests.
- The top-level ``text`` is every string drawn, top to bottom, one line each (status clock included).

Deterministic: the same seed gives byte-identical files (``random.Random`` per image, no time or hash-order
dependence; PNG and JPEG encoders given fixed options).

Usage: ``python -m tests.ocr.synth OUT_DIR [--per-category N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageDraw, ImageFont

CATEGORIES: Final = ("light", "dark", "email", "call_list", "jpeg", "scaled")
FONT_DIR: Final = Path("/usr/share/fonts/truetype")
FONTS: Final = {
    "roboto": ("roboto/unhinted/RobotoTTF/Roboto-Regular.ttf", "roboto/unhinted/RobotoTTF/Roboto-Bold.ttf"),
    "dejavu": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "liberation": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
}
WIDTHS: Final = (1080, 1080, 750, 1170)
ASPECT_PERMILLE: Final = 2167  # 1080 x 2340

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]

# Messages a harasser sends: angry, love-bombing, guilt-tripping, threatening. Straight apostrophes only;
# digits, URLs, phone numbers, capital I and l/1/O/0 on purpose (tesseract's usual confusions).
SENTENCES: Final = (
    "Why are you ignoring me?",
    "I know you read my last message.",
    "Answer the phone right now.",
    "I called you 11 times today.",
    "You can't just block me and pretend I don't exist.",
    "I will be outside your work at 5:30.",
    "Pick up. I mean it.",
    "I saw your car outside Sam's place at 10 last night.",
    "Don't make me come over there.",
    "I love you more than anything, you know that.",
    "Nobody will ever love you like I do.",
    "I'm sorry, I didn't mean it. Please talk to me.",
    "You're nothing without me.",
    "After everything I did for you, this is how you treat me?",
    "If you leave, I don't know what I'll do to myself.",
    "You'll regret this.",
    "Check this out: www.example.com/photos/2024",
    "Call me back on 07700 900123 or else.",
    "My new number is +44 7700 900456, save it.",
    "It's 3am and I'm still waiting.",
    "I'm at the door. Open it.",
    "I know where your mum lives, 14 Oak Road.",
    "Everyone will see the pictures by Friday.",
    "I have 100 screenshots of your messages.",
    "Just one coffee, 10 minutes, that's all I ask.",
    "You owe me 250 pounds and you know it.",
    "I'll tell everyone what you really are.",
    "Stop lying to me.",
    "Who is Oliver? I saw his name on your phone.",
    "I followed you to the gym on Tuesday.",
    "You looked nice in the blue dress today.",
    "Why did you change your password?",
    "I still have the key to your flat.",
    "I left something on your doorstep. Go look.",
    "Reply or I'm calling your boss.",
    "I'm not going anywhere.",
    "Did you really think I wouldn't find out?",
    "Room 101 at the Hotel Olympia, 8pm. Be there.",
    "I'll wait at the station until 11:45.",
    "You made me do this.",
    "It's your fault I lost my job.",
    "I'm the only one who understands you.",
    "You'll never find anyone better.",
    "Please, I'm begging you, one more chance.",
    "I bought you flowers, 12 red roses. Come get them.",
    "I'm sorry about last night. It won't happen again.",
    "Look at what you did to me.",
    "I'll make your life hell.",
    "You think the police care? They don't.",
    "Go ahead, call them. See what happens.",
    "I have your passport, if you want it back call me.",
    "I'll post everything on http://bit.ly/3xOl0Il tonight.",
    "Open the door, I can see the lights on.",
    "I'm parked across the road in the silver Golf.",
    "Remember what happened to your last phone?",
    "You can't hide from me forever.",
    "I know your new address, flat 10B.",
    "Tell Lily I said hello. She's grown so much.",
    "Why were you with him at 1:10 on Saturday?",
    "I'm sending this to your whole family.",
    "Your sister blocked me too. Real mature.",
    "I just want to talk, is that so hard?",
    "I called 0800 111 999 and they said I'm right.",
    "Last warning, Jordan.",
    "Don't ignore me, Jordan.",
    "I'll be there at 7. Don't be late.",
    "Fine. Have it your way.",
    "You'll be sorry when I'm gone.",
    "I can't sleep, I can't eat, this is on you.",
    "We were happy until your friends got involved.",
    "Ollie told me everything.",
    "I'm watching you.",
    "Nice jacket today. Red suits you.",
    "I'll never let you go.",
    "I got a new phone so you can't block me: 07911 123456.",
    "I'm outside. Come down.",
    "Your instagram is public again, I see everything.",
    "I sent the letter to your office at 10 Lime St.",
    "You promised me forever.",
    "Answer me!!!",
    "Are you seriously going to ignore 40 messages?",
    "I paid for that laptop, I want it back by Monday.",
    "I told your landlord about the dog.",
    "It's not over until I say it is.",
    "Call me. Now.",
    "I'm not angry, I just need to hear your voice.",
    "I'm sorry I shouted. I love you.",
    "You always ruin everything.",
    "I can make this easy or hard, your choice.",
    "I know you changed the locks on 01/03.",
    "Did you get my email? I sent it at 9:15.",
    "I'll be at your mum's for Sunday lunch.",
    "You're crazy, nobody will believe you.",
    "Everyone thinks you're the problem, not me.",
    "I hope you're happy now.",
    "I drove past 3 times tonight.",
    "Look outside your window.",
    "Don't bother changing your number again.",
    "I'm coming to the school gates at 3:15.",
    "If I can't have you, nobody can.",
    "I've booked us a table at Olivia's, 8:30.",
    "You left your scarf in my car. Come and get it.",
    "I still love you, I always will.",
    "Why won't you let me explain?",
    "I know you're reading these.",
    "You have until midnight to reply.",
    "The 2 of us were meant to be together.",
    "I'm the victim here, not you.",
    "You're overreacting as usual.",
    "I'll show up at the wedding on the 10th.",
    "Do you want me to lose it? Keep ignoring me.",
    "My lawyer will call you, 020 7946 0018.",
    "I found your new account @lila_0101.",
    "I'm at the Oak Tree pub, come now.",
    "Your friend Ian said you were out till 1.",
    "Tell me where you are.",
    "I'll find out where you are anyway.",
    "Thanks for nothing.",
    "I'm done being nice.",
    "One word from me and you lose that job.",
    "I'll be waiting at platform 10.",
    "Reply with yes or no.",
    "I'm so lonely without you.",
    "I can change, I promise.",
    "I bought the ring. It's still in my drawer.",
    "You'd be nothing without my money.",
    "I'm keeping the cat. Deal with it.",
    "You think you're clever, don't you?",
    "I've got 0 patience left.",
    "I heard you laughing at me.",
    "I know your shift ends at 11.",
    "You're going to pay for this.",
    "It's been 101 days. Talk to me.",
    "I'm in the car park, level 0, bay 11.",
    "See you soon.",
    "Sleep well. I'll be thinking of you.",
    "Good morning beautiful, I'm outside.",
    "I miss you. Why are you doing this to us?",
    "All I did was love you and this is what I get.",
    "I'll take the kids, see if I don't.",
    "The court won't give you anything, I'll make sure.",
    "I read your diary. Page 10 was interesting.",
    "Your phone says you're at Lola's. Hi Lola.",
    "I put a tracker on nothing, relax. Or did I?",
    "Let's start over, just you and I.",
    "I'm not the bad guy, I never was.",
    "Why is your light off? I know you're in.",
    "I'm ill because of you.",
    "You left me no choice.",
    "Lol. As if I'd let you walk away that easily.",
)
NAMES: Final = (
    "Jordan",
    "Alex Morgan",
    "Sam",
    "Chris Taylor",
    "Mum",
    "Lily Evans",
    "Oliver Hill",
    "Ian Cole",
    "Jamie",
    "Dan Lloyd",
    "Olivia",
    "Lola Ibsen",
    "Work - Ella",
    "Kim Doyle",
)
NUMBERS: Final = (
    "+44 7700 900123",
    "07700 900456",
    "+1 (555) 014-2298",
    "(555) 010-1100",
    "+44 20 7946 0018",
    "07911 123456",
    "+33 6 12 34 56 78",
    "Unknown",
    "No Caller ID",
)
SUBJECTS: Final = (
    "We need to talk",
    "Your stuff",
    "Final warning",
    "Re: Why won't you answer",
    "I'm sorry",
    "Photos from Saturday",
    "Money you owe me",
    "Don't ignore this",
    "Re: Re: the flat",
    "Read this before Friday",
    "You left this at mine",
    "Last chance",
)
EMAILS: Final = (
    "alex.morgan@example.com",
    "jordan1990@example.org",
    "sam.t@example.net",
    "no-reply@example.com",
    "c.taylor@example.co.uk",
)
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Truth:
    """Ground truth being built while drawing one screen."""

    category: str
    kind: str
    header: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    lines: list[tuple[int, int, str]] = field(default_factory=list)  # (y, x, text) of everything drawn
    style: dict[str, Any] = field(default_factory=dict)

    def drawn(self, x: int, y: int, text: str) -> None:
        """Record a string drawn at ``(x, y)`` (for the full text)."""
        self.lines.append((y, x, text))

    def full_text(self) -> str:
        """Every drawn string top to bottom, left to right; strings on one visual line joined by a space."""
        ordered = sorted(self.lines)
        rows: list[tuple[int, list[str]]] = []
        for y, _x, text in ordered:
            if rows and abs(y - rows[-1][0]) <= 6:
                rows[-1][1].append(text)
            else:
                rows.append((y, [text]))
        return "\n".join(" ".join(parts) for _, parts in rows)


class Canvas:
    """An image, its drawing context and the fonts at this screen's scale."""

    def __init__(self, width: int, height: int, bg: RGB, family: str, body_px: int) -> None:
        self.img = Image.new("RGB", (width, height), bg)
        self.draw = ImageDraw.Draw(self.img)
        self.width = width
        self.height = height
        self.family = family
        self.body_px = body_px
        self._fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}

    def font(self, px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The screen's font family at ``px`` pixels."""
        key = (px, bold)
        if key not in self._fonts:
            path = FONT_DIR / FONTS[self.family][1 if bold else 0]
            self._fonts[key] = ImageFont.truetype(str(path), px)
        return self._fonts[key]

    def u(self, value: int) -> int:
        """A length given for a 1080-wide screen, at this screen's width."""
        return max(1, value * self.width // 1080)

    def text(
        self, truth: Truth, xy: tuple[int, int], text: str, font: ImageFont.FreeTypeFont, fill: RGB
    ) -> None:
        """Draw ``text`` with its top-left at ``xy`` (the font's ascender line) and record it."""
        self.draw.text(xy, text, font=font, fill=fill)
        truth.drawn(xy[0], xy[1], text)

    def width_of(self, text: str, font: ImageFont.FreeTypeFont) -> int:
        """Advance width of ``text`` in pixels."""
        return int(font.getlength(text) + 0.999)


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``max_width`` (a longer word gets its own line)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def line_height(font: ImageFont.FreeTypeFont) -> int:
    """Distance between baselines of wrapped lines."""
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * 1.15)


def clock_text(rng: random.Random, twelve: bool, minute_of_day: int | None = None) -> str:
    """A time as a phone shows it: ``21:33`` or ``9:41 PM`` (random unless ``minute_of_day`` is given)."""
    if minute_of_day is None:
        minute_of_day = rng.randrange(24 * 60)
    hour, minute = divmod(minute_of_day % (24 * 60), 60)
    if twelve:
        return f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"
    return f"{hour:02d}:{minute:02d}"


def newest_first(rng: random.Random, twelve: bool, count: int) -> list[str]:
    """Times of a list sorted newest first: today's times going back, Yesterday, the week's days, dates."""
    shown: list[str] = []
    minute = rng.randrange(8 * 60, 24 * 60)
    stage = 0
    today = rng.randrange(7)
    days_back = 2  # the next weekday shown is two days ago (yesterday has its own word)
    day_of_year = rng.randrange(200, 330) - 7  # dates start a week back
    for _ in range(count):
        if stage == 0 and minute > 0 and rng.random() < 0.8:
            shown.append(clock_text(rng, twelve, minute))
            minute -= rng.randint(1, 150)
        elif stage <= 1 and rng.random() < 0.6:
            stage = 1
            shown.append("Yesterday")
        elif stage <= 2 and days_back < 7 and rng.random() < 0.7:
            stage = 2
            day = WEEKDAYS[(today - days_back) % 7]
            days_back += rng.randint(0, 1)
            shown.append(f"{day} {clock_text(rng, twelve)}" if rng.random() < 0.3 else day)
        else:
            stage = 3
            day_of_year = max(1, day_of_year - rng.randint(0, 9))
            month, day_in_month = divmod(day_of_year - 1, 28)
            shown.append(f"{day_in_month + 1} {MONTHS[month % 12]}")
    return shown


def day_text(rng: random.Random, twelve: bool) -> str:
    """A date separator: ``Today``, ``Yesterday``, ``Mon 14 Mar``, ``14 Mar 2026`` or ``Mon 9:41 PM``."""
    choice = rng.randrange(5)
    if choice == 0:
        return "Today"
    if choice == 1:
        return "Yesterday"
    if choice == 2:
        return f"{rng.choice(WEEKDAYS)} {rng.randint(1, 28)} {rng.choice(MONTHS)}"
    if choice == 3:
        return f"{rng.choice(('Yesterday', *WEEKDAYS))} {clock_text(rng, twelve)}"
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} 2026"


def status_bar(c: Canvas, truth: Truth, rng: random.Random, ink: RGB, twelve: bool) -> int:
    """Clock on the left, signal bars and battery on the right; returns the bar's height."""
    height = c.u(96)
    font = c.font(c.u(36), bold=True)
    clock = clock_text(rng, twelve).replace(" AM", "").replace(" PM", "")
    c.text(truth, (c.u(48), c.u(28)), clock, font, ink)
    right = c.width - c.u(48)
    bw, bh = c.u(56), c.u(28)
    top = c.u(34)
    c.draw.rounded_rectangle((right - bw, top, right, top + bh), radius=c.u(6), outline=ink, width=c.u(3))
    level = rng.randint(15, 100)
    c.draw.rectangle(
        (
            right - bw + c.u(5),
            top + c.u(5),
            right - bw + c.u(5) + (bw - c.u(10)) * level // 100,
            top + bh - c.u(5),
        ),
        fill=ink,
    )
    x = right - bw - c.u(80)
    for i in range(4):
        bar_h = c.u(8 + 6 * i)
        c.draw.rectangle((x + i * c.u(14), top + bh - bar_h, x + i * c.u(14) + c.u(9), top + bh), fill=ink)
    return height


@dataclass(frozen=True)
class ChatStyle:
    """Colours and shapes of one chat app in one theme."""

    app: str
    bg: RGB
    bar: RGB  # header background
    bar_ink: RGB
    incoming: RGB
    outgoing: RGB
    in_ink: RGB
    out_ink: RGB
    meta: RGB  # times, separators
    radius: int  # at 1080 wide
    wallpaper: bool


def chat_style(app: str, dark: bool, rng: random.Random) -> ChatStyle:
    """The style of ``app`` (whatsapp, imessage, sms, instagram) in the light or dark theme."""
    if app == "whatsapp":
        if dark:
            return ChatStyle(
                app,
                (11, 20, 26),
                (31, 44, 52),
                (233, 237, 239),
                (32, 44, 51),
                (0, 92, 75),
                (233, 237, 239),
                (233, 237, 239),
                (134, 150, 160),
                18,
                True,
            )
        return ChatStyle(
            app,
            (239, 234, 226),
            (0, 128, 105),
            (255, 255, 255),
            (255, 255, 255),
            (217, 253, 211),
            (17, 27, 33),
            (17, 27, 33),
            (102, 119, 129),
            18,
            True,
        )
    if app in ("imessage", "sms"):
        out = (11, 132, 255) if app == "imessage" else (52, 199, 89)
        if dark:
            return ChatStyle(
                app,
                (0, 0, 0),
                (28, 28, 30),
                (255, 255, 255),
                (38, 38, 41),
                out,
                (255, 255, 255),
                (255, 255, 255),
                (142, 142, 147),
                40,
                False,
            )
        return ChatStyle(
            app,
            (255, 255, 255),
            (246, 246, 246),
            (0, 0, 0),
            (233, 233, 235),
            out,
            (0, 0, 0),
            (255, 255, 255),
            (142, 142, 147),
            40,
            False,
        )
    out = rng.choice(((120, 70, 255), (55, 151, 240)))
    if dark:
        return ChatStyle(
            app,
            (0, 0, 0),
            (0, 0, 0),
            (245, 245, 245),
            (38, 38, 38),
            out,
            (245, 245, 245),
            (255, 255, 255),
            (168, 168, 168),
            44,
            False,
        )
    return ChatStyle(
        app,
        (255, 255, 255),
        (255, 255, 255),
        (0, 0, 0),
        (239, 239, 239),
        out,
        (0, 0, 0),
        (255, 255, 255),
        (142, 142, 142),
        44,
        False,
    )


def wallpaper(c: Canvas, style: ChatStyle, rng: random.Random, top: int) -> None:
    """A vertical gradient with faint doodles (WhatsApp-like), or a plain gradient for other apps."""
    shift = rng.randint(8, 20) * (1 if sum(style.bg) < 300 else -1)
    end = tuple(min(255, max(0, v + shift)) for v in style.bg)
    for y in range(top, c.height):
        t = (y - top) * 1000 // max(1, c.height - top)
        colour = tuple(style.bg[i] + (end[i] - style.bg[i]) * t // 1000 for i in range(3))
        c.draw.line((0, y, c.width, y), fill=colour)
    doodle = tuple(min(255, max(0, v + (10 if sum(style.bg) < 300 else -10))) for v in style.bg)
    for _ in range(60):
        x, y = rng.randrange(c.width), rng.randrange(top, c.height)
        r = c.u(rng.randint(10, 26))
        if rng.random() < 0.5:
            c.draw.ellipse((x - r, y - r, x + r, y + r), outline=doodle, width=c.u(3))
        else:
            c.draw.line((x - r, y, x + r, y + r), fill=doodle, width=c.u(3))


def chat_header(c: Canvas, truth: Truth, style: ChatStyle, rng: random.Random, top: int, contact: str) -> int:
    """Back arrow, avatar and the contact's name or number; returns the header's bottom."""
    height = c.u(150)
    c.draw.rectangle((0, 0, c.width, top + height), fill=style.bar)
    mid = top + height // 2
    c.draw.line((c.u(30), mid, c.u(60), mid - c.u(30)), fill=style.bar_ink, width=c.u(6))
    c.draw.line((c.u(30), mid, c.u(60), mid + c.u(30)), fill=style.bar_ink, width=c.u(6))
    r = c.u(46)
    ax = c.u(90)
    c.draw.ellipse((ax, mid - r, ax + 2 * r, mid + r), fill=(150 + rng.randrange(80), 150, 170))
    name_font = c.font(c.u(44), bold=True)
    x = ax + 2 * r + c.u(28)
    if style.app == "whatsapp" and rng.random() < 0.5:
        sub_font = c.font(c.u(30))
        c.text(truth, (x, mid - c.u(52)), contact, name_font, style.bar_ink)
        c.text(
            truth,
            (x, mid + c.u(6)),
            rng.choice(("online", "typing...", "last seen today at 21:02")),
            sub_font,
            style.bar_ink,
        )
    else:
        c.text(truth, (x, mid - c.u(26)), contact, name_font, style.bar_ink)
    truth.header = contact
    c.draw.line((0, top + height, c.width, top + height), fill=style.meta, width=1)
    return top + height


def bubble_shape(c: Canvas, box: Box, fill: RGB, style: ChatStyle, outgoing: bool, tail: bool) -> None:
    """A rounded bubble over ``box`` with, when ``tail``, the app's tail outside the box."""
    x0, y0, x1, y1 = box
    radius = c.u(style.radius)
    c.draw.rounded_rectangle(box, radius=min(radius, (y1 - y0) // 2), fill=fill)
    if not tail:
        return
    t = c.u(22)
    if style.app == "whatsapp":
        if outgoing:
            c.draw.polygon([(x1 - radius, y0), (x1 + t, y0), (x1, y0 + t * 2)], fill=fill)
        else:
            c.draw.polygon([(x0 + radius, y0), (x0 - t, y0), (x0, y0 + t * 2)], fill=fill)
    elif style.app in ("imessage", "sms"):
        if outgoing:
            c.draw.polygon([(x1 - radius, y1), (x1 + t, y1), (x1, y1 - t * 2)], fill=fill)
        else:
            c.draw.polygon([(x0 + radius, y1), (x0 - t, y1), (x0, y1 - t * 2)], fill=fill)


def separator(c: Canvas, truth: Truth, style: ChatStyle, y: int, text: str, dark: bool) -> int:
    """A centred date pill; returns the y below it."""
    font = c.font(c.u(30))
    w = c.width_of(text, font)
    pad = c.u(22)
    h = c.u(58)
    x = (c.width - w) // 2
    if style.app == "whatsapp":
        pill = (24, 34, 40) if dark else (255, 255, 255)
        c.draw.rounded_rectangle((x - pad, y, x + w + pad, y + h), radius=c.u(14), fill=pill)
    c.text(truth, (x, y + (h - c.u(34)) // 2), text, font, style.meta)
    return y + h + c.u(26)


def draw_chat(c: Canvas, truth: Truth, rng: random.Random, app: str, dark: bool) -> None:
    """A conversation screen of ``app`` filled with bubbles down to the bottom of the screen."""
    style = chat_style(app, dark, rng)
    twelve = rng.random() < 0.5
    truth.style.update({"app": app, "dark": dark, "twelve_hour": twelve})
    top = c.u(96)  # the status bar's height; it is drawn over the header's background
    contact = rng.choice(NAMES + NUMBERS[:7])
    if style.wallpaper or rng.random() < 0.3:
        wallpaper(c, style, rng, top)
    y = chat_header(c, truth, style, rng, top, contact) + c.u(30)
    status_bar(c, truth, rng, style.bar_ink, twelve)
    minute = rng.randrange(24 * 60)
    bottom = c.height - c.u(170)
    # The input bar at the bottom (it holds a placeholder, which is text on the screen).
    c.draw.rectangle((0, bottom + c.u(20), c.width, c.height), fill=style.bar)
    field_box = (c.u(30), bottom + c.u(50), c.width - c.u(150), bottom + c.u(140))
    c.draw.rounded_rectangle(field_box, radius=c.u(45), fill=style.incoming)
    placeholder = "Message" if app != "instagram" else "Message..."
    c.text(truth, (field_box[0] + c.u(36), field_box[1] + c.u(24)), placeholder, c.font(c.u(36)), style.meta)
    body = c.font(c.body_px)
    small = c.font(max(10, c.body_px * 7 // 10))
    lh = line_height(body)
    pad_x, pad_y = c.u(28), c.u(16)
    max_text = c.width * 68 // 100
    if rng.random() < 0.8:
        y = separator(c, truth, style, y, day_text(rng, twelve), dark)
    previous: str | None = None
    while True:
        outgoing = rng.random() < 0.35
        words = rng.choice(SENTENCES)
        if rng.random() < 0.3:
            words = f"{words} {rng.choice(SENTENCES)}"
        lines = wrap(words, body, max_text)
        text_w = max(c.width_of(line, body) for line in lines)
        minute += rng.randint(0, 25)
        shown: str | None = clock_text(rng, twelve, minute)
        if app != "whatsapp" and rng.random() < 0.5:
            shown = None
        time_w = c.width_of(shown, small) if shown else 0
        inside_time = app == "whatsapp" and shown is not None
        # WhatsApp puts the time at the bottom right of the bubble: on the last line when it fits, else below.
        extra_h = 0
        bubble_w = text_w + 2 * pad_x
        if inside_time:
            last_w = c.width_of(lines[-1], body)
            if last_w + c.u(24) + time_w <= max_text:
                bubble_w = max(bubble_w, last_w + c.u(24) + time_w + 2 * pad_x)
            else:
                extra_h = small.getmetrics()[0] + c.u(8)
        bubble_h = lh * len(lines) + 2 * pad_y + extra_h
        below = c.u(44) if (app in ("imessage", "sms") and shown) else 0
        gap = c.u(10) if previous == ("out" if outgoing else "in") else c.u(28)
        if y + gap + bubble_h + below > bottom:
            break
        y += gap
        margin = c.u(40)
        x0 = c.width - margin - bubble_w if outgoing else margin
        if app == "instagram" and not outgoing:
            x0 += c.u(70)  # room for the sender's small avatar
            ar = c.u(28)
            c.draw.ellipse(
                (margin - c.u(20), y + bubble_h - 2 * ar, margin - c.u(20) + 2 * ar, y + bubble_h),
                fill=(180, 160, 200),
            )
        box = (x0, y, x0 + bubble_w, y + bubble_h)
        fill = style.outgoing if outgoing else style.incoming
        ink = style.out_ink if outgoing else style.in_ink
        tail = previous != ("out" if outgoing else "in")
        bubble_shape(c, box, fill, style, outgoing, tail and app != "instagram")
        for number, line in enumerate(lines):
            c.text(truth, (x0 + pad_x, y + pad_y + number * lh), line, body, ink)
        if shown is not None:
            meta_ink = style.meta
            if app == "whatsapp":
                meta_ink = tuple(v * 3 // 4 + 40 for v in ink) if outgoing and not dark else style.meta  # type: ignore[assignment]
                tx = box[2] - pad_x - time_w
                ty = box[3] - pad_y - small.getmetrics()[0]
                c.text(truth, (tx, ty), shown, small, meta_ink)
            elif app in ("imessage", "sms"):
                tx = box[2] - time_w if outgoing else box[0]
                c.text(truth, (tx, box[3] + c.u(8)), shown, small, meta_ink)
            else:
                ty = box[3] - small.getmetrics()[0] - c.u(12)
                tx = box[0] - c.u(20) - time_w if outgoing else box[2] + c.u(20)
                c.text(truth, (tx, ty), shown, small, meta_ink)
        truth.messages.append(
            {
                "direction": "outgoing" if outgoing else "incoming",
                "text": " ".join(lines),
                "shown_time": shown,
                "bbox": list(box),
                "sender": None,
                "call": None,
                "count": None,
                "fill": list(fill),
            }
        )
        y = box[3] + below
        previous = "out" if outgoing else "in"
        if rng.random() < 0.08 and y + c.u(120) < bottom:
            y = separator(c, truth, style, y + c.u(20), day_text(rng, twelve), dark) - c.u(10)
            previous = None


def arrow(c: Canvas, x: int, y: int, size: int, kind: str, colour: RGB) -> None:
    """A call-direction arrow: down-left for incoming and missed, up-right for outgoing."""
    w = c.u(4)
    if kind == "outgoing":
        c.draw.line((x, y + size, x + size, y), fill=colour, width=w)
        c.draw.line((x + size // 2, y, x + size, y), fill=colour, width=w)
        c.draw.line((x + size, y, x + size, y + size // 2), fill=colour, width=w)
    else:
        c.draw.line((x + size, y, x, y + size), fill=colour, width=w)
        c.draw.line((x, y + size // 2, x, y + size), fill=colour, width=w)
        c.draw.line((x, y + size, x + size // 2, y + size), fill=colour, width=w)


def draw_call_list(c: Canvas, truth: Truth, rng: random.Random, dark: bool) -> None:
    """A phone app's recent calls: one row per call (or run of repeated calls)."""
    ios = rng.random() < 0.5
    bg = (0, 0, 0) if dark else (255, 255, 255)
    ink = (240, 240, 240) if dark else (20, 20, 20)
    meta = (150, 150, 155) if dark else (110, 110, 115)
    red = (255, 69, 58) if dark else (220, 38, 38)
    line_colour = (50, 50, 52) if dark else (225, 225, 228)
    twelve = ios or rng.random() < 0.3
    truth.style.update({"app": "ios_phone" if ios else "android_phone", "dark": dark, "twelve_hour": twelve})
    c.draw.rectangle((0, 0, c.width, c.height), fill=bg)
    top = status_bar(c, truth, rng, ink, twelve)
    title = rng.choice(("Recents", "Call history", "Calls")) if not ios else "Recents"
    title_font = c.font(c.u(64 if ios else 52), bold=True)
    c.text(truth, (c.u(48), top + c.u(40)), title, title_font, ink)
    truth.header = title
    y = top + c.u(40) + c.u(110)
    name_font = c.font(c.body_px + c.u(4))
    meta_font = c.font(max(10, c.body_px * 8 // 10))
    # Two lines (name, then label) with room around them; large fonts make taller rows.
    sub_dy = max(c.u(88), c.u(26) + line_height(name_font))
    row_h = max(c.u(150), sub_dy + line_height(meta_font) + c.u(20))
    times = newest_first(rng, twelve, c.height // row_h)
    while y + row_h <= c.height - c.u(60):
        who = rng.choice(NAMES + NUMBERS) if rng.random() < 0.6 else rng.choice(NUMBERS)
        call = rng.choices(("missed", "incoming", "outgoing"), weights=(5, 3, 2))[0]
        count = rng.choice((2, 3, 4, 5, 7, 12)) if rng.random() < 0.35 else None
        shown = times.pop(0)
        box = (0, y, c.width, y + row_h)
        x = c.u(48)
        if not ios:
            r = c.u(40)
            cy = y + row_h // 2
            c.draw.ellipse((x, cy - r, x + 2 * r, cy + r), fill=(120 + rng.randrange(100), 140, 200))
            c.draw.ellipse((x + r - c.u(14), cy - c.u(24), x + r + c.u(14), cy + c.u(4)), fill=bg)
            x += 2 * r + c.u(32)
        else:
            if call == "outgoing":
                arrow(c, x, y + c.u(40), c.u(26), call, meta)
            x += c.u(48)
        name_colour = red if call == "missed" else ink
        name_y = y + c.u(26)
        c.text(truth, (x, name_y), who, name_font, name_colour)
        if count is not None:
            cx = x + c.width_of(who, name_font) + c.u(12)
            c.text(truth, (cx, name_y), f"({count})", name_font, name_colour)
        sub_y = y + sub_dy
        label = (
            rng.choice(("Mobile", "Home", "Work", "Phone"))
            if who not in NUMBERS
            else rng.choice(("United Kingdom", "Mobile", "Phone"))
        )
        sx = x
        if not ios:
            arrow(c, sx, sub_y + c.u(4), c.u(24), call, red if call == "missed" else meta)
            sx += c.u(40)
        c.text(truth, (sx, sub_y), label, meta_font, meta)
        tw = c.width_of(shown, meta_font)
        right = c.width - c.u(48) - (c.u(70) if ios else 0)
        c.text(truth, (right - tw, y + (row_h - line_height(meta_font)) // 2), shown, meta_font, meta)
        if ios:
            ix = c.width - c.u(48) - c.u(44)
            c.draw.ellipse(
                (ix, y + row_h // 2 - c.u(22), ix + c.u(44), y + row_h // 2 + c.u(22)),
                outline=(10, 132, 255),
                width=c.u(3),
            )
        c.draw.line((x, box[3] - 1, c.width, box[3] - 1), fill=line_colour, width=1)
        truth.messages.append(
            {
                "direction": "outgoing" if call == "outgoing" else "incoming",
                "text": who,
                "shown_time": shown,
                "bbox": list(box),
                "sender": None,
                "call": call,
                "count": count,
                "fill": list(bg),
            }
        )
        y += row_h


def draw_email_list(c: Canvas, truth: Truth, rng: random.Random, dark: bool) -> None:
    """A mail app's inbox: one row per email (sender, time, subject, snippet)."""
    bg = (32, 33, 36) if dark else (255, 255, 255)
    ink = (232, 234, 237) if dark else (32, 33, 36)
    meta = (154, 160, 166) if dark else (95, 99, 104)
    twelve = rng.random() < 0.5
    truth.style.update({"app": "mail_inbox", "dark": dark, "twelve_hour": twelve})
    c.draw.rectangle((0, 0, c.width, c.height), fill=bg)
    top = status_bar(c, truth, rng, ink, twelve)
    title = rng.choice(("Inbox", "Primary", "All Inboxes"))
    c.text(truth, (c.u(48), top + c.u(36)), title, c.font(c.u(52), bold=True), ink)
    truth.header = title
    y = top + c.u(140)
    sender_font = c.font(c.body_px + c.u(2), bold=True)
    line_font = c.font(c.body_px)
    lh = line_height(line_font)
    row_h = c.u(40) + line_height(sender_font) + 2 * lh
    times = newest_first(rng, twelve, c.height // row_h)
    while y + row_h <= c.height - c.u(40):
        sender = rng.choice(NAMES[:12])
        subject = rng.choice(SUBJECTS)
        x = c.u(48)
        r = c.u(40)
        c.draw.ellipse(
            (x, y + c.u(24), x + 2 * r, y + c.u(24) + 2 * r), fill=(100 + rng.randrange(120), 120, 180)
        )
        x += 2 * r + c.u(36)
        shown = times.pop(0)
        time_w = c.width_of(shown, line_font)
        room = c.width - c.u(48) - x
        # One line each, cut at a word boundary to fit, as mail apps do (without the ellipsis: it is not text).
        snippet_words = rng.choice(SENTENCES)
        snippet = wrap(snippet_words, line_font, room - c.u(20))[0]
        subject_line = wrap(subject, line_font, room - time_w - c.u(20))[0]
        c.text(truth, (x, y + c.u(20)), sender, sender_font, ink)
        c.text(truth, (c.width - c.u(48) - time_w, y + c.u(24)), shown, line_font, meta)
        c.text(truth, (x, y + c.u(20) + line_height(sender_font)), subject_line, line_font, ink)
        c.text(truth, (x, y + c.u(20) + line_height(sender_font) + lh), snippet, line_font, meta)
        box = (0, y, c.width, y + row_h)
        truth.messages.append(
            {
                "direction": "incoming",
                "text": f"{subject_line} {snippet}",
                "shown_time": shown,
                "bbox": list(box),
                "sender": sender,
                "call": None,
                "count": None,
                "fill": list(bg),
            }
        )
        y += row_h


def draw_email(c: Canvas, truth: Truth, rng: random.Random, dark: bool) -> None:
    """An open email: subject, sender and address, date, and the body."""
    bg = (32, 33, 36) if dark else (255, 255, 255)
    ink = (232, 234, 237) if dark else (32, 33, 36)
    meta = (154, 160, 166) if dark else (95, 99, 104)
    twelve = rng.random() < 0.5
    truth.style.update({"app": "mail_open", "dark": dark, "twelve_hour": twelve})
    c.draw.rectangle((0, 0, c.width, c.height), fill=bg)
    top = status_bar(c, truth, rng, ink, twelve)
    subject = rng.choice(SUBJECTS)
    x = c.u(48)
    y = top + c.u(60)
    subject_font = c.font(c.u(52))
    for line in wrap(subject, subject_font, c.width - 2 * x):
        c.text(truth, (x, y), line, subject_font, ink)
        y += line_height(subject_font)
    truth.header = subject
    y += c.u(30)
    sender = rng.choice(NAMES[:12])
    address = rng.choice(EMAILS)
    r = c.u(44)
    c.draw.ellipse((x, y, x + 2 * r, y + 2 * r), fill=(100 + rng.randrange(120), 120, 180))
    sx = x + 2 * r + c.u(30)
    sender_font = c.font(c.body_px + c.u(2), bold=True)
    meta_font = c.font(max(10, c.body_px * 85 // 100))
    c.text(truth, (sx, y), sender, sender_font, ink)
    shown = rng.choice((clock_text(rng, twelve), f"{rng.randint(1, 28)} {rng.choice(MONTHS)}", "Yesterday"))
    tw = c.width_of(shown, meta_font)
    c.text(truth, (c.width - x - tw, y + c.u(4)), shown, meta_font, meta)
    c.text(truth, (sx, y + line_height(sender_font)), f"<{address}>", meta_font, meta)
    c.text(truth, (sx, y + line_height(sender_font) + line_height(meta_font)), "to me", meta_font, meta)
    y += line_height(sender_font) + 2 * line_height(meta_font) + c.u(50)
    body_font = c.font(c.body_px)
    lh = line_height(body_font)
    body_top = y
    lines: list[str] = []
    for _ in range(rng.randint(3, 6)):
        paragraph = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
        wrapped = wrap(paragraph, body_font, c.width - 2 * x)
        if y + lh * (len(wrapped) + 1) > c.height - c.u(80):
            break
        for line in wrapped:
            c.text(truth, (x, y), line, body_font, ink)
            lines.append(line)
            y += lh
        y += lh // 2
    truth.messages.append(
        {
            "direction": "incoming",
            "text": " ".join(lines),
            "shown_time": shown,
            "bbox": [x, body_top, c.width - x, y],
            "sender": sender,
            "call": None,
            "count": None,
            "fill": list(bg),
        }
    )


def render(category: str, seed: int) -> tuple[Image.Image, dict[str, Any], str]:
    """One screen of ``category`` for ``seed``: the image, its ground truth and the file suffix."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    rng = random.Random(f"{category}:{seed}")
    width = rng.choice(WIDTHS)
    height = width * ASPECT_PERMILLE // 1000
    family = rng.choice(sorted(FONTS))
    # Body text: small (phone-realistic, 26-34 px at 1080 wide) most of the time, sometimes large.
    body_1080 = rng.randint(26, 34) if rng.random() < 0.75 else rng.randint(36, 46)
    body_px = body_1080 * width // 1080
    dark = category == "dark" or (category in ("jpeg", "scaled", "email", "call_list") and rng.random() < 0.5)
    truth = Truth(category=category, kind="chat")
    truth.style.update({"font": family, "body_px": body_px, "width": width})
    canvas = Canvas(width, height, (255, 255, 255), family, body_px)
    if category in ("light", "dark", "jpeg", "scaled"):
        app = rng.choice(("whatsapp", "imessage", "sms", "instagram"))
        draw_chat(canvas, truth, rng, app, dark)
    elif category == "call_list":
        truth.kind = "call_list"
        draw_call_list(canvas, truth, rng, dark)
    elif rng.random() < 0.6:
        truth.kind = "email_list"
        draw_email_list(canvas, truth, rng, dark)
    else:
        truth.kind = "email"
        draw_email(canvas, truth, rng, dark)
    img = canvas.img
    suffix = ".png"
    if category == "scaled":
        permille = rng.randint(500, 600)
        new_w, new_h = width * permille // 1000, height * permille // 1000
        img = img.resize((new_w, new_h), Image.Resampling.LANCZOS)
        for message in truth.messages:
            x0, y0, x1, y1 = message["bbox"]
            message["bbox"] = [
                x0 * new_w // width,
                y0 * new_h // height,
                -(-x1 * new_w // width),
                -(-y1 * new_h // height),
            ]
        truth.style["scale_permille"] = permille
    if category == "jpeg":
        truth.style["jpeg_quality"] = rng.randint(60, 85)
        suffix = ".jpg"
    data = {
        "category": truth.category,
        "kind": truth.kind,
        "header": truth.header,
        "messages": truth.messages,
        "text": truth.full_text(),
        "width": img.width,
        "height": img.height,
        "seed": seed,
        "style": truth.style,
    }
    return img, data, suffix


def save(img: Image.Image, data: dict[str, Any], path: Path) -> None:
    """Write the image (PNG, or JPEG at the truth's quality) and ``.json`` beside it, deterministically."""
    if path.suffix == ".jpg":
        img.save(path, "JPEG", quality=int(data["style"]["jpeg_quality"]), optimize=False, progressive=False)
    else:
        img.save(path, "PNG", optimize=False, compress_level=6)
    path.with_suffix(".json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def generate(
    out_dir: Path, count_per_category: int, seed: int = 0, categories: Sequence[str] = CATEGORIES
) -> list[Path]:
    """Draw ``count_per_category`` screens of each category into ``out_dir``; returns the image paths.

    Files are named ``CATEGORY-NNN.png`` (``.jpg`` for the JPEG category), each with ``.json`` ground truth.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for category in categories:
        for index in range(count_per_category):
            img, data, suffix = render(category, seed * 100_000 + index)
            path = out_dir / f"{category}-{index:03d}{suffix}"
            save(img, data, path)
            paths.append(path)
    return paths


def load_truth(image_path: Path) -> dict[str, Any]:
    """The ground truth written beside ``image_path``."""
    loaded: dict[str, Any] = json.loads(image_path.with_suffix(".json").read_text(encoding="utf-8"))
    return loaded


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m tests.ocr.synth OUT_DIR [--per-category N] [--seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m tests.ocr.synth", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--per-category", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--category", action="append", choices=CATEGORIES, help="only these (repeatable)")
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.per_category, args.seed, args.category or CATEGORIES)
    print(f"{len(paths)} screenshots with ground truth in {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
