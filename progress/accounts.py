"""Accounts: password hashing and policy, sign-in with lockout, registration, password changes.

- Hashes: argon2id (argon2-cffi defaults, RFC 9106 low-memory profile); a hash made with weaker
  parameters is upgraded at the next successful sign-in.
- Password policy (`password_problems`): 10 to 128 characters, at least two kinds of character
  among lower-case, upper-case, digits and other symbols, and not containing the username.
- Lockout: the 5th failed sign-in in a row locks the account for 15 minutes. A locked account is
  told when it may retry; every other failure says only "Incorrect username or password." (an
  unknown username costs the same hashing time as a wrong password).
- There are no default accounts. The first account comes from `create_first_user` (the app's
  first-run page) or `provision_user` (the operator's `python -m progress create-user`).
- Usernames: 3 to 32 characters, letters, digits, '.', '_' and '-', unique ignoring case.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from progress.authz import ROLES, Actor, require_admin, require_grader, require_staff, require_user_read
from progress.db import as_utc, iso, one, parse_iso, resolve, rows, utcnow, write
from progress.errors import AuthError, NotFound, PermissionDenied, ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,31}")
BAD_CREDENTIALS = "Incorrect username or password."
hasher = PasswordHasher()
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
def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password (empty list: acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    kinds = {"lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit()
             else "symbol" for c in password}
    if len(kinds) < 2:
        problems.append("Mix at least two kinds of character: lower-case, upper-case, digits, symbols.")
    if username and username.casefold() in password.casefold():
        problems.append("Do not include your username.")
    return problems


def _check_password(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise ValidationError(" ".join(problems))


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError("Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'.")
    return username


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _decoy_hash(active_hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown, so timing reveals nothing."""
    return active_hasher.hash("decoy password, never valid")


# ----------------------------------------------------------------------------- creating accounts
def _new_user(username: str, password: str, role: str, display_name: str | None) -> dict:
    """A validated users row, password hashed (slow: done before any transaction opens)."""
    username = _check_username(username)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.")
    _check_password(password, username)
    return {"username": username, "display_name": (display_name or "").strip()[:80] or username,
            "role": role, "password_hash": hasher.hash(password), "created_at": iso()}


def _insert_user(db: Database, row: dict) -> User:
    """Insert a `_new_user` row inside the caller's transaction."""
    try:
        cursor = db.execute("""INSERT INTO users (username, display_name, role, password_hash, created_at)
                               VALUES (:username, :display_name, :role, :password_hash, :created_at)""", row)
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
                      display_name: str | None = None, *, db: Database | None = None) -> User:
    """Create the first admin or instructor; refused as soon as any account exists."""
    if role not in ("admin", "instructor"):
        raise ValidationError("The first account must be an admin or an instructor.")
    row, db = _new_user(username, password, role, display_name), resolve(db)
    with write(db):
        if not needs_first_user(db=db):
            raise PermissionDenied("The first account already exists; sign in instead.")
        return _insert_user(db, row)


def create_user(actor: Actor, username: str, password: str, role: str = "learner",
                display_name: str | None = None, *, db: Database | None = None) -> User:
    """An admin creates any account; an instructor creates learner accounts."""
    require_staff(actor)
    if role != "learner":
        require_admin(actor)
    row, db = _new_user(username, password, role, display_name), resolve(db)
    with write(db):
        return _insert_user(db, row)


def register_learner(join_code: str, username: str, password: str,
                     display_name: str | None = None, *, db: Database | None = None) -> User:
    """Self-registration: a new learner account, enrolled in the cohort of `join_code`."""
    row, db = _new_user(username, password, "learner", display_name), resolve(db)
    with write(db):
        cohort = one(db, "SELECT id FROM cohorts WHERE join_code = ?", [normalize_join_code(join_code)])
        if cohort is None:
            raise ValidationError("That join code is not valid. Ask your instructor for it.")
        user = _insert_user(db, row)
        db.execute("INSERT INTO memberships (cohort_id, user_id, joined_at) VALUES (?, ?, ?)",
                   [cohort["id"], user.id, iso()])
    return user


def normalize_join_code(code: str) -> str:
    """Join codes are compared without spaces or dashes, in upper case."""
    return re.sub(r"[\s-]", "", code or "").upper()


# ----------------------------------------------------------------------------- signing in
def authenticate(username: str, password: str, *, now: datetime | None = None,
                 db: Database | None = None) -> User:
    """The user, if the password is right and the account is not locked; else AuthError."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    row = one(db, "SELECT id, password_hash, locked_until FROM users WHERE username = ?",
              [(username or "").strip()])
    if row is None:
        _verify(_decoy_hash(hasher), password)
        raise AuthError(BAD_CREDENTIALS)
    if row["locked_until"] and parse_iso(row["locked_until"]) > now:
        raise _locked_error(parse_iso(row["locked_until"]), now)
    if not _verify(row["password_hash"], password):
        raise _record_failure(db, row["id"], now)
    _record_success(db, row["id"], row["password_hash"], password, now)
    return user_by_id(db, row["id"])


def _locked_error(until: datetime, now: datetime) -> AuthError:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return AuthError(f"Too many failed sign-in attempts. Try again in {minutes} minute"
                     f"{'s' if minutes != 1 else ''} (after {until:%H:%M} UTC).", retry_at=until)


def _record_failure(db: Database, user_id: int, now: datetime) -> AuthError:
    """Count a failed sign-in (atomically), lock on the 5th; return the error to raise."""
    until = iso(now + LOCKOUT)
    with write(db):
        locked = db.execute(
            """UPDATE users SET
                   failed_logins = CASE WHEN failed_logins + 1 >= :max THEN 0 ELSE failed_logins + 1 END,
                   locked_until = CASE WHEN failed_logins + 1 >= :max THEN :until ELSE locked_until END
               WHERE id = :id RETURNING locked_until""",
            {"max": MAX_FAILED_LOGINS, "until": until, "id": user_id}).fetchone()[0]
    return _locked_error(parse_iso(until), now) if locked == until else AuthError(BAD_CREDENTIALS)


def _record_success(db: Database, user_id: int, password_hash: str, password: str,
                    now: datetime) -> None:
    """Reset the failure count, stamp the sign-in, upgrade a hash made with weaker parameters."""
    if hasher.check_needs_rehash(password_hash):
        password_hash = hasher.hash(password)
    with write(db):
        db.execute("""UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?,
                      password_hash = ? WHERE id = ?""", [iso(now), password_hash, user_id])


def _set_password(db: Database, user_id: int, password: str) -> None:
    """Store a new password (hashed before the transaction), lift any lockout and end every
    session of the user (whoever knew the old password is signed out everywhere)."""
    from progress.sessions import revoke_all   # sessions builds on accounts
    password_hash = hasher.hash(password)
    with write(db):
        db.execute("""UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL
                      WHERE id = ?""", [password_hash, user_id])
        revoke_all(db, user_id, "password")


# ----------------------------------------------------------------------------- passwords
def change_password(actor: Actor, old_password: str, new_password: str, *,
                    db: Database | None = None) -> None:
    """The signed-in user changes their own password (the current one is required)."""
    db = resolve(db)
    row = one(db, "SELECT username, password_hash FROM users WHERE id = ?", [actor.user_id])
    if row is None:
        raise NotFound("That user does not exist.")
    if not _verify(row["password_hash"], old_password):
        raise AuthError("Your current password is not correct.")
    if new_password == old_password:
        raise ValidationError("Choose a password different from the current one.")
    _check_password(new_password, row["username"])
    _set_password(db, actor.user_id, new_password)


def reset_password(actor: Actor, user_id: int, new_password: str, *,
                   db: Database | None = None) -> None:
    """Set another user's password and lift any lockout: admins for anyone, instructors for
    learners in a cohort they own."""
    db = resolve(db)
    target = user_by_id(db, user_id)
    require_grader(db, actor, user_id)
    if target.role != "learner":
        require_admin(actor)
    _check_password(new_password, target.username)
    _set_password(db, user_id, new_password)


# ----------------------------------------------------------------------------- reading accounts
def get_user(actor: Actor, user_id: int, *, db: Database | None = None) -> User:
    """One user's public fields: themselves, their instructors, admins."""
    db = resolve(db)
    require_user_read(db, actor, user_id)
    return user_by_id(db, user_id)


def list_users(actor: Actor, *, role: str | None = None, db: Database | None = None) -> list[dict]:
    """Every account (admin only), optionally one role, with lockout state."""
    require_admin(actor)
    where, params = ("WHERE role = ?", [role]) if role else ("", [])
    return rows(resolve(db), f"""SELECT {_PUBLIC_COLUMNS}, failed_logins, locked_until
                                 FROM users {where} ORDER BY username""", params)


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
