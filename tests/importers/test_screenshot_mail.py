"""Open e-mails read from their generic layout (issue 15, session 7: ``evidence/ocr/layout/mail.py``), on real
pictures written by others: K-9 Mail's open message (the date beside the sender, "to me"; kept in
``tests/data/screenshots-real``, expected values in ``expected-heldout1.json``) and FairEmail's (a card the page
read as junk; ``../shared/corpus/screenshots-real``, expected values in ``expected.json``). Expected values
were written by looking at the pictures. And a screen nothing makes sense of says so in a warning.

Each picture is imported as ``evidence import`` would (``bench.ocr_real.run_picture``: real tesseract).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.ocr_real import ACQUIRED, fold, run_picture
from evidence.importers.base import Source
from evidence.importers.screenshot import ScreenshotImporter
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record

CORPUS = Path("/work/shared/corpus/screenshots-real")
DATA = Path(__file__).resolve().parent.parent / "data" / "screenshots-real"


def _expected(file: str, name: str) -> dict[str, Any]:
    pictures: dict[str, dict[str, Any]] = json.loads((DATA / file).read_text(encoding="utf-8"))["pictures"]
    return pictures[name]


def test_an_open_email_with_its_date_beside_the_sender() -> None:
    """K-9 Mail: the subject in large type at the top, "Edsger W. Dijkstra 8/2/1972" with an avatar, "to me",
    then the body. No list row anchors it (the date is not at the right): it was a screen of unknown kind."""
    want = _expected("expected-heldout1.json", "k9-3.png")["emails"][0]
    picture, records, layout, _ = run_picture(DATA / "k9-3.png")
    assert picture.raw["screen"] == "email" and layout["header"] == want["subject"]
    (email,) = records
    assert email.channel is Channel.EMAIL and email.direction is Direction.INCOMING
    assert email.subject == "The Humble Programmer" and email.sender == want["sender"]
    assert email.recipients == ("me",) and email.raw["recipients_shown"] == want["recipients"]
    assert email.raw["shown_time"] == want["shown_time"]
    assert email.text is not None and email.text.startswith("As a result of a long sequence of coincidences")
    assert email.text.endswith("was programming?")  # the body to its last line, nothing of the header in it


def test_an_open_email_whose_card_the_page_read_as_junk() -> None:
    """FairEmail: the sender's card ("Mega Casino <Members@play" / ".megacasino.com>", "7:02 PM", the subject
    in italics under the sender) was read on the page as "Fe te"; read again alone it gives all of them. The
    date separator above the card ("Friday, June 25") is a day, not the subject."""
    want = _expected("expected.json", "fairemail-conversation.png")["emails"][0]
    picture, records, layout, _ = run_picture(CORPUS / "fairemail-conversation.png")
    assert picture.raw["screen"] == "email" and layout["header"] == want["subject"]
    (email,) = records
    assert email.subject == "Exclusive: Get 120 Spins" and email.sender == want["sender"]
    assert list(email.recipients) == want["recipients"]
    assert email.raw["shown_time"] == want["shown_time"] == "7:02 PM"
    # dated by the day above the card ("Friday, June 25"), in the picture's own offset: not the screenshot's day
    assert email.raw["day_shown"] == "Friday, June 25"
    assert email.occurred_at == datetime.fromisoformat(want["time"])
    assert email.text is not None and fold(email.text).startswith(
        fold("Mega Casino Exclusive Offer: 120 Bonus")
    )
    assert "Friday" not in email.text and "To:" not in email.text


def test_a_screen_nothing_makes_sense_of_says_so() -> None:
    """Nextcloud Talk's markdown viewer (text, no chat, list or mail): its whole text stays the picture's record
    and a warning says that no layout was recognised, never a silent nothing."""
    path = DATA / "nextcloudtalk-markdown_light.png"
    data = path.read_bytes()
    source = Source(
        path=path, name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="image"
    )
    out = list(ScreenshotImporter().parse(source, ImportOptions(tz="UTC", acquired_at=ACQUIRED)))
    records = [r for r in out if isinstance(r, Record)]
    assert len(records) == 1 and records[0].raw["screen"] == "unknown" and records[0].text
    notes = [w.message for w in out if isinstance(w, ImportWarning)]
    assert any("not recognised as a chat, a call history, a mailbox, an open e-mail" in n for n in notes), (
        notes
    )


def test_a_recognised_chat_gets_no_such_warning() -> None:
    """The warning is for screens nothing made sense of only: a chat read as one does not carry it."""
    path = DATA / "anonymousmessenger-10.png"
    data = path.read_bytes()
    source = Source(
        path=path, name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="image"
    )
    out = list(ScreenshotImporter().parse(source, ImportOptions(tz="UTC", acquired_at=ACQUIRED)))
    assert any(isinstance(r, Record) and "#" in r.locator for r in out)
    assert not any(isinstance(w, ImportWarning) and "not recognised" in w.message for w in out)


def test_an_inbox_of_dark_cards_on_black() -> None:
    """FairEmail's black theme: each row a dark grey card on black. Painted over as a solid shape, the cards'
    letters lost their edges ("Marce Bokiors"); a card holding text is read, and a speck under a row's subject
    no longer cuts the folder line ("Gmail/Inbox") off the row, which made it a conversation list."""
    name = "fairemail-3_messages-black.png"
    want = _expected("expected-heldout1.json", name)["emails"]
    picture, records, _, _ = run_picture(DATA / name)
    assert picture.raw["screen"] == "email_list"
    assert [(r.sender, r.subject) for r in records] == [(w["sender"], w["subject"]) for w in want]
    assert [r.raw["shown_time"] for r in records] == ["6:46 PM", "6:46 PM", "6:45 PM"]
    # in the picture's own offset (EXIF OffsetTimeOriginal +02:00; the collector's values say +00:00)
    assert records[0].occurred_at == datetime.fromisoformat("2021-06-28T18:46+02:00")
    assert records[0].occurred_at.utcoffset() == timedelta(hours=2)
