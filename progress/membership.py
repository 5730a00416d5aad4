"""Cohort memberships and join codes: the rows every other module builds on.

A membership records how it came to be (`via`, migration 0004):
- `join_code`: the learner typed the cohort's join code (registration or "join a cohort"): consent;
- `admin`: an administrator enrolled the learner;
- `creator`: the instructor who created the learner's account (roster import) enrolled them;
- `staff`: the owner moved a learner they already teach into another of their cohorts;
- `legacy`: made before migration 0004 (unknown).
The first three are *consented*: only they let an instructor reset the learner's password. A
membership is never downgraded: joining again with the code upgrades a legacy or staff row.
"""
from __future__ import annotations

import re

from sqlite_utils import Database

from progress.db import iso, one
from progress.errors import NotFound, ValidationError

CONSENTED = ("join_code", "admin", "creator")
VIAS = (*CONSENTED, "staff", "legacy")
BAD_JOIN_CODE = "That join code is not valid. Ask your instructor for it."
_CONSENTED_SQL = ", ".join(f"'{v}'" for v in CONSENTED)


def normalize_join_code(code: str) -> str:
    """Join codes are compared without spaces or dashes, in upper case."""
    return re.sub(r"[\s-]", "", code if isinstance(code, str) else "").upper()


def cohort_for_code(db: Database, join_code: str) -> int:
    """The id of the cohort whose join code this is, or ValidationError (no hashing needed first)."""
    cohort = one(db, "SELECT id FROM cohorts WHERE join_code = ?", [normalize_join_code(join_code)])
    if cohort is None:
        raise ValidationError(BAD_JOIN_CODE)
    return cohort["id"]


def enrol(db: Database, cohort_id: int, user_id: int, via: str) -> None:
    """Inside the caller's transaction: make `user_id` (a learner) a member of `cohort_id`."""
    if via not in VIAS:
        raise ValueError(f"unknown membership origin {via!r}")
    user = one(db, "SELECT role FROM users WHERE id = ?", [user_id])
    if user is None:
        raise NotFound("That user does not exist.")
    if user["role"] != "learner":
        raise ValidationError("Only learners can be members of a cohort.")
    db.execute(f"""INSERT INTO memberships (cohort_id, user_id, joined_at, via) VALUES (?, ?, ?, ?)
                   ON CONFLICT (cohort_id, user_id) DO UPDATE SET via = excluded.via
                   WHERE excluded.via IN ({_CONSENTED_SQL}) AND via NOT IN ({_CONSENTED_SQL})""",
               [cohort_id, user_id, iso(), via])


def joined_by_consent(db: Database, instructor_id: int, user_id: int) -> bool:
    """True when `user_id` joined (or was enrolled with consent in) a cohort `instructor_id` owns."""
    return one(db, f"""SELECT 1 AS ok FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
                       WHERE c.owner_id = ? AND m.user_id = ? AND m.via IN ({_CONSENTED_SQL})
                       LIMIT 1""", [instructor_id, user_id]) is not None


def in_other_instructors_cohort(db: Database, instructor_id: int, user_id: int) -> bool:
    """True when `user_id` belongs to a cohort that someone other than `instructor_id` owns."""
    return one(db, """SELECT 1 AS ok FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
                      WHERE c.owner_id != ? AND m.user_id = ? LIMIT 1""",
               [instructor_id, user_id]) is not None
