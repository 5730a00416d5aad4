"""Lessons, quiz answers, timed exams and the spaced-review (Leitner) queue of one learner.

Spaced review: each question or teaching point a learner meets sits in a Leitner box 1-5. A
correct answer moves it up one box, a wrong one back to box 1; it is next due
`REVIEW_INTERVAL_DAYS[box]` days later. Every recorded question response (practice or exam)
updates the queue; teaching points are recorded with `record_review`.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from sqlite_utils import Database

from progress.authz import NO_SUCH_EXAM, Actor, require_visible, subject_filter
from progress.db import as_utc, iso, one, parse_iso, resolve, rows, to_json, utcnow, write
from progress.errors import Unavailable, ValidationError

LESSON_STATUSES = ("started", "completed")
REVIEW_ITEM_TYPES = ("question", "teaching_point")
REVIEW_INTERVAL_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}


# ----------------------------------------------------------------------------- lessons
def record_lesson(actor: Actor, lesson_id: str, status: str = "completed", *,
                  now: datetime | None = None, db: Database | None = None) -> dict:
    """Mark a lesson started or completed for the actor (completion is never undone)."""
    if status not in LESSON_STATUSES:
        raise ValidationError(f"Lesson status must be one of: {', '.join(LESSON_STATUSES)}.")
    db = resolve(db)
    stamp = iso(now)
    with write(db):
        db.execute(
            """INSERT INTO lesson_progress (user_id, lesson_id, status, started_at, completed_at)
               VALUES (:user, :lesson, :status, :now, CASE WHEN :status = 'completed' THEN :now END)
               ON CONFLICT (user_id, lesson_id) DO UPDATE SET
                   status = CASE WHEN status = 'completed' THEN status ELSE excluded.status END,
                   completed_at = coalesce(completed_at, excluded.completed_at)""",
            {"user": actor.user_id, "lesson": lesson_id, "status": status, "now": stamp})
    return one(db, "SELECT * FROM lesson_progress WHERE user_id = ? AND lesson_id = ?",
               [actor.user_id, lesson_id])


def lesson_progress(actor: Actor, user_id: int | None = None, *,
                    db: Database | None = None) -> dict[str, dict]:
    """{lesson_id: {status, started_at, completed_at}} for the actor or a learner they may see."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, column="user_id")
    return {r.pop("lesson_id"): r for r in rows(
        db, f"SELECT lesson_id, status, started_at, completed_at FROM lesson_progress WHERE {where}",
        params)}


# ----------------------------------------------------------------------------- questions
def record_response(actor: Actor, question_id: str, chosen: str, correct: bool, *,
                    domain: str = "", topic: str = "", now: datetime | None = None,
                    db: Database | None = None) -> int:
    """Store a practice-quiz answer and update the question's review box; returns its id."""
    db = resolve(db)
    with write(db):
        return _insert_response(db, actor.user_id, {
            "question_id": question_id, "chosen": chosen, "correct": correct,
            "domain": domain, "topic": topic}, None, as_utc(now or utcnow()))


def _insert_response(db: Database, user_id: int, response: dict, exam_id: int | None,
                     now: datetime) -> int:
    """Inside the caller's transaction: one response row plus its review-queue update."""
    question_id = str(response.get("question_id") or "")
    if not question_id:
        raise ValidationError("A response needs a question id.")
    correct = bool(response.get("correct"))
    response_id = db.execute(
        """INSERT INTO question_responses (user_id, question_id, chosen, correct, domain, topic,
                                           exam_session_id, answered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [user_id, question_id, str(response.get("chosen") or ""), int(correct),
         str(response.get("domain") or ""), str(response.get("topic") or ""), exam_id, iso(now)],
    ).lastrowid
    _review(db, user_id, "question", question_id, correct, now)
    return response_id


# ----------------------------------------------------------------------------- exams
def start_exam(actor: Actor, blueprint_id: str, items: list, duration_s: int, *,
               now: datetime | None = None, db: Database | None = None) -> dict:
    """Open a timed exam session for the actor; `items` are the question ids (or objects) drawn."""
    if not items or duration_s <= 0:
        raise ValidationError("An exam needs questions and a positive duration.")
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        exam_id = db.execute(
            """INSERT INTO exam_sessions (user_id, blueprint_id, started_at, deadline_at, items_json)
               VALUES (?, ?, ?, ?, ?)""",
            [actor.user_id, blueprint_id, iso(now), iso(now + timedelta(seconds=duration_s)),
             to_json(items)]).lastrowid
    return get_exam(actor, exam_id, db=db)


def _own_open_exam(db: Database, actor: Actor, exam_id: int) -> dict:
    exam = one(db, "SELECT user_id, submitted_at, deadline_at FROM exam_sessions WHERE id = ?",
               [exam_id])
    if exam is None or exam["user_id"] != actor.user_id:
        raise Unavailable(NO_SUCH_EXAM)
    if exam["submitted_at"]:
        raise ValidationError("That exam has already been submitted.")
    return exam


def save_exam_progress(actor: Actor, exam_id: int, answers: dict, flags: Iterable = (), *,
                       now: datetime | None = None, db: Database | None = None) -> None:
    """Keep the answers and review flags of an exam in progress (refused after the deadline)."""
    db = resolve(db)
    with write(db):
        exam = _own_open_exam(db, actor, exam_id)
        if parse_iso(exam["deadline_at"]) < as_utc(now or utcnow()):
            raise ValidationError("Time is up: submit the exam.")
        db.execute("UPDATE exam_sessions SET answers_json = ?, flags_json = ? WHERE id = ?",
                   [to_json(answers), to_json(list(flags)), exam_id])


def submit_exam(actor: Actor, exam_id: int, *, answers: dict, report: Any, score: float,
                responses: Iterable[dict] = (), now: datetime | None = None,
                db: Database | None = None) -> dict:
    """Close an exam with its graded report; `responses` ({question_id, chosen, correct, domain,
    topic}) are stored as question responses of this session. Allowed after the deadline (the
    exam logic decides what a late submission is worth)."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        _own_open_exam(db, actor, exam_id)
        db.execute("""UPDATE exam_sessions SET answers_json = ?, report_json = ?, score = ?,
                      submitted_at = ? WHERE id = ?""",
                   [to_json(answers), to_json(report), float(score), iso(now), exam_id])
        for response in responses:
            _insert_response(db, actor.user_id, response, exam_id, now)
    return get_exam(actor, exam_id, db=db)


def get_exam(actor: Actor, exam_id: int, *, db: Database | None = None) -> dict:
    """One exam session with its JSON columns decoded (owner, their instructors, admins)."""
    db = resolve(db)
    exam = one(db, "SELECT * FROM exam_sessions WHERE id = ?", [exam_id])
    require_visible(db, actor, exam["user_id"] if exam else None, NO_SUCH_EXAM)
    for column in ("items", "answers", "flags", "report"):
        text = exam.pop(f"{column}_json")
        exam[column] = json.loads(text) if text is not None else None
    return exam


def list_exams(actor: Actor, user_id: int | None = None, *,
               db: Database | None = None) -> list[dict]:
    """Exam sessions (without their JSON), newest first."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, column="user_id")
    return rows(db, f"""SELECT id, user_id, blueprint_id, started_at, deadline_at, submitted_at,
                               score FROM exam_sessions WHERE {where}
                        ORDER BY started_at DESC, id DESC""", params)


# ----------------------------------------------------------------------------- spaced review
def record_review(actor: Actor, item_type: str, item_id: str, correct: bool, *,
                  now: datetime | None = None, db: Database | None = None) -> dict:
    """Move a question or teaching point between Leitner boxes after the actor met it."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        _review(db, actor.user_id, item_type, item_id, correct, now)
    return one(db, "SELECT * FROM review_queue WHERE user_id = ? AND item_type = ? AND item_id = ?",
               [actor.user_id, item_type, item_id])


def _review(db: Database, user_id: int, item_type: str, item_id: str, correct: bool,
            now: datetime) -> None:
    if item_type not in REVIEW_ITEM_TYPES:
        raise ValidationError(f"Review items are one of: {', '.join(REVIEW_ITEM_TYPES)}.")
    row = one(db, "SELECT box FROM review_queue WHERE user_id = ? AND item_type = ? AND item_id = ?",
              [user_id, item_type, item_id])
    box = min(5, (row["box"] if row else 1) + 1) if correct else 1
    due = now.date() + timedelta(days=REVIEW_INTERVAL_DAYS[box])
    db.execute("""INSERT INTO review_queue (user_id, item_type, item_id, box, due_date,
                                            last_result, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (user_id, item_type, item_id) DO UPDATE SET box = excluded.box,
                      due_date = excluded.due_date, last_result = excluded.last_result,
                      updated_at = excluded.updated_at""",
               [user_id, item_type, item_id, box, due.isoformat(), int(bool(correct)), iso(now)])


def review_due(actor: Actor, *, today: date | None = None, item_type: str | None = None,
               limit: int = 20, db: Database | None = None) -> list[dict]:
    """The actor's review items due on or before `today`, lowest box (least known) first."""
    today = today or utcnow().date()
    where, params = "user_id = ? AND due_date <= ?", [actor.user_id, today.isoformat()]
    if item_type is not None:
        where += " AND item_type = ?"
        params.append(item_type)
    return rows(resolve(db), f"""SELECT * FROM review_queue WHERE {where}
                                 ORDER BY box, due_date, item_id LIMIT ?""", params + [int(limit)])
