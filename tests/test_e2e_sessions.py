"""Sign-in that survives a reload, in a real headless browser (Debian chromium + Playwright),
against ChartLab served as `make run` serves it (`streamlit run asgi.py`).

Proves the HttpOnly cookie mechanism end to end: sign in, reload, still signed in on the same
page; sign out, reload, signed out; a revoked, an expired and a tampered cookie sign out cleanly;
a signed-out visitor opening a page URL gets the sign-in form (never "Page not found") and then
that page; the cookie route refuses cross-site and malformed requests."""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

import progress
from browser import ARTIFACTS, chartlab, launch, loopback_context, need_browser
from progress.db import connect

PASSWORD = "Learn-2026-coding-sess"
STATUS = "document.documentElement.dataset.chartlabSession"
NOT_FOUND = re.compile(r"page not found|no corresponding file", re.I)


@pytest.fixture
def app(tmp_path):
    need_browser()
    from playwright.sync_api import expect
    expect.set_options(timeout=60_000)   # generous: two cores shared with other work
    db_path = tmp_path / "sessions.db"
    db = connect(db_path)
    teacher = progress.provision_user("pat", PASSWORD, "instructor", "Pat Instructor", db=db)
    cohort = progress.create_cohort(teacher.actor, "HIT 210", db=db)
    progress.register_learner(cohort["join_code"], "lee", PASSWORD, "Lee Learner", db=db)
    db.close()
    with chartlab(db_path, env={"CHARTLAB_SESSION_IDLE_MINUTES": "60"}) as url:
        yield url, db_path


def session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "chartlab_session"), None)


def wait_status(page, value):
    page.wait_for_function(f"{STATUS} === {value!r}", timeout=60_000)


def sign_in(page, username="lee"):
    try:
        page.get_by_label("Username", exact=True).fill(username)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sessions_sign_in_failed.png"))
        dialogs = page.get_by_role("dialog").all_inner_texts()
        pytest.fail(f"the sign-in form is not usable; dialogs on screen: {dialogs}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_status(page, "saved")


def assert_clean(page):
    body = page.inner_text("body")
    assert not NOT_FOUND.search(body), body[:1500]
    assert "Traceback" not in body


def test_sign_in_survives_reload_and_sign_out_does_not(app):
    from playwright.sync_api import expect, sync_playwright

    url, db_path = app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        context = loopback_context(browser, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(60_000)

        # 1. a signed-out visitor opens a page URL: the sign-in form, not "Page not found"
        page.goto(f"{url}/my_progress")
        expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
        page.wait_for_timeout(1500)
        assert_clean(page)
        sign_in(page)
        expect(page.get_by_role("heading", name="My progress")).to_be_visible()   # the page of the URL
        assert page.url.rstrip("/").endswith("/my_progress")

        # 2. the cookie: HttpOnly, SameSite=Lax, not Secure over plain http, only a token
        cookie = session_cookie(context)
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie["value"])
        assert cookie["expires"] > 0   # persistent: survives closing the browser
        assert "chartlab_session" not in page.evaluate("document.cookie")   # invisible to scripts
        assert "lee" not in cookie["value"] and "learner" not in cookie["value"]

        # 3. reload: still signed in, on the same page
        page.reload()
        expect(page.get_by_role("heading", name="My progress")).to_be_visible()
        expect(page.get_by_text("Lee Learner · Learner")).to_be_visible()
        page.wait_for_timeout(1500)
        assert_clean(page)
        page.screenshot(path=str(ARTIFACTS / "sessions_after_reload.png"))

        # 4. a second tab shares the sign-in
        other = context.new_page()
        other.goto(f"{url}/lessons")
        expect(other.get_by_text("Lee Learner · Learner")).to_be_visible()
        other.close()

        # 5. sign out: the cookie goes, a reload stays signed out
        page.get_by_role("button", name="Sign out").click()
        wait_status(page, "cleared")
        expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
        assert session_cookie(context) is None
        page.reload()
        expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
        page.wait_for_timeout(1500)
        assert "Lee Learner" not in page.inner_text("body")
        assert_clean(page)
        browser.close()


def test_revoked_expired_and_tampered_cookies_sign_out_cleanly(app):
    from playwright.sync_api import expect, sync_playwright

    url, db_path = app
    with sync_playwright() as pw:
        browser = launch(pw)
        context = loopback_context(browser)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        sign_in(page)
        expect(page.get_by_text("Lee Learner · Learner")).to_be_visible()

        # revoked by an administrator while the learner works
        db = connect(db_path)
        lee = next(u for u in progress.list_users(progress.Actor(0, "admin"), db=db) if u["username"] == "lee")
        progress.revoke_user_sessions(progress.Actor(0, "admin"), lee["id"], db=db)
        page.reload()
        expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
        expect(page.get_by_text("Your previous session has ended").first).to_be_visible()
        wait_status(page, "cleared")
        assert session_cookie(context) is None
        assert_clean(page)

        # expired (idle for longer than the 60 minutes this server allows)
        sign_in(page)
        token = session_cookie(context)["value"]
        db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z' WHERE token_hash = ?",
                   [progress.sessions.digest(token)])
        db.conn.commit()
        page.reload()
        expect(page.get_by_text("Your previous session has ended").first).to_be_visible()
        wait_status(page, "cleared")
        assert session_cookie(context) is None

        # tampered: one character changed, and plain garbage
        sign_in(page)
        good = session_cookie(context)
        forged = ("A" if good["value"][0] != "A" else "B") + good["value"][1:]
        context.add_cookies([{**good, "value": forged}])
        page.reload()
        expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
        expect(page.get_by_text("Your previous session has ended").first).to_be_visible()
        wait_status(page, "cleared")
        for garbage in ("not-a-token%00<script>", "x" * 3000):   # may not even parse as a cookie
            context.add_cookies([{**good, "value": garbage}])
            page.reload()
            expect(page.get_by_text("Sign in to ChartLab")).to_be_visible()
            page.wait_for_timeout(1000)
            assert "Lee Learner" not in page.inner_text("body")
            assert_clean(page)
        db.close()
        browser.close()


def _post(url, body=b"", headers=None, method="POST"):
    request = urllib.request.Request(f"{url}/_chartlab/session", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Set-Cookie") or []


def test_the_cookie_route_refuses_cross_site_and_bad_requests(app):
    url, db_path = app
    db = connect(db_path)
    lee = next(u for u in progress.list_users(progress.Actor(0, "admin"), db=db) if u["username"] == "lee")
    claim = progress.create_session(lee["id"], db=db).claim_code
    ok_headers = {"X-ChartLab-Session": "1", "Content-Type": "text/plain"}
    assert _post(url, claim.encode())[0] == 403   # no custom header: a plain cross-site form post
    assert _post(url, claim.encode(), {**ok_headers, "Sec-Fetch-Site": "cross-site"})[0] == 403
    assert _post(url, claim.encode(), {**ok_headers, "Origin": "https://evil.example"})[0] == 403
    assert _post(url, b"\xff\xfe garbage", ok_headers) == (409, [])
    assert _post(url, b"x" * 100_000, ok_headers) == (409, [])
    status, cookies = _post(url, claim.encode(), ok_headers)
    assert status == 204 and len(cookies) == 1
    assert re.search(r"^chartlab_session=[A-Za-z0-9_-]{43};", cookies[0])
    assert all(flag in cookies[0].lower() for flag in ("httponly", "samesite=lax", "path=/", "max-age="))
    assert "secure" not in cookies[0].lower()   # plain http here
    assert _post(url, claim.encode(), ok_headers)[0] == 409   # single use
    assert _post(url, method="DELETE", headers={"X-ChartLab-Session": "1"})[0] == 204
    db.close()
