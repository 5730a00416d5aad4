"""Gradebook: learners × assignments (best attempt per case), with a CSV download for an LMS."""
import pandas as pd
import streamlit as st

import progress
from ui import instructor, labels, session

user = session.require("instructor", "admin")
actor = user.actor
st.title("Gradebook")

cohort = instructor.cohort_picker(actor, "gradebook")
if cohort is None:
    st.stop()

book = None
with session.friendly_errors():
    book = progress.gradebook(actor, cohort["id"])
if book is None:
    st.stop()

assignments, rows = book["assignments"], book["rows"]
c1, c2, c3 = st.columns(3)
c1.metric("Learners", len(rows))
c2.metric("Assignments", len(assignments))
averages = [r["average"] for r in rows if r["average"] is not None]
c3.metric("Cohort average", f"{sum(averages) / len(averages):.1f}" if averages else "—",
          help="Mean of the learners' averages, counting only learners with at least one scored assignment.")

if not rows:
    st.info("This cohort has no learners yet. Add them on the Cohorts page.")
    st.stop()
if not assignments:
    st.info("This cohort has no assignments yet. Create one on the Assignments page.")

columns = {a["id"]: f"{a['title']} [{a['id']}]" for a in assignments}
table = pd.DataFrame([{"Learner": r["display_name"], "Username": r["username"],
                       **{columns[a["id"]]: r["scores"][a["id"]] for a in assignments},
                       **{f"{columns[a['id']]} done": f"{r['done'][a['id']]}/{a['items']}" for a in assignments},
                       "Average": r["average"]} for r in rows])
order = ["Learner", "Username"] + [c for a in assignments for c in (columns[a["id"]], f"{columns[a['id']]} done")] + ["Average"]
config = {columns[a["id"]]: st.column_config.NumberColumn(columns[a["id"]], format="%.1f",
                                                          help=f"Due {labels.when(a['due_at'], '—')}; "
                                                               f"{a['items']} case(s)")
          for a in assignments}
config.update({f"{columns[a['id']]} done": st.column_config.TextColumn("cases done") for a in assignments})
config["Average"] = st.column_config.NumberColumn("Average", format="%.1f")
st.dataframe(table[order], hide_index=True, width="stretch", column_config=config)
st.caption("Score = sum of the best total on each case ÷ number of cases (a case not attempted counts 0). "
           "An empty cell means the learner has not started that assignment. Overrides are included.")

csv_text = ""
with session.friendly_errors():
    csv_text = progress.gradebook_csv(actor, cohort["id"])
if csv_text:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in cohort["name"]).strip("-") or "cohort"
    st.download_button("Download gradebook (CSV)", csv_text, file_name=f"gradebook-{safe}.csv", mime="text/csv",
                       icon=":material/download:", key="gradebook_csv")
