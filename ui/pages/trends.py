"""Cohort trends: score distribution per assignment (cases, question sets, exams), weekly
activity and mean score, mastery by component, topic and question domain - each rate with its
count, rates from fewer than `progress.MIN_N` answers greyed out."""
import altair as alt
import pandas as pd
import streamlit as st

import progress
from ui import instructor, labels, resources, session

FEW = instructor.FEW
grey_few = instructor.grey_few

user = session.require("instructor", "admin")
actor = user.actor
st.title("Cohort trends")

cohort = instructor.cohort_picker(actor, "trends")
if cohort is None:
    st.stop()

summary, weekly, mastery, domains = [], [], None, []
with session.friendly_errors():
    summary = progress.assignment_summary(actor, cohort["id"])
    weekly = progress.weekly_trend(actor, cohort_id=cohort["id"])
    mastery = progress.mastery(actor, cohort_id=cohort["id"])
    domains = progress.question_mastery(actor, cohort_id=cohort["id"])
st.caption(f"Counts come with every rate; rates from {FEW} are greyed out and left out of the charts.")

st.subheader("Assignments")
if not summary:
    st.caption("No assignments yet.")
else:
    st.dataframe(grey_few(pd.DataFrame([{
        "Assignment": a["title"], "Kind": labels.ASSIGNMENT_KIND[a["kind"]], "Due": labels.when(a["due_at"], "—"),
        "Learners": a["learners"], "Started": a["started"], "Completed": a["completed"],
        "Completion": labels.pct(None if a["completion_rate"] is None else 100 * a["completion_rate"]),
        "Mean (of those started)": labels.pct(a["mean"]), "Median": labels.pct(a["median"])} for a in summary]),
        [a["started"] >= progress.MIN_N for a in summary]), hide_index=True, width="stretch")
    by_id = {a["id"]: a for a in summary}
    pick = st.selectbox("Score distribution of", list(by_id), key="trends_assignment",
                        format_func=lambda i: by_id[i]["title"])
    chosen = by_id[pick]
    width = 100 // progress.SCORE_BINS
    bands = pd.DataFrame([{"Score band": f"{i * width}–{i * width + width - (0 if i == progress.SCORE_BINS - 1 else 1)}",
                           "order": i, "Learners": n} for i, n in enumerate(chosen["bins"])])
    if chosen["started"]:
        chart = alt.Chart(bands).mark_bar().encode(
            x=alt.X("Score band:N", sort=alt.SortField("order"), title="Assignment score", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Learners:Q", title="Learners", axis=alt.Axis(tickMinStep=1)),
            tooltip=["Score band", "Learners"]).properties(title=f"{chosen['title']}: score distribution")
        st.altair_chart(chart, width="stretch", height=300)
        st.caption(f"{chosen['started']} of {chosen['learners']} learners started; mean {labels.pct(chosen['mean'])}, "
                   f"median {labels.pct(chosen['median'])}.")
    else:
        st.caption("Nobody has started this assignment yet.")

st.subheader("Week by week")
if not weekly:
    st.caption("No attempts yet: the weekly trend appears after the first submission.")
else:
    frame = pd.DataFrame(weekly).rename(columns={"week": "Week", "attempts": "Attempts", "learners": "Learners",
                                                  "mean": "Mean score"})
    frame["Week"] = pd.to_datetime(frame["Week"]).dt.strftime("%d %b %Y")
    left, right = st.columns(2)
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("Week:O", sort=None, title="Week starting (Monday)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Mean score:Q", scale=alt.Scale(domain=[0, 100]), title="Mean total score"),
        tooltip=["Week", alt.Tooltip("Mean score:Q", format=".1f"), "Attempts", "Learners"],
    ).properties(title="Mean score per week")
    left.altair_chart(line, width="stretch", height=300)
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("Week:O", sort=None, title="Week starting (Monday)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Attempts:Q", title="Attempts"),
        tooltip=["Week", "Attempts", "Learners"]).properties(title="Attempts per week")
    right.altair_chart(bars, width="stretch", height=300)

if mastery and mastery["attempts"]:
    st.subheader("Mastery by component")
    comp = pd.DataFrame([{"Component": labels.component_label(c), "Mean": v["mean"], "Attempts": v["n"]}
                         for c, v in mastery["components"].items() if v["mean"] is not None and v["n"] >= progress.MIN_N])
    if len(comp):
        st.altair_chart(instructor.rate_bars(comp, "Component", "Mean", "Mean %", n="Attempts"), width="stretch",
                        height=60 + 30 * len(comp))
    else:
        st.caption(f"Each component has {FEW} so far.")
    if mastery["topics"]:
        teaching = resources.teaching_points()
        st.markdown("**Weakest topics** (mean total of the attempts whose case contained that teaching point; "
                    f"topics with {progress.MIN_N}+ attempts first)")
        topics = sorted(mastery["topics"], key=lambda t: (t["n"] < progress.MIN_N, t["mean"], t["topic"]))[:15]
        st.dataframe(grey_few(pd.DataFrame([{"Topic": labels.topic_label(t["topic"], teaching),
                                             "Mean": labels.pct(t["mean"]), "Attempts": t["n"]} for t in topics]),
                              [t["n"] >= progress.MIN_N for t in topics]), hide_index=True, width="stretch")

if domains:
    st.subheader("Quiz and exam questions by domain")
    st.dataframe(grey_few(pd.DataFrame([{"Domain": labels.domain_label(d["key"]), "Answers": d["n"],
                                         "Correct": d["correct"], "% correct": labels.pct(d["pct"])} for d in domains]),
                          [d["enough"] for d in domains]), hide_index=True, width="stretch")
    st.caption("Practice quizzes, question sets and exams of the cohort's learners, weakest domain first.")
