"""School single sign-on: which ChartLab account an OpenID Connect identity is.

Rules (`sso_account`, called after Streamlit's `st.login` has verified the ID token):
- An identity is its issuer plus subject (`iss`, `sub`), never its e-mail: e-mails change and
  can be reused. A known identity signs in to the account it is linked to.
- The first sign-in of an identity creates a **learner** account, linked to it, with a username
  made from the e-mail (or name) and no password (`accounts.NO_PASSWORD`). Instructors are
  promoted by an admin (`accounts.set_role`); school sign-on never grants a staff role.
- An instructor may **invite** an e-mail address to a cohort they own (`invite_learner`). When
  the provider says the e-mail is verified (`email_verified`), every open invitation for it is
  accepted at sign-in: the learner joins those cohorts. An unverified e-mail matches nothing.
- `CHARTLAB_SSO_INVITE_ONLY=1` refuses first sign-ins whose verified e-mail has no invitation.
- `CHARTLAB_SSO_TRUST_EMAIL=1` treats every e-mail the provider sends as verified, for school
  providers that assign the addresses themselves but send no `email_verified` claim.
- After a user's sessions were revoked (password change, an admin, "sign out everywhere"), an
  identity token issued before that moment is refused, so the school sign-on cookie cannot
  quietly sign the user back in; so is one older than the session lifetime
  (`CHARTLAB_SESSION_MAX_HOURS`): the user signs in at the school again.
"""
from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime

from sqlite_utils import Database

from progress.accounts import NO_PASSWORD, USERNAME_RE, User, user_by_id
from progress.authz import Actor, require_cohort_owner
from progress.db import as_utc, iso, one, parse_iso, resolve, rows, utcnow, write
from progress.errors import AuthError, ValidationError
from progress.sessions import lifetime

EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
MAX_CLAIM = 255
NO_IDENTITY = ("Your school sign-in did not say who you are (no issuer or subject). "
               "Ask your school's IT team to check the ChartLab single sign-on settings.")
SIGN_IN_AGAIN = "Your ChartLab session has ended. Please sign in with your school account again."
NOT_INVITED = ("Your school account has not been invited to ChartLab yet. "
               "Ask your instructor to invite your school e-mail address.")


def normalize_email(email: object) -> str | None:
    """A plausible e-mail address, trimmed and lower-cased, or None."""
    if not isinstance(email, str):
        return None
    email = email.strip().lower()
    return email if len(email) <= 254 and EMAIL_RE.fullmatch(email) else None


# ----------------------------------------------------------------------------- invitations
def invite_learner(actor: Actor, cohort_id: int, email: str, *, db: Database | None = None) -> dict:
    """Invite an e-mail address to a cohort the actor owns (idempotent while it is open)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    address = normalize_email(email)
    if address is None:
        raise ValidationError("That is not an e-mail address.")
    with write(db):
        db.execute("""INSERT INTO invitations (email, cohort_id, invited_by, created_at)
                      VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                   [address, cohort_id, actor.user_id, iso()])
    return one(db, """SELECT * FROM invitations WHERE email = ? AND cohort_id = ?
                      ORDER BY accepted_at IS NULL DESC, id DESC LIMIT 1""", [address, cohort_id])


def list_invitations(actor: Actor, cohort_id: int, *, db: Database | None = None) -> list[dict]:
    """A cohort's invitations, open ones first (the owner or an admin)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    return rows(db, """SELECT i.id, i.email, i.created_at, i.accepted_at, u.username AS accepted_by
                       FROM invitations i LEFT JOIN users u ON u.id = i.accepted_by
                       WHERE i.cohort_id = ? ORDER BY i.accepted_at IS NOT NULL, i.email""",
                [cohort_id])


def _open_invitations(db: Database, email: str | None) -> list[dict]:
    if email is None:
        return []
    return rows(db, "SELECT id, cohort_id FROM invitations WHERE email = ? AND accepted_at IS NULL",
                [email])


def _accept(db: Database, invitations: list[dict], user: User) -> None:
    """Enrol a learner in each invited cohort and mark the invitations accepted."""
    if user.role != "learner":
        return
    for invitation in invitations:
        db.execute("""INSERT INTO memberships (cohort_id, user_id, joined_at) VALUES (?, ?, ?)
                      ON CONFLICT DO NOTHING""", [invitation["cohort_id"], user.id, iso()])
        db.execute("UPDATE invitations SET accepted_by = ?, accepted_at = ? WHERE id = ?",
                   [user.id, iso(), invitation["id"]])


# ----------------------------------------------------------------------------- sign-on
def _claim(value: object) -> str:
    """A non-empty identity claim of sane length, else AuthError."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLAIM:
        raise AuthError(NO_IDENTITY)
    return value.strip()


def _username_base(email: str | None, name: str | None) -> str:
    """Letters, digits, '.', '_' and '-' from the e-mail's local part (or the name)."""
    source = email.split("@")[0] if email else (name or "")
    base = re.sub(r"[^A-Za-z0-9._-]+", ".", source).strip("._-")[:28].lower()
    return base if USERNAME_RE.fullmatch(base) else "learner"


def _free_username(db: Database, base: str) -> str:
    taken = {r["username"].casefold() for r in rows(
        db, "SELECT username FROM users WHERE username LIKE ? ESCAPE '\\'",
        [base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"])}
    candidates = (base if n == 1 else f"{base}{n}" for n in range(1, 10_000))
    return next(c for c in candidates if c.casefold() not in taken)


def _create_learner(db: Database, email: str | None, name: str | None, now: datetime) -> User:
    display = (name or "").strip()[:80] or (email.split("@")[0] if email else "School learner")
    cursor = db.execute("""INSERT INTO users (username, display_name, role, password_hash, created_at)
                           VALUES (?, ?, 'learner', ?, ?)""",
                        [_free_username(db, _username_base(email, name)), display, NO_PASSWORD, iso(now)])
    return user_by_id(db, cursor.lastrowid)


def _issued_before_revocation(db: Database, user_id: int, issued_at: datetime | None) -> bool:
    row = one(db, "SELECT sessions_revoked_at FROM users WHERE id = ?", [user_id])
    revoked = row and row["sessions_revoked_at"]
    return bool(revoked) and (issued_at is None or as_utc(issued_at) < parse_iso(revoked))


def sso_account(issuer: str, subject: str, *, email: str | None = None, email_verified: bool = False,
                name: str | None = None, issued_at: datetime | None = None,
                now: datetime | None = None, db: Database | None = None) -> User:
    """The ChartLab account for a verified OpenID Connect identity (see the module rules);
    AuthError with a message to show when the sign-in is refused."""
    issuer, subject = _claim(issuer), _claim(subject)
    trusted = os.environ.get("CHARTLAB_SSO_TRUST_EMAIL") == "1"
    profile = {"email": normalize_email(email), "verified": email_verified is True or trusted,
               "name": name if isinstance(name, str) else None}
    db, now = resolve(db), as_utc(now or utcnow())
    try:
        with write(db):
            return _sign_on(db, issuer, subject, profile, issued_at, now)
    except sqlite3.IntegrityError:   # the same identity's first sign-in raced in another process
        with write(db):
            return _sign_on(db, issuer, subject, profile, issued_at, now)


def _sign_on(db: Database, issuer: str, subject: str, profile: dict,
             issued_at: datetime | None, now: datetime) -> User:
    """`sso_account` inside its transaction."""
    address = profile["email"] if profile["verified"] else None
    linked = one(db, "SELECT user_id FROM sso_identities WHERE issuer = ? AND subject = ?",
                 [issuer, subject])
    invitations = _open_invitations(db, address)
    if issued_at is not None and as_utc(issued_at) + lifetime() <= now:
        raise AuthError(SIGN_IN_AGAIN)
    if linked is not None:
        if _issued_before_revocation(db, linked["user_id"], issued_at):
            raise AuthError(SIGN_IN_AGAIN)
        user = user_by_id(db, linked["user_id"])
        db.execute("""UPDATE sso_identities SET last_login_at = ?, email = coalesce(?, email)
                      WHERE issuer = ? AND subject = ?""", [iso(now), address, issuer, subject])
    else:
        if not invitations and os.environ.get("CHARTLAB_SSO_INVITE_ONLY") == "1":
            raise AuthError(NOT_INVITED)
        user = _create_learner(db, profile["email"], profile["name"], now)
        db.execute("""INSERT INTO sso_identities (issuer, subject, user_id, email, created_at, last_login_at)
                      VALUES (?, ?, ?, ?, ?, ?)""", [issuer, subject, user.id, address, iso(now), iso(now)])
    _accept(db, invitations, user)
    db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [iso(now), user.id])
    return user_by_id(db, user.id)
