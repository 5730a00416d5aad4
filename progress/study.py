"""Assignments of question sets and timed exams (migration 0006), and who may start one now.

An instructor assigns, to one cohort, with the same dates and attempt policy as case assignments:
- a **question set** (`kind` "quiz"): fixed question ids, `items` `[{"question": id}, ...]`, drawn
  by the instructor's filters once, so every learner answers the same questions. It is a quiz
  with immediate feedback, so its key shows after each answer (`QUIZ_POLICY`); a learner's
  attempt is a `quiz_attempts` row (`progress.learning.start_quiz`);
- a **timed exam** (`kind` "exam"): a blueprint and a time limit in minutes. Each attempt is an
  `exam_sessions` row linked to the assignment (`progress.learning.start_exam`); every learner's
  n-th attempt gets the same form (`lessons.exam.assigned_form`). Exams start in exam mode: the
  review of each item (the key) shows once the due date has passed or the instructor releases
  it, never before (`EXAM_POLICY`); the score and the summary by domain show at once.

The gradebook counts the attempt the policy names (`counts`: best, first or last submitted), as
for cases (`progress.analytics`). `study_access` is the one decision about starting an attempt;
`learning.start_quiz` and `learning.start_exam` make it inside their write transaction, so
concurrent starts cannot pass the attempt limit together.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlite_utils import Database

from progress.authz import Actor, require_cohort_read, require_user_read
from progress.cohorts import assignment_row, insert_assignment
from progress.db import as_utc, one, parse_iso, resolve, rows, to_json, utcnow
from progress.errors import ValidationError
from progress.policy import AttemptPolicy, closed_reason, has_opened, key_state

STUDY_KINDS = ("quiz", "exam")
QUIZ_POLICY = AttemptPolicy(max_attempts=1, counts="first", key_shown="after_attempt")
EXAM_POLICY = AttemptPolicy(max_attempts=1, counts="first", key_shown="after_due", exam_mode=True)
MAX_QUESTIONS = 200
ATTEMPT_TABLE = {"quiz": "quiz_attempts", "exam": "exam_sessions"}
NOT_A = {"quiz": "That assignment is not a question set.", "exam": "That assignment is not a timed exam."}


# ----------------------------------------------------------------------------- creating
def create_quiz_assignment(actor: Actor, cohort_id: int, title: str, question_ids: Iterable[str], *,
                           opens_at: datetime | None = None, due_at: datetime | None = None,
                           policy: AttemptPolicy | None = None, db: Database | None = None) -> dict:
    """Assign a fixed question set (ids from the question bank, in the order given)."""
    ids = [str(q).strip() for q in question_ids or () if str(q).strip()]
    if not ids:
        raise ValidationError("A question set needs at least one question.")
    if len(ids) > MAX_QUESTIONS or len(set(ids)) != len(ids):
        raise ValidationError(f"A question set lists each question once, at most {MAX_QUESTIONS} of them.")
    return insert_assignment(actor, cohort_id, title,
                             {"kind": "quiz", "items_json": to_json([{"question": q} for q in ids])},
                             opens_at=opens_at, due_at=due_at, policy=_quiz_policy(policy), db=db)


def _quiz_policy(policy: AttemptPolicy | None) -> AttemptPolicy:
    """A question set shows each answer's feedback at once: only attempts and counting are chosen."""
    chosen = policy or QUIZ_POLICY
    return AttemptPolicy(max_attempts=chosen.max_attempts, counts=chosen.counts, key_shown="after_attempt")


def create_exam_assignment(actor: Actor, cohort_id: int, title: str, blueprint_id: str, minutes: int, *,
                           opens_at: datetime | None = None, due_at: datetime | None = None,
                           policy: AttemptPolicy | None = None, db: Database | None = None) -> dict:
    """Assign a timed exam drawn to `blueprint_id`, with a time limit of `minutes` per attempt."""
    blueprint_id = str(blueprint_id or "").strip()
    if not blueprint_id:
        raise ValidationError("Choose the exam blueprint.")
    if type(minutes) is not int or not 1 <= minutes <= 600:
        raise ValidationError("The time limit must be a whole number of minutes from 1 to 600.")
    return insert_assignment(actor, cohort_id, title,
                             {"kind": "exam", "items_json": "[]", "blueprint_id": blueprint_id, "minutes": minutes},
                             opens_at=opens_at, due_at=due_at, policy=policy or EXAM_POLICY, db=db)


# ----------------------------------------------------------------------------- deciding
@dataclass(frozen=True)
class StudyAccess:
    """May the learner start an attempt at a question set or exam now? `running_id` is the
    attempt in progress (resume it rather than start another); `reason` says why not."""
    can_start: bool
    reason: str = ""
    attempts_used: int = 0
    attempts_allowed: int | None = None
    running_id: int | None = None
    key_note: str = ""


def study_assignment(db: Database, actor: Actor, assignment_id: int, kind: str | None = None) -> dict:
    """The assignment row, if the actor may read its cohort and it is a study assignment (of `kind`)."""
    assignment = assignment_row(db, assignment_id)
    require_cohort_read(db, actor, assignment["cohort_id"])
    if assignment["kind"] not in STUDY_KINDS or (kind and assignment["kind"] != kind):
        raise ValidationError(NOT_A.get(kind or "", "That assignment is not a question set or an exam."))
    return assignment


def decide(db: Database, actor: Actor, assignment: dict, now: datetime) -> StudyAccess:
    """`study_access` for an assignment row (also used inside the start transactions)."""
    used, running = _attempts(db, assignment, actor.user_id, now)
    allowed = assignment["max_attempts"]
    note = key_state(assignment, now)[1]
    if actor.is_staff:
        return StudyAccess(True, attempts_used=used, running_id=running, key_note=note)
    reason = closed_reason(assignment, now)
    if not reason and running is None and allowed is not None and used >= allowed:
        reason = f"You have used all {allowed} attempt{'s' if allowed != 1 else ''} at this assignment."
    return StudyAccess(can_start=not reason and running is None, reason=reason, attempts_used=used,
                       attempts_allowed=allowed, running_id=running, key_note=note)


def study_access(actor: Actor, assignment_id: int, *, now: datetime | None = None,
                 db: Database | None = None) -> StudyAccess:
    """May `actor` start an attempt at this question set or exam now (see `StudyAccess`)?"""
    db = resolve(db)
    return decide(db, actor, study_assignment(db, actor, assignment_id), as_utc(now or utcnow()))


def require_start(db: Database, actor: Actor, assignment_id: int, kind: str, now: datetime) -> dict:
    """The assignment row, or ValidationError with the reason the actor may not start it now."""
    assignment = study_assignment(db, actor, assignment_id, kind)
    access = decide(db, actor, assignment, now)
    if access.running_id is not None and not actor.is_staff:
        raise ValidationError("You already have an attempt in progress at this assignment: continue it.")
    if not access.can_start:
        raise ValidationError(access.reason)
    return assignment


def _attempts(db: Database, assignment: dict, user_id: int, now: datetime) -> tuple[int, int | None]:
    """(attempts started, id of the one still open) of a learner at a study assignment. An exam
    whose clock has run out is not open (the exam page hands it in)."""
    table = ATTEMPT_TABLE[assignment["kind"]]
    found = rows(db, f"SELECT id, submitted_at{', deadline_at' if table == 'exam_sessions' else ''} FROM {table} "
                     "WHERE assignment_id = ? AND user_id = ? ORDER BY id", [assignment["id"], user_id])
    running = [r["id"] for r in found if not r["submitted_at"]
               and ("deadline_at" not in r or parse_iso(r["deadline_at"]) > now)]
    return len(found), (running[-1] if running else None)


def exam_deadline(assignment: dict | None, start: datetime, duration_s: int) -> datetime:
    """When an exam started at `start` must be handed in: its time limit, cut at the due date."""
    deadline = start + timedelta(seconds=duration_s)
    if assignment and assignment["due_at"]:
        deadline = min(deadline, parse_iso(assignment["due_at"]))
    return deadline


# ----------------------------------------------------------------------------- the key of an exam
def exam_key_visible(db: Database, actor: Actor, exam: dict, now: datetime) -> tuple[bool, str]:
    """(may the actor see this exam session's review - questions, right answers, case keys - now?,
    when it will be). Practice exams and staff: always."""
    if actor.is_staff or not exam.get("assignment_id"):
        return True, ""
    return key_state(assignment_row(db, exam["assignment_id"]), now)


_REPORT_SUMMARY = ("blueprint_id", "title", "credential", "domains", "correct", "total", "percent", "readiness",
                   "weak_domains", "answered", "flagged", "auto_submitted", "started_at", "submitted_at",
                   "duration_seconds", "notes")


def without_key(exam: dict, note: str) -> dict:
    """A submitted exam as a learner may see it before its key is shown: the score and the summary
    by domain, no questions, answers or case keys."""
    report = {k: v for k, v in (exam.get("report") or {}).items() if k in _REPORT_SUMMARY}
    return {**exam, "items": [], "answers": {}, "report": {**report, "items": []}, "key_visible": False,
            "key_note": note}


HIDDEN_EXAM_QUESTION = """EXISTS (
    SELECT 1 FROM question_responses r JOIN exam_sessions e ON e.id = r.exam_session_id
    JOIN assignments s ON s.id = e.assignment_id
    WHERE r.user_id = review_queue.user_id AND r.question_id = review_queue.item_id
      AND s.key_released_at IS NULL
      AND NOT (s.key_shown = 'after_attempt' AND s.exam_mode = 0)
      AND NOT (s.key_shown = 'after_due' AND s.due_at IS NOT NULL AND s.due_at <= :now))"""
"""SQL (over `review_queue`, parameter :now) true for a question the learner met in an assigned
exam whose key is still hidden (`policy.key_state` in SQL): spaced review would show its answer."""


# ----------------------------------------------------------------------------- the learner's list
def learner_study_assignments(actor: Actor, user_id: int | None = None, *, now: datetime | None = None,
                              db: Database | None = None) -> list[dict]:
    """The question sets and exams of every cohort the learner belongs to, soonest due first, each
    with `is_open`, `n_questions` (question sets), `access` (a `StudyAccess`), `score` (the counted
    attempt's, None before the first submission) and `submitted` (attempts handed in). Before an
    assignment opens, a learner gets no question ids (`items` is empty)."""
    db = resolve(db)
    user_id = actor.user_id if user_id is None else user_id
    require_user_read(db, actor, user_id)
    now = as_utc(now or utcnow())
    found = rows(db, """SELECT s.*, c.name AS cohort_name FROM assignments s
                        JOIN cohorts c ON c.id = s.cohort_id
                        JOIN memberships m ON m.cohort_id = s.cohort_id AND m.user_id = ?
                        WHERE s.kind IN ('quiz', 'exam')
                        ORDER BY s.due_at IS NULL, s.due_at, s.id""", [user_id])
    subject = actor if actor.user_id == user_id else Actor(user_id, "learner")
    return [_with_study_progress(db, subject, a, now, hide=not actor.is_staff and not has_opened(a, now))
            for a in found]


def _with_study_progress(db: Database, subject: Actor, assignment: dict, now: datetime, hide: bool) -> dict:
    items = json.loads(assignment.pop("items_json"))
    table = ATTEMPT_TABLE[assignment["kind"]]
    done = [r["score"] for r in rows(db, f"""SELECT score FROM {table} WHERE assignment_id = ? AND user_id = ?
                                             AND submitted_at IS NOT NULL ORDER BY id""",
                                     [assignment["id"], subject.user_id])]
    return {**assignment, "items": [] if hide else items, "n_questions": len(items), "is_open": not hide,
            "access": decide(db, subject, assignment, now),
            "submitted": len(done), "score": counted_score(assignment["counts"], done)}


def counted_score(counts: str, scores: list[float]) -> float | None:
    """The score the policy counts among submitted attempts in submission order (None if none)."""
    if not scores:
        return None
    return {"best": max(scores), "first": scores[0], "last": scores[-1]}[counts]
