"""Practice questions: filter the bank, answer with immediate feedback (the rationale of every
option), every answer recorded for spaced review; what is due for review today."""
import random

import streamlit as st

from lessons import CREDENTIALS
from lessons.bank import select
from lessons.quiz import bank_quiz
from ui import labels, session, study

user = session.require("learner", "instructor", "admin")
actor = user.actor
st.title("Practice questions")
bank = study.all_questions()


def end_quiz():
    st.session_state.pop("quiz", None)


quiz = st.session_state.get("quiz")
if quiz is None:
    study.review_due_panel(actor, key="quiz_review")
    st.subheader("Start a practice quiz")
    c1, c2 = st.columns(2)
    credential = c1.selectbox("Credential", ["any", *CREDENTIALS], key="quiz_cred",
                              format_func=lambda c: "Any credential" if c == "any" else c)
    domains = c2.multiselect("Exam domain", sorted({q.domain for q in bank}), key="quiz_domain",
                             format_func=lambda d: labels.DOMAIN.get(d, d), placeholder="Any domain")
    narrowed = select(bank, credential=None if credential == "any" else credential, domain=domains or None)
    c3, c4, c5 = st.columns([2, 1, 1])
    topics = c3.multiselect("Topic", sorted({q.topic for q in narrowed}), key="quiz_topic", placeholder="Any topic",
                            format_func=lambda t: t.replace("_", " "))
    difficulty = c4.multiselect("Difficulty", [1, 2, 3], key="quiz_difficulty", placeholder="Any",
                                format_func=lambda d: labels.QUESTION_DIFFICULTY[d])
    count = c5.number_input("Questions", min_value=1, max_value=50, value=10, key="quiz_count")
    filters = {"credential": None if credential == "any" else credential, "domain": domains or None,
               "topic": topics or None, "difficulty": difficulty or None}
    matching = select(bank, **filters)
    st.caption(f"{len(matching)} questions match; the quiz draws {min(int(count), len(matching))} of them at random.")
    if st.button("Start quiz", type="primary", disabled=not matching, key="quiz_start"):
        st.session_state["quiz"] = bank_quiz(bank, random.Random(), limit=int(count), title="Practice quiz", **filters)
        st.session_state["quiz_n"] = st.session_state.get("quiz_n", 0) + 1
        st.rerun()
    if not matching:
        st.warning("No question matches all these filters. Remove one.")
    st.stop()

# ----------------------------------------------------------------------------- a quiz in progress
run = st.session_state.get("quiz_n", 0)
q = quiz.current_question
answered = quiz.answers.get(q.id)
top1, top2 = st.columns([4, 1], vertical_alignment="center")
top1.markdown(f"**{quiz.title}** · question {quiz.current + 1} of {len(quiz.questions)} · "
              f"{quiz.correct_count} of {quiz.answered_count} answered correctly so far")
top2.button("End quiz", on_click=end_quiz, key="quiz_end", width="stretch")
st.progress(quiz.answered_count / len(quiz.questions))
st.caption(f"{labels.DOMAIN.get(q.domain, q.domain or 'Lesson check')} · {q.topic.replace('_', ' ')} · "
           f"difficulty {labels.QUESTION_DIFFICULTY.get(q.difficulty, q.difficulty)}"
           + (f" · lesson {q.lesson}" if q.lesson else ""))
with st.container(border=True):
    st.markdown(labels.md(q.stem))
    choice = st.radio(q.stem, range(len(q.options)), index=answered, key=f"quiz_{run}_{q.id}",
                      format_func=lambda i: study.option_label(q, i), disabled=answered is not None,
                      label_visibility="collapsed")
    if answered is None:
        if st.button("Check my answer", type="primary", key=f"quiz_check_{run}_{q.id}"):
            if choice is None:
                st.warning("Choose an answer first.")
            else:
                st.session_state["quiz"] = quiz.answer(choice)
                study.record_answer(actor, q, choice)
                st.rerun()
    else:
        study.answer_feedback(q, answered)

c1, c2, c3 = st.columns(3)
if quiz.current > 0 and c1.button("← Previous", key="quiz_prev"):
    st.session_state["quiz"] = quiz.prev()
    st.rerun()
if quiz.current < len(quiz.questions) - 1:
    if c3.button("Next →", key="quiz_next", disabled=answered is None,
                 help=None if answered is not None else "Answer this question first."):
        st.session_state["quiz"] = quiz.next()
        st.rerun()

if quiz.finished:
    st.divider()
    st.subheader(f"Result: {quiz.correct_count} of {len(quiz.questions)} correct ({quiz.percent:.0f}%)")
    missed = quiz.missed()
    if missed:
        st.markdown("These come back for spaced review tomorrow:")
        for m in missed:
            st.markdown(labels.md(f"- {m.stem[:140]}{'…' if len(m.stem) > 140 else ''}"))
    else:
        st.markdown("✓ Nothing missed.")
    if st.button("New quiz", key="quiz_new", type="primary"):
        end_quiz()
        st.rerun()
