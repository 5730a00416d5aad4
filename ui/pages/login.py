"""Sign in (with lockout after repeated failures)."""
import streamlit as st

import progress
from ui import session

st.title("Sign in to ChartLab")
st.caption("Practice inpatient coding on synthetic charts. New learners: use **Join a cohort** with your instructor's code.")
with st.form("login"):
    username = st.text_input("Username", max_chars=40)
    password = st.text_input("Password", type="password", max_chars=200)
    go = st.form_submit_button("Sign in")
if go:
    try:
        user = progress.authenticate(username, password)
    except progress.AuthError as exc:
        st.error(str(exc))
    except progress.ProgressError as exc:
        st.error(str(exc))
    else:
        session.sign_in(user)
        st.rerun()
