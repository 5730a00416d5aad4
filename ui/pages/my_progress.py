"""My progress: scores over time and by topic, and every attempt, reopenable as scored."""
import altair as alt
import streamlit as st

import progress
from ui import case_workspace, resources, results_views, session

st.set_page_config(initial_sidebar_state="auto")  # the workspace collapses it; the menu comes back on a wide screen, stays out of the way on a phone
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


def components_chart(rows):
    """Each component over time, full width, with its legend in one column under the plot: the
    chart's height is shared by plot and legend, so it is made tall enough for both (six long
    component names neither fit three abreast on a phone nor leave the plot room at 260 px)."""
    chart = results_views.components_chart(rows)
    if chart is None:
        return None
    chart = chart.copy(deep=True)
    chart.encoding.color.legend = alt.Legend(orient="bottom", columns=1, labelLimit=320, title=None)
    return chart.properties(height=240, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


tab_time, tab_topic, tab_history = st.tabs(["Over time", "By topic and category", "History"])
with tab_time:
    st.subheader("Total score")
    results_views.show_chart(results_views.trend_chart(trend, titles), "No submitted cases yet.")
    st.subheader("Each component")
    results_views.show_chart(components_chart(trend), "No submitted cases yet.")
with tab_topic:
    st.subheader("By topic (the teaching points of the cases you coded)")
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
