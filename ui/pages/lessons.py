"""Lessons: the curriculum in order with your progress; a lesson with its worked example (open a
practice case), check-yourself questions with immediate feedback, and "mark complete"."""
import streamlit as st

import progress
from lessons import content
from lessons.bank import LETTERS
from lessons.quiz import check, lesson_questions
from ui import case_workspace, labels, session, study

user = session.require("learner", "instructor", "admin")
actor = user.actor
is_learner = user.role == "learner"
lessons = study.all_lessons()
by_id = {les.id: les for les in lessons}

done = {}
with session.friendly_errors():
    done = progress.lesson_progress(actor)


def open_lesson(lesson_id):
    st.session_state["lesson_id"] = lesson_id


lesson_id = st.session_state.get("lesson_id")
if lesson_id not in by_id:
    st.title("Lessons")
    completed = sum(1 for les in lessons if done.get(les.id, {}).get("status") == "completed")
    if is_learner:
        st.progress(completed / len(lessons) if lessons else 0.0,
                    text=f"{completed} of {len(lessons)} lessons completed")
    else:
        st.caption("You are viewing the curriculum as staff: your progress is not recorded.")
    for les in lessons:
        status = done.get(les.id, {}).get("status")
        with st.container(border=True):
            c1, c2, c3 = st.columns([6, 1.7, 2], vertical_alignment="center")
            guides = ", ".join(les.guidelines[:4]) + (" …" if len(les.guidelines) > 4 else "")
            c1.markdown(f"**{les.order}. {les.title}**  \n"
                        f"{les.minutes} min · {', '.join(les.credentials)}" + (f" · guidelines {guides}" if guides else ""))
            if is_learner:
                c2.markdown(labels.LESSON_STATUS[status])
            c3.button(f"Open lesson {les.order}", key=f"open_{les.id}", on_click=open_lesson, args=(les.id,),
                      help=les.title, width="stretch")
    st.stop()

# ----------------------------------------------------------------------------- one lesson
lesson = by_id[lesson_id]
if is_learner and lesson.id not in done:
    with session.friendly_errors():
        progress.record_lesson(actor, lesson.id, "started")
        done[lesson.id] = {"status": "started"}

st.button("← All lessons", key="back_to_list", on_click=open_lesson, args=(None,))
st.title(f"{lesson.order}. {lesson.title}")
status = done.get(lesson.id, {}).get("status")
st.caption(f"{lesson.minutes} minutes · credentials {', '.join(lesson.credentials)}"
           + (f" · guidelines {', '.join(lesson.guidelines)}" if lesson.guidelines else "")
           + (f" · {labels.LESSON_STATUS[status]}" if is_learner else ""))

titles = {s["id"]: s["title"] for s in study.scenario_catalogue()}
for n, part in enumerate(content.render_parts(lesson)):
    if part.kind == "markdown":
        st.markdown(labels.md(part.text))
        continue
    label = f"Open a practice case: {titles.get(part.scenario, part.scenario)}"
    if is_learner:
        if st.button(label, key=f"case_{n}_{part.scenario}", icon=":material/clinical_notes:", type="primary"):
            case_workspace.go_to_case(part.scenario, session.new_seed())
    else:
        st.button(label, key=f"case_{n}_{part.scenario}", icon=":material/clinical_notes:", disabled=True,
                  help="Practice cases open in the learner's case workspace.")
        st.caption(f"Learners open a fresh chart of “{labels.md_escape(titles.get(part.scenario, 'this scenario'))}” here.")

st.divider()
st.header("Check yourself")
for n, question in enumerate(lesson_questions(lesson), start=1):
    key = f"check_{lesson.id}_{n}"
    answered = st.session_state.get(f"{key}_answer")
    with st.container(border=True):
        st.markdown(f"**{n}.** {labels.md(question.stem)}")
        choice = st.radio(f"{n}. {question.stem}", range(len(question.options)), index=answered,
                          format_func=lambda i, q=question: study.option_label(q, i), key=f"{key}_choice",
                          disabled=answered is not None, label_visibility="collapsed")
        if answered is None:
            if st.button("Check my answer", key=f"{key}_check"):
                if choice is None:
                    st.warning("Choose an answer first.")
                else:
                    st.session_state[f"{key}_answer"] = choice
                    if is_learner:
                        study.record_answer(actor, question, choice)
                    st.rerun()
        else:
            feedback = check(question, answered)
            if feedback.correct:
                st.success(labels.md(f"✓ Correct — {LETTERS[feedback.correct_index]}. {feedback.correct_rationale}"))
            else:
                st.error(labels.md(f"✗ Not quite: you chose {LETTERS[answered]}. The answer is "
                                  f"{LETTERS[feedback.correct_index]}: {feedback.correct_text.rstrip('.')}. "
                                  f"{feedback.correct_rationale}"))

st.divider()
previous, following = content.neighbours(lesson.id)
c1, c2, c3 = st.columns(3)
if previous:
    c1.button(f"← {previous.order}. {previous.title}", key="prev_lesson", on_click=open_lesson, args=(previous.id,))
if is_learner:
    if status == "completed":
        c2.markdown("✓ **You completed this lesson.**")
    elif c2.button("Mark this lesson complete", type="primary", key="complete"):
        with session.friendly_errors():
            progress.record_lesson(actor, lesson.id, "completed")
            st.rerun()
if following:
    c3.button(f"{following.order}. {following.title} →", key="next_lesson", on_click=open_lesson, args=(following.id,))
