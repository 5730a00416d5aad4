"""Assessment integrity: who may open a case, submit an attempt and see an attempt's key.

The UI only asks; every decision is made here, from the assignment's policy (`progress.policy`):
- `case_access(actor, scenario_id, seed, assignment_id=..., now=...)`: may the chart be opened,
  may an attempt be submitted, how many attempts are used and allowed, and when the key shows.
  `save_attempt` and `save_draft` enforce the same decision, so a UI that forgot to ask is
  still refused.
- `key_visible(actor, attempt_id)`: may the actor see that attempt's key (expected codes,
  per-item results, feedback)? `get_attempt` and `list_disputes` leave the key out otherwise.
- `set_attempt_policy` and `release_key`: the instructor's decisions, each an audit row
  (`assignment_audit`).

Staff (the cohort's owner, admins) always may. A learner's practice case (no assignment) shows
its key and may be tried again, unless the same case (scenario and seed) is part of one of the
learner's assignments whose key is not shown yet: it can then be worked only through the
assignment (its attempt limit, its window), so practice cannot be used to read the key early or
to probe scores.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from progress.authz import Actor, require_attempt_read, require_cohort_owner, require_cohort_read
from progress.cohorts import assignment_row, get_assignment
from progress.db import as_utc, iso, one, resolve, rows, to_json, utcnow, write
from progress.errors import ValidationError
from progress.policy import AttemptPolicy, closed_reason, has_opened, key_state

NOT_IN_ASSIGNMENT = "That case is not part of this assignment."


@dataclass(frozen=True)
class CaseAccess:
    """What a learner may do with one case now. `reason` says why not (empty when both are allowed);
    `key_note` says when the key will be shown."""
    can_open: bool
    can_submit: bool
    reason: str = ""
    attempts_used: int = 0
    attempts_allowed: int | None = None
    key_note: str = ""


ANYTHING = CaseAccess(True, True, key_note="The answer key is shown after each attempt.")


# ----------------------------------------------------------------------------- deciding
def case_access(actor: Actor, scenario_id: str, seed: int, *, assignment_id: int | None = None,
                now: datetime | None = None, db: Database | None = None) -> CaseAccess:
    """May `actor` open this case (as part of `assignment_id`, or as practice) and submit an
    attempt now? Raises PermissionDenied for an assignment of a cohort the actor cannot read,
    ValidationError for a case that is not part of the assignment."""
    return decide(resolve(db), actor, scenario_id, seed, assignment_id, as_utc(now or utcnow()))


def can_open_case(actor: Actor, assignment_id: int, *, now: datetime | None = None,
                  db: Database | None = None) -> bool:
    """May `actor` open the charts of this assignment yet (a member, and the opening date passed)?"""
    db = resolve(db)
    assignment = get_assignment(actor, assignment_id, db=db)
    return actor.is_staff or has_opened(assignment, as_utc(now or utcnow()))


def decide(db: Database, actor: Actor, scenario_id: str, seed: int, assignment_id: int | None,
           now: datetime) -> CaseAccess:
    """`case_access` on an open connection (also used inside `save_attempt`'s transaction)."""
    if assignment_id is None:
        return _practice_access(db, actor, scenario_id, seed, now)
    assignment = assignment_row(db, assignment_id)
    require_cohort_read(db, actor, assignment["cohort_id"])
    if {"scenario": scenario_id, "seed": seed} not in assignment["items"]:
        raise ValidationError(NOT_IN_ASSIGNMENT)
    if actor.is_staff:
        return ANYTHING
    used = _attempts_used(db, actor.user_id, assignment_id, scenario_id, seed)
    allowed = assignment["max_attempts"]
    note = key_state(assignment, now)[1]
    reason = closed_reason(assignment, now)
    if not reason and allowed is not None and used >= allowed:
        reason = f"You have used all {allowed} attempt{'s' if allowed != 1 else ''} at this case."
    return CaseAccess(can_open=has_opened(assignment, now), can_submit=not reason, reason=reason,
                      attempts_used=used, attempts_allowed=allowed, key_note=note)


def _practice_access(db: Database, actor: Actor, scenario_id: str, seed: int, now: datetime) -> CaseAccess:
    if actor.is_staff:
        return ANYTHING
    for assignment in _assignments_with_case(db, actor.user_id, scenario_id, seed):
        visible, _ = key_state(assignment, now)
        if not visible:
            return CaseAccess(False, False, f"This case is part of your assignment “{assignment['title']}”: "
                                            "open it from the assignment.")
    return ANYTHING


def require_submittable(db: Database, actor: Actor, scenario_id: str, seed: int,
                        assignment_id: int | None, now: datetime) -> None:
    """Raise ValidationError (with the reason) unless `actor` may submit this case now."""
    access = decide(db, actor, scenario_id, seed, assignment_id, now)
    if not access.can_submit:
        raise ValidationError(access.reason)


def key_visible(actor: Actor, attempt_id: int, *, now: datetime | None = None,
                db: Database | None = None) -> bool:
    """May `actor` see the answer key of this attempt now? Raises `Unavailable` for an attempt
    that does not exist or is not the actor's to see."""
    db = resolve(db)
    attempt = require_attempt_read(db, actor, attempt_id)
    return attempt_key_state(db, actor, attempt, as_utc(now or utcnow()))[0]


def attempt_key_state(db: Database, actor: Actor, attempt: dict, now: datetime) -> tuple[bool, str]:
    """(key visible?, when it will be) for an attempt row the actor may read."""
    if actor.is_staff:
        return True, ""
    if attempt["assignment_id"] is not None:
        return key_state(assignment_row(db, attempt["assignment_id"]), now)
    access = _practice_access(db, actor, attempt["scenario_id"], attempt["seed"], now)
    return access.can_open, access.reason or access.key_note


def _attempts_used(db: Database, user_id: int, assignment_id: int, scenario_id: str, seed: int) -> int:
    return one(db, """SELECT COUNT(*) AS n FROM attempts WHERE assignment_id = ? AND user_id = ?
                      AND scenario_id = ? AND seed = ?""", [assignment_id, user_id, scenario_id, seed])["n"]


def _assignments_with_case(db: Database, user_id: int, scenario_id: str, seed: int) -> list[dict]:
    """The assignments of the learner's cohorts that list this case."""
    return rows(db, """SELECT s.* FROM assignments s
                       JOIN memberships m ON m.cohort_id = s.cohort_id AND m.user_id = ?
                       WHERE EXISTS (SELECT 1 FROM json_each(s.items_json) j
                                     WHERE json_extract(j.value, '$.scenario') = ?
                                       AND json_extract(j.value, '$.seed') = ?)""",
                [user_id, scenario_id, seed])


# ----------------------------------------------------------------------------- instructors' decisions
def attempt_policy(actor: Actor, assignment_id: int, *, db: Database | None = None) -> AttemptPolicy:
    """The assignment's policy (anyone who may read the assignment)."""
    return AttemptPolicy.from_row(get_assignment(actor, assignment_id, db=db))


def set_attempt_policy(actor: Actor, assignment_id: int, policy: AttemptPolicy, *,
                       now: datetime | None = None, db: Database | None = None) -> dict:
    """Change an assignment's attempt policy (its cohort's owner or an admin); audited.
    Returns the assignment."""
    db = resolve(db)
    assignment = assignment_row(db, assignment_id)
    require_cohort_owner(db, actor, assignment["cohort_id"])
    columns = policy.columns()
    with write(db):
        db.execute(f"UPDATE assignments SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                   [*columns.values(), assignment_id])
        _audit(db, actor, assignment_id, "policy", to_json(columns), now)
    return get_assignment(actor, assignment_id, db=db)


def release_key(actor: Actor, assignment_id: int, *, now: datetime | None = None,
                db: Database | None = None) -> dict:
    """Show the assignment's answer key to its learners from now on (its cohort's owner or an
    admin); the assignment takes no more attempts. Audited; releasing twice changes nothing."""
    db = resolve(db)
    assignment = assignment_row(db, assignment_id)
    require_cohort_owner(db, actor, assignment["cohort_id"])
    with write(db):
        released = db.execute("""UPDATE assignments SET key_released_at = ?
                                 WHERE id = ? AND key_released_at IS NULL""",
                              [iso(now), assignment_id]).rowcount
        if released:
            _audit(db, actor, assignment_id, "release_key", "", now)
    return get_assignment(actor, assignment_id, db=db)


def assignment_audit(actor: Actor, assignment_id: int, *, db: Database | None = None) -> list[dict]:
    """Every policy change and key release of an assignment, oldest first (owner or admin)."""
    db = resolve(db)
    require_cohort_owner(db, actor, assignment_row(db, assignment_id)["cohort_id"])
    found = rows(db, """SELECT a.*, u.display_name AS by_name FROM assignment_audit a
                        JOIN users u ON u.id = a.by_user WHERE a.assignment_id = ? ORDER BY a.id""",
                 [assignment_id])
    return [{**r, "detail": json.loads(r["detail"]) if r["detail"] else {}} for r in found]


def _audit(db: Database, actor: Actor, assignment_id: int, action: str, detail: str,
           now: datetime | None) -> None:
    db.execute("""INSERT INTO assignment_audit (assignment_id, by_user, at, action, detail)
                  VALUES (?, ?, ?, ?, ?)""", [assignment_id, actor.user_id, iso(now), action, detail])
