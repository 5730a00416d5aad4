"""Learner self-registration with a cohort join code."""
import streamlit as st

import progress
from ui import session

st.title("Join a cohort")
st.caption("Your instructor gives you a join code. Your account will see only your own work.")
with st.form("register"):
    code = st.text_input("Cohort join code", max_chars=20)
    display = st.text_input("Your name", max_chars=80)
    username = st.text_input("Choose a username", max_chars=40)
    pw1 = st.text_input("Password", type="password", max_chars=200)
    pw2 = st.text_input("Repeat password", type="password", max_chars=200)
    go = st.form_submit_button("Create my account")
if go:
    if session.new_password_ok(pw1, pw2, username):
        with session.friendly_errors():
            user = progress.register_learner(code, username, pw1, display or None)
            session.sign_in(user)
            st.rerun()
