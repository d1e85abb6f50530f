"""Requirement sets on the desk in a real browser (Debian's Chromium, headless, Playwright): an admin
edits a set from the keyboard, sees the mistake under its line, fixes it and the set is stored; the
pages fit a phone. ``COI_DESK_SCREENSHOTS=docs/desk`` saves the editor with its mistake there."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from apiserver import serve
from desk import user
from holders import holder_account
from infra.models import RequirementSet
from test_desk_browser import EMBEDDED, browser, keep, sign_in  # noqa: F401 - the module's browser fixture

pytestmark = pytest.mark.e2e


@EMBEDDED
def test_given_an_admin_then_a_mistake_shows_under_its_line_and_the_fixed_set_is_saved(app, browser, tmp_path):
    holder_account(app, "acme")
    user(app, "ada@acme.example", "acme", "admin")
    with serve(app) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, "ada@acme.example")
        page.get_by_role("link", name="Requirements").click()
        card = page.locator('.sets .card[data-state="in force"]')
        assert card.count() == 1
        card.get_by_role("link").click()
        editor = page.get_by_label(re.compile("The set, as YAML"))
        text = editor.input_value()
        editor.fill(text.replace("each_occurrence: 1000000", "each_occurrence: one million"))
        editor.focus()
        page.keyboard.press("Tab")  # on to the button, from the keyboard
        page.keyboard.press("Enter")
        wrong = page.locator("ol.lines li.wrong")
        wrong.wait_for()
        assert "each_occurrence: one million" in wrong.inner_text() and "should be a whole number" in wrong.inner_text()
        number = wrong.get_attribute("value")
        assert f"line {number}" in page.get_by_role("alert").inner_text()
        assert wrong.is_visible()
        page.screenshot(path=str(tmp_path / "requirements.png"), full_page=True)
        keep(tmp_path / "requirements.png", "requirements.png")

        editor = page.get_by_label(re.compile("The set, as YAML"))
        editor.fill(editor.input_value().replace("each_occurrence: one million", "each_occurrence: 1500000"))
        page.get_by_role("button", name="Check and save").click()
        page.wait_for_url(re.compile(r".*/desk/requirements/\d+$"))
        assert "Saved as set" in page.get_by_role("status").inner_text()
        with app.sessions() as session:
            live = session.scalars(select(RequirementSet).where(RequirementSet.superseded_at.is_(None))).one()
            assert live.body["lines"]["general_liability"]["limits"]["each_occurrence"] == 1_500_000

        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        for path in (f"/desk/requirements/{live.id}", "/desk/requirements"):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, path
        page.screenshot(path=str(tmp_path / "sets-phone.png"), full_page=True)
        keep(tmp_path / "sets-phone.png", "requirement-sets-phone.png")
        page.close()
