"""progress.learning: lessons, quiz responses, timed exams, Leitner spaced review."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import progress as P
from progress.errors import ValidationError
from progress_builders import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def learner(db):
    return P.provision_user("lena", PASSWORD, "learner", db=db).actor


def test_lesson_progress_never_uncompletes(db, learner):
    P.record_lesson(learner, "L06-sepsis", "started", now=T0, db=db)
    P.record_lesson(learner, "L06-sepsis", "completed", now=T0 + timedelta(hours=1), db=db)
    P.record_lesson(learner, "L06-sepsis", "started", now=T0 + timedelta(days=1), db=db)
    P.record_lesson(learner, "L07-diabetes", "completed", now=T0, db=db)
    progress = P.lesson_progress(learner, db=db)
    assert progress["L06-sepsis"] == {"status": "completed", "started_at": "2026-03-02T09:00:00Z",
                                      "completed_at": "2026-03-02T10:00:00Z"}
    assert progress["L07-diabetes"]["completed_at"] == "2026-03-02T09:00:00Z"
    with pytest.raises(ValidationError):
        P.record_lesson(learner, "L06-sepsis", "skimmed", db=db)


def test_responses_feed_question_mastery(db, learner):
    for question, correct, domain in (("q1", True, "coding_cm"), ("q2", False, "coding_cm"),
                                      ("q3", True, "privacy"), ("q4", True, "coding_cm")):
        P.record_response(learner, question, "B", correct, domain=domain, topic="t", db=db)
    by_domain = P.question_mastery(learner, db=db)
    assert by_domain == [{"key": "coding_cm", "n": 3, "correct": 2, "pct": pytest.approx(200 / 3), "enough": False},
                         {"key": "privacy", "n": 1, "correct": 1, "pct": 100.0, "enough": False}]
    assert P.question_mastery(learner, by="topic", db=db)[0]["n"] == 4
    with pytest.raises(ValidationError):
        P.question_mastery(learner, by="colour", db=db)


def test_leitner_boxes_and_due_dates(db, learner):
    def answer(correct, when):
        return P.record_review(learner, "teaching_point", "tp_sepsis_seq", correct, now=when, db=db)
    assert (answer(True, T0)["box"], answer(True, T0)["box"]) == (2, 3)
    row = answer(True, T0)
    assert (row["box"], row["due_date"]) == (4, "2026-03-10")   # 8 days
    assert [answer(True, T0)["box"] for _ in range(3)] == [5, 5, 5]
    row = answer(False, T0)
    assert (row["box"], row["due_date"], row["last_result"]) == (1, "2026-03-03", 0)
    P.record_response(learner, "q9", "A", False, now=T0, db=db)   # questions join the queue too
    due = P.review_due(learner, today=date(2026, 3, 3), db=db)
    assert [(d["item_type"], d["item_id"]) for d in due] == [("question", "q9"),
                                                             ("teaching_point", "tp_sepsis_seq")]
    assert P.review_due(learner, today=date(2026, 3, 2), db=db) == []
    assert len(P.review_due(learner, today=date(2026, 3, 3), item_type="question", db=db)) == 1
    with pytest.raises(ValidationError):
        P.record_review(learner, "flashcard", "x", True, db=db)


def test_exam_session_lifecycle(db, learner):
    exam = P.start_exam(learner, "rhit-mini", ["q1", "q2"], 3600, now=T0, db=db)
    assert exam["deadline_at"] == "2026-03-02T10:00:00Z" and exam["answers"] == {}
    P.save_exam_progress(learner, exam["id"], {"q1": "A"}, ["q2"], now=T0 + timedelta(minutes=5), db=db)
    with pytest.raises(ValidationError, match="Time is up"):
        P.save_exam_progress(learner, exam["id"], {"q1": "B"}, now=T0 + timedelta(hours=2), db=db)
    done = P.submit_exam(learner, exam["id"], answers={"q1": "A", "q2": "C"}, report={"pct": 50},
                         score=50, now=T0 + timedelta(hours=2),
                         responses=[{"question_id": "q1", "chosen": "A", "correct": True, "domain": "privacy"},
                                    {"question_id": "q2", "chosen": "C", "correct": False, "domain": "privacy"}],
                         db=db)
    assert (done["score"], done["flags"], done["report"]) == (50, ["q2"], {"pct": 50})
    assert P.question_mastery(learner, db=db)[0]["n"] == 2
    assert db.execute("SELECT COUNT(*) FROM question_responses WHERE exam_session_id = ?",
                      [exam["id"]]).fetchone()[0] == 2
    with pytest.raises(ValidationError, match="already been submitted"):
        P.submit_exam(learner, exam["id"], answers={}, report={}, score=0, db=db)
    assert [e["id"] for e in P.list_exams(learner, db=db)] == [exam["id"]]
    with pytest.raises(ValidationError):
        P.start_exam(learner, "rhit-mini", [], 60, db=db)


def test_a_missing_exam_and_someone_elses_look_the_same(db):
    """Issue 15, item 10, for exam sessions too."""
    mine, other = (P.provision_user(n, PASSWORD, "learner", db=db).actor for n in ("exam-owner", "nosy-one"))
    exam = P.start_exam(mine, "rhit-mini", ["q1"], 600, db=db)["id"]
    answers = set()
    for call in (lambda i: P.get_exam(other, i, db=db), lambda i: P.save_exam_progress(other, i, {}, db=db),
                 lambda i: P.submit_exam(other, i, answers={}, report={}, score=0, db=db)):
        for exam_id in (exam, exam + 1000):
            with pytest.raises(P.Unavailable) as refused:
                call(exam_id)
            answers.add(str(refused.value))
    assert len(answers) == 1
