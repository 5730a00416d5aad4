"""progress.analytics on small hand-made data whose every figure is worked out in the comments."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import progress as P
from progress.errors import ValidationError
from progress.policy import AttemptPolicy
from progress_builders import PASSWORD, good_report, item, report, submit, weak_report

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)   # a Monday


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def school(db):
    """Cohort "HIM 101" (teacher) with ann, ben and cat (no attempts). Week 1 = hf/1 + sepsis/2,
    Week 2 = copd/3.
    ann: hf/1 W1 30 (day 1), hf/1 W1 100 (day 2), sepsis/2 W1 60 (day 8)   -> W1 (100+60)/2 = 80
    ben: hf/1 W1 40 (day 3), copd/3 W2 100 (day 9), practice pneumonia 30 (day 10)
                                                                         -> W1 40/2 = 20, W2 100
    """
    teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
    cohort = P.create_cohort(teacher.actor, "HIM 101", db=db)
    learners = {name: P.register_learner(cohort["join_code"], name, PASSWORD, display, db=db)
                for name, display in (("ann", "Ann"), ("ben", "Ben"), ("cat", "=Cat"))}
    best = AttemptPolicy(max_attempts=3, counts="best")
    week1 = P.create_assignment(teacher.actor, cohort["id"], "Week 1",
                                [("heart_failure", 1), ("sepsis_uti", 2)], due_at=day(7), policy=best, db=db)
    week2 = P.create_assignment(teacher.actor, cohort["id"], "Week 2", [("copd_exacerbation", 3)],
                                due_at=day(14), policy=best, db=db)
    ann, ben = learners["ann"].actor, learners["ben"].actor
    hf = {"mdc": 5, "topics": ["tp_hf", "tp_poa"], "assignment_id": week1["id"], "db": db, "now": day(0)}
    submit(ann, rep=weak_report(), submitted_at=day(1), **hf)
    submit(ann, rep=good_report(), submitted_at=day(2), **hf)
    submit(ann, "sepsis_uti", 2, rep={**good_report(), "total": 60}, submitted_at=day(8), mdc=18,
           topics=["tp_sepsis"], assignment_id=week1["id"], now=day(6), db=db)
    submit(ben, rep={**weak_report(), "total": 40}, submitted_at=day(3), **{**hf, "topics": ["tp_hf"]})
    submit(ben, "copd_exacerbation", 3, submitted_at=day(9), mdc=4, assignment_id=week2["id"],
           now=day(9), db=db)
    submit(ben, "pneumonia_simple", 5, rep=weak_report(), submitted_at=day(10), mdc=4, db=db)
    return SimpleNamespace(db=db, teacher=teacher.actor, cohort=cohort["id"], week1=week1["id"],
                           week2=week2["id"], ann=ann, ben=ben, cat=learners["cat"].actor)


def test_scores_over_time(school):
    points = P.scores_over_time(school.ann, db=school.db)
    assert [p["total"] for p in points] == [30, 100, 60]
    assert points[0]["score_pdx"] == 50 and points[0]["submitted_at"] == "2026-03-03T09:00:00Z"
    assert P.scores_over_time(school.teacher, school.ann.user_id, db=school.db) == points


def test_mastery_per_component_topic_and_mdc(school):
    found = P.mastery(school.ann, db=school.db)
    assert found["attempts"] == 3
    assert found["components"]["pdx"] == {"mean": pytest.approx(250 / 3), "n": 3}   # 50, 100, 100
    assert found["components"]["sdx"]["mean"] == pytest.approx(200 / 3)           # 0, 100, 100
    assert found["components"]["pcs"] == {"mean": None, "n": 0}
    assert found["topics"] == [{"topic": "tp_sepsis", "mean": 60, "n": 1},
                               {"topic": "tp_hf", "mean": 65, "n": 2}, {"topic": "tp_poa", "mean": 65, "n": 2}]
    assert found["mdc"] == [{"mdc": 18, "mean": 60, "n": 1}, {"mdc": 5, "mean": 65, "n": 2}]
    cohort = P.mastery(school.teacher, cohort_id=school.cohort, db=school.db)
    assert cohort["attempts"] == 6
    assert {t["topic"]: t["n"] for t in cohort["topics"]} == {"tp_hf": 3, "tp_poa": 2, "tp_sepsis": 1}


def test_weakest_skills(school):
    weakest = P.weakest_skills(school.ann, limit=5, min_attempts=2, db=school.db)
    assert [(w["kind"], w["key"]) for w in weakest] == [
        ("mdc", 5), ("topic", "tp_hf"), ("topic", "tp_poa"), ("component", "drg"), ("component", "sdx")]
    assert P.weakest_skills(school.cat, db=school.db) == []


def test_weekly_trend(school):
    trend = P.weekly_trend(school.teacher, cohort_id=school.cohort, db=school.db)
    assert [(t["week"], t["attempts"], t["learners"]) for t in trend] == [
        ("2026-03-02", 3, 2), ("2026-03-09", 3, 2)]
    assert trend[0]["mean"] == pytest.approx((30 + 100 + 40) / 3)
    assert trend[1]["mean"] == pytest.approx((60 + 100 + 30) / 3)
    assert [t["attempts"] for t in P.weekly_trend(school.ben, db=school.db)] == [1, 2]


def test_gradebook(school):
    book = P.gradebook(school.teacher, school.cohort, db=school.db)
    assert [a["title"] for a in book["assignments"]] == ["Week 1", "Week 2"]
    by_name = {r["username"]: r for r in book["rows"]}
    assert by_name["ann"]["scores"] == {school.week1: 80, school.week2: None}
    assert by_name["ben"]["scores"] == {school.week1: 20, school.week2: 100}
    assert by_name["ben"]["done"] == {school.week1: 1, school.week2: 1}
    assert by_name["cat"]["scores"] == {school.week1: None, school.week2: None}
    assert (by_name["ann"]["average"], by_name["ben"]["average"], by_name["cat"]["average"]) == (80, 60, None)


def test_gradebook_csv_for_an_lms(school):
    text = P.gradebook_csv(school.teacher, school.cohort, db=school.db)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["username", "display_name", f"Week 1 [{school.week1}]",
                        f"Week 2 [{school.week2}]", "average"]
    rows = {r[0]: r for r in table[1:]}
    assert rows["ann"] == ["ann", "Ann", "80.0", "", "80.0"]
    assert rows["ben"] == ["ben", "Ben", "20.0", "100.0", "60.0"]
    assert rows["cat"] == ["cat", "'=Cat", "", "", ""]   # no spreadsheet formula
    assert text.endswith("\r\n")


def test_assignment_summary(school):
    week1, week2 = P.assignment_summary(school.teacher, school.cohort, db=school.db)
    assert (week1["learners"], week1["started"], week1["completed"]) == (3, 2, 1)
    assert week1["completion_rate"] == pytest.approx(1 / 3)
    assert (week1["mean"], week1["median"]) == (50, 50)
    assert week1["bins"] == [0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    assert (week2["started"], week2["completed"], week2["mean"], week2["bins"][9]) == (1, 1, 100, 1)


def test_learner_assignments(school):
    week1, week2 = P.learner_assignments(school.ben, db=school.db)
    assert [i["best"] for i in week1["items"]] == [40, None]
    assert (week1["done"], week1["score"], week1["cohort_name"]) == (1, 20, "HIM 101")
    assert (week2["done"], week2["score"]) == (1, 100)
    assert [a["score"] for a in P.learner_assignments(school.cat, db=school.db)] == [None, None]


@pytest.fixture
def item_bank(db):
    """Ten learners, one "dka" attempt each, totals 10, 20 ... 100 by rank. pdx E10.10 is right
    for the top five (the others enter E11.10); sdx E87.2 is right for everyone; the bottom three
    also add an extra E78.5. A "dka" attempt of the teacher's own is out of scope."""
    teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
    cohort = P.create_cohort(teacher.actor, "Item bank", db=db)
    for rank in range(1, 11):
        learner = P.create_user(teacher.actor, f"learner{rank:02}", PASSWORD, cohort_id=cohort["id"], db=db)
        pdx = (item("pdx", "E10.10", "E10.10", "correct", 1) if rank > 5
               else item("pdx", "E10.10", "E11.10", "wrong", 0))
        extra = [item("sdx", None, "E78.5", "extra", 0)] if rank <= 3 else []
        rep = report(pdx, item("sdx", "E87.2", "E87.2", "correct", 1), *extra, total=10 * rank)
        submit(learner.actor, "dka", 1, rep=rep, db=db)
    outsider = P.provision_user("outsider", PASSWORD, "learner", db=db)
    submit(outsider.actor, "dka", 1, rep=report(item("pdx", "E10.10", "X", "wrong", 0)), db=db)
    return SimpleNamespace(db=db, teacher=teacher.actor, cohort=cohort["id"])


def test_item_analysis_per_scenario(item_bank):
    found = P.item_analysis(item_bank.teacher, scenario_id="dka", db=item_bank.db)
    assert found["attempts"] == 10
    pdx, sdx = found["items"]   # hardest first
    assert (pdx["expected"], pdx["n"], pdx["pct_correct"]) == ("E10.10", 10, 50)
    assert pdx["discrimination"] == 1.0   # top 3 all right, bottom 3 all wrong
    assert pdx["common_wrong"] == [{"entered": "E11.10", "n": 5}]
    assert (sdx["pct_correct"], sdx["discrimination"], sdx["common_wrong"]) == (100, 0, [])
    assert found["extras"] == [{"component": "sdx", "code": "E78.5", "n": 3}]


def test_item_analysis_per_code_and_cohort(item_bank):
    found = P.item_analysis(item_bank.teacher, code="E10.10", cohort_id=item_bank.cohort, db=item_bank.db)
    assert [(i["component"], i["expected"]) for i in found["items"]] == [("pdx", "E10.10")]
    assert found["extras"] == []
    admin = P.Actor(P.provision_user("root", PASSWORD, "admin", db=item_bank.db).id, "admin")
    assert P.item_analysis(admin, code="E10.10", db=item_bank.db)["items"][0]["n"] == 11
    with pytest.raises(ValidationError):
        P.item_analysis(item_bank.teacher, db=item_bank.db)


def test_small_groups_have_no_discrimination(school):
    found = P.item_analysis(school.teacher, scenario_id="sepsis_uti", db=school.db)
    assert found["attempts"] == 1 and found["items"][0]["discrimination"] is None


def test_items_are_keyed_by_label_and_abstraction_fields_by_label_alone(db):
    teacher = P.provision_user("teacher", PASSWORD, "admin", db=db).actor
    for n, (expected, entered) in enumerate((("01", "01"), ("06", "01"), ("01", "20"))):
        learner = P.provision_user(f"coder{n}", PASSWORD, "learner", db=db).actor
        ok = expected == entered
        submit(learner, "afib_rvr", n, db=db, rep=report(
            item("abstraction", expected, entered, "correct" if ok else "wrong", int(ok), label="Disposition"),
            item("drg", "DRG 309", "DRG 310", "near_miss", 0.5, label="DRG your codes group to"),
            item("drg", "DRG 309", "309", "correct", 1, label="DRG you chose")))
    rows = {(i["component"], i["label"], i["expected"]): i
            for i in P.item_analysis(teacher, scenario_id="afib_rvr", db=db)["items"]}
    assert set(rows) == {("abstraction", "Disposition", None), ("drg", "DRG your codes group to", "DRG 309"),
                         ("drg", "DRG you chose", "DRG 309")}
    disposition = rows["abstraction", "Disposition", None]
    assert disposition["n"] == 3 and disposition["pct_correct"] == pytest.approx(100 / 3)
    assert disposition["common_wrong"] == [{"entered": "01", "n": 1}, {"entered": "20", "n": 1}]
    assert rows["drg", "DRG you chose", "DRG 309"]["pct_correct"] == 100


# ----------------------------------------------------------------------------- small numbers, one spelling
def test_wrong_answers_are_counted_after_normalisation(db):
    """"195", "drg195" and "DRG 195" are one wrong DRG; "i509" and "I50.9" one wrong code."""
    teacher = P.provision_user("teacher", PASSWORD, "admin", db=db).actor
    typed = [("195", "i509"), ("DRG 195", "I50.9"), (" drg195 ", "I509"), ("194", "I50.9")]
    for n, (drg, code) in enumerate(typed):
        learner = P.provision_user(f"coder{n}", PASSWORD, "learner", db=db).actor
        submit(learner, "chf", n, db=db, rep=report(
            item("drg", "DRG 291", drg, "wrong", 0, label="DRG you chose"),
            item("pdx", "I50.21", code, "near_miss", 0.5), item("sdx", None, code.lower(), "extra", 0)))
    found = P.item_analysis(teacher, scenario_id="chf", db=db)
    rows = {(i["component"], i["expected"]): i for i in found["items"]}
    assert rows["drg", "DRG 291"]["common_wrong"] == [{"entered": "DRG 195", "n": 3}, {"entered": "DRG 194", "n": 1}]
    assert rows["pdx", "I50.21"]["common_wrong"] == [{"entered": "I50.9", "n": 4}]
    assert found["extras"] == [{"component": "sdx", "code": "I50.9", "n": 4}]
    assert P.normalize_answer("abstraction", "  Home  health ") == "Home health"
    assert P.normalize_answer("pdx", "not a code") == "NOT A CODE"


def test_rates_below_the_minimum_n_are_marked(db):
    """MIN_N answers make a finding: below it an item is `enough` False, at it True."""
    teacher = P.provision_user("teacher", PASSWORD, "admin", db=db).actor
    for n in range(P.MIN_N):
        learner = P.provision_user(f"coder{n}", PASSWORD, "learner", db=db).actor
        items = [item("pdx", "I50.21", "I50.21", "correct", 1)]
        if n < P.MIN_N - 1:      # one answer fewer for the sdx item
            items.append(item("sdx", "I10", None, "missing", 0))
        submit(learner, "chf", n, db=db, rep=report(*items))
        P.record_response(learner, "q-few", "B", False, domain="coding_cm", db=db)
        P.record_response(learner, "q-many", "A", True, domain="privacy", db=db)
    rows = {i["component"]: i for i in P.item_analysis(teacher, scenario_id="chf", db=db)["items"]}
    assert (rows["pdx"]["n"], rows["pdx"]["enough"]) == (P.MIN_N, True)
    assert (rows["sdx"]["n"], rows["sdx"]["enough"], rows["sdx"]["pct_correct"]) == (P.MIN_N - 1, False, 0)
    questions = {q["question_id"]: q for q in P.question_analysis(teacher, db=db)}
    assert questions["q-few"] == {"question_id": "q-few", "domain": "coding_cm", "topic": "", "n": P.MIN_N,
                                  "correct": 0, "pct_correct": 0.0, "enough": True,
                                  "common_wrong": {"chosen": "B", "n": P.MIN_N}}
    assert questions["q-many"]["common_wrong"] is None
    mine = P.question_mastery(P.Actor(2, "learner"), db=db)
    assert [(m["key"], m["n"], m["enough"]) for m in mine] == [("coding_cm", 1, False), ("privacy", 1, False)]
