"""progress.attempts and progress.grading: storing attempts, items, drafts, overrides, disputes."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import progress as P
from progress.attempts import (COMPONENTS, ITEM_STATUSES, component_scores, report_items,
                               report_total, weighted_total)
from progress.db import connect, one
from progress.errors import NotFound, ValidationError
from progress_builders import good_report, item, report, submit, weak_report

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- reports
def test_report_items_and_scores():
    items = report_items(weak_report())
    assert [i["status"] for i in items] == ["near_miss", "missing", "extra", "correct", "wrong"]
    assert component_scores(items) == {"pdx": 50.0, "sdx": 0.0, "poa": 100.0, "pcs": None,
                                       "drg": 0.0, "abstraction": None}
    assert weighted_total(items) == 30.0
    assert weighted_total(items, {"pdx": 2, "sdx": 1, "poa": 1, "drg": 0, "pcs": 5}) == 50.0


def test_report_items_accept_objects_with_to_dict():
    @dataclass
    class ScoreReport:
        items: list

        def to_dict(self):
            return {"items": self.items}
    assert len(report_items(ScoreReport(weak_report()["items"]))) == 5


@pytest.mark.parametrize("bad", [
    None, {}, {"items": "nope"}, {"items": [1]},
    report(item("dx", "A", "A", "correct", 1)), report(item("pdx", "A", "A", "great", 1)),
    report(item("pdx", "A", "A", "correct", 2, 1)), report(item("pdx", "A", "A", "correct", -1)),
    report(item("pdx", "A", "A", "correct", float("nan"))), report(item("pdx", "A", "A", "correct", True)),
])
def test_malformed_reports_are_refused(bad):
    with pytest.raises(ValidationError):
        report_items(bad)


GARBAGE = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)
VALID_ITEM = st.builds(item, st.sampled_from(COMPONENTS), st.none() | st.text(max_size=6),
                       st.none() | st.text(max_size=6), st.sampled_from(ITEM_STATUSES),
                       st.floats(0, 1), st.just(1.0))


@given(GARBAGE | st.builds(report, VALID_ITEM, GARBAGE) | st.builds(
    lambda items, total, weights: {"items": items, "total": total, "weights": weights},
    st.lists(VALID_ITEM | GARBAGE, max_size=4), GARBAGE, GARBAGE))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_garbage_reports_only_ever_raise_validation_error(garbage):
    try:
        items = report_items(garbage)
        total = report_total(garbage, items)
    except ValidationError:
        return
    assert 0 <= total <= 100


# ----------------------------------------------------------------------------- saving and reading
def test_save_and_read_back(world):
    attempt = P.get_attempt(world.l1_, world.a1, db=world.db)
    assert attempt["total"] == 30.0 and attempt["score_pdx"] == 50.0 and attempt["score_pcs"] is None
    assert attempt["answer"] == {"principal_dx": ["I50.21", "Y"]}
    assert attempt["report"] == weak_report()
    assert [i["entered"] for i in attempt["items"]] == ["I50.9", None, "E78.5", "Y", "293"]
    assert attempt["overrides"] == [] and attempt["disputes"] == []
    assert attempt["assignment_id"] == world.asg["id"]


def test_scorer_total_topics_and_timing_are_stored(world):
    started = T0 - timedelta(minutes=12)
    attempt_id = submit(world.l2_, rep={**good_report(), "total": 97.5, "rubric": {"id": "exam", "version": "2026.1"}},
                        started_at=started, submitted_at=T0, mdc=5, topics=["tp_hf", "tp_htn", "tp_hf"],
                        db=world.db)
    attempt = P.get_attempt(world.l2_, attempt_id, db=world.db)
    assert attempt["total"] == 97.5 and attempt["rubric_version"] == "exam@2026.1" and attempt["mdc"] == 5
    assert attempt["topics"] == ["tp_hf", "tp_htn"]
    assert attempt["duration_s"] == 720 and attempt["submitted_at"] == "2026-03-02T09:00:00Z"
    with pytest.raises(ValidationError):
        submit(world.l2_, rep={**good_report(), "total": 101}, db=world.db)


def test_case_ref_credits_only_the_teaching_points_of_the_key():
    """The scenario's topic list (every variant's topics) is not credited: only the key's
    teaching points, one per decision the case contains, each once, in the key's order."""
    case = SimpleNamespace(scenario_id="pneumonia_simple", seed=7, generator_version="g1", mdc=4,
                           topics=("pneumonia", "copd", "respiratory_failure"), key=SimpleNamespace(teaching_points=(
                               SimpleNamespace(id="pneumonia_organism_documented"), SimpleNamespace(id="tp_b"),
                               SimpleNamespace(id="tp_b"))))
    assert P.case_ref(case) == {"scenario_id": "pneumonia_simple", "seed": 7, "generator_version": "g1",
                                "mdc": 4, "topics": ("pneumonia_organism_documented", "tp_b")}
    scored = SimpleNamespace(scenario_id="pneumonia_simple", seed=7, generator_version="g1", mdc=4,
                             topics=("pneumonia", "copd", "pneumonia_organism_documented"),
                             teaching_points=("pneumonia_organism_documented",))
    assert P.case_ref(scored)["topics"] == ("pneumonia_organism_documented",)


def test_submission_id_makes_saving_idempotent(world):
    first = submit(world.l2_, submission_id="click-1", db=world.db)
    assert submit(world.l2_, submission_id="click-1", db=world.db) == first
    assert one(world.db, "SELECT COUNT(*) AS n FROM attempts WHERE submission_id = 'click-1'")["n"] == 1
    with pytest.raises(ValidationError):
        submit(world.l1_, submission_id="click-1", db=world.db)


def test_assignment_cases_are_checked(world):
    with pytest.raises(ValidationError, match="not part"):
        submit(world.l1_, "heart_failure", 99, assignment_id=world.asg["id"], db=world.db)
    with pytest.raises(NotFound):
        submit(world.l1_, assignment_id=12345, db=world.db)
    later = P.create_assignment(world.i1_, world.c1["id"], "Later", [("copd_exacerbation", 3)],
                                opens_at=T0, due_at=T0 + timedelta(days=7), db=world.db)
    with pytest.raises(ValidationError, match="opens"):
        submit(world.l1_, "copd_exacerbation", 3, assignment_id=later["id"],
               now=T0 - timedelta(hours=1), db=world.db)
    with pytest.raises(ValidationError, match="opens"):   # the clock decides, not submitted_at
        submit(world.l1_, "copd_exacerbation", 3, assignment_id=later["id"],
               submitted_at=T0 + timedelta(hours=1), now=T0 - timedelta(hours=1), db=world.db)
    assert submit(world.l1_, "copd_exacerbation", 3, assignment_id=later["id"],
                  now=T0 + timedelta(hours=1), db=world.db)


def test_list_attempts_filters_and_pages(world):
    for seed in range(5):
        submit(world.l2_, "sepsis_uti", seed, submitted_at=T0 + timedelta(days=seed), db=world.db)
    newest = P.list_attempts(world.l2_, scenario_id="sepsis_uti", limit=2, db=world.db)
    assert [a["seed"] for a in newest] == [4, 3] and "answer_json" not in newest[0]
    assert [a["seed"] for a in P.list_attempts(world.l2_, scenario_id="sepsis_uti", limit=2,
                                               offset=2, db=world.db)] == [2, 1]
    assert [a["id"] for a in P.list_attempts(world.i1_, world.l1.id, assignment_id=world.asg["id"],
                                             db=world.db)] == [world.a1]


def test_a_real_score_report_is_stored_faithfully(world):
    """The contract with `scoring`: its ScoreReport goes in as is; totals, component percents
    and items match, and an override moves the total by exactly the points it restores."""
    scoring = pytest.importorskip("scoring")
    samples = pytest.importorskip("scoring.samples")
    from cases.model import Answer
    key = samples.heart_failure()
    answer = replace(Answer.from_key(key), principal_dx=("I50.9", "Y"))
    scored = scoring.score(answer, key)
    attempt_id = submit(world.l2_, answer=answer, rep=scored, db=world.db)
    stored = P.get_attempt(world.l2_, attempt_id, db=world.db)
    assert stored["total"] == scored.total < 100
    assert stored["rubric_version"] == f"{scored.rubric_id}@{scored.rubric_version}"
    assert stored["answer"] == answer.to_dict()
    for component in scored.components:
        if component.applicable:
            assert stored[f"score_{component.name}"] == pytest.approx(component.percent, abs=0.01)
    assert len(stored["items"]) == len(scored.items)
    pdx = next(i for i in stored["items"] if i["component"] == "pdx")
    change = P.override_item(world.i1_, attempt_id, pdx["idx"], pdx["max"], "I50.9 accepted", db=world.db)
    assert change["new_total"] == pytest.approx(scored.total + pdx["max"] - pdx["score"], abs=0.01)


# ----------------------------------------------------------------------------- drafts
def test_draft_survives_a_new_connection_and_sets_the_start_time(world, db_file):
    P.save_draft(world.l2_, scenario_id="sepsis_uti", seed=2, answer={"drg": "871"}, now=T0, db=world.db)
    P.save_draft(world.l2_, scenario_id="sepsis_uti", seed=2, answer={"drg": "872"},
                 now=T0 + timedelta(minutes=5), db=world.db)
    reopened = connect(db_file)   # a reload or a new sign-in gets a fresh connection
    draft = P.load_draft(world.l2_, scenario_id="sepsis_uti", seed=2, db=reopened)
    assert draft["answer"] == {"drg": "872"} and draft["started_at"] == "2026-03-02T09:00:00Z"
    assert [d["scenario_id"] for d in P.list_drafts(world.l2_, db=reopened)] == ["sepsis_uti"]
    assert P.load_draft(world.l1_, scenario_id="sepsis_uti", seed=2, db=reopened) is None
    attempt_id = submit(world.l2_, "sepsis_uti", 2, submitted_at=T0 + timedelta(minutes=20), db=reopened)
    assert P.get_attempt(world.l2_, attempt_id, db=reopened)["duration_s"] == 1200
    assert P.load_draft(world.l2_, scenario_id="sepsis_uti", seed=2, db=reopened) is None


def test_drafts_are_per_case_and_assignment(world):
    P.save_draft(world.l1_, scenario_id="sepsis_uti", seed=2, answer={"a": 1}, db=world.db)
    P.save_draft(world.l1_, scenario_id="sepsis_uti", seed=2, answer={"a": 2},
                 assignment_id=world.asg["id"], db=world.db)
    assert len(P.list_drafts(world.l1_, db=world.db)) == 2
    assert P.discard_draft(world.l1_, scenario_id="sepsis_uti", seed=2, db=world.db)
    assert not P.discard_draft(world.l1_, scenario_id="sepsis_uti", seed=2, db=world.db)
    assert P.load_draft(world.l1_, scenario_id="sepsis_uti", seed=2, assignment_id=world.asg["id"],
                        db=world.db)["answer"] == {"a": 2}


# ----------------------------------------------------------------------------- overrides and disputes
def test_override_changes_scores_with_an_audit_trail(world):
    change = P.override_item(world.i1_, world.a1, 1, 1.0, "I10 is documented in the H&P",
                             now=T0, db=world.db)
    assert (change["old_score"], change["new_score"], change["old_total"], change["new_total"]) == (
        0.0, 1.0, 30.0, 50.0)
    attempt = P.get_attempt(world.l1_, world.a1, db=world.db)   # the learner sees it all
    assert attempt["total"] == 50.0 and attempt["score_sdx"] == 50.0
    assert attempt["items"][1]["score"] == 1.0
    assert attempt["overrides"][0]["reason"] == "I10 is documented in the H&P"
    assert attempt["overrides"][0]["by_name"] == world.i1.display_name
    assert json.loads(one(world.db, "SELECT report_json FROM attempt_payloads WHERE attempt_id = ?",
                          [world.a1])["report_json"]) == weak_report()   # the original is kept
    P.override_item(world.i1_, world.a1, 1, 0.0, "Changed my mind", db=world.db)
    assert P.get_attempt(world.l1_, world.a1, db=world.db)["total"] == 30.0


def test_override_moves_topic_mastery_too(world):
    attempt_id = submit(world.l2_, rep=weak_report(), topics=["tp_hf"], db=world.db)
    P.override_item(world.i1_, attempt_id, 4, 1.0, "DRG ok", db=world.db)
    assert P.mastery(world.l2_, db=world.db)["topics"] == [{"topic": "tp_hf", "mean": 50.0, "n": 1}]


def test_override_keeps_the_scorer_total_and_adds_the_correction(world):
    attempt_id = submit(world.l2_, rep={**weak_report(), "total": 35.0}, db=world.db)
    assert P.override_item(world.i1_, attempt_id, 4, 1.0, "DRG ok", db=world.db)["new_total"] == 55.0


@pytest.mark.parametrize("idx, score, reason, error", [
    (1, 2.0, "too much", ValidationError), (1, -1, "negative", ValidationError),
    (1, 0.0, "no change", ValidationError), (1, 1.0, "  ", ValidationError), (99, 1.0, "x", NotFound),
])
def test_override_validation(world, idx, score, reason, error):
    with pytest.raises(error):
        P.override_item(world.i1_, world.a1, idx, score, reason, db=world.db)


def test_dispute_workflow(world):
    dispute = P.open_dispute(world.l1_, world.a1, 4, "The grouper gives 293 with my codes", db=world.db)
    assert dispute["status"] == "open"
    with pytest.raises(ValidationError, match="already"):
        P.open_dispute(world.l1_, world.a1, 4, "again", db=world.db)
    assert [d["id"] for d in P.list_disputes(world.i1_, db=world.db)] == [dispute["id"]]
    ruled = P.rule_dispute(world.i1_, dispute["id"], accept=True, ruling="Agreed: key updated",
                           new_score=0.5, now=T0, db=world.db)
    assert (ruled["status"], ruled["ruling"], ruled["ruled_by"]) == ("accepted", "Agreed: key updated",
                                                                     world.i1.id)
    attempt = P.get_attempt(world.l1_, world.a1, db=world.db)
    assert attempt["total"] == 40.0 and attempt["disputes"][0]["status"] == "accepted"
    assert attempt["overrides"][0]["reason"].startswith(f"Dispute #{dispute['id']} accepted")
    with pytest.raises(ValidationError, match="already been ruled"):
        P.rule_dispute(world.i1_, dispute["id"], accept=False, ruling="no", db=world.db)
    assert P.list_disputes(world.i1_, db=world.db) == []
    assert len(P.list_disputes(world.l1_, status="accepted", db=world.db)) == 1


def test_rejected_dispute_leaves_the_score_and_can_be_reopened(world):
    dispute = P.open_dispute(world.l1_, world.a1, 1, "I10 was implied", db=world.db)
    P.rule_dispute(world.i1_, dispute["id"], accept=False, ruling="Not documented", db=world.db)
    assert P.get_attempt(world.l1_, world.a1, db=world.db)["total"] == 30.0
    assert P.open_dispute(world.l1_, world.a1, 1, "New evidence", db=world.db)["status"] == "open"
    with pytest.raises(ValidationError):
        P.list_disputes(world.l1_, status="pending", db=world.db)


def test_failed_acceptance_changes_nothing(world):
    dispute = P.open_dispute(world.l1_, world.a1, 1, "please", db=world.db)
    with pytest.raises(ValidationError):
        P.rule_dispute(world.i1_, dispute["id"], accept=True, ruling="ok", new_score=5, db=world.db)
    assert P.list_disputes(world.l1_, db=world.db)[0]["status"] == "open"
