"""Code lookup: search ICD-10-CM and ICD-10-PCS, read tabular notes, build a PCS code, group a claim."""
import pandas as pd
import streamlit as st

import codes
from ui import resources, widgets

st.title("Code lookup")
resources.reference_ready()
resources.cm_loaded()

tab_search, tab_builder, tab_drg = st.tabs(["Search and notes", "PCS builder", "DRG calculator"])

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
            event = st.dataframe(table, hide_index=True, use_container_width=True, on_select="rerun",
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

with tab_builder:
    st.caption("Build an ICD-10-PCS code one character at a time (sections 0 and 1). Only values that lead to a "
               f"valid {codes.FY_LABEL} code are offered.")
    built = widgets.pcs_builder("lookup_builder")
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
