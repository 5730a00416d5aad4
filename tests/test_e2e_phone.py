"""One pass at phone width (390 x 844, touch) in a real headless browser (Debian chromium + Playwright)
against the demo cohort, served as `make run` serves it: after sign-in the menu stays out of the
way, nothing is wider than the screen, recent attempts show their scores, the "Each component"
chart has room for its plot and legend, a lesson and a quiz fit the screen, and the results
page and an open case render. Screenshots of every page go to tests/artifacts/phone_*.png."""
from __future__ import annotations

import re

import pytest

from browser import ARTIFACTS, chartlab, launch, loopback_context, need_browser
from progress.db import connect
from progress.demo import seed_demo

WIDTH, HEIGHT = 390, 844
SESSION = "document.documentElement.dataset.chartlabSession"
SCORE_RIGHT_EDGE = """link => {   // where the "NN/100" at the start of a link's label ends on screen
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const found = node.textContent.match(/^\\d+\\/100/);
        if (found) { const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, found[0].length);
                     const box = r.getBoundingClientRect(); return box.width ? box.right : null; }
    }
    return null;
}"""


@pytest.fixture
def demo(tmp_path):
    need_browser()
    from playwright.sync_api import expect
    expect.set_options(timeout=60_000)
    db_path = tmp_path / "phone.db"
    db = connect(db_path)
    out = seed_demo(3, db=db, say=lambda *_: None)
    attempt = db.execute("""SELECT a.id FROM attempts a JOIN users u ON u.id = a.user_id
                            WHERE u.username = 'demo-learner-01' ORDER BY a.id DESC LIMIT 1""").fetchone()[0]
    db.close()
    with chartlab(db_path) as url:
        yield url, out, attempt


def settle(page, ms: int = 2500) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(ms)


def shoot(page, name: str) -> None:
    """A screenshot of the whole page at phone width (the viewport grows to the content's height
    for the picture only: Streamlit scrolls inside its main container, not the document)."""
    tall = page.evaluate("""() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], section')]
                                           .map(e => e.scrollHeight), 0)""")
    page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, min(int(tall), 6000))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"phone_{name}.png"))
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def assert_fits(page) -> None:
    """Nothing makes the page wider than the phone, and no error reached the screen."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= WIDTH + 1, f"the page is {overflow}px wide on a {WIDTH}px screen"
    body = page.inner_text("body")
    assert "Traceback" not in body and not re.search(r"page not found", body, re.I), body[:1000]


def sidebar_collapsed(page) -> bool:
    return page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"


def test_phone_width_pass(demo):
    from playwright.sync_api import expect, sync_playwright

    url, out, attempt = demo
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        context = loopback_context(browser, viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2,
                                   is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_label("Username", exact=True).fill("demo-learner-01")
        page.get_by_label("Password", exact=True).fill(out["learner_password"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_function(f"{SESSION} === 'saved'", timeout=60_000)

        # 1. home: the menu is closed after sign-in; recent attempts start with a score that is on screen
        expect(page.get_by_text("Recent attempts")).to_be_visible()
        settle(page)
        assert sidebar_collapsed(page), "the menu must not cover the page on a phone after sign-in"
        assert_fits(page)
        links = page.get_by_role("link", name=re.compile(r"^\d+\/100 · "))
        assert links.count() >= 3
        for n in range(links.count()):
            right = links.nth(n).evaluate(SCORE_RIGHT_EDGE)
            assert right is not None and right <= WIDTH - 16, f"the score of recent attempt {n + 1} ends at {right}px"
        expect(page.get_by_text("Question sets and exams")).to_be_visible()
        shoot(page, "home")

        # 2. My progress: the component chart keeps a plot and a whole legend
        page.goto(f"{url}/my_progress")
        expect(page.get_by_text("Each component")).to_be_visible()
        settle(page, 4000)
        assert sidebar_collapsed(page)
        assert_fits(page)
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        expect(charts.nth(1)).to_be_visible()
        component = charts.nth(1).bounding_box()
        assert component["height"] >= 330, f"the chart is squashed to {component['height']}px"
        assert component["x"] + component["width"] <= WIDTH + 1
        shoot(page, "my_progress")

        # 3. a lesson
        page.goto(f"{url}/lessons")
        page.get_by_role("button", name="Open lesson 1", exact=True).click()
        expect(page.get_by_text("Check yourself")).to_be_visible()
        settle(page)
        assert_fits(page)
        shoot(page, "lesson")

        # 4. a practice quiz: answer one question; the buttons span the screen (easy to tap)
        page.goto(f"{url}/quiz")
        page.get_by_role("button", name="Start quiz").click()
        page.locator('[data-testid="stRadio"] [role="radiogroup"] label').first.click()
        check = page.get_by_role("button", name="Check my answer")
        assert check.bounding_box()["width"] >= 0.8 * WIDTH, "a full-width button, easy to tap"
        check.click()
        expect(page.get_by_text(re.compile(r"Correct|Not quite")).first).to_be_visible()
        settle(page)
        assert_fits(page)
        shoot(page, "quiz")

        # 5. the results page and the workspace: rendered and screenshotted (their layout is reported)
        page.goto(f"{url}/results?attempt={attempt}")
        expect(page.get_by_text(re.compile(r"Results —")).first).to_be_visible()
        settle(page, 4000)
        shoot(page, "results")
        page.goto(f"{url}/workspace")
        expect(page.get_by_text("Case workspace").first).to_be_visible()
        settle(page)
        shoot(page, "workspace")
        page.get_by_role("button", name="Open").first.click()
        expect(page.get_by_text("SYNTHETIC", exact=False).first).to_be_visible()
        settle(page, 4000)
        shoot(page, "workspace_case")
        browser.close()
