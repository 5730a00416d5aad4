"""Exam blueprints: view and edit items, minutes and domain weights (validated, saved as an
instructor override of the shipped file; the shipped version can be restored)."""
from datetime import date

import pandas as pd
import streamlit as st

from lessons import DOMAINS, ContentError
from lessons import blueprint as store
from lessons.exam import coverage
from ui import session, study
from ui.labels import md_escape

user = session.require("instructor", "admin")
st.title("Exam blueprints")
session.show_flash()

blueprints = study.content_or_stop(store.load_blueprints, "exam blueprints")
if st.session_state.get("bp_pick", "unset") not in blueprints:   # first visit, or the title just changed
    st.session_state["bp_pick"] = st.session_state.get("bp_selected") if st.session_state.get("bp_selected") in blueprints \
        else next(iter(blueprints))
bp_id = st.selectbox("Blueprint", list(blueprints), key="bp_pick",
                     format_func=lambda i: blueprints[i].title if i in blueprints else "(removed)")
st.session_state["bp_selected"] = bp_id
bp = blueprints[bp_id]
base = blueprints.get(bp.based_on) if bp.based_on else None

st.caption(f"{bp.credential} · {bp.items} questions" + (f" + {bp.cases} cases" if bp.cases else "")
           + f" · {bp.minutes} minutes · source as of {bp.as_of}"
           + (f" · domains follow **{base.title}**" if base else "")
           + (" · edited by an instructor (overrides the shipped file)" if bp.overridden else " · shipped version"))

cov = coverage(bp, study.all_questions())
st.markdown("**How the question bank covers this blueprint**")
st.dataframe(pd.DataFrame([{"Domain": c.name, "Seats": c.seats,
                            "Check": "✓ enough" if c.tagged >= c.seats else
                                     ("! borrows" if c.available >= c.seats else "✗ bank too small"),
                            f"Tagged {bp.credential}": c.tagged, "Any credential": c.available}
                           for c in cov]), hide_index=True, width="stretch")

st.caption("Seats = questions the weights give each domain. “Borrows” means the exam also uses questions tagged for other "
           "credentials in that domain; “bank too small” means other domains fill the missing seats.")

st.subheader("Edit")
tag_help = "Question-bank domains feeding this exam domain, comma-separated: " + ", ".join(DOMAINS)
domains = pd.DataFrame([{"Domain": dm.name, "Weight %": round(dm.weight * 100, 2), "Tags": ", ".join(dm.tags),
                         "Published range": dm.range} for dm in bp.domains])
with st.form(f"edit_{bp.id}"):
    title = st.text_input("Title", value=bp.title, max_chars=120)
    c1, c2, c3 = st.columns(3)
    items = c1.number_input("Multiple-choice items", min_value=1, max_value=store.MAX_ITEMS, value=bp.items)
    minutes = c2.number_input("Time limit (minutes)", min_value=1, max_value=store.MAX_MINUTES, value=bp.minutes)
    cases = c3.number_input("Inpatient cases (CIC style)", min_value=0, max_value=store.MAX_CASES, value=bp.cases)
    case_domain = st.text_input("Report line for the cases (required when there are cases)", value=bp.case_domain,
                                max_chars=80)
    st.markdown("**Domains and weights** (weights in percent must add up to 100; add or delete rows as needed)")
    edited = st.data_editor(domains, num_rows="dynamic", hide_index=True, width="stretch", key=f"bp_domains_{bp.id}",
                            column_config={
                                "Domain": st.column_config.TextColumn("Domain", required=True, max_chars=80, width="large"),
                                "Weight %": st.column_config.NumberColumn("Weight %", min_value=0.0, max_value=100.0,
                                                                          step=0.5, format="%.1f", required=True,
                                                                          width="small"),
                                "Tags": st.column_config.TextColumn("Tags", help=tag_help, required=True, width="medium"),
                                "Published range": st.column_config.TextColumn("Range", help="Published range, e.g. 30-34%",
                                                                               width="small")})
    st.caption(tag_help)
    passing_hint = st.text_area("Passing hint (optional)", value=bp.passing_hint, max_chars=500)
    source = st.text_area("Source of these numbers", value=bp.source, max_chars=1000)
    c4, c5 = st.columns([1, 3])
    as_of = c4.date_input("Source as of", value=date.fromisoformat(bp.as_of), format="YYYY-MM-DD")
    notes = c5.text_area("Notes", value=bp.notes, max_chars=1000)
    save = st.form_submit_button("Validate and save", type="primary")

if save:
    rows = edited.dropna(how="all").to_dict("records")
    problems = []
    parsed = []
    for n, r in enumerate(rows, start=1):
        name = str(r.get("Domain") or "").strip()
        tags = [t.strip() for t in str(r.get("Tags") or "").replace(";", ",").split(",") if t.strip()]
        unknown = [t for t in tags if t not in DOMAINS]
        if unknown:
            problems.append(f"Row {n} ({name or 'no name'}): unknown tag(s) {', '.join(unknown)}. Use: {', '.join(DOMAINS)}.")
        weight = r.get("Weight %")
        if weight is None or pd.isna(weight):
            problems.append(f"Row {n} ({name or 'no name'}): give a weight in percent.")
            weight = 0
        parsed.append({"name": name, "weight": round(float(weight) / 100, 4), "tags": tags,
                       **({"range": str(r["Published range"]).strip()} if r.get("Published range") and
                          not pd.isna(r.get("Published range")) and str(r["Published range"]).strip() else {})})
    total = sum(p["weight"] for p in parsed)
    if parsed and abs(total - 1.0) > store.WEIGHT_TOLERANCE:
        problems.append(f"The weights add up to {100 * total:.1f}%; they must add up to 100%.")
    data = {"id": bp.id, "credential": bp.credential, "title": title, "items": int(items), "minutes": int(minutes),
            **({"passing_hint": passing_hint.strip()} if passing_hint.strip() else {}),
            **({"cases": int(cases), "case_domain": case_domain.strip()} if cases else {}),
            **({"based_on": bp.based_on} if bp.based_on else {}),
            "domains": parsed, "source": source, "as_of": as_of.isoformat() if as_of else "", "notes": notes}
    if not problems:
        try:
            store.save_blueprint(store.blueprint_from_dict(data, base))
        except ContentError as exc:
            problems += [f"{p.field}: {p.message}" if p.field else p.message for p in exc.problems]
        except OSError as exc:
            problems.append(f"The blueprint could not be written ({exc.strerror}).")
    if problems:
        st.error("Not saved. Fix these and save again:\n\n" + "\n".join(f"- {p}" for p in problems))
    else:
        session.flash(f"Saved “{title}”. New exams use it from now on; exams already running keep their questions.")
        st.session_state.pop(f"bp_domains_{bp.id}", None)
        st.rerun()

if bp.overridden:
    st.subheader("Restore")
    sure = st.checkbox("Discard the edits and use the shipped version again", key=f"bp_reset_sure_{bp.id}")
    if st.button("Restore the shipped blueprint", disabled=not sure, key=f"bp_reset_{bp.id}"):
        store.reset_blueprint(bp.id)
        session.flash(f"{md_escape(bp.title)} restored to the shipped version.")
        st.rerun()
