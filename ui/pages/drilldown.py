"""Learner drill-down: a learner's case attempts, any attempt as scored, score overrides with a
reason (audit trail), their question sets and exams, and rulings on disputes."""
import pandas as pd
import streamlit as st

import progress
from lessons import blueprint as blueprint_store
from ui import instructor, labels, session, study
from ui.labels import md_escape

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
blueprints = study.content_or_stop(blueprint_store.load_blueprints, "exam blueprints")
tab_attempts, tab_study, tab_disputes = st.tabs(["Case attempts", "Question sets and exams",
                                                 f"Disputes ({len(open_disputes)} open)"])


def learner_picker(members: list[dict], key: str) -> int:
    by_id = {m["id"]: m for m in members}
    return st.selectbox("Learner", list(by_id), key=key,
                        format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")


with tab_attempts:
    members = []
    with session.friendly_errors():
        members = progress.cohort_members(actor, cohort["id"])
    if not members:
        st.info("This cohort has no learners yet.")
    else:
        by_id = {m["id"]: m for m in members}
        learner_id = learner_picker(members, "drill_learner")
        attempts = []
        with session.friendly_errors():
            attempts = progress.list_attempts(actor, learner_id, limit=500)
        if not attempts:
            st.caption("No submitted attempts yet.")
        else:
            st.caption(f"{len(attempts)} attempts, newest first. Pick one to open it as it was scored; "
                       "totals include overrides.")
            choices = {a["id"]: f"#{a['id']} · {labels.when(a['submitted_at'], '')} · {titles.get(a['scenario_id'], 'case')}"
                               f" #{a['seed']} · total {a['total']:.1f}" for a in attempts}
            st.dataframe(pd.DataFrame([{"Attempt": a["id"], "Submitted": labels.when(a["submitted_at"], ''),
                                        "Scenario": titles.get(a["scenario_id"], a["scenario_id"]), "Case": a["seed"],
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
                st.subheader(f"Attempt #{attempt['id']} — {md_escape(by_id[learner_id]['display_name'])}")
                instructor.show_scored_attempt(attempt, titles.get(attempt["scenario_id"], ""))

                st.markdown("**Override an item's score**")
                scorable = [i for i in attempt["items"] if i["max"] > 0]
                by_idx = {i["idx"]: i for i in scorable}
                first_miss = next((n for n, i in enumerate(scorable) if i["status"] != "correct"), 0)
                with st.form(f"override_{attempt['id']}", clear_on_submit=True):
                    idx = st.selectbox("Item", list(by_idx), index=first_miss, format_func=lambda k: (
                        f"{instructor.item_name(by_idx[k])} — entered {by_idx[k]['entered'] or '—'} "
                        f"(worth up to {by_idx[k]['max']:.2f} points)"))
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
                    st.dataframe(pd.DataFrame([{"Item": d["item_idx"] + 1, "Status": labels.DISPUTE_STATUS.get(d["status"], d["status"]),
                                                "Argument": d["argument"],
                                                "Ruling": d["ruling"] or "—", "Opened": labels.when(d["opened_at"], '')}
                                               for d in attempt["disputes"]]), hide_index=True, width="stretch")

with tab_study:
    members = []
    with session.friendly_errors():
        members = progress.cohort_members(actor, cohort["id"])
    if not members:
        st.info("This cohort has no learners yet.")
    else:
        learner_id = learner_picker(members, "drill_study_learner")
        quizzes, exams = [], []
        with session.friendly_errors():
            quizzes = progress.list_quiz_attempts(actor, learner_id)
            exams = progress.list_exams(actor, learner_id)
        if not quizzes and not exams:
            st.caption("No question sets or exams taken yet (practice exams are listed here too).")
        def exam_title(e: dict) -> str:
            bp = blueprints.get(e["blueprint_id"])
            return assignment_titles.get(e["assignment_id"]) or (bp.title if bp else "Practice exam")

        table = [{"Kind": "Question set", "Title": q["title"], "Started": labels.when(q["started_at"], ""),
                  "Handed in": labels.when(q["submitted_at"], "in progress"), "Result": f"{q['correct']} of {q['total']} correct",
                  "Score": q["score"]} for q in quizzes]
        table += [{"Kind": "Timed exam" if e["assignment_id"] else "Practice exam", "Title": exam_title(e),
                   "Started": labels.when(e["started_at"], ""), "Handed in": labels.when(e["submitted_at"], "in progress"),
                   "Result": "", "Score": e["score"]} for e in exams]
        if table:
            st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch",
                         column_config={"Score": st.column_config.NumberColumn(format="%.1f")})
        handed = {e["id"]: e for e in exams if e["submitted_at"]}
        if handed:
            pick = st.selectbox("Open an exam's results by domain", list(handed), key=f"drill_exam_{learner_id}",
                                format_func=lambda i: f"{labels.when(handed[i]['submitted_at'])} · "
                                                      f"{exam_title(handed[i])} · {handed[i]['score']:.1f}%")
            exam = None
            with session.friendly_errors():
                exam = progress.get_exam(actor, pick)
            report = (exam or {}).get("report") or {}
            if report.get("domains"):
                st.dataframe(pd.DataFrame([{"Domain": d["name"], "Points": f"{d['correct']:g} of {d['total']}",
                                            "Score %": d["percent"]} for d in report["domains"] if d.get("total")]),
                             hide_index=True, width="stretch",
                             column_config={"Score %": st.column_config.NumberColumn(format="%.0f")})
                st.caption(f"Readiness (ChartLab's practice heuristic): {report.get('readiness', '—')}; "
                           f"{report.get('answered', 0)} of {report.get('total', 0)} answered"
                           + (" · handed in automatically when time ran out" if report.get("auto_submitted") else ""))

with tab_disputes:
    if not open_disputes:
        st.caption("No open disputes in this cohort.")
    for d in open_disputes:
        with st.container(border=True):
            st.markdown(f"**Dispute #{d['id']}** · {md_escape(d['display_name'])} ({md_escape(d['username'])}) · "
                        f"{md_escape(titles.get(d['scenario_id'], 'case'))} #{d['seed']} · attempt #{d['attempt_id']} · "
                        f"opened {labels.when(d['opened_at'], '')}")
            st.markdown(f"Item #{d['item_idx'] + 1} {md_escape(d['label'] or labels.component_label(d['component']))}: "
                        f"key **{md_escape(d['expected'] or 'none')}**, "
                        f"entered **{md_escape(d['entered'] or 'nothing')}** · result: "
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
            st.dataframe(pd.DataFrame([{"#": d["id"], "Learner": d["display_name"],
                                        "Item": d["label"] or labels.component_label(d["component"]),
                                        "Status": labels.DISPUTE_STATUS.get(d["status"], d["status"]),
                                        "Ruling": d["ruling"], "Ruled": labels.when(d["ruled_at"], '')} for d in ruled]),
                         hide_index=True, width="stretch")
