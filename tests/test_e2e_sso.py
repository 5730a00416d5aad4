"""School single sign-on, end to end: a real OpenID Connect provider (the `oidc-provider-mock`
package, started here on 127.0.0.1) and ChartLab configured through a secrets.toml with an
`[auth]` section, driven in Debian's chromium. Streamlit's own `st.login` does the OIDC work
(authorization code flow, PKCE where offered, ID token checks); ChartLab maps the identity.

Checks: the learner lands signed in after the provider's form, the ChartLab account was created
(a learner, linked to issuer + subject, enrolled in the cohort that invited the e-mail), a reload
keeps the sign-in, and sign-out ends both the ChartLab session and the school sign-on cookie.
No internet is used: both servers listen on the loopback address only."""
from __future__ import annotations

import secrets
import threading
import warnings

import pytest

import progress
from browser import ARTIFACTS, chartlab, free_port, launch, loopback_context, need_browser
from progress.db import connect, one

# The provider package and Authlib warn about their own deprecated internals (not ChartLab's).
# Authlib turns its warnings to "always" when imported, so the import swallows them here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
with warnings.catch_warnings(record=True):
    try:
        import oidc_provider_mock as mock
    except ImportError:
        mock = None
STUDENT = {"sub": "stu-0001", "email": "sam.student@school.example", "name": "Sam Student"}
STATUS = "document.documentElement.dataset.chartlabSession"


@pytest.fixture
def provider():
    """An OpenID provider on a free loopback port, with one predefined student."""
    werkzeug_serving = pytest.importorskip("werkzeug.serving")
    if mock is None:
        pytest.skip("oidc-provider-mock is not installed (it is in requirements.txt)")
    student = mock.User(sub=STUDENT["sub"], claims={"email": STUDENT["email"], "email_verified": True,
                                                    "name": STUDENT["name"]})
    server = werkzeug_serving.make_server("127.0.0.1", free_port(), mock.app(user_claims=[student], require_nonce=True),
                                          threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def app(tmp_path, provider):
    need_browser()
    from playwright.sync_api import expect
    expect.set_options(timeout=60_000)
    db_path = tmp_path / "sso.db"
    db = connect(db_path)
    teacher = progress.provision_user("pat", "Teach-2026-harbor-lamp", "instructor", "Pat Instructor", db=db)
    cohort = progress.create_cohort(teacher.actor, "HIT 210", db=db)
    progress.invite_learner(teacher.actor, cohort["id"], STUDENT["email"], db=db)
    db.close()
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "chartlab-test"
client_secret = "chartlab-test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
''', encoding="utf-8")
    with chartlab(db_path, port=port, args=("--secrets.files", str(secrets_file))) as url:
        yield url, db_path, cohort, provider


def test_school_sign_on_creates_the_learner_and_signs_in(app):
    from playwright.sync_api import expect, sync_playwright

    url, db_path, cohort, issuer = app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        context = loopback_context(browser, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        expect(page.get_by_label("Username", exact=True)).to_be_visible()   # local sign-in still offered
        page.get_by_role("button", name="Sign in with your school account").click()

        # the provider's own page: pick the predefined student
        page.wait_for_url(f"{issuer}/**")
        page.get_by_role("button", name=STUDENT["sub"]).click()

        # back in ChartLab, signed in as a new learner
        page.wait_for_url(f"{url}/**")
        expect(page.get_by_text("Sam Student · Learner")).to_be_visible()
        expect(page.get_by_role("heading", name="Welcome, Sam Student")).to_be_visible()
        page.wait_for_function(f"{STATUS} === 'saved'", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "sso_signed_in.png"))

        db = connect(db_path)
        link = one(db, "SELECT * FROM sso_identities WHERE subject = ?", [STUDENT["sub"]])
        assert link["issuer"] == issuer and link["email"] == STUDENT["email"]
        user = one(db, "SELECT username, display_name, role, password_hash FROM users WHERE id = ?", [link["user_id"]])
        assert user == {"username": "sam.student", "display_name": "Sam Student", "role": "learner",
                        "password_hash": "!sso"}
        member = one(db, "SELECT 1 AS ok FROM memberships WHERE cohort_id = ? AND user_id = ?",
                     [cohort["id"], link["user_id"]])
        assert member == {"ok": 1}
        assert one(db, "SELECT method FROM sessions WHERE user_id = ? AND revoked_at IS NULL",
                   [link["user_id"]]) == {"method": "sso"}

        # a reload keeps the sign-in
        page.reload()
        expect(page.get_by_text("Sam Student · Learner")).to_be_visible()
        assert "Traceback" not in page.inner_text("body")

        # sign-out ends the ChartLab session and leaves the school sign-on as well
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{issuer}/**")   # the provider's end-session page
        assert one(db, "SELECT COUNT(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL",
                   [link["user_id"]]) == {"n": 0}
        page.goto(url)
        expect(page.get_by_role("button", name="Sign in with your school account")).to_be_visible()
        page.wait_for_timeout(1500)
        assert "Sam Student" not in page.inner_text("body")
        assert not [c for c in context.cookies() if c["name"] in ("chartlab_session", "_streamlit_user")]
        db.close()
        browser.close()
