"""Assignments: pick scenarios (by MDC, difficulty, topic) or let ChartLab pick N, with fixed seeds
so every learner codes the same charts; rubric preset; opening and due dates."""
from datetime import time

import pandas as pd
import streamlit as st

import cases
import progress
import scoring
from ui import instructor, labels, resources, session, study

user = session.require("instructor", "admin")
actor = user.actor
st.title("Assignments")
session.show_flash()

cohort = instructor.cohort_picker(actor, "assignments")
if cohort is None:
    st.stop()

catalogue = study.scenario_catalogue()
titles = {s["id"]: s["title"] for s in catalogue}

existing = []
with session.friendly_errors():
    existing = progress.list_assignments(actor, cohort["id"])
st.subheader(f"Assignments of {cohort['name']}")
if existing:
    st.dataframe(pd.DataFrame([{
        "Title": a["title"], "Cases": len(a["items"]), "Rubric": a["rubric"] or "practice",
        "Opens": labels.when(a["opens_at"], "open now"), "Due": labels.when(a["due_at"], "no due date"),
        "Charts (scenario · seed)": "; ".join(f"{i['scenario']} · {i['seed']}" for i in a["items"])}
        for a in existing]), hide_index=True, width="stretch")
else:
    st.caption("No assignments yet.")

st.subheader("New assignment")
st.markdown("**1. Choose the cases**")
f1, f2, f3 = st.columns(3)
mdcs = f1.multiselect("MDC", sorted({s["mdc"] for s in catalogue}), key="asg_mdc", format_func=labels.mdc_label,
                      placeholder="Any MDC")
difficulties = f2.multiselect("Difficulty", sorted({s["difficulty"] for s in catalogue}), key="asg_diff",
                              format_func=labels.difficulty_label,
                              placeholder="Any difficulty")
topics = f3.multiselect("Topic or teaching point", sorted({t for s in catalogue for t in s["topics"] + s["teaching"]}),
                        key="asg_topic", placeholder="Any topic")
pool = cases.filter_scenarios(catalogue, mdcs, difficulties, topics)
st.caption(f"{len(pool)} of {len(catalogue)} scenarios match the filters.")

mode = st.radio("How to choose", ["choose", "pick"], horizontal=True, key="asg_mode",
                format_func=lambda m: {"choose": "I choose the scenarios", "pick": "Let ChartLab pick N cases"}[m])
c1, c2, c3 = st.columns(3)
set_number = int(c3.number_input(
    "Case set number", min_value=1, max_value=1_000_000, value=1, key="asg_set",
    help="The seeds of the cases come from this number: the same choices and number always give the same "
         "charts. Change it for a different set of patients."))
if mode == "choose":
    chosen = c1.multiselect("Scenarios", [s["id"] for s in pool], key="asg_chosen",
                            format_func=lambda i: f"{titles[i]} ({i})", placeholder="Choose one or more scenarios")
    per = c2.number_input("Cases per scenario (different patients)", min_value=1, max_value=20, value=1, key="asg_per")
    plan = cases.plan_cases(chosen, per_scenario=int(per),
                                 set_number=set_number)
else:
    n = c1.number_input("Number of cases", min_value=1, max_value=100, value=5, key="asg_n")
    c2.caption("Cases are spread over the matching scenarios in turn, each with its own patient.")
    plan = cases.plan_cases([s["id"] for s in pool], pick=int(n),
                                 set_number=set_number)
if plan:
    st.dataframe(pd.DataFrame([{"#": n, "Scenario": titles.get(p["scenario"], p["scenario"]), "Id": p["scenario"],
                                "Seed": p["seed"]} for n, p in enumerate(plan, start=1)]),
                 hide_index=True, width="stretch", height=min(400, 38 + 35 * len(plan)))
    st.caption("Every learner of the cohort gets exactly these charts (scenario + seed).")
elif not pool:
    st.warning("No scenario matches these filters. Remove a filter.")
else:
    st.info("Choose at least one scenario.")

st.markdown("**2. Title, rubric and dates** (times are UTC)")
rubrics = scoring.available()
with st.form("new_assignment"):
    title = st.text_input("Assignment title", max_chars=120, placeholder="e.g. Week 3 – heart failure")
    rubric = st.selectbox("Rubric", rubrics, index=rubrics.index("practice") if "practice" in rubrics else 0,
                          format_func=lambda r: f"{r} – {scoring.rubric(r).title}")
    d1, d2, d3, d4 = st.columns(4)
    opens_day = d1.date_input("Opens on (optional)", value=None, format="YYYY-MM-DD")
    opens_time = d2.time_input("Opening time", value=time(0, 0), step=900)
    due_day = d3.date_input("Due on (optional)", value=None, format="YYYY-MM-DD")
    due_time = d4.time_input("Due time", value=time(23, 45), step=900)
    create = st.form_submit_button("Generate cases and create assignment", type="primary")

if create:
    if not plan:
        st.error("Choose at least one case first (step 1).")
    elif not title.strip():
        st.error("Give the assignment a title.")
    else:
        bar = st.progress(0.0, text=f"Generating and checking {len(plan)} cases...")
        items, notes = cases.generate_cases(plan, resources.case_library(),
                                                 on_progress=lambda frac, text: bar.progress(frac, text=text))
        bar.empty()
        for note in notes:
            st.warning(note)
        if not items:
            st.error("No case could be generated, so the assignment was not created.")
        else:
            with session.friendly_errors():
                made = progress.create_assignment(
                    actor, cohort["id"], title, items, rubric=rubric,
                    opens_at=instructor.combine_utc(opens_day, opens_time, time(0, 0)),
                    due_at=instructor.combine_utc(due_day, due_time, time(23, 45)))
                session.flash(f"Assignment “{made['title']}” created with {len(made['items'])} cases"
                                 + (f" ({len(notes)} note{'s' if len(notes) != 1 else ''} above)." if notes else "."))
                if notes:
                    for note in notes:
                        session.flash(note, "warning")
                st.rerun()
