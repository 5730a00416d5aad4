"""My account: change password, sign out on other devices."""
import streamlit as st

import progress
from ui import session

user = session.require("learner", "instructor", "admin")
st.title("My account")
st.write(f"Signed in as **{user.username}** ({session.ROLE_LABEL[user.role]}).")
if progress.has_password(user.actor):
    with st.form("change_pw"):
        old = st.text_input("Current password", type="password", max_chars=200)
        new1 = st.text_input("New password", type="password", max_chars=200)
        new2 = st.text_input("Repeat new password", type="password", max_chars=200)
        go = st.form_submit_button("Change password")
    if go:
        if new1 != new2:
            st.error("The two new passwords differ.")
        else:
            with session.friendly_errors():
                progress.change_password(user.actor, old, new1)
                session.renew()   # the change ended every session, this one included
                st.success("Password changed. You were signed out on every other device.")
else:
    st.info("You sign in with your school account, so ChartLab has no password for you.")

st.subheader("Devices")
count = progress.active_session_count(user.actor, user.id)
st.write(f"You are signed in on {count} device{'s' if count != 1 else ''} or browser{'s' if count != 1 else ''} "
         "(this one included).")
if st.button("Sign out on every other device", key="revoke_others"):
    with session.friendly_errors():
        progress.revoke_user_sessions(user.actor, user.id)
        session.renew()
        st.success("Done: only this browser is still signed in.")
