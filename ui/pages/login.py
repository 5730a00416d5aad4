"""Sign in: school single sign-on when configured, local accounts (with lockout) always."""
import streamlit as st

import progress
from ui import session

st.title("Sign in to ChartLab")
st.caption("Practice inpatient coding on synthetic charts. New learners: use **Join a cohort** with your instructor's code.")
providers = session.sso_providers()
if providers:
    for provider in providers:
        label = "Sign in with your school account" + (f" ({provider})" if provider else "")
        if st.button(label, key=f"sso_{provider or 'default'}", type="primary", icon=":material/school:"):
            st.login(provider)
    if st.user.get("is_logged_in") is True:
        st.caption("Signed in to your school account, but not to ChartLab.")
        if st.button("Use a different school account", key="sso_logout"):
            st.logout()
    st.divider()
    st.caption("Or sign in with a ChartLab username and password:")
with st.form("login"):
    username = st.text_input("Username", max_chars=40)
    password = st.text_input("Password", type="password", max_chars=200)
    go = st.form_submit_button("Sign in")
if go:
    try:
        user = progress.authenticate(username, password)
    except progress.ProgressError as exc:
        st.error(str(exc))
    else:
        session.sign_in(user)
        st.rerun()
