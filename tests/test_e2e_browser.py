"""End to end in a real headless browser (Debian's chromium driven by Playwright):
create the instructor, create a cohort, register a learner with the join code, open a case,
enter codes, submit, and see the score. Screenshots go to tests/artifacts/.

Server start-up and the browser launch are shared with the other browser tests (tests/browser.py)."""
import re

import pytest

from browser import ARTIFACTS, chartlab, launch, need_browser

PASSWORD = "Teach-2026-coding-e2e"   # no "chartlab": the policy refuses the product name


@pytest.fixture
def server(tmp_path):
    need_browser()
    with chartlab(tmp_path / "e2e.db") as url:   # `streamlit run asgi.py`, as `make run` does
        yield url


def _click(page, name):
    page.get_by_role("button", name=name).first.click()


def _fill(page, label, value):
    page.get_by_label(label, exact=True).first.fill(value)


def _nav(page, name):
    page.get_by_role("link", name=name).first.click()


def test_instructor_and_learner_end_to_end(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(60_000)
        page.goto(server)

        # 1. first run: the instructor/administrator account
        expect(page.get_by_text("Welcome to ChartLab")).to_be_visible()
        _fill(page, "Your name", "Pat Instructor")
        _fill(page, "Username", "pat")
        _fill(page, "Password", PASSWORD)
        _fill(page, "Repeat password", PASSWORD)
        _click(page, "Create account")

        # 2. a cohort and its join code
        expect(page.get_by_text("Cohort name")).to_be_visible()
        _fill(page, "Cohort name", "HIT 210 e2e")
        _click(page, "Create cohort")
        message = page.get_by_text(re.compile(r"join code is [A-Z0-9-]+")).first
        expect(message).to_be_visible()
        join_code = re.search(r"join code is ([A-Z0-9-]+)", message.inner_text()).group(1)
        page.screenshot(path=str(ARTIFACTS / "e2e_cohort.png"))
        _click(page, "Sign out")

        # 3. the learner registers with the join code
        _nav(page, "Join a cohort")
        _fill(page, "Cohort join code", join_code)
        _fill(page, "Your name", "Lee Learner")
        _fill(page, "Choose a username", "lee")
        _fill(page, "Password", PASSWORD)
        _fill(page, "Repeat password", PASSWORD)
        _click(page, "Create my account")
        expect(page.get_by_text("Lee Learner").first).to_be_visible()

        # 4. open a practice case
        _nav(page, "Case workspace")
        page.get_by_role("tab", name="Practice by topic").click()
        _click(page, "Open a new practice case")
        expect(page.get_by_text("SYNTHETIC", exact=False).first).to_be_visible()

        # 5. enter codes: one invalid, then a real principal diagnosis
        page.get_by_role("tab", name="Diagnoses").click()
        search = page.get_by_label("Search ICD-10-CM: words or a code (results as you type)")
        search.fill("I5O.9")
        search.press("Enter")
        _click(page, "Add")
        expect(page.get_by_text("is not an ICD-10-CM code").first).to_be_visible()  # refused with a reason
        search.fill("I50.9")
        search.press("Enter")
        page.wait_for_timeout(1000)
        _click(page, "Add")
        expect(page.get_by_text("Principal: I50.9").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e_workspace.png"), full_page=True)

        # 6. submit with confirmation and see the score
        _click(page, "Submit")
        _click(page, "Yes, submit my answer")
        expect(page.get_by_text(re.compile(r"DRG", re.I)).first).to_be_visible()
        expect(page.get_by_text(re.compile(r"score", re.I)).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(4000)  # let the data grids paint before the screenshot
        page.screenshot(path=str(ARTIFACTS / "e2e_results.png"), full_page=True)
        body = page.inner_text("body")
        assert re.search(r"\d+(\.\d+)?\s*(/ ?100|%)", body), body[:2000]
        assert "Traceback" not in body
        browser.close()
