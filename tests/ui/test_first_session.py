"""Issue 20's "Done when": the first session a new user would have, in real headless Chromium, through the app
alone. Create an encrypted case; drop the sample exports and screenshots (``samples/make_samples.py``, the demo's
files); see the timeline and a burst; link a new number to the person; confirm two tactic suggestions and reject
one; write a diary entry; build and download a police report and check it; lock, unlock, and Leave now. Each step
asserts what is on the page, and what the case then holds; no step calls the library behind the page's back.
Screens are photographed at desktop width and at 360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps them)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from evidence.api import Case
from evidence.case.formats import Kind
from evidence.ui.session import Session
from tests.ui.test_browser import NEUTRAL, PASSPHRASE, browser, neutral_site, served, shoot  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent.parent
OFFSET_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d"
NEW_NUMBER = "+447700900789"  # the number Alex used after being blocked (samples/story.py)


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo's files, as `make demo` makes them; case.json is facts the user types, not evidence."""
    folder = tmp_path_factory.mktemp("samples")
    subprocess.run(
        [sys.executable, str(ROOT / "samples" / "make_samples.py"), str(folder)], check=True, cwd=ROOT
    )
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name != "case.json" and not p.name.startswith(".")
    )


@pytest.mark.allow_loopback
def test_a_new_users_first_session(
    served: Session,  # noqa: F811
    browser: Browser,  # noqa: F811
    sample_files: list[Path],
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("EVIDENCE_UI_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.route("https://www.bbc.co.uk/**", neutral_site)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # 1. The safety check, then a new encrypted case.
    page.goto(served.start_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this computer safe to use?")
    page.get_by_role("button", name="I understand, continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a new case")
    page.get_by_label("What the case is about").fill("Harassment of Jordan Lee by Alex Morgan")
    page.get_by_label("Your time zone").fill("Europe/London")
    page.get_by_label("The day you asked them to stop contacting you (if you did)").fill("2026-03-01")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("The same passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Create the case").click()
    expect(page.locator("#count")).to_have_text("Nothing here yet.")
    assert served.case_root is not None and (served.case_root / "keys" / "vault.json").is_file()

    # 2. Drop in the sample exports and screenshots: all read, in one go.
    page.get_by_role("link", name="Add evidence", exact=True).click()
    page.wait_for_selector("#add[data-ready]", state="attached")
    page.locator("#files").set_input_files([str(p) for p in sample_files])
    expect(page.locator("#queue li")).to_have_count(len(sample_files))
    page.get_by_role("button", name="Add these files").click()
    summary = page.locator("#summary")
    expect(summary).to_contain_text(f"{len(sample_files)} new exhibits added", timeout=120_000)
    records = int(re.search(r"(\d+) records read", summary.inner_text()).group(1))  # type: ignore[union-attr]
    with Case.open(served.case_root, readonly=True, keys=served.keys) as case:
        assert len(case.exhibits()) == len(sample_files)
        assert {e["original_name"] for e in case.exhibits()} == {p.name for p in sample_files}
    assert records > 200
    shoot(page, "first-1-added", shots)

    # 3. The timeline, its chart and a burst: the night of 21 March (samples/story.py).
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator("#count")).to_contain_text("entries")
    expect(page.locator("svg rect.bar.burst").first).to_be_attached()
    burst = page.locator("#bursts li", has_text="March 2026").first
    expect(burst).to_contain_text(re.compile(r"\d+ attempts in"))
    for when in page.locator("#timeline .when time").all_inner_texts()[:50]:
        assert re.fullmatch(OFFSET_TIME, when), when
    shoot(page, "first-2-timeline", shots)
    burst.get_by_role("link").click()
    expect(page.locator("#count")).to_contain_text("entries")

    # 4. People: add Alex, then link the new number to him as suspected, with the reason.
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.locator("#unknown")).to_contain_text(NEW_NUMBER)
    page.get_by_label("Name (a nickname is fine)").fill("Alex Morgan")
    page.get_by_label("Who they are").select_option("respondent")
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("#done")).to_have_text("Added Alex Morgan.")
    page.get_by_role("link", name=f"Link {NEW_NUMBER} to a person").click()
    # filled in as the number was written in the files (national form), which the library links the same
    expect(page.get_by_label("Number, e-mail address or account")).to_have_value(
        re.compile(r"^(\+44|0)7700900789$")
    )
    page.get_by_label("I think it is theirs, but cannot prove it (suspected)").check()
    page.get_by_label("How do you know? (required)").fill("New number after I blocked him; same pet names")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#done")).to_have_text(
        re.compile(r"^Linked (\+44|0)7700900789 to Alex Morgan \(suspected, not proven\)\.$")
    )
    person = page.locator("#people li.person").first
    expect(person).to_contain_text("7700900789")
    expect(person).to_contain_text("How you know: New number after I blocked him; same pet names")
    expect(page.locator("#unknown")).not_to_contain_text("7700900789")  # in no form: the same number
    shoot(page, "first-3-people", shots)

    # 5. Tactics: confirm two suggestions, reject one.
    page.get_by_role("link", name="Review tactics", exact=True).click()
    expect(page.locator("#now-heading")).to_contain_text("Waiting for you", timeout=60_000)
    waiting = int(re.sub(r"\D", "", page.locator("#now-heading").inner_text()))
    assert waiting >= 3
    for n, decision in enumerate(("Confirm", "Confirm", "Reject"), start=1):
        expect(page.locator("#current mark").first).to_be_visible()
        page.get_by_role("button", name=decision, exact=True).click()
        expect(page.locator("#done")).to_contain_text(f"{decision}ed:")
        expect(page.locator("#now-heading")).to_have_text(f"Waiting for you: {waiting - n}")
    expect(page.locator("#decided li")).to_have_count(3)
    expect(page.locator("#decided li.confirmed")).to_have_count(2)
    expect(page.locator("#decided li.rejected")).to_have_count(1)
    expect(page.locator("#decided li.rejected .badge")).to_have_text("Rejected")
    shoot(page, "first-4-review", shots)

    # 6. A diary entry.
    page.get_by_role("link", name="Diary", exact=True).click()
    expect(page.locator("#diary-warning")).to_contain_text("The other side may read this diary.")
    page.get_by_label("Day").fill("2026-04-20")
    page.get_by_label("Time", exact=True).fill("08:40")
    page.get_by_label("Where it happened").fill("Outside my work")
    page.get_by_label("What happened (required)").fill("His car was parked opposite the entrance again.")
    page.get_by_role("button", name="Save the entry").click()
    expect(page.locator("#done")).to_contain_text(f"Saved as exhibit EX-{len(sample_files) + 1:04d}.")
    expect(page.locator("#saved")).to_contain_text("Happened: 2026-04-20 08:40:00 +01:00")
    shoot(page, "first-5-diary", shots)

    # 7. A police report, built, downloaded and checked.
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_label("For the police")).to_be_checked()
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator("#report-ready")).to_contain_text(
        "Your report is ready. For the police", timeout=120_000
    )
    expect(page.locator("#previews img")).to_have_count(3)
    shoot(page, "first-6-report", shots)
    with page.expect_download() as waiting_download:
        page.get_by_role("button", name=re.compile("Download the report")).click()
    report_file = tmp_path / waiting_download.value.suggested_filename
    waiting_download.value.save_as(report_file)
    assert report_file.read_bytes().startswith(b"%PDF-")
    with Case.open(served.case_root, readonly=True, keys=served.keys) as case:
        made = [e.body for e in case.entries() if e.kind == Kind.REPORT_GENERATED]
    assert [m["sha256"] for m in made] == [hashlib.sha256(report_file.read_bytes()).hexdigest()]
    text = subprocess.run(
        ["pdftotext", str(report_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())  # lines wrap in table cells
    # the link made on the People screen, with its reason, is in the police report
    assert "+447700900789 Alex Morgan (respondent, suspected)" in words
    assert "(phone, suspected: New number after I blocked him; same pet names)" in words
    assert "His car was parked opposite the entrance again." in words, words[:3000]

    page.get_by_role("link", name="Check something received", exact=True).click()
    page.wait_for_selector("html[data-ready]", state="attached")
    page.get_by_label("Choose a report (PDF) or an export (zip)").set_input_files(report_file)
    page.get_by_role("button", name="Check this file").click()
    expect(page.locator("#verdict")).to_contain_text(
        "This report was made from this case and has not been changed", timeout=30_000
    )
    page.get_by_role("link", name="Check the case", exact=True).click()
    page.get_by_role("button", name="Check now").click()
    expect(page.locator("#verdict")).to_contain_text("All is in order.", timeout=60_000)
    shoot(page, "first-7-checked", shots)

    # 8. Lock, unlock, Leave now.
    page.get_by_role("button", name="Lock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the case")
    assert served.keys is None
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    page.get_by_role("button", name="Leave now").click()
    expect(page).to_have_url(NEUTRAL)
    assert not served.unlocked and served.keys is None
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
