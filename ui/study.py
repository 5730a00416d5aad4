"""Shared widgets for the study pages (lessons, practice questions, exam simulator) and the
spaced-review panel the learner's home page shows (`review_due_panel`)."""
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
from ui.labels import md

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
        title = tp.title if tp else d["item_id"]
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
