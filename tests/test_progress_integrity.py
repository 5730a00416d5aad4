"""Assessment integrity (issue 15, item 1): attempt policies, windows, key visibility, key release,
the counted attempt, and migration 0004_integrity."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import progress as P
from progress import migrations
from progress.db import connect, one
from progress.errors import PermissionDenied, ValidationError
from progress.policy import AttemptPolicy, key_state
from progress_builders import (PASSWORD, good_report, old_user, submit, weak_report)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DUE = T0 + timedelta(days=7)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def total(n: float) -> dict:
    return {**good_report(), "total": n}


@pytest.fixture
def course(db):
    """teacher's cohort (ann, bob), another instructor's cohort (cy); `hw` = one case, default
    policy, open from T0 to DUE."""
    teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
    other = P.provision_user("other", PASSWORD, "instructor", db=db)
    cohort = P.create_cohort(teacher.actor, "HIM 201", db=db)
    elsewhere = P.create_cohort(other.actor, "HIM 999", db=db)
    ann, bob = (P.register_learner(cohort["join_code"], n, PASSWORD, db=db) for n in ("ann", "bob"))
    cy = P.register_learner(elsewhere["join_code"], "cyd", PASSWORD, db=db)
    hw = P.create_assignment(teacher.actor, cohort["id"], "Homework", [("heart_failure", 1)],
                             opens_at=T0, due_at=DUE, db=db)
    return SimpleNamespace(db=db, teacher=teacher.actor, other=other.actor, cohort=cohort["id"],
                           ann=ann.actor, bob=bob.actor, cy=cy.actor, hw=hw["id"])


def assignment(c, policy: AttemptPolicy, **dates) -> int:
    dates = {"opens_at": T0, "due_at": DUE, **dates}
    return P.create_assignment(c.teacher, c.cohort, f"Set {policy}", [("heart_failure", 1)], policy=policy,
                               db=c.db, **dates)["id"]


def attempt(c, actor, rep=None, when=1.0, assignment_id="hw", **kwargs):
    aid = c.hw if assignment_id == "hw" else assignment_id
    return submit(actor, rep=rep or weak_report(), assignment_id=aid, submitted_at=hours(when),
                  now=hours(when), db=c.db, **kwargs)


# ----------------------------------------------------------------------------- the reported exploit
def test_throwaway_attempt_then_the_key_then_100_is_closed(course):
    """Issue 15: submit a throwaway answer, read the key, resubmit the key: 4 -> 100. Now the key
    stays hidden until the due date, a second attempt is refused, and the first one counts."""
    c = course
    first = attempt(c, c.ann, rep=total(4))
    seen = P.get_attempt(c.ann, first, now=hours(2), db=c.db)
    assert (seen["key_visible"], seen["report"], seen["items"]) == (False, {}, [])
    assert "after the due date (2026-03-09 09:00 UTC)" in seen["key_note"]
    assert seen["total"] == 4 and seen["answer"]   # the learner still sees their score and answer
    assert not P.key_visible(c.ann, first, now=hours(2), db=c.db)
    with pytest.raises(ValidationError, match="used all 1 attempt"):
        attempt(c, c.ann, rep=total(100), when=2)
    book = P.gradebook(c.teacher, c.cohort, db=c.db)
    assert {r["username"]: r["scores"][c.hw] for r in book["rows"]} == {"ann": 4, "bob": None}
    after_due = P.get_attempt(c.ann, first, now=DUE, db=c.db)
    assert after_due["key_visible"] and after_due["report"]["items"] and after_due["items"]


def test_an_assignment_case_cannot_be_practised_while_its_key_is_hidden(course):
    c = course
    access = P.case_access(c.ann, "heart_failure", 1, now=hours(1), db=c.db)
    assert not access.can_open and not access.can_submit and "Homework" in access.reason
    with pytest.raises(ValidationError, match="part of your assignment"):
        submit(c.ann, rep=good_report(), now=hours(1), db=c.db)
    with pytest.raises(ValidationError, match="part of your assignment"):
        P.save_draft(c.ann, scenario_id="heart_failure", seed=1, answer={}, now=hours(1), db=c.db)
    assert P.case_access(c.cy, "heart_failure", 1, now=hours(1), db=c.db).can_submit   # not cy's assignment
    assert P.case_access(c.ann, "heart_failure", 2, now=hours(1), db=c.db).can_submit  # another patient
    assert P.case_access(c.ann, "heart_failure", 1, now=DUE, db=c.db).can_open         # key shown: practise


def test_practice_cases_show_the_key_and_may_be_tried_again(course):
    c = course
    ids = [submit(c.ann, "sepsis_uti", 5, rep=weak_report(), db=c.db) for _ in range(3)]
    assert all(P.key_visible(c.ann, i, db=c.db) for i in ids)
    shown = P.get_attempt(c.ann, ids[-1], db=c.db)
    assert shown["key_visible"] and shown["report"] == weak_report() and len(shown["items"]) == 5
    access = P.case_access(c.ann, "sepsis_uti", 5, db=c.db)
    assert access.can_open and access.can_submit and access.attempts_allowed is None


# ----------------------------------------------------------------------------- windows and limits
def test_opening_and_due_dates_are_enforced(course):
    c = course
    early = P.case_access(c.ann, "heart_failure", 1, assignment_id=c.hw, now=T0 - timedelta(minutes=1), db=c.db)
    assert (early.can_open, early.can_submit) == (False, False) and "opens at 2026-03-02 09:00 UTC" in early.reason
    assert not P.can_open_case(c.ann, c.hw, now=T0 - timedelta(minutes=1), db=c.db)
    assert P.can_open_case(c.ann, c.hw, now=T0, db=c.db)
    assert P.can_open_case(c.teacher, c.hw, now=T0 - timedelta(days=3), db=c.db)   # staff preview
    with pytest.raises(PermissionDenied):
        P.can_open_case(c.cy, c.hw, now=T0, db=c.db)
    with pytest.raises(ValidationError, match="opens at"):
        P.save_draft(c.ann, scenario_id="heart_failure", seed=1, answer={}, assignment_id=c.hw,
                     now=T0 - timedelta(minutes=1), db=c.db)
    with pytest.raises(ValidationError, match="opens at"):
        attempt(c, c.ann, when=-0.01)
    late = P.case_access(c.ann, "heart_failure", 1, assignment_id=c.hw, now=DUE, db=c.db)
    assert late.can_open and not late.can_submit and "was due at 2026-03-09 09:00 UTC" in late.reason
    with pytest.raises(ValidationError, match="was due"):
        attempt(c, c.ann, when=7 * 24)
    assert one(c.db, "SELECT COUNT(*) AS n FROM attempts")["n"] == 0


def test_an_unopened_assignment_does_not_list_its_cases_to_learners(course):
    c = course
    before = P.learner_assignments(c.ann, now=T0 - timedelta(hours=1), db=c.db)[0]
    assert (before["items"], before["n_items"], before["is_open"]) == ([], 1, False)
    assert P.learner_assignments(c.teacher, c.ann.user_id, now=T0 - timedelta(hours=1),
                                 db=c.db)[0]["items"]   # the instructor sees them
    after = P.learner_assignments(c.ann, now=T0, db=c.db)[0]
    assert after["items"] == [{"scenario": "heart_failure", "seed": 1, "counted": None, "best": None,
                               "attempts": 0}] and after["is_open"]


def test_the_attempt_limit_holds_under_concurrent_submissions(course, db_file):
    c = course
    limited = assignment(c, AttemptPolicy(max_attempts=3, counts="best"))
    start, outcomes = threading.Barrier(8), []

    def go(n):
        conn = connect(db_file)
        start.wait()
        try:
            outcomes.append(submit(c.ann, rep=total(10 * n), assignment_id=limited, submission_id=f"s{n}",
                                   now=hours(1), db=conn))
        except ValidationError as refused:
            outcomes.append(str(refused))
        conn.close()
    threads = [threading.Thread(target=go, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, int) for o in outcomes) == 3
    assert all("used all 3 attempts" in o for o in outcomes if isinstance(o, str))
    access = P.case_access(c.ann, "heart_failure", 1, assignment_id=limited, now=hours(2), db=c.db)
    assert (access.attempts_used, access.attempts_allowed, access.can_submit) == (3, 3, False)


@pytest.mark.parametrize("counts, expected", [("best", 100), ("last", 60), ("first", 30)])
def test_the_gradebook_and_learner_view_count_the_attempt_the_policy_names(course, counts, expected):
    c = course
    graded = assignment(c, AttemptPolicy(max_attempts=3, counts=counts))
    for when, score in ((1, 30), (2, 100), (3, 60)):
        attempt(c, c.ann, rep=total(score), when=when, assignment_id=graded)
    book = P.gradebook(c.teacher, c.cohort, db=c.db)
    assert next(r for r in book["rows"] if r["username"] == "ann")["scores"][graded] == expected
    mine = next(a for a in P.learner_assignments(c.ann, now=hours(4), db=c.db) if a["id"] == graded)
    assert (mine["score"], mine["items"][0]["counted"], mine["items"][0]["best"]) == (expected, expected, 100)
    assert mine["items"][0]["attempts"] == 3
    summary = next(s for s in P.assignment_summary(c.teacher, c.cohort, db=c.db) if s["id"] == graded)
    assert summary["mean"] == expected


def test_changing_the_policy_later_regrades_and_is_audited(course):
    c = course
    graded = assignment(c, AttemptPolicy(max_attempts=2, counts="first"))
    attempt(c, c.ann, rep=total(20), when=1, assignment_id=graded)
    attempt(c, c.ann, rep=total(90), when=2, assignment_id=graded)
    P.set_attempt_policy(c.teacher, graded, AttemptPolicy(max_attempts=2, counts="best"), now=hours(3), db=c.db)
    assert P.gradebook(c.teacher, c.cohort, db=c.db)["rows"][0]["scores"][graded] == 90
    assert P.attempt_policy(c.ann, graded, db=c.db) == AttemptPolicy(max_attempts=2, counts="best")
    audit = P.assignment_audit(c.teacher, graded, db=c.db)
    assert [(a["action"], a["detail"]["counts"], a["at"]) for a in audit] == [("policy", "best", "2026-03-02T12:00:00Z")]
    for actor in (c.other, c.ann):
        with pytest.raises(PermissionDenied):
            P.set_attempt_policy(actor, graded, AttemptPolicy(max_attempts=None), db=c.db)


# ----------------------------------------------------------------------------- key visibility
def _row(key_shown="after_due", exam=False, due=DUE, released=None):
    return {"key_shown": key_shown, "exam_mode": int(exam), "due_at": due and due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "key_released_at": released, "opens_at": None}


@pytest.mark.parametrize("row, before_due, after_due", [
    (_row("after_attempt"), True, True),
    (_row("after_due"), False, True),
    (_row("on_release"), False, False),
    (_row("after_due", exam=True), False, True),
    (_row("after_attempt", exam=True), False, True),        # exam mode overrides a stored after_attempt
    (_row("on_release", released="2026-03-03T00:00:00Z"), True, True),
    (_row("after_due", due=None), False, False),            # no due date: the window never closes
])
def test_when_the_key_is_shown(row, before_due, after_due):
    assert key_state(row, hours(1))[0] is before_due
    assert key_state(row, DUE)[0] is after_due
    assert key_state(row, hours(1))[1].endswith(".")


def test_exam_assignments_never_show_the_key_before_the_window_closes(course):
    c = course
    with pytest.raises(ValidationError, match="exam mode"):
        AttemptPolicy(key_shown="after_attempt", exam_mode=True)
    exam = P.create_assignment(c.teacher, c.cohort, "Midterm", [("sepsis_uti", 9)], rubric="exam",
                               opens_at=T0, due_at=DUE, db=c.db)
    assert exam["exam_mode"] == 1 and exam["max_attempts"] == 1
    taken = submit(c.ann, "sepsis_uti", 9, rep=weak_report(), assignment_id=exam["id"], now=hours(1), db=c.db)
    assert not P.key_visible(c.ann, taken, now=DUE - timedelta(seconds=1), db=c.db)
    assert P.key_visible(c.ann, taken, now=DUE, db=c.db)
    assert P.key_visible(c.teacher, taken, now=hours(1), db=c.db)   # the instructor always


def test_releasing_the_key_shows_it_and_closes_the_assignment(course):
    c = course
    on_release = assignment(c, AttemptPolicy(max_attempts=2, key_shown="on_release"))
    mine = attempt(c, c.ann, assignment_id=on_release)
    assert not P.key_visible(c.ann, mine, now=DUE + timedelta(days=30), db=c.db)
    for actor in (c.other, c.ann):
        with pytest.raises(PermissionDenied):
            P.release_key(actor, on_release, db=c.db)
    released = P.release_key(c.teacher, on_release, now=hours(5), db=c.db)
    assert released["key_released_at"] == "2026-03-02T14:00:00Z"
    P.release_key(c.teacher, on_release, now=hours(6), db=c.db)   # twice: no change, no second audit row
    assert P.key_visible(c.ann, mine, now=hours(5), db=c.db)
    with pytest.raises(ValidationError, match="released"):
        attempt(c, c.bob, when=6, assignment_id=on_release)
    audit = P.assignment_audit(c.teacher, on_release, db=c.db)
    assert [(a["action"], a["by_user"], a["at"]) for a in audit] == [
        ("release_key", c.teacher.user_id, "2026-03-02T14:00:00Z")]


def test_disputes_wait_for_the_key_and_never_leak_it(course):
    c = course
    mine = attempt(c, c.ann)
    with pytest.raises(ValidationError, match="once its answer key is shown"):
        P.open_dispute(c.ann, mine, 0, "I50.9 is right", now=hours(2), db=c.db)
    assert P.open_dispute(c.ann, mine, 0, "I50.9 is right", now=DUE, db=c.db)["status"] == "open"
    practice_style = assignment(c, AttemptPolicy(max_attempts=2, key_shown="after_attempt"))
    other = attempt(c, c.bob, assignment_id=practice_style)
    P.open_dispute(c.bob, other, 0, "I50.9 is right", now=hours(2), db=c.db)
    assert P.list_disputes(c.bob, now=hours(2), db=c.db)[0]["expected"] == "I50.21"
    P.set_attempt_policy(c.teacher, practice_style, AttemptPolicy(max_attempts=2, key_shown="on_release"), db=c.db)
    hidden = P.list_disputes(c.bob, now=hours(2), db=c.db)[0]
    assert hidden["expected"] is None and hidden["item_status"] is None and hidden["argument"]
    assert {d["expected"] for d in P.list_disputes(c.teacher, db=c.db)} == {"I50.21"}


def test_a_missing_attempt_and_someone_elses_look_the_same(course):
    """Issue 15, item 10."""
    c = course
    theirs = attempt(c, c.bob)
    answers = []
    for actor, attempt_id in ((c.ann, theirs), (c.ann, 987654), (c.other, theirs), (c.other, 987654)):
        for call in (P.get_attempt, P.key_visible):
            with pytest.raises(P.Unavailable) as refused:
                call(actor, attempt_id, db=c.db)
            assert isinstance(refused.value, P.PermissionDenied) and isinstance(refused.value, P.NotFound)
            answers.append(str(refused.value))
        with pytest.raises(P.Unavailable) as refused:
            P.override_item(actor, attempt_id, 0, 1.0, "probe", db=c.db)
        answers.append(str(refused.value))
    assert len(set(answers)) == 1


@pytest.mark.parametrize("bad", [
    {"max_attempts": 0}, {"max_attempts": 101}, {"max_attempts": 2.5}, {"max_attempts": True},
    {"counts": "average"}, {"key_shown": "never"}, {"exam_mode": "yes"}])
def test_policy_values_are_validated(bad):
    with pytest.raises(ValidationError):
        AttemptPolicy(**bad)


# ----------------------------------------------------------------------------- migration 0004
def test_migration_0004_from_a_blank_database(tmp_path):
    database = connect(tmp_path / "blank.db", migrate=False)
    assert "0004_integrity" in migrations.migrate(database)
    columns = database["assignments"].columns_dict
    assert {"max_attempts", "counts", "key_shown", "exam_mode", "key_released_at"} <= set(columns)
    assert {"created_by"} <= set(database["users"].columns_dict)
    assert {"via"} <= set(database["memberships"].columns_dict)
    assert "assignment_audit" in database.table_names()
    defaults = {c.name: c.default_value for c in database["assignments"].columns}
    policy = AttemptPolicy()   # the SQL defaults are the dataclass defaults
    assert (defaults["max_attempts"], defaults["counts"], defaults["key_shown"], defaults["exam_mode"]) == (
        str(policy.max_attempts), f"'{policy.counts}'", f"'{policy.key_shown}'", str(int(policy.exam_mode)))


def test_migration_0004_from_0003_keeps_and_classifies_data(db_file):
    database = connect(db_file, migrate=False)
    migrations.migrate(database, upto="0003_learning")
    teacher, learner = old_user(database, "teacher", "instructor"), old_user(database, "learner")
    database.execute("INSERT INTO cohorts (id, name, join_code, owner_id, created_at) "
                     "VALUES (1, 'Old', 'OLDCODE1', ?, '2026-01-05T08:00:00Z')", [teacher.id])
    database.execute("INSERT INTO memberships VALUES (1, ?, '2026-01-05T08:00:00Z')", [learner.id])
    for n, rubric in ((1, "exam"), (2, "practice")):
        database.execute("""INSERT INTO assignments (id, cohort_id, title, items_json, rubric, created_by,
                            created_at) VALUES (?, 1, ?, '[{"scenario": "heart_failure", "seed": 1}]', ?, ?,
                            '2026-01-05T08:00:00Z')""", [n, f"A{n}", rubric, teacher.id])
    database.execute("""INSERT INTO attempts (submission_id, user_id, scenario_id, seed, generator_version,
                        assignment_id, submitted_at, total) VALUES ('old-1', ?, 'heart_failure', 1, 'g', 2,
                        '2026-01-06T08:00:00Z', 55)""", [learner.id])
    database.conn.commit()
    assert "0004_integrity" in migrations.migrate(database)
    found = {r["id"]: r for r in database.query("SELECT * FROM assignments")}
    assert (found[1]["exam_mode"], found[2]["exam_mode"]) == (1, 0)
    assert found[2]["max_attempts"] == 1 and found[2]["counts"] == "first" and found[2]["key_released_at"] is None
    assert one(database, "SELECT via FROM memberships")["via"] == "legacy"
    assert one(database, "SELECT created_by FROM users WHERE id = ?", [learner.id])["created_by"] is None
    assert one(database, "SELECT COUNT(*) AS n FROM attempts WHERE assignment_id = 2")["n"] == 1
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_unopened_assignment_hides_its_cases_everywhere_a_learner_looks(course):
    c = course
    later = P.create_assignment(c.teacher, c.cohort, "Next month", [("dka", 4)],
                                opens_at=datetime.now(timezone.utc) + timedelta(days=30), db=c.db)
    mine = P.get_assignment(c.ann, later["id"], db=c.db)
    assert (mine["items"], mine["n_items"], mine["is_open"]) == ([], 1, False)
    assert next(a for a in P.list_assignments(c.ann, c.cohort, db=c.db) if a["id"] == later["id"])["items"] == []
    assert P.get_assignment(c.teacher, later["id"], db=c.db)["items"] == [{"scenario": "dka", "seed": 4}]
