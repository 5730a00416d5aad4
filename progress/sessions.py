"""Sign-in sessions that survive a browser reload, and can be revoked.

How a session lives
- `create_session(user_id)` runs at sign-in (password or school SSO). It stores a row with the
  user, created / last-seen times, an absolute expiry and an idle timeout, and returns the row id
  (kept in the server-side Streamlit session) and a one-time **claim code** (2 minutes, single
  use). The browser trades the claim code for the session **token** (`claim_session`), which the
  web layer puts in an HttpOnly cookie; the raw token exists only in that HTTP response.
- `validate_session(token)` (a new browser tab or a reload) and `check_session(session_id)`
  (every later script run) enforce both timeouts and revocation, refresh last-seen (at most once
  a minute) and reload the user's *current* role from the database.
- `revoke_session` (sign-out), `revoke_token` (the cookie route on sign-out), and
  `revoke_user_sessions` (the user on every device, or an admin for anyone) end sessions; a
  password change or reset revokes all of that user's sessions too (`revoke_all`).

Secrets at rest
- Tokens and claim codes are 256 bits from `secrets.token_urlsafe(32)`. Only their SHA-256 hex
  digest is stored. A fast hash is right here, unlike for passwords: with 256 random bits there
  is nothing to guess, so a slow KDF would only add latency to every page load, and a leaked
  table of digests still cannot be turned back into a working cookie.
- A token is looked up by its digest (a unique index), never compared character by character.
- Anything that is not a well-formed token (wrong type, length or alphabet) is rejected before
  the database is asked; no input raises.

Settings (environment; a bad value falls back to the default with a warning)
- `CHARTLAB_SESSION_MAX_HOURS`: absolute lifetime, default 168 (7 days), 1 to 2160.
- `CHARTLAB_SESSION_IDLE_MINUTES`: idle timeout, default 720 (12 hours), 5 to the lifetime.
A session is held to the stricter of the settings it was created with and the current ones, so
shortening a setting takes effect at once.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from progress.accounts import User, user_by_id
from progress.authz import Actor, require_admin
from progress.db import as_utc, iso, one, parse_iso, resolve, utcnow, write
from progress.errors import NotFound, PermissionDenied

TOKEN_BYTES = 32                       # 256 bits
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")   # token_urlsafe(32): 43 URL-safe characters
CLAIM_LIFETIME = timedelta(minutes=2)
TOUCH_INTERVAL = timedelta(seconds=60)  # last-seen is written at most this often
DEFAULT_MAX_HOURS = 168
DEFAULT_IDLE_MINUTES = 720
METHODS = ("password", "sso")
_log = logging.getLogger("chartlab.sessions")


@dataclass(frozen=True)
class NewSession:
    """A session just created at sign-in: its id (server side only) and its one-time claim code."""
    id: int
    claim_code: str


@dataclass(frozen=True)
class IssuedToken:
    """The browser token for a claimed session, and how long the cookie may live (seconds)."""
    session_id: int
    token: str
    max_age_s: int


@dataclass(frozen=True)
class ActiveSession:
    """A valid session: its id, the user as the database knows them now, whether the browser
    has not yet claimed its token, and how it was signed in."""
    id: int
    user: User
    claim_pending: bool
    method: str


# ----------------------------------------------------------------------------- settings
def _setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        _log.warning("%s=%r is not a whole number from %d to %d; using %d", name, raw, low, high, default)
        return default
    return value


def lifetime() -> timedelta:
    """The absolute session lifetime (`CHARTLAB_SESSION_MAX_HOURS`)."""
    return timedelta(hours=_setting("CHARTLAB_SESSION_MAX_HOURS", DEFAULT_MAX_HOURS, 1, 90 * 24))


def idle_timeout() -> timedelta:
    """The idle timeout (`CHARTLAB_SESSION_IDLE_MINUTES`), never longer than the lifetime."""
    limit = int(lifetime().total_seconds() // 60)
    minutes = _setting("CHARTLAB_SESSION_IDLE_MINUTES", min(DEFAULT_IDLE_MINUTES, limit), 5, limit)
    return timedelta(minutes=minutes)


# ----------------------------------------------------------------------------- secrets
def digest(secret: str) -> str:
    """SHA-256 hex digest of a token or claim code (what the database stores)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def well_formed(secret: object) -> bool:
    """True for a string shaped like a token or claim code (checked before any query)."""
    return isinstance(secret, str) and TOKEN_RE.fullmatch(secret) is not None


def _new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# ----------------------------------------------------------------------------- creating
def create_session(user_id: int, *, method: str = "password", now: datetime | None = None,
                   db: Database | None = None) -> NewSession:
    """A new session for a user who has just proved who they are (password or SSO).

    Call it only after `authenticate`, `sso_account`, `register_learner` or
    `create_first_user` succeeded: it is the sign-in, not a check."""
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    db, now = resolve(db), as_utc(now or utcnow())
    claim = _new_secret()
    with write(db):
        user_by_id(db, user_id)   # NotFound for an unknown user
        session_id = db.execute(
            """INSERT INTO sessions (user_id, claim_hash, claim_expires_at, method, created_at,
                                     last_seen_at, expires_at, idle_timeout_s)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [user_id, digest(claim), iso(now + CLAIM_LIFETIME), method, iso(now), iso(now),
             iso(now + lifetime()), int(idle_timeout().total_seconds())]).lastrowid
    return NewSession(session_id, claim)


def claim_session(claim_code: object, *, now: datetime | None = None,
                  db: Database | None = None) -> IssuedToken | None:
    """Trade a one-time claim code for the session's browser token (None when the code is
    malformed, unknown, used, expired, or its session is no longer valid)."""
    if not well_formed(claim_code):
        return None
    db, now = resolve(db), as_utc(now or utcnow())
    token = _new_secret()
    with write(db):
        row = one(db, "SELECT * FROM sessions WHERE claim_hash = ?", [digest(claim_code)])
        if row is None or parse_iso(row["claim_expires_at"]) <= now or _ended(row, now):
            return None
        db.execute("""UPDATE sessions SET token_hash = ?, claim_hash = NULL, claim_expires_at = NULL
                      WHERE id = ?""", [digest(token), row["id"]])
    expires = min(parse_iso(row["expires_at"]), parse_iso(row["created_at"]) + lifetime())
    return IssuedToken(row["id"], token, max(1, int((expires - now).total_seconds())))


# ----------------------------------------------------------------------------- validating
def _ended(row: dict, now: datetime) -> str | None:
    """Why this session row is no longer valid at `now` (None: still valid)."""
    if row["revoked_at"]:
        return "revoked"
    if now >= min(parse_iso(row["expires_at"]), parse_iso(row["created_at"]) + lifetime()):
        return "expired"
    idle = min(timedelta(seconds=row["idle_timeout_s"]), idle_timeout())
    if now >= parse_iso(row["last_seen_at"]) + idle:
        return "idle"
    return None


def _active(db: Database, row: dict | None, now: datetime) -> ActiveSession | None:
    """The ActiveSession for a fetched row, touching last-seen; None when it has ended."""
    if row is None or _ended(row, now):
        return None
    if now - parse_iso(row["last_seen_at"]) >= TOUCH_INTERVAL:
        try:
            with write(db):
                db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL",
                           [iso(now), row["id"]])
        except sqlite3.OperationalError:   # busy: the next request refreshes it instead
            _log.warning("could not refresh last-seen of session %s (database busy)", row["id"])
    pending = row["claim_hash"] is not None and parse_iso(row["claim_expires_at"]) > now
    return ActiveSession(row["id"], user_by_id(db, row["user_id"]), pending, row["method"])


def validate_session(token: object, *, now: datetime | None = None,
                     db: Database | None = None) -> ActiveSession | None:
    """The session a browser token belongs to, if it is still valid; None otherwise (never
    raises for a malformed or tampered token)."""
    if not well_formed(token):
        return None
    db = resolve(db)
    row = one(db, "SELECT * FROM sessions WHERE token_hash = ?", [digest(token)])
    return _active(db, row, as_utc(now or utcnow()))


def check_session(session_id: int, *, now: datetime | None = None,
                  db: Database | None = None) -> ActiveSession | None:
    """Re-check a session the server already holds by id (each script run): the same rules
    as `validate_session`. The id never comes from the browser."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        return None
    db = resolve(db)
    row = one(db, "SELECT * FROM sessions WHERE id = ?", [session_id])
    return _active(db, row, as_utc(now or utcnow()))


# ----------------------------------------------------------------------------- revoking
def revoke_session(actor: Actor, session_id: int, *, reason: str = "sign_out",
                   db: Database | None = None) -> bool:
    """Sign-out: end one session of the actor's own (admins: anyone's). True if it was live."""
    db = resolve(db)
    row = one(db, "SELECT user_id FROM sessions WHERE id = ?", [session_id])
    if row is None:
        raise NotFound("That session does not exist.")
    if row["user_id"] != actor.user_id and not actor.is_admin:
        raise PermissionDenied("You can only sign out your own sessions.")
    with write(db):
        return db.execute("""UPDATE sessions SET revoked_at = ?, revoked_reason = ?
                             WHERE id = ? AND revoked_at IS NULL""",
                          [iso(), reason, session_id]).rowcount == 1


def revoke_token(token: object, *, db: Database | None = None) -> bool:
    """End the session a browser token belongs to (the cookie route on sign-out: holding the
    token is the proof). False for an unknown, malformed or already ended token."""
    if not well_formed(token):
        return False
    db = resolve(db)
    with write(db):
        return db.execute("""UPDATE sessions SET revoked_at = ?, revoked_reason = 'sign_out'
                             WHERE token_hash = ? AND revoked_at IS NULL""",
                          [iso(), digest(token)]).rowcount == 1


def revoke_all(db: Database, user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every session of `user_id` and refuse school sign-ins issued before now (inside the
    caller's transaction; used by password changes and resets). Returns how many ended."""
    stamp = iso(now)
    with write(db):
        db.execute("UPDATE users SET sessions_revoked_at = ? WHERE id = ?", [stamp, user_id])
        return db.execute("""UPDATE sessions SET revoked_at = ?, revoked_reason = ?
                             WHERE user_id = ? AND revoked_at IS NULL""",
                          [stamp, reason, user_id]).rowcount


def revoke_user_sessions(actor: Actor, user_id: int, *, db: Database | None = None) -> int:
    """Sign a user out on every device: the user themselves, or an admin for anyone.
    Returns how many sessions ended."""
    if actor.user_id != user_id:
        require_admin(actor)
    db = resolve(db)
    user_by_id(db, user_id)
    return revoke_all(db, user_id, "admin" if actor.user_id != user_id else "all_devices")


def active_session_count(actor: Actor, user_id: int, *, now: datetime | None = None,
                         db: Database | None = None) -> int:
    """How many sessions of `user_id` are still valid (the user themselves, or an admin)."""
    if actor.user_id != user_id:
        require_admin(actor)
    db, now = resolve(db), as_utc(now or utcnow())
    candidates = db.query("SELECT * FROM sessions WHERE user_id = ? AND revoked_at IS NULL", [user_id])
    return sum(1 for row in candidates if _ended(row, now) is None)
