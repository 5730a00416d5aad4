"""Assignments: cases (by MDC, difficulty, topic, or ChartLab picks N, with fixed seeds so every
learner codes the same charts), question sets and timed exams; opening and due dates; the
attempt policy of each, changed later with an audit trail; releasing the answer key."""
import random
from datetime import time

import pandas as pd
import streamlit as st

import cases
import progress
import scoring
from lessons import CREDENTIALS
from lessons import blueprint as blueprint_store
from lessons.bank import select
from lessons.quiz import bank_quiz
from ui import instructor, labels, resources, session, study
from ui.labels import md_escape

user = session.require("instructor", "admin")
actor = user.actor
st.title("Assignments")
session.show_flash()

cohort = instructor.cohort_picker(actor, "assignments")
if cohort is None:
    st.stop()

catalogue = study.scenario_catalogue()
titles = {s["id"]: s["title"] for s in catalogue}
blueprints = study.content_or_stop(blueprint_store.load_blueprints, "exam blueprints")


def contents(a: dict) -> str:
    """What an assignment holds, in words (titles and case numbers, never internal ids)."""
    if a["kind"] == "quiz":
        return f"{a['n_items']} questions"
    if a["kind"] == "exam":
        bp = blueprints.get(a["blueprint_id"])
        return f"{bp.title if bp else 'exam'} · {a['minutes']} min"
    return "; ".join(f"{titles.get(i['scenario'], 'case')} #{i['seed']}" for i in a["items"])


existing = []
with session.friendly_errors():
    existing = progress.list_assignments(actor, cohort["id"])
st.subheader(f"Assignments of {md_escape(cohort['name'])}")
if existing:
    st.dataframe(pd.DataFrame([{
        "Title": a["title"], "Kind": labels.ASSIGNMENT_KIND[a["kind"]],
        "Rubric": (a["rubric"] or "practice") if a["kind"] == "cases" else "—",
        "Opens": labels.when(a["opens_at"], "open now"), "Due": labels.when(a["due_at"], "no due date"),
        "Attempt policy": instructor.policy_text(a), "Contents": contents(a)}
        for a in existing]), hide_index=True, width="stretch",
        column_config={"Contents": st.column_config.TextColumn(width="large"),
                       "Attempt policy": st.column_config.TextColumn(width="large")})
else:
    st.caption("No assignments yet.")

# ----------------------------------------------------------------------------- manage one
if existing:
    st.subheader("Attempt policy and answer key")
    by_id = {a["id"]: a for a in existing}
    pick = st.selectbox("Assignment", list(by_id), key="asg_manage",
                        format_func=lambda i: f"{by_id[i]['title']} ({labels.ASSIGNMENT_KIND[by_id[i]['kind']].lower()})")
    chosen = by_id[pick]
    with st.form(f"asg_policy_{pick}"):
        choices = instructor.policy_inputs(chosen["kind"], progress.AttemptPolicy.from_row(chosen), f"asg_policy_{pick}")
        save_policy = st.form_submit_button("Save attempt policy")
    if save_policy and (policy := instructor.policy_from(choices)) is not None:
        with session.friendly_errors():
            progress.set_attempt_policy(actor, pick, policy)
            session.flash(f"Attempt policy of “{md_escape(chosen['title'])}” saved: {md_escape(instructor.policy_text({**chosen, **policy.columns()}))}.")
            st.rerun()
    if chosen["key_released_at"]:
        st.success(f"The answer key was released on {labels.when(chosen['key_released_at'])}; "
                   "the assignment takes no more attempts.")
    else:
        st.markdown("**Release the answer key now.** Learners see the key of their attempts at once, and the "
                    "assignment closes: nobody can submit after reading the key.")
        sure = st.checkbox("Yes, show the key and close this assignment", key=f"asg_release_sure_{pick}")
        if st.button("Release the answer key", key=f"asg_release_{pick}", disabled=not sure, type="primary"):
            with session.friendly_errors():
                progress.release_key(actor, pick)
                session.flash(f"The answer key of “{md_escape(chosen['title'])}” is released; the assignment is closed.")
                st.rerun()
    audit = []
    with session.friendly_errors():
        audit = progress.assignment_audit(actor, pick)
    if audit:
        with st.expander(f"Changes to this assignment ({len(audit)})"):
            st.dataframe(pd.DataFrame([{
                "When": labels.when(r["at"]), "By": r["by_name"],
                "What": "key released" if r["action"] == "release_key" else "attempt policy: " + instructor.policy_text(
                    {**chosen, "key_released_at": None, **r["detail"]})} for r in audit]), hide_index=True, width="stretch")

# ----------------------------------------------------------------------------- new
st.subheader("New assignment")
kind = st.radio("What to assign", list(labels.ASSIGNMENT_KIND), horizontal=True, key="asg_kind",
                format_func=labels.ASSIGNMENT_KIND.get)
plan, question_ids, bp = [], [], None

if kind == "cases":
    st.markdown("**1. Choose the cases**")
    f1, f2, f3 = st.columns(3)
    mdcs = f1.multiselect("MDC", sorted({s["mdc"] for s in catalogue}), key="asg_mdc", format_func=labels.mdc_label,
                          placeholder="Any MDC")
    difficulties = f2.multiselect("Difficulty", sorted({s["difficulty"] for s in catalogue}), key="asg_diff",
                                  format_func=labels.difficulty_label, placeholder="Any difficulty")
    teaching = resources.teaching_points()
    topics = f3.multiselect("Topic or teaching point", sorted({t for s in catalogue for t in s["topics"] + s["teaching"]},
                                                              key=lambda t: labels.topic_label(t, teaching)),
                            key="asg_topic", placeholder="Any topic", format_func=lambda t: labels.topic_label(t, teaching))
    pool = cases.filter_scenarios(catalogue, mdcs, difficulties, topics)
    st.caption(f"{len(pool)} of {len(catalogue)} scenarios match the filters.")
    mode = st.radio("How to choose", ["choose", "pick"], horizontal=True, key="asg_mode",
                    format_func=lambda m: {"choose": "I choose the scenarios", "pick": "Let ChartLab pick N cases"}[m])
    c1, c2, c3 = st.columns(3)
    set_number = int(c3.number_input(
        "Case set number", min_value=1, max_value=1_000_000, value=1, key="asg_set",
        help="The case numbers come from this number: the same choices and number always give the same "
             "charts. Change it for a different set of patients."))
    if mode == "choose":
        chosen_ids = c1.multiselect("Scenarios", [s["id"] for s in pool], key="asg_chosen",
                                    format_func=titles.get, placeholder="Choose one or more scenarios")
        per = c2.number_input("Cases per scenario (different patients)", min_value=1, max_value=20, value=1, key="asg_per")
        plan = cases.plan_cases(chosen_ids, per_scenario=int(per), set_number=set_number)
    else:
        n = c1.number_input("Number of cases", min_value=1, max_value=100, value=5, key="asg_n")
        c2.caption("Cases are spread over the matching scenarios in turn, each with its own patient.")
        plan = cases.plan_cases([s["id"] for s in pool], pick=int(n), set_number=set_number)
    if plan:
        st.dataframe(pd.DataFrame([{"#": n, "Scenario": titles.get(p["scenario"], p["scenario"]), "Case": p["seed"]}
                                   for n, p in enumerate(plan, start=1)]),
                     hide_index=True, width="stretch", height=min(400, 38 + 35 * len(plan)))
        st.caption("Every learner of the cohort gets exactly these charts (scenario and case number).")
    elif not pool:
        st.warning("No scenario matches these filters. Remove a filter.")
    else:
        st.info("Choose at least one scenario.")
elif kind == "quiz":
    st.markdown("**1. Choose the questions** (every learner answers the same set)")
    bank = study.all_questions()
    q1, q2 = st.columns(2)
    credential = q1.selectbox("Credential", ["any", *CREDENTIALS], key="asg_q_cred",
                              format_func=lambda c: "Any credential" if c == "any" else c)
    domains = q2.multiselect("Exam domain", sorted({q.domain for q in bank}), key="asg_q_domain",
                             format_func=labels.domain_label, placeholder="Any domain")
    narrowed = select(bank, credential=None if credential == "any" else credential, domain=domains or None)
    q3, q4, q5, q6 = st.columns([2, 1, 1, 1])
    topics = q3.multiselect("Topic", sorted({q.topic for q in narrowed}, key=labels.topic_label), key="asg_q_topic",
                            placeholder="Any topic", format_func=labels.topic_label)
    difficulty = q4.multiselect("Difficulty", [1, 2, 3], key="asg_q_difficulty", placeholder="Any",
                                format_func=lambda d: labels.QUESTION_DIFFICULTY[d])
    count = int(q5.number_input("Questions", min_value=1, max_value=100, value=10, key="asg_q_count"))
    set_number = int(q6.number_input("Question set number", min_value=1, max_value=1_000_000, value=1, key="asg_q_set",
                                     help="The same filters and number always draw the same questions."))
    filters = {"credential": None if credential == "any" else credential, "domain": domains or None,
               "topic": topics or None, "difficulty": difficulty or None}
    if select(bank, **filters):
        drawn = bank_quiz(bank, random.Random(set_number), limit=count, **filters).questions
        question_ids = [q.id for q in drawn]
        st.dataframe(pd.DataFrame([{"#": n, "Question": q.stem[:120] + ("…" if len(q.stem) > 120 else ""),
                                    "Domain": labels.domain_label(q.domain), "Topic": labels.topic_label(q.topic),
                                    "Difficulty": labels.QUESTION_DIFFICULTY.get(q.difficulty, q.difficulty)}
                                   for n, q in enumerate(drawn, 1)]),
                     hide_index=True, width="stretch", height=min(400, 38 + 35 * len(drawn)))
        st.caption(f"{len(drawn)} of the {len(select(bank, **filters))} matching questions.")
    else:
        st.warning("No question matches all these filters. Remove one.")
else:
    st.markdown("**1. Choose the exam**")
    ids = list(blueprints)
    bp_id = st.selectbox("Blueprint", ids, key="asg_bp", format_func=lambda i: (
        f"{blueprints[i].title} — {blueprints[i].items} questions"
        + (f" + {blueprints[i].cases} cases" if blueprints[i].cases else "")))
    bp = blueprints[bp_id]
    st.caption(f"Every learner's first attempt gets the same form, drawn to the blueprint's domain weights; a second "
               f"attempt (if you allow one) gets another. The clock stops at the due date. Source: {bp.source}.")

st.markdown("**2. Title, dates and attempts** (times are UTC)")
rubrics = scoring.available()
defaults = {"cases": progress.AttemptPolicy(), "quiz": progress.QUIZ_POLICY, "exam": progress.EXAM_POLICY}
with st.form(f"new_assignment_{kind}"):
    title = st.text_input("Assignment title", max_chars=120, placeholder="e.g. Week 3 – heart failure", key=f"asg_title_{kind}")
    rubric, minutes = "", 0
    if kind == "cases":
        rubric = st.selectbox("Rubric", rubrics, index=rubrics.index("practice") if "practice" in rubrics else 0,
                              format_func=lambda r: f"{r} – {scoring.rubric(r).title}", key="asg_rubric")
    elif kind == "exam":
        minutes = int(st.number_input("Time limit (minutes)", min_value=1, max_value=600, value=min(600, bp.minutes),
                                      key=f"asg_minutes_{bp.id}"))
    d1, d2, d3, d4 = st.columns(4)
    opens_day = d1.date_input("Opens on (optional)", value=None, format="YYYY-MM-DD", key=f"asg_opens_{kind}")
    opens_time = d2.time_input("Opening time", value=time(0, 0), step=900, key=f"asg_opens_t_{kind}")
    due_day = d3.date_input("Due on (optional)", value=None, format="YYYY-MM-DD", key=f"asg_due_{kind}")
    due_time = d4.time_input("Due time", value=time(23, 45), step=900, key=f"asg_due_t_{kind}")
    choices = instructor.policy_inputs(kind, defaults[kind], f"asg_new_{kind}")
    if kind == "cases":
        st.caption("The exam rubric always runs in exam mode; tick the box to use exam mode with another rubric.")
    create = st.form_submit_button({"cases": "Generate cases and create assignment", "quiz": "Create question set",
                                    "exam": "Create timed exam"}[kind], type="primary")


def create_cases(when: dict, policy: progress.AttemptPolicy) -> dict | None:
    """Generate and check the planned cases, then store the assignment (None if nothing could be generated)."""
    bar = st.progress(0.0, text=f"Generating and checking {len(plan)} cases...")
    items, notes = cases.generate_cases(plan, resources.case_library(),
                                        on_progress=lambda frac, text: bar.progress(frac, text=text))
    bar.empty()
    for note in notes:
        session.flash(note, "warning")
    if not items:
        st.error("No case could be generated, so the assignment was not created.")
        return None
    return progress.create_assignment(actor, cohort["id"], title, items, rubric=rubric, policy=policy, **when)


if create:
    policy = instructor.policy_from({**choices, "exam_mode": choices["exam_mode"] or rubric == "exam"})
    when = {"opens_at": instructor.combine_utc(opens_day, opens_time, time(0, 0)),
            "due_at": instructor.combine_utc(due_day, due_time, time(23, 45))}
    if policy is None:
        pass
    elif not title.strip():
        st.error("Give the assignment a title.")
    elif kind == "cases" and not plan:
        st.error("Choose at least one case first (step 1).")
    elif kind == "quiz" and not question_ids:
        st.error("Choose the questions first (step 1).")
    else:
        with session.friendly_errors():
            if kind == "cases":
                made = create_cases(when, policy)
            elif kind == "quiz":
                made = progress.create_quiz_assignment(actor, cohort["id"], title, question_ids, policy=policy, **when)
            else:
                made = progress.create_exam_assignment(actor, cohort["id"], title, bp.id, minutes, policy=policy, **when)
            if made is not None:
                size = {"cases": f"{made['n_items']} cases", "quiz": f"{made['n_items']} questions",
                        "exam": f"a {made['minutes']}-minute exam"}[kind]
                session.flash(f"Assignment “{md_escape(made['title'])}” created with {size}.")
                st.rerun()
