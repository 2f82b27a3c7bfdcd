"""The report builder, the export and "check something received" in real headless Chromium (Debian's, driven by
Playwright): make a report for a lawyer with redaction, see its first pages, download it; make the export with
that report inside and download it; check both received files (one picked, one dropped) and a changed copy.
Each step asserts what is on the page, the downloads are the files the case recorded, and every screen is
photographed at desktop width and at 360 px (``EVIDENCE_UI_SHOTS=DIR`` keeps the pictures)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from evidence.api import Case
from evidence.case.formats import Kind
from evidence.case.vault import TEST_COST
from evidence.ui.session import Session
from evidence.verify.bundle import verify_bundle
from tests.ui.test_browser import PASSPHRASE, browser, neutral_site, served, shoot  # noqa: F401 (fixtures)

DROP = """([name, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/zip" }));
  return transfer;
}"""


@pytest.mark.allow_loopback
def test_report_export_and_check_in_a_real_browser(
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
        case.import_files(
            [
                corpus / "smsbackup" / "sms-devadvance-sms_small.xml",
                corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml",
            ]
        )
        case.add_person("Contact A", role="respondent", ids=["+15550000001"], region="US")
        fingerprint = case.public_key.fingerprint
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.route("https://www.bbc.co.uk/**", neutral_site)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served.start_url)
    page.get_by_role("button", name="I understand, continue").click()
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open").click()
    expect(page.locator("#count")).to_have_text("13 entries.")

    # The report: for a lawyer, only Contact A, a copy for the other side.
    page.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a report")
    expect(page.get_by_label("For the police")).to_be_checked()
    page.get_by_label("For a lawyer or a court").check()
    page.get_by_label("Only about this person").select_option("Contact A")
    page.get_by_label("This copy is meant for the other side").check()
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator("#working")).to_be_visible()  # htmx's indicator while the report is made
    expect(page.get_by_role("button", name="Make the report")).to_be_disabled()
    expect(page.locator("#report-ready")).to_contain_text(
        "Your report is ready. For a lawyer or a court", timeout=30000
    )
    previews = page.locator("#previews img")
    expect(previews).to_have_count(3)
    for n in range(3):
        assert previews.nth(n).evaluate("img => img.complete && img.naturalWidth") == 414
    expect(page.get_by_label("For a lawyer or a court")).to_be_checked()  # the form keeps the choice
    shoot(page, "6-report", shots)
    with page.expect_download() as waiting:
        page.get_by_role("button", name=re.compile("Download the report")).click()
    report_file = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(report_file)
    assert re.fullmatch(r"evidence-report-lawyer-\d{4}-\d\d-\d\d-redacted\.pdf", report_file.name)
    with Case.open(served.case_root, readonly=True, keys=served.keys) as case:
        recorded = [e.body for e in case.entries() if e.kind == Kind.REPORT_GENERATED]
    assert [r["sha256"] for r in recorded] == [hashlib.sha256(report_file.read_bytes()).hexdigest()]
    assert recorded[0]["filter"] == {"person": "Contact A"} and recorded[0]["redacted"] is True

    # The export, with that report inside.
    page.get_by_role("link", name="Export for a lawyer").click()
    expect(page.locator("#contents")).to_contain_text("every original file you added (2 files,")
    expect(page.locator("#key-fingerprint")).to_have_text(fingerprint)
    expect(page.get_by_label(re.compile("Put the report you just made in it"))).to_be_checked()
    # the report hides details; the bundle's originals do not, and the page says so
    expect(page.locator("#redaction-note")).to_contain_text("with nothing hidden")
    page.get_by_label("Who it is for (optional, kept in the record)").fill("J. Smith, solicitor")
    page.get_by_role("button", name="Make the export").click()
    expect(page.locator("#export-ready")).to_contain_text("The export is ready.", timeout=30000)
    expect(page.locator("#export-ready")).to_contain_text("with the report")
    shoot(page, "7-export", shots)
    with page.expect_download() as waiting:
        page.get_by_role("button", name=re.compile("Download the export")).click()
    bundle_file = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(bundle_file)
    assert verify_bundle(bundle_file).ok

    # Check what was received: the report picked with the file chooser, the bundle dropped, a changed copy.
    page.get_by_role("link", name="Check something received").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check something received")
    page.wait_for_selector("html[data-ready]", state="attached")
    page.get_by_label("Choose a report (PDF) or an export (zip)").set_input_files(report_file)
    page.get_by_role("button", name="Check this file").click()
    expect(page.locator("#verdict")).to_contain_text(
        "This report was made from this case and has not been changed"
    )
    expect(page.locator("#verdict")).to_have_class(re.compile("good"))
    shoot(page, "8-check-report", shots)
    page.get_by_label("The key fingerprint the sender gave you (optional)").fill(fingerprint.upper())
    transfer = page.evaluate_handle(
        DROP, [bundle_file.name, base64.b64encode(bundle_file.read_bytes()).decode()]
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    expect(page.locator("#verdict")).to_contain_text("This bundle checks out")
    expect(page.locator("#facts")).to_contain_text(fingerprint)
    expect(page.locator("#facts")).to_contain_text(
        "It was signed by the key whose fingerprint you were given."
    )
    changed = bytearray(bundle_file.read_bytes())
    at = changed.index(b"Body text 1")
    changed[at : at + 11] = b"Body text 9"
    (tmp_path / "changed.zip").write_bytes(bytes(changed))
    page.get_by_label("Choose a report (PDF) or an export (zip)").set_input_files(tmp_path / "changed.zip")
    page.get_by_role("button", name="Check this file").click()
    expect(page.locator("#verdict")).to_contain_text("This bundle does not check out")
    expect(page.locator("#verdict")).to_have_class(re.compile("bad"))
    expect(page.locator("#findings")).to_contain_text("MODIFIED")
    shoot(page, "9-check-red", shots)
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
