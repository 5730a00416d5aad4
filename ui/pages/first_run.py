"""First run: create the first instructor/administrator account (no default passwords exist)."""
import streamlit as st

import progress
from ui import session

st.title("Welcome to ChartLab")
if not progress.needs_first_user():
    st.info("ChartLab is already set up. Please sign in.")
    st.stop()
st.write("No accounts exist yet. Create the first account: it will run cohorts and can add other instructors.")
with st.form("first_user"):
    display = st.text_input("Your name", max_chars=80)
    username = st.text_input("Username", max_chars=40)
    role = st.radio("Role", ["admin", "instructor"], horizontal=True,
                    format_func=lambda r: {"admin": "Administrator (can add instructors)", "instructor": "Instructor"}[r])
    pw1 = st.text_input("Password", type="password", max_chars=200)
    pw2 = st.text_input("Repeat password", type="password", max_chars=200)
    st.caption("At least 10 characters, mixing letters with digits or symbols.")
    done = st.form_submit_button("Create account")
if done:
    if session.new_password_ok(pw1, pw2, username):
        with session.friendly_errors():
            user = progress.create_first_user(username, pw1, role, display or None)
            session.sign_in(user)
            st.success("Account created. Opening ChartLab...")
            st.rerun()
