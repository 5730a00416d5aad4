"""Every cross-access is refused with PermissionDenied; allowed access works; lists never leak."""
from __future__ import annotations

import pytest

import progress as P
from progress.authz import Actor
from progress.errors import PermissionDenied
from progress_builders import PASSWORD, good_report


@pytest.fixture
def w(world):
    """The shared world plus a dispute by l1 (on a1) and an exam of l1."""
    world.dispute = P.open_dispute(world.l1_, world.a1, 0, "I50.9 is right", db=world.db)["id"]
    world.exam = P.start_exam(world.l1_, "rhit-mini", ["q1", "q2"], 600, db=world.db)["id"]
    return world


def _calls_learner_on_other_learner():
    return {
        "get_attempt": lambda w: P.get_attempt(w.l1_, w.a2, db=w.db),
        "list_attempts": lambda w: P.list_attempts(w.l1_, w.l2.id, db=w.db),
        "scores_over_time": lambda w: P.scores_over_time(w.l1_, w.l2.id, db=w.db),
        "mastery": lambda w: P.mastery(w.l1_, w.l2.id, db=w.db),
        "weakest_skills": lambda w: P.weakest_skills(w.l1_, w.l2.id, db=w.db),
        "weekly_trend": lambda w: P.weekly_trend(w.l1_, w.l2.id, db=w.db),
        "learner_assignments": lambda w: P.learner_assignments(w.l1_, w.l2.id, db=w.db),
        "question_mastery": lambda w: P.question_mastery(w.l1_, w.l2.id, db=w.db),
        "lesson_progress": lambda w: P.lesson_progress(w.l1_, w.l2.id, db=w.db),
        "list_exams": lambda w: P.list_exams(w.l1_, w.l2.id, db=w.db),
        "get_exam": lambda w: P.get_exam(w.l2_, w.exam, db=w.db),
        "save_exam_progress": lambda w: P.save_exam_progress(w.l2_, w.exam, {}, db=w.db),
        "submit_exam": lambda w: P.submit_exam(w.l2_, w.exam, answers={}, report={}, score=1, db=w.db),
        "get_user": lambda w: P.get_user(w.l1_, w.l2.id, db=w.db),
        "open_dispute_on_other": lambda w: P.open_dispute(w.l2_, w.a1, 1, "mine now", db=w.db),
        "reset_password": lambda w: P.reset_password(w.l1_, w.l2.id, "Fresh-start-123", db=w.db),
    }


def _calls_learner_on_staff_functions():
    return {
        "create_cohort": lambda w: P.create_cohort(w.l1_, "Mine", db=w.db),
        "create_assignment": lambda w: P.create_assignment(w.l1_, w.c1["id"], "X", [("a", 1)], db=w.db),
        "cohort_members": lambda w: P.cohort_members(w.l1_, w.c1["id"], db=w.db),
        "add_member": lambda w: P.add_member(w.l1_, w.c1["id"], w.l3.id, db=w.db),
        "remove_member": lambda w: P.remove_member(w.l1_, w.c1["id"], w.l2.id, db=w.db),
        "gradebook": lambda w: P.gradebook(w.l1_, w.c1["id"], db=w.db),
        "gradebook_csv": lambda w: P.gradebook_csv(w.l1_, w.c1["id"], db=w.db),
        "assignment_summary": lambda w: P.assignment_summary(w.l1_, w.c1["id"], db=w.db),
        "cohort_trend": lambda w: P.weekly_trend(w.l1_, cohort_id=w.c1["id"], db=w.db),
        "cohort_mastery": lambda w: P.mastery(w.l1_, cohort_id=w.c1["id"], db=w.db),
        "item_analysis": lambda w: P.item_analysis(w.l1_, scenario_id="heart_failure", db=w.db),
        "override_own_attempt": lambda w: P.override_item(w.l1_, w.a1, 0, 1.0, "self-service", db=w.db),
        "rule_own_dispute": lambda w: P.rule_dispute(w.l1_, w.dispute, accept=True, ruling="yes", db=w.db),
        "create_user": lambda w: P.create_user(w.l1_, "friend", PASSWORD, db=w.db),
        "list_users": lambda w: P.list_users(w.l1_, db=w.db),
        "other_cohort": lambda w: P.get_cohort(w.l1_, w.c2["id"], db=w.db),
        "other_cohort_assignments": lambda w: P.list_assignments(w.l3_, w.c1["id"], db=w.db),
        "other_cohort_assignment": lambda w: P.get_assignment(w.l3_, w.asg["id"], db=w.db),
        "submit_to_other_cohort": lambda w: P.save_attempt(
            w.l3_, scenario_id="heart_failure", seed=1, generator_version="t", answer={},
            report=good_report(), assignment_id=w.asg["id"], db=w.db),
        "draft_in_other_cohort": lambda w: P.save_draft(
            w.l3_, scenario_id="heart_failure", seed=1, answer={}, assignment_id=w.asg["id"], db=w.db),
    }


def _calls_instructor_on_other_cohort():
    c1 = lambda w: w.c1["id"]   # noqa: E731
    return {
        "get_cohort": lambda w: P.get_cohort(w.i2_, c1(w), db=w.db),
        "cohort_members": lambda w: P.cohort_members(w.i2_, c1(w), db=w.db),
        "add_member": lambda w: P.add_member(w.i2_, c1(w), w.l3.id, db=w.db),
        "remove_member": lambda w: P.remove_member(w.i2_, c1(w), w.l1.id, db=w.db),
        "create_assignment": lambda w: P.create_assignment(w.i2_, c1(w), "X", [("a", 1)], db=w.db),
        "list_assignments": lambda w: P.list_assignments(w.i2_, c1(w), db=w.db),
        "get_assignment": lambda w: P.get_assignment(w.i2_, w.asg["id"], db=w.db),
        "gradebook": lambda w: P.gradebook(w.i2_, c1(w), db=w.db),
        "gradebook_csv": lambda w: P.gradebook_csv(w.i2_, c1(w), db=w.db),
        "assignment_summary": lambda w: P.assignment_summary(w.i2_, c1(w), db=w.db),
        "weekly_trend": lambda w: P.weekly_trend(w.i2_, cohort_id=c1(w), db=w.db),
        "mastery": lambda w: P.mastery(w.i2_, cohort_id=c1(w), db=w.db),
        "item_analysis": lambda w: P.item_analysis(w.i2_, scenario_id="heart_failure", cohort_id=c1(w), db=w.db),
        "list_disputes": lambda w: P.list_disputes(w.i2_, cohort_id=c1(w), db=w.db),
        "get_attempt": lambda w: P.get_attempt(w.i2_, w.a1, db=w.db),
        "list_attempts": lambda w: P.list_attempts(w.i2_, w.l1.id, db=w.db),
        "scores_over_time": lambda w: P.scores_over_time(w.i2_, w.l1.id, db=w.db),
        "learner_mastery": lambda w: P.mastery(w.i2_, w.l1.id, db=w.db),
        "get_user": lambda w: P.get_user(w.i2_, w.l1.id, db=w.db),
        "lesson_progress": lambda w: P.lesson_progress(w.i2_, w.l1.id, db=w.db),
        "get_exam": lambda w: P.get_exam(w.i2_, w.exam, db=w.db),
        "override_item": lambda w: P.override_item(w.i2_, w.a1, 0, 1.0, "generous", db=w.db),
        "rule_dispute": lambda w: P.rule_dispute(w.i2_, w.dispute, accept=True, ruling="ok", db=w.db),
        "reset_password": lambda w: P.reset_password(w.i2_, w.l1.id, "Fresh-start-123", db=w.db),
        # issue 15, item 3: owning the target cohort is not enough to enrol someone else's learner
        "enrol_their_learner_in_own_cohort": lambda w: P.add_member(w.i2_, w.c2["id"], w.l1.id, db=w.db),
        "enrol_a_user_id_that_does_not_exist": lambda w: P.add_member(w.i2_, w.c2["id"], 9999, db=w.db),
    }


def _calls_instructor_on_admin_functions():
    return {
        "list_users": lambda w: P.list_users(w.i1_, db=w.db),
        "create_instructor": lambda w: P.create_user(w.i1_, "peer", PASSWORD, role="instructor", db=w.db),
        "cohort_for_someone_else": lambda w: P.create_cohort(w.i1_, "Gift", owner_id=w.i2.id, db=w.db),
        "reset_admin_password": lambda w: P.reset_password(w.i1_, w.admin.id, "Fresh-start-123", db=w.db),
        "join_with_code": lambda w: P.join_cohort(w.i1_, w.c2["join_code"], db=w.db),
        "dispute_for_learner": lambda w: P.open_dispute(w.i1_, w.a1, 1, "on their behalf", db=w.db),
    }


REFUSED = {f"learner->other learner:{k}": v for k, v in _calls_learner_on_other_learner().items()}
REFUSED |= {f"learner->staff:{k}": v for k, v in _calls_learner_on_staff_functions().items()}
REFUSED |= {f"instructor->other cohort:{k}": v for k, v in _calls_instructor_on_other_cohort().items()}
REFUSED |= {f"instructor->admin:{k}": v for k, v in _calls_instructor_on_admin_functions().items()}


@pytest.mark.parametrize("call", REFUSED.values(), ids=REFUSED.keys())
def test_cross_access_is_refused(w, call):
    before = w.db.execute("SELECT total_changes()").fetchone()[0]
    with pytest.raises(PermissionDenied) as refused:
        call(w)
    assert str(refused.value).endswith(".")   # a sentence the UI can show
    assert w.db.execute("SELECT total_changes()").fetchone()[0] == before   # nothing written


ALLOWED = {  # the owner instructor and the admin may do what the others were refused
    "i1 reads l1's attempt": lambda w: P.get_attempt(w.i1_, w.a1, db=w.db),
    "i1 gradebook": lambda w: P.gradebook(w.i1_, w.c1["id"], db=w.db),
    "i1 item analysis of c1": lambda w: P.item_analysis(w.i1_, scenario_id="heart_failure",
                                                         cohort_id=w.c1["id"], db=w.db),
    "i1 rules l1's dispute": lambda w: P.rule_dispute(w.i1_, w.dispute, accept=False, ruling="no", db=w.db),
    "i1 reads l1's exam": lambda w: P.get_exam(w.i1_, w.exam, db=w.db),
    "admin reads any attempt": lambda w: P.get_attempt(w.admin_, w.a3, db=w.db),
    "admin gradebook of c1": lambda w: P.gradebook(w.admin_, w.c1["id"], db=w.db),
    "admin overrides": lambda w: P.override_item(w.admin_, w.a1, 0, 1.0, "audit", db=w.db),
    "admin cohort for i2": lambda w: P.create_cohort(w.admin_, "Gift", owner_id=w.i2.id, db=w.db),
    "learner reads own attempt": lambda w: P.get_attempt(w.l1_, w.a1, db=w.db),
    "learner reads own cohort": lambda w: P.get_cohort(w.l1_, w.c1["id"], db=w.db),
}


@pytest.mark.parametrize("call", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed_access_works(w, call):
    assert call(w) is not None


def test_lists_only_show_what_the_actor_may_see(w):
    P.open_dispute(w.l3_, w.a3, 0, "mine", db=w.db)
    assert [c["id"] for c in P.list_cohorts(w.i2_, db=w.db)] == [w.c2["id"]]
    assert [c["id"] for c in P.list_cohorts(w.l1_, db=w.db)] == [w.c1["id"]]
    assert "join_code" not in P.list_cohorts(w.l1_, db=w.db)[0]
    assert len(P.list_cohorts(w.admin_, db=w.db)) == 2
    assert {d["user_id"] for d in P.list_disputes(w.i2_, db=w.db)} == {w.l3.id}
    assert {d["user_id"] for d in P.list_disputes(w.i1_, db=w.db)} == {w.l1.id}
    assert {d["user_id"] for d in P.list_disputes(w.l3_, db=w.db)} == {w.l3.id}
    assert len(P.list_disputes(w.admin_, db=w.db)) == 2
    assert P.item_analysis(w.i2_, scenario_id="heart_failure", db=w.db)["attempts"] == 1   # l3 only
    assert P.item_analysis(w.admin_, scenario_id="heart_failure", db=w.db)["attempts"] == 3
    assert {a["user_id"] for a in P.list_attempts(w.l1_, db=w.db)} == {w.l1.id}


def test_a_learner_removed_from_the_cohort_is_out_of_reach(w):
    P.remove_member(w.i1_, w.c1["id"], w.l1.id, db=w.db)
    with pytest.raises(PermissionDenied):
        P.get_attempt(w.i1_, w.a1, db=w.db)


# ----------------------------------------------------------------------------- enrolment consent (item 3)
def test_cross_cohort_enrolment_gives_no_access(w):
    """The attack of issue 15: i2 enrols l1 (of i1's cohort) by user id, then reads, grades and
    resets. Every step is refused, and l1 stays out of i2's cohort."""
    with pytest.raises(PermissionDenied, match="join code"):
        P.add_member(w.i2_, w.c2["id"], w.l1.id, db=w.db)
    assert w.l1.id not in {m["id"] for m in P.cohort_members(w.i2_, w.c2["id"], db=w.db)}
    for call in (lambda: P.get_attempt(w.i2_, w.a1, db=w.db),
                 lambda: P.override_item(w.i2_, w.a1, 0, 1.0, "mine now", db=w.db),
                 lambda: P.reset_password(w.i2_, w.l1.id, "Fresh-start-123", db=w.db)):
        with pytest.raises(PermissionDenied):
            call()


def test_who_may_enrol_an_existing_learner(w):
    second = P.create_cohort(w.i1_, "Cohort A, section 2", db=w.db)
    P.add_member(w.i1_, second["id"], w.l1.id, db=w.db)               # a learner i1 already teaches
    made = P.create_user(w.i1_, "made-by-i1", PASSWORD, db=w.db)
    P.add_member(w.i1_, second["id"], made.id, db=w.db)               # an account i1 created
    roster = P.create_user(w.i1_, "roster-row", PASSWORD, cohort_id=second["id"], db=w.db)
    assert {m["id"] for m in P.cohort_members(w.i1_, second["id"], db=w.db)} == {w.l1.id, made.id, roster.id}
    gone = P.create_user(w.i1_, "moved-away", PASSWORD, db=w.db)
    P.join_cohort(gone.actor, w.c2["join_code"], db=w.db)              # now i2's learner
    with pytest.raises(PermissionDenied):
        P.add_member(w.i1_, second["id"], gone.id, db=w.db)
    P.add_member(w.admin_, second["id"], w.l3.id, db=w.db)            # an admin may
    P.reset_password(w.i1_, w.l3.id, "Fresh-start-123", db=w.db)      # and that counts as consent


def test_password_reset_needs_a_consented_membership(w):
    """Memberships made before migration 0004 (or by moving a learner between one's own cohorts)
    let the instructor read, not reset; joining with the code gives consent."""
    w.db.execute("UPDATE memberships SET via = 'legacy' WHERE user_id = ?", [w.l2.id])
    assert P.get_user(w.i1_, w.l2.id, db=w.db).id == w.l2.id
    with pytest.raises(PermissionDenied, match="joined your cohorts"):
        P.reset_password(w.i1_, w.l2.id, "Fresh-start-123", db=w.db)
    P.join_cohort(w.l2_, w.c1["join_code"], db=w.db)
    P.reset_password(w.i1_, w.l2.id, "Fresh-start-123", db=w.db)
    assert P.authenticate(w.l2.username, "Fresh-start-123", db=w.db).id == w.l2.id


def test_actor_roles_are_checked():
    with pytest.raises(ValueError):
        Actor(1, "superuser")
