"""Assigned question sets and timed exams (progress.study, progress.learning; migration
0006_study_assignments): creating them, who may start one when, attempts, the counted score in
the gradebook, and an exam's key kept back until its window closes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import progress as P
from progress import migrations
from progress.db import connect, one
from progress.errors import PermissionDenied, ValidationError
from progress.policy import AttemptPolicy
from progress_builders import PASSWORD, old_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DUE = T0 + timedelta(days=7)
QUESTIONS = ["q1", "q2", "q3", "q4"]


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def course(db):
    """teacher's cohort (ann, bob); `quiz`: QUESTIONS, two attempts, the best counts; `exam`:
    blueprint cca-practice, 30 minutes, one attempt, exam mode; both open T0..DUE."""
    teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
    other = P.provision_user("other", PASSWORD, "instructor", db=db)
    cohort = P.create_cohort(teacher.actor, "HIM 201", db=db)
    ann, bob = (P.register_learner(cohort["join_code"], n, PASSWORD, db=db) for n in ("ann", "bob"))
    quiz = P.create_quiz_assignment(teacher.actor, cohort["id"], "Quiz 1", QUESTIONS, opens_at=T0, due_at=DUE,
                                    policy=AttemptPolicy(max_attempts=2, counts="best"), db=db)
    exam = P.create_exam_assignment(teacher.actor, cohort["id"], "Midterm", "cca-practice", 30,
                                    opens_at=T0, due_at=DUE, db=db)
    return SimpleNamespace(db=db, teacher=teacher.actor, other=other.actor, cohort=cohort, ann=ann.actor,
                           bob=bob.actor, quiz=quiz, exam=exam)


def take_quiz(c, who, right: set[str], when: datetime) -> dict:
    attempt = P.start_quiz(who, c.quiz["id"], now=when, db=c.db)
    for q in attempt["questions"]:
        attempt = P.answer_quiz(who, attempt["id"], q, "A" if q in right else "B", q in right,
                                domain="coding_cm", topic="t", now=when, db=c.db)
    return attempt


def take_exam(c, who, score: float, when: datetime) -> dict:
    exam = P.start_exam(who, "cca-practice", ["q1", "q2"], 1800, assignment_id=c.exam["id"], now=when, db=c.db)
    return P.submit_exam(who, exam["id"], answers={"q1": 0}, score=score, now=when + timedelta(minutes=10),
                         report={"percent": score, "domains": [{"name": "Coding", "percent": score}],
                                 "items": [{"item_id": "q1", "correct_index": 2, "stem": "Which code?"}],
                                 "case_reports": {"case:x:1": {"items": [{"expected": "I50.21"}]}}},
                         responses=[{"question_id": "q1", "chosen": "A", "correct": False, "domain": "coding_cm"}],
                         db=c.db)


# ----------------------------------------------------------------------------- migration 0006
def test_migration_0006_from_0005_keeps_data_and_adds_study_assignments(db_file):
    database = connect(db_file, migrate=False)
    migrations.migrate(database, upto="0005_sessions")
    teacher = old_user(database, "teacher", "instructor")
    database.execute("""INSERT INTO cohorts (name, join_code, owner_id, created_at)
                        VALUES ('C', 'ABCDEFGH', ?, '2026-01-05T08:00:00Z')""", [teacher.id])
    database.execute("""INSERT INTO assignments (cohort_id, title, items_json, created_by, created_at)
                        VALUES (1, 'Old', '[{"scenario":"heart_failure","seed":1}]', ?, '2026-01-05T08:00:00Z')""",
                     [teacher.id])
    database.execute("""INSERT INTO exam_sessions (user_id, blueprint_id, started_at, deadline_at, items_json)
                        VALUES (?, 'rhit', '2026-01-05T08:00:00Z', '2026-01-05T09:00:00Z', '[]')""", [teacher.id])
    database.conn.commit()
    assert migrations.migrate(database)[-1] == "0006_study_assignments"
    assert one(database, "SELECT kind, blueprint_id, minutes FROM assignments") == {
        "kind": "cases", "blueprint_id": None, "minutes": None}
    assert one(database, "SELECT assignment_id FROM exam_sessions") == {"assignment_id": None}
    assert "quiz_attempts" in database.table_names()
    assert "quiz_attempt_id" in {c.name for c in database["question_responses"].columns}
    made = P.create_quiz_assignment(P.Actor(teacher.id, "instructor"), 1, "New quiz", ["q1"], db=database)
    assert (made["kind"], made["items"]) == ("quiz", [{"question": "q1"}])
    with pytest.raises(Exception, match="CHECK"):
        database.execute("UPDATE assignments SET kind = 'essay'")
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


# ----------------------------------------------------------------------------- creating
def test_creating_checks_owner_questions_blueprint_and_minutes(course):
    c = course
    assert (c.quiz["kind"], c.quiz["n_items"], c.quiz["key_shown"]) == ("quiz", 4, "after_attempt")
    assert (c.exam["kind"], c.exam["blueprint_id"], c.exam["minutes"], c.exam["exam_mode"]) == ("exam", "cca-practice", 30, 1)
    with pytest.raises(PermissionDenied):
        P.create_quiz_assignment(c.other, c.cohort["id"], "Mine", ["q1"], db=c.db)
    for bad in ([], ["q1", "q1"]):
        with pytest.raises(ValidationError):
            P.create_quiz_assignment(c.teacher, c.cohort["id"], "Bad", bad, db=c.db)
    for minutes in (0, 601, 2.5):
        with pytest.raises(ValidationError, match="minutes"):
            P.create_exam_assignment(c.teacher, c.cohort["id"], "Bad", "rhit", minutes, db=c.db)
    with pytest.raises(ValidationError, match="blueprint"):
        P.create_exam_assignment(c.teacher, c.cohort["id"], "Bad", " ", 30, db=c.db)
    # a question set keeps immediate feedback whatever policy it is given
    quiz = P.create_quiz_assignment(c.teacher, c.cohort["id"], "Q", ["q1"], db=c.db,
                                    policy=AttemptPolicy(max_attempts=3, counts="last", key_shown="on_release"))
    assert (quiz["max_attempts"], quiz["counts"], quiz["key_shown"]) == (3, "last", "after_attempt")
    kinds = [a["kind"] for a in P.list_assignments(c.teacher, c.cohort["id"], db=c.db)]
    assert sorted(kinds) == ["exam", "quiz", "quiz"]
    assert P.list_assignments(c.teacher, c.cohort["id"], kinds=["cases"], db=c.db) == []
    assert P.learner_assignments(c.ann, db=c.db) == [], "case lists never show question sets or exams"


# ----------------------------------------------------------------------------- question sets
def test_quiz_attempt_first_answer_counts_and_last_answer_hands_in(course):
    c = course
    attempt = P.start_quiz(c.ann, c.quiz["id"], now=at(1), db=c.db)
    assert (attempt["questions"], attempt["submitted_at"]) == (QUESTIONS, None)
    assert P.start_quiz(c.ann, c.quiz["id"], now=at(2), db=c.db)["id"] == attempt["id"], "resumes the open one"
    P.answer_quiz(c.ann, attempt["id"], "q1", "A", True, now=at(1), db=c.db)
    again = P.answer_quiz(c.ann, attempt["id"], "q1", "C", False, now=at(1), db=c.db)
    assert again["answers"]["q1"] == {"chosen": "A", "correct": True} and again["correct"] == 1
    with pytest.raises(ValidationError, match="not part"):
        P.answer_quiz(c.ann, attempt["id"], "q99", "A", True, now=at(1), db=c.db)
    with pytest.raises(P.Unavailable):
        P.answer_quiz(c.bob, attempt["id"], "q2", "A", True, now=at(1), db=c.db)
    for q in ("q2", "q3"):
        P.answer_quiz(c.ann, attempt["id"], q, "B", False, now=at(1), db=c.db)
    done = P.answer_quiz(c.ann, attempt["id"], "q4", "A", True, now=at(1), db=c.db)
    assert done["submitted_at"] == "2026-03-02T10:00:00Z" and done["score"] == 50.0
    with pytest.raises(ValidationError, match="handed in"):
        P.answer_quiz(c.ann, attempt["id"], "q4", "A", True, now=at(1), db=c.db)
    assert c.db.execute("SELECT COUNT(*) FROM question_responses WHERE quiz_attempt_id = ?",
                        [attempt["id"]]).fetchone()[0] == 4


def test_quiz_window_and_attempt_limit(course):
    c = course
    with pytest.raises(ValidationError, match="opens at"):
        P.start_quiz(c.ann, c.quiz["id"], now=T0 - timedelta(hours=1), db=c.db)
    assert P.learner_study_assignments(c.ann, now=T0 - timedelta(hours=1), db=c.db)[0]["items"] == []
    take_quiz(c, c.ann, {"q1"}, at(1))
    take_quiz(c, c.ann, {"q1", "q2", "q3"}, at(2))
    access = P.study_access(c.ann, c.quiz["id"], now=at(3), db=c.db)
    assert (access.can_start, access.attempts_used, access.attempts_allowed) == (False, 2, 2)
    assert "used all 2 attempts" in access.reason
    with pytest.raises(ValidationError, match="used all 2"):
        P.start_quiz(c.ann, c.quiz["id"], now=at(3), db=c.db)
    open_one = P.start_quiz(c.bob, c.quiz["id"], now=at(1), db=c.db)
    P.answer_quiz(c.bob, open_one["id"], "q1", "A", True, now=at(1), db=c.db)
    with pytest.raises(ValidationError, match="was due"):
        P.answer_quiz(c.bob, open_one["id"], "q2", "A", True, now=DUE + timedelta(hours=1), db=c.db)
    handed = P.finish_quiz(c.bob, open_one["id"], now=DUE + timedelta(hours=1), db=c.db)
    assert handed["score"] == 25.0, "unanswered questions count as wrong"
    mine = P.learner_study_assignments(c.ann, now=at(3), db=c.db)
    quiz = next(a for a in mine if a["kind"] == "quiz")
    assert (quiz["submitted"], quiz["score"], quiz["n_questions"]) == (2, 75.0, 4)


def test_quiz_questions_must_be_the_assignments(course):
    c = course
    attempt = P.start_quiz(c.ann, c.quiz["id"], ["q1", "q3"], now=at(1), db=c.db)
    assert attempt["questions"] == ["q1", "q3"] and attempt["total"] == 2
    with pytest.raises(ValidationError, match="not the questions"):
        P.start_quiz(c.bob, c.quiz["id"], ["q1", "nope"], now=at(1), db=c.db)


# ----------------------------------------------------------------------------- exams
def test_assigned_exam_deadline_limit_and_blueprint(course):
    c = course
    exam = P.start_exam(c.ann, "cca-practice", ["q1"], 1800, assignment_id=c.exam["id"], now=at(1), db=c.db)
    assert exam["deadline_at"] == "2026-03-02T10:30:00Z" and exam["assignment_id"] == c.exam["id"]
    with pytest.raises(ValidationError, match="in progress"):
        P.start_exam(c.ann, "cca-practice", ["q1"], 1800, assignment_id=c.exam["id"], now=at(1), db=c.db)
    late = P.start_exam(c.bob, "cca-practice", ["q1"], 1800, assignment_id=c.exam["id"],
                        now=DUE - timedelta(minutes=10), db=c.db)
    assert late["deadline_at"] == "2026-03-09T09:00:00Z", "the clock stops at the due date"
    P.submit_exam(c.ann, exam["id"], answers={}, report={}, score=40, now=at(1.2), db=c.db)
    assert P.exam_attempt_number(c.ann, c.exam["id"], db=c.db) == 2
    with pytest.raises(ValidationError, match="used all 1 attempt"):
        P.start_exam(c.ann, "cca-practice", ["q1"], 1800, assignment_id=c.exam["id"], now=at(2), db=c.db)
    with pytest.raises(ValidationError, match="another blueprint"):
        P.start_exam(c.bob, "rhit", ["q1"], 1800, assignment_id=c.exam["id"], now=at(2), db=c.db)
    with pytest.raises(ValidationError, match="not a timed exam"):
        P.start_exam(c.ann, "cca-practice", ["q1"], 1800, assignment_id=c.quiz["id"], now=at(2), db=c.db)
    P.release_key(c.teacher, c.exam["id"], now=at(3), db=c.db)
    assert "released" in P.study_access(c.bob, c.exam["id"], now=at(4), db=c.db).reason


def test_exam_key_hidden_until_due_and_not_in_spaced_review(course):
    c = course
    done = take_exam(c, c.ann, 50, at(1))
    mine = P.get_exam(c.ann, done["id"], now=at(2), db=c.db)
    assert mine["score"] == 50 and mine["report"]["percent"] == 50 and mine["report"]["domains"]
    assert mine["report"]["items"] == [] and "case_reports" not in mine["report"] and mine["items"] == []
    assert not mine["key_visible"] and "after the due date" in mine["key_note"]
    assert P.get_exam(c.teacher, done["id"], now=at(2), db=c.db)["report"]["items"], "staff see everything"
    assert P.review_due(c.ann, today=date(2026, 3, 4), now=at(48), db=c.db) == [], "would show the answer"
    after = DUE + timedelta(hours=1)
    assert P.get_exam(c.ann, done["id"], now=after, db=c.db)["report"]["case_reports"]
    assert [d["item_id"] for d in P.review_due(c.ann, today=date(2026, 3, 10), now=after, db=c.db)] == ["q1"]
    practice = P.start_exam(c.ann, "cca-practice", ["q9"], 600, now=at(1), db=c.db)
    P.submit_exam(c.ann, practice["id"], answers={}, report={"items": [{"x": 1}]}, score=0, now=at(1), db=c.db)
    assert P.get_exam(c.ann, practice["id"], now=at(2), db=c.db)["report"]["items"], "practice shows its key"


# ----------------------------------------------------------------------------- gradebook
def test_gradebook_and_summary_count_quizzes_and_exams_by_policy(course):
    c = course
    take_quiz(c, c.ann, {"q1"}, at(1))                        # 25
    take_quiz(c, c.ann, {"q1", "q2", "q3"}, at(2))            # 75: the best counts
    take_exam(c, c.ann, 64.0, at(3))
    take_quiz(c, c.bob, {"q1", "q2", "q3", "q4"}, at(1))      # 100
    P.start_exam(c.bob, "cca-practice", ["q1"], 1800, assignment_id=c.exam["id"], now=at(2), db=c.db)  # not handed in
    book = P.gradebook(c.teacher, c.cohort["id"], db=c.db)
    assert [(a["title"], a["kind"], a["items"], a["questions"]) for a in book["assignments"]] == [
        ("Quiz 1", "quiz", 1, 4), ("Midterm", "exam", 1, None)]
    rows = {r["username"]: r for r in book["rows"]}
    assert rows["ann"]["scores"] == {c.quiz["id"]: 75.0, c.exam["id"]: 64.0}
    assert rows["bob"]["scores"] == {c.quiz["id"]: 100.0, c.exam["id"]: None}
    assert rows["ann"]["average"] == pytest.approx(69.5) and rows["bob"]["done"][c.exam["id"]] == 0
    summary = {s["title"]: s for s in P.assignment_summary(c.teacher, c.cohort["id"], db=c.db)}
    assert (summary["Quiz 1"]["started"], summary["Quiz 1"]["completed"], summary["Quiz 1"]["mean"]) == (2, 2, 87.5)
    assert (summary["Midterm"]["started"], summary["Midterm"]["completed"]) == (1, 1)
    P.set_attempt_policy(c.teacher, c.quiz["id"], AttemptPolicy(max_attempts=2, counts="first",
                                                                 key_shown="after_attempt"), db=c.db)
    assert P.gradebook(c.teacher, c.cohort["id"], db=c.db)["rows"][0]["scores"][c.quiz["id"]] == 25.0
    listed = P.list_quiz_attempts(c.teacher, c.ann.user_id, db=c.db)
    assert [(q["title"], q["score"], q["total"]) for q in listed] == [("Quiz 1", 75.0, 4), ("Quiz 1", 25.0, 4)]
    with pytest.raises(PermissionDenied):
        P.list_quiz_attempts(c.other, c.ann.user_id, db=c.db)
