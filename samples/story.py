"""The story of the sample case in one place: the people (names, numbers, addresses, who is saved as
what in Jordan's phone), the texts and calls, and the time helpers every writer uses (London wall-clock
times that refuse skipped hours, stable pseudo-random noise, Android's milliseconds)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PACIFIC = ZoneInfo("America/Los_Angeles")  # Gmail's mx servers stamp Received headers in Pacific time


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


def contact_name(number: str) -> str:
    """The address-book name at backup time, ``(Unknown)`` for anyone else."""
    return CONTACTS.get(number, "(Unknown)")


def with_ms(moment: datetime, key: str) -> datetime:
    """``moment`` plus a stable sub-second part, as real phone times have."""
    return moment + timedelta(milliseconds=noise(key, 1000))


def local_iso(moment: datetime) -> str:
    """ISO 8601 in London time with its offset, to the minute: ``2026-03-14T21:41:00+00:00``."""
    return moment.astimezone(LONDON).isoformat(timespec="seconds")
