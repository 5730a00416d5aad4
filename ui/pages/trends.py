"""Cohort trends: score distribution per assignment, weekly activity and mean score, mastery."""
import altair as alt
import pandas as pd
import streamlit as st

import progress
from progress.analytics import SCORE_BINS
from ui import instructor, labels, session

user = session.require("instructor", "admin")
actor = user.actor
st.title("Cohort trends")

cohort = instructor.cohort_picker(actor, "trends")
if cohort is None:
    st.stop()

summary, weekly, mastery = [], [], None
with session.friendly_errors():
    summary = progress.assignment_summary(actor, cohort["id"])
    weekly = progress.weekly_trend(actor, cohort_id=cohort["id"])
    mastery = progress.mastery(actor, cohort_id=cohort["id"])

st.subheader("Assignments")
if not summary:
    st.caption("No assignments yet.")
else:
    st.dataframe(pd.DataFrame([{
        "Assignment": a["title"], "Due": labels.when(a["due_at"], "—"), "Learners": a["learners"],
        "Started": a["started"], "Completed": a["completed"],
        "Completion": labels.pct(None if a["completion_rate"] is None else 100 * a["completion_rate"]),
        "Mean": labels.pct(a["mean"]), "Median": labels.pct(a["median"])} for a in summary]),
        hide_index=True, width="stretch")
    by_id = {a["id"]: a for a in summary}
    pick = st.selectbox("Score distribution of", list(by_id), key="trends_assignment",
                        format_func=lambda i: by_id[i]["title"])
    chosen = by_id[pick]
    width = 100 // SCORE_BINS
    bands = pd.DataFrame([{"Score band": f"{i * width}–{i * width + width - (0 if i == SCORE_BINS - 1 else 1)}",
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
                         for c, v in mastery["components"].items() if v["mean"] is not None])
    chart = alt.Chart(comp).mark_bar().encode(
        y=alt.Y("Component:N", sort="x", title=None, axis=alt.Axis(labelLimit=240)), x=alt.X("Mean:Q", scale=alt.Scale(domain=[0, 100]), title="Mean %"),
        tooltip=["Component", alt.Tooltip("Mean:Q", format=".1f"), "Attempts"])
    text = chart.mark_text(align="left", dx=4).encode(text=alt.Text("Mean:Q", format=".0f"))
    st.altair_chart(chart + text, width="stretch", height=60 + 30 * len(comp))
    if mastery["topics"]:
        st.markdown("**Weakest topics** (mean total of attempts on cases that teach them)")
        st.dataframe(pd.DataFrame([{"Topic": t["topic"].replace("_", " "), "Mean": labels.pct(t["mean"]), "Attempts": t["n"]}
                                   for t in mastery["topics"][:10]]), hide_index=True, width="stretch")
