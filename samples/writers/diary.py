"""``diary.json``: Jordan's incident diary in the file format ``evidence diary add`` writes."""

from __future__ import annotations

from datetime import UTC, datetime

from samples.story import ALEX_INSTAGRAM_1, ALEX_INSTAGRAM_2, JORDAN_NAME, POLICE_REF, at, local_iso


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
