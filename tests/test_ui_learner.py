"""AppTest: the learner pages (home, case workspace, results, my progress) and their pure helpers."""
import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cases
import codes
import progress
import scoring
from ui import case_workspace as W
from ui import labels
from ui import results_views as R
from uitest import run_as as app

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
LEARNER_PAGES = ["home", "workspace", "results", "my_progress"]
PASSWORD = "Correct-horse-9"


# ----------------------------------------------------------------------------- fixtures and helpers
@pytest.fixture
def people(tmp_db):
    """An instructor with a cohort and an assignment (exam rubric), a learner in it, another learner.
    The assignment's cases are not the ones the tests practise (an assignment case cannot be
    practised before the assignment's key is shown)."""
    teacher = progress.provision_user("teacher", PASSWORD, "instructor", "Tess Teacher")
    learner = progress.provision_user("lena", PASSWORD, "learner", "Lena Learner")
    other = progress.provision_user("otto", PASSWORD, "learner", "Otto Other")
    cohort = progress.create_cohort(teacher.actor, "Spring cohort")
    progress.join_cohort(learner.actor, cohort["join_code"])
    assignment = progress.create_assignment(teacher.actor, cohort["id"], "Week 1 cases",
                                            [("heart_failure", 70), ("appendicitis_lap", 30)], rubric="exam",
                                            due_at=datetime.now(timezone.utc) + timedelta(days=7))
    return {"teacher": teacher, "learner": learner, "other": other, "cohort": cohort, "assignment": assignment}


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def submit_attempt(user, scenario="heart_failure", seed=7, answer=None, assignment_id=None):
    """Store a scored attempt directly (as the workspace would) and return its id."""
    case = cases.generate(scenario, seed)
    answer = answer or cases.Answer(principal_dx=("I50.33", "Y"), secondary_dx=(("I10", "Y"),))
    report = scoring.score(answer, case.key, scoring.rubric("practice"))
    return progress.save_attempt(user.actor, **progress.case_ref(case), answer=answer.to_dict(), report=report,
                                 assignment_id=assignment_id)


def open_case(at, scenario, seed, assignment_id=None):
    at.session_state["ws_request"] = {"scenario": scenario, "seed": seed, "assignment_id": assignment_id}
    at.run()
    assert not at.exception, at.exception
    return f"ws_{scenario}_{seed}_{assignment_id or 0}"


def add_dx(at, p, text, poa=None, as_=None):
    at.text_input(key=f"{p}_dxq").input(text).run()
    if poa:
        at.selectbox(key=f"{p}_dxnewpoa").set_value(poa)
    if as_:
        at.radio(key=f"{p}_dxas").set_value(as_)
    at.button(key=f"{p}_dxadd").click().run()
    assert not at.exception, at.exception


def _walk(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict) and children:
        for child in children.values():
            yield from _walk(child)
    else:
        yield node


def visible_text(at) -> str:
    """Everything the page sends to the browser, as text: element protos plus dataframe contents."""
    out = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        if type(node).__name__ == "Dataframe":
            out.append(node.value.to_string())
    return "\n".join(out)


def key_markers(case):
    """Regexes that would reveal the answer key: its codes (with or without dot), DRG number and title."""
    key = case.key
    entries = [key.principal_dx, *key.secondary_dx, *key.procedures]
    pats = []
    for e in entries:
        pats.append(re.escape(e.code))
        pats.append(re.escape(codes.display(e.code)))
    pats = [rf"(?<![A-Za-z0-9]){p}(?![A-Za-z0-9])" for p in set(pats)]
    pats.append(rf"DRG\W{{0,3}}0?{key.drg}\b")
    pats.append(re.escape(key.drg_title))
    return [re.compile(p) for p in pats]


# ----------------------------------------------------------------------------- pure helpers
def test_work_round_trip_and_answer():
    work = W.new_work("2026-01-01T00:00:00Z", "sub1")
    work["dx"] = [{"id": 1, "code": "I110", "poa": "Y"}, {"id": 2, "code": "I5033", "poa": "Y"}]
    work["procs"] = [{"id": 3, "code": "0DTJ4ZZ", "date": "2026-05-27"}]
    work["abstract"] = {"admission_type": "1", "junk_field": "x"}
    work["drg"] = "291"
    answer = W.answer_from_work(work)
    assert answer.principal_dx == ("I110", "Y") and answer.secondary_dx == (("I5033", "Y"),)
    assert answer.abstract == {"admission_type": "1"} and answer.procedures == (("0DTJ4ZZ", "2026-05-27"),)
    back = W.work_from_draft(json.loads(json.dumps(W.draft_payload(work))), "later", "other")
    assert back["started_at"] == "2026-01-01T00:00:00Z" and back["submission_id"] == "sub1"
    assert W.answer_from_work(back) == answer
    assert W.work_from_draft("garbage", "t", "s")["dx"] == []
    assert W.work_from_draft({"principal_dx": 5, "procedures": [[None, "not a date"]]}, "t", "s")["procs"] == []


def test_rows():
    rows, why = W.add_row([{"id": 1, "code": "I110"}], {"id": 2, "code": "I110"})
    assert why and len(rows) == 1
    rows = [{"id": 1, "code": "A"}, {"id": 2, "code": "B"}, {"id": 3, "code": "C"}]
    assert [r["id"] for r in W.move_row(rows, 3, -1)] == [1, 3, 2]
    assert W.move_row(rows, 1, -1) == rows and [r["id"] for r in W.remove_row(rows, 2)] == [1, 3]


def test_chart_helpers_escape_and_flag_in_words():
    html = W.highlight_html("<script>x</script> Sepsis\nno match", "sepsis")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "▸ " in html and "<mark><b>Sepsis</b></mark>" in html
    assert "no match" not in W.highlight_html("a sepsis\nno match", "SEPSIS", only_matching=True)
    rows = W.lab_rows([{"datetime": "d", "panel": "BMP", "test": "Sodium", "value": "125", "unit": "mmol/L",
                        "ref_range": "135-145", "flag": "LL"}])
    assert rows[0]["Flag"] == "▼▼ LL (critical low)" and W.flag_colour(rows[0]["Flag"])
    assert W.lab_rows(rows and [{"test": "Sodium"}], term="potassium") == []


CATALOGUE = [
    {"id": "appendicitis_lap", "title": "RLQ pain", "mdc": 6, "difficulty": 1,
     "topics": ["appendicitis", "pcs_root_operations"], "teaching": ["pcs_approach"]},
    {"id": "heart_failure", "title": "SOB", "mdc": 5, "difficulty": 2,
     "topics": ["heart_failure", "cc_mcc"], "teaching": ["hf_type_acuity"]},
    {"id": "sepsis_uti", "title": "Fever", "mdc": 18, "difficulty": 2,
     "topics": ["sepsis", "sequencing"], "teaching": ["sepsis_sequencing"]},
    {"id": "hard_pcs", "title": "Hard PCS", "mdc": 5, "difficulty": 3, "topics": ["pcs_device"], "teaching": []},
]


def test_suggest_case_targets_weakest_skill():
    weak = [{"kind": "component", "key": "pcs", "mean": 20.0, "n": 3}]
    pick = W.suggest_case(weak, CATALOGUE, Counter())
    assert pick["scenario"]["id"] == "appendicitis_lap" and "Procedures" in pick["reason"]
    assert W.suggest_case(weak, CATALOGUE, Counter({"appendicitis_lap": 2}))["scenario"]["id"] == "hard_pcs"
    weak = [{"kind": "topic", "key": "sepsis_sequencing", "mean": 30.0, "n": 2}]
    assert W.suggest_case(weak, CATALOGUE)["scenario"]["id"] == "sepsis_uti"
    weak = [{"kind": "mdc", "key": 5, "mean": 30.0, "n": 2}]
    assert W.suggest_case(weak, CATALOGUE)["scenario"]["id"] == "heart_failure"
    weak = [{"kind": "topic", "key": "nothing_matches", "mean": 1.0, "n": 5},
            {"kind": "component", "key": "drg", "mean": 40.0, "n": 5}]
    assert W.suggest_case(weak, CATALOGUE)["scenario"]["id"] == "heart_failure", "falls through to the next skill"
    fresh = W.suggest_case([], CATALOGUE, Counter({"appendicitis_lap": 3}))
    assert fresh["scenario"]["id"] != "appendicitis_lap"
    assert W.suggest_case([], []) is None
    for scenario in cases.list_scenarios():  # the real catalogue has the fields the function reads
        assert {"id", "mdc", "difficulty", "topics", "teaching"} <= set(scenario)


def test_every_feedback_kind_has_a_learner_heading():
    assert set(scoring.KINDS) <= set(labels.KIND_TITLES)
    assert labels.md_escape("1. Hyperlipidemia $5 *x*") == "1\\. Hyperlipidemia \\$5 \\*x\\*"
    chart = {"documents": [{"doc_id": "doc11", "title": "Discharge summary"}]}
    assert R.name_documents("documented in doc11 and doc99", chart) == "documented in the discharge summary and doc99"


def test_feedback_maps_to_scored_items():
    case = cases.generate("heart_failure", 7)
    answer = cases.Answer(principal_dx=("I50.33", "Y"), secondary_dx=(("I10", "Y"), ("J96.01", "N")))
    report = scoring.score(answer, case.key).to_dict()
    items = [{**i, "idx": n} for n, i in enumerate(report["items"])]
    for fb in report["feedback"]:
        idx = R.feedback_item(fb, items)
        assert idx == fb["item"]
        if fb["kind"] in ("sequencing", "extra_code", "missed_code", "poa_wrong", "abstraction", "drg_mismatch"):
            assert idx is not None, fb["kind"]
            assert items[idx]["component"] == fb["component"]
    old = {k: v for k, v in report["feedback"][0].items() if k != "item"}   # stored before feedback knew its item
    assert R.feedback_item(old, items) is None and R.feedback_item({"item": 999}, items) is None
    table = R.code_rows(items, report["items"])
    assert {"✓ Correct", "✗ Wrong", "✗ Missing"} <= {r["Status"] for r in table}
    drg = R.drg_comparison(report)
    assert drg["key"]["drg"] == 291 and isinstance(drg["causes"], list)


# ----------------------------------------------------------------------------- every page, every role
@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_learner_pages_render(people, page):
    submit_attempt(people["learner"])
    at = app(people["learner"], page)
    assert not at.error, texts(at, "error")
    assert at.title or at.header, "page has a heading"


@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_anonymous_and_instructor_are_refused(people, page):
    path = str(ROOT / "ui" / "pages" / f"{page}.py")
    anon = AppTest.from_file(path, default_timeout=60).run()
    assert not anon.exception
    assert any("sign in" in w.value for w in anon.warning) and not anon.title and not anon.header
    staff = AppTest.from_file(path, default_timeout=60)
    staff.session_state["user"] = people["teacher"]
    staff.run()
    assert not staff.exception
    assert any("for learners" in e.value for e in staff.error) and not staff.title and not staff.header
    with pytest.raises(ValueError):  # the router does not even register learner pages for them
        app(people["teacher"]).switch_page(f"ui/pages/{page}.py")


def test_home_shows_progress_assignments_and_suggestion(people):
    attempt = submit_attempt(people["learner"])
    at = app(people["learner"], "home")
    md = " ".join(texts(at, "markdown"))
    assert "Week 1 cases" in md and "Spring cohort" in md
    assert any(b.label == "Start the suggested case" for b in at.button)
    assert any(str(attempt) in str(link.proto) for link in at.page_link)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cases submitted"] == "1"
    at.button(key="home_suggest").click().run()
    assert not at.exception and at.session_state["ws_case"]["scenario"]


# ----------------------------------------------------------------------------- the whole flow
def test_practice_flow_draft_reload_submit_dispute(people):
    user = people["learner"]
    at = app(user, "workspace")
    at.selectbox(key="pick_scenario").set_value("appendicitis_lap").run()
    at.button(key="pick_practice").click().run()
    assert not at.exception
    case = at.session_state["ws_case"]
    assert case["scenario"] == "appendicitis_lap" and case["assignment_id"] is None
    p = f"ws_appendicitis_lap_{case['seed']}_0"
    chart_text = visible_text(at)
    assert "SYNTHETIC" in chart_text

    # abstraction with real choices
    admit = cases.parse_day(cases.generate("appendicitis_lap", case["seed"]).encounter.admit_datetime)
    at.date_input(key=f"{p}_ab_admission_date").set_value(admit)
    at.selectbox(key=f"{p}_ab_admission_type").set_value("1")
    at.selectbox(key=f"{p}_ab_discharge_disposition").set_value("01")
    at.selectbox(key=f"{p}_ab_expected_payer").set_value("Commercial")
    at.text_input(key=f"{p}_ab_attending_physician").input("Dr. Example").run()
    assert "01 – Discharged to home or self care (routine discharge)" in at.selectbox(
        key=f"{p}_ab_discharge_disposition").options

    # diagnoses: valid, invalid (refused, text kept), duplicate, header
    add_dx(at, p, "K35.80", poa="Y")
    assert any("K35.80" in s.value for s in at.success)
    add_dx(at, p, "ZZZ.999")
    assert any("ICD-10-CM" in e.value or "not" in e.value for e in at.error)
    assert at.text_input(key=f"{p}_dxq").value == "ZZZ.999", "typed text survives an error"
    add_dx(at, p, "0DTJ4ZZ")
    assert any("procedure code" in e.value for e in at.error)
    add_dx(at, p, "K35.80")
    assert any("already in the list" in e.value for e in at.error)
    add_dx(at, p, "E87.1", poa="Y")
    add_dx(at, p, "K21.9", poa="Y")
    add_dx(at, p, "K35", poa="Y")
    assert any("header" in w.value for w in at.warning)
    work = at.session_state["ws_work"]
    assert [r["code"] for r in work["dx"]] == ["K3580", "E871", "K219", "K35"]
    # reorder and remove
    k219 = work["dx"][2]["id"]
    at.button(key=f"{p}_dxup_{k219}").click().run()
    assert [r["code"] for r in at.session_state["ws_work"]["dx"]] == ["K3580", "K219", "E871", "K35"]
    header = at.session_state["ws_work"]["dx"][3]["id"]
    at.button(key=f"{p}_dxdel_{header}").click().run()
    assert [r["code"] for r in at.session_state["ws_work"]["dx"]] == ["K3580", "K219", "E871"]

    # procedure: a diagnosis code is refused; a PCS code needs a date within the stay
    at.text_input(key=f"{p}_pcsq").input("I50.33").run()
    at.button(key=f"{p}_pcsadd").click().run()
    assert any("ICD-10-PCS" in e.value for e in at.error)
    at.text_input(key=f"{p}_pcsq").input("0DTJ4ZZ").run()
    at.button(key=f"{p}_pcsadd").click().run()
    assert any("no procedure date" in e.value for e in at.error)
    at.date_input(key=f"{p}_pcsnewdate").set_value(admit)
    at.button(key=f"{p}_pcsadd").click().run()
    assert [r["code"] for r in at.session_state["ws_work"]["procs"]] == ["0DTJ4ZZ"]
    at.text_input(key=f"{p}_drg").input("abc").run()
    assert any("number from 001" in e.value for e in at.error)
    at.text_input(key=f"{p}_drg").input("343").run()
    assert not at.exception

    at.button(key="ws_save").click().run()
    assert not at.exception
    draft = progress.load_draft(user.actor, scenario_id="appendicitis_lap", seed=case["seed"])
    assert draft and draft["answer"]["principal_dx"] == ["K3580", "Y"]
    started = draft["answer"]["started_at"]

    # reload: a new session (same DB) restores the draft when the case is opened
    at = app(user, "workspace")
    at.button(key=f"pick_d{draft['id']}").click().run()
    assert not at.exception
    assert any("draft was restored" in s.value for s in at.success)
    work = at.session_state["ws_work"]
    assert [r["code"] for r in work["dx"]] == ["K3580", "K219", "E871"] and work["started_at"] == started
    assert at.selectbox(key=f"{p}_ab_discharge_disposition").value == "01"
    assert at.text_input(key=f"{p}_drg").value == "343"
    assert at.date_input(key=f"{p}_ab_admission_date").value == admit

    # submit with a confirmation step
    at.button(key="ws_submit").click().run()
    assert any("Submit this case" in m.value for m in at.markdown)
    assert any("left blank" in w.value for w in at.warning)
    at.button(key="ws_submit_yes").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Total score"].endswith("/ 100")
    attempt = progress.list_attempts(user.actor)[0]
    assert f"{attempt['total']:.1f} / 100" == metrics["Total score"]
    assert progress.load_draft(user.actor, scenario_id="appendicitis_lap", seed=case["seed"]) is None
    assert "ws_work" not in at.session_state and "ws_case" not in at.session_state
    full = progress.get_attempt(user.actor, attempt["id"])
    assert full["rubric_version"].startswith("practice@") and full["started_at"]
    md = " ".join(texts(at, "markdown"))
    quoted = [f for f in full["report"]["feedback"] if f.get("evidence")]
    assert not quoted or "Evidence — " in md, "feedback quotes the chart sentence behind the key"
    table = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert any(s.startswith("✓") or s.startswith("✗") for s in table["Status"])

    # dispute a feedback item (AppTest reruns the page it was switched to, so stay on Results explicitly)
    at.query_params["attempt"] = str(attempt["id"])
    at.switch_page("ui/pages/results.py").run()
    at.text_area(key="res_disp_1_arg").input("The operative note supports my code.")
    next(b for b in at.button if b.label == "Send dispute to my instructor").click().run()
    assert not at.exception
    assert any("Dispute sent" in s.value for s in at.success), (texts(at, "error"), texts(at, "title"), texts(at, "caption")[:3])
    disputes = progress.list_disputes(user.actor)
    assert len(disputes) == 1 and disputes[0]["argument"].startswith("The operative note")
    assert any("Open — waiting" in m.value for m in at.markdown)


def test_results_link_disputes_to_the_item_and_render_old_reports(people):
    user = people["learner"]
    case = cases.generate("heart_failure", 7)
    report = scoring.score(cases.Answer(principal_dx=("I50.33", "Y"), secondary_dx=(("I10", "Y"),)), case.key).to_dict()
    new_id = progress.save_attempt(user.actor, **progress.case_ref(case), answer={}, report=report)
    at = app(user)
    at.query_params["attempt"] = str(new_id)
    at.switch_page("ui/pages/results.py").run()
    assert not at.exception and not at.error
    linked = sum(f["item"] is not None for f in report["feedback"])
    pickers = [s for s in at.selectbox if s.label == "Which scored item?"]
    assert linked and len(pickers) == len(report["feedback"]) - linked + 1   # + the "dispute any item" form
    for f in report["feedback"]:
        f.pop("item")                     # a report stored before feedback carried its item
    old_id = progress.save_attempt(user.actor, **progress.case_ref(case), answer={}, report=report)
    at.query_params["attempt"] = str(old_id)
    at.switch_page("ui/pages/results.py").run()
    assert not at.exception and not at.error
    assert len([s for s in at.selectbox if s.label == "Which scored item?"]) == len(report["feedback"]) + 1


def test_empty_submit_is_refused_and_nothing_is_lost(people):
    at = app(people["learner"], "workspace")
    p = open_case(at, "sepsis_uti", 11)
    at.button(key="ws_submit").click().run()
    assert any("Nothing to submit" in e.value for e in at.error)
    assert not any(b.key == "ws_submit_yes" for b in at.button)
    assert progress.list_attempts(people["learner"].actor) == []
    add_dx(at, p, "A41.51", poa="Y")
    at.button(key="ws_submit_no").click().run()
    assert [r["code"] for r in at.session_state["ws_work"]["dx"]] == ["A4151"]


def test_unsaved_work_is_autosaved_about_once_a_minute(people):
    user = people["learner"]
    at = app(user, "workspace")
    p = open_case(at, "heart_failure", 7)
    add_dx(at, p, "I11.0", poa="Y")
    assert progress.load_draft(user.actor, scenario_id="heart_failure", seed=7) is None, "not within the first minute"
    at.session_state["ws_autosave_at"] = "2020-01-01T00:00:00Z"
    at.run()
    draft = progress.load_draft(user.actor, scenario_id="heart_failure", seed=7)
    assert draft and draft["answer"]["principal_dx"] == ["I110", "Y"]
    assert any("Saved as a draft" in c.value for c in at.caption)


def test_assignment_case_is_scored_with_the_assignment_rubric(people):
    user, assignment = people["learner"], people["assignment"]
    at = app(user, "workspace")
    at.button(key=f"pick_a{assignment['id']}_1").click().run()
    assert at.session_state["ws_case"]["rubric"] == "exam"
    p = "ws_heart_failure_70_" + str(assignment["id"])
    add_dx(at, p, "I11.0", poa="Y")
    at.button(key="ws_submit").click().run()
    at.button(key="ws_submit_yes").click().run()
    assert not at.exception
    attempt = progress.list_attempts(user.actor)[0]
    assert attempt["assignment_id"] == assignment["id"] and attempt["rubric_version"].startswith("exam@")
    mine = progress.learner_assignments(user.actor)[0]
    assert mine["done"] == 1


def test_results_only_for_own_attempts(people):
    theirs = submit_attempt(people["other"])
    mine = submit_attempt(people["learner"])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = people["learner"]
    at.run()
    at.query_params["attempt"] = str(theirs)
    at.switch_page("ui/pages/results.py").run()
    assert not at.exception
    assert at.error and not at.metric
    at.query_params["attempt"] = "not-a-number"
    at.run()
    assert any("not an attempt number" in e.value for e in at.error)
    at.query_params["attempt"] = str(mine)
    at.run()
    assert {m.label for m in at.metric} >= {"Total score", "Your codes group to", "The key groups to"}
    md = " ".join(texts(at, "markdown"))
    assert "Evidence — Discharge summary" in md and "Permanent atrial fibrillation" in md
    assert "MS-DRG 291" in [m.value for m in at.metric]


def test_instructor_override_is_visible_to_the_learner(people):
    attempt_id = submit_attempt(people["learner"])
    progress.override_item(people["teacher"].actor, attempt_id, 7, 20.0, "Sequencing accepted for this case.")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = people["learner"]
    at.run()
    at.query_params["attempt"] = str(attempt_id)
    at.switch_page("ui/pages/results.py").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert any("Reason" in f.columns and "Sequencing accepted" in " ".join(f["Reason"]) for f in frames)
    assert any("after instructor review" in str(m.proto) for m in at.metric)


def test_my_progress_reopens_an_attempt(people):
    first = submit_attempt(people["learner"], "heart_failure", 7)
    submit_attempt(people["learner"], "sepsis_uti", 2, answer=cases.Answer(principal_dx=("A41.51", "Y")))
    at = app(people["learner"], "my_progress")
    assert not at.error
    history = at.dataframe[0].value
    assert len(history) == 2
    at.selectbox(key="prog_reopen").set_value(first)
    at.button(key="prog_open").click().run()
    assert not at.exception
    assert any(f"Attempt #{first}" in c.value for c in at.caption)


# ----------------------------------------------------------------------------- the answer key stays on the server
@pytest.mark.parametrize("scenario,seed", [("heart_failure", 7), ("appendicitis_lap", 3), ("sepsis_uti", 5)])
def test_answer_key_is_never_in_session_state_or_on_screen(people, scenario, seed):
    full = cases.generate(scenario, seed)
    markers = key_markers(full)
    at = app(people["learner"], "workspace")
    p = open_case(at, scenario, seed)
    # read the chart the way a learner does: search, open every document, abstract
    at.text_input(key=f"{p}_find").input("admit").run()
    for doc in full.documents:
        at.radio(key=f"{p}_doc").set_value(doc.doc_id).run()
        assert not at.exception
        screen = visible_text(at)
        hits = [m.pattern for m in markers if m.search(screen)]
        assert not hits, f"key shown on screen: {hits}"
    at.selectbox(key=f"{p}_ab_admission_type").set_value("2").run()
    at.button(key="ws_save").click().run()
    state = at.session_state.to_dict()
    blob = json.dumps(state, default=str)
    hits = [m.pattern for m in markers if m.search(blob)]
    assert not hits, f"key in session state: {hits}"
    assert full.key.drg not in [v for v in state.values() if isinstance(v, int)]
    for value in state.values():
        assert not isinstance(value, (cases.AnswerKey, cases.Case)) and "key" not in (value if isinstance(value, dict) else {})
    # the chart the workspace reads has neither the key nor the encounter's UB-04 codes
    from ui import resources
    chart = resources.chart(scenario, seed)
    assert "key" not in chart and "discharge_disposition" not in chart["encounter"]
