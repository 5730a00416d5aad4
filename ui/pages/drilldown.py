"""Learner drill-down: a learner's attempts, any attempt as scored, score overrides with a reason
(audit trail), and rulings on disputes."""
import pandas as pd
import streamlit as st

import progress
from ui import instructor, labels, session, study

user = session.require("instructor", "admin")
actor = user.actor
st.title("Learner drill-down")
session.show_flash()

cohort = instructor.cohort_picker(actor, "drill")
if cohort is None:
    st.stop()
titles = {s["id"]: s["title"] for s in study.scenario_catalogue()}
assignment_titles = {}
with session.friendly_errors():
    assignment_titles = {a["id"]: a["title"] for a in progress.list_assignments(actor, cohort["id"])}

open_disputes = []
with session.friendly_errors():
    open_disputes = progress.list_disputes(actor, status="open", cohort_id=cohort["id"])
tab_attempts, tab_disputes = st.tabs(["Attempts", f"Disputes ({len(open_disputes)} open)"])

with tab_attempts:
    members = []
    with session.friendly_errors():
        members = progress.cohort_members(actor, cohort["id"])
    if not members:
        st.info("This cohort has no learners yet.")
    else:
        by_id = {m["id"]: m for m in members}
        learner_id = st.selectbox("Learner", list(by_id), key="drill_learner",
                                  format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")
        attempts = []
        with session.friendly_errors():
            attempts = progress.list_attempts(actor, learner_id, limit=500)
        if not attempts:
            st.caption("No submitted attempts yet.")
        else:
            st.caption(f"{len(attempts)} attempts, newest first. Pick one to open it as it was scored.")
            choices = {a["id"]: f"#{a['id']} · {labels.when(a['submitted_at'], '')} · {titles.get(a['scenario_id'], a['scenario_id'])}"
                               f" (seed {a['seed']})" for a in attempts}
            st.dataframe(pd.DataFrame([{"Attempt": a["id"], "Submitted": labels.when(a["submitted_at"], ''),
                                        "Scenario": titles.get(a["scenario_id"], a["scenario_id"]), "Seed": a["seed"],
                                        "Total": a["total"],
                                        "Assignment": assignment_titles.get(a["assignment_id"], f"#{a['assignment_id']}")
                                        if a["assignment_id"] else "practice",
                                        "Minutes": "—" if a["duration_s"] is None else f"{a['duration_s'] / 60:.0f}"}
                                       for a in attempts]), hide_index=True, width="stretch", height=min(300, 38 + 35 * len(attempts)),
                         column_config={"Total": st.column_config.NumberColumn(format="%.1f")})
            attempt_id = st.selectbox("Open attempt", list(choices), key=f"drill_attempt_{learner_id}",
                                      format_func=lambda i: choices.get(i, str(i)))
            attempt = None
            with session.friendly_errors():
                attempt = progress.get_attempt(actor, attempt_id)
            if attempt is not None:
                st.divider()
                st.subheader(f"Attempt #{attempt['id']} — {by_id[learner_id]['display_name']}")
                instructor.show_scored_attempt(attempt, titles.get(attempt["scenario_id"], ""))

                st.markdown("**Override an item's score**")
                scorable = [i for i in attempt["items"] if i["max"] > 0]
                by_idx = {i["idx"]: i for i in scorable}
                first_miss = next((n for n, i in enumerate(scorable) if i["status"] != "correct"), 0)
                with st.form(f"override_{attempt['id']}", clear_on_submit=True):
                    idx = st.selectbox("Item", list(by_idx), index=first_miss, format_func=lambda k: (
                        f"#{k + 1} {by_idx[k]['label'] or by_idx[k]['component']} — key {by_idx[k]['expected'] or '—'}, "
                        f"entered {by_idx[k]['entered'] or '—'} (worth up to {by_idx[k]['max']:.2f} points)"))
                    new_score = st.number_input("New score for this item (points)", min_value=0.0, step=0.25,
                                                format="%.2f", help="Between 0 and the item's maximum.")
                    reason = st.text_area("Reason (the learner sees it in the audit trail)", max_chars=2000)
                    save = st.form_submit_button("Save override")
                if save:
                    with session.friendly_errors():
                        row = progress.override_item(actor, attempt["id"], idx, float(new_score), reason)
                        session.flash(f"Override saved: item #{idx + 1} {row['old_score']:.2f} → {row['new_score']:.2f}; "
                                         f"total {row['old_total']:.1f} → {row['new_total']:.1f}.")
                        st.rerun()
                st.markdown("**Audit trail** (visible to the learner)")
                if attempt["overrides"]:
                    st.dataframe(instructor.audit_frame(attempt["overrides"], attempt["items"]), hide_index=True,
                                 width="stretch", column_config={"Reason": st.column_config.TextColumn(width="large")})
                else:
                    st.caption("No overrides on this attempt.")
                if attempt["disputes"]:
                    st.markdown("**Disputes on this attempt**")
                    st.dataframe(pd.DataFrame([{"Item": d["item_idx"] + 1, "Status": d["status"], "Argument": d["argument"],
                                                "Ruling": d["ruling"] or "—", "Opened": labels.when(d["opened_at"], '')}
                                               for d in attempt["disputes"]]), hide_index=True, width="stretch")

with tab_disputes:
    if not open_disputes:
        st.caption("No open disputes in this cohort.")
    for d in open_disputes:
        with st.container(border=True):
            st.markdown(f"**Dispute #{d['id']}** · {d['display_name']} ({d['username']}) · "
                        f"{titles.get(d['scenario_id'], d['scenario_id'])} seed {d['seed']} · attempt #{d['attempt_id']} · "
                        f"opened {labels.when(d['opened_at'], '')}")
            st.markdown(f"Item #{d['item_idx'] + 1} {d['label'] or d['component']}: key **{d['expected'] or 'none'}**, "
                        f"entered **{d['entered'] or 'nothing'}** · result: "
                        f"{labels.STATUS.get(d['item_status'], d['item_status'])} · "
                        f"{d['score']:.2f} of {d['max_score']:.2f} points")
            st.markdown("Learner's argument:")
            st.text(d["argument"])
            with st.form(f"rule_{d['id']}"):
                decision = st.radio("Decision", ["accept", "reject"], horizontal=True, key=f"rule_decision_{d['id']}",
                                    format_func=lambda v: {"accept": "Accept (change the score)",
                                                           "reject": "Reject (keep the score)"}[v])
                new_score = st.number_input("Score if accepted (points)", min_value=0.0, max_value=float(d["max_score"]),
                                            value=float(d["max_score"]), step=0.25, format="%.2f",
                                            key=f"rule_score_{d['id']}")
                ruling = st.text_area("Ruling (the learner reads it)", max_chars=2000, key=f"rule_text_{d['id']}")
                go = st.form_submit_button("Record ruling")
            if go:
                with session.friendly_errors():
                    ruled = progress.rule_dispute(actor, d["id"], accept=decision == "accept", ruling=ruling,
                                                  new_score=float(new_score) if decision == "accept" else None)
                    session.flash(f"Dispute #{ruled['id']} {ruled['status']}.")
                    st.rerun()
    ruled = []
    with session.friendly_errors():
        ruled = [d for d in progress.list_disputes(actor, status=None, cohort_id=cohort["id"]) if d["status"] != "open"]
    if ruled:
        with st.expander(f"Ruled disputes ({len(ruled)})"):
            st.dataframe(pd.DataFrame([{"#": d["id"], "Learner": d["display_name"], "Item": d["label"] or d["component"],
                                        "Status": labels.DISPUTE_STATUS.get(d["status"], d["status"]),
                                        "Ruling": d["ruling"], "Ruled": labels.when(d["ruled_at"], '')} for d in ruled]),
                         hide_index=True, width="stretch")
