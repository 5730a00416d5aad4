"""Exam simulator: the timed exams your instructor assigned, and practice exams per blueprint (RHIT,
CCA, CCS, CIC and short practice forms) with a running clock, flags, free navigation, automatic
submission at time-out, CIC-style case items, and a score report by domain with a readiness
estimate and a review of every item (for an assigned exam, once its key may be shown)."""
import random

import altair as alt
import pandas as pd
import streamlit as st

import progress
from lessons import blueprint as blueprint_store
from lessons.exam import BORDERLINE_AT, CASE, READY_AT, ExamReport, draw_items, resume_session, review_question
from ui import labels, session, study

user = session.require("learner", "instructor", "admin")
actor = user.actor
session.show_flash()
blueprints = study.content_or_stop(blueprint_store.load_blueprints, "exam blueprints")
now = study.utcnow()


def go_to(position):
    st.session_state["exam_pos"] = position
    st.session_state["exam_nav"] = position


def leave():
    for key in ("exam_id", "exam_pos", "exam_nav", "exam_assigned"):
        st.session_state.pop(key, None)


def open_assigned(assignment):
    """Continue the assigned exam in progress, or ask for the 'ready' confirmation before a start."""
    if assignment["access"].running_id is not None:
        show(assignment["access"].running_id)
    else:
        st.session_state["exam_assigned"] = assignment


def bp_title(blueprint_id):
    return blueprints[blueprint_id].title if blueprint_id in blueprints else "Exam"


def show(exam_id):
    st.session_state["exam_id"] = exam_id
    go_to(0)


def submit(exam_id, exam, when):
    try:
        study.grade_and_submit(actor, exam_id, exam, when)
    except progress.ValidationError:
        pass  # already submitted (another tab, or a double click): the report is there


# Exams whose time ran out while nobody watched (closed tab, reload) are handed in now.
mine = []
with session.friendly_errors():
    mine = progress.list_exams(actor)
for e in mine:
    if not e["submitted_at"] and labels.parse_when(e["deadline_at"]) <= now:
        with session.friendly_errors():
            submit(e["id"], resume_session(progress.get_exam(actor, e["id"]), blueprints), now)
        if st.session_state.get("exam_id") in (None, e["id"]):
            st.session_state["exam_id"] = e["id"]
running = [e for e in mine if not e["submitted_at"] and labels.parse_when(e["deadline_at"]) > now]

exam_id = st.session_state.get("exam_id")
row = None
if exam_id is not None:
    try:
        row = progress.get_exam(actor, exam_id)
    except progress.ProgressError as exc:
        st.error(str(exc))
        leave()

# ----------------------------------------------------------------------------- landing
if row is None:
    st.title("Exam simulator")
    for e in running:
        with st.container(border=True):
            left = labels.parse_when(e["deadline_at"]) - now
            st.markdown(f"**Exam in progress:** {bp_title(e['blueprint_id'])} — "
                        f"{labels.clock_text(left.total_seconds())} left on the clock.")
            st.button("Resume exam", type="primary", key=f"resume_{e['id']}", on_click=show, args=(e["id"],))
    chosen = st.session_state.get("exam_assigned")
    if chosen is not None and not running:
        with st.container(border=True):
            st.markdown(f"**{labels.md_escape(chosen['title'])}** · {bp_title(chosen['blueprint_id'])} · "
                        f"{chosen['minutes']} minutes" + (f" (the clock stops at the due date, "
                                                          f"{labels.when(chosen['due_at'])})" if chosen["due_at"] else ""))
            st.caption("Your score and your results by domain show when you hand it in; the review of each question "
                       + labels.md_escape(chosen["access"].key_note[0].lower() + chosen["access"].key_note[1:]
                                          if chosen["access"].key_note else ""))
            ready = st.checkbox(f"I am ready: the {chosen['minutes']}-minute clock starts now and keeps running if I "
                                "leave this page.", key="exam_assigned_ready")
            c1, c2 = st.columns(2)
            if c1.button("Start the assigned exam", type="primary", disabled=not ready, key="exam_assigned_start",
                         width="stretch"):
                started = study.start_assigned_exam(actor, chosen, blueprints)
                if started is not None:
                    st.session_state.pop("exam_assigned", None)
                    show(started)
                    st.rerun()
            c2.button("Not now", key="exam_assigned_cancel", on_click=st.session_state.pop, args=("exam_assigned", None),
                      width="stretch")
    if user.role == "learner":
        study.assigned_panel(actor, "exam", "exam_assigned_open", open_assigned)
    st.subheader("Start a practice exam")
    ids = list(blueprints)
    bp_id = st.selectbox("Exam", ids, key="exam_blueprint", format_func=lambda i: i if i not in blueprints else (
        f"{blueprints[i].title} — {blueprints[i].items} questions"
        + (f" + {blueprints[i].cases} cases" if blueprints[i].cases else "") + f", {blueprints[i].minutes} min"))
    bp = blueprints.get(bp_id) or blueprints[ids[0]]
    st.dataframe(pd.DataFrame([{"Domain": dm.name, "Weight": f"{dm.weight:.0%}", "Published range": dm.range or "—",
                                "Question tags": ", ".join(labels.DOMAIN.get(t, t) for t in dm.tags)}
                               for dm in bp.domains]), hide_index=True, width="stretch",
                 column_config={"Weight": st.column_config.TextColumn(width="small"),
                                "Published range": st.column_config.TextColumn(width="small"),
                                "Question tags": st.column_config.TextColumn(width="large")})
    if bp.cases:
        st.caption(f"Then {bp.cases} inpatient case{'s' if bp.cases != 1 else ''} ({bp.case_domain}): read a compact "
                   "chart and enter the codes; every blank is scored equally with the exam rubric (no partial credit).")
    st.caption(f"Source: {bp.source} (as of {bp.as_of}). " + (bp.passing_hint or ""))
    if running:
        st.info("Finish or submit the exam in progress before starting another.")
    else:
        ready = st.checkbox(f"I am ready: the {bp.minutes}-minute clock starts now and keeps running if I leave this page.",
                            key="exam_ready")
        if st.button("Start exam", type="primary", disabled=not ready, key="exam_start"):
            draw = draw_items(bp, study.all_questions(), random.Random(session.new_seed()),
                              scenarios=[s["id"] for s in study.scenario_catalogue()])
            if not draw.items:
                st.error("No questions could be drawn for this exam. " + " ".join(draw.notes))
            else:
                with session.friendly_errors():
                    started = progress.start_exam(actor, bp.id, [it.to_dict() for it in draw.items], bp.minutes * 60,
                                                  now=now)
                    st.session_state.setdefault("exam_notes", {})[started["id"]] = list(draw.notes)
                    show(started["id"])
                    st.rerun()
    done = [e for e in mine if e["submitted_at"]]
    if done:
        st.subheader("Your exams")
        past = {e["id"]: f"{labels.parse_when(e['submitted_at']):%Y-%m-%d %H:%M} UTC · {bp_title(e['blueprint_id'])} · "
                           f"{e['score']:.1f}%" for e in done}
        st.dataframe(pd.DataFrame([{"Submitted": past[e["id"]].split(" · ")[0], "Exam": bp_title(e["blueprint_id"]),
                                    "Kind": "assigned" if e["assignment_id"] else "practice", "Score %": e["score"]}
                                   for e in done]),
                     hide_index=True, width="stretch", column_config={"Score %": st.column_config.NumberColumn(format="%.1f")})
        pick = st.selectbox("Open a report", list(past), format_func=lambda i: past.get(i, str(i)), key="exam_past")
        st.button("Open report", key="exam_open_report", on_click=show, args=(pick,))
    st.stop()

# ----------------------------------------------------------------------------- report
if row["submitted_at"]:
    report_data = row["report"] or {}
    rep = ExamReport.from_dict(report_data)
    case_reports = report_data.get("case_reports") or {}
    st.button("← All exams", on_click=leave, key="exam_back")
    st.title(f"Report: {rep.title}")
    if rep.auto_submitted:
        st.info("Time ran out, so the exam was submitted automatically with the answers saved at that moment.",
                icon=":material/timer_off:")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Score", f"{rep.percent:.1f}%" if rep.percent is not None else "—")
    c2.metric("Points", f"{rep.correct:g} of {rep.total}")
    c3.markdown(f"**Readiness**  \n{labels.READINESS.get(rep.readiness, rep.readiness)}")
    c4.metric("Time used", labels.clock_text(rep.duration_seconds))
    st.caption(f"Readiness is ChartLab's own practice heuristic — ready at {READY_AT:.0f}%+ with no weak domain, borderline "
               f"at {BORDERLINE_AT:.0f}%+ — not the credentialing body's scaled passing score. "
               + (blueprints[rep.blueprint_id].passing_hint if rep.blueprint_id in blueprints else ""))
    if rep.weak_domains:
        st.warning("Weak domains (5+ items under {:.0f}%): {}".format(BORDERLINE_AT, ", ".join(rep.weak_domains)))
    frame = pd.DataFrame([{"Domain": d.name, "Points": f"{d.correct:g} of {d.total}", "Score %": d.percent,
                           "Reading": "—" if d.percent is None else ("✓ strong" if d.percent >= READY_AT else
                                                                     "~ borderline" if d.percent >= BORDERLINE_AT else "✗ weak")}
                          for d in rep.domains if d.total])
    left, right = st.columns([1, 1])
    left.dataframe(frame, hide_index=True, width="stretch", column_config={"Score %": st.column_config.NumberColumn(format="%.0f")})
    height = 36 * len(frame) + 12
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("Domain:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("Score %:Q", scale=alt.Scale(domain=[0, 100]), title="Score %"),
        tooltip=["Domain", "Points", alt.Tooltip("Score %:Q", format=".0f"), "Reading"])
    values = bars.mark_text(align="left", dx=4).encode(text=alt.Text("Score %:Q", format=".0f"))
    rules = alt.Chart(pd.DataFrame({"x": [BORDERLINE_AT, READY_AT], "Line": ["borderline", "ready"]})).mark_rule(
        strokeDash=[4, 4]).encode(x=alt.X("x:Q", title="Score %"), tooltip=["Line"])
    right.altair_chart(alt.layer(bars, values, rules), width="stretch", height=height + 50)
    right.caption(f"Dashed lines: {BORDERLINE_AT:.0f}% (borderline) and {READY_AT:.0f}% (ready).")
    for note in rep.notes:
        st.caption(f"Note: {note}")
    if not row.get("key_visible", True):
        st.info(f"The review of each question and case is not shown yet. {labels.md_escape(row.get('key_note') or '')}",
                icon=":material/lock:")
        st.stop()

    st.subheader("Review every item")
    show_which = st.radio("Show", ["all", "missed", "flagged"], horizontal=True, key="exam_review_filter",
                          format_func=lambda v: {"all": "All items", "missed": "Incorrect or unanswered",
                                                 "flagged": "Flagged"}[v])
    for item in rep.items:
        if (show_which == "missed" and item.correct) or (show_which == "flagged" and not item.flagged):
            continue
        if item.kind == CASE:
            verdict = f"case score {100 * item.credit:.0f}%" if item.answered else "— not answered"
        else:
            verdict = "✓ correct" if item.correct else ("✗ incorrect" if item.answered else "— not answered")
        with st.expander(f"{item.index + 1}. {verdict} · {item.domain}" + (" · ⚑ flagged" if item.flagged else "")):
            if item.kind == CASE:
                case_report = case_reports.get(item.item_id) or {}
                st.markdown(f"Inpatient case: {labels.md_escape(study.scenario_title(item.scenario))} (case #{item.seed}) "
                            "— exam rubric, every blank equal.")
                st.dataframe(pd.DataFrame([{"Blank": i.get("label") or labels.component_label(i["component"]),
                                            "Key": i.get("expected") or "",
                                            "You entered": i.get("entered") or "",
                                            "Result": labels.STATUS.get(i["status"], i["status"])}
                                           for i in case_report.get("items", [])]), hide_index=True, width="stretch")
                for f in (case_report.get("feedback") or [])[:8]:
                    st.markdown("- " + study.case_feedback_text(f.get("message", ""), item.scenario, item.seed))
            else:
                st.markdown(labels.md(item.stem))
                study.answer_feedback(review_question(item), item.chosen)
                if item.lesson and st.button(f"Study this: open {study.lesson_title(item.lesson)}", key=f"exam_lesson_{item.index}",
                                             icon=":material/menu_book:"):
                    st.session_state["lesson_id"] = item.lesson
                    st.switch_page("ui/pages/lessons.py")
    st.stop()

# ----------------------------------------------------------------------------- the exam itself
exam = resume_session(row, blueprints, st.session_state.get("exam_pos", 0))


def save(updated, message=""):
    """Keep answers and flags in the database (then rerun, so every count on the page is current);
    past the deadline, hand the exam in instead."""
    if not updated.submitted:
        try:
            progress.save_exam_progress(actor, exam_id, dict(updated.answers), sorted(updated.flags), now=now)
            if message:
                st.session_state["exam_msg"] = message
            st.rerun()
        except progress.ValidationError:
            pass  # time ran out between two clicks
    submit(exam_id, updated, now)
    st.rerun()


if exam.is_expired(now):
    submit(exam_id, exam, now)
    st.rerun()

head, clock_col = st.columns([3, 1], vertical_alignment="center")
head.title(exam.title)


@st.fragment(run_every="1s")
def clock(deadline):
    left = (deadline - study.utcnow()).total_seconds()
    if left <= 0:
        st.rerun()  # the whole page reruns and hands the exam in
    st.metric("Time left", labels.clock_text(left),
              help="The exam is submitted automatically when the clock reaches 0:00:00.")
    if left < 300:
        st.markdown(":orange-badge[⚠ Less than 5 minutes left]")


with clock_col:
    clock(exam.deadline)
for note in st.session_state.get("exam_notes", {}).get(exam_id, []):
    st.caption(f"Note: {note}")

n = len(exam.items)
pos = exam.current
unanswered, flagged = exam.unanswered(), exam.flagged()
st.progress((n - len(unanswered)) / n, text=f"{n - len(unanswered)} of {n} answered · {len(flagged)} flagged")


def nav_label(i):
    # stable labels: a selectbox remembers its choice by label, so status words do not go here
    return f"Question {i + 1}" + (" (inpatient case)" if exam.items[i].kind == CASE else "")


def nav_changed():
    chosen = st.session_state.get("exam_nav")
    st.session_state["exam_pos"] = chosen if isinstance(chosen, int) else 0


if not isinstance(st.session_state.get("exam_nav"), int) or not 0 <= st.session_state["exam_nav"] < n:
    st.session_state["exam_nav"] = pos
st.selectbox("Go to question", range(n), key="exam_nav", format_func=nav_label, on_change=nav_changed)
st.caption("Not answered: " + (", ".join(str(i + 1) for i in unanswered) or "none")
           + " · Flagged: " + (", ".join(str(i + 1) for i in flagged) or "none"))

item = exam.items[pos]
with st.container(border=True):
    st.caption(f"Question {pos + 1} of {n} · {item.domain}")
    if item.kind == CASE:
        st.markdown("**Inpatient case.** Read the chart and code the stay: principal diagnosis with POA, secondary "
                    "diagnoses with POA, procedures, and the UHDDS fields. Save your answer before moving on.")
        chart_col, entry_col = st.columns([1, 1])
        with chart_col:
            study.chart_viewer(item.scenario, item.seed, key=f"exam_{exam_id}_{pos}")
        with entry_col:
            answer = study.case_answer_form(f"exam_{exam_id}_{pos}", exam.answers.get(item.id))
            if answer is not None:
                save(exam.answer(item.id, answer, now), f"Answer to question {pos + 1} saved.")
            if message := st.session_state.pop("exam_msg", ""):
                st.success(message)
            elif item.id in exam.answers:
                st.caption("✓ An answer is saved for this case. Saving again replaces it.")
    else:
        q = item.question
        current = exam.answers.get(item.id)
        radio_key = f"exam_{exam_id}_{item.id}"
        st.session_state.setdefault(radio_key, current)
        st.markdown(labels.md(q.stem))
        choice = st.radio(q.stem, range(len(q.options)), index=None, key=radio_key, label_visibility="collapsed",
                          format_func=lambda i: study.option_label(q, i))
        if choice is not None and choice != current:
            save(exam.answer(item.id, choice, now))

        def clear(item_id=item.id, key=f"exam_{exam_id}_{item.id}"):
            st.session_state[key] = None

        if current is not None and st.button("Clear my answer", key=f"exam_clear_{pos}", on_click=clear):
            save(exam.answer(item.id, None, now))
    was_flagged = exam.is_flagged(item.id)
    flag = st.checkbox("⚑ Flag this question for review", value=was_flagged, key=f"exam_flag_{exam_id}_{item.id}")
    if flag != was_flagged:
        save(exam.toggle_flag(item.id))

c1, c2, _, c4 = st.columns(4)
c1.button("← Previous", disabled=pos == 0, on_click=go_to, args=(pos - 1,), key="exam_prev", width="stretch")
c2.button("Next →", disabled=pos == n - 1, on_click=go_to, args=(pos + 1,), key="exam_next", width="stretch")
if flagged:
    c4.button("Next flagged ⚑", on_click=go_to, key="exam_next_flag", width="stretch",
              args=(next((i for i in flagged if i > pos), flagged[0]),))

st.divider()
with st.container(border=True):
    st.markdown(f"**Hand in** — {len(unanswered)} not answered, {len(flagged)} flagged. You cannot change answers afterwards.")
    sure = st.checkbox("I am ready to submit my exam", key=f"exam_sure_{exam_id}")
    if st.button("Submit exam", type="primary", disabled=not sure, key="exam_submit"):
        submit(exam_id, exam, now)
        st.rerun()
