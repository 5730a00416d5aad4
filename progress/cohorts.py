"""Cohorts, memberships and assignments.

An instructor owns cohorts; learners join with the cohort's join code (`accounts.register_learner`
for new accounts, `join_cohort` for existing ones): that is their consent to the instructor
reading their work. Without it, only an admin may enrol an existing learner; an instructor may
enrol only a learner whose account they created (and who is in no other instructor's cohort) or
one they already teach (see `add_member`, and `progress.membership` for what is recorded). An
assignment is a list of cases, each `{"scenario": id, "seed": int}`, for one cohort, with an
attempt policy (`progress.policy`); `kind` (migration 0006) says what it holds: "cases", or a
question set ("quiz") or a timed exam ("exam"), which `progress.study` creates and runs.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import datetime
from typing import Iterable

from sqlite_utils import Database

from progress.authz import Actor, require_cohort_owner, require_cohort_read, require_staff, teaches
from progress.db import iso, one, resolve, rows, to_json, utcnow, write
from progress.errors import NotFound, PermissionDenied, ValidationError
from progress.membership import cohort_for_code, enrol, in_other_instructors_cohort
from progress.policy import AttemptPolicy, has_opened
from progress.text import clean_line

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L
JOIN_CODE_LENGTH = 8
NAME_LENGTH = 120
CONSENT_NEEDED = ("That learner can join with the cohort's join code, or an administrator can enrol them; "
                  "you can enrol learners whose accounts you created or whom you already teach.")
BAD_ITEM = "Each assignment item needs a scenario id and an integer seed."
KINDS = ("cases", "quiz", "exam")
_COHORTS = """SELECT c.*, (SELECT COUNT(*) FROM memberships m WHERE m.cohort_id = c.id) AS members
              FROM cohorts c"""


def new_join_code() -> str:
    """A random join code (8 characters, about 40 bits)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# ----------------------------------------------------------------------------- cohorts
def create_cohort(actor: Actor, name: str, *, owner_id: int | None = None,
                  db: Database | None = None) -> dict:
    """A new cohort with a fresh join code, owned by the actor (an admin may name another owner)."""
    require_staff(actor)
    owner_id = actor.user_id if owner_id is None else owner_id
    if owner_id != actor.user_id and not actor.is_admin:
        raise PermissionDenied("Only administrators can create cohorts for someone else.")
    name = clean_line(name)[:NAME_LENGTH]
    if not name:
        raise ValidationError("Give the cohort a name.")
    db = resolve(db)
    with write(db):
        owner = one(db, "SELECT role FROM users WHERE id = ?", [owner_id])
        if owner is None or owner["role"] == "learner":
            raise ValidationError("A cohort's owner must be an instructor or an admin.")
        cohort_id = _insert_cohort(db, name, owner_id)
    return _cohort_row(db, cohort_id)


def _insert_cohort(db: Database, name: str, owner_id: int) -> int:
    """Insert a cohort, drawing join codes until one is unused."""
    while True:
        try:
            return db.execute("""INSERT INTO cohorts (name, join_code, owner_id, created_at)
                                 VALUES (?, ?, ?, ?)""",
                              [name, new_join_code(), owner_id, iso()]).lastrowid
        except sqlite3.IntegrityError:
            continue


def _cohort_row(db: Database, cohort_id: int) -> dict:
    return one(db, f"{_COHORTS} WHERE c.id = ?", [cohort_id])


def get_cohort(actor: Actor, cohort_id: int, *, db: Database | None = None) -> dict:
    """One cohort (members see it without its join code)."""
    db = resolve(db)
    require_cohort_read(db, actor, cohort_id)
    return _for_actor(actor, _cohort_row(db, cohort_id))


def _for_actor(actor: Actor, cohort: dict) -> dict:
    """Learners do not see join codes."""
    return {k: v for k, v in cohort.items() if k != "join_code"} if actor.role == "learner" else cohort


def list_cohorts(actor: Actor, *, db: Database | None = None) -> list[dict]:
    """Cohorts the actor owns (instructor), belongs to (learner), or all of them (admin)."""
    where = {"admin": ("1 = 1", []),
             "instructor": ("c.owner_id = ?", [actor.user_id]),
             "learner": ("c.id IN (SELECT cohort_id FROM memberships WHERE user_id = ?)",
                         [actor.user_id])}[actor.role]
    found = rows(resolve(db), f"{_COHORTS} WHERE {where[0]} ORDER BY c.name, c.id", where[1])
    return [_for_actor(actor, c) for c in found]


def cohort_members(actor: Actor, cohort_id: int, *, db: Database | None = None) -> list[dict]:
    """The learners of a cohort (owner or admin)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    return rows(db, """SELECT u.id, u.username, u.display_name, u.last_login_at, m.joined_at
                       FROM memberships m JOIN users u ON u.id = m.user_id
                       WHERE m.cohort_id = ? ORDER BY u.display_name, u.username""", [cohort_id])


def add_member(actor: Actor, cohort_id: int, user_id: int, *, db: Database | None = None) -> None:
    """Enrol an existing learner in a cohort the actor owns; enrolling twice is harmless. An
    admin may enrol anyone; an instructor only a learner whose account they created and who is
    in no other instructor's cohort, or a learner they already teach. Everyone else needs the
    learner's consent: the join code (`join_cohort`)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    with write(db):
        enrol(db, cohort_id, user_id, _enrolment_right(db, actor, user_id))


def _enrolment_right(db: Database, actor: Actor, user_id: int) -> str:
    """How `actor` may enrol `user_id` (a membership `via`), or PermissionDenied. An instructor
    gets the same answer for a user that does not exist and one they may not enrol."""
    if actor.is_admin:
        return "admin"
    user = one(db, "SELECT created_by FROM users WHERE id = ? AND role = 'learner'", [user_id])
    if user is not None and user["created_by"] == actor.user_id \
            and not in_other_instructors_cohort(db, actor.user_id, user_id):
        return "creator"
    if user is not None and teaches(db, actor.user_id, user_id):
        return "staff"
    raise PermissionDenied(CONSENT_NEEDED)


def remove_member(actor: Actor, cohort_id: int, user_id: int, *, db: Database | None = None) -> None:
    """Take a learner out of a cohort (owner or admin); their attempts are kept."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    with write(db):
        db.execute("DELETE FROM memberships WHERE cohort_id = ? AND user_id = ?", [cohort_id, user_id])


def join_cohort(actor: Actor, join_code: str, *, db: Database | None = None) -> dict:
    """A signed-in learner joins the cohort of `join_code`."""
    if actor.role != "learner":
        raise PermissionDenied("Only learners join cohorts with a code.")
    db = resolve(db)
    with write(db):
        cohort_id = cohort_for_code(db, join_code)
        enrol(db, cohort_id, actor.user_id, "join_code")
    return get_cohort(actor, cohort_id, db=db)


# ----------------------------------------------------------------------------- assignments
def normalize_items(items: Iterable) -> list[dict]:
    """Assignment items as `[{"scenario": str, "seed": int}, ...]`; accepts dicts or pairs."""
    result = [_item(item) for item in items or ()]
    if not result:
        raise ValidationError("An assignment needs at least one case.")
    if len({(i["scenario"], i["seed"]) for i in result}) != len(result):
        raise ValidationError("An assignment lists the same case twice.")
    return result


def _item(item) -> dict:
    try:
        scenario, seed = (item["scenario"], item["seed"]) if isinstance(item, dict) else item
    except (KeyError, TypeError, ValueError):
        raise ValidationError(BAD_ITEM) from None
    if not isinstance(scenario, str) or not scenario.strip() or type(seed) is not int:
        raise ValidationError(BAD_ITEM)
    return {"scenario": scenario.strip(), "seed": seed}


def create_assignment(actor: Actor, cohort_id: int, title: str, items: Iterable, *,
                      rubric: str = "", opens_at: datetime | None = None,
                      due_at: datetime | None = None, policy: AttemptPolicy | None = None,
                      db: Database | None = None) -> dict:
    """A new case assignment for a cohort the actor owns (or any, for an admin). Without
    `policy`: `AttemptPolicy()` (one attempt, key after the due date), in exam mode for the exam
    rubric. Question sets and timed exams: `progress.study`."""
    policy = policy or AttemptPolicy(exam_mode=rubric == "exam")
    return insert_assignment(actor, cohort_id, title, {"kind": "cases", "items_json": to_json(normalize_items(items)),
                                                      "rubric": rubric or ""},
                             opens_at=opens_at, due_at=due_at, policy=policy, db=db)


def insert_assignment(actor: Actor, cohort_id: int, title: str, content: dict, *, opens_at: datetime | None,
                      due_at: datetime | None, policy: AttemptPolicy, db: Database | None) -> dict:
    """Store an assignment of any kind (`content`: kind, items_json and the kind's own columns)
    after the checks every kind shares: the cohort's owner, a title, the dates in order."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    title = clean_line(title)[:NAME_LENGTH]
    if not title:
        raise ValidationError("Give the assignment a title.")
    if opens_at and due_at and due_at < opens_at:
        raise ValidationError("The due date is before the opening date.")
    row = {"cohort_id": cohort_id, "title": title, **content,
           "opens_at": iso(opens_at) if opens_at else None, "due_at": iso(due_at) if due_at else None,
           "created_by": actor.user_id, "created_at": iso(), **policy.columns()}
    with write(db):
        assignment_id = db.execute(f"INSERT INTO assignments ({', '.join(row)}) VALUES "
                                   f"({', '.join('?' for _ in row)})", list(row.values())).lastrowid
    return get_assignment(actor, assignment_id, db=db)


def _decode(assignment: dict) -> dict:
    assignment = dict(assignment)
    assignment["items"] = json.loads(assignment.pop("items_json"))
    return assignment


def assignment_row(db: Database, assignment_id: int) -> dict:
    """The assignment with its items decoded (no authorisation: callers check)."""
    row = one(db, "SELECT * FROM assignments WHERE id = ?", [assignment_id])
    if row is None:
        raise NotFound("That assignment does not exist.")
    return _decode(row)


def get_assignment(actor: Actor, assignment_id: int, *, db: Database | None = None) -> dict:
    """One assignment, for its cohort's owner, members and admins (see `_as_seen_by`)."""
    db = resolve(db)
    assignment = assignment_row(db, assignment_id)
    require_cohort_read(db, actor, assignment["cohort_id"])
    return _as_seen_by(actor, assignment)


def list_assignments(actor: Actor, cohort_id: int, *, kinds: Iterable[str] = KINDS,
                     db: Database | None = None) -> list[dict]:
    """A cohort's assignments of the given kinds (default: all), soonest due first (undated last;
    see `_as_seen_by`)."""
    db = resolve(db)
    require_cohort_read(db, actor, cohort_id)
    kinds = [k for k in kinds if k in KINDS]
    found = rows(db, f"""SELECT * FROM assignments WHERE cohort_id = ? AND kind IN ({", ".join("?" for _ in kinds)})
                         ORDER BY due_at IS NULL, due_at, id""", [cohort_id, *kinds])
    return [_as_seen_by(actor, _decode(r)) for r in found]


def _as_seen_by(actor: Actor, assignment: dict) -> dict:
    """With `n_items` and `is_open`; a learner gets no `items` before the opening date, so the
    charts of an assignment cannot be looked up (or practised) before it opens."""
    is_open = has_opened(assignment, utcnow())
    hidden = actor.role == "learner" and not is_open
    return {**assignment, "items": [] if hidden else assignment["items"], "n_items": len(assignment["items"]),
            "is_open": is_open}
