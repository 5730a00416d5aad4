"""My account: change password, sign out."""
import streamlit as st

import progress
from ui import session

user = session.require("learner", "instructor", "admin")
st.title("My account")
st.write(f"Signed in as **{user.username}** ({session.ROLE_LABEL[user.role]}).")
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
            st.success("Password changed.")
