"""Shared widgets for the study pages (lessons, practice questions, exam simulator), the
spaced-review panel the learner's home page shows (`review_due_panel`), and the learner's
assigned question sets and exams (`assigned_panel`, `start_assigned_quiz`, `start_assigned_exam`)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

import progress
from lessons import ContentError
from lessons import bank as lesson_bank
from lessons import content
from lessons import exam as exam_logic
from lessons.bank import LETTERS, Question
from lessons.quiz import QuizSession, lesson_questions
from ui import labels
from ui.labels import md, md_escape

def utcnow() -> datetime:
    """The clock every study page reads (tests replace it to make time pass)."""
    return progress.utcnow()


def content_or_stop(loader, what: str):
    """Load study content; an authoring error is shown as a list, never a traceback."""
    try:
        return loader()
    except ContentError as exc:
        st.error(f"The {what} could not be loaded because a content file has problems:")
        st.code("\n".join(str(p) for p in exc.problems[:20]), language=None)
        st.stop()


def scenario_catalogue() -> list[dict]:
    """The case scenarios (id, title, MDC, difficulty, topics); a content error is shown, not raised."""
    import cases
    from ui import resources
    try:
        return resources.scenario_catalogue()
    except cases.ContentError as exc:
        st.error(f"The case library could not be loaded because a content file has a problem: {exc}")
        st.stop()


def all_lessons() -> list[content.Lesson]:
    return content_or_stop(content.load_lessons, "lessons")


def all_questions() -> list[Question]:
    return content_or_stop(lesson_bank.load_bank, "question bank")


def find_question(question_id: str) -> Question | None:
    """A bank question, or a lesson's check-yourself question ('L06-sepsis#check2')."""
    if "#check" in question_id:
        lesson = content.get_lesson(question_id.split("#", 1)[0])
        return next((q for q in lesson_questions(lesson) if q.id == question_id), None) if lesson else None
    return next((q for q in all_questions() if q.id == question_id), None)


def lesson_title(lesson_id: str) -> str:
    """'Lesson 15: ICD-10-PCS approach and device' for a lesson id (never the id itself)."""
    lesson = content.get_lesson(lesson_id) if lesson_id else None
    return f"Lesson {lesson.order}: {lesson.title}" if lesson else "the lesson"


def scenario_title(scenario_id: str) -> str:
    from ui import resources
    try:
        return resources.scenario_titles().get(scenario_id, "Inpatient case")
    except Exception:   # the case library has a content problem: say what the item is
        return "Inpatient case"


def case_feedback_text(text: str, scenario: str, seed: int) -> str:
    """A scorer's feedback sentence for Markdown: documents named by their titles ("the discharge
    summary", never "doc08"), everything else escaped."""
    from ui import resources, results_views
    try:
        chart = resources.chart(scenario, int(seed))
    except Exception:   # a removed scenario: keep the sentence, without document titles
        chart = None
    return md_escape(results_views.name_documents(text, chart))


# ----------------------------------------------------------------------------- one question
def option_label(question: Question, i: int) -> str:
    return md(f"{LETTERS[i]}. {question.options[i].text}")


def answer_feedback(question: Question, chosen: int | None, *, every_option: bool = True) -> None:
    """Right or wrong in words (not colour alone), then the rationale of every option."""
    right = question.correct_index
    if chosen is None:
        st.warning(f"Not answered. The answer is {LETTERS[right]}.")
    elif chosen == right:
        st.success(f"✓ Correct — {LETTERS[right]}.")
    else:
        st.error(f"✗ Not quite: you chose {LETTERS[chosen]}; the answer is {LETTERS[right]}.")
    for i, option in enumerate(question.options):
        if not every_option and i not in (chosen, right):
            continue
        tags = []
        if i == right:
            tags.append("✓ correct answer")
        if i == chosen and i != right:
            tags.append("✗ your answer")
        elif i == chosen:
            tags.append("your answer")
        head = f"**{LETTERS[i]}. {md(option.text)}**" + (f" — *{', '.join(tags)}*" if tags else "")
        st.markdown(head + (f"  \n{md(option.rationale)}" if option.rationale else ""))


def record_answer(actor: progress.Actor, question: Question, chosen: int) -> None:
    """Store a practice answer (it feeds spaced review); a storage error is shown, not raised."""
    try:
        progress.record_response(actor, question.id, LETTERS[chosen], chosen == question.correct_index,
                                 domain=question.domain, topic=question.topic)
    except progress.ProgressError as exc:
        st.error(f"Your answer could not be saved: {exc}")


def domain_summary(quiz: QuizSession) -> None:
    """The summary by domain that ends every quiz: correct of answered, per domain."""
    lines = quiz.by_domain()
    st.dataframe(pd.DataFrame([{"Domain": labels.domain_label(d.domain), "Correct": d.correct, "Answered": d.answered,
                                "Questions": d.total, "Score %": d.percent} for d in lines]),
                 hide_index=True, width="stretch", column_config={"Score %": st.column_config.NumberColumn(format="%.0f")})
    weakest = min((d for d in lines if d.percent is not None), key=lambda d: d.percent, default=None)
    if weakest is not None and weakest.percent < 100 and len(lines) > 1:
        st.caption(f"Weakest domain this time: {labels.domain_label(weakest.domain)} ({weakest.correct} of "
                   f"{weakest.answered}).")


# ----------------------------------------------------------------------------- assigned question sets and exams
def assigned_panel(actor: progress.Actor, kind: str, key: str, on_open) -> None:
    """The learner's assigned question sets or exams (`kind`), each with its status and a button
    that calls `on_open(assignment)` to start or continue it."""
    try:
        found = [a for a in progress.learner_study_assignments(actor, now=utcnow()) if a["kind"] == kind]
    except progress.ProgressError as exc:
        st.error(str(exc))
        return
    if not found:
        return
    st.subheader("Assigned to you")
    for a in found:
        access = a["access"]
        allowed = "no limit" if access.attempts_allowed is None else f"{access.attempts_used} of {access.attempts_allowed} used"
        score = f" · counted score {a['score']:.0f}%" if a["score"] is not None else ""
        size = f"{a['n_questions']} questions" if kind == "quiz" else f"{a['minutes']} minutes"
        with st.container(border=True):
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(f"**{md_escape(a['title'])}** · {md_escape(a['cohort_name'])} · {size} · due "
                        f"{labels.when(a['due_at'], 'no due date')}  \nAttempts: {allowed}{score}")
            if access.running_id is not None:
                c2.button("Continue", key=f"{key}_{a['id']}", type="primary", on_click=on_open, args=(a,), width="stretch")
            elif access.can_start:
                c2.button("Start", key=f"{key}_{a['id']}", type="primary", on_click=on_open, args=(a,), width="stretch")
            else:
                c1.caption(md_escape(access.reason))


def start_assigned_quiz(actor: progress.Actor, assignment: dict) -> None:
    """Start (or continue) an assigned question set as the page's quiz; a refusal is kept as a flash."""
    bank = {q.id: q for q in all_questions()}
    ids = [i["question"] for i in assignment["items"] if i["question"] in bank]
    try:
        attempt = progress.start_quiz(actor, assignment["id"], ids, now=utcnow())
    except progress.ProgressError as exc:
        st.session_state.setdefault("flash", []).append(("error", md_escape(str(exc))))
        return
    answers = {q: LETTERS.index(a["chosen"]) for q, a in attempt["answers"].items() if a["chosen"] in LETTERS}
    questions = tuple(bank[q] for q in attempt["questions"])
    first_open = next((n for n, q in enumerate(questions) if q.id not in answers), 0)
    st.session_state["quiz"] = QuizSession(title=assignment["title"], questions=questions, answers=answers,
                                           current=first_open)
    st.session_state["quiz_attempt"] = attempt["id"]
    st.session_state["quiz_n"] = st.session_state.get("quiz_n", 0) + 1
    st.session_state.pop("quiz_over", None)


def record_assigned_answer(actor: progress.Actor, attempt_id: int, question: Question, chosen: int) -> dict | None:
    """Store an answer to an assigned question set (the first counts); the attempt, or None (error shown)."""
    try:
        return progress.answer_quiz(actor, attempt_id, question.id, LETTERS[chosen], chosen == question.correct_index,
                                    domain=question.domain, topic=question.topic, now=utcnow())
    except progress.ProgressError as exc:
        st.error(f"Your answer could not be saved: {md_escape(str(exc))}")
        return None


def hand_in_quiz(actor: progress.Actor, attempt_id: int) -> bool:
    """Hand in an assigned question set now; False (the reason shown) when it cannot be."""
    try:
        progress.finish_quiz(actor, attempt_id, now=utcnow())
    except progress.ValidationError:
        return True    # already handed in (its last answer did it, or another tab)
    except progress.ProgressError as exc:
        st.error(md_escape(str(exc)))
        return False
    return True


def start_assigned_exam(actor: progress.Actor, assignment: dict, blueprints: dict) -> int | None:
    """Start an attempt at an assigned exam: the form of this attempt number, the assignment's time
    limit. The new exam session's id, or None (the reason is shown)."""
    bp = blueprints.get(assignment["blueprint_id"])
    if bp is None:
        st.error("This exam's blueprint no longer exists. Tell your instructor.")
        return None
    try:
        attempt = progress.exam_attempt_number(actor, assignment["id"])
        draw = exam_logic.assigned_form(bp, all_questions(), assignment["id"], attempt,
                                        scenarios=[s["id"] for s in scenario_catalogue()])
        if not draw.items:
            st.error("No questions could be drawn for this exam. " + " ".join(draw.notes))
            return None
        started = progress.start_exam(actor, bp.id, [it.to_dict() for it in draw.items], assignment["minutes"] * 60,
                                      assignment_id=assignment["id"], now=utcnow())
    except progress.ProgressError as exc:
        st.error(md_escape(str(exc)))
        return None
    st.session_state.setdefault("exam_notes", {})[started["id"]] = list(draw.notes)
    return started["id"]


# ----------------------------------------------------------------------------- spaced review
def _teaching_points() -> dict:
    from ui import resources
    try:
        return resources.case_library().teaching
    except Exception:  # the case library is optional for the review panel
        return {}


def start_review_quiz(questions: list[Question]) -> None:
    st.session_state["quiz"] = QuizSession(title="Spaced review", questions=tuple(questions))
    st.session_state["quiz_n"] = st.session_state.get("quiz_n", 0) + 1


def review_due_panel(actor: progress.Actor, *, limit: int = 20, key: str = "review") -> None:
    """What is due for spaced review today: missed questions (review them as a quiz on the
    Practice questions page) and teaching points (read, then say whether you remembered)."""
    try:
        due = progress.review_due(actor, today=utcnow().date(), limit=limit)
    except progress.ProgressError as exc:
        st.error(str(exc))
        return
    st.subheader("Due for review")
    if not due:
        st.caption("Nothing is due today. Questions you miss come back here after 1 day, then 2, 4, 8 and 16 days "
                   "as you get them right.")
        return
    questions = [q for q in (find_question(d["item_id"]) for d in due if d["item_type"] == "question") if q]
    points = [d for d in due if d["item_type"] == "teaching_point"]
    st.markdown(f"{len(questions)} question{'s' if len(questions) != 1 else ''} and {len(points)} teaching "
                f"point{'s' if len(points) != 1 else ''} are due.")
    if questions:
        st.dataframe(pd.DataFrame([{"Question": q.stem[:110] + ("…" if len(q.stem) > 110 else ""),
                                    "Domain": labels.DOMAIN.get(q.domain, q.domain or "lesson check"),
                                    "Box": next(d["box"] for d in due if d["item_id"] == q.id)} for q in questions]),
                     hide_index=True, width="stretch",
                     column_config={"Box": st.column_config.NumberColumn(help="Leitner box 1 (new or missed) to 5 (well known)")})
        if st.button(f"Review {len(questions)} question{'s' if len(questions) != 1 else ''} now", key=f"{key}_start",
                     type="primary", icon=":material/replay:"):
            start_review_quiz(questions)
            st.switch_page("ui/pages/quiz.py")
    library = _teaching_points() if points else {}
    for d in points:
        tp = library.get(d["item_id"])
        title = tp.title if tp else "a teaching point no longer in the case library"
        with st.expander(f"Teaching point: {title} (box {d['box']})"):
            if tp:
                st.markdown(md(f"{tp.explanation}\n\n*Common error:* {tp.common_error}\n\n*Guideline:* {tp.guideline}"))
            c1, c2 = st.columns(2)
            if c1.button("✓ I remembered this", key=f"{key}_tp_ok_{d['item_id']}"):
                progress.record_review(actor, "teaching_point", d["item_id"], True)
                st.rerun()
            if c2.button("✗ I need more practice", key=f"{key}_tp_no_{d['item_id']}"):
                progress.record_review(actor, "teaching_point", d["item_id"], False)
                st.rerun()


# ----------------------------------------------------------------------------- case items (exam)
def chart_viewer(scenario: str, seed: int, key: str) -> None:
    """A compact chart: face sheet line, one document at a time, labs as a table. No answer key."""
    import cases
    from ui import resources
    try:
        chart = resources.chart(scenario, int(seed))
    except (KeyError, cases.ContentError) as exc:
        st.error(f"This chart cannot be shown ({exc}). Flag the item and tell your instructor.")
        return
    patient, encounter = chart["patient"], chart["encounter"]
    st.markdown(f"**{patient['last_name']}, {patient['first_name']}** · {patient['sex']} · age {patient['age']} · "
                f"MRN {patient['mrn']} · {patient['payer']}  \nAdmitted {encounter['admit_datetime'].replace('T', ' ')} · "
                f"discharged {encounter['discharge_datetime'].replace('T', ' ')} ({encounter['los_days']} days) · "
                f"attending {encounter['attending']['name']}")
    docs = chart["documents"]
    titles = {d["doc_id"]: f"{d['datetime']} · {d['title']}" for d in docs}
    doc_id = st.selectbox("Document", list(titles), format_func=titles.get, key=f"{key}_doc")
    doc = next(d for d in docs if d["doc_id"] == doc_id)
    with st.container(height=380, border=True):
        st.caption(f"{doc['title']} — {doc.get('author') or ''} — {doc['datetime']}")
        st.text(doc["text"])
        if doc.get("labs"):
            st.dataframe(pd.DataFrame(doc["labs"]), hide_index=True, width="stretch")


def parse_code_lines(text: str, default_second: str = "") -> list[list[str]]:
    """'N17.9 Y' per line (commas or spaces) -> [['N17.9', 'Y'], ...]."""
    out = []
    for line in (text or "").splitlines():
        parts = line.replace(",", " ").replace(";", " ").split()
        if parts:
            out.append([parts[0], parts[1] if len(parts) > 1 else default_second])
    return out


def case_answer_form(key: str, saved: dict | None, *, disabled: bool = False) -> dict | None:
    """Code entry for an exam case in Answer.to_dict() shape; returns the answer when saved."""
    import codes
    from cases.model import ADMISSION_SOURCES, ADMISSION_TYPES, PAYERS
    saved = saved or {}
    abstract = saved.get("abstract") or {}
    pdx = (saved.get("principal_dx") or ["", ""]) + ["", ""]
    poa_values = ["", *codes.POA_VALUES]

    def pick(label, options, value, fmt=None, col=st):
        opts = ["", *options]
        return col.selectbox(label, opts, index=opts.index(value) if value in opts else 0, disabled=disabled,
                             format_func=lambda v: "—" if v == "" else (fmt(v) if fmt else v))

    with st.form(f"{key}_form"):
        c1, c2 = st.columns([2, 1])
        code = c1.text_input("Principal diagnosis (ICD-10-CM)", value=pdx[0], max_chars=12, disabled=disabled)
        poa = c2.selectbox("POA", poa_values, index=poa_values.index(pdx[1]) if pdx[1] in poa_values else 0,
                           disabled=disabled, format_func=lambda v: v or "—")
        sdx = st.text_area("Secondary diagnoses, one per line: CODE POA (e.g. N17.9 Y)", disabled=disabled,
                           value="\n".join(" ".join(x) for x in saved.get("secondary_dx") or []), max_chars=2000)
        procs = st.text_area("Procedures (ICD-10-PCS), one per line, principal first", disabled=disabled,
                             value="\n".join(x[0] for x in saved.get("procedures") or []), max_chars=1000)
        drg = st.text_input("MS-DRG (optional)", value=str(saved.get("drg") or ""), max_chars=4, disabled=disabled)
        with st.expander("Abstraction (UHDDS fields)"):
            a1, a2 = st.columns(2)
            admit = a1.text_input("Admission date (YYYY-MM-DD)", value=abstract.get("admission_date", ""), disabled=disabled)
            disch = a2.text_input("Discharge date (YYYY-MM-DD)", value=abstract.get("discharge_date", ""), disabled=disabled)
            atype = pick("Type of admission", list(ADMISSION_TYPES), abstract.get("admission_type", ""),
                         lambda v: f"{v} – {ADMISSION_TYPES[v]}", a1)
            source = pick("Point of origin", list(ADMISSION_SOURCES), abstract.get("admission_source", ""),
                          lambda v: f"{v} – {ADMISSION_SOURCES[v]}", a2)
            disp = pick("Discharge disposition", list(codes.DISPOSITIONS), abstract.get("discharge_disposition", ""),
                        lambda v: f"{v} – {codes.DISPOSITIONS[v]}", a1)
            payer = pick("Expected payer", list(PAYERS), abstract.get("expected_payer", ""), None, a2)
            attending = st.text_input("Attending physician", value=abstract.get("attending_physician", ""), disabled=disabled)
        saved_now = st.form_submit_button("Save my answer for this case", disabled=disabled)
    if not saved_now:
        return None
    fields = {"admission_date": admit, "discharge_date": disch, "admission_type": atype, "admission_source": source,
              "discharge_disposition": disp, "expected_payer": payer, "attending_physician": attending}
    return {"abstract": {k: v.strip() for k, v in fields.items() if v and v.strip()},
            "principal_dx": [code.strip(), poa], "secondary_dx": parse_code_lines(sdx, "Y"),
            "procedures": [[c, ""] for c, _ in parse_code_lines(procs)], "drg": drg.strip()}


def grade_and_submit(actor: progress.Actor, exam_id: int, exam, now: datetime) -> dict:
    """Hand the exam in (automatically when time is up), grade it - case items by `scoring` with
    the exam rubric - and store the report and every answered question as a response."""
    import scoring
    rubric = scoring.rubric("exam")
    graded = exam_logic.grade(exam, now, lambda item, answer: scoring.score_case(
        item.scenario, item.seed, answer, rubric).report.to_dict())
    return progress.submit_exam(actor, exam_id, answers=dict(graded.session.answers), report=graded.report,
                                score=graded.score, responses=list(graded.responses), now=now)
