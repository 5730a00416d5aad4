"""ChartLab router: authentication gate, role-based navigation, sidebar. Nothing else."""
import logging
import os
import sqlite3

import streamlit as st

import codes
import progress
from ui import session

st.set_page_config(page_title="ChartLab", page_icon=os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", "chartlab-icon.png"), layout="wide")  # shipped icon: a :material: page icon is fetched from a font CDN


def page(path, title, icon, default=False):
    return st.Page(f"ui/pages/{path}.py", title=title, icon=f":material/{icon}:", default=default)


lookup = page("code_lookup", "Code lookup", "search")
account = page("account", "My account", "person")
study = [page("lessons", "Lessons", "menu_book"), page("quiz", "Practice questions", "quiz"),
         page("exam", "Exam simulator", "timer")]

user = session.current_user() if session.db_ready() else None
if user is None:
    first = session.db_ready() and progress.needs_first_user()
    entry = [page("first_run", "Set up ChartLab", "rocket_launch", default=True)] if first else \
        [page("login", "Sign in", "login", default=True), page("register", "Join a cohort", "person_add")]
    pages = {"ChartLab": entry, "Tools": [lookup]}
elif user.role == "learner":
    pages = {"Coding practice": [page("home", "Home", "home", default=True), page("workspace", "Case workspace", "clinical_notes"),
                                 page("results", "Results", "grading"), page("my_progress", "My progress", "monitoring")],
             "Study": study, "Tools": [lookup, account]}
else:
    pages = {"Teaching": [page("cohorts", "Cohorts", "groups", default=True), page("assignments", "Assignments", "assignment"),
                          page("gradebook", "Gradebook", "table"), page("item_analysis", "Item analysis", "analytics"),
                          page("drilldown", "Learner drill-down", "person_search"), page("trends", "Cohort trends", "trending_up")],
             "Study": [*study, page("blueprints", "Exam blueprints", "tune")], "Tools": [lookup, account]}

nav = st.navigation(pages)
with st.sidebar:
    st.caption(f"ChartLab · synthetic charts for coding practice · {codes.FY_LABEL} ({codes.GROUPER_LABEL})")
    if user is not None:
        st.markdown(f"**{user.display_name}** · {session.ROLE_LABEL[user.role]}")
        if st.button("Sign out", key="sign_out"):
            session.sign_out()
            st.rerun()
try:
    nav.run()
except sqlite3.OperationalError:  # e.g. "database is locked" after the busy timeout
    st.error("The ChartLab database is busy right now. Nothing you saved was lost; please try again in a moment.")
except Exception:
    if os.environ.get("CHARTLAB_STRICT") == "1":  # tests see the real exception
        raise
    logging.getLogger("chartlab").exception("page failed")
    st.error("Something went wrong on this page. Your saved work and drafts are safe; please try again, "
             "and tell your instructor if it keeps happening.")
