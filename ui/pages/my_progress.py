"""My progress: scores over time and by topic, and every attempt, reopenable as scored."""
import streamlit as st

import progress
from ui import learner, learner_views as V, resources, session

st.set_page_config(initial_sidebar_state="expanded")  # the workspace collapses it; bring the menu back
user = session.require("learner")
learner.library_or_stop()
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
        V.show_chart(V.trend_chart(trend, titles), "No submitted cases yet.")
    with right:
        st.subheader("Each component")
        V.show_chart(V.components_chart(trend), "No submitted cases yet.")
with tab_topic:
    st.subheader("By topic (scenario topics and teaching points)")
    V.show_chart(V.topic_chart(mastery, resources.teaching_points()), "No topics practised yet.")
    left, right = st.columns(2)
    with left:
        st.subheader("By component")
        V.show_chart(V.mastery_chart(mastery), "No submitted cases yet.")
    with right:
        st.subheader("By major diagnostic category")
        V.show_chart(V.mdc_chart(mastery), "No submitted cases yet.")
with tab_history:
    V.history(user, key="prog")
