"""Accounts: password hashing and policy, sign-in with throttling, registration, password changes.

- Hashes: argon2id (argon2-cffi defaults, RFC 9106 low-memory profile, ~64 MiB each); a hash made
  with weaker parameters is upgraded at the next successful sign-in. At most `HASH_CONCURRENCY`
  hashes run at once in this process (`$CHARTLAB_HASH_CONCURRENCY`, default 2): 16 concurrent
  sign-ins used to add ~950 MiB. Waiting longer than `HASH_WAIT_S` for a slot is refused as busy.
- Password policy: `progress.passwords` (length, context words, zxcvbn rating).
- Sign-in (`authenticate`) is throttled per client address and globally (`progress.throttle`),
  never per account: nobody can lock an account out, and an unknown username, a wrong password
  and a known username from a throttled client cannot be told apart (same message, same work:
  one SELECT and one hash check, no write).
- There are no default accounts. The first account comes from `create_first_user` (the app's
  first-run page, with a setup token when the server is exposed: `progress.setup`) or
  `provision_user` (the operator's `python -m progress create-user`).
- Usernames: 3 to 32 characters, letters, digits, '.', '_' and '-', unique ignoring case.
  Display names: one line, control characters and escape sequences removed (`progress.text`).
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from progress import setup, throttle
from progress.authz import (ROLES, Actor, require_admin, require_cohort_owner, require_password_reset,
                            require_staff, require_user_read)
from progress.db import as_utc, filename, iso, one, resolve, rows, utcnow, write
from progress.errors import AuthError, NotFound, PermissionDenied, ValidationError
from progress.membership import cohort_for_code, enrol, normalize_join_code  # noqa: F401 (re-export)
from progress.passwords import MAX_LENGTH, MIN_LENGTH, password_problems  # noqa: F401 (re-export)
from progress.text import clean_line

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,31}")
DISPLAY_NAME_LENGTH = 80
BAD_CREDENTIALS = "Incorrect username or password."
BUSY = "ChartLab is busy signing other people in. Please try again in a moment."
HASH_CONCURRENCY = max(1, int(os.environ.get("CHARTLAB_HASH_CONCURRENCY") or 2))
HASH_WAIT_S = 20
hasher = PasswordHasher()
_hash_slots = threading.BoundedSemaphore(HASH_CONCURRENCY)
_PUBLIC_COLUMNS = "id, username, display_name, role, created_at, last_login_at"


@dataclass(frozen=True)
class User:
    """A signed-in (or just created) user, without the password hash."""
    id: int
    username: str
    display_name: str
    role: str
    created_at: str
    last_login_at: str | None = None

    @property
    def actor(self) -> Actor:
        """The Actor to pass to every progress function on this user's behalf."""
        return Actor(self.id, self.role)


# ----------------------------------------------------------------------------- policy and hashing
def _check_password(password: str, username: str, display_name: str = "") -> None:
    problems = password_problems(password, username, display_name)
    if problems:
        raise ValidationError(" ".join(problems))


def _check_username(username: str) -> str:
    username = clean_line(username)
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError("Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'.")
    return username


@contextmanager
def _hash_slot() -> Iterator[None]:
    """One of the `HASH_CONCURRENCY` slots for an argon2 computation (bounds the memory used)."""
    if not _hash_slots.acquire(timeout=HASH_WAIT_S):
        raise AuthError(BUSY)
    try:
        yield
    finally:
        _hash_slots.release()


def _hash(password: str) -> str:
    with _hash_slot():
        return hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    with _hash_slot():
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


@lru_cache(maxsize=4)
def _decoy_hash(active_hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown, so timing reveals nothing."""
    with _hash_slot():
        return active_hasher.hash("decoy password, never valid")


# ----------------------------------------------------------------------------- creating accounts
def _new_user(username: str, password: str, role: str, display_name: str | None,
              created_by: int | None = None) -> dict:
    """A validated users row, password hashed (slow: done before any transaction opens)."""
    username = _check_username(username)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.")
    display_name = clean_line(display_name)[:DISPLAY_NAME_LENGTH] or username
    _check_password(password, username, display_name)
    return {"username": username, "display_name": display_name, "role": role,
            "password_hash": _hash(password), "created_at": iso(), "created_by": created_by}


def _insert_user(db: Database, row: dict) -> User:
    """Insert a `_new_user` row inside the caller's transaction."""
    try:
        cursor = db.execute("""INSERT INTO users (username, display_name, role, password_hash, created_at,
                                                  created_by)
                               VALUES (:username, :display_name, :role, :password_hash, :created_at,
                                       :created_by)""", row)
    except sqlite3.IntegrityError:
        raise ValidationError("That username is taken.") from None
    return user_by_id(db, cursor.lastrowid)


def user_by_id(db: Database, user_id: int) -> User:
    """The user row as a User, inside the caller's checks (no authorisation: internal use)."""
    row = one(db, f"SELECT {_PUBLIC_COLUMNS} FROM users WHERE id = ?", [user_id])
    if row is None:
        raise NotFound("That user does not exist.")
    return User(**row)


def provision_user(username: str, password: str, role: str, display_name: str | None = None,
                   *, db: Database | None = None) -> User:
    """Create any account WITHOUT an authorisation check: for trusted operator tools only
    (`python -m progress create-user`, demo seeding). The app itself uses `create_user`."""
    row, db = _new_user(username, password, role, display_name), resolve(db)
    with write(db):
        return _insert_user(db, row)


def needs_first_user(*, db: Database | None = None) -> bool:
    """True while the database has no account at all (the app shows its first-run page)."""
    return one(resolve(db), "SELECT 1 AS ok FROM users LIMIT 1") is None


def create_first_user(username: str, password: str, role: str = "admin",
                      display_name: str | None = None, *, setup_token: str | None = None,
                      origin: "setup.Origin | None" = None, db: Database | None = None) -> User:
    """Create the first admin or instructor; refused as soon as any account exists, and, unless
    only this machine can reach the server (`origin`, see `progress.setup`; None: nothing is
    known, so it counts as exposed), without the one-time setup token printed on the server
    console."""
    if role not in ("admin", "instructor"):
        raise ValidationError("The first account must be an admin or an instructor.")
    db = resolve(db)
    setup.check_token(setup_token, origin or setup.Origin(), db=db)
    row = _new_user(username, password, role, display_name)
    with write(db):
        if not needs_first_user(db=db):
            raise PermissionDenied("The first account already exists; sign in instead.")
        user = _insert_user(db, row)
    setup.forget_token(db)
    return user


def create_user(actor: Actor, username: str, password: str, role: str = "learner",
                display_name: str | None = None, *, cohort_id: int | None = None,
                db: Database | None = None) -> User:
    """An admin creates any account; an instructor creates learner accounts. With `cohort_id`
    (a cohort the actor owns) the new learner is enrolled in the same transaction."""
    require_staff(actor)
    if role != "learner":
        require_admin(actor)
    db = resolve(db)
    if cohort_id is not None:
        require_cohort_owner(db, actor, cohort_id)
    row = _new_user(username, password, role, display_name, created_by=actor.user_id)
    with write(db):
        user = _insert_user(db, row)
        if cohort_id is not None:
            enrol(db, cohort_id, user.id, "admin" if actor.is_admin else "creator")
    return user


def register_learner(join_code: str, username: str, password: str,
                     display_name: str | None = None, *, db: Database | None = None) -> User:
    """Self-registration: a new learner account, enrolled in the cohort of `join_code`. The
    join code is checked before the (memory-hungry) password hashing."""
    db = resolve(db)
    cohort_id = cohort_for_code(db, join_code)
    row = _new_user(username, password, "learner", display_name)
    with write(db):
        user = _insert_user(db, row)
        enrol(db, cohort_id, user.id, "join_code")
    return user


# ----------------------------------------------------------------------------- signing in
def authenticate(username: str, password: str, *, client_address: str | None = None,
                 now: datetime | None = None, db: Database | None = None) -> User:
    """The user, if the password is right; else AuthError. `client_address` is the address to
    throttle on (see `progress.throttle.client_address`); without it only the global throttle
    applies. A throttled client gets `AuthError` with `retry_at` set, whatever the username."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    limiter = throttle.for_database(filename(db))
    try:
        ticket = limiter.reserve(client_address, now)
    except throttle.Throttled as throttled:
        raise _throttled_error(throttled.retry_at, now) from None
    try:
        row = one(db, "SELECT id, password_hash FROM users WHERE username = ?",
                  [(username if isinstance(username, str) else "").strip()])
        correct = _verify(row["password_hash"] if row else _decoy_hash(hasher), password) and row is not None
    except AuthError:   # no hashing slot: the check did not happen
        limiter.settle(ticket, succeeded=False, checked=False)
        raise
    limiter.settle(ticket, succeeded=correct)
    if not correct:
        raise AuthError(BAD_CREDENTIALS)
    _record_success(db, row["id"], row["password_hash"], password, now)
    return user_by_id(db, row["id"])


def _throttled_error(until: datetime, now: datetime) -> AuthError:
    seconds = max(1, -(-int((until - now).total_seconds())))
    wait = f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"
    return AuthError(f"Too many sign-in attempts from here. Wait {wait} and try again.", retry_at=until)


def _record_success(db: Database, user_id: int, password_hash: str, password: str,
                    now: datetime) -> None:
    """Stamp the sign-in; upgrade a hash made with weaker parameters."""
    if hasher.check_needs_rehash(password_hash):
        password_hash = _hash(password)
    with write(db):
        db.execute("UPDATE users SET last_login_at = ?, password_hash = ? WHERE id = ?",
                   [iso(now), password_hash, user_id])


def _set_password(db: Database, user_id: int, password: str) -> None:
    """Store a new password (hashed before the transaction) and end every session of the user
    (whoever knew the old password is signed out everywhere)."""
    from progress.sessions import revoke_all   # sessions builds on accounts
    password_hash = _hash(password)
    with write(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        revoke_all(db, user_id, "password")


# ----------------------------------------------------------------------------- passwords
def change_password(actor: Actor, old_password: str, new_password: str, *,
                    db: Database | None = None) -> None:
    """The signed-in user changes their own password (the current one is required)."""
    db = resolve(db)
    row = one(db, "SELECT username, display_name, password_hash FROM users WHERE id = ?", [actor.user_id])
    if row is None:
        raise NotFound("That user does not exist.")
    if not _verify(row["password_hash"], old_password):
        raise AuthError("Your current password is not correct.")
    if new_password == old_password:
        raise ValidationError("Choose a password different from the current one.")
    _check_password(new_password, row["username"], row["display_name"])
    _set_password(db, actor.user_id, new_password)


def reset_password(actor: Actor, user_id: int, new_password: str, *,
                   db: Database | None = None) -> None:
    """Set another user's password: admins for anyone, instructors for learners who joined one
    of their cohorts (see `authz.require_password_reset`)."""
    db = resolve(db)
    require_password_reset(db, actor, user_id)
    target = user_by_id(db, user_id)
    _check_password(new_password, target.username, target.display_name)
    _set_password(db, user_id, new_password)


# ----------------------------------------------------------------------------- reading accounts
def get_user(actor: Actor, user_id: int, *, db: Database | None = None) -> User:
    """One user's public fields: themselves, their instructors, admins."""
    db = resolve(db)
    require_user_read(db, actor, user_id)
    return user_by_id(db, user_id)


def list_users(actor: Actor, *, role: str | None = None, db: Database | None = None) -> list[dict]:
    """Every account (admin only), optionally one role."""
    require_admin(actor)
    where, params = ("WHERE role = ?", [role]) if role else ("", [])
    return rows(resolve(db), f"SELECT {_PUBLIC_COLUMNS} FROM users {where} ORDER BY username", params)


# ----------------------------------------------------------------------------- roles and sign-in methods
NO_PASSWORD = "!sso"   # stored for accounts made by school sign-on: no password ever verifies


def set_role(actor: Actor, user_id: int, role: str, *, db: Database | None = None) -> User:
    """An admin promotes or demotes an account (e.g. a school sign-on learner to instructor).
    Admins cannot change their own role, so the last admin cannot lock everyone out."""
    require_admin(actor)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.")
    if user_id == actor.user_id:
        raise PermissionDenied("You cannot change your own role; ask another administrator.")
    db = resolve(db)
    with write(db):
        user_by_id(db, user_id)
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
    return user_by_id(db, user_id)


def has_password(actor: Actor, *, db: Database | None = None) -> bool:
    """False for an account that only signs in through school sign-on."""
    row = one(resolve(db), "SELECT password_hash FROM users WHERE id = ?", [actor.user_id])
    if row is None:
        raise NotFound("That user does not exist.")
    return row["password_hash"] != NO_PASSWORD
