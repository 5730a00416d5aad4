"""Learner read-only views: progress charts (Altair), the scored attempt (results), disputes."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import progress
import scoring
from ui import learner, learner_logic as L, resources

COMPONENT_ORDER = list(scoring.COMPONENTS)
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3]]


# ----------------------------------------------------------------------------- charts
def trend_chart(rows: list[dict], titles: dict) -> alt.Chart | None:
    """Total score per attempt, oldest first: a line with the score written above each point."""
    if not rows:
        return None
    df = pd.DataFrame([{"Attempt number": n, "Attempt": r["attempt_id"], "Submitted": L.short_when(r["submitted_at"]),
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
                long.append({"Attempt number": n, "Component": L.component_label(c), "Score": round(float(v), 1)})
    if not long:
        return None
    labels = [L.component_label(c) for c in COMPONENT_ORDER]
    return alt.Chart(pd.DataFrame(long)).mark_line(point=True).encode(
        x=alt.X("Attempt number:O", title="Attempt (oldest first)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Score:Q", title="Component score (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("Component:N", sort=labels, legend=alt.Legend(orient="bottom", columns=3)),
        strokeDash=alt.StrokeDash("Component:N", sort=labels, scale=alt.Scale(domain=labels, range=DASHES)),
        shape=alt.Shape("Component:N", sort=labels, scale=alt.Scale(domain=labels, range=SHAPES)),
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
    rows = [{"Component": L.component_label(c), "Mean": round(float(v["mean"]), 1), "n": v["n"]}
            for c, v in (m.get("components") or {}).items() if v.get("mean") is not None]
    return bars(pd.DataFrame(rows), "Component") if rows else None


def topic_chart(m: dict, teaching: dict) -> alt.Chart | None:
    rows = [{"Topic": L.topic_label(t["topic"], teaching), "Mean": round(float(t["mean"]), 1), "n": t["n"]}
            for t in m.get("topics") or [] if t.get("mean") is not None]
    return bars(pd.DataFrame(rows), "Topic", label_limit=420) if rows else None


def mdc_chart(m: dict) -> alt.Chart | None:
    rows = [{"MDC": L.mdc_label(r["mdc"]), "Mean": round(float(r["mean"]), 1), "n": r["n"]}
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
    table = pd.DataFrame(L.history_rows(attempts, titles, names))
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)),
                 column_config={"Score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100,
                                                                        format="%.1f")})
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    labels = {r["Attempt"]: f"#{r['Attempt']} · {r['Submitted']} · {r['Case']} · {r['Score']:.1f}"
              for r in table.to_dict("records")}
    chosen = c1.selectbox("Reopen an attempt as scored", list(labels), format_func=labels.get, key=f"{key}_reopen")
    if c2.button("Open results", key=f"{key}_open", icon=":material/grading:", width="stretch"):
        learner.go_to_results(chosen)
    return attempts


def recent_links(attempts: list[dict], titles: dict, n: int = 5) -> None:
    for a in attempts[:n]:
        st.page_link(learner.RESULTS, query_params={"attempt": str(a["id"])}, icon=":material/grading:",
                     label=f"{titles.get(a['scenario_id'], a['scenario_id'])} #{a['seed']} — "
                           f"{float(a['total'] or 0):.0f} / 100 · {L.short_when(a['submitted_at'])}")


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
    bits = [f"Attempt #{attempt['id']}", f"case #{attempt['seed']}", f"submitted {L.short_when(attempt['submitted_at'])}",
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
        counts = L.status_counts(items)
        st.markdown("  \n".join(f"{L.md_escape(L.STATUS_TEXT[k].split(' (')[0])}: **{v}**" for k, v in counts.items() if v)
                    or "No codes scored.", help="Diagnosis and procedure codes.")
    with c2:
        rows = []
        for c in COMPONENT_ORDER:
            pts = [i for i in items if i["component"] == c]
            got, out_of = sum(i["score"] for i in pts), sum(i["max"] for i in pts)
            if out_of:
                rows.append({"Component": L.component_label(c), "Points": f"{got:.1f} of {out_of:.1f}",
                             "Score": round(100 * got / out_of, 1)})
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         column_config={"Score": st.column_config.ProgressColumn("Score (%)", min_value=0, max_value=100,
                                                                                format="%.0f%%")})


def code_table(attempt: dict, report: dict) -> None:
    rows = L.code_table(attempt["items"], report.get("items") or [])
    if not rows:
        st.caption("Nothing was scored.")
        return
    frame = pd.DataFrame(rows)
    colours = {L.STATUS_TEXT[k]: v for k, v in L.STATUS_COLOUR.items()}
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
    d = L.drg_comparison(report)
    c1, c2, c3 = st.columns(3)
    for col, who, side in ((c1, "Your codes group to", d["learner"]), (c2, "The key groups to", d["key"])):
        with col:
            st.metric(who, f"MS-DRG {L.fmt_drg(side['drg'])}",
                      help="Relative weight × base rate gives the illustrative payment.")
            weight = side["weight"] if side["weight"] is not None else "—"
            st.markdown(f"{L.md_escape(side['title'] or 'not groupable')}  \nWeight **{weight}**")
    with c3:
        st.metric("Payment difference (yours − key)", L.fmt_money(d["difference"]),
                  help=f"Illustrative, at a base rate of ${d['base_rate'] or 0:,.0f}.".replace("$", "\\$"))
        st.markdown("**Same DRG ✓**" if d["same"] else "**Different DRG ✗**")
    chose = next((i for i in attempt["items"] if i["component"] == "drg" and "chose" in (i.get("label") or "")), None)
    if chose is not None:
        st.markdown(f"The DRG you chose: **{L.md_escape(chose.get('entered') or 'none')}** — "
                    f"{L.STATUS_TEXT.get(chose['status'], chose['status'])}.")
    if d["causes"]:
        st.markdown("**What made the difference:** " + "; ".join(L.md_escape(c) for c in d["causes"]))
    for drv in d["drivers"]:
        st.markdown(f"- **{L.md_escape(drv['code'] or '—')}** ({L.md_escape(drv['kind'])}): {L.md_escape(drv['impact'])}")
    if d["summary"]:
        st.caption(L.md_escape(d["summary"]))


def _dispute_form(user, attempt: dict, idx: int | None, key: str, items: list[dict]) -> None:
    open_items = {x["item_idx"] for x in attempt.get("disputes", []) if x.get("status") == "open"}
    if idx is None:
        labels = {i["idx"]: f"{L.component_label(i['component'])} · {i.get('label') or ''} · key {i.get('expected') or '—'}"
                              f" · yours {i.get('entered') or '—'}" for i in items}
        idx = st.selectbox("Which scored item?", list(labels), format_func=labels.get, key=f"{key}_item")
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
            st.session_state["res_flash"] = "Dispute sent. Your instructor will rule on it; the outcome appears here."
            st.rerun()


def feedback_list(user, attempt: dict, report: dict, chart: dict | None) -> None:
    fbs = report.get("feedback") or []
    if not fbs:
        st.success("No feedback items: everything matched the key.")
        return
    st.caption(f"{len(fbs)} items, most consequential first (DRG-changing, then payment and compliance impact).")
    for n, fb in enumerate(fbs, 1):
        kind = L.kind_title(fb.get("kind", ""))
        sev = L.SEVERITY_TEXT.get(fb.get("severity"), fb.get("severity", ""))
        badge = {"error": ":red-badge", "warning": ":orange-badge", "hint": ":blue-badge"}.get(fb.get("severity"), ":gray-badge")
        with st.container(border=True):
            head = f"**{n}. {L.md_escape(kind)}** {badge}[{sev}] · {L.component_label(fb.get('component', ''))}"
            if fb.get("drg_changing"):
                head += " :violet-badge[changes the DRG]"
            st.markdown(head)
            st.markdown(L.md_escape(L.name_documents(fb.get("message", ""), chart)))
            if fb.get("impact"):
                st.markdown(f"**Impact:** {L.md_escape(L.name_documents(fb['impact'], chart))}")
            quote = L.evidence_quote(fb, chart)
            if quote:
                when = f" ({quote['datetime'].replace('T', ' ')})" if quote["datetime"] else ""
                sentence = L.md_escape(quote["sentence"] or "(see the document)")
                st.markdown(f"**Evidence — {L.md_escape(quote['title'])}{when}:**\n\n> {sentence}")
            if fb.get("teaching"):
                with st.expander("Teaching point"):
                    st.markdown(L.md_escape(fb["teaching"]))
            idx = L.feedback_item(fb, attempt["items"])
            with st.expander("Dispute this item", icon=":material/gavel:"):
                _dispute_form(user, attempt, idx, f"res_disp_{n}", attempt["items"])


def audit_trail(user, attempt: dict) -> None:
    items = {i["idx"]: i for i in attempt["items"]}

    def what(idx):
        i = items.get(idx) or {}
        return f"{L.component_label(i.get('component', ''))} · {i.get('label') or ''} · key {i.get('expected') or '—'}"

    st.markdown("#### Instructor score changes")
    if attempt.get("overrides"):
        st.dataframe(pd.DataFrame([{"When": L.short_when(o.get("at")), "By": o.get("by_name"), "Item": what(o["item_idx"]),
                                    "Item score": f"{o['old_score']:.2f} → {o['new_score']:.2f}",
                                    "Total": f"{o['old_total']:.1f} → {o['new_total']:.1f}", "Reason": o.get("reason")}
                                   for o in attempt["overrides"]]), hide_index=True, width="stretch")
    else:
        st.caption("No instructor has changed a score on this attempt.")
    st.markdown("#### Your disputes")
    if attempt.get("disputes"):
        for d in attempt["disputes"]:
            status = {"open": "⏳ Open — waiting for a ruling", "accepted": "✓ Accepted", "rejected": "✗ Rejected"}.get(
                d["status"], d["status"])
            with st.container(border=True):
                st.markdown(f"**{status}** · {L.md_escape(what(d['item_idx']))} · opened {L.short_when(d.get('opened_at'))}")
                st.markdown(f"Your argument: {L.md_escape(d.get('argument'))}")
                if d.get("ruling"):
                    st.markdown(f"Ruling ({L.short_when(d.get('ruled_at'))}): {L.md_escape(d['ruling'])}")
    else:
        st.caption("No disputes yet. Use **Dispute this item** under a feedback item, or the form below.")
    with st.expander("Dispute any scored item", icon=":material/gavel:"):
        _dispute_form(user, attempt, None, "res_disp_any", attempt["items"])
