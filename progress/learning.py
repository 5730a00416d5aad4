"""Lessons, quiz answers, timed exams, attempts at assigned question sets, and the
spaced-review (Leitner) queue of one learner.

Assigned question sets and exams (`progress.study` decides who may start one): `start_quiz`,
`answer_quiz` (the first answer to each question counts; the last answer hands the attempt in)
and `finish_quiz` (hand in now; unanswered questions count as wrong); `start_exam(...,
assignment_id=)` links the session to its assignment, and its clock stops at the due date.
A learner gets an assigned exam's review (questions, right answers, case keys) from `get_exam`
only once the assignment's key may be shown; until then the score and the summary by domain.

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

from progress import study
from progress.authz import NO_SUCH_EXAM, Actor, require_visible, subject_filter
from progress.cohorts import assignment_row
from progress.db import as_utc, iso, one, parse_iso, resolve, rows, to_json, utcnow, write
from progress.errors import Unavailable, ValidationError
from progress.policy import closed_reason

LESSON_STATUSES = ("started", "completed")
REVIEW_ITEM_TYPES = ("question", "teaching_point")
REVIEW_INTERVAL_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
NO_SUCH_QUIZ = "There is no quiz attempt with that number among the work you can see."


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
                     now: datetime, quiz_attempt_id: int | None = None) -> int:
    """Inside the caller's transaction: one response row plus its review-queue update."""
    question_id = str(response.get("question_id") or "")
    if not question_id:
        raise ValidationError("A response needs a question id.")
    correct = bool(response.get("correct"))
    response_id = db.execute(
        """INSERT INTO question_responses (user_id, question_id, chosen, correct, domain, topic,
                                           exam_session_id, quiz_attempt_id, answered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [user_id, question_id, str(response.get("chosen") or ""), int(correct),
         str(response.get("domain") or ""), str(response.get("topic") or ""), exam_id, quiz_attempt_id,
         iso(now)],
    ).lastrowid
    _review(db, user_id, "question", question_id, correct, now)
    return response_id


# ----------------------------------------------------------------------------- exams
def start_exam(actor: Actor, blueprint_id: str, items: list, duration_s: int, *,
               assignment_id: int | None = None, now: datetime | None = None,
               db: Database | None = None) -> dict:
    """Open a timed exam session for the actor; `items` are the question ids (or objects) drawn.
    With `assignment_id`, an attempt at an assigned exam of that blueprint: refused (with the
    reason) unless `study.study_access` allows a start, and its deadline is cut at the due date."""
    if not items or duration_s <= 0:
        raise ValidationError("An exam needs questions and a positive duration.")
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        assignment = None
        if assignment_id is not None:
            if study.study_assignment(db, actor, assignment_id, "exam")["blueprint_id"] != blueprint_id:
                raise ValidationError("That exam was drawn to another blueprint than the assignment's.")
            assignment = study.require_start(db, actor, assignment_id, "exam", now)
        exam_id = db.execute(
            """INSERT INTO exam_sessions (user_id, blueprint_id, started_at, deadline_at, items_json,
                                          assignment_id) VALUES (?, ?, ?, ?, ?, ?)""",
            [actor.user_id, blueprint_id, iso(now), iso(study.exam_deadline(assignment, now, duration_s)),
             to_json(items), assignment_id]).lastrowid
    return get_exam(actor, exam_id, db=db)


def exam_attempt_number(actor: Actor, assignment_id: int, *, db: Database | None = None) -> int:
    """Which attempt (1, 2, ...) the actor's next start at an assigned exam would be."""
    return study.study_access(actor, assignment_id, db=db).attempts_used + 1


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


def get_exam(actor: Actor, exam_id: int, *, now: datetime | None = None, db: Database | None = None) -> dict:
    """One exam session with its JSON columns decoded (owner, their instructors, admins), with
    `key_visible` and `key_note`; a submitted assigned exam whose key is hidden comes without its
    questions and review (`study.without_key`)."""
    db = resolve(db)
    exam = one(db, "SELECT * FROM exam_sessions WHERE id = ?", [exam_id])
    require_visible(db, actor, exam["user_id"] if exam else None, NO_SUCH_EXAM)
    for column in ("items", "answers", "flags", "report"):
        text = exam.pop(f"{column}_json")
        exam[column] = json.loads(text) if text is not None else None
    visible, note = study.exam_key_visible(db, actor, exam, as_utc(now or utcnow()))
    if exam["submitted_at"] and not visible:
        return study.without_key(exam, note)
    return {**exam, "key_visible": True, "key_note": note}


def list_exams(actor: Actor, user_id: int | None = None, *,
               db: Database | None = None) -> list[dict]:
    """Exam sessions (without their JSON), newest first."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, column="user_id")
    return rows(db, f"""SELECT id, user_id, blueprint_id, started_at, deadline_at, submitted_at,
                               score, assignment_id FROM exam_sessions WHERE {where}
                        ORDER BY started_at DESC, id DESC""", params)


# ----------------------------------------------------------------------------- assigned question sets
def start_quiz(actor: Actor, assignment_id: int, question_ids: list[str] | None = None, *,
               now: datetime | None = None, db: Database | None = None) -> dict:
    """The actor's open attempt at an assigned question set, or a new one (refused, with the
    reason, where `study.study_access` refuses a start). `question_ids`: the assignment's
    questions the bank still has, in its order (default: all of them); others are refused."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        assignment = study.study_assignment(db, actor, assignment_id, "quiz")
        running = study.decide(db, actor, assignment, now).running_id
        if running is not None:
            return _quiz_attempt(db, running)
        study.require_start(db, actor, assignment_id, "quiz", now)
        listed = [i["question"] for i in assignment["items"]]
        offered = listed if question_ids is None else [q for q in listed if q in set(question_ids)]
        if not offered or (question_ids is not None and len(set(question_ids)) != len(offered)):
            raise ValidationError("Those are not the questions of this assignment.")
        attempt_id = db.execute("""INSERT INTO quiz_attempts (assignment_id, user_id, started_at, questions_json)
                                   VALUES (?, ?, ?, ?)""",
                                [assignment_id, actor.user_id, iso(now), to_json(offered)]).lastrowid
    return _quiz_attempt(db, attempt_id)


def _quiz_attempt(db: Database, attempt_id: int) -> dict:
    attempt = one(db, "SELECT * FROM quiz_attempts WHERE id = ?", [attempt_id])
    attempt["questions"] = json.loads(attempt.pop("questions_json"))
    attempt["answers"] = json.loads(attempt.pop("answers_json"))
    attempt["total"] = len(attempt["questions"])
    return attempt


def _own_open_quiz(db: Database, actor: Actor, attempt_id: int) -> dict:
    row = one(db, "SELECT user_id, submitted_at FROM quiz_attempts WHERE id = ?", [attempt_id])
    if row is None or row["user_id"] != actor.user_id:
        raise Unavailable(NO_SUCH_QUIZ)
    if row["submitted_at"]:
        raise ValidationError("That quiz has already been handed in.")
    return _quiz_attempt(db, attempt_id)


def answer_quiz(actor: Actor, attempt_id: int, question_id: str, chosen: str, correct: bool, *,
                domain: str = "", topic: str = "", now: datetime | None = None,
                db: Database | None = None) -> dict:
    """Record the actor's answer to one question of their open quiz attempt (the first answer
    counts; it is also a question response for spaced review). Answering the last question hands
    the attempt in. Refused once the assignment is closed (`finish_quiz` still hands it in)."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        attempt = _own_open_quiz(db, actor, attempt_id)
        reason = closed_reason(assignment_row(db, attempt["assignment_id"]), now)
        if reason and not actor.is_staff:
            raise ValidationError(reason)
        if question_id not in attempt["questions"]:
            raise ValidationError("That question is not part of this quiz.")
        if question_id not in attempt["answers"]:
            answers = {**attempt["answers"], question_id: {"chosen": str(chosen), "correct": bool(correct)}}
            db.execute("UPDATE quiz_attempts SET answers_json = ?, correct = ? WHERE id = ?",
                       [to_json(answers), sum(a["correct"] for a in answers.values()), attempt_id])
            _insert_response(db, actor.user_id, {"question_id": question_id, "chosen": chosen, "correct": correct,
                                                 "domain": domain, "topic": topic}, None, now, attempt_id)
            if len(answers) == attempt["total"]:
                _hand_in_quiz(db, attempt_id, now)
    return _quiz_attempt(db, attempt_id)


def finish_quiz(actor: Actor, attempt_id: int, *, now: datetime | None = None,
                db: Database | None = None) -> dict:
    """Hand in the actor's open quiz attempt now; unanswered questions count as wrong."""
    db = resolve(db)
    with write(db):
        _own_open_quiz(db, actor, attempt_id)
        _hand_in_quiz(db, attempt_id, as_utc(now or utcnow()))
    return _quiz_attempt(db, attempt_id)


def _hand_in_quiz(db: Database, attempt_id: int, now: datetime) -> None:
    db.execute("""UPDATE quiz_attempts SET submitted_at = ?,
                         score = 100.0 * correct / json_array_length(questions_json) WHERE id = ?""",
               [iso(now), attempt_id])


def get_quiz_attempt(actor: Actor, attempt_id: int, *, db: Database | None = None) -> dict:
    """One quiz attempt with its questions and answers (the learner, their instructors, admins)."""
    db = resolve(db)
    row = one(db, "SELECT user_id FROM quiz_attempts WHERE id = ?", [attempt_id])
    require_visible(db, actor, row["user_id"] if row else None, NO_SUCH_QUIZ)
    return _quiz_attempt(db, attempt_id)


def list_quiz_attempts(actor: Actor, user_id: int | None = None, *, assignment_id: int | None = None,
                       db: Database | None = None) -> list[dict]:
    """Quiz attempts (without questions and answers), newest first, with the assignment's title."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, column="q.user_id")
    if assignment_id is not None:
        where += " AND q.assignment_id = ?"
        params.append(assignment_id)
    return rows(db, f"""SELECT q.id, q.user_id, q.assignment_id, s.title, q.started_at, q.submitted_at,
                               q.correct, json_array_length(q.questions_json) AS total, q.score
                        FROM quiz_attempts q JOIN assignments s ON s.id = q.assignment_id
                        WHERE {where} ORDER BY q.started_at DESC, q.id DESC""", params)


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
               limit: int = 20, now: datetime | None = None, db: Database | None = None) -> list[dict]:
    """The actor's review items due on or before `today`, lowest box (least known) first. A
    question met in an assigned exam whose key is still hidden waits until the key is shown
    (reviewing it would show its answer)."""
    today = today or utcnow().date()
    where, params = "user_id = :user AND due_date <= :today", {"user": actor.user_id, "today": today.isoformat(),
                                                                "now": iso(now), "limit": int(limit)}
    if item_type is not None:
        where += " AND item_type = :item_type"
        params["item_type"] = item_type
    return rows(resolve(db), f"""SELECT * FROM review_queue WHERE {where}
                                 AND NOT (item_type = 'question' AND {study.HIDDEN_EXAM_QUESTION})
                                 ORDER BY box, due_date, item_id LIMIT :limit""", params)
