"""AppTest: the study pages (lessons, practice questions with spaced review, exam simulator)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from uitest import run_as

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PASSWORD = "Study-Hard-2026"
STUDY_PAGES = ["lessons", "quiz", "exam"]
TINY = """\
id: tiny-practice
credential: CIC
title: Tiny practice exam
items: 3
minutes: 2
cases: 1
case_domain: Inpatient case
domains:
  - {name: Coding, weight: 0.67, tags: [coding_cm, coding_pcs]}
  - {name: Reimbursement, weight: 0.33, tags: [reimbursement]}
source: Test fixture
as_of: "2026-11-26"
notes: A three-question, one-case exam for tests.
"""


@pytest.fixture
def people(tmp_db, tmp_path, monkeypatch):
    import progress as P
    folder = tmp_path / "blueprints"
    folder.mkdir()
    (folder / "tiny-practice.yaml").write_text(TINY)
    monkeypatch.setenv("CHARTLAB_BLUEPRINT_DIR", str(folder))
    p = type("People", (), {})()
    p.lena = P.provision_user("lena", PASSWORD, "learner", "Lena Learner")
    p.liam = P.provision_user("liam", PASSWORD, "learner", "Liam Learner")
    p.inst = P.provision_user("ines", PASSWORD, "instructor", "Ines Instructor")
    p.admin = P.provision_user("ada", PASSWORD, "admin", "Ada Admin")
    return p


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} among {[b.label for b in at.button]}"
    return found[0]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [x.value for kind in (at.error, at.success, at.warning, at.info) for x in kind]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- roles
@pytest.mark.parametrize("page", STUDY_PAGES)
@pytest.mark.parametrize("who", ["lena", "inst", "admin"])
def test_study_pages_render_for_every_role(people, page, who):
    at = run_as(getattr(people, who), page)
    assert not at.error, [e.value for e in at.error]
    assert at.title


@pytest.mark.parametrize("page", STUDY_PAGES)
def test_anonymous_visitor_is_refused(tmp_db, page):
    at = AppTest.from_file(str(ROOT / "ui" / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Please sign in to use this page."]
    assert not at.title and not at.button and not at.radio


# ----------------------------------------------------------------------------- lessons
def test_lesson_renders_case_link_and_check_question_feedback(people):
    import progress as P
    from lessons import content
    from lessons.quiz import lesson_questions
    lesson = content.get_lesson("L06-sepsis")
    at = run_as(people.lena, "lessons")
    assert at.progress[0].text == f"0 of {len(content.load_lessons())} lessons completed"
    at.button(key="open_L06-sepsis").click().run()
    assert not at.exception
    assert at.title[0].value == f"{lesson.order}. {lesson.title}"
    body = "\n".join(m.value for m in at.markdown)
    assert "Explanation" in body and "[[case:" not in body
    case_buttons = [b for b in at.button if b.label.startswith("Open a practice case")]
    assert case_buttons and not case_buttons[0].disabled
    assert P.lesson_progress(people.lena.actor)["L06-sepsis"]["status"] == "started"

    question = lesson_questions(lesson)[0]
    wrong = (question.correct_index + 1) % 4
    radio = at.radio(key="check_L06-sepsis_1_choice")
    assert radio.label.startswith("1. ")
    button(at, "Check my answer").click().run()
    assert any("Choose an answer first" in w.value for w in at.warning)
    at.radio(key="check_L06-sepsis_1_choice").set_value(wrong)
    at.button(key="check_L06-sepsis_1_check").click().run()
    assert not at.exception
    feedback = [e.value for e in at.error]
    from ui.study import md
    assert feedback and "Not quite" in feedback[0] and md(question.options[question.correct_index].rationale)[:40] in feedback[0]
    assert at.radio(key="check_L06-sepsis_1_choice").disabled
    right = lesson_questions(lesson)[1]
    at.radio(key="check_L06-sepsis_2_choice").set_value(right.correct_index)
    at.button(key="check_L06-sepsis_2_check").click().run()
    assert any(s.value.startswith("✓ Correct") for s in at.success)
    tomorrow = date.today() + timedelta(days=1)
    due = {d["item_id"] for d in P.review_due(people.lena.actor, today=tomorrow)}
    assert "L06-sepsis#check1" in due, "a missed check question comes back for review"

    button(at, "Mark this lesson complete").click().run()
    assert P.lesson_progress(people.lena.actor)["L06-sepsis"]["status"] == "completed"
    assert "You completed this lesson" in texts(at)

    case_buttons = [b for b in at.button if b.label.startswith("Open a practice case")]
    case_buttons[0].click().run()
    assert not at.exception
    opened = at.session_state["ws_case"]          # the workspace opened the lesson's practice case
    assert opened["scenario"] in lesson.case_links and isinstance(opened["seed"], int) and opened["seed"] > 0

    back = run_as(people.lena, "lessons")
    assert "✓ Completed" in texts(back)


def test_instructor_views_lessons_without_recording(people):
    import progress as P
    at = run_as(people.inst, "lessons")
    at.button(key="open_L01-health-record").click().run()
    assert not at.exception
    assert all(b.disabled for b in at.button if b.label.startswith("Open a practice case"))
    assert P.lesson_progress(people.inst.actor) == {}
    assert not [b for b in at.button if b.label == "Mark this lesson complete"]


# ----------------------------------------------------------------------------- quiz
def test_quiz_answer_is_recorded_with_feedback_for_every_option(people):
    import progress as P
    at = run_as(people.lena, "quiz")
    assert "Nothing is due today" in texts(at)
    at.selectbox(key="quiz_cred").set_value("CCA").run()
    at.multiselect(key="quiz_domain").set_value(["privacy"]).run()
    at.number_input(key="quiz_count").set_value(2).run()
    button(at, "Start quiz").click().run()
    quiz = at.session_state["quiz"]
    assert len(quiz.questions) == 2 and all(q.domain == "privacy" and "CCA" in q.credentials for q in quiz.questions)
    first = quiz.current_question
    button(at, "Check my answer").click().run()
    assert any("Choose an answer first" in w.value for w in at.warning)
    wrong = (first.correct_index + 1) % 4
    at.radio[0].set_value(wrong)
    button(at, "Check my answer").click().run()
    assert not at.exception
    assert any("Not quite" in e.value for e in at.error)
    shown = "\n".join(m.value for m in at.markdown)
    from ui.study import md
    for option in first.options:
        assert md(option.rationale) in shown, "the rationale of every option is shown"
    assert "✓ correct answer" in shown and "✗ your answer" in shown
    assert P.question_mastery(people.lena.actor) == [{"key": "privacy", "n": 1, "correct": 0, "pct": 0.0,
                                                      "enough": False}]

    button(at, "Next →").click().run()
    second = at.session_state["quiz"].current_question
    at.radio[0].set_value(second.correct_index)
    button(at, "Check my answer").click().run()
    assert any(s.value.startswith("✓ Correct") for s in at.success), "the last answer's feedback comes first"
    button(at, "See my results by domain").click().run()
    assert "Result: 1 of 2 correct" in texts(at)
    by_domain = at.dataframe[-1].value
    assert list(by_domain["Domain"]) == ["Privacy and security"] and list(by_domain["Correct"]) == [1]
    assert list(by_domain["Answered"]) == [2]
    due = P.review_due(people.lena.actor, today=date.today() + timedelta(days=1), item_type="question")
    assert first.id in {d["item_id"] for d in due}


def test_due_review_panel_runs_a_review_quiz(people):
    import progress as P
    from lessons.bank import load_bank
    q = load_bank()[0]
    two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
    P.record_response(people.lena.actor, q.id, "A", False, domain=q.domain, topic=q.topic, now=two_days_ago)
    P.record_review(people.lena.actor, "teaching_point", "sepsis_sequencing", False, now=two_days_ago)
    at = run_as(people.lena, "quiz")
    text = texts(at)
    assert "1 question and 1 teaching point are due" in text
    at.button(key="quiz_review_tp_ok_sepsis_sequencing").click().run()
    assert not at.exception
    assert P.review_due(people.lena.actor, item_type="teaching_point") == []
    button(at, "Review 1 question now").click().run()
    assert not at.exception
    quiz = at.session_state["quiz"]
    assert quiz.title == "Spaced review" and [x.id for x in quiz.questions] == [q.id]
    at.radio[0].set_value(q.correct_index)
    button(at, "Check my answer").click().run()
    assert P.review_due(people.lena.actor) == []


def test_review_panel_function_for_the_home_page(people):
    import progress as P
    P.record_response(people.lena.actor, "hr-001", "A", False, now=datetime.now(timezone.utc) - timedelta(days=3))

    def home():
        import streamlit as st
        from ui import study
        study.review_due_panel(st.session_state["user"].actor, key="home_review")

    at = AppTest.from_function(home, default_timeout=60)
    at.session_state["user"] = people.lena
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Review 1 question now"]


# ----------------------------------------------------------------------------- exam
def start_tiny_exam(at: AppTest) -> int:
    at.selectbox(key="exam_blueprint").set_value("tiny-practice").run()
    assert button(at, "Start exam").disabled, "the exam needs the 'I am ready' confirmation"
    at.checkbox(key="exam_ready").check().run()
    button(at, "Start exam").click().run()
    assert not at.exception
    return at.session_state["exam_id"]


def test_exam_runs_to_report_with_timeout_auto_submit(people, monkeypatch):
    import cases
    import progress as P
    from ui import study
    at = run_as(people.lena, "exam")
    exam_id = start_tiny_exam(at)
    assert [m.label for m in at.metric] == ["Time left"]
    assert at.metric[0].value in ("0:02:00", "0:01:59", "0:01:58")
    row = P.get_exam(people.lena.actor, exam_id)
    items = row["items"]
    assert [i["kind"] for i in items] == ["mc", "mc", "mc", "case"]
    assert len({i["id"] for i in items}) == 4
    assert sorted(i["domain"] for i in items[:3]) == ["Coding", "Coding", "Reimbursement"]

    first = items[0]
    right = next(n for n, o in enumerate(first["question"]["options"]) if o["correct"])
    at.radio[0].set_value(right).run()
    assert P.get_exam(people.lena.actor, exam_id)["answers"] == {first["id"]: right}
    at.checkbox(key=f"exam_flag_{exam_id}_{first['id']}").check().run()
    assert P.get_exam(people.lena.actor, exam_id)["flags"] == [first["id"]]
    button(at, "Next →").click().run()
    assert at.radio[0].value is None, "question 2 is not answered yet"
    button(at, "← Previous").click().run()
    assert at.radio[0].value == right, "going back shows the saved answer"

    at.selectbox(key="exam_nav").set_value(3).run()
    assert not at.exception
    case = cases.generate(items[3]["scenario"], items[3]["seed"])
    state = json.dumps({k: repr(v) for k, v in at.session_state.items()})
    for secret in (case.key.principal_dx.code, *(e.code for e in case.key.secondary_dx)):
        assert secret not in state, "no answer key in session state before submission"
    assert "AnswerKey" not in state
    pdx = [t for t in at.text_input if t.label == "Principal diagnosis (ICD-10-CM)"][0]
    import codes
    pdx.input(codes.display(case.key.principal_dx.code))
    button(at, "Save my answer for this case").click().run()
    assert not at.exception
    saved = P.get_exam(people.lena.actor, exam_id)["answers"][items[3]["id"]]
    assert codes.normalize(saved["principal_dx"][0]).code == case.key.principal_dx.code

    later = datetime.now(timezone.utc) + timedelta(minutes=3)
    monkeypatch.setattr(study, "utcnow", lambda: later)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Report: Tiny practice exam"
    assert any("Time ran out" in i.value for i in at.info)
    done = P.get_exam(people.lena.actor, exam_id)
    assert done["submitted_at"] and done["report"]["auto_submitted"] is True
    report = done["report"]
    assert [d["name"] for d in report["domains"]] == ["Coding", "Reimbursement", "Inpatient case"]
    assert report["items"][0]["credit"] == 1.0 and 0 < report["items"][3]["credit"] < 1.0
    assert items[3]["id"] in report["case_reports"]
    labels = [e.label for e in at.expander]
    assert len(labels) == 4 and labels[0].startswith("1. ✓ correct") and "⚑ flagged" in labels[0]
    assert labels[1].startswith("2. — not answered") and labels[3].startswith("4. case score")
    shown = "\n".join(m.value for m in at.markdown)
    from ui.study import md
    for option in first["question"]["options"]:
        assert md(option["rationale"]) in shown
    assert "Readiness" in shown and ("Not yet" in shown or "Borderline" in shown)
    assert [r["item_id"] for r in P.review_due(people.lena.actor, today=date.today() + timedelta(days=30))] \
        == [first["id"]], "answered exam questions feed spaced review"


def test_exam_survives_a_reload_and_submits_by_hand(people):
    import progress as P
    at = run_as(people.lena, "exam")
    exam_id = start_tiny_exam(at)
    first = P.get_exam(people.lena.actor, exam_id)["items"][0]
    at.radio[0].set_value(2).run()

    again = run_as(people.lena, "exam")   # a reload: a new session, signed in again
    assert any("Exam in progress" in m.value for m in again.markdown)
    assert not [b for b in again.button if b.label == "Start exam"], "one running exam at a time"
    button(again, "Resume exam").click().run()
    assert again.radio[0].value == 2
    assert button(again, "Submit exam").disabled, "submitting needs the confirmation box"
    again.checkbox(key=f"exam_sure_{exam_id}").check().run()
    button(again, "Submit exam").click().run()
    assert not again.exception
    assert again.title[0].value == "Report: Tiny practice exam"
    assert not any("Time ran out" in i.value for i in again.info)
    done = P.get_exam(people.lena.actor, exam_id)
    assert done["report"]["auto_submitted"] is False and done["answers"] == {first["id"]: 2}
    button(again, "← All exams").click().run()
    assert "Your exams" in [h.value for h in again.subheader]


def test_someone_elses_exam_is_refused(people):
    at = run_as(people.lena, "exam")
    exam_id = start_tiny_exam(at)
    other = AppTest.from_file(APP, default_timeout=60)
    other.session_state["user"] = people.liam
    other.session_state["exam_id"] = exam_id
    other.run()
    other.switch_page("ui/pages/exam.py").run()
    assert not other.exception
    assert any("no exam with that number among the work you can see" in e.value for e in other.error)   # missing or not yours: one answer
    assert other.title[0].value == "Exam simulator"


def test_expired_exam_is_handed_in_when_the_learner_returns(people, monkeypatch):
    import progress as P
    from ui import study
    at = run_as(people.lena, "exam")
    exam_id = start_tiny_exam(at)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    monkeypatch.setattr(study, "utcnow", lambda: later)
    back = run_as(people.lena, "exam")
    assert back.title[0].value == "Report: Tiny practice exam"
    assert P.get_exam(people.lena.actor, exam_id)["report"]["auto_submitted"] is True


def test_money_is_not_latex():
    from ui.study import md
    assert md("1.3144 × $6,500 = $8,543.60") == "1.3144 × \\$6,500 = \\$8,543.60"
    assert md("keep `$x` and\n```\n$y\n```") == "keep `$x` and\n```\n$y\n```"
