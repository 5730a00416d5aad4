"""Accounts and sign-in (staff): invite learners' school e-mails to a cohort; administrators
also change roles (promote school sign-on accounts to instructor) and sign users out everywhere."""
import pandas as pd
import streamlit as st

import progress
from ui import session
from ui.labels import md_escape

user = session.require("instructor", "admin")
actor = user.actor
st.title("Accounts and sign-in")

st.subheader("Invite learners by school e-mail")
st.caption("When your school's single sign-on is set up, an invited learner who signs in with that "
           "(verified) school e-mail joins the cohort automatically.")
cohorts = progress.list_cohorts(actor)
if not cohorts:
    st.info("Create a cohort first (Teaching → Cohorts).")
else:
    names = {c["id"]: c["name"] for c in cohorts}
    cohort_id = st.selectbox("Cohort", list(names), format_func=names.get, key="people_cohort")
    with st.form("invite", clear_on_submit=True):
        emails = st.text_area("School e-mail addresses (one per line)", max_chars=20_000)
        go = st.form_submit_button("Invite")
    if go:
        results = []
        for email in [e.strip() for e in emails.splitlines() if e.strip()][:500]:
            try:
                progress.invite_learner(actor, cohort_id, email)
                results.append({"E-mail": email, "Result": "invited"})
            except progress.ProgressError as exc:
                results.append({"E-mail": email, "Result": str(exc)})
        invited = sum(r["Result"] == "invited" for r in results)
        (st.success if invited == len(results) else st.warning)(
            f"Invited {invited} of {len(results)} address{'es' if len(results) != 1 else ''}.")
        st.dataframe(pd.DataFrame(results), hide_index=True, width="stretch")   # never markdown
    invitations = progress.list_invitations(actor, cohort_id)
    if invitations:
        table = pd.DataFrame(invitations)[["email", "created_at", "accepted_by", "accepted_at"]]
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"email": "E-mail", "created_at": "Invited", "accepted_by": "Account",
                                    "accepted_at": "Accepted"})

if not actor.is_admin:
    st.stop()
st.subheader("Roles and sessions")
accounts = progress.list_users(actor)
labels = {u["id"]: f"{u['username']} · {u['display_name']} · {session.ROLE_LABEL[u['role']]}" for u in accounts}
target_id = st.selectbox("Account", list(labels), format_func=labels.get, key="people_user")
target = next(u for u in accounts if u["id"] == target_id)
count = progress.active_session_count(actor, target_id)
st.write(f"Signed in on {count} device{'s' if count != 1 else ''}.")
left, right = st.columns(2)
with left:
    roles = list(session.ROLE_LABEL)
    role = st.selectbox("Role", roles, index=roles.index(target["role"]), format_func=session.ROLE_LABEL.get,
                        key=f"people_role_{target_id}", disabled=target_id == actor.user_id)
    if st.button("Change role", key="people_set_role", disabled=role == target["role"]):
        with session.friendly_errors():
            changed = progress.set_role(actor, target_id, role)
            st.success(f"{md_escape(changed.username)} is now {session.ROLE_LABEL[changed.role].lower()}.")
with right:
    if st.button("Sign out everywhere", key="people_revoke", disabled=target_id == actor.user_id,
                 help="Ends every session of this account, on every device, at once."):
        with session.friendly_errors():
            ended = progress.revoke_user_sessions(actor, target_id)
            st.success(f"Ended {ended} session{'s' if ended != 1 else ''} of {md_escape(target['username'])}.")
