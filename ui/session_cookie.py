"""The sign-in cookie: an HttpOnly, SameSite=Lax cookie holding only a random session token.

Why this mechanism (see the README, *Sign-in sessions*): Streamlit 1.67 serves apps with
Starlette, and `st.App` (what `asgi.py` builds, started by `streamlit run asgi.py`) lets an app add
its own HTTP routes. A real HTTP response can set an **HttpOnly** cookie, which page JavaScript
(and so an injected script) can never read; cookie components (`streamlit-cookies-controller`,
`extra-streamlit-components`) and `document.cookie` writes cannot.

The hand-off, without the token ever passing through the page:
1. Sign-in (a Streamlit form, over the websocket) creates the session row and a one-time claim
   code (`progress.create_session`). The server keeps the session id in `st.session_state`.
2. The next script run sends a tiny script (`st.html(..., unsafe_allow_javascript=True)`) that
   POSTs the claim code to `ROUTE`. The route trades it for the token (`progress.claim_session`)
   and answers 204 with `Set-Cookie: chartlab_session=<token>; HttpOnly; SameSite=Lax; Path=/;
   Max-Age=<until the absolute expiry>` plus `Secure` when the request came over HTTPS (or
   `CHARTLAB_COOKIE_SECURE=1`, for a TLS-terminating proxy).
3. Every new Streamlit session (reload, new tab) reads the cookie with `st.context.cookies`
   (`token()`) and validates it (`progress.validate_session`).
4. Sign-out revokes the session in the database and sends a script that DELETEs `ROUTE`: the
   route revokes the token it is sent and expires the cookie.

Requests to `ROUTE` must carry the `X-ChartLab-Session` header (a cross-site page cannot add it
without a CORS preflight, which this route never approves), and be same-origin by
`Sec-Fetch-Site` (or, without it, by `Origin`). The cookie holds no username, role or password.
"""
from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import progress

COOKIE = "chartlab_session"
ROUTE = "/_chartlab/session"
HEADER = "X-ChartLab-Session"
MAX_BODY = 256
STATUS_ATTRIBUTE = "chartlabSession"   # <html data-chartlab-session="saved|refused|cleared|failed">


# ----------------------------------------------------------------------------- paths
def _base() -> str:
    from streamlit import config
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def route_path() -> str:
    """Where the cookie route answers (under `server.baseUrlPath`)."""
    return _base() + ROUTE


def cookie_path() -> str:
    return _base() or "/"


# ----------------------------------------------------------------------------- reading (script side)
def token() -> str | None:
    """The session token this browser sent when the Streamlit session connected, if any."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:   # no browser context (bare mode); nothing to read
        return None
    return value if isinstance(value, str) and value else None


# ----------------------------------------------------------------------------- scripts sent to the page
def _script(body: str) -> None:
    st.html(f"<script>(function(){{{body}}})();</script>", unsafe_allow_javascript=True)


def _status(value: str) -> str:
    return f"document.documentElement.dataset.{STATUS_ATTRIBUTE}={json.dumps(value)};"


def send_claim(claim_code: str) -> None:
    """Ask the browser to trade the claim code for the HttpOnly cookie."""
    _script(f"""fetch({json.dumps(route_path())}, {{method: "POST", credentials: "same-origin",
        cache: "no-store", headers: {{{json.dumps(HEADER)}: "1", "Content-Type": "text/plain"}},
        body: {json.dumps(claim_code)}}})
      .then(function (r) {{ document.documentElement.dataset.{STATUS_ATTRIBUTE} =
              r.ok ? "saved" : "refused"; }})
      .catch(function () {{ {_status("failed")} }});""")


def send_clear(then_url: str | None = None) -> None:
    """Ask the browser to end the cookie's session and drop the cookie; then optionally go to
    `then_url` (Streamlit's `/auth/logout` after a school sign-on)."""
    after = f"window.location.assign({json.dumps(then_url)});" if then_url else ""
    _script(f"""fetch({json.dumps(route_path())}, {{method: "DELETE", credentials: "same-origin",
        cache: "no-store", headers: {{{json.dumps(HEADER)}: "1"}}}})
      .then(function () {{ {_status("cleared")} }}, function () {{ {_status("failed")} }})
      .then(function () {{ {after} }});""")


def sso_logout_url() -> str:
    """Streamlit's own sign-out route for `st.login` (clears its identity cookie)."""
    return _base() + "/auth/logout"


# ----------------------------------------------------------------------------- the HTTP route (server side)
def _same_origin(request: Request) -> bool:
    """Our own page's fetch: the custom header, and the browser's word that it is same-origin
    (`Sec-Fetch-Site`, which pages cannot forge; behind a proxy that rewrites Host it is the only
    reliable signal), or, from a browser too old to send it, an Origin naming this host."""
    if request.headers.get(HEADER) != "1":
        return False
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")}
    return origin is None or urlsplit(origin).netloc in hosts


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("CHARTLAB_COOKIE_SECURE") == "1"


def _no_store(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})


async def claim(request: Request) -> Response:
    """POST: the body is a claim code; 204 with the cookie, or 403/409 without one."""
    if not _same_origin(request):
        return _no_store(403)
    code = (await request.body())[:MAX_BODY].decode("ascii", "replace").strip()
    issued = await run_in_threadpool(progress.claim_session, code)
    if issued is None:
        return _no_store(409)
    response = _no_store(204)
    response.set_cookie(COOKIE, issued.token, max_age=issued.max_age_s, path=cookie_path(),
                        httponly=True, samesite="lax", secure=_secure(request))
    return response


async def end(request: Request) -> Response:
    """DELETE: revoke the session of the cookie sent (if any) and expire the cookie."""
    if not _same_origin(request):
        return _no_store(403)
    await run_in_threadpool(progress.revoke_token, request.cookies.get(COOKIE))
    response = _no_store(204)
    response.delete_cookie(COOKIE, path=cookie_path(), httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


def routes() -> list[Route]:
    """The Starlette routes `asgi.py` adds to the Streamlit app."""
    return [Route(route_path(), claim, methods=["POST"]), Route(route_path(), end, methods=["DELETE"])]
