"""Shared widgets and small helpers for the instructor pages (cohorts, assignments, gradebook,
item analysis, drill-down, trends).

Nothing here decides who may see what: every read and write goes through `progress`, which
enforces ownership and raises `PermissionDenied` with a message the page shows as it is.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Sequence

import altair as alt
import pandas as pd
import streamlit as st

import progress
from ui import labels, resources, results_views
from ui.labels import md_escape, pct, when


# ----------------------------------------------------------------------------- cohort picker
def cohort_label(cohort: dict, owners: dict[int, str] | None = None) -> str:
    """A label that does not change while the page is open (a selectbox keeps its choice by label)."""
    owner = f" · owner {owners[cohort['owner_id']]}" if owners and cohort.get("owner_id") in owners else ""
    return f"{cohort['name']}{owner}"


def _owner_names(actor: progress.Actor, cohorts: list[dict]) -> dict[int, str]:
    """Admins see every cohort: name the owner so two 'Spring 2026' cohorts can be told apart."""
    if not actor.is_admin:
        return {}
    names = {}
    for owner_id in {c["owner_id"] for c in cohorts}:
        try:
            names[owner_id] = progress.get_user(actor, owner_id).display_name
        except progress.ProgressError:
            continue
    return names


ALL_COHORTS = 0   # the picker's value for "all": Streamlit shows a None value as "Choose an option"


def cohort_picker(actor: progress.Actor, key: str, *, allow_all: bool = False,
                  all_label: str = "All my cohorts") -> dict | None:
    """A cohort selectbox shared by the instructor pages (the choice follows you between pages).
    Returns the cohort dict, `{"id": None}` for "all" (when allowed), or None when there is none."""
    cohorts = progress.list_cohorts(actor)
    if not cohorts:
        st.info("You have no cohorts yet. Create one on the **Cohorts** page, then come back here.")
        st.page_link("ui/pages/cohorts.py", label="Open Cohorts", icon=":material/groups:")
        return None
    owners = _owner_names(actor, cohorts)
    by_id = {c["id"]: c for c in cohorts}
    options: list[int] = ([ALL_COHORTS] if allow_all else []) + list(by_id)
    first = options[1 if allow_all and len(options) > 1 else 0]
    remembered = st.session_state.get("instructor_cohort")
    widget, seen = f"{key}_cohort", f"{key}_cohort_seen"
    if st.session_state.get(widget, "unset") not in options:
        st.session_state[widget] = remembered if remembered in by_id else first
    elif remembered in by_id and st.session_state.get(seen) != remembered:
        st.session_state[widget] = remembered   # chosen on another page, or a cohort just created
    choice = st.selectbox("Cohort", options, key=widget, format_func=lambda cid: (
        all_label if cid == ALL_COHORTS else cohort_label(by_id[cid], owners)))
    if choice not in options:   # a label that no longer matches (renamed elsewhere): start over
        choice = first
    if choice != ALL_COHORTS:
        st.session_state["instructor_cohort"] = choice
    st.session_state[seen] = st.session_state.get("instructor_cohort")
    return by_id[choice] if choice != ALL_COHORTS else {"id": None, "name": all_label}


def file_safe(text: str, fallback: str = "cohort") -> str:
    """A name for a downloaded file: letters, digits, - and _ only."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-") or fallback


def combine_utc(day: date | None, moment: time | None, default: time) -> datetime | None:
    """A date (and optional time) picked in the UI as an aware UTC datetime, or None."""
    if day is None:
        return None
    return datetime.combine(day, moment or default, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- small numbers
FEW = f"fewer than {progress.MIN_N} answers"
GREY = "color: #8a8a8a"


def grey_few(frame: pd.DataFrame, enough: Sequence[bool]):
    """The table with the rows from too few answers (`enough` False, in row order) in grey."""
    frame, flags = frame.reset_index(drop=True), list(enough)
    return frame.style.apply(lambda row: [GREY if not flags[row.name] else ""] * len(row), axis=1)


def rate_bars(frame: pd.DataFrame, y: str, x: str, title: str, *, n: str = "Answers",
              label_limit: int = 240) -> alt.LayerChart:
    """Horizontal bars of a rate (0-100), each labelled with the rate and its count ("40% · n=12")."""
    frame = frame.assign(Label=[f"{v:.0f}% · n={k}" for v, k in zip(frame[x], frame[n])])
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{y}:N", sort="x", title=None, axis=alt.Axis(labelLimit=label_limit)),
        x=alt.X(f"{x}:Q", scale=alt.Scale(domain=[0, 125]), title=title, axis=alt.Axis(values=[0, 20, 40, 60, 80, 100])),
        tooltip=[y, n, alt.Tooltip(f"{x}:Q", format=".1f")])
    return bars + bars.mark_text(align="left", dx=4).encode(text="Label:N")


# ----------------------------------------------------------------------------- attempt policy
POLICY_HELP = {
    "cases": "Practice-style assignments allow several attempts with the key after each one; graded ones "
             "usually allow one attempt and show the key after the due date.",
    "quiz": "A question set shows the feedback of each answer at once, so choose how many attempts it allows "
            "and which one the gradebook counts.",
    "exam": "A timed exam shows the score and the summary by domain at once; the review of each question "
            "(the key) only after the due date or when you release it.",
}


def policy_inputs(kind: str, current: progress.AttemptPolicy, key: str) -> dict:
    """The attempt-policy fields of an assignment form (call inside `st.form`); returns the
    choices for `policy_from`."""
    st.caption(POLICY_HELP[kind])
    c1, c2, c3 = st.columns(3)
    attempts = c1.number_input("Attempts allowed per learner" + (" and case" if kind == "cases" else "")
                               + " (0 = no limit)", min_value=0, max_value=100, value=current.max_attempts or 0,
                               step=1, key=f"{key}_attempts")
    counts = c2.selectbox("Which attempt counts in the gradebook", list(labels.COUNTS), key=f"{key}_counts",
                          index=list(labels.COUNTS).index(current.counts), format_func=labels.COUNTS.get)
    shown, exam_mode = current.key_shown, current.exam_mode
    if kind == "quiz":
        c3.caption("Feedback: after each answer.")
    else:
        options = [k for k in labels.KEY_SHOWN if kind == "cases" or k != "after_attempt"]
        shown = c3.selectbox("Show learners the answer key", options, key=f"{key}_shown",
                             index=options.index(shown) if shown in options else 0, format_func=labels.KEY_SHOWN.get)
        exam_mode = kind == "exam" or c3.checkbox(
            "Exam mode", value=current.exam_mode, key=f"{key}_exam_mode",
            help="The key is never shown before the due date or its release, whatever is chosen above.")
    return {"max_attempts": int(attempts) or None, "counts": counts, "key_shown": shown,
            "exam_mode": bool(exam_mode)}


def policy_from(choices: dict) -> progress.AttemptPolicy | None:
    """The policy chosen in `policy_inputs`, or None (its problem shown) when it breaks a rule."""
    try:
        return progress.AttemptPolicy(**choices)
    except progress.ValidationError as exc:
        st.error(str(exc))
        return None


def policy_text(a: dict) -> str:
    """An assignment's policy in a few words for a table."""
    attempts = "no limit" if a["max_attempts"] is None else f"{a['max_attempts']} attempt{'s' if a['max_attempts'] != 1 else ''}"
    key = "key released" if a.get("key_released_at") else (
        "feedback after each answer" if a["kind"] == "quiz" else f"key {labels.KEY_SHOWN[a['key_shown']]}")
    return f"{attempts}; {labels.COUNTS[a['counts']]} counts; {key}" + (" · exam mode" if a["exam_mode"] else "")


# ----------------------------------------------------------------------------- roster CSV
def roster_preview(rows: list[progress.RosterRow]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Line": r.line, "Username": r.username, "Display name": r.display_name,
        "Action": "Create account and enrol" if r.action == "create" else "Enrol existing learner",
        "Password": "given" if r.password else "—",
        "Check": "✓ ready" if r.ok else "✗ not imported (see below)"} for r in rows])


# ----------------------------------------------------------------------------- scored attempts
def items_frame(items: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "#": i.get("idx", n) + 1, "Component": labels.component_label(i["component"]),
        "Blank": i.get("label") or "", "Key": i.get("expected") or "", "Entered": i.get("entered") or "",
        "Result": labels.STATUS.get(i["status"], i["status"]),
        "Score": f"{i['score']:.2f} / {i['max']:.2f}"} for n, i in enumerate(items)])


def _chart_or_none(attempt: dict) -> dict | None:
    """The case's chart (to name its documents), or None when the scenario cannot be rebuilt."""
    try:
        return resources.chart(attempt["scenario_id"], int(attempt["seed"]))
    except Exception:   # a removed or broken scenario: feedback is still shown, with plain names
        return None


def show_scored_attempt(attempt: dict, scenario_title: str = "") -> None:
    """An attempt as the learner saw it when scored (the stored report), with current scores.
    Documents are named by their titles, components by their labels (no internal ids)."""
    report = attempt["report"] or {}
    original = report.get("total")
    c1, c2, c3, c4 = st.columns(4)
    delta = None if original is None or abs(attempt["total"] - original) < 0.005 else f"{attempt['total'] - original:+.1f} by overrides"
    c1.metric("Total (now)", f"{attempt['total']:.1f}", delta=delta, delta_color="off")
    c2.metric("Scored at submission", f"{original:.1f}" if original is not None else "—")
    c3.metric("Learner's codes group to", f"DRG {report['learner_drg']:03d}" if report.get("learner_drg") else "—")
    c4.metric("Key groups to", f"DRG {report['key_drg']:03d}" if report.get("key_drg") else "—")
    rubric = report.get("rubric") or {}
    st.caption(md_escape(f"{scenario_title or 'Case'} · case #{attempt['seed']} · submitted {when(attempt['submitted_at'], '')}"
                         + (f" · rubric {rubric.get('id')} v{rubric.get('version')}" if rubric else "")))
    chart = _chart_or_none(attempt)
    if report.get("drg_summary"):
        st.info(md_escape(results_views.name_documents(report["drg_summary"], chart)))
    components = report.get("components") or {}
    if isinstance(components, dict):
        components = list(components.values())
    if components:
        st.markdown("**Components**")
        st.dataframe(pd.DataFrame([{
            "Component": c.get("label") or labels.component_label(c.get("name", "")),
            "Points": f"{c.get('score', 0):.1f} / {c.get('max', 0):.1f}",
            "At submission": pct(c.get("percent")) if c.get("applicable", True) else "not scored",
            "Now": pct(attempt.get(f"score_{c.get('name')}")) if c.get("applicable", True) else "not scored",
        } for c in components]), hide_index=True, width="stretch")
    st.markdown("**Every blank** (current scores; overrides included)")
    st.dataframe(items_frame(attempt["items"]), hide_index=True, width="stretch")
    feedback = report.get("feedback") or []
    if feedback:
        st.markdown("**Feedback the learner received**")
        for f in feedback:
            show_feedback(f, chart)


def show_feedback(f: dict, chart: dict | None) -> None:
    """One feedback item, every learner- or chart-supplied part escaped, documents by title."""
    icon = {"error": "✗", "warning": "!", "hint": "i"}.get(f.get("severity"), "•")
    def named(text: str) -> str:
        return md_escape(results_views.name_documents(text, chart))

    with st.container(border=True):
        st.markdown(f"{icon} **{labels.SEVERITY_TEXT.get(f.get('severity'), 'Note')}** · "
                    f"{labels.component_label(f.get('component', ''))}: {named(f.get('message', ''))}")
        quote = results_views.evidence_quote(f, chart)
        if quote:
            st.caption(f"Chart evidence ({md_escape(quote['title'])}): “{md_escape(quote['sentence'])}”")
        if f.get("impact"):
            st.caption(f"Impact: {named(f['impact'])}")


def item_name(item: dict) -> str:
    """A scored item in words: "#3 Secondary diagnoses I50.23" (component label, never its id)."""
    what = item.get("label") or labels.component_label(item.get("component", ""))
    return f"#{item['idx'] + 1} {what} {item.get('expected') or item.get('entered') or ''}".strip()


def audit_frame(overrides: list[dict], items: list[dict]) -> pd.DataFrame:
    names = {i["idx"]: item_name(i) for i in items}
    return pd.DataFrame([{
        "When": when(o["at"]), "By": o.get("by_name", ""), "Item": names.get(o["item_idx"], o["item_idx"]),
        "Item score": f"{o['old_score']:.2f} → {o['new_score']:.2f}",
        "Total": f"{o['old_total']:.1f} → {o['new_total']:.1f}", "Reason": o["reason"]} for o in overrides])
