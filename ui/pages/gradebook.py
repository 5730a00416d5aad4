"""Gradebook: learners × assignments (cases, question sets, timed exams; the attempt each
policy counts), exports for a spreadsheet and for Canvas, Moodle and Blackboard, and a printable
report per learner."""
import pandas as pd
import streamlit as st

import progress
from lessons import blueprint as blueprint_store
from ui import instructor, labels, learner_report, resources, session, study

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
          help=f"Mean of the learners' averages, counting only learners with at least one scored assignment "
               f"({len(averages)} of {len(rows)}).")

if not rows:
    st.info("This cohort has no learners yet. Add them on the Cohorts page.")
    st.stop()
if not assignments:
    st.info("This cohort has no assignments yet. Create one on the Assignments page.")


def done_text(a: dict, done: int) -> str:
    if a["kind"] == "cases":
        return f"{done}/{a['items']}"
    return "✓ handed in" if done else "—"


columns = {a["id"]: f"{a['title']} [{a['id']}]" for a in assignments}
table = pd.DataFrame([{"Learner": r["display_name"], "Username": r["username"],
                       **{columns[a["id"]]: r["scores"][a["id"]] for a in assignments},
                       **{f"{columns[a['id']]} done": done_text(a, r["done"][a["id"]]) for a in assignments},
                       "Average": r["average"]} for r in rows])
order = ["Learner", "Username"] + [c for a in assignments for c in (columns[a["id"]], f"{columns[a['id']]} done")] + ["Average"]
config = {columns[a["id"]]: st.column_config.NumberColumn(
    f"{a['title']} ({labels.ASSIGNMENT_KIND[a['kind']].lower()})", format="%.1f",
    help=f"Due {labels.when(a['due_at'], '—')}; {labels.COUNTS[a['counts']]} counts"
         + (f"; {a['items']} case(s)" if a["kind"] == "cases" else ""))
    for a in assignments}
config.update({f"{columns[a['id']]} done": st.column_config.TextColumn("cases done" if a["kind"] == "cases" else "handed in")
               for a in assignments})
config["Average"] = st.column_config.NumberColumn("Average", format="%.1f")
st.dataframe(table[order], hide_index=True, width="stretch", column_config=config)
st.caption("Case assignments: the sum of the counted total on each case ÷ number of cases (a case not attempted "
           "counts 0). Question sets and timed exams: the counted attempt's score. Which attempt counts is each "
           "assignment's policy (Assignments page). An empty cell means nothing was handed in. Overrides are included.")

# ----------------------------------------------------------------------------- exports
st.subheader("Export")
safe = instructor.file_safe(cohort["name"])
blueprints = study.content_or_stop(blueprint_store.load_blueprints, "exam blueprints")
names = {**resources.scenario_titles(), **{i: b.title for i, b in blueprints.items()}}
EXPORTS = [
    ("gradebook_csv", "Gradebook (CSV)", "gradebook", lambda: progress.gradebook_csv(actor, cohort["id"]),
     "One row per learner: username, name, one score per assignment, average."),
    ("gradebook_components", "Scores by component (CSV)", "components",
     lambda: progress.components_csv(actor, cohort["id"]),
     "One row per learner and assignment, with the mean of each coding component over the counted attempts."),
    ("gradebook_attempts", "Every attempt (CSV)", "attempts",
     lambda: progress.attempts_csv(actor, cohort["id"], titles=names),
     "One row per attempt: attempt number, times, minutes, score now and at submission, overrides, counted or not."),
    ("gradebook_canvas", "For Canvas (CSV)", "canvas", lambda: progress.lms_csv(actor, cohort["id"], "canvas"),
     "Canvas → Grades → Import. Learners are matched by SIS Login ID (their ChartLab username); a new column "
     "creates an assignment out of 100 points."),
    ("gradebook_moodle", "For Moodle (CSV)", "moodle", lambda: progress.lms_csv(actor, cohort["id"], "moodle"),
     "Moodle → Grades → Import → CSV file. Identify users by: Map from “Username” to “username”; map each "
     "column to a grade item (or a new one)."),
    ("gradebook_blackboard", "For Blackboard (CSV)", "blackboard",
     lambda: progress.lms_csv(actor, cohort["id"], "blackboard"),
     "Blackboard Grade Center → Work Offline → Upload. Learners are matched by Username; columns without a "
     "Grade Center id become new columns (set their points possible to 100 afterwards)."),
]
cols = st.columns(3)
for n, (key, label, stem, make, help_text) in enumerate(EXPORTS):
    text = ""
    with session.friendly_errors():
        text = make()
    if text:
        cols[n % 3].download_button(label, text, file_name=f"{stem}-{safe}.csv", mime="text/csv", key=key,
                                    icon=":material/download:", help=help_text, width="stretch")
st.caption("Usernames must match the LMS's logins (import the roster with the school's usernames). Scores are "
           "0–100; a blank cell is “no grade”, never 0.")

st.subheader("Printable report for one learner")
by_id = {r["user_id"]: r for r in rows}
who = st.selectbox("Learner", list(by_id), key="gradebook_report_who",
                   format_func=lambda i: f"{by_id[i]['display_name']} ({by_id[i]['username']})")
found = None
with session.friendly_errors():
    found = progress.learner_report(actor, cohort["id"], who)
if found is not None:
    page = learner_report.report_html(found, resources.teaching_points())
    st.download_button("Download the report (HTML: open it, then Print or Save as PDF)", page,
                       file_name=f"report-{instructor.file_safe(by_id[who]['username'], 'learner')}-{safe}.html", mime="text/html", key="gradebook_report",
                       icon=":material/print:")
    st.caption("The report lists the learner's assignments and scores, the mean per coding component, the weakest "
               "topics and the quiz and exam results by domain, with counts.")
