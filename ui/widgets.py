"""Reusable widgets: code details, PCS builder, DRG result. Shared by lookup and workspace."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import codes
from codes import cm, pcs

NOTE_LABELS = {
    "inclusion_terms": "Inclusion terms", "includes": "Includes", "excludes1": "Excludes1 (never together)",
    "excludes2": "Excludes2 (not included here; may be coded together)", "code_first": "Code first",
    "use_additional": "Use additional code", "code_also": "Code also", "notes": "Notes",
    "seven_chr_note": "7th character note",
}


def badge(ok: bool, yes: str, no: str) -> str:
    """Colour plus words, so the meaning never depends on colour alone."""
    return f":green-badge[✓ {yes}]" if ok else f":orange-badge[! {no}]"


def code_details(code: str) -> None:
    n = codes.normalize(code)
    if not n.ok:
        st.error(n.error)
        return
    inf = codes.lookup(n.code)
    if inf is None:
        st.warning(f"{n.display} is not in the {codes.FY_LABEL} code sets. Check each character, or search by words.")
        return
    if isinstance(inf, cm.CmInfo):
        st.markdown(f"### {inf.display} — {inf.title}")
        st.markdown(badge(inf.billable, "Billable (valid for claims)", "Header: not billable, add characters"))
        st.caption(" › ".join(f"{c} {t}" for c, t in inf.path))
        for lv in inf.levels:
            if not lv.notes:
                continue
            with st.expander(f"Notes at {lv.code} ({lv.kind}): {lv.title}", expanded=lv.code == inf.display):
                for kind, texts in lv.notes.items():
                    st.markdown(f"**{NOTE_LABELS.get(kind, kind)}**")
                    for t in texts:
                        st.text(t)
        if inf.children:
            st.markdown("**Codes below this one**")
            st.dataframe(pd.DataFrame(inf.children, columns=["Code", "Title"]), hide_index=True, width="stretch")
        if inf.seven_chr_def and len(inf.code) < 7:
            st.markdown("**7th characters**")
            st.dataframe(pd.DataFrame(list(inf.seven_chr_def.items()), columns=["7th", "Meaning"]), hide_index=True)
    else:
        st.markdown(f"### {inf.code} — {inf.title}")
        st.markdown(badge(inf.valid_in(codes.DEFAULT_FY), f"Valid {codes.FY_LABEL}", f"Not valid {codes.FY_LABEL}"))
        st.caption("Valid in fiscal years: " + ", ".join(f"FY{y}" for y in inf.fiscal_years))
        if inf.characters:
            st.dataframe(pd.DataFrame([{"#": c.position, "Axis": c.axis, "Value": c.value, "Meaning": c.meaning,
                                        "Definition": c.definition} for c in inf.characters]),
                         hide_index=True, width="stretch")
        else:
            st.info("Character-by-character meanings are available for sections 0 (Medical and Surgical) and 1 (Obstetrics).")


def pcs_builder(key: str, per_row: int = 7) -> str | None:
    """Pick a PCS code one character at a time; only values leading to codes valid in the
    default fiscal year (`codes.DEFAULT_FY`) are offered.
    `per_row` selects per row (7 on a full-width page, 2 or 3 in a narrow panel)."""
    prefix = ""
    per_row = max(1, min(7, int(per_row)))
    cols = []
    for i, axis in enumerate(pcs.AXES):
        options = pcs.next_characters(prefix)
        if not options:
            break
        labels = {v: f"{v} – {m}" for v, m in options}
        if i % per_row == 0:
            cols = st.columns(per_row)
        with cols[i % per_row]:
            choice = st.selectbox(axis, [None, *labels], format_func=lambda v: "—" if v is None else labels[v],
                                  key=f"{key}_{i}_{prefix}")
        if choice is None:
            break
        prefix += choice
    if len(prefix) == 7:
        st.success(f"{prefix} — {pcs.title(prefix)}")
        return prefix
    st.caption(f"Built so far: `{prefix or '…'}` — choose the next character.")
    return None


def drg_result(r: codes.GroupResult) -> None:
    if not r.ok and r.errors:
        for e in r.errors:
            st.error(e)
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("MS-DRG", f"{r.drg:03d}" if r.drg is not None else "—")
    c2.metric("Relative weight", f"{r.weight:.4f}" if r.weight is not None else "—")
    c3.metric("GMLOS / AMLOS", f"{r.gmlos} / {r.amlos}" if r.gmlos else "—")
    pay = r.payment()
    c4.metric("Illustrative payment", f"${pay:,.0f}" if pay is not None else "—",
              help=f"Weight × illustrative base rate ${codes.weights.base_rate():,.2f}; real payment depends on wage index and add-ons.")
    st.markdown(f"**{r.drg_title}** — MDC {r.mdc:02d} {r.mdc_title} · {r.type or '—'} · severity {r.severity or 'none'}"
                if r.mdc is not None else f"**{r.drg_title}**")
    if r.return_code != "OK":
        st.warning(r.return_message)
    rows = [{"Kind": {"pdx": "Principal dx", "sdx": "Secondary dx", "proc": "Procedure"}[c.kind], "Code": c.display,
             "POA": c.poa, "Role": c.role + (" (drives the DRG)" if c.drives else ""), "HAC": c.hac, "Title": c.title}
            for c in r.codes]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for e in r.edits:
        st.error(f"Medicare Code Editor — {e.name.replace('_', ' ').title()} {e.code}: {e.message}")
    for w in r.warnings:
        st.warning(w)
    if r.transfer_note:
        st.info(r.transfer_note)
