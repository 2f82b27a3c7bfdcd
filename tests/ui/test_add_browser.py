"""Adding evidence and the exhibit page in real headless Chromium (Debian's, driven by Playwright): files chosen
with the picker and dropped on the page, each sent with its progress bar, the import's reading shown, the result
in words; a malformed file means nothing is added and says which; the exhibit page draws the messages read on
the picture; the timeline's rows lead to their exhibit. Each screen is photographed at desktop width and at
360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps the pictures), where nothing may be wider than the window."""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from evidence.api import Case
from evidence.case.vault import TEST_COST
from evidence.ui.session import Session
from tests.ui.test_browser import PASSPHRASE, browser, served, shoot  # noqa: F401 (fixtures)

SMS = Path("smsbackup/sms-devadvance-sms_small.xml")
SHOT = Path("screenshots-real/fossifymessages-2_en-US.png")
MALFORMED = Path("smsbackup/sms-shruggietech-malformed.xml")


def drop_file(page: Page, path: Path) -> None:
    """Drop ``path`` on the drop area, as a file dragged from the desktop (a DataTransfer holding it)."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: "application/xml" }));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true }));
        }""",
        [path.name, data],
    )


@pytest.mark.allow_loopback
def test_adding_files_and_seeing_an_exhibit_in_a_real_browser(
    served: Session,  # noqa: F811
    browser: Browser,  # noqa: F811
    corpus: Path,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("EVIDENCE_UI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    assert served.case_root is not None
    Case.init(
        served.case_root,
        title="Messages from Contact A",
        tz="Europe/London",
        passphrase=PASSPHRASE,
        encrypted=True,
        cost=TEST_COST,
    ).close()
    served.safety_seen = True
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served.start_url)
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.locator("#count")).to_have_text("Nothing here yet.")

    page.get_by_role("link", name="Add evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    page.wait_for_selector("#add[data-ready]", state="attached")
    # The keyboard reaches the file picker (Enter or Space opens it) right after the section links.
    page.get_by_role("link", name="Safety").focus()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_id("files")
    expect(page.get_by_label("Choose files")).to_be_focused()
    shoot(page, "add-1-empty", shots)

    # A folder chosen with the folder picker: its files listed with the folder's name, hidden ones left out;
    # an iPhone backup folder (Manifest.db beside Info.plist) is not sent as loose files.
    folder = tmp_path / "Phone backup"
    folder.mkdir()
    for name in ("Manifest.db", "Info.plist", ".DS_Store"):
        shutil.copyfile(corpus / SMS, folder / name)
    page.locator("#folder").set_input_files(folder)
    expect(page.locator("#queue li")).to_have_count(2)
    expect(page.locator("#queue")).to_contain_text("Phone backup/Info.plist")
    page.get_by_role("button", name="Add these files").click()
    expect(page.get_by_role("alert")).to_contain_text("Phone backup: this folder looks like an iPhone backup")
    page.get_by_role("button", name="Clear the list").click()
    expect(page.locator("#queue li")).to_have_count(0)

    # A malformed file with a good one: nothing is added, and the page says which file and why.
    page.locator("#files").set_input_files([str(corpus / SMS), str(corpus / MALFORMED)])
    expect(page.locator("#queue li")).to_have_count(2)
    expect(page.locator("#queue li").first).to_contain_text("sms-devadvance-sms_small.xml (4 kB)")
    page.get_by_role("button", name="Add these files").click()
    expect(page.locator("#result-heading")).to_have_text("Nothing was added")
    expect(page.locator("#failure")).to_contain_text(
        "sms-shruggietech-malformed.xml: unreadable XML at line 4, column 3"
    )
    expect(page.locator("#result-heading")).to_be_focused()
    shoot(page, "add-2-nothing-added", shots)
    with Case.open(served.case_root, readonly=True, keys=served.keys) as case:
        assert case.exhibits() == []

    # The SMS file dropped on the page, the screenshot chosen with the picker.
    drop_file(page, corpus / SMS)
    page.locator("#files").set_input_files(str(corpus / SHOT))
    expect(page.locator("#queue li")).to_have_count(2)
    expect(page.locator("#result")).to_be_empty()
    shoot(page, "add-3-list", shots)
    page.get_by_role("button", name="Add these files").click()
    # The screenshot is read by OCR (seconds): the page says so while it happens.
    expect(page.locator("#reading-words")).to_contain_text("Reading the pictures", timeout=8000)
    expect(page.locator("#queue .file-state").first).to_contain_text("Being read")
    shoot(page, "add-4-reading", shots)
    expect(page.locator("#summary")).to_have_text(
        "2 new exhibits added, 19 records read, 3 warnings.", timeout=20000
    )
    expect(page.locator("#added > li")).to_have_count(2)
    expect(page.locator("#added > li").nth(1)).to_contain_text("no date on the screen")
    shoot(page, "add-5-result", shots)

    # The exhibit page of the screenshot: the picture from the case, the six messages boxed and listed.
    page.get_by_role("link", name="EX-0002").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exhibit EX-0002")
    expect(page.locator("#file-name")).to_have_text(SHOT.name)
    expect(page.locator("#picture g.box")).to_have_count(6)
    expect(page.locator("#read li")).to_have_count(6)
    expect(page.locator("#read li").nth(3)).to_have_text("sent by you Absolutely! How about next Saturday?")
    loaded = page.evaluate(
        "fetch('/exhibit/EX-0002/picture').then(r => r.status + ' ' + r.headers.get('cache-control'))"
    )
    assert loaded == "200 no-store"
    box = page.locator("#picture").bounding_box()
    assert box is not None and box["height"] > box["width"] * 2  # a 1080x2400 phone screen, drawn whole
    shoot(page, "exhibit-1-screenshot", shots)

    # The timeline's rows lead to their exhibit.
    page.get_by_role("link", name="Timeline").click()
    # 19 entries: the screenshot's 5 messages whose day it does not show are listed apart.
    expect(page.locator("#count")).to_have_text(
        "14 entries with a known date. And 5 entries whose date is not known, listed apart below."
    )
    page.locator("#timeline .where a").filter(has_text=re.compile(r"^EX-0001 ")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exhibit EX-0001")
    expect(page.locator("#records-count")).to_have_text("12 records.")
    for when in page.locator("#records .when time").all_inner_texts():
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", when)
    shoot(page, "exhibit-2-sms", shots)
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
