"""Case workspace: pick a case, read the synthetic chart, abstract and code it, save a draft, submit."""
import streamlit as st

from ui import learner, learner_logic as L, resources, session

st.set_page_config(initial_sidebar_state="collapsed")  # the chart and the coding form need the full width
user = session.require("learner")
learner.library_or_stop()
resources.reference_ready()
learner.handle_request(user)
learner.show_flash()

case = st.session_state.get("ws_case")
if case is None:
    st.title("Case workspace")
    st.caption("Choose a case: one from an assignment, a practice case by topic, the one suggested for you, or a draft.")
    learner.case_picker(user)
    st.stop()

try:
    chart = resources.chart(case["scenario"], case["seed"])
except Exception as exc:  # a content error must not take the page down
    st.error(f"This case could not be generated ({type(exc).__name__}). Choose another case.")
    learner.close_case()
    st.stop()

work = st.session_state["ws_work"]
stay = L.stay_dates(chart)
p = learner.case_prefix(case)

top = st.container()  # filled last, so it sees every edit made in this run
left, right = st.columns([1.25, 1], gap="medium")
with left:
    learner.chart_panel(chart, p)
with right:
    t_abs, t_dx, t_pcs, t_drg = st.tabs(["Abstract", "Diagnoses", "Procedures", "DRG"])
    with t_abs:
        learner.abstraction_panel(work, p)
    with t_dx:
        learner.dx_panel(work, p)
    with t_pcs:
        learner.proc_panel(work, stay, p)
    with t_drg:
        learner.drg_panel(work, p)

with top:
    learner.toolbar(user)
    if st.session_state.get("ws_confirm"):
        learner.confirm_panel(user, stay)
