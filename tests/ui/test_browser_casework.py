"""The people, tactic review and diary screens in real headless Chromium (Debian's, driven by Playwright), on
an encrypted case holding an SMS Backup & Restore file and two WhatsApp exports written by others: see the
unknown numbers with their counts, add the person, link a number as suspected with a basis, reject one tactic
suggestion with a note and confirm the next, write a diary entry and see it saved. Each step asserts what is on
the page; every screen is photographed at desktop width and at 360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps them),
where nothing may be wider than the window."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from evidence.api import Case
from evidence.case.vault import TEST_COST
from evidence.models import ImportOptions
from evidence.ui.session import Session
from tests.ui.test_browser import PASSPHRASE, browser, served, shoot  # noqa: F401 (fixtures)

FILES = (
    "smsbackup/sms-devadvance-sms_small.xml",
    "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt",
    "whatsapp-real/whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt",
)
OFFSET_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d"


@pytest.mark.allow_loopback
def test_people_review_and_diary_in_a_real_browser(
    served: Session,  # noqa: F811
    browser: Browser,  # noqa: F811
    corpus: Path,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("EVIDENCE_UI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    assert served.case_root is not None
    with Case.init(
        served.case_root,
        title="Messages from Contact A",
        tz="Europe/London",
        passphrase=PASSPHRASE,
        encrypted=True,
        cost=TEST_COST,
    ) as case:
        # "01/12/24" in the Alice export is day-first (its dates run on to 04/12/24)
        case.import_files(
            [corpus / f for f in FILES], options=ImportOptions(tz="Europe/London", date_order="DMY")
        )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served.start_url)
    page.get_by_role("button", name="I understand, continue").click()
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")

    # People: nobody yet; the numbers seen, the busiest first, with their counts (read off the file).
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.locator("#no-people")).to_be_visible()
    first = page.locator("#unknown li", has_text="+15550000004")
    expect(first).to_contain_text("7 entries, 4 from it")
    expect(first).to_contain_text("First 2017-12-02 18:04:03 +00:00, last 2017-12-02 18:10:45 +00:00")

    page.get_by_label("Name (a nickname is fine)").fill("Contact A")
    page.get_by_label("Who they are").select_option("respondent")
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("#done")).to_have_text("Added Contact A.")
    expect(page.locator("#people")).to_contain_text("the person harassing you (respondent)")

    # Link the busiest number from its own link: the form comes filled in; the rest by keyboard.
    page.get_by_role("link", name="Link +15550000004 to a person").click()
    expect(page.get_by_label("Number, e-mail address or account")).to_have_value("+15550000004")
    page.get_by_label("I think it is theirs, but cannot prove it (suspected)").check()
    basis = page.get_by_label("How do you know? (required)")
    basis.fill("The texts are signed 'A' and name our son")
    basis.press("Tab")
    expect(page.locator(":focus")).to_have_text("Link")
    page.keyboard.press("Enter")
    expect(page.locator("#done")).to_have_text("Linked +15550000004 to Contact A (suspected, not proven).")
    person = page.locator("#people li.person").first
    expect(person).to_contain_text("+15550000004")
    expect(person).to_contain_text("suspected, not proven")
    expect(person).to_contain_text("7 entries in the case")
    expect(person).to_contain_text("How you know: The texts are signed 'A' and name our son")
    expect(page.locator("#unknown")).not_to_contain_text("+15550000004")
    shoot(page, "people-2-linked", shots)
    # A wrong link can be removed from its card, with a reason (the form opens by keyboard too).
    person.get_by_text("This is not theirs: remove the link").focus()
    page.keyboard.press("Enter")
    expect(person.get_by_label(re.compile("^Why is it not theirs"))).to_be_visible()
    expect(person.get_by_role("button", name="Remove the link to +15550000004")).to_be_visible()

    # Review: one suggestion at a time, its words marked; reject with a note, then confirm the next.
    page.get_by_role("link", name="Review tactics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review tactics")
    # The first visit says the messages are being read; the body fills in by itself (htmx, /review/part).
    expect(page.locator("#now-heading")).to_contain_text("Waiting for you")
    expect(page.locator("#reading")).to_have_count(0)
    expect(page.locator(".case-title")).to_have_text("Messages from Contact A")
    waiting = int(re.sub(r"\D", "", page.locator("#now-heading").inner_text()))
    assert waiting >= 2
    current = page.locator("#current")
    expect(current.locator("mark")).to_have_count(1)
    assert current.locator("mark").inner_text().strip()
    assert re.search(OFFSET_TIME, current.locator(".when").inner_text())
    first_key = current.locator('input[name="key"]').get_attribute("value")
    shoot(page, "review-1-waiting", shots)
    page.get_by_label("A note, if you want (why, or anything the court should know)").fill("Not about me")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#done")).to_contain_text("Rejected:")
    expect(page.locator("#now-heading")).to_have_text(f"Waiting for you: {waiting - 1}")
    assert page.locator("#current input[name='key']").get_attribute("value") != first_key
    expect(page.locator("#decided li").first).to_contain_text("Your note: Not about me")
    # After a decision the note of the next one has the focus: Tab, Enter confirms it, by keyboard alone.
    expect(page.locator(":focus")).to_have_id("note")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Confirm")
    page.keyboard.press("Enter")
    expect(page.locator("#done")).to_contain_text("Confirmed:")
    expect(page.locator("#decided li")).to_have_count(2)
    expect(page.locator("#decided li").first).to_contain_text("Confirmed")
    expect(page.locator("#decided li").first).to_contain_text(re.compile("Decided " + OFFSET_TIME))
    shoot(page, "review-2-decided", shots)

    # The diary: the warning first; save an entry and see it listed as saved, with when it was written.
    page.get_by_role("link", name="Diary").click()
    expect(page.locator("#diary-warning")).to_contain_text("The other side may read this diary.")
    expect(page.locator("#no-entries")).to_be_visible()
    page.get_by_label("Day").fill("2026-03-14")
    page.get_by_label("Time", exact=True).fill("21:30")
    page.get_by_label("The time is approximate (I am not sure of it)").check()
    page.get_by_label("Where it happened").fill("Outside the school gates")
    page.get_by_label("Who saw or heard it (witnesses)").fill("Sam Patel")
    page.get_by_label("Police reference number, if you reported it").fill("CAD 4521")
    page.get_by_label("What happened (required)").fill("He waited at the gate and shouted my name.")
    page.get_by_role("button", name="Save the entry").click()
    expect(page.locator("#done")).to_contain_text(re.compile(r"Saved as exhibit EX-\d+\."))
    saved = page.locator("#saved")
    expect(saved).to_contain_text("Happened: 2026-03-14 21:30:00 +00:00 (approximate)")
    expect(saved).to_contain_text(re.compile("Written: " + OFFSET_TIME))
    expect(saved).to_contain_text("He waited at the gate and shouted my name.")
    expect(saved).to_contain_text("Just saved.")
    expect(page.get_by_label("What happened (required)")).to_have_value("")
    shoot(page, "diary-2-saved", shots)
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
