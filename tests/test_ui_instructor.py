"""AppTest: the instructor pages (cohorts, assignments, gradebook, item analysis, drill-down,
trends, blueprints) for each role, including learners and anonymous visitors who must be refused."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyarrow as pa

import pytest
import yaml
from streamlit.testing.v1 import AppTest
from progress_builders import ROSTER
from uitest import run_as

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PASSWORD = "Teach-Codes-2026"
INSTRUCTOR_PAGES = ["cohorts", "assignments", "gradebook", "item_analysis", "drilldown", "trends", "blueprints"]


@pytest.fixture
def world(tmp_db, tmp_path, monkeypatch):
    """Two instructors with a cohort each, two learners in the first one, scored attempts."""
    import cases
    import progress as P
    import scoring
    monkeypatch.setenv("CHARTLAB_BLUEPRINT_DIR", str(tmp_path / "blueprints"))
    w = type("World", (), {})()
    w.inst = P.provision_user("ines", PASSWORD, "instructor", "Ines Instructor")
    w.other = P.provision_user("omar", PASSWORD, "instructor", "Omar Other")
    w.admin = P.provision_user("ada", PASSWORD, "admin", "Ada Admin")
    w.lena = P.provision_user("lena", PASSWORD, "learner", "Lena Learner")
    w.liam = P.provision_user("liam", PASSWORD, "learner", "Liam Learner")
    w.stranger = P.provision_user("sam", PASSWORD, "learner", "Sam Stranger")
    w.cohort = P.create_cohort(w.inst.actor, "Spring cohort")
    w.secret = P.create_cohort(w.other.actor, "Omar secret cohort")
    for learner in (w.lena, w.liam):   # the learners' consent: they join with the code
        P.join_cohort(learner.actor, w.cohort["join_code"])
    P.join_cohort(w.stranger.actor, w.secret["join_code"])
    w.assignment = P.create_assignment(w.inst.actor, w.cohort["id"], "Week 1 heart failure",
                                       [{"scenario": "heart_failure", "seed": 11}, {"scenario": "sepsis_uti", "seed": 12}],
                                       policy=P.AttemptPolicy(max_attempts=None, counts="best", key_shown="after_attempt"))
    lib = cases.library()

    def attempt(learner, scenario, seed, perfect, assignment_id=None):
        case = cases.generate(scenario, seed, lib)
        answer = cases.Answer.from_key(case.key) if perfect else cases.Answer(
            principal_dx=("R06.02", "Y"), secondary_dx=(("I10", "Y"),))
        report = scoring.score(answer, case.key)
        return P.save_attempt(learner.actor, answer=answer.to_dict(), report=report, assignment_id=assignment_id,
                              **P.case_ref(case))

    w.attempts = [attempt(w.lena, "heart_failure", 11, True, w.assignment["id"]),
                  attempt(w.lena, "sepsis_uti", 12, False, w.assignment["id"]),
                  attempt(w.liam, "heart_failure", 11, False, w.assignment["id"]),
                  attempt(w.liam, "appendicitis_lap", 3, False)]
    w.secret_attempt = attempt(w.stranger, "heart_failure", 5, False)
    return w


def page_alone(user, page: str) -> AppTest:
    """The page file run on its own (as a typed URL would reach it if the menu let it through)."""
    at = AppTest.from_file(str(ROOT / "ui" / "pages" / f"{page}.py"), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [e.value for e in at.error]
    parts += [e.value for e in at.success] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [str(c.value) for c in at.code] + [t.value for t in at.title] + [t.value for t in at.subheader]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(parts)


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} among {[b.label for b in at.button]}"
    return found[0]


# ----------------------------------------------------------------------------- roles
@pytest.mark.parametrize("page", INSTRUCTOR_PAGES)
@pytest.mark.parametrize("who", ["inst", "admin"])
def test_every_instructor_page_renders_for_staff(world, page, who):
    at = run_as(getattr(world, who), page)
    assert not at.error, [e.value for e in at.error]
    assert at.title


@pytest.mark.parametrize("page", INSTRUCTOR_PAGES)
def test_learner_is_refused_by_every_instructor_page(world, page):
    at = page_alone(world.lena, page)
    assert [e.value for e in at.error] == [
        "This page is for instructors or administrators. You are signed in as a learner."]
    assert not at.dataframe and not at.selectbox and not at.button and not at.title
    # and the router never offers the page to a learner at all
    router = run_as(world.lena)
    with pytest.raises(ValueError):
        router.switch_page(f"ui/pages/{page}.py")


@pytest.mark.parametrize("page", INSTRUCTOR_PAGES)
def test_anonymous_visitor_is_refused(tmp_db, page):
    at = page_alone(None, page)
    assert [w.value for w in at.warning] == ["Please sign in to use this page."]
    assert not at.dataframe and not at.selectbox and not at.title


def test_instructor_sees_only_own_cohorts(world):
    import progress as P
    at = run_as(world.inst, "cohorts")
    options = at.selectbox(key="cohorts_cohort").options
    assert any("Spring cohort" in o for o in options)
    assert not any("secret" in o for o in options)
    assert "sam" not in text_of(at)
    # forcing the other instructor's cohort id is refused by progress, with its own message
    at.session_state["instructor_cohort"] = world.secret["id"]
    at.switch_page("ui/pages/gradebook.py").run()
    assert "Omar" not in text_of(at) and "sam" not in text_of(at)
    with pytest.raises(P.PermissionDenied):
        P.gradebook(world.inst.actor, world.secret["id"])
    at = run_as(world.inst, "drilldown")
    learners = at.selectbox(key="drill_learner").options
    assert not any("Sam" in o for o in learners)
    # an admin sees both cohorts, each named with its owner
    at = run_as(world.admin, "cohorts")
    options = at.selectbox(key="cohorts_cohort").options
    assert any("secret" in o and "Omar" in o for o in options)


# ----------------------------------------------------------------------------- cohorts
def test_create_cohort_and_csv_roster_with_malformed_rows(world):
    import progress as P
    at = run_as(world.inst, "cohorts")
    at.text_input[0].input("Autumn cohort")
    button(at, "Create cohort").click().run()
    assert not at.exception
    assert any("Autumn cohort" in s.value and "join code" in s.value for s in at.success)
    autumn = next(c for c in P.list_cohorts(world.inst.actor) if c["name"] == "Autumn cohort")
    assert autumn["join_code"] in text_of(at)

    at.file_uploader[0].set_value(("roster.csv", ROSTER.encode(), "text/csv")).run()
    assert not at.exception
    preview = at.dataframe[-1].value
    assert list(preview["Username"]) == ["newbie1", "lena", "x", "weakling", "newbie1", "ghost", "toomany"]
    checks = dict(zip(preview["Line"], preview["Check"]))
    assert [line for line, c in checks.items() if c.startswith("✓")] == [2, 3]
    reasons = {line.split(" (")[0]: line for line in text_of(at).splitlines() if line.startswith("- Line ")}
    assert "3 to 32 characters" in reasons["- Line 4"] and "password is too weak" in reasons["- Line 5"]
    assert "line 2" in reasons["- Line 6"] and "fields" in reasons["- Line 8"]
    assert "no learner with this username is in your cohorts" in reasons["- Line 7"]
    button(at, "Import 2 ready rows").click().run()
    assert not at.exception
    result = at.dataframe[-1].value
    outcomes = dict(zip(result["Line"], result["Result"]))
    assert [line for line, r in outcomes.items() if r.startswith("✓")] == [2, 3]
    assert "no learner with this username is in your cohorts" in result.loc[result["Line"] == 7, "Detail"].iloc[0]
    assert any("3 imported" in w.value or "imported" in w.value for w in at.warning)
    assert at.download_button, "the rejected rows can be downloaded to fix them"
    members = {m["username"] for m in P.cohort_members(world.inst.actor, autumn["id"])}
    assert members == {"newbie1", "lena"}
    assert P.authenticate("newbie1", "Coding-Rules-77").display_name == "New Bie"


def test_remove_member_and_reset_password(world):
    import progress as P
    at = run_as(world.inst, "cohorts")
    at.selectbox(key="remove_who").set_value(world.liam.id)
    at.checkbox(key="remove_sure").check().run()
    button(at, "Remove from cohort").click().run()
    assert not at.exception
    assert any("removed" in s.value for s in at.success)
    assert {m["username"] for m in P.cohort_members(world.inst.actor, world.cohort["id"])} == {"lena"}

    at.selectbox(key="reset_who").set_value(world.lena.id)
    inputs = [t for t in at.text_input if t.label.startswith("New password") or t.label.startswith("Repeat the new")]
    inputs[0].input("Brand-New-Pass-1")
    inputs[1].input("Brand-New-Pass-2")
    button(at, "Reset password").click().run()
    assert any("differ" in e.value for e in at.error)
    inputs = [t for t in at.text_input if t.label.startswith("New password") or t.label.startswith("Repeat the new")]
    inputs[0].input("short")
    inputs[1].input("short")
    button(at, "Reset password").click().run()
    assert any("at least 10" in e.value for e in at.error) and not at.exception
    inputs = [t for t in at.text_input if t.label.startswith("New password") or t.label.startswith("Repeat the new")]
    inputs[0].input("Brand-New-Pass-1")
    inputs[1].input("Brand-New-Pass-1")
    button(at, "Reset password").click().run()
    assert any("Password reset" in s.value for s in at.success)
    assert P.authenticate("lena", "Brand-New-Pass-1").id == world.lena.id


# ----------------------------------------------------------------------------- assignments
def test_create_assignment_by_picking_n_with_progress_bar(world):
    import cases
    import progress as P
    at = run_as(world.inst, "assignments")
    at.radio(key="asg_mode").set_value("pick").run()
    at.number_input(key="asg_n").set_value(4).run()
    plan = at.dataframe[-1].value
    assert len(plan) == 4 and plan["Case"].nunique() == 4 and "Id" not in plan
    again = run_as(world.inst, "assignments")
    again.radio(key="asg_mode").set_value("pick").run()
    again.number_input(key="asg_n").set_value(4).run()
    assert list(again.dataframe[-1].value["Case"]) == list(plan["Case"]), "fixed seeds: same inputs, same charts"

    button(at, "Generate cases and create assignment").click().run()
    assert any("title" in e.value for e in at.error)
    at.text_input[0].input("Week 2 mixed")
    at.selectbox(key="asg_rubric").set_value("exam")
    button(at, "Generate cases and create assignment").click().run()
    assert not at.exception
    assert any("Week 2 mixed" in s.value and "4 cases" in s.value for s in at.success)
    made = next(a for a in P.list_assignments(world.inst.actor, world.cohort["id"]) if a["title"] == "Week 2 mixed")
    assert made["rubric"] == "exam" and made["exam_mode"] == 1, "the exam rubric runs in exam mode"
    titles = {s["id"]: s["title"] for s in cases.list_scenarios()}
    assert [(titles[i["scenario"]], i["seed"]) for i in made["items"]] == list(zip(plan["Scenario"], plan["Case"]))


def test_create_assignment_by_choosing_scenarios_with_dates(world):
    import datetime as dt
    import progress as P
    at = run_as(world.inst, "assignments")
    at.multiselect(key="asg_mdc").set_value([5]).run()
    import cases
    mdc5 = {s["id"] for s in cases.list_scenarios() if s["mdc"] == 5}
    options = at.multiselect(key="asg_chosen").options
    titles = {s["id"]: s["title"] for s in cases.list_scenarios()}
    assert sorted(options) == sorted(titles[i] for i in mdc5), "titles, not scenario ids"
    at.multiselect(key="asg_chosen").set_value(["heart_failure"]).run()
    at.number_input(key="asg_per").set_value(3).run()
    at.text_input[0].input("Heart failure x3")
    at.date_input[0].set_value(dt.date(2026, 12, 10))
    at.date_input[1].set_value(dt.date(2026, 12, 1))
    button(at, "Generate cases and create assignment").click().run()
    assert any("due date is before the opening date" in e.value for e in at.error), "clear message, no traceback"
    at.date_input[1].set_value(dt.date(2026, 12, 20))
    button(at, "Generate cases and create assignment").click().run()
    assert not at.exception
    made = next(a for a in P.list_assignments(world.inst.actor, world.cohort["id"]) if a["title"] == "Heart failure x3")
    assert len(made["items"]) == 3 and {i["scenario"] for i in made["items"]} == {"heart_failure"}
    assert made["opens_at"] == "2026-12-10T00:00:00Z" and made["due_at"] == "2026-12-20T23:45:00Z"


# ----------------------------------------------------------------------------- gradebook
def test_gradebook_table_and_csv(world, monkeypatch):
    import progress as P
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    downloads = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        downloads[filename] = path_or_data
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    at = run_as(world.inst, "gradebook")
    table = at.dataframe[0].value
    assert list(table["Username"]) == ["lena", "liam"]
    column = f"Week 1 heart failure [{world.assignment['id']}]"
    assert table.loc[table["Username"] == "lena", column].iloc[0] > table.loc[table["Username"] == "liam", column].iloc[0]
    assert at.download_button[0].label == "Gradebook (CSV)"
    data = downloads["gradebook-Spring-cohort.csv"]
    text = data.decode() if isinstance(data, bytes) else data
    assert text == P.gradebook_csv(world.inst.actor, world.cohort["id"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["username"] for r in rows] == ["lena", "liam"] and column in rows[0]
    assert float(rows[0][column]) > float(rows[1][column])
    as_text = {name: (d.decode() if isinstance(d, bytes) else d) for name, d in downloads.items()
               if name and name.endswith((".csv", ".html"))}
    assert as_text["canvas-Spring-cohort.csv"].startswith("Student,ID,SIS User ID,SIS Login ID,Section,Week 1 heart failure")
    assert as_text["moodle-Spring-cohort.csv"].startswith("Username,Full name,Week 1 heart failure")
    assert as_text["blackboard-Spring-cohort.csv"].startswith('"Last Name","First Name","Username","Student ID"')
    assert "principal_dx" in as_text["components-Spring-cohort.csv"].splitlines()[0]
    attempts = list(csv.DictReader(io.StringIO(as_text["attempts-Spring-cohort.csv"])))
    assert len(attempts) == 3 and {a["item"] for a in attempts} >= {"Shortness of breath and leg swelling (case #11)"}
    report = as_text["report-lena-Spring-cohort.html"]
    assert "Progress report: Lena Learner" in report and "Week 1 heart failure" in report


# ----------------------------------------------------------------------------- item analysis and trends
def test_item_analysis_states_the_minimum_n_and_charts_only_enough_answers(world):
    import cases
    import progress as P
    import scoring
    at = run_as(world.inst, "item_analysis")
    assert not at.error
    text = text_of(at)
    assert f"fewer than {P.MIN_N} answers" in text, "the threshold is stated on the page"
    assert "Most common wrong answers" in text and "R06.02" in text, "small numbers are listed (greyed), not hidden"
    assert not at.get("vega_lite_chart"), "no chart from 1-2 answers"
    assert "Left out" in text and "(n=2)" in text
    case = cases.generate("heart_failure", 11)
    for _ in range(P.MIN_N):   # practice attempts at the same case: now there are enough answers
        answer = cases.Answer(principal_dx=("R06.02", "Y"))
        P.save_attempt(world.liam.actor, answer=answer.to_dict(), report=scoring.score(answer, case.key), **P.case_ref(case))
    at = run_as(world.inst, "item_analysis")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2
    labels = [v for c in charts for d in c.proto.datasets
              for v in pa.ipc.open_stream(d.data.data).read_pandas().get("Label", [])]
    assert "0% · n=7" in labels or any(v.endswith("n=7") for v in labels), labels   # the bar says rate and count
    at.text_input(key="items_code").input("i11.0").run()
    assert not at.exception
    at.text_input(key="items_code").input("%%%").run()
    assert not at.exception


def test_trends_show_distribution_and_weekly_charts(world):
    at = run_as(world.inst, "trends")
    assert not at.error
    text = text_of(at)
    assert "Week 1 heart failure" in text and "2 of 2 learners started" in text
    assert len(at.get("vega_lite_chart")) >= 3


def test_empty_cohort_pages_explain_themselves(world):
    import progress as P
    fresh = P.provision_user("nina", PASSWORD, "instructor", "Nina New")
    for page in ["gradebook", "item_analysis", "drilldown", "trends", "assignments"]:
        at = run_as(fresh, page)
        assert any("no cohorts yet" in i.value for i in at.info), page


# ----------------------------------------------------------------------------- drill-down
def test_override_with_reason_appears_in_audit_trail(world):
    import progress as P
    at = run_as(world.inst, "drilldown")
    at.selectbox(key="drill_learner").set_value(world.liam.id).run()
    attempt_box = at.selectbox(key=f"drill_attempt_{world.liam.id}")
    attempt_id = world.attempts[2]
    attempt_box.set_value(attempt_id).run()
    assert not at.exception
    text = text_of(at)
    assert "Every blank" in text and "Feedback the learner received" in text
    pdx = next(i for i in P.get_attempt(world.inst.actor, attempt_id)["items"] if i["component"] == "pdx")
    form_select = [s for s in at.selectbox if s.label == "Item"][0]
    form_select.set_value(pdx["idx"])
    at.number_input[0].set_value(pdx["max"] / 2)
    button(at, "Save override").click().run()
    assert any("reason" in e.value.lower() for e in at.error), "a reason is required"
    form_select = [s for s in at.selectbox if s.label == "Item"][0]
    form_select.set_value(pdx["idx"])
    at.number_input[0].set_value(pdx["max"] / 2)
    at.text_area[0].input("Symptom code accepted: provider documented it as the reason for admission.")
    button(at, "Save override").click().run()
    assert not at.exception
    assert any("Override saved" in s.value for s in at.success)
    audit = at.dataframe[-1].value
    assert "Symptom code accepted" in audit["Reason"].iloc[0] and audit["By"].iloc[0] == "Ines Instructor"
    now_total = P.get_attempt(world.inst.actor, attempt_id)["total"]
    picker = at.selectbox(key=f"drill_attempt_{world.liam.id}")
    assert picker.value == attempt_id, "still on the same attempt after the override"
    assert f"total {now_total:.1f}" in next(o for o in picker.options if o.startswith(f"#{attempt_id} ")), \
        "the picker shows the total after the override"
    learner_view = P.get_attempt(world.liam.actor, attempt_id)
    assert learner_view["overrides"][0]["reason"].startswith("Symptom code accepted")


def test_dispute_is_ruled(world):
    import progress as P
    attempt_id = world.attempts[1]
    items = P.get_attempt(world.lena.actor, attempt_id)["items"]
    pdx = next(i for i in items if i["component"] == "pdx")
    dispute = P.open_dispute(world.lena.actor, attempt_id, pdx["idx"], "The discharge summary supports my code.")
    at = run_as(world.inst, "drilldown")
    assert "Disputes (1 open)" in [t.label for t in at.tabs]
    assert "The discharge summary supports my code." in [t.value for t in at.text]
    button(at, "Record ruling").click().run()
    assert any("ruling" in e.value.lower() for e in at.error), "a ruling text is required"
    at.radio(key=f"rule_decision_{dispute['id']}").set_value("accept")
    at.number_input(key=f"rule_score_{dispute['id']}").set_value(pdx["max"])
    at.text_area(key=f"rule_text_{dispute['id']}").input("Agreed: the summary names it as the reason for admission.")
    button(at, "Record ruling").click().run()
    assert not at.exception
    assert any("accepted" in s.value for s in at.success)
    ruled = P.list_disputes(world.inst.actor, status=None, cohort_id=world.cohort["id"])[0]
    assert ruled["status"] == "accepted" and ruled["score"] == pdx["max"]
    assert "Disputes (0 open)" in [t.label for t in at.tabs]
    trail = P.get_attempt(world.lena.actor, attempt_id)["overrides"]
    assert trail and trail[0]["reason"].startswith(f"Dispute #{dispute['id']} accepted")


def test_instructor_cannot_grade_other_instructors_learner(world):
    import progress as P
    with pytest.raises(P.PermissionDenied):
        P.get_attempt(world.inst.actor, world.secret_attempt)
    at = run_as(world.inst, "drilldown")
    assert world.secret_attempt not in at.selectbox(key=f"drill_attempt_{world.lena.id}").options
    assert not any("Sam" in o for o in at.selectbox(key="drill_learner").options)


# ----------------------------------------------------------------------------- blueprints
def test_blueprint_edit_validates_and_saves(world, tmp_path):
    from lessons import blueprint as store
    at = run_as(world.inst, "blueprints")
    at.selectbox(key="bp_pick").set_value("cca-practice").run()
    minutes = [n for n in at.number_input if n.label == "Time limit (minutes)"][0]
    minutes.set_value(45)
    at.session_state["bp_domains_cca-practice"] = {"edited_rows": {0: {"Weight %": 90.0, "Tags": "coding_cm, astrology"}},
                                                   "added_rows": [], "deleted_rows": []}
    button(at, "Validate and save").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Not saved" in errors and "astrology" in errors and "100%" in errors
    assert store.get_blueprint("cca-practice").minutes == 30, "nothing written while invalid"

    at.session_state["bp_domains_cca-practice"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    minutes = [n for n in at.number_input if n.label == "Time limit (minutes)"][0]
    minutes.set_value(45)
    button(at, "Validate and save").click().run()
    assert not at.exception and any("Saved" in s.value for s in at.success)
    saved = store.get_blueprint("cca-practice")
    assert saved.minutes == 45 and saved.overridden
    assert (tmp_path / "blueprints" / "cca-practice.yaml").is_file()
    data = yaml.safe_load((tmp_path / "blueprints" / "cca-practice.yaml").read_text())
    assert "domains" not in data, "unchanged domains keep following the base blueprint"

    at.checkbox(key="bp_reset_sure_cca-practice").check().run()
    button(at, "Restore the shipped blueprint").click().run()
    assert store.get_blueprint("cca-practice").minutes == 30


# ----------------------------------------------------------------------------- question sets and exams
def _answer_current_question(at: AppTest, right: bool) -> None:
    quiz = at.session_state["quiz"]
    q = quiz.current_question
    at.radio[0].set_value(q.correct_index if right else (q.correct_index + 1) % len(q.options))
    [b for b in at.button if b.label == "Check my answer"][0].click().run()
    assert not at.exception


def test_assign_a_question_set_and_a_timed_exam_and_see_them_in_the_gradebook(world):
    """The instructor assigns both kinds, the learner takes them, the gradebook shows them."""
    import progress as P
    at = run_as(world.inst, "assignments")
    at.radio(key="asg_kind").set_value("quiz").run()
    at.multiselect(key="asg_q_domain").set_value(["privacy"]).run()
    at.number_input(key="asg_q_count").set_value(3).run()
    preview = at.dataframe[-1].value
    assert len(preview) == 3 and set(preview["Domain"]) == {"Privacy and security"}
    at.text_input(key="asg_title_quiz").input("Privacy quiz")
    button(at, "Create question set").click().run()
    assert not at.exception and any("Privacy quiz" in s.value and "3 questions" in s.value for s in at.success)
    at.radio(key="asg_kind").set_value("exam").run()
    at.selectbox(key="asg_bp").set_value("cca-practice").run()
    at.text_input(key="asg_title_exam").input("CCA midterm")
    at.number_input(key="asg_minutes_cca-practice").set_value(20)
    button(at, "Create timed exam").click().run()
    assert not at.exception and any("CCA midterm" in s.value and "20-minute" in s.value for s in at.success)
    made = {a["kind"]: a for a in P.list_assignments(world.inst.actor, world.cohort["id"])}
    assert (made["quiz"]["n_items"], made["exam"]["blueprint_id"], made["exam"]["minutes"]) == (3, "cca-practice", 20)
    assert "Privacy quiz" in text_of(at) and "CCA midterm" in text_of(at)

    quiz = run_as(world.lena, "quiz")
    assert "Privacy quiz" in text_of(quiz)
    quiz.button(key=f"quiz_assigned_{made['quiz']['id']}").click().run()
    assert quiz.session_state["quiz"].title == "Privacy quiz"
    for n, right in enumerate((True, False, True)):
        _answer_current_question(quiz, right)
        if n < 2:
            button(quiz, "Next →").click().run()
    button(quiz, "See my results by domain").click().run()
    assert "Result: 2 of 3 correct" in text_of(quiz) and any("handed in" in s.value for s in quiz.success)
    assert list(quiz.dataframe[-1].value["Domain"]) == ["Privacy and security"]

    exam = run_as(world.lena, "exam")
    assert "CCA midterm" in text_of(exam)
    exam.button(key=f"exam_assigned_open_{made['exam']['id']}").click().run()
    exam.checkbox(key="exam_assigned_ready").check().run()
    button(exam, "Start the assigned exam").click().run()
    assert not exam.exception
    exam_id = exam.session_state["exam_id"]
    row = P.get_exam(world.lena.actor, exam_id)
    assert row["assignment_id"] == made["exam"]["id"] and len(row["items"]) == 25
    exam.checkbox(key=f"exam_sure_{exam_id}").check().run()
    button(exam, "Submit exam").click().run()
    assert not exam.exception
    assert any("not shown yet" in i.value for i in exam.info), "an assigned exam keeps its key until the window closes"
    assert not exam.expander, "no item review"

    book = run_as(world.inst, "gradebook")
    table = book.dataframe[0].value
    quiz_col, exam_col = f"Privacy quiz [{made['quiz']['id']}]", f"CCA midterm [{made['exam']['id']}]"
    lena = table[table["Username"] == "lena"].iloc[0]
    assert lena[quiz_col] == pytest.approx(200 / 3) and lena[exam_col] == 0.0
    assert lena[f"{quiz_col} done"] == "✓ handed in"
    assert table[table["Username"] == "liam"].iloc[0][f"{exam_col} done"] == "—"
    drill = run_as(world.inst, "drilldown")
    drill.selectbox(key="drill_study_learner").set_value(world.lena.id).run()
    assert "Privacy quiz" in text_of(drill) and "CCA midterm" in text_of(drill)
    trends = run_as(world.inst, "trends")
    assert "Privacy quiz" in text_of(trends) and "Quiz and exam questions by domain" in text_of(trends)


def test_attempt_policy_form_and_key_release(world):
    import progress as P
    aid = world.assignment["id"]
    at = run_as(world.inst, "assignments")
    at.selectbox(key="asg_manage").set_value(aid).run()
    form = f"asg_policy_{aid}"
    assert at.number_input(key=f"{form}_attempts").value == 0, "0 = no limit"
    at.number_input(key=f"{form}_attempts").set_value(2)
    at.selectbox(key=f"{form}_counts").set_value("last")
    at.selectbox(key=f"{form}_shown").set_value("after_attempt")
    at.checkbox(key=f"{form}_exam_mode").check()
    button(at, "Save attempt policy").click().run()
    assert any("exam mode" in e.value.lower() for e in at.error), "exam mode never shows the key after each attempt"
    assert P.attempt_policy(world.inst.actor, aid).max_attempts is None, "nothing saved"
    at.checkbox(key=f"{form}_exam_mode").uncheck()
    at.selectbox(key=f"{form}_shown").set_value("on_release")
    button(at, "Save attempt policy").click().run()
    assert not at.exception and any("saved" in s.value for s in at.success)
    assert P.attempt_policy(world.inst.actor, aid) == P.AttemptPolicy(max_attempts=2, counts="last",
                                                                      key_shown="on_release")
    assert not P.get_attempt(world.lena.actor, world.attempts[0])["key_visible"], "the key is now held back"
    assert button(at, "Release the answer key").disabled, "releasing needs the confirmation"
    at.checkbox(key=f"asg_release_sure_{aid}").check().run()
    button(at, "Release the answer key").click().run()
    assert not at.exception and any("released" in s.value for s in at.success)
    assert P.get_attempt(world.lena.actor, world.attempts[0])["key_visible"]
    access = P.case_access(world.lena.actor, "heart_failure", 11, assignment_id=aid)
    assert not access.can_submit and "released" in access.reason
    audit = [(r["action"], r["by_name"]) for r in P.assignment_audit(world.inst.actor, aid)]
    assert audit == [("policy", "Ines Instructor"), ("release_key", "Ines Instructor")]
    assert "key released" in at.dataframe[-1].value.to_csv() and "2 attempts" in at.dataframe[-1].value.to_csv()


MALICIOUS = "![pic](http://evil.example/x.png) [click me](http://evil.example) **loud** $x$"
UNESCAPED = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)\*\*loud")


def test_user_supplied_text_is_escaped_on_every_instructor_page(world):
    """Names, titles, answers and dispute text someone typed never become Markdown (images the
    instructor's browser would fetch, links next to an attempt) on the instructor pages."""
    import cases
    import progress as P
    import scoring
    P.join_cohort(P.provision_user("mallory", PASSWORD, "learner", MALICIOUS).actor, world.cohort["join_code"])
    mallory = next(m for m in P.cohort_members(world.inst.actor, world.cohort["id"]) if m["username"] == "mallory")
    P.create_quiz_assignment(world.inst.actor, world.cohort["id"], f"Quiz {MALICIOUS}", ["q1"])
    case = cases.generate("heart_failure", 11)
    answer = cases.Answer.from_key(case.key)
    answer = cases.Answer(**{**{f: getattr(answer, f) for f in ("principal_dx", "secondary_dx", "procedures", "drg")},
                             "abstract": {**answer.abstract, "attending_physician": MALICIOUS}})
    actor = P.Actor(mallory["id"], "learner")
    attempt = P.save_attempt(actor, answer=answer.to_dict(), report=scoring.score(answer, case.key),
                             assignment_id=world.assignment["id"], **P.case_ref(case))
    item = next(i for i in P.get_attempt(actor, attempt)["items"] if i["component"] == "abstraction")
    P.open_dispute(actor, attempt, item["idx"], MALICIOUS)
    seen = []
    for page in ["cohorts", "assignments", "gradebook", "item_analysis", "drilldown", "trends"]:
        at = run_as(world.inst, page)
        if page == "drilldown":
            at.selectbox(key="drill_learner").set_value(mallory["id"]).run()
        assert not at.exception
        for kind in (at.markdown, at.caption, at.info, at.success, at.warning, at.error, at.title, at.subheader):
            seen += [(page, e.value) for e in kind]
    leaks = [(page, value) for page, value in seen if UNESCAPED.search(value)]
    assert not leaks, leaks
    assert any("evil.example" in value for page, value in seen if page == "drilldown"), "shown, escaped"
