"""The first session of a new user, in real headless Chromium (Debian's, driven by Playwright): the safety
check, create an encrypted case, see the timeline (two SMS Backup & Restore files written by others, imported
through the library here; test_first_session.py adds them through the app), filter it, check the case, lock, unlock, the idle
lock, and Leave now by button and by Shift pressed three times. Each step asserts what is on the page; every
screen is photographed at desktop width and at 360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps the pictures), where
nothing may be wider than the window."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from evidence.api import Case
from evidence.case.vault import TEST_COST
from evidence.ui.server import Server, bind
from evidence.ui.session import Session

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSPHRASE = "maple orbit candle harbour"
NEUTRAL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Session]:
    """The real server on 127.0.0.1 in a thread, for a case folder not created yet."""
    sock = bind()
    session = Session(
        port=sock.getsockname()[1], case_root=tmp_path / "case", cost=TEST_COST, window_gone_seconds=600
    )
    server = Server(session, sock)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield session
    server.stop()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


def shoot(page: Page, name: str, shots: Path) -> None:
    """The page at 1280 and at 360 px wide, saved; at 360 px nothing is wider than the window."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.screenshot(path=str(shots / f"{name}-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    page.set_viewport_size({"width": 1280, "height": 900})


def neutral_site(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>")


@pytest.mark.allow_loopback
def test_first_session_in_a_real_browser(
    served: Session, browser: Browser, corpus: Path, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("EVIDENCE_UI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://www.bbc.co.uk/**", neutral_site)  # no network in tests: the neutral site, stood in
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The start link: the token is exchanged and gone from the address; the safety check comes first.
    page.goto(served.start_url)
    expect(page).to_have_url(re.compile(r"/safety$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this computer safe to use?")
    page.keyboard.press("Tab")  # the keyboard reaches the skip link first, then Leave now
    expect(page.locator(":focus")).to_have_text("Skip to the page")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Leave now")
    expect(page.get_by_text("National Domestic Abuse Helpline")).to_be_visible()
    shoot(page, "1-safety", shots)
    page.get_by_role("button", name="I understand, continue").click()

    # Create the encrypted case; the strength hint comes from the library as the passphrase is typed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a new case")
    page.get_by_label("What the case is about").fill("Messages from Contact A")
    page.get_by_label("Your time zone").fill("Europe/London")
    page.get_by_label("The day you asked them to stop contacting you (if you did)").fill("2017-12-01")
    page.get_by_label("Passphrase", exact=True).press_sequentially("password1")
    expect(page.locator("#strength")).to_contain_text("This passphrase is weak")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("Passphrase", exact=True).press("End")
    expect(page.locator("#strength")).to_contain_text("This passphrase is strong")
    page.get_by_label("The same passphrase again").fill(PASSPHRASE)
    shoot(page, "2-create", shots)
    page.get_by_role("button", name="Create the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    expect(page.locator("#count")).to_have_text("Nothing here yet.")
    expect(page.locator(".case-title")).to_have_text("Messages from Contact A")

    # Import through the library, with the key the app holds.
    assert served.case_root is not None and served.keys is not None
    with Case.open(served.case_root, keys=served.keys) as case:
        case.import_files(
            [
                corpus / "smsbackup" / "sms-devadvance-sms_small.xml",
                corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml",
            ]
        )
    page.reload()
    expect(page.locator("#count")).to_have_text("13 entries.")
    first = page.locator("#timeline li").first
    # date="1512226167463" in the file: 2017-12-02 14:49:27 UTC; London is at +00:00 in December
    expect(first.locator(".when")).to_contain_text("2017-12-02 14:49:27 +00:00")
    expect(first.locator(".text")).to_have_text("Body text 1")
    expect(first.locator(".what")).to_contain_text("Text message")
    expect(first.locator(".what")).to_contain_text("+15550000001")
    shoot(page, "3-timeline", shots)

    page.get_by_label("How").select_option("call")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#count")).to_have_text("1 entry.")
    expect(page.locator("#timeline li .what")).to_contain_text("Call")
    page.get_by_label("How").select_option("")
    page.get_by_label("From").fill("2017-12-03")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#count")).not_to_have_text("13 entries.")
    for when in page.locator("#timeline .when time").all_inner_texts():
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", when)
        assert when >= "2017-12-03"

    # Check the case: green in words, the head to copy.
    page.get_by_role("link", name="Check the case").click()
    page.get_by_role("button", name="Check now").click()
    expect(page.locator("#verdict")).to_contain_text("All is in order.")
    head = page.get_by_label(re.compile("current fingerprint")).input_value()
    assert re.fullmatch(r"\d+:[0-9a-f]{64}", head), head
    with Case.open(served.case_root, readonly=True, keys=served.keys) as case:
        assert head == f"{case.head().seq}:{case.head().hash}"
    shoot(page, "4-verify", shots)

    # Lock: the key is forgotten; the case's pages lead to the unlock screen.
    page.get_by_role("button", name="Lock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the case")
    assert served.keys is None
    page.goto(f"{served.origin}/timeline")
    expect(page).to_have_url(re.compile(r"/unlock$"))
    page.get_by_label("Passphrase").fill("not the passphrase")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_contain_text("That passphrase did not open the case")
    shoot(page, "5-unlock", shots)
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.locator("#count")).to_have_text("13 entries.")

    # The idle lock: the page's heartbeat brings the unlock screen by itself.
    served.heartbeat_seconds = 0.5
    page.reload()
    served.idle_seconds = 0.5
    expect(page.locator("#locked-note")).to_contain_text("locked because nothing was done", timeout=8000)
    assert served.keys is None
    served.idle_seconds = 300
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.locator("#count")).to_have_text("13 entries.")

    # Leave now, the button: a neutral site replaces the page, the case is locked.
    page.get_by_role("button", name="Leave now").click()
    expect(page).to_have_url(NEUTRAL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Weather")
    assert not served.unlocked and served.keys is None

    # Leave now, Shift three times, from a fresh unlock.
    page.goto(f"{served.origin}/unlock")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.locator("#count")).to_have_text("13 entries.")
    page.wait_for_selector("html[data-ready]", state="attached")
    page.get_by_label("From").focus()
    for letter in "IAMOK":  # capital letters typed with Shift are not Shift pressed alone
        page.keyboard.press(f"Shift+{letter}")
    page.wait_for_timeout(300)
    expect(page.locator("#count")).to_have_text("13 entries.")
    assert served.unlocked
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url(NEUTRAL)
    assert not served.unlocked
    # Back from the neutral site: the case's page is not shown again (not cached, and the key is gone).
    page.go_back()
    page.wait_for_load_state()
    assert "Body text" not in page.content()
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
