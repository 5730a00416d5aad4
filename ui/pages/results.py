"""Results of one submitted case: scores, per-code table, DRG comparison, feedback with evidence, disputes."""
import streamlit as st

import progress
from ui import case_workspace, resources, results_views, session

st.set_page_config(initial_sidebar_state="expanded")  # the workspace collapses it; bring the menu back
user = session.require("learner")
case_workspace.library_or_stop()
titles = resources.scenario_titles()

attempt_id = results_views.attempt_id_from_request()
try:
    recent = progress.list_attempts(user.actor, limit=50)
except progress.ProgressError as exc:
    st.error(str(exc))
    st.stop()
if attempt_id is None:
    if not recent:
        st.title("Results")
        st.info("You have not submitted a case yet. Open one in the **Case workspace**.")
        st.page_link(case_workspace.WORKSPACE, label="Go to the case workspace", icon=":material/clinical_notes:")
        st.stop()
    attempt_id = recent[0]["id"]

try:
    attempt = progress.get_attempt(user.actor, attempt_id)
except progress.ProgressError as exc:  # not found, or somebody else's attempt
    st.title("Results")
    st.error(str(exc))
    st.stop()
st.session_state["results_attempt"] = attempt["id"]
if st.query_params.get("attempt") != str(attempt["id"]):
    st.query_params["attempt"] = str(attempt["id"])
report = attempt.get("report") or {}
try:
    chart = resources.chart(attempt["scenario_id"], attempt["seed"])
except Exception:  # the scenario was removed from the library: show the scores without quotes
    chart = None

results_views.results_header(attempt, titles)
session.show_flash()
c1, c2, c3 = st.columns([1.5, 1.1, 2.6], vertical_alignment="bottom")
if c1.button("Another case like this", key="res_again", type="primary", icon=":material/refresh:", width="stretch",
             help="Try the same scenario again with a new patient."):
    case_workspace.go_to_case(attempt["scenario_id"], session.new_seed())
with c2:
    st.page_link("ui/pages/my_progress.py", label="All my attempts", icon=":material/monitoring:")
with c3:
    options = list(dict.fromkeys([attempt["id"], *[a["id"] for a in recent]]))
    choices = {a["id"]: f"#{a['id']} · {titles.get(a['scenario_id'], a['scenario_id'])} · {float(a['total'] or 0):.0f}"
              for a in recent}
    other = st.selectbox("Show another of my attempts", options, key=f"res_pick_{attempt['id']}",
                         format_func=lambda i: choices.get(i, f"#{i}"))
    if other != attempt["id"]:
        st.session_state["results_attempt"] = other
        st.query_params["attempt"] = str(other)
        st.rerun()

results_views.score_summary(attempt, report)
for m in report.get("messages") or []:
    st.caption(m)
n_fb = len(report.get("feedback") or [])
t_codes, t_drg, t_fb, t_audit = st.tabs(["Codes and fields", "DRG comparison", f"Feedback ({n_fb})",
                                         "Disputes and instructor changes"])
with t_codes:
    results_views.code_table(attempt, report)
with t_drg:
    results_views.drg_view(report, attempt)
with t_fb:
    results_views.feedback_list(user, attempt, report, chart)
with t_audit:
    results_views.audit_trail(user, attempt)
