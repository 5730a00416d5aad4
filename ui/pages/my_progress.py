"""My progress: scores over time and by topic, and every attempt, reopenable as scored."""
import streamlit as st

import progress
from ui import case_workspace, resources, results_views, session

st.set_page_config(initial_sidebar_state="expanded")  # the workspace collapses it; bring the menu back
user = session.require("learner")
case_workspace.library_or_stop()
titles = resources.scenario_titles()
st.title("My progress")
try:
    trend = progress.scores_over_time(user.actor)
    mastery = progress.mastery(user.actor)
except progress.ProgressError as exc:
    st.error(str(exc))
    st.stop()

tab_time, tab_topic, tab_history = st.tabs(["Over time", "By topic and category", "History"])
with tab_time:
    left, right = st.columns(2)
    with left:
        st.subheader("Total score")
        results_views.show_chart(results_views.trend_chart(trend, titles), "No submitted cases yet.")
    with right:
        st.subheader("Each component")
        results_views.show_chart(results_views.components_chart(trend), "No submitted cases yet.")
with tab_topic:
    st.subheader("By topic (scenario topics and teaching points)")
    results_views.show_chart(results_views.topic_chart(mastery, resources.teaching_points()), "No topics practised yet.")
    left, right = st.columns(2)
    with left:
        st.subheader("By component")
        results_views.show_chart(results_views.mastery_chart(mastery), "No submitted cases yet.")
    with right:
        st.subheader("By major diagnostic category")
        results_views.show_chart(results_views.mdc_chart(mastery), "No submitted cases yet.")
with tab_history:
    results_views.history(user, key="prog")
