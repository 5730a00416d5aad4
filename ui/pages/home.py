"""Learner home: progress at a glance, assignments due (cases, question sets, exams), the next
suggested case, drafts, recent attempts. Laid out to read on a phone too: the figures wrap two
to a row, each recent attempt starts with its score."""
import statistics

import streamlit as st

import progress
from ui import case_workspace, labels, resources, results_views, session, study

st.set_page_config(initial_sidebar_state="auto")  # the workspace collapses it; the menu comes back on a wide screen, stays out of the way on a phone
user = session.require("learner")
case_workspace.library_or_stop()
titles = resources.scenario_titles()
st.title(f"Welcome, {labels.md_escape(user.display_name)}")
st.caption("Every chart in ChartLab is synthetic: invented patients, written for coding practice.")

try:
    trend = progress.scores_over_time(user.actor)
    mastery = progress.mastery(user.actor)
    attempts = progress.list_attempts(user.actor, limit=20)
    drafts = progress.list_drafts(user.actor)
    studies = progress.learner_study_assignments(user.actor, now=study.utcnow())
except progress.ProgressError as exc:
    st.error(str(exc))
    st.stop()

totals = [float(r["total"] or 0) for r in trend]
with st.container(horizontal=True, gap="medium"):
    for label, value in (("Cases submitted", len(totals)),
                         ("Average of the last 5", f"{statistics.fmean(totals[-5:]):.0f}" if totals else "—"),
                         ("Best score", f"{max(totals):.0f}" if totals else "—"), ("Drafts in progress", len(drafts))):
        st.metric(label, value, width=150, border=True)

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
    if studies:
        st.subheader("Question sets and exams")
        for a in studies[:4]:   # the status first, like recent attempts: a phone cuts the end of a long title
            page = "ui/pages/quiz.py" if a["kind"] == "quiz" else "ui/pages/exam.py"
            state = ("in progress" if a["access"].running_id else
                     f"{a['score']:.0f}%" if a["score"] is not None else
                     "to do" if a["access"].can_start else "closed")
            st.page_link(page, icon=":material/quiz:" if a["kind"] == "quiz" else ":material/timer:", width="stretch",
                         label=f"{state} · {labels.md_escape(a['title'])}",
                         help=f"{labels.ASSIGNMENT_KIND[a['kind']]}, due {labels.when(a['due_at'], 'no due date')}")
    study.review_due_panel(user.actor, limit=5, key="home_review")

st.subheader("Recent attempts")
if attempts:
    for a in attempts[:5]:   # the score first: on a phone a long case title is what gets cut, not the score
        st.page_link(case_workspace.RESULTS, query_params={"attempt": str(a["id"])}, icon=":material/grading:",
                     width="stretch", help=f"Submitted {labels.when(a['submitted_at'])}",
                     label=f"{float(a['total'] or 0):.0f}/100 · {titles.get(a['scenario_id'], 'Case')} #{a['seed']}")
else:
    st.caption("No attempts yet.")
    st.page_link(case_workspace.WORKSPACE, label="Open a practice case", icon=":material/clinical_notes:")
