"""Case workspace: pick a case, read the synthetic chart, abstract and code it, save a draft, submit."""
import streamlit as st

from ui import case_workspace, resources, session

st.set_page_config(initial_sidebar_state="collapsed")  # the chart and the coding form need the full width
user = session.require("learner")
case_workspace.library_or_stop()
resources.reference_ready()
case_workspace.handle_request(user)
session.show_flash()

case = st.session_state.get("ws_case")
if case is None:
    st.title("Case workspace")
    st.caption("Choose a case: one from an assignment, a practice case by topic, the one suggested for you, or a draft.")
    case_workspace.case_picker(user)
    st.stop()

try:
    chart = resources.chart(case["scenario"], case["seed"])
except Exception as exc:  # a content error must not take the page down
    st.error(f"This case could not be generated ({type(exc).__name__}). Choose another case.")
    case_workspace.close_case()
    st.stop()

work = st.session_state["ws_work"]
stay = case_workspace.stay_dates(chart)
p = case_workspace.case_prefix(case)

top = st.container()  # filled last, so it sees every edit made in this run
left, right = st.columns([1.25, 1], gap="medium")
with left:
    case_workspace.chart_panel(chart, p)
with right:
    t_abs, t_dx, t_pcs, t_drg = st.tabs(["Abstract", "Diagnoses", "Procedures", "DRG"])
    with t_abs:
        case_workspace.abstraction_panel(work, p)
    with t_dx:
        case_workspace.dx_panel(work, p)
    with t_pcs:
        case_workspace.proc_panel(work, stay, p)
    with t_drg:
        case_workspace.drg_panel(work, p)

with top:
    case_workspace.toolbar(user)
    if st.session_state.get("ws_confirm"):
        case_workspace.confirm_panel(user, stay)
