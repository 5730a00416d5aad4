"""ChartLab router: authentication gate, role-based navigation, sidebar. Nothing else.

Serve it with `streamlit run asgi.py` (adds the sign-in cookie route); `streamlit run
streamlit_app.py` still works, but then a reload signs the user out."""
import logging
import os
import sqlite3

import streamlit as st

import codes
import progress
from ui import session

st.set_page_config(page_title="ChartLab", page_icon=os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", "chartlab-icon.png"), layout="wide")  # shipped icon: a :material: page icon is fetched from a font CDN

# Who is signed in is settled before navigation is built, so a reload finds its page.
ready = session.db_ready()
user = session.restore() if ready else None

# (file under ui/pages/ = URL path, title, icon); the first page of a menu is its default.
STUDY = [("lessons", "Lessons", "menu_book"), ("quiz", "Practice questions", "quiz"), ("exam", "Exam simulator", "timer")]
TOOLS = [("code_lookup", "Code lookup", "search"), ("account", "My account", "person")]
MENUS = {
    "first_run": {"ChartLab": [("first_run", "Set up ChartLab", "rocket_launch")], "Tools": TOOLS[:1]},
    "anonymous": {"ChartLab": [("login", "Sign in", "login"), ("register", "Join a cohort", "person_add")],
                  "Tools": TOOLS[:1]},
    "learner": {"Coding practice": [("home", "Home", "home"), ("workspace", "Case workspace", "clinical_notes"),
                                    ("results", "Results", "grading"), ("my_progress", "My progress", "monitoring")],
                "Study": STUDY, "Tools": TOOLS},
    "staff": {"Teaching": [("cohorts", "Cohorts", "groups"), ("assignments", "Assignments", "assignment"),
                           ("gradebook", "Gradebook", "table"), ("item_analysis", "Item analysis", "analytics"),
                           ("drilldown", "Learner drill-down", "person_search"), ("trends", "Cohort trends", "trending_up")],
              "Study": [*STUDY, ("blueprints", "Exam blueprints", "tune")],
              "Tools": [*TOOLS, ("people", "Accounts and sign-in", "manage_accounts")]},
}
if user is None:
    audience = "first_run" if ready and progress.needs_first_user() else "anonymous"
else:
    audience = "learner" if user.role == "learner" else "staff"

menu = {section: [st.Page(f"ui/pages/{path}.py", title=title, icon=f":material/{icon}:",
                          default=(section, i) == (next(iter(MENUS[audience])), 0))
                  for i, (path, title, icon) in enumerate(specs)]
        for section, specs in MENUS[audience].items()}
# Every other menu's URL stays known (hidden), so a reload or a shared link never shows
# "Page not found": signed out, it asks for sign-in and then opens that page.
mine = {path for specs in MENUS[audience].values() for path, _, _ in specs}
others = {path: title for name, m in MENUS.items() if name != audience for specs in m.values()
          for path, title, _ in specs if path not in mine}
starts = {next(iter(m.values()))[0][0] for m in MENUS.values()}   # each menu's default page
first = menu[next(iter(menu))]
first += [session.stand_in_page(path, title, audience, first[0], path in starts) for path, title in others.items()]
nav = st.navigation(menu)

with st.sidebar:
    st.caption(f"ChartLab · synthetic charts for coding practice · {codes.FY_LABEL} ({codes.GROUPER_LABEL})")
    if user is not None:
        st.text(f"{user.display_name} · {session.ROLE_LABEL[user.role]}")   # plain text: names come from users
        if st.button("Sign out", key="sign_out"):
            session.sign_out()
            st.rerun()
session.sync_browser()
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
