"""Learner home: progress at a glance, assignments due, the next suggested case, drafts, recent attempts."""
import statistics

import streamlit as st

import progress
from ui import case_workspace, resources, results_views, session, study

st.set_page_config(initial_sidebar_state="expanded")  # the workspace collapses it; bring the menu back
user = session.require("learner")
case_workspace.library_or_stop()
titles = resources.scenario_titles()
st.title(f"Welcome, {user.display_name}")
st.caption("Every chart in ChartLab is synthetic: invented patients, written for coding practice.")

try:
    trend = progress.scores_over_time(user.actor)
    mastery = progress.mastery(user.actor)
    attempts = progress.list_attempts(user.actor, limit=20)
    drafts = progress.list_drafts(user.actor)
except progress.ProgressError as exc:
    st.error(str(exc))
    st.stop()

totals = [float(r["total"] or 0) for r in trend]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Cases submitted", len(totals))
m2.metric("Average of the last 5", f"{statistics.fmean(totals[-5:]):.0f}" if totals else "—")
m3.metric("Best score", f"{max(totals):.0f}" if totals else "—")
m4.metric("Drafts in progress", len(drafts))

left, right = st.columns(2)
with left:
    st.subheader("Score trend")
    results_views.show_chart(results_views.trend_chart(trend, titles), "Your scores appear here once you submit a case.")
with right:
    st.subheader("Mastery by component")
    results_views.show_chart(results_views.mastery_chart(mastery), "Mean score per component (principal diagnosis, POA, PCS…) after your first case.")

left, right = st.columns(2)
with left:
    st.subheader("Next suggested case")
    with st.container(border=True):
        case_workspace.suggestion_card(user, key="home", navigate=True)
    st.subheader("Continue where you left off")
    case_workspace.drafts_list(user, titles, key="home", navigate=True)
with right:
    st.subheader("Assignments")
    case_workspace.assignment_list(user, titles, key="home", limit=4, navigate=True)
    study.review_due_panel(user.actor, limit=5, key="home_review")

st.subheader("Recent attempts")
if attempts:
    results_views.recent_links(attempts, titles, n=5)
else:
    st.caption("No attempts yet.")
    st.page_link(case_workspace.WORKSPACE, label="Open a practice case", icon=":material/clinical_notes:")
