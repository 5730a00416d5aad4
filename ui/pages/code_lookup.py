"""Code lookup: search ICD-10-CM and ICD-10-PCS, browse the Alphabetic Index, read tabular notes,
build a PCS code in any section, group a claim."""
import pandas as pd
import streamlit as st

import codes
from codes import index, pcs
from ui import resources, widgets
from ui.labels import md_escape

NOTE_WORDS = {"see": "see", "see also": "see also", "use": "use", "code also": "code also",
              "code first": "code first", "use additional": "use additional code"}


def index_entry(entry: index.Entry, max_lines: int = 400) -> None:
    """One main term with its subterms as an indented outline; every text escaped."""
    st.markdown(f"#### {md_escape(entry.term)}" + (f" — `{entry.display}`" if entry.code else ""))
    st.caption(f"Source: {entry.source}")
    lines = []
    for depth, e in list(entry.walk())[:max_lines]:
        indent = "    " * max(0, depth - 1)
        head = "" if depth == 0 else f"{indent}- {md_escape(e.term)}" + (f" `{e.display}`" if e.code else "")
        notes = [f"*{NOTE_WORDS.get(n.kind, n.kind)}* {md_escape(n.text)}" + (f" `{codes.display(n.code, entry.system)}`" if n.code else "")
                 for n in e.notes]
        if depth == 0:
            lines += [f"- {n}" for n in notes]
        else:
            lines.append(head + (" — " + "; ".join(notes) if notes else ""))
    if lines:
        st.markdown("\n".join(lines))


def pcs_builder(key: str) -> str | None:
    """Build a PCS code one character at a time in any section; each select is named for the
    section's own axis (Root Type, Substance, Duration ...). Only values that lead to a valid
    FY2026 code are offered."""
    prefix = ""
    cols = st.columns(7)
    for i in range(7):
        options = pcs.next_characters(prefix)
        if not options:
            break
        axis = pcs.axis_names(prefix[:1])[i] if prefix else "Section"
        with cols[i]:  # plain string options ("5 – Extracorporeal ..."): the value is the first character
            choice = st.selectbox(axis, ["—", *(f"{v} – {m}" for v, m in options)], key=f"{key}_{i}_{prefix}")
        if not choice or choice == "—":
            break
        prefix += choice[0]
    if len(prefix) == 7:
        st.success(f"{prefix} — {pcs.title(prefix)}")
        return prefix
    st.caption(f"Built so far: `{prefix or '…'}` — choose the next character.")
    return None


st.title("Code lookup")
resources.reference_ready()
resources.cm_loaded()

tab_search, tab_index, tab_builder, tab_drg = st.tabs(["Search and notes", "Alphabetic Index", "PCS builder",
                                                      "DRG calculator"])

with tab_search:
    left, right = st.columns([2, 3])
    with left:
        q = st.text_input("Search codes or words", key="lookup_q", placeholder="e.g. heart failure, I50.2, 0DT, lap chole",
                          max_chars=100)
        system = st.radio("Code set", ["Both", "ICD-10-CM", "ICD-10-PCS"], horizontal=True, key="lookup_sys")
        hits = codes.search(q, system={"ICD-10-CM": "CM", "ICD-10-PCS": "PCS"}.get(system), limit=25) if q else []
        if q and not hits:
            st.info("No matches. Try fewer words, or the start of a code.")
        if hits:
            table = pd.DataFrame([{"Code": h.display, "Set": h.system, "Title": h.title + (f" — “{h.term}”" if h.term else ""),
                                   "Billable": "yes" if h.billable else "header"} for h in hits])
            event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                                 selection_mode="single-row", key="lookup_table")
            rows = event.selection.rows if event and event.selection else []
            if rows:
                st.session_state["lookup_code"] = hits[rows[0]].code
        typed = st.text_input("…or open a code directly", key="lookup_direct", max_chars=20)
        if typed:
            st.session_state["lookup_code"] = typed
    with right:
        code = st.session_state.get("lookup_code")
        if code:
            widgets.code_details(code)
        else:
            st.caption("Pick a result (click a row) to see its title, notes and structure.")

with tab_index:
    st.caption("Start where a coder starts: look the main term up in the index, follow its subterms and notes to a "
               "code, then confirm the code in the tabular list (Search and notes).")
    c1, c2 = st.columns([1, 3])
    book = c1.radio("Index", ["ICD-10-CM", "ICD-10-PCS"], key="index_book")
    term = c2.text_input("Main term", key="index_term", max_chars=100,
                         placeholder="e.g. pneumonia, stroke, hemiarthroplasty, assistance")
    system = "PCS" if book == "ICD-10-PCS" else "CM"
    if book == "ICD-10-PCS":
        st.caption("The CMS ICD-10-PCS Index, plus a few ChartLab cross-references marked as such.")
    else:
        st.caption("No package ChartLab can install ships the CMS ICD-10-CM Alphabetic Index, so this index is built "
                   "from the tabular list (titles, inclusion terms and their notes) with ChartLab's own see / see also "
                   "cross-references. Each entry names its source.")
    if term:
        entries = index.lookup(term, system)
        if not entries:
            near = index.pcs_terms(term[:3]) if system == "PCS" else []
            st.info("No index entry for that term." + (" Main terms nearby: " + ", ".join(md_escape(t) for t in near[:12])
                                                       if near else " Try the condition's noun (e.g. 'failure', 'fracture')."))
        for entry in entries[:4]:
            index_entry(entry)

with tab_builder:
    st.caption("Build an ICD-10-PCS code one character at a time, in any section (0-9, B, C, D, F, G, H, X). Only "
               f"values that lead to a valid {codes.FY_LABEL} code are offered.")
    built = pcs_builder("lookup_builder")
    if built:
        widgets.code_details(built)

with tab_drg:
    st.caption(f"Group a claim with the {codes.GROUPER_LABEL} grouper ({codes.FY_LABEL}) and the Medicare Code Editor.")
    with st.form("drg_form"):
        c1, c2, c3, c4 = st.columns(4)
        pdx = c1.text_input("Principal diagnosis", key="drg_pdx", max_chars=12)
        pdx_poa = c2.selectbox("POA", list(codes.POA_VALUES), key="drg_pdx_poa")
        age = c3.number_input("Age", min_value=0, max_value=124, value=70, key="drg_age")
        sex = c4.selectbox("Sex", ["M", "F", "U"], key="drg_sex")
        sdx_text = st.text_area("Secondary diagnoses, one per line: CODE POA (e.g. N17.9 Y)", key="drg_sdx", max_chars=2000)
        proc_text = st.text_area("Procedures (ICD-10-PCS), one per line, principal first", key="drg_proc", max_chars=1000)
        disp = st.selectbox("Discharge disposition", list(codes.DISPOSITIONS), key="drg_disp",
                            format_func=lambda k: f"{k} – {codes.DISPOSITIONS[k]}")
        submitted = st.form_submit_button("Group")
    if submitted:
        sdx = []
        for line in sdx_text.splitlines():
            parts = line.replace(",", " ").replace(":", " ").split()
            if parts:
                sdx.append((parts[0], parts[1] if len(parts) > 1 else "Y"))
        procs = [p.strip() for p in proc_text.replace(",", "\n").splitlines() if p.strip()]
        result = codes.group(codes.Claim(pdx, pdx_poa, tuple(sdx), tuple(procs), age=int(age), sex=sex, disposition=disp))
        widgets.drg_result(result)
