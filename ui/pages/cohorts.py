"""Cohorts: create one, show its join code, manage the roster (CSV upload, remove), reset passwords."""
import pandas as pd
import streamlit as st

import progress
from ui import instructor, labels, session
from ui.labels import md_escape

user = session.require("instructor", "admin")
actor = user.actor
st.title("Cohorts")
session.show_flash()

with st.expander("Create a cohort", expanded=not progress.list_cohorts(actor)):
    with st.form("new_cohort", clear_on_submit=True):
        name = st.text_input("Cohort name", max_chars=80, placeholder="e.g. HIT 210 – Spring 2026")
        created = st.form_submit_button("Create cohort")
    if created:
        with session.friendly_errors():
            cohort = progress.create_cohort(actor, name)
            st.session_state["instructor_cohort"] = cohort["id"]
            session.flash(f"Cohort “{md_escape(cohort['name'])}” created. Its join code is {cohort['join_code']}.")
            st.rerun()

cohort = instructor.cohort_picker(actor, "cohorts")
if cohort is None:
    st.stop()

left, right = st.columns([1, 2])
with left:
    st.markdown("**Join code**")
    st.code(cohort["join_code"], language=None)
    st.caption("Learners choose **Join a cohort** on the sign-in screen and type this code. "
               "Spaces and dashes are ignored.")
    st.caption(f"Created {labels.when(cohort['created_at'], '')}")

members = []
with session.friendly_errors():
    members = progress.cohort_members(actor, cohort["id"])
with right:
    st.markdown(f"**Roster** — {len(members)} learner{'s' if len(members) != 1 else ''}")
    if members:
        st.dataframe(pd.DataFrame([{"Name": m["display_name"], "Username": m["username"],
                                    "Joined": labels.when(m["joined_at"], ''),
                                    "Last sign-in": labels.when(m["last_login_at"], "never")} for m in members]),
                     hide_index=True, width="stretch")
    else:
        st.caption("No learners yet. Share the join code, or add learners below.")

tab_csv, tab_one, tab_remove, tab_reset = st.tabs(["Add learners from CSV", "Add one learner", "Remove a learner",
                                                   "Reset a password"])

with tab_csv:
    st.markdown("Upload a CSV file with a header line. Columns: `username` (required), `display_name` and "
                "`password` (optional). A row **with** a password creates the account and enrols it; a row "
                "**without** one enrols a learner who already has an account in one of your cohorts.")
    st.code("username,display_name,password\njsmith,Jordan Smith,Coding-2026!\nakhan,Amira Khan,", language=None)
    upload_key = f"roster_upload_{st.session_state.get('roster_upload_n', 0)}"
    upload = st.file_uploader("Roster CSV file", type=["csv", "txt"], key=upload_key)
    if upload is not None:
        rows, file_problems = progress.parse_roster(upload.getvalue())
        progress.mark_unknown(rows, progress.known_learners(actor), cohort["join_code"])
        for problem in file_problems:
            (st.warning if rows else st.error)(problem)
        if rows:
            ready = [r for r in rows if r.ok]
            st.markdown(f"**Preview** — {len(ready)} of {len(rows)} rows ready; rows marked ✗ are not imported "
                        "and are listed with the reason so you can fix them.")
            st.dataframe(instructor.roster_preview(rows), hide_index=True, width="stretch")
            bad = [r for r in rows if not r.ok]
            if bad:
                st.markdown("**Rows that will not be imported**\n\n" + "\n".join(
                    f"- Line {r.line} ({md_escape(r.username or 'no username')}): "
                    f"{md_escape('; '.join(r.problems).rstrip('.'))}." for r in bad))
            if st.button(f"Import {len(ready)} ready row{'s' if len(ready) != 1 else ''}", type="primary",
                         disabled=not ready, key="roster_import"):
                results = progress.import_roster(actor, cohort, rows)
                st.session_state["roster_results"] = results
                st.session_state["roster_upload_n"] = st.session_state.get("roster_upload_n", 0) + 1
                st.rerun()
    results = st.session_state.get("roster_results")
    if results:
        done = [r for r in results if r["outcome"] != "not imported"]
        failed = [r for r in results if r["outcome"] == "not imported"]
        (st.success if not failed else st.warning)(
            f"Import finished: {len(done)} row{'s' if len(done) != 1 else ''} imported, "
            f"{len(failed)} not imported.")
        st.dataframe(pd.DataFrame([{"Line": r["line"], "Username": r["username"],
                                    "Result": ("✓ " if r["outcome"] != "not imported" else "✗ ") + r["outcome"],
                                    "Detail": r["detail"]} for r in results]), hide_index=True, width="stretch",
                     column_config={"Detail": st.column_config.TextColumn(width="large")})
        if failed:
            st.markdown("**Not imported — fix these rows and upload them again**\n\n" + "\n".join(
                f"- Line {r['line']} ({md_escape(r['username'] or 'no username')}): {md_escape(r['detail'].rstrip('.'))}."
                for r in failed))
            st.download_button("Download the rows that were not imported (CSV, with the reason)",
                               progress.rejected_csv(results), file_name="roster-not-imported.csv",
                               mime="text/csv", key="roster_rejects")
        if st.button("Clear this report", key="roster_clear"):
            del st.session_state["roster_results"]
            st.rerun()

with tab_one:
    with st.form("add_one", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        username = c1.text_input("Username", max_chars=32)
        display = c2.text_input("Display name (new accounts)", max_chars=80)
        password = c3.text_input("Password (leave blank to enrol an existing learner)", type="password", max_chars=128)
        added = st.form_submit_button("Add learner")
    if added:
        row = progress.check_row(progress.RosterRow(1, username.strip(), display.strip(), password.strip()))
        if not row.ok:
            st.error(md_escape(f"{row.username or 'That learner'}: " + "; ".join(row.problems) + "."))
        else:
            result = progress.import_roster(actor, cohort, [row])[0]
            if result["outcome"] == "not imported":
                st.error(md_escape(f"{result['username'] or 'That row'}: {result['detail']}"))
            else:
                session.flash(md_escape(f"{result['username']}: {result['detail']}."))
                st.rerun()

with tab_remove:
    if not members:
        st.caption("Nobody to remove.")
    else:
        by_id = {m["id"]: m for m in members}
        who = st.selectbox("Learner to remove", list(by_id), key="remove_who",
                           format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")
        sure = st.checkbox("Yes, remove this learner from the cohort. Their attempts are kept.", key="remove_sure")
        if st.button("Remove from cohort", disabled=not sure, key="remove_go"):
            with session.friendly_errors():
                progress.remove_member(actor, cohort["id"], who)
                session.flash(f"{md_escape(by_id[who]['display_name'])} was removed from {md_escape(cohort['name'])}.")
                st.rerun()

with tab_reset:
    if not members:
        st.caption("No learners in this cohort.")
    else:
        by_id = {m["id"]: m for m in members}
        with st.form("reset_pw", clear_on_submit=True):
            who = st.selectbox("Learner", list(by_id), key="reset_who",
                               format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")
            pw1 = st.text_input("New password", type="password", max_chars=128)
            pw2 = st.text_input("Repeat the new password", type="password", max_chars=128)
            st.caption("At least 10 characters, mixing two kinds (letters, digits, symbols), without the username. "
                       "Resetting also lifts a sign-in lockout. Give the learner the new password in person.")
            go = st.form_submit_button("Reset password")
        if go:
            if pw1 != pw2:
                st.error("The two passwords differ.")
            else:
                with session.friendly_errors():
                    progress.reset_password(actor, who, pw1)
                    st.success(f"Password reset for {md_escape(by_id[who]['display_name'])}.")
