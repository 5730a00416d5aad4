"""progress.exports: per-component scores, every attempt, the Canvas / Moodle / Blackboard import
files and the per-learner report's figures, on hand-made data whose figures are in the comments."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import progress as P
from progress.errors import PermissionDenied, ValidationError
from progress.policy import AttemptPolicy
from progress_builders import PASSWORD, good_report, submit, weak_report

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def course(db):
    """Cohort "HIM 101": "Ann Marie Lee" (ann) and "=Ben" (ben).
    Week 1 (cases hf/1, sepsis/2; best counts): ann hf 30 then 100 (counted), sepsis 100 -> 100;
        ben hf 30, overridden to a higher total -> (30+x)/2.
    Quiz 1 (2 questions): ann 1 of 2 -> 50. Midterm (exam): ann 80."""
    teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
    other = P.provision_user("other", PASSWORD, "instructor", db=db)
    cohort = P.create_cohort(teacher.actor, "HIM 101", db=db)
    ann = P.register_learner(cohort["join_code"], "ann", PASSWORD, "Ann Marie Lee", db=db)
    ben = P.register_learner(cohort["join_code"], "ben", PASSWORD, "=Ben", db=db)
    best = AttemptPolicy(max_attempts=3, counts="best", key_shown="after_attempt")
    week1 = P.create_assignment(teacher.actor, cohort["id"], "Week 1", [("heart_failure", 1), ("sepsis_uti", 2)],
                                policy=best, db=db)
    quiz = P.create_quiz_assignment(teacher.actor, cohort["id"], "Quiz 1", ["q1", "q2"], db=db)
    exam = P.create_exam_assignment(teacher.actor, cohort["id"], "Midterm", "cca-practice", 30, db=db)
    week = {"assignment_id": week1["id"], "db": db}
    submit(ann.actor, rep=weak_report(), submitted_at=T0, **week)
    submit(ann.actor, rep=good_report(), submitted_at=T0 + timedelta(days=1), **week)
    submit(ann.actor, "sepsis_uti", 2, rep=good_report(), submitted_at=T0 + timedelta(days=2), **week)
    ben_attempt = submit(ben.actor, rep=weak_report(), submitted_at=T0, **week)   # 30; + the missed sdx -> 50
    P.override_item(teacher.actor, ben_attempt, 1, 1.0, "secondary code accepted", db=db)
    attempt = P.start_quiz(ann.actor, quiz["id"], db=db)
    P.answer_quiz(ann.actor, attempt["id"], "q1", "A", True, domain="coding_cm", db=db)
    P.answer_quiz(ann.actor, attempt["id"], "q2", "A", False, domain="privacy", db=db)
    session = P.start_exam(ann.actor, "cca-practice", ["q1"], 1800, assignment_id=exam["id"], db=db)
    P.submit_exam(ann.actor, session["id"], answers={}, report={}, score=80, db=db)
    return SimpleNamespace(db=db, teacher=teacher.actor, other=other.actor, cohort=cohort, ann=ann, ben=ben,
                           week1=week1, quiz=quiz, exam=exam, ben_attempt=ben_attempt)


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_gradebook_csv_has_every_kind(course):
    c = course
    rows = table(P.gradebook_csv(c.teacher, c.cohort["id"], db=c.db))
    assert rows[0] == ["username", "display_name", f"Week 1 [{c.week1['id']}]", f"Quiz 1 [{c.quiz['id']}]",
                       f"Midterm [{c.exam['id']}]", "average"]
    by = {r[0]: r for r in rows[1:]}
    assert by["ann"] == ["ann", "Ann Marie Lee", "100.0", "50.0", "80.0", "76.7"]
    assert by["ben"] == ["ben", "'=Ben", "25.0", "", "", "25.0"]   # (30 + 20 by the override) / 2 cases


def test_components_csv(course):
    c = course
    rows = table(P.components_csv(c.teacher, c.cohort["id"], db=c.db))
    assert rows[0] == ["username", "display_name", "assignment", "kind", "score", "done", "principal_dx",
                       "secondary_dx", "poa", "procedures", "ms_drg", "abstraction"]
    by = {(r[0], r[2]): r for r in rows[1:]}
    assert by["ann", "Week 1"][3:] == ["cases", "100.0", "2/2", "100.0", "100.0", "100.0", "", "100.0", ""]
    assert by["ben", "Week 1"][5:7] == ["1/2", "50.0"]          # weak report: pdx 50
    assert by["ann", "Quiz 1"][3:6] == ["question set", "50.0", "1/1"] and by["ann", "Quiz 1"][6:] == [""] * 6
    assert by["ben", "Midterm"][3:6] == ["timed exam", "", "0/1"]


def test_attempts_csv_lists_every_attempt_with_counted_and_overrides(course):
    c = course
    titles = {"heart_failure": "Heart failure", "cca-practice": "CCA practice exam"}
    rows = table(P.attempts_csv(c.teacher, c.cohort["id"], titles=titles, db=c.db))
    header = rows[0]
    assert header[:13] == ["username", "display_name", "assignment", "kind", "item", "attempt", "started_at",
                           "submitted_at", "minutes", "score", "score_at_submission", "overrides", "counted"]
    records = [dict(zip(header, r)) for r in rows[1:]]
    ann_hf = [r for r in records if r["username"] == "ann" and r["item"] == "Heart failure (case #1)"]
    assert [(r["attempt"], r["score"], r["counted"]) for r in ann_hf] == [("1", "30.0", "no"), ("2", "100.0", "yes")]
    ben = next(r for r in records if r["username"] == "ben")
    assert (ben["overrides"], ben["score_at_submission"], ben["display_name"]) == ("1", "30.0", "'=Ben")
    assert float(ben["score"]) > 30.0
    quiz = next(r for r in records if r["kind"] == "question set")
    assert (quiz["item"], quiz["score"], quiz["counted"], quiz["principal_dx"]) == ("2 questions", "50.0", "yes", "")
    assert next(r for r in records if r["kind"] == "timed exam")["item"] == "CCA practice exam"
    assert len(records) == 6   # ann: 3 cases, 1 quiz, 1 exam; ben: 1 case


def test_canvas_format(course):
    c = course
    rows = table(P.lms_csv(c.teacher, c.cohort["id"], "canvas", db=c.db))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 1", "Quiz 1", "Midterm"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "100", "100", "100"]
    by = {r[3]: r for r in rows[2:]}
    assert by["ann"] == ["Ann Marie Lee", "", "", "ann", "HIM 101", "100.0", "50.0", "80.0"]
    assert by["ben"] == ["'=Ben", "", "", "ben", "HIM 101", "25.0", "", ""]


def test_moodle_format(course):
    c = course
    rows = table(P.lms_csv(c.teacher, c.cohort["id"], "moodle", db=c.db))
    assert rows[0] == ["Username", "Full name", "Week 1", "Quiz 1", "Midterm"]
    assert sorted(rows[1:]) == [["ann", "Ann Marie Lee", "100.0", "50.0", "80.0"], ["ben", "'=Ben", "25.0", "", ""]]
    assert len(rows) == 3, "no course-total column or row: Moodle computes its own"


def test_blackboard_format_quotes_every_value(course):
    c = course
    text = P.lms_csv(c.teacher, c.cohort["id"], "blackboard", db=c.db)
    assert text.splitlines()[0] == '"Last Name","First Name","Username","Student ID","Week 1","Quiz 1","Midterm"'
    assert '"Lee","Ann Marie","ann","","100.0","50.0","80.0"' in text.splitlines()
    assert ["'=Ben", "", "ben", "", "25.0", "", ""] in table(text)


def test_duplicate_titles_get_distinct_columns_and_bad_format_is_refused(course):
    c = course
    P.create_quiz_assignment(c.teacher, c.cohort["id"], "quiz 1", ["q3"], db=c.db)
    assert table(P.lms_csv(c.teacher, c.cohort["id"], "moodle", db=c.db))[0][2:] == [
        "Week 1", "Quiz 1", "Midterm", "quiz 1 (2)"]
    with pytest.raises(ValidationError, match="Canvas"):
        P.lms_csv(c.teacher, c.cohort["id"], "sakai", db=c.db)
    for export in (P.gradebook_csv, P.components_csv, P.attempts_csv):
        with pytest.raises(PermissionDenied):
            export(c.other, c.cohort["id"], db=c.db)
    with pytest.raises(PermissionDenied):
        P.lms_csv(c.other, c.cohort["id"], "canvas", db=c.db)


def test_learner_report_figures(course):
    c = course
    found = P.learner_report(c.teacher, c.cohort["id"], c.ann.id, db=c.db)
    assert found["learner"]["display_name"] == "Ann Marie Lee" and found["cohort"] == "HIM 101"
    assert [(a["title"], a["score"]) for a in found["assignments"]] == [("Week 1", 100.0), ("Quiz 1", 50.0),
                                                                       ("Midterm", 80.0)]
    assert found["average"] == pytest.approx(230 / 3) and found["mastery"]["attempts"] == 3
    assert {d["key"]: d["n"] for d in found["domains"]} == {"coding_cm": 1, "privacy": 1}
    with pytest.raises(P.NotFound):
        P.learner_report(c.teacher, c.cohort["id"], c.other.user_id, db=c.db)
    with pytest.raises(PermissionDenied):
        P.learner_report(c.other, c.cohort["id"], c.ann.id, db=c.db)
