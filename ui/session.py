"""Who is signed in, role checks for every page, turning domain errors into messages, messages that
survive a rerun (`flash`), and new case numbers (`new_seed`).

Sign-in state lives in `st.session_state` ("user", plus the id of the database session behind
it) and survives a reload through the HttpOnly cookie of `ui.session_cookie`:
- `restore()` runs first in the router, before navigation is built: it re-checks the session
  the server holds (revocation, timeouts, current role), or, in a new Streamlit session, the
  cookie the browser sent, or a school sign-on identity (`st.user`). Pages then call
  `require(...)` / `current_user()`: by then the user is known, on the very first run.
- `sign_in(user)` after a password, registration or first-run form; `sign_out()`; `renew()`
  after a password change (which ends every session of the user, this one included).
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import datetime, timezone

import streamlit as st

import cases
import progress
from progress import Actor, ProgressError, User
from ui import session_cookie

ROLE_LABEL = {"learner": "Learner", "instructor": "Instructor", "admin": "Administrator"}
SESSION_ID = "_chartlab_session_id"
METHOD = "_chartlab_sign_in_method"
CLAIM = "_chartlab_claim"
COOKIE_CHECKED = "_chartlab_cookie_checked"   # the cookie is read once per Streamlit session
SSO_OFF = "_chartlab_sso_off"                 # signed out (or refused): do not re-enter via st.user
CLEAR = "_chartlab_clear_cookie"
NOTICE = "_chartlab_notice"
_KEPT = (COOKIE_CHECKED, SSO_OFF)
ENDED = ("Your previous session has ended (signed out, timed out, or ended by a password change "
         "or an administrator). Please sign in again.")


def current_user() -> User | None:
    user = st.session_state.get("user")
    # duck-typed: after Streamlit reloads edited modules the stored object's class is an older User
    ok = user is not None and all(hasattr(user, a) for a in ("id", "role", "username", "actor"))
    return user if ok else None


def actor() -> Actor | None:
    user = current_user()
    return user.actor if user else None


def _reset_state() -> None:
    """Forget everything of the previous user (the once-per-session flags stay)."""
    for key in list(st.session_state.keys()):
        if key not in _KEPT:
            del st.session_state[key]


def _hold(user: User, session_id: int, method: str, claim: str | None = None) -> None:
    st.session_state["user"] = user
    st.session_state[SESSION_ID] = session_id
    st.session_state[METHOD] = method
    if claim is not None:
        st.session_state[CLAIM] = claim


def sign_in(user: User, *, method: str = "password") -> None:
    """Start a persistent session for a user who just proved who they are."""
    new = progress.create_session(user.id, method=method)
    _reset_state()   # nothing from a previous user survives
    _hold(user, new.id, method, new.claim_code)


def renew() -> None:
    """A fresh session (and cookie) for the signed-in user, keeping everything on screen."""
    user = current_user()
    if user is not None:
        new = progress.create_session(user.id, method=st.session_state.get(METHOD, "password"))
        _hold(user, new.id, st.session_state.get(METHOD, "password"), new.claim_code)
        session_cookie.send_claim(new.claim_code)   # now: a reload before the next run keeps it


def sign_out() -> None:
    """End this session in the database and in the browser."""
    user, session_id = current_user(), st.session_state.get(SESSION_ID)
    sso = st.session_state.get(METHOD) == "sso"
    if user is not None and session_id is not None:
        try:
            progress.revoke_session(user.actor, session_id)
        except ProgressError:
            pass   # already gone: nothing left to end
    _reset_state()
    st.session_state[COOKIE_CHECKED] = True
    st.session_state[SSO_OFF] = True
    st.session_state[CLEAR] = session_cookie.sso_logout_url() if sso else True


def _end(notice: str) -> None:
    """The held session is no longer valid: sign out here and drop the cookie."""
    _reset_state()
    st.session_state[COOKIE_CHECKED] = True
    st.session_state[CLEAR] = True
    st.session_state[NOTICE] = notice


def restore() -> User | None:
    """The signed-in user for this script run (see the module notes); None when anonymous."""
    user, session_id = current_user(), st.session_state.get(SESSION_ID)
    if user is not None and session_id is not None:
        active = progress.check_session(session_id)
        if active is None:
            _end(ENDED)
            return None
        if not active.claim_pending:
            st.session_state.pop(CLAIM, None)
        st.session_state["user"] = active.user   # the role as the database has it now
        return active.user
    if user is not None:
        return user   # held without a database session: only tests do this
    return _from_cookie() or _from_sso()


def _from_cookie() -> User | None:
    if st.session_state.get(COOKIE_CHECKED):
        return None
    st.session_state[COOKIE_CHECKED] = True
    token = session_cookie.token()
    if token is None:
        return None
    active = progress.validate_session(token)
    if active is None:   # ended: a school sign-on must not quietly start a new one either
        st.session_state.update({CLEAR: True, NOTICE: ENDED, SSO_OFF: True})
        return None
    _hold(active.user, active.id, active.method)
    return active.user


def _issued_at(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _from_sso() -> User | None:
    """A school sign-on identity that Streamlit verified (`st.login`) becomes a session."""
    if st.session_state.get(SSO_OFF) or not sso_providers():
        return None
    info = st.user
    if info.get("is_logged_in") is not True:
        return None
    try:
        user = progress.sso_account(info.get("iss"), info.get("sub"), email=info.get("email"),
                                    email_verified=info.get("email_verified"), name=info.get("name"),
                                    issued_at=_issued_at(info.get("iat")))
    except ProgressError as exc:
        st.session_state[SSO_OFF] = True
        st.session_state[NOTICE] = str(exc)
        return None
    sign_in(user, method="sso")
    return user


def sso_providers() -> list[str | None]:
    """The school sign-on providers configured in `[auth]` of secrets.toml: None for the
    default one (settings directly under `[auth]`), else each `[auth.<name>]` with a client id.
    Empty (local accounts only) when nothing is configured: the default."""
    try:
        auth = st.secrets.get("auth")
    except Exception:   # no secrets file, or one that does not parse
        return []
    if not hasattr(auth, "get"):
        return []
    named = [name for name, value in auth.items() if hasattr(value, "get") and value.get("client_id")]
    return ([None] if auth.get("client_id") else []) + sorted(named)


ENTRY_PAGES = ("login", "register", "first_run")


def stand_in_page(path: str, title: str, audience: str, default: st.Page, start: bool) -> st.Page:
    """A hidden page at a URL of another menu (router only), so a reload or a shared link never
    shows Streamlit's "Page not found": signed out, it is the sign-in page (which then opens
    the page of the URL); signed in, an entry page or another menu's start page (`start`: what
    a user whose role just changed is on) goes to this menu's default page, and any other page
    of another role says whose it is."""
    if audience in ("anonymous", "first_run"):
        entry = "first_run" if audience == "first_run" else "login"
        return st.Page(f"ui/pages/{entry}.py", title="Sign in", url_path=path, visibility="hidden")
    if start or path in ENTRY_PAGES:
        return st.Page(lambda: st.switch_page(default), title=title, url_path=path, visibility="hidden")
    whose = "instructors and administrators" if audience == "learner" else "learners"

    def not_yours() -> None:
        user = current_user()
        st.title(title)
        st.warning(f"This page is for {whose}. You are signed in as "
                   f"{'an' if user and user.role == 'admin' else 'a'} {ROLE_LABEL[user.role].lower() if user else 'guest'}.")
    return st.Page(not_yours, title=title, url_path=path, visibility="hidden")


def sync_browser() -> None:
    """Send the cookie scripts this run needs, and show a pending notice (router only)."""
    claim, clear = st.session_state.get(CLAIM), st.session_state.pop(CLEAR, None)
    if claim and current_user() is not None:
        session_cookie.send_claim(claim)
    elif clear:
        session_cookie.send_clear(clear if isinstance(clear, str) else None)
    if current_user() is not None:
        st.session_state.pop(NOTICE, None)
    elif st.session_state.get(NOTICE):
        st.info(st.session_state[NOTICE])   # stays on the sign-in page until someone signs in


def require(*roles: str) -> User:
    """Stop the page unless someone with one of `roles` is signed in (every page calls this)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to use this page.")
        st.stop()
    if roles and user.role not in roles:
        wanted = " or ".join(ROLE_LABEL[r].lower() + "s" for r in roles)
        st.error(f"This page is for {wanted}. You are signed in as a {ROLE_LABEL[user.role].lower()}.")
        st.stop()
    return user


@contextmanager
def friendly_errors():
    """Show a domain error as a clear message instead of a traceback."""
    try:
        yield
    except ProgressError as exc:
        st.error(str(exc))
    except (ValueError, KeyError) as exc:
        st.error(f"That did not work: {exc}")


def new_password_ok(pw1: str, pw2: str, username: str) -> bool:
    """Check a new password typed twice against the policy; show every problem."""
    if pw1 != pw2:
        st.error("The two passwords differ.")
        return False
    problems = progress.password_problems(pw1, username)
    for p in problems:
        st.error(p)
    return not problems


def db_ready() -> bool:
    """True once the database answers; shows a clear message when it is busy or unreadable."""
    try:
        progress.needs_first_user()
        return True
    except Exception as exc:  # the database file is locked, unreadable or on a full disk
        st.error(f"The ChartLab database is not available right now ({type(exc).__name__}). "
                 "Please try again in a moment.")
        return False


def flash(text: str, kind: str = "success") -> None:
    """Keep a message for the next run of a page (after `st.rerun()`, a callback or a page switch)."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    """Show (once) the messages `flash` kept."""
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind, st.info)(text)


def new_seed() -> int:
    """A new case number for a new practice case (or a new exam draw)."""
    return secrets.randbelow(cases.SEED_MAX) + 1
