"""``case.json``: the facts of the case (owner, respondent with numbers, addresses and handles, third
parties, the police report) for the commands that add people and write the report."""

from __future__ import annotations

from samples.story import (
    ALEX_EMAIL_1,
    ALEX_EMAIL_2,
    ALEX_INSTAGRAM_1,
    ALEX_INSTAGRAM_2,
    ALEX_NAME,
    ALEX_PHONE_1,
    ALEX_PHONE_2,
    ALEX_PHONE_3,
    CONTACTS,
    JORDAN_EMAIL,
    JORDAN_NAME,
    JORDAN_PHONE,
    POLICE_REF,
    SAM_EMAIL,
    SAM_NAME,
    SAM_PHONE,
    at,
    local_iso,
)


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
