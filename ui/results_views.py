"""Learner results screens: progress charts (Altair), the attempt history, a scored attempt
(score summary, per-code table, DRG comparison, feedback with chart evidence) and disputes.
The helpers above the widgets are pure (no Streamlit calls)."""
from __future__ import annotations

import re
from collections import Counter

import altair as alt
import pandas as pd
import streamlit as st

import progress
import scoring
from ui import case_workspace, labels, resources, session
from ui.labels import md_escape

COMPONENT_ORDER = list(scoring.COMPONENTS)
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3]]


# ----------------------------------------------------------------------------- pure helpers
_DOC_REF = re.compile(r"\b(doc\d+)\b")


def name_documents(text: str, chart: dict | None) -> str:
    """Replace internal document ids ("doc11") in feedback text with the document's title."""
    titles = {d.get("doc_id"): d.get("title") for d in (chart or {}).get("documents", [])}
    return _DOC_REF.sub(lambda m: f"the {titles[m.group(1)].lower()}" if titles.get(m.group(1)) else m.group(1),
                        str(text or ""))


def feedback_item(fb: dict, items: list[dict]) -> int | None:
    """The scored item (its `idx`) a feedback item explains, as scoring recorded it; None for
    feedback about the whole claim and for reports stored before feedback carried its item."""
    idx = fb.get("item")
    return idx if isinstance(idx, int) and any(i.get("idx") == idx for i in items) else None


def code_rows(items: list[dict], report_items: list[dict] | None = None) -> list[dict]:
    """One row per scored item with its status as words (and a colour to go with them)."""
    original = report_items or []
    out = []
    for n, i in enumerate(items):
        idx = i.get("idx", n)
        rep = original[idx] if isinstance(idx, int) and 0 <= idx < len(original) else {}
        note = rep.get("note", "") or ""
        changed = rep and abs(float(rep.get("score", 0)) - float(i.get("score", 0))) > 1e-9
        if changed:
            note = (note + "; " if note else "") + f"instructor changed the score from {float(rep.get('score', 0)):.2f}"
        expected = i.get("expected") or ""
        out.append({"#": idx, "Status": labels.STATUS.get(i.get("status"), i.get("status", "")),
                    "Section": labels.component_label(i.get("component", "")), "Item": i.get("label") or "",
                    "Key": expected or "—", "You entered": i.get("entered") or "—",
                    "Points": f"{float(i.get('score', 0)):.2f} / {float(i.get('max', 0)):.2f}", "Note": note,
                    "status": i.get("status", "")})
    return out


def status_counts(items: list[dict]) -> dict:
    c = Counter(i.get("status") for i in items if i.get("component") in ("pdx", "sdx", "pcs"))
    return {k: c.get(k, 0) for k in labels.STATUS}


def evidence_quote(fb: dict, chart: dict | None) -> dict | None:
    """The chart sentence behind a feedback item: {"title", "datetime", "sentence", "doc_id"} or None."""
    sentence = (fb.get("evidence") or "").strip()
    doc_id = fb.get("evidence_doc") or ""
    if not sentence and not doc_id:
        return None
    doc = next((d for d in (chart or {}).get("documents", []) if d.get("doc_id") == doc_id), None)
    return {"doc_id": doc_id, "title": doc.get("title") if doc else (doc_id or "the chart"),
            "datetime": doc.get("datetime", "") if doc else "", "sentence": sentence}


def drg_comparison(report: dict) -> dict:
    """The two DRGs side by side, the payment difference and the items that changed the DRG."""
    causes = [scoring.CAUSES.get(c, c) for c in report.get("drg_causes") or ()]
    drivers = [f for f in report.get("feedback") or () if f.get("drg_changing") and f.get("kind") != "drg_mismatch"]
    return {"learner": {"drg": report.get("learner_drg"), "title": report.get("learner_drg_title") or "",
                        "weight": report.get("learner_weight")},
            "key": {"drg": report.get("key_drg"), "title": report.get("key_drg_title") or "",
                    "weight": report.get("key_weight")},
            "difference": report.get("payment_difference"), "base_rate": report.get("base_rate"),
            "same": report.get("learner_drg") is not None and report.get("learner_drg") == report.get("key_drg"),
            "causes": causes, "summary": report.get("drg_summary") or "",
            "drivers": [{"code": f.get("code") or f.get("expected") or "", "kind": scoring.KINDS.get(f.get("kind"), ""),
                         "impact": f.get("impact") or "", "message": f.get("message") or ""} for f in drivers]}


def history_rows(attempts: list[dict], titles: dict, assignments: dict | None = None) -> list[dict]:
    out = []
    for a in attempts:
        dur = a.get("duration_s")
        out.append({"Attempt": a["id"], "Submitted": labels.when(a.get("submitted_at")),
                    "Case": f"{titles.get(a.get('scenario_id'), a.get('scenario_id'))} (#{a.get('seed')})",
                    "Assignment": (assignments or {}).get(a.get("assignment_id"), "") if a.get("assignment_id") else "practice",
                    "Score": round(float(a.get("total") or 0), 1),
                    "Minutes": str(round(dur / 60)) if isinstance(dur, (int, float)) else "—"})
    return out


# ----------------------------------------------------------------------------- charts
def trend_chart(rows: list[dict], titles: dict) -> alt.Chart | None:
    """Total score per attempt, oldest first: a line with the score written above each point."""
    if not rows:
        return None
    df = pd.DataFrame([{"Attempt number": n, "Attempt": r["attempt_id"], "Submitted": labels.when(r["submitted_at"]),
                        "Score": round(float(r["total"] or 0), 1),
                        "Case": titles.get(r["scenario_id"], r["scenario_id"]) + f" #{r['seed']}"}
                       for n, r in enumerate(rows, 1)])
    base = alt.Chart(df).encode(
        x=alt.X("Attempt number:O", title="Attempt (oldest first)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Score:Q", title="Total score", scale=alt.Scale(domain=[0, 100])),
        tooltip=["Attempt", "Case", "Score", "Submitted"])
    return (base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True)) +
            base.mark_text(dy=-10, fontSize=11).encode(text="Score:Q")).properties(height=240)


def components_chart(rows: list[dict]) -> alt.Chart | None:
    """Each component's score over time; components differ by colour AND line dash AND point shape."""
    long = []
    for n, r in enumerate(rows, 1):
        for c in COMPONENT_ORDER:
            v = r.get(f"score_{c}")
            if v is not None:
                long.append({"Attempt number": n, "Component": labels.component_label(c), "Score": round(float(v), 1)})
    if not long:
        return None
    names = [labels.component_label(c) for c in COMPONENT_ORDER]
    return alt.Chart(pd.DataFrame(long)).mark_line(point=True).encode(
        x=alt.X("Attempt number:O", title="Attempt (oldest first)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Score:Q", title="Component score (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("Component:N", sort=names, legend=alt.Legend(orient="bottom", columns=3)),
        strokeDash=alt.StrokeDash("Component:N", sort=names, scale=alt.Scale(domain=names, range=DASHES)),
        shape=alt.Shape("Component:N", sort=names, scale=alt.Scale(domain=names, range=SHAPES)),
        tooltip=["Attempt number", "Component", "Score"]).properties(height=260)


def bars(frame: pd.DataFrame, label: str, height: int | None = None, label_limit: int = 240) -> alt.Chart:
    """Horizontal bars of mean score with the value written at the end of each bar (count in the tooltip)."""
    frame = frame.assign(Text=frame["Mean"].map(lambda v: f"{v:.0f}%"))
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=list(frame[label]), title=None,
                axis=alt.Axis(labelLimit=label_limit, labelOverlap=False)),
        x=alt.X("Mean:Q", title="Mean score (%)", scale=alt.Scale(domain=[0, 112]),
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100])),
        tooltip=[label, "Mean", alt.Tooltip("n:Q", title="attempts")])
    return (base.mark_bar(color="#4a78b5") + base.mark_text(align="left", dx=3, fontSize=11).encode(text="Text:N")
            ).properties(height=height or alt.Step(26))


def mastery_chart(m: dict) -> alt.Chart | None:
    rows = [{"Component": labels.component_label(c), "Mean": round(float(v["mean"]), 1), "n": v["n"]}
            for c, v in (m.get("components") or {}).items() if v.get("mean") is not None]
    return bars(pd.DataFrame(rows), "Component") if rows else None


def topic_chart(m: dict, teaching: dict) -> alt.Chart | None:
    rows = [{"Topic": labels.topic_label(t["topic"], teaching), "Mean": round(float(t["mean"]), 1), "n": t["n"]}
            for t in m.get("topics") or [] if t.get("mean") is not None]
    return bars(pd.DataFrame(rows), "Topic", label_limit=420) if rows else None


def mdc_chart(m: dict) -> alt.Chart | None:
    rows = [{"MDC": labels.mdc_label(r["mdc"]), "Mean": round(float(r["mean"]), 1), "n": r["n"]}
            for r in m.get("mdc") or [] if r.get("mean") is not None]
    return bars(pd.DataFrame(rows), "MDC") if rows else None


def show_chart(chart, empty: str) -> None:
    if chart is None:
        st.caption(empty)
    else:
        st.altair_chart(chart, width="stretch")


# ----------------------------------------------------------------------------- history
def history(user, key: str, limit: int = 200) -> list[dict]:
    attempts = progress.list_attempts(user.actor, limit=limit)
    if not attempts:
        st.caption("No submitted cases yet. Open a case in the **Case workspace** and submit it to see it here.")
        return attempts
    titles = resources.scenario_titles()
    names = {}
    try:
        names = {a["id"]: a["title"] for a in progress.learner_assignments(user.actor)}
    except progress.ProgressError:
        pass
    table = pd.DataFrame(history_rows(attempts, titles, names))
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)),
                 column_config={"Score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100,
                                                                        format="%.1f")})
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choices = {r["Attempt"]: f"#{r['Attempt']} · {r['Submitted']} · {r['Case']} · {r['Score']:.1f}"
               for r in table.to_dict("records")}
    chosen = c1.selectbox("Reopen an attempt as scored", list(choices), format_func=choices.get, key=f"{key}_reopen")
    if c2.button("Open results", key=f"{key}_open", icon=":material/grading:", width="stretch"):
        case_workspace.go_to_results(chosen)
    return attempts


def recent_links(attempts: list[dict], titles: dict, n: int = 5) -> None:
    for a in attempts[:n]:
        st.page_link(case_workspace.RESULTS, query_params={"attempt": str(a["id"])}, icon=":material/grading:",
                     label=f"{titles.get(a['scenario_id'], a['scenario_id'])} #{a['seed']} — "
                           f"{float(a['total'] or 0):.0f} / 100 · {labels.when(a['submitted_at'])}")


# ----------------------------------------------------------------------------- results
def attempt_id_from_request() -> int | None:
    raw = st.query_params.get("attempt") or st.session_state.get("results_attempt")
    if raw in (None, ""):
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        st.error(f"“{str(raw)[:20]}” is not an attempt number.")
        return None


def results_header(attempt: dict, titles: dict) -> None:
    title = titles.get(attempt["scenario_id"], attempt["scenario_id"])
    st.header(f"Results — {title}", anchor=False)
    dur = attempt.get("duration_s")
    bits = [f"Attempt #{attempt['id']}", f"case #{attempt['seed']}", f"submitted {labels.when(attempt['submitted_at'])}",
            f"{round(dur / 60)} min" if isinstance(dur, (int, float)) else "",
            f"rubric {attempt.get('rubric_version') or '—'}", "assignment" if attempt.get("assignment_id") else "practice"]
    st.caption(" · ".join(b for b in bits if b))


def score_summary(attempt: dict, report: dict) -> None:
    items = attempt["items"]
    c1, c2 = st.columns([1, 2.4])
    with c1:
        original = report.get("total")
        total = float(attempt.get("total") or 0)
        changed = isinstance(original, (int, float)) and abs(original - total) > 0.005
        st.metric("Total score", f"{total:.1f} / 100",
                  delta=f"{total - original:+.1f} after instructor review" if changed else None, delta_color="normal")
        counts = status_counts(items)
        st.markdown("  \n".join(f"{md_escape(labels.STATUS[k].split(' (')[0])}: **{v}**" for k, v in counts.items() if v)
                    or "No codes scored.", help="Diagnosis and procedure codes.")
    with c2:
        rows = []
        for c in COMPONENT_ORDER:
            pts = [i for i in items if i["component"] == c]
            got, out_of = sum(i["score"] for i in pts), sum(i["max"] for i in pts)
            if out_of:
                rows.append({"Component": labels.component_label(c), "Points": f"{got:.1f} of {out_of:.1f}",
                             "Score": round(100 * got / out_of, 1)})
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         column_config={"Score": st.column_config.ProgressColumn("Score (%)", min_value=0, max_value=100,
                                                                                format="%.0f%%")})


def code_table(attempt: dict, report: dict) -> None:
    rows = code_rows(attempt["items"], report.get("items") or [])
    if not rows:
        st.caption("Nothing was scored.")
        return
    frame = pd.DataFrame(rows)
    colours = {labels.STATUS[k]: v for k, v in labels.STATUS_COLOUR.items()}
    styled = frame.style.map(lambda v: f"background-color: {colours.get(v, '')}" if v in colours else "", subset=["Status"])
    sections = ["All", *dict.fromkeys(frame["Section"])]
    pick = st.segmented_control("Show", sections, default="All", key="res_section")
    if pick and pick != "All":
        styled = frame[frame["Section"] == pick].style.map(
            lambda v: f"background-color: {colours.get(v, '')}" if v in colours else "", subset=["Status"])
    st.dataframe(styled, hide_index=True, width="stretch",
                 column_order=["Status", "Section", "Item", "Key", "You entered", "Points", "Note"],
                 height=min(520, 38 + 35 * len(rows)))
    st.caption("Status is written out (✓ correct, ≈ near miss, ✗ missing or wrong, + extra); colour only repeats it.")


def drg_view(report: dict, attempt: dict) -> None:
    d = drg_comparison(report)
    c1, c2, c3 = st.columns(3)
    for col, who, side in ((c1, "Your codes group to", d["learner"]), (c2, "The key groups to", d["key"])):
        with col:
            st.metric(who, f"MS-DRG {labels.fmt_drg(side['drg'])}",
                      help="Relative weight × base rate gives the illustrative payment.")
            weight = side["weight"] if side["weight"] is not None else "—"
            st.markdown(f"{md_escape(side['title'] or 'not groupable')}  \nWeight **{weight}**")
    with c3:
        st.metric("Payment difference (yours − key)", labels.fmt_money(d["difference"]),
                  help=f"Illustrative, at a base rate of ${d['base_rate'] or 0:,.0f}.".replace("$", "\\$"))
        st.markdown("**Same DRG ✓**" if d["same"] else "**Different DRG ✗**")
    chose = next((i for i in attempt["items"] if i["component"] == "drg" and "chose" in (i.get("label") or "")), None)
    if chose is not None:
        st.markdown(f"The DRG you chose: **{md_escape(chose.get('entered') or 'none')}** — "
                    f"{labels.STATUS.get(chose['status'], chose['status'])}.")
    if d["causes"]:
        st.markdown("**What made the difference:** " + "; ".join(md_escape(c) for c in d["causes"]))
    for drv in d["drivers"]:
        st.markdown(f"- **{md_escape(drv['code'] or '—')}** ({md_escape(drv['kind'])}): {md_escape(drv['impact'])}")
    if d["summary"]:
        st.caption(md_escape(d["summary"]))


def _dispute_form(user, attempt: dict, idx: int | None, key: str, items: list[dict]) -> None:
    open_items = {x["item_idx"] for x in attempt.get("disputes", []) if x.get("status") == "open"}
    if idx is None:
        choices = {i["idx"]: f"{labels.component_label(i['component'])} · {i.get('label') or ''} · key "
                             f"{i.get('expected') or '—'} · yours {i.get('entered') or '—'}" for i in items}
        idx = st.selectbox("Which scored item?", list(choices), format_func=choices.get, key=f"{key}_item")
    if idx in open_items:
        st.caption("You already have an open dispute on this item; your instructor will rule on it.")
        return
    with st.form(f"{key}_form", clear_on_submit=True):
        argument = st.text_area("Why should this item be scored differently? Quote the chart or a guideline.",
                                max_chars=2000, key=f"{key}_arg")
        sent = st.form_submit_button("Send dispute to my instructor")
    if sent:
        try:
            progress.open_dispute(user.actor, attempt["id"], int(idx), argument)
        except progress.ProgressError as exc:
            st.error(str(exc))
        else:
            session.flash("Dispute sent. Your instructor will rule on it; the outcome appears here.")
            st.rerun()


def feedback_list(user, attempt: dict, report: dict, chart: dict | None) -> None:
    fbs = report.get("feedback") or []
    if not fbs:
        st.success("No feedback items: everything matched the key.")
        return
    st.caption(f"{len(fbs)} items, most consequential first (DRG-changing, then payment and compliance impact).")
    for n, fb in enumerate(fbs, 1):
        kind = labels.kind_title(fb.get("kind", ""))
        sev = labels.SEVERITY_TEXT.get(fb.get("severity"), fb.get("severity", ""))
        badge = {"error": ":red-badge", "warning": ":orange-badge", "hint": ":blue-badge"}.get(fb.get("severity"), ":gray-badge")
        with st.container(border=True):
            head = f"**{n}. {md_escape(kind)}** {badge}[{sev}] · {labels.component_label(fb.get('component', ''))}"
            if fb.get("drg_changing"):
                head += " :violet-badge[changes the DRG]"
            st.markdown(head)
            st.markdown(md_escape(name_documents(fb.get("message", ""), chart)))
            if fb.get("impact"):
                st.markdown(f"**Impact:** {md_escape(name_documents(fb['impact'], chart))}")
            quote = evidence_quote(fb, chart)
            if quote:
                when = f" ({quote['datetime'].replace('T', ' ')})" if quote["datetime"] else ""
                sentence = md_escape(quote["sentence"] or "(see the document)")
                st.markdown(f"**Evidence — {md_escape(quote['title'])}{when}:**\n\n> {sentence}")
            if fb.get("teaching"):
                with st.expander("Teaching point"):
                    st.markdown(md_escape(fb["teaching"]))
            idx = feedback_item(fb, attempt["items"])
            with st.expander("Dispute this item", icon=":material/gavel:"):
                _dispute_form(user, attempt, idx, f"res_disp_{n}", attempt["items"])


def audit_trail(user, attempt: dict) -> None:
    items = {i["idx"]: i for i in attempt["items"]}

    def what(idx):
        i = items.get(idx) or {}
        return f"{labels.component_label(i.get('component', ''))} · {i.get('label') or ''} · key {i.get('expected') or '—'}"

    st.markdown("#### Instructor score changes")
    if attempt.get("overrides"):
        st.dataframe(pd.DataFrame([{"When": labels.when(o.get("at")), "By": o.get("by_name"), "Item": what(o["item_idx"]),
                                    "Item score": f"{o['old_score']:.2f} → {o['new_score']:.2f}",
                                    "Total": f"{o['old_total']:.1f} → {o['new_total']:.1f}", "Reason": o.get("reason")}
                                   for o in attempt["overrides"]]), hide_index=True, width="stretch")
    else:
        st.caption("No instructor has changed a score on this attempt.")
    st.markdown("#### Your disputes")
    if attempt.get("disputes"):
        for d in attempt["disputes"]:
            status = labels.DISPUTE_STATUS.get(d["status"], d["status"])
            with st.container(border=True):
                st.markdown(f"**{status}** · {md_escape(what(d['item_idx']))} · opened {labels.when(d.get('opened_at'))}")
                st.markdown(f"Your argument: {md_escape(d.get('argument'))}")
                if d.get("ruling"):
                    st.markdown(f"Ruling ({labels.when(d.get('ruled_at'))}): {md_escape(d['ruling'])}")
    else:
        st.caption("No disputes yet. Use **Dispute this item** under a feedback item, or the form below.")
    with st.expander("Dispute any scored item", icon=":material/gavel:"):
        _dispute_form(user, attempt, None, "res_disp_any", attempt["items"])
