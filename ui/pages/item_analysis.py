"""Item analysis: hardest scenarios and codes, most common wrong answers, discrimination."""
import altair as alt
import pandas as pd
import streamlit as st

import codes
import progress
from ui import instructor, labels, session, study

LOW_DISCRIMINATION = 0.2

user = session.require("instructor", "admin")
actor = user.actor
st.title("Item analysis")

cohort = instructor.cohort_picker(actor, "items", allow_all=True,
                                  all_label="Everyone I teach" if not actor.is_admin else "Every learner")
if cohort is None:
    st.stop()
cohort_id = cohort["id"]
catalogue = study.scenario_catalogue()
titles = {s["id"]: s["title"] for s in catalogue}


def discrimination_note(d):
    if d is None:
        return "— too few attempts"
    if d < 0:
        return f"{d:+.2f} ✗ stronger learners miss it more: review the key"
    if d < LOW_DISCRIMINATION:
        return f"{d:+.2f} ! weak: does not separate strong and weak learners"
    return f"{d:+.2f} ✓ good"


def item_name(i):
    return f"{labels.component_label(i['component'])}: {i['expected'] or i['label']}"


per_scenario = {}
with session.friendly_errors():
    for s in catalogue:
        found = progress.item_analysis(actor, scenario_id=s["id"], cohort_id=cohort_id)
        if found["attempts"]:
            per_scenario[s["id"]] = found

if not per_scenario:
    st.info("No attempts yet from these learners. Item analysis appears once they submit cases.")
    st.stop()

tab_overview, tab_scenario, tab_code = st.tabs(["Hardest scenarios and codes", "One scenario", "One code"])

with tab_overview:
    rows = []
    for sid, found in per_scenario.items():
        scored = [i for i in found["items"] if i["n"]]
        n = sum(i["n"] for i in scored)
        rows.append({"Scenario": titles.get(sid, sid), "Id": sid, "Attempts": found["attempts"],
                     "% blanks correct": sum(i["pct_correct"] * i["n"] for i in scored) / n if n else None})
    frame = pd.DataFrame(rows).sort_values("% blanks correct")
    st.markdown("**Hardest scenarios** (share of blanks answered correctly, lowest first)")
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("Scenario:N", sort="x", title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("% blanks correct:Q", scale=alt.Scale(domain=[0, 100]), title="% of blanks correct"),
        tooltip=["Scenario", "Id", "Attempts", alt.Tooltip("% blanks correct:Q", format=".1f")],
    )
    st.altair_chart(chart + chart.mark_text(align="left", dx=4).encode(text=alt.Text("% blanks correct:Q", format=".0f")),
                    width="stretch", height=60 + 30 * len(frame))

    codes_rows = []
    for sid, found in per_scenario.items():
        for i in found["items"]:
            if i["component"] == "abstraction" or not i["expected"]:
                continue
            codes_rows.append({"Code": i["expected"], "Blank": item_name(i), "Scenario": titles.get(sid, sid),
                               "Item": f"{item_name(i)} · {titles.get(sid, sid)}",
                               "Answers": i["n"], "% correct": i["pct_correct"], "% near miss": i["pct_near_miss"],
                               "Discrimination": discrimination_note(i["discrimination"]),
                               "Most common wrong answers": ", ".join(f"{w['entered']} (×{w['n']})" for w in i["common_wrong"])
                               or "—"})
    if codes_rows:
        hard = pd.DataFrame(codes_rows).sort_values(["% correct", "Answers"], ascending=[True, False]).head(15)
        st.markdown("**Hardest codes** (lowest share correct; the bar label is the percentage)")
        bar = alt.Chart(hard).mark_bar().encode(
            y=alt.Y("Item:N", sort="x", title=None, axis=alt.Axis(labelLimit=420)),
            x=alt.X("% correct:Q", scale=alt.Scale(domain=[0, 100]), title="% correct"),
            tooltip=["Blank", "Scenario", "Answers", alt.Tooltip("% correct:Q", format=".1f"),
                     alt.Tooltip("% near miss:Q", format=".1f"), "Most common wrong answers"],
        )
        st.altair_chart(bar + bar.mark_text(align="left", dx=4).encode(text=alt.Text("% correct:Q", format=".0f")),
                        width="stretch", height=60 + 26 * len(hard))
        st.markdown("**Most common wrong answers** (blanks where learners entered a different code, hardest first)")
        wrong = [r for r in codes_rows if r["Most common wrong answers"] != "—"]
        if wrong:
            frame_wrong = pd.DataFrame(wrong).sort_values(["% correct", "Answers"], ascending=[True, False]).head(20)
            st.dataframe(frame_wrong[["Blank", "Most common wrong answers", "% correct", "Answers", "Scenario",
                                      "Discrimination"]], hide_index=True, width="stretch",
                         column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%")})
        else:
            st.caption("No wrong codes entered yet: so far every miss is a code left out.")
        st.caption("Discrimination = share correct among the top 27 % of attempts minus the bottom 27 % (per scenario). "
                   f"Below {LOW_DISCRIMINATION} the item hardly separates strong from weak learners; "
                   "below 0, stronger learners miss it more often, which often means the key or the chart needs a look.")

with tab_scenario:
    sid = st.selectbox("Scenario", list(per_scenario), key="items_scenario", format_func=lambda i: f"{titles.get(i, i)} ({i})")
    found = per_scenario.get(sid) or next(iter(per_scenario.values()))
    st.caption(f"{found['attempts']} attempts.")
    items = pd.DataFrame([{"Blank": item_name(i), "% correct": i["pct_correct"],
                           "Most common wrong answers": ", ".join(f"{w['entered']} (×{w['n']})" for w in i["common_wrong"]) or "—",
                           "Answers": i["n"], "% near miss": i["pct_near_miss"], "Discrimination": i["discrimination"],
                           "Reading": discrimination_note(i["discrimination"]).split(" ", 1)[1]}
                          for i in found["items"]])
    st.dataframe(items, hide_index=True, width="stretch",
                 column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%"),
                                "% near miss": st.column_config.NumberColumn(format="%.0f%%"),
                                "Discrimination": st.column_config.NumberColumn(format="%.2f")})
    plotted = items.dropna(subset=["Discrimination"])
    if len(plotted):
        scatter = alt.Chart(plotted).mark_point(filled=True, size=80).encode(
            x=alt.X("% correct:Q", scale=alt.Scale(domain=[0, 100]), title="Difficulty: % correct"),
            y=alt.Y("Discrimination:Q", scale=alt.Scale(domain=[-1, 1]), title="Discrimination"),
            shape=alt.Shape("Reading:N", legend=alt.Legend(title="Reading", orient="bottom")),
            tooltip=["Blank", alt.Tooltip("% correct:Q", format=".0f"), alt.Tooltip("Discrimination:Q", format=".2f"), "Answers"],
        ).properties(title="Difficulty and discrimination of each blank")
        rule = alt.Chart(pd.DataFrame({"y": [LOW_DISCRIMINATION]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
        st.altair_chart(scatter + rule, width="stretch", height=340)
        st.caption(f"Dashed line: discrimination {LOW_DISCRIMINATION}. Points below it are weak items.")
    if found["extras"]:
        st.markdown("**Codes learners added that the key does not have** (over-coding)")
        st.dataframe(pd.DataFrame([{"Code": e["code"], "Where": labels.component_label(e["component"]),
                                    "Times": e["n"]} for e in found["extras"]]), hide_index=True, width="stretch")

with tab_code:
    typed = st.text_input("Code (ICD-10-CM, ICD-10-PCS) or DRG, e.g. I50.23, 0DTJ4ZZ, DRG 291", key="items_code",
                          max_chars=20)
    if typed.strip():
        text = typed.strip().upper()
        if text.replace(" ", "").startswith("DRG") or text.isdigit():
            digits = "".join(ch for ch in text if ch.isdigit())
            query = f"DRG {int(digits):03d}" if digits else text
        else:
            normal = codes.normalize(text)
            query = normal.display if normal.ok else text
        with session.friendly_errors():
            found = progress.item_analysis(actor, code=query, cohort_id=cohort_id)
            if not found["items"]:
                st.info(f"No attempt had {query} in its key.")
            else:
                st.caption(f"{found['attempts']} attempts had {query} in the key.")
                st.dataframe(pd.DataFrame([{"Blank": item_name(i), "Answers": i["n"], "% correct": i["pct_correct"],
                                            "% near miss": i["pct_near_miss"],
                                            "Discrimination": discrimination_note(i["discrimination"]),
                                            "Most common wrong answers": ", ".join(f"{w['entered']} (×{w['n']})"
                                                                                    for w in i["common_wrong"]) or "—"}
                                           for i in found["items"]]), hide_index=True, width="stretch",
                             column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%"),
                                            "% near miss": st.column_config.NumberColumn(format="%.0f%%")})
