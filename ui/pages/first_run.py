"""First run: create the first instructor/administrator account (no default passwords exist).

When the server can be reached from beyond this machine, the first account also needs the
one-time setup token that `progress.setup` prints on the server console."""
import streamlit as st

import progress
from ui import session

st.title("Welcome to ChartLab")
if not progress.needs_first_user():
    st.info("ChartLab is already set up. Please sign in.")
    st.stop()
headers = st.context.headers or {}
origin = progress.Origin(bind_address=st.get_option("server.address"), client_address=st.context.ip_address,
                         forwarded=bool(headers.get("X-Forwarded-For") or headers.get("Forwarded")))
needs_token = progress.announce_token(origin)
st.write("No accounts exist yet. Create the first account: it will run cohorts and can add other instructors.")
with st.form("first_user"):
    token = st.text_input("Setup token", max_chars=40, help="Printed on the server console where ChartLab was "
                          "started; needed because this server can be reached from other machines.") \
        if needs_token else None
    display = st.text_input("Your name", max_chars=80)
    username = st.text_input("Username", max_chars=40)
    role = st.radio("Role", ["admin", "instructor"], horizontal=True,
                    format_func=lambda r: {"admin": "Administrator (can add instructors)", "instructor": "Instructor"}[r])
    pw1 = st.text_input("Password", type="password", max_chars=200)
    pw2 = st.text_input("Repeat password", type="password", max_chars=200)
    st.caption("At least 10 characters that are hard to guess: not your name, your username or \"ChartLab\". "
               "A phrase of several unrelated words works well.")
    done = st.form_submit_button("Create account")
if done:
    if session.new_password_ok(pw1, pw2, username):
        with session.friendly_errors():
            user = progress.create_first_user(username, pw1, role, display or None, setup_token=token, origin=origin)
            session.sign_in(user)
            st.success("Account created. Opening ChartLab...")
            st.rerun()
