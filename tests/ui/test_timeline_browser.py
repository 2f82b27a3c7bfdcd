"""The timeline's filters, chart and bursts in real headless Chromium (Debian's, driven by Playwright): the
chart and its burst, the burst's link, the table of days, the filters by keyboard, the undated entries apart.
Files written by others (see ``test_timeline_screen.py`` for what was read off them). The screens are
photographed at desktop width and at 360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps the pictures), where nothing may
be wider than the window, and at 640 px (a 1280 px window at 200% zoom)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from evidence.api import Case
from evidence.ui.session import Session
from tests.ui.test_browser import PASSPHRASE, browser, served  # noqa: F401 (fixtures)
from tests.ui.test_timeline_screen import BURST, DMITRY, MMS, SMS


def shoot(page: Page, name: str, shots: Path) -> None:
    """The top of the page (filters, chart, bursts) at 1280 and at 360 px wide, saved; at 360 px nothing is
    wider than the window. (Not the whole page: a long timeline makes a picture slow to take.)"""
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.screenshot(path=str(shots / f"{name}-desktop.png"))
    page.set_viewport_size({"width": 360, "height": 1600})
    page.screenshot(path=str(shots / f"{name}-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.allow_loopback
def test_the_chart_bursts_and_filters_in_a_real_browser(
    served: Session,  # noqa: F811
    browser: Browser,  # noqa: F811
    corpus: Path,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("EVIDENCE_UI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served.start_url)
    page.get_by_role("button", name="I understand, continue").click()
    page.get_by_label("What the case is about").fill("Messages from Contact A")
    page.get_by_label("Your time zone").fill("Europe/London")
    page.get_by_label("The day you asked them to stop contacting you (if you did)").fill("2024-07-10")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("The same passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Create the case").click()
    expect(page.locator("#count")).to_have_text("Nothing here yet.")
    assert served.case_root is not None and served.keys is not None
    with Case.open(served.case_root, keys=served.keys) as case:
        case.import_files(
            [
                corpus / n
                for n in (*SMS, *MMS, "whatsapp-real/" + DMITRY, "screenshots-real/jared-Example.png")
            ]
        )

    # Everything: the chart's last year, the burst in red and in words, the undated ones apart.
    page.reload()
    expect(page.locator("#count")).to_contain_text(
        "with a known date. And 13 entries whose date is not known"
    )
    expect(page.get_by_role("img", name=re.compile("Contact attempts per day"))).to_be_visible()
    expect(page.locator("#chart rect.burst title")).to_have_text("16 July 2024: 6 contact attempts (a burst)")
    expect(page.locator("#bursts li")).to_have_text([BURST])
    expect(page.get_by_role("heading", name="Date not known")).to_be_visible()
    expect(page.locator("#undated li")).to_have_count(13)
    expect(page.locator("#chart line.no-contact")).to_have_count(1)
    expect(
        page.get_by_text("The dashed line is 10 July 2024, the day you asked them to stop.")
    ).to_be_visible()
    shoot(page, "6-timeline-chart", shots)

    # The table of days, one click away.
    table = page.locator("#days table")
    expect(table).to_be_hidden()
    page.get_by_text("The numbers, day by day (a table)").click()
    expect(table).to_be_visible()
    # 2 December 2017, 3 January 2021, 7 January 2023 (Dmitry's two missed WhatsApp calls, lines 61-62)
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tbody tr").nth(2)).to_have_text(re.compile(r"7 January 2023\s*2\s*$"))
    expect(table.locator("tbody tr").last).to_have_text(re.compile(r"16 July 2024\s*6\s*yes"))

    # The burst's link: the timeline of that day.
    page.get_by_role("link", name=BURST).click()
    expect(page).to_have_url(re.compile(r"since=2024-07-16&until=2024-07-16"))
    expect(page.locator("#count")).to_contain_text("6 entries with a known date.")
    expect(page.locator("#chart-caption")).to_have_text(
        "Contact attempts per day, 16 July 2024 to 16 July 2024: 6 attempts on 1 day; "
        "the most on one day: 6 (16 July 2024)."
    )
    expect(
        page.get_by_text("You asked them to stop on 10 July 2024, before the first day shown.")
    ).to_be_visible()
    shoot(page, "7-timeline-burst-day", shots)
    page.get_by_role("link", name="Clear the filters").click()
    expect(page).to_have_url(re.compile(r"/timeline$"))

    # The filters by keyboard: which way and words, sent with Enter; then a tactic, in words.
    page.get_by_label("Which way").select_option(label="Sent by you")
    page.get_by_label("Words in the message").fill("text 1")
    page.get_by_label("Words in the message").press("Enter")
    expect(page.locator("#count")).to_contain_text("2 entries")  # "Body text 10 11 12" and "Body text 14"
    expect(page.locator("#no-chart")).to_contain_text("No contact attempts among these entries")
    page.get_by_role("link", name="Clear the filters").click()
    page.get_by_label("Tactic").select_option(label="Demands to answer or meet")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#timeline li")).to_have_count(1)
    expect(page.locator("#timeline li .tags")).to_have_text(
        "Tactics: Demands to answer or meet (suggested, not checked)"
    )
    page.get_by_label("Only ones you confirmed").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#count")).to_have_text("Nothing matches these filters.")
    shoot(page, "8-timeline-filters", shots)

    # 200% zoom of a 1280 px window is 640 CSS pixels: nothing wider than the window.
    page.goto(f"{served.origin}/timeline")
    page.set_viewport_size({"width": 640, "height": 450})
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
