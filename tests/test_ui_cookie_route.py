"""The sign-in cookie route (ui.session_cookie) over HTTP, with Starlette's test client: cookie
flags (HttpOnly, SameSite=Lax, Secure over HTTPS or when forced), same-origin checks, single use,
sign-out. The real-browser proof is tests/test_e2e_sessions.py."""
from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings(record=True):   # Starlette would rather use the httpx2 package; httpx works
    from starlette.testclient import TestClient

import progress
from ui import session_cookie

PASSWORD = "Coding-db-2026-x"
SAME = {"X-ChartLab-Session": "1", "Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"}


@pytest.fixture
def learner(tmp_db):
    return progress.provision_user("kim", PASSWORD, "learner")


def client(base_url="http://testserver") -> TestClient:
    return TestClient(Starlette(routes=session_cookie.routes()), base_url=base_url)


def claim(learner) -> str:
    return progress.create_session(learner.id).claim_code


def test_claim_sets_an_httponly_lax_cookie_holding_only_a_token(learner):
    response = client().post(session_cookie.ROUTE, content=claim(learner), headers=SAME)
    assert response.status_code == 204 and response.headers["cache-control"] == "no-store"
    header = response.headers["set-cookie"]
    token = header.split(";")[0].split("=", 1)[1]
    assert progress.validate_session(token).user.id == learner.id
    flags = [f.strip().lower() for f in header.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags and "secure" not in flags
    assert any(f.startswith("max-age=") and int(f.split("=")[1]) > 3600 for f in flags)
    assert "kim" not in header and "learner" not in header


def test_secure_over_https_and_when_forced(learner, monkeypatch):
    https = client("https://chartlab.example").post(session_cookie.ROUTE, content=claim(learner), headers=SAME)
    assert "secure" in [f.strip().lower() for f in https.headers["set-cookie"].split(";")]
    monkeypatch.setenv("CHARTLAB_COOKIE_SECURE", "1")   # TLS ends at a proxy in front of ChartLab
    proxied = client().post(session_cookie.ROUTE, content=claim(learner), headers=SAME)
    assert "secure" in [f.strip().lower() for f in proxied.headers["set-cookie"].split(";")]


@pytest.mark.parametrize("headers", [
    {},                                                                   # a plain cross-site form post
    {"Sec-Fetch-Site": "same-origin"},                                    # no custom header
    {"X-ChartLab-Session": "1", "Sec-Fetch-Site": "cross-site"},
    {"X-ChartLab-Session": "1", "Sec-Fetch-Site": "same-site"},           # a sibling subdomain
    {"X-ChartLab-Session": "1", "Origin": "https://evil.example"},        # an older browser
    {"X-ChartLab-Session": "0", "Sec-Fetch-Site": "same-origin"},
])
def test_requests_that_are_not_our_own_page_are_refused(learner, headers):
    code = claim(learner)
    response = client().post(session_cookie.ROUTE, content=code, headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert client().post(session_cookie.ROUTE, content=code, headers=SAME).status_code == 204   # unused


def test_an_origin_matching_the_host_or_forwarded_host_is_accepted(learner):
    plain = {"X-ChartLab-Session": "1", "Origin": "http://testserver"}
    assert client().post(session_cookie.ROUTE, content=claim(learner), headers=plain).status_code == 204
    proxied = {"X-ChartLab-Session": "1", "Origin": "https://chartlab.school.example",
               "X-Forwarded-Host": "chartlab.school.example"}
    assert client().post(session_cookie.ROUTE, content=claim(learner), headers=proxied).status_code == 204


@pytest.mark.parametrize("body", [b"", b"garbage", b"\xff\xfe\x00", b"A" * 43, b"x" * 1_000_000])
def test_bad_claims_get_no_cookie(learner, body):
    response = client().post(session_cookie.ROUTE, content=body, headers=SAME)
    assert response.status_code == 409 and "set-cookie" not in response.headers


def test_a_claim_is_single_use(learner):
    code = claim(learner)
    assert client().post(session_cookie.ROUTE, content=code, headers=SAME).status_code == 204
    assert client().post(session_cookie.ROUTE, content=code, headers=SAME).status_code == 409


def test_sign_out_revokes_the_cookies_session_and_expires_the_cookie(learner):
    http = client()
    response = http.post(session_cookie.ROUTE, content=claim(learner), headers=SAME)
    token = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    http.cookies.set(session_cookie.COOKIE, token)
    ended = http.delete(session_cookie.ROUTE, headers=SAME)
    assert ended.status_code == 204
    assert 'chartlab_session=""' in ended.headers["set-cookie"] and "max-age=0" in ended.headers["set-cookie"].lower()
    assert progress.validate_session(token) is None
    assert client().delete(session_cookie.ROUTE, headers={}).status_code == 403
    assert client().delete(session_cookie.ROUTE, headers=SAME).status_code == 204   # no cookie: harmless
