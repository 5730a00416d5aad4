"""Practice questions: the question sets your instructor assigned, and practice quizzes from the
bank; answer with immediate feedback (the rationale of every option), every answer recorded for
spaced review; every quiz ends with a summary by domain; what is due for review today."""
import random

import streamlit as st

from lessons import CREDENTIALS
from lessons.bank import select
from lessons.quiz import bank_quiz
from ui import labels, session, study

user = session.require("learner", "instructor", "admin")
actor = user.actor
st.title("Practice questions")
session.show_flash()
bank = study.all_questions()


def leave_quiz():
    for key in ("quiz", "quiz_attempt", "quiz_over"):
        st.session_state.pop(key, None)


def end_quiz():
    st.session_state["quiz_over"] = True


def open_assigned(assignment):
    study.start_assigned_quiz(actor, assignment)


quiz = st.session_state.get("quiz")
attempt_id = st.session_state.get("quiz_attempt")
if quiz is None:
    if user.role == "learner":
        study.assigned_panel(actor, "quiz", "quiz_assigned", open_assigned)
    study.review_due_panel(actor, key="quiz_review")
    st.subheader("Start a practice quiz")
    c1, c2 = st.columns(2)
    credential = c1.selectbox("Credential", ["any", *CREDENTIALS], key="quiz_cred",
                              format_func=lambda c: "Any credential" if c == "any" else c)
    domains = c2.multiselect("Exam domain", sorted({q.domain for q in bank}), key="quiz_domain",
                             format_func=labels.domain_label, placeholder="Any domain")
    narrowed = select(bank, credential=None if credential == "any" else credential, domain=domains or None)
    c3, c4, c5 = st.columns([2, 1, 1])
    topics = c3.multiselect("Topic", sorted({q.topic for q in narrowed}, key=labels.topic_label), key="quiz_topic",
                            placeholder="Any topic", format_func=labels.topic_label)
    difficulty = c4.multiselect("Difficulty", [1, 2, 3], key="quiz_difficulty", placeholder="Any",
                                format_func=lambda d: labels.QUESTION_DIFFICULTY[d])
    count = c5.number_input("Questions", min_value=1, max_value=50, value=10, key="quiz_count")
    filters = {"credential": None if credential == "any" else credential, "domain": domains or None,
               "topic": topics or None, "difficulty": difficulty or None}
    matching = select(bank, **filters)
    st.caption(f"{len(matching)} questions match; the quiz draws {min(int(count), len(matching))} of them at random.")
    if st.button("Start quiz", type="primary", disabled=not matching, key="quiz_start"):
        leave_quiz()
        st.session_state["quiz"] = bank_quiz(bank, random.Random(), limit=int(count), title="Practice quiz", **filters)
        st.session_state["quiz_n"] = st.session_state.get("quiz_n", 0) + 1
        st.rerun()
    if not matching:
        st.warning("No question matches all these filters. Remove one.")
    st.stop()

# ----------------------------------------------------------------------------- the summary that ends every quiz
if st.session_state.get("quiz_over"):
    st.subheader(labels.md_escape(quiz.title))
    st.markdown(f"### Result: {quiz.correct_count} of {len(quiz.questions)} correct"
                + (f" ({100 * quiz.correct_count / len(quiz.questions):.0f}%)" if quiz.questions else ""))
    if quiz.answered_count < len(quiz.questions):
        st.caption(f"{len(quiz.questions) - quiz.answered_count} question(s) not answered"
                   + (" count as wrong." if attempt_id else "."))
    if attempt_id:
        st.success("Your answers are handed in to your instructor.")
    st.markdown("**By domain**")
    study.domain_summary(quiz)
    missed = quiz.missed()
    if missed:
        st.markdown("These come back for spaced review tomorrow:")
        for m in missed:
            st.markdown(labels.md(f"- {m.stem[:140]}{'…' if len(m.stem) > 140 else ''}"))
    elif quiz.answered_count:
        st.markdown("✓ Nothing missed.")
    if st.button("Back to practice questions", key="quiz_new", type="primary"):
        leave_quiz()
        st.rerun()
    st.stop()

# ----------------------------------------------------------------------------- a quiz in progress
run = st.session_state.get("quiz_n", 0)
q = quiz.current_question
answered = quiz.answers.get(q.id)
st.markdown(f"**{labels.md_escape(quiz.title)}** · question {quiz.current + 1} of {len(quiz.questions)} · "
            f"{quiz.correct_count} of {quiz.answered_count} answered correctly so far")
top1, top2 = st.columns(2)
if attempt_id:
    top1.button("Leave (continue later)", on_click=leave_quiz, key="quiz_leave", width="stretch")
    with top2.popover("Hand in now", width="stretch"):
        st.caption("Questions you have not answered count as wrong.")
        if st.button("Yes, hand in my answers", key="quiz_hand_in", type="primary"):
            if study.hand_in_quiz(actor, attempt_id):
                end_quiz()
                st.rerun()
else:
    top1.button("End quiz", on_click=end_quiz, key="quiz_end", width="stretch",
                help="See the summary of what you have answered so far.")
st.progress(quiz.answered_count / len(quiz.questions))
st.caption(f"{labels.domain_label(q.domain)} · {labels.topic_label(q.topic)} · "
           f"difficulty {labels.QUESTION_DIFFICULTY.get(q.difficulty, q.difficulty)}"
           + (f" · {study.lesson_title(q.lesson)}" if q.lesson else ""))
with st.container(border=True):
    st.markdown(labels.md(q.stem))
    choice = st.radio(q.stem, range(len(q.options)), index=answered, key=f"quiz_{run}_{q.id}",
                      format_func=lambda i: study.option_label(q, i), disabled=answered is not None,
                      label_visibility="collapsed")
    if answered is None:
        if st.button("Check my answer", type="primary", key=f"quiz_check_{run}_{q.id}", width="stretch"):
            if choice is None:
                st.warning("Choose an answer first.")
            elif attempt_id is None:
                st.session_state["quiz"] = quiz.answer(choice)
                study.record_answer(actor, q, choice)
                st.rerun()
            elif study.record_assigned_answer(actor, attempt_id, q, choice) is not None:
                st.session_state["quiz"] = quiz.answer(choice)
                st.rerun()
    else:
        study.answer_feedback(q, answered)

c1, c2 = st.columns(2)
if quiz.current > 0 and c1.button("← Previous", key="quiz_prev", width="stretch"):
    st.session_state["quiz"] = quiz.prev()
    st.rerun()
if quiz.current < len(quiz.questions) - 1:
    if c2.button("Next →", key="quiz_next", disabled=answered is None, width="stretch",
                 help=None if answered is not None else "Answer this question first."):
        st.session_state["quiz"] = quiz.next()
        st.rerun()
if quiz.finished:
    st.divider()
    st.button("See my results by domain", key="quiz_results", type="primary", on_click=end_quiz, width="stretch")
