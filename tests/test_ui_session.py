"""AppTest: sign-in sessions in the router and ui.session (cookie restore, revocation, role
reload, sign-out, school sign-on through st.user, the account and people pages).

The browser cookie itself (HttpOnly, set by the asgi route) is tested in a real browser in
tests/test_e2e_sessions.py; here `ui.session_cookie.token` stands in for the cookie jar."""
from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

import progress
from progress import sessions
from progress.db import one
from ui import session as ui_session
from ui import session_cookie
from uitest import APP

PASSWORD = "Coding-db-2026-x"


@pytest.fixture
def people(tmp_db):
    admin = progress.provision_user("ada", PASSWORD, "admin", "Ada Admin")
    teacher = progress.provision_user("tess", PASSWORD, "instructor", "Tess Teacher")
    cohort = progress.create_cohort(teacher.actor, "HIT 210")
    kim = progress.register_learner(cohort["join_code"], "kim", PASSWORD, "Kim Learner")
    return {"admin": admin, "teacher": teacher, "kim": kim, "cohort": cohort}


def browser(monkeypatch, cookie: str | None = None) -> AppTest:
    """A new Streamlit session whose browser sent `cookie` (None: no cookie)."""
    monkeypatch.setattr(session_cookie, "token", lambda: cookie)
    return AppTest.from_file(APP, default_timeout=90)


def issued_token(user) -> str:
    return progress.claim_session(progress.create_session(user.id).claim_code).token


def scripts(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def sign_in_with_form(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    inputs["Username"].input(username)
    inputs["Password"].input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.sidebar.markdown, *at.sidebar.text])


def test_password_sign_in_creates_a_database_session_and_sends_the_claim(people, monkeypatch):
    at = browser(monkeypatch).run()
    sign_in_with_form(at, "kim")
    assert not at.exception
    session_id = at.session_state[ui_session.SESSION_ID]
    row = one(progress.get_db(), "SELECT user_id, method, token_hash, claim_hash FROM sessions WHERE id = ?",
              [session_id])
    assert row["user_id"] == people["kim"].id and row["method"] == "password"
    assert row["token_hash"] is None and row["claim_hash"] is not None
    claim = at.session_state[ui_session.CLAIM]
    assert claim in scripts(at) and session_cookie.ROUTE in scripts(at) and '"POST"' in scripts(at)
    assert "Kim Learner" in sidebar_text(at)
    # once the browser has claimed the token, the claim is no longer sent
    assert progress.claim_session(claim) is not None
    at.run()
    assert "POST" not in scripts(at) and ui_session.CLAIM not in at.session_state


def test_wrong_password_creates_no_session(people, monkeypatch):
    at = browser(monkeypatch).run()
    sign_in_with_form(at, "kim", "Wrong-password-1")
    assert any("Incorrect" in e.value for e in at.error)
    assert one(progress.get_db(), "SELECT COUNT(*) AS n FROM sessions")["n"] == 0


def test_a_reload_with_the_cookie_is_signed_in_on_the_first_run(people, monkeypatch):
    token = issued_token(people["kim"])
    at = browser(monkeypatch, token).run()
    assert not at.exception
    assert "Kim Learner" in sidebar_text(at)
    assert [t.value for t in at.title] == ["Welcome, Kim Learner"]   # the learner's home page
    assert "<script>" not in scripts(at)   # nothing to set or clear


def test_the_role_is_reloaded_from_the_database(people, monkeypatch):
    at = browser(monkeypatch, issued_token(people["kim"])).run()
    assert "Learner" in sidebar_text(at)
    progress.set_role(people["admin"].actor, people["kim"].id, "instructor")
    at.run()
    assert "Instructor" in sidebar_text(at) and at.title[0].value == "Cohorts"


@pytest.mark.parametrize("cookie", ["garbage", "x" * 43, "", "' OR 1=1 --", "é" * 43, "A" * 5000])
def test_a_tampered_or_unknown_cookie_is_rejected_and_cleared(people, monkeypatch, cookie):
    at = browser(monkeypatch, cookie).run()
    assert not at.exception
    assert at.title[0].value == "Sign in to ChartLab"
    if cookie:
        assert '"DELETE"' in scripts(at)
        assert any("session has ended" in i.value for i in at.info)


def test_a_revoked_or_expired_cookie_signs_out_cleanly(people, monkeypatch):
    token = issued_token(people["kim"])
    progress.revoke_user_sessions(people["admin"].actor, people["kim"].id)
    at = browser(monkeypatch, token).run()
    assert not at.exception and at.title[0].value == "Sign in to ChartLab"
    assert '"DELETE"' in scripts(at)
    monkeypatch.setenv("CHARTLAB_SESSION_MAX_HOURS", "1")
    at2 = browser(monkeypatch, issued_token(people["kim"]))
    real = sessions.utcnow
    monkeypatch.setattr(sessions, "utcnow", lambda: real() + timedelta(hours=2))
    at2.run()
    assert not at2.exception and at2.title[0].value == "Sign in to ChartLab"


def test_revocation_ends_a_live_session_at_the_next_interaction(people, monkeypatch):
    at = browser(monkeypatch, issued_token(people["kim"])).run()
    assert "Kim Learner" in sidebar_text(at)
    progress.revoke_user_sessions(people["admin"].actor, people["kim"].id)
    at.run()
    assert at.title[0].value == "Sign in to ChartLab" and "user" not in at.session_state
    assert any("session has ended" in i.value for i in at.info)


def test_sign_out_revokes_and_clears_the_cookie_and_is_not_undone_by_it(people, monkeypatch):
    token = issued_token(people["kim"])
    at = browser(monkeypatch, token).run()
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    at.run()
    assert not at.exception and at.title[0].value == "Sign in to ChartLab"
    assert '"DELETE"' in scripts(at)
    assert progress.validate_session(token) is None
    at.run()   # the stale cookie of this Streamlit session is not read again
    assert at.title[0].value == "Sign in to ChartLab"


def test_one_users_cookie_never_shows_another_user(people, monkeypatch):
    kim_token, tess_token = issued_token(people["kim"]), issued_token(people["teacher"])
    kim = browser(monkeypatch, kim_token).run()
    assert "Kim Learner" in sidebar_text(kim)
    tess = browser(monkeypatch, tess_token).run()
    assert "Tess Teacher" in sidebar_text(tess) and "Kim" not in sidebar_text(tess)


def test_password_change_keeps_this_browser_and_ends_the_others(people, monkeypatch):
    other_device = issued_token(people["kim"])
    at = browser(monkeypatch, issued_token(people["kim"])).run()
    at.switch_page("ui/pages/account.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["Current password"].input(PASSWORD)
    fields["New password"].input("Brand-new-pass-77")
    fields["Repeat new password"].input("Brand-new-pass-77")
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert not at.exception and any("Password changed" in s.value for s in at.success)
    assert progress.validate_session(other_device) is None
    assert '"POST"' in scripts(at)   # the renewed session's claim is sent at once
    at.run()
    assert "Kim Learner" in sidebar_text(at)   # still signed in here


def test_sign_out_on_every_other_device(people, monkeypatch):
    other_device = issued_token(people["kim"])
    at = browser(monkeypatch, issued_token(people["kim"])).run()
    at.switch_page("ui/pages/account.py").run()
    assert any("2 devices" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Sign out on every other device").click()
    at.run()
    assert progress.validate_session(other_device) is None
    at.run()
    assert "Kim Learner" in sidebar_text(at)


# ----------------------------------------------------------------------------- school sign-on
SSO_SECRETS = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
               "client_id": "chartlab", "client_secret": "s",
               "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}


def school_browser(monkeypatch, identity: dict | None) -> AppTest:
    at = browser(monkeypatch)
    monkeypatch.setattr(ui_session, "sso_providers", lambda: [None])
    at.user = identity or {}
    return at


def test_no_provider_configured_means_local_sign_in_only(people, monkeypatch):
    at = browser(monkeypatch).run()
    assert ui_session.sso_providers() == []
    assert not [b for b in at.button if "school account" in b.label]


def test_the_login_page_offers_the_configured_school_provider(people, monkeypatch):
    at = browser(monkeypatch)
    at.secrets["auth"] = SSO_SECRETS
    at.run()
    assert not at.exception
    assert [b.label for b in at.button if "school account" in b.label] == ["Sign in with your school account"]


def test_a_school_identity_signs_in_as_a_new_learner(people, monkeypatch):
    identity = {"is_logged_in": True, "iss": "https://idp.school.example", "sub": "abc-1",
                "email": "new.student@school.example", "email_verified": True, "name": "New Student",
                "iat": 2_000_000_000}
    progress.invite_learner(people["teacher"].actor, people["cohort"]["id"], "new.student@school.example")
    at = school_browser(monkeypatch, identity).run()
    assert not at.exception
    assert "New Student" in sidebar_text(at) and at.title[0].value == "Welcome, New Student"
    assert at.session_state[ui_session.METHOD] == "sso"
    members = progress.cohort_members(people["teacher"].actor, people["cohort"]["id"])
    assert "new.student" in {m["username"] for m in members}


def test_a_refused_school_identity_shows_why_and_stays_signed_out(people, monkeypatch):
    monkeypatch.setenv("CHARTLAB_SSO_INVITE_ONLY", "1")
    identity = {"is_logged_in": True, "iss": "https://idp.school.example", "sub": "zzz",
                "email": "stranger@school.example", "email_verified": True}
    at = school_browser(monkeypatch, identity).run()
    assert not at.exception and at.title[0].value == "Sign in to ChartLab"
    assert any("not been invited" in i.value for i in at.info)
    assert "Use a different school account" in [b.label for b in at.button]


def test_signing_out_of_a_school_session_also_leaves_the_school_account(people, monkeypatch):
    identity = {"is_logged_in": True, "iss": "https://idp.school.example", "sub": "abc-2", "iat": 2_000_000_000}
    at = school_browser(monkeypatch, identity).run()
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    at.run()
    assert at.title[0].value == "Sign in to ChartLab"   # st.user is still set here, but not used again
    assert "/auth/logout" in scripts(at) and '"DELETE"' in scripts(at)


# ----------------------------------------------------------------------------- people page
def test_admin_promotes_and_signs_out_a_user(people, monkeypatch):
    kim_token = issued_token(people["kim"])
    at = browser(monkeypatch, issued_token(people["admin"])).run()
    at.switch_page("ui/pages/people.py").run()
    assert not at.exception
    at.selectbox(key="people_user").set_value(people["kim"].id).run()
    assert any("Signed in on 1 device" in m.value for m in at.markdown)
    at.button(key="people_revoke").click().run()
    assert progress.validate_session(kim_token) is None
    at.selectbox(key=f"people_role_{people['kim'].id}").set_value("instructor").run()
    at.button(key="people_set_role").click().run()
    assert not at.exception
    assert progress.get_user(people["admin"].actor, people["kim"].id).role == "instructor"


def test_instructor_invites_but_cannot_change_roles(people, monkeypatch):
    at = browser(monkeypatch, issued_token(people["teacher"])).run()
    at.switch_page("ui/pages/people.py").run()
    at.text_area[0].input("one@school.example\nnot-an-email\n<b>x</b>@school.example")
    next(b for b in at.button if b.label == "Invite").click()
    at.run()
    assert not at.exception
    assert any("Invited 2 of 3 addresses" in w.value for w in at.warning)
    results = at.dataframe[0].value
    assert dict(zip(results["E-mail"], results["Result"]))["not-an-email"] == "That is not an e-mail address."
    assert [b for b in at.button if b.label == "Change role"] == []
    emails = {i["email"] for i in progress.list_invitations(people["teacher"].actor, people["cohort"]["id"])}
    assert emails == {"one@school.example", "<b>x</b>@school.example"}


def test_learners_cannot_open_the_people_page(people, monkeypatch):
    at = browser(monkeypatch, issued_token(people["kim"])).run()
    with pytest.raises(ValueError):   # not even registered as a page for a learner
        at.switch_page("ui/pages/people.py")


def test_an_ended_session_is_not_quietly_restarted_by_the_school_sign_on_cookie(people, monkeypatch):
    identity = {"is_logged_in": True, "iss": "https://idp.school.example", "sub": "abc-3", "iat": 2_000_000_000}
    user = progress.sso_account(identity["iss"], identity["sub"])
    token = issued_token(user)
    progress.revoke_session(user.actor, progress.validate_session(token).id)
    at = school_browser(monkeypatch, identity)
    monkeypatch.setattr(session_cookie, "token", lambda: token)
    at.run()
    assert not at.exception and at.title[0].value == "Sign in to ChartLab"
    assert "Sign in with your school account" in [b.label for b in at.button]
