"""The one authorisation module: every query and mutation in `progress` asks it first.

Rules
- A learner reads and changes only their own records (attempts, drafts, disputes, progress).
- An instructor reads the cohorts they own, and the learners in those cohorts with everything
  those learners did (practice attempts included); they grade only those learners.
- An admin reads and grades everything.

Every function takes the `Actor` first and raises `PermissionDenied` (a message safe to show) or
`NotFound`. The UI builds the Actor only from a successful sign-in (`accounts.User.actor`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from progress.db import one
from progress.errors import NotFound, PermissionDenied, Unavailable
from progress.membership import joined_by_consent

ROLES = ("learner", "instructor", "admin")

__all__ = ["ROLES", "Actor", "PermissionDenied", "require_staff", "require_admin", "teaches",
           "require_user_read", "require_grader", "require_password_reset", "require_cohort_owner",
           "require_cohort_read", "require_attempt_read", "subject_filter", "learner_scope",
           "require_visible", "NO_SUCH_ATTEMPT", "NO_SUCH_EXAM"]
NO_SUCH_ATTEMPT = "There is no attempt with that number among the work you can see."
NO_SUCH_EXAM = "There is no exam with that number among the work you can see."


@dataclass(frozen=True)
class Actor:
    """Who is asking: the signed-in user's id and role."""
    user_id: int
    role: str

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        return self.role in ("instructor", "admin")


def require_staff(actor: Actor) -> None:
    """Instructors and admins only."""
    if not actor.is_staff:
        raise PermissionDenied("Only instructors can do that.")


def require_admin(actor: Actor) -> None:
    """Admins only."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can do that.")


def teaches(db: Database, instructor_id: int, user_id: int) -> bool:
    """True when `user_id` is a member of a cohort owned by `instructor_id`."""
    return one(db, """SELECT 1 AS ok FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
                      WHERE c.owner_id = ? AND m.user_id = ? LIMIT 1""",
               [instructor_id, user_id]) is not None


def require_user_read(db: Database, actor: Actor, user_id: int) -> None:
    """May `actor` see `user_id`'s records? Themselves, their instructors, admins."""
    if actor.is_admin or actor.user_id == user_id:
        return
    if actor.role == "learner":
        raise PermissionDenied("You can only see your own work.")
    if not teaches(db, actor.user_id, user_id):
        raise PermissionDenied("That learner is not in any cohort you own.")


def require_grader(db: Database, actor: Actor, user_id: int) -> None:
    """May `actor` grade (override, rule disputes, reset passwords of) `user_id`?"""
    require_staff(actor)
    if actor.is_admin:
        return
    if not teaches(db, actor.user_id, user_id):
        raise PermissionDenied("That learner is not in any cohort you own.")


def require_password_reset(db: Database, actor: Actor, user_id: int) -> None:
    """May `actor` set `user_id`'s password? Admins: anyone. Instructors: learners who joined one
    of their cohorts with its join code, or whom they (or an admin) enrolled with consent
    (`membership.CONSENTED`); enrolling someone else's learner grants no password reset."""
    require_staff(actor)
    if actor.is_admin:
        return
    if not joined_by_consent(db, actor.user_id, user_id):
        raise PermissionDenied("You can reset the passwords of learners who joined your cohorts; "
                               "ask an administrator for anyone else.")


def _cohort(db: Database, cohort_id: int) -> dict:
    row = one(db, "SELECT * FROM cohorts WHERE id = ?", [cohort_id])
    if row is None:
        raise NotFound("That cohort does not exist.")
    return row


def require_cohort_owner(db: Database, actor: Actor, cohort_id: int) -> dict:
    """The cohort row, if `actor` owns it (or is an admin)."""
    require_staff(actor)
    cohort = _cohort(db, cohort_id)
    if not actor.is_admin and cohort["owner_id"] != actor.user_id:
        raise PermissionDenied("That cohort belongs to another instructor.")
    return cohort


def require_cohort_read(db: Database, actor: Actor, cohort_id: int) -> dict:
    """The cohort row, if `actor` owns it, is a member of it, or is an admin."""
    cohort = _cohort(db, cohort_id)
    if actor.role == "learner":
        member = one(db, "SELECT 1 AS ok FROM memberships WHERE cohort_id = ? AND user_id = ?",
                     [cohort_id, actor.user_id])
        if member is None:
            raise PermissionDenied("You are not a member of that cohort.")
        return cohort
    return require_cohort_owner(db, actor, cohort_id)


def require_visible(db: Database, actor: Actor, owner_id: int | None, message: str) -> None:
    """`Unavailable(message)` (both a NotFound and a PermissionDenied) when a record does not
    exist (`owner_id` None) or belongs to someone `actor` may not read: one answer for both, so
    record numbers cannot be probed."""
    try:
        if owner_id is None:
            raise NotFound(message)
        require_user_read(db, actor, owner_id)
    except (NotFound, PermissionDenied):
        raise Unavailable(message) from None


def require_attempt_read(db: Database, actor: Actor, attempt_id: int) -> dict:
    """The attempt's key fields (id, user_id, scenario_id, seed, assignment_id, total), if
    `actor` may see it (else `Unavailable`, see `require_visible`)."""
    row = one(db, """SELECT id, user_id, scenario_id, seed, assignment_id, total
                     FROM attempts WHERE id = ?""", [attempt_id])
    require_visible(db, actor, row["user_id"] if row else None, NO_SUCH_ATTEMPT)
    return row


def subject_filter(db: Database, actor: Actor, *, user_id: int | None = None,
                   cohort_id: int | None = None, column: str = "a.user_id") -> tuple[str, list]:
    """SQL condition + params selecting one learner's rows (default: the actor's own) or,
    with `cohort_id`, the rows of every member of that cohort (owner or admin only)."""
    if cohort_id is not None:
        require_cohort_owner(db, actor, cohort_id)
        return f"{column} IN (SELECT user_id FROM memberships WHERE cohort_id = ?)", [cohort_id]
    user_id = actor.user_id if user_id is None else user_id
    require_user_read(db, actor, user_id)
    return f"{column} = ?", [user_id]


def learner_scope(db: Database, actor: Actor, *, cohort_id: int | None = None,
                  column: str = "a.user_id") -> tuple[str, list]:
    """SQL condition + params selecting the learners whose work a staff actor may analyse:
    one owned cohort, or every cohort the instructor owns, or (admin) everyone."""
    require_staff(actor)
    if cohort_id is not None:
        return subject_filter(db, actor, cohort_id=cohort_id, column=column)
    if actor.is_admin:
        return "1 = 1", []
    return (f"""{column} IN (SELECT m.user_id FROM memberships m JOIN cohorts c
                             ON c.id = m.cohort_id WHERE c.owner_id = ?)""", [actor.user_id])
