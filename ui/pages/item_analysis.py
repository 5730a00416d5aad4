"""Item analysis: hardest scenarios, codes and questions, most common wrong answers (one
spelling per answer), discrimination - every rate with its count, and rates from fewer than
`progress.MIN_N` answers greyed out and left out of the charts."""
import altair as alt
import pandas as pd
import streamlit as st

import codes
import progress
from ui import instructor, labels, session, study

LOW_DISCRIMINATION = 0.2
FEW = instructor.FEW
grey_few = instructor.grey_few

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
st.caption(f"Every rate comes with the number of answers behind it. Rates from {FEW} are greyed out and left out "
           f"of the charts: with so few answers one learner's slip moves them by 20 points or more.")


def discrimination_note(d, enough=True):
    if d is None or not enough:
        return "— too few attempts"
    if d < 0:
        return f"{d:+.2f} ✗ stronger learners miss it more: review the key"
    if d < LOW_DISCRIMINATION:
        return f"{d:+.2f} ! weak: does not separate strong and weak learners"
    return f"{d:+.2f} ✓ good"


def item_name(i):
    return f"{labels.component_label(i['component'])}: {i['expected'] or i['label']}"


def wrong_text(i):
    return ", ".join(f"{w['entered']} (×{w['n']})" for w in i["common_wrong"]) or "—"


per_scenario = {}
with session.friendly_errors():
    for s in catalogue:
        found = progress.item_analysis(actor, scenario_id=s["id"], cohort_id=cohort_id)
        if found["attempts"]:
            per_scenario[s["id"]] = found
questions = []
with session.friendly_errors():
    questions = progress.question_analysis(actor, cohort_id=cohort_id)

if not per_scenario and not questions:
    st.info("No attempts yet from these learners. Item analysis appears once they submit cases or answer questions.")
    st.stop()

tab_overview, tab_scenario, tab_code, tab_questions = st.tabs(
    ["Hardest scenarios and codes", "One scenario", "One code", "Questions"])

with tab_overview:
    rows = []
    for sid, found in per_scenario.items():
        scored = [i for i in found["items"] if i["n"]]
        n = sum(i["n"] for i in scored)
        rows.append({"Scenario": titles.get(sid, sid), "Attempts": found["attempts"], "Answers": found["attempts"],
                     "% blanks correct": sum(i["pct_correct"] * i["n"] for i in scored) / n if n else 0.0})
    frame = pd.DataFrame(rows)
    if frame.empty:
        st.caption("No case attempts yet.")
    else:
        enough = frame[frame["Attempts"] >= progress.MIN_N].sort_values("% blanks correct")
        st.markdown("**Hardest scenarios** (share of blanks answered correctly, lowest first; n = attempts)")
        if len(enough):
            st.altair_chart(instructor.rate_bars(enough, "Scenario", "% blanks correct", "% of blanks correct",
                                                 label_limit=360),
                            width="stretch", height=60 + 30 * len(enough))
        few = frame[frame["Attempts"] < progress.MIN_N]
        if len(few):
            st.caption(f"Left out ({FEW} each): " + ", ".join(f"{r.Scenario} (n={r.Attempts})" for r in few.itertuples()))

    codes_rows = []
    for sid, found in per_scenario.items():
        for i in found["items"]:
            if i["component"] == "abstraction" or not i["expected"]:
                continue
            codes_rows.append({"Blank": item_name(i), "Scenario": titles.get(sid, sid),
                               "Item": f"{item_name(i)} · {titles.get(sid, sid)}", "Answers": i["n"],
                               "% correct": i["pct_correct"], "% near miss": i["pct_near_miss"],
                               "Discrimination": discrimination_note(i["discrimination"], i["enough"]),
                               "Most common wrong answers": wrong_text(i), "enough": i["enough"]})
    if codes_rows:
        table = pd.DataFrame(codes_rows).sort_values(["% correct", "Answers"], ascending=[True, False])
        hard = table[table["enough"]].head(15)
        st.markdown(f"**Hardest codes** (lowest share correct among codes with {progress.MIN_N}+ answers; "
                    "each bar says its rate and n)")
        if len(hard):
            st.altair_chart(instructor.rate_bars(hard, "Item", "% correct", "% correct", label_limit=420), width="stretch",
                            height=60 + 26 * len(hard))
        else:
            st.caption(f"No code has {progress.MIN_N} answers yet.")
        st.markdown("**Most common wrong answers** (the same answer however it was typed; hardest first)")
        wrong = table[table["Most common wrong answers"] != "—"].head(20)
        if len(wrong):
            shown = wrong[["Blank", "Most common wrong answers", "% correct", "Answers", "Scenario", "Discrimination"]]
            st.dataframe(grey_few(shown, wrong["enough"]), hide_index=True, width="stretch",
                         column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%")})
        else:
            st.caption("No wrong codes entered yet: so far every miss is a code left out.")
        st.caption("Discrimination = share correct among the top 27 % of attempts minus the bottom 27 % (per scenario). "
                   f"Below {LOW_DISCRIMINATION} the item hardly separates strong from weak learners; "
                   "below 0, stronger learners miss it more often, which often means the key or the chart needs a look. "
                   f"Grey rows: {FEW}.")

with tab_scenario:
    if not per_scenario:
        st.caption("No case attempts yet.")
    else:
        sid = st.selectbox("Scenario", list(per_scenario), key="items_scenario", format_func=lambda i: titles.get(i, i))
        found = per_scenario.get(sid) or next(iter(per_scenario.values()))
        st.caption(f"{found['attempts']} attempts.")
        items = pd.DataFrame([{"Blank": item_name(i), "Answers": i["n"], "% correct": i["pct_correct"],
                               "Most common wrong answers": wrong_text(i), "% near miss": i["pct_near_miss"],
                               "Discrimination": i["discrimination"] if i["enough"] else None,
                               "Reading": discrimination_note(i["discrimination"], i["enough"]).split(" ", 1)[1],
                               "enough": i["enough"]} for i in found["items"]])
        st.dataframe(grey_few(items.drop(columns="enough"), items["enough"]), hide_index=True, width="stretch",
                     column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%"),
                                    "% near miss": st.column_config.NumberColumn(format="%.0f%%"),
                                    "Discrimination": st.column_config.NumberColumn(format="%.2f")})
        plotted = items[items["enough"]].dropna(subset=["Discrimination"])
        if len(plotted):
            scatter = alt.Chart(plotted.drop(columns="enough")).mark_point(filled=True, size=80).encode(
                x=alt.X("% correct:Q", scale=alt.Scale(domain=[0, 100]), title="Difficulty: % correct"),
                y=alt.Y("Discrimination:Q", scale=alt.Scale(domain=[-1, 1]), title="Discrimination"),
                shape=alt.Shape("Reading:N", legend=alt.Legend(title="Reading", orient="bottom")),
                tooltip=["Blank", alt.Tooltip("% correct:Q", format=".0f"), alt.Tooltip("Discrimination:Q", format=".2f"),
                         "Answers"],
            ).properties(title="Difficulty and discrimination of each blank")
            rule = alt.Chart(pd.DataFrame({"y": [LOW_DISCRIMINATION]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
            st.altair_chart(scatter + rule, width="stretch", height=340)
            st.caption(f"Dashed line: discrimination {LOW_DISCRIMINATION}. Points below it are weak items. "
                       f"Blanks with {FEW} are not plotted.")
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
                st.info(f"No attempt had {labels.md_escape(query)} in its key.")
            else:
                st.caption(f"{found['attempts']} attempts had {labels.md_escape(query)} in the key.")
                frame = pd.DataFrame([{"Blank": item_name(i), "Answers": i["n"], "% correct": i["pct_correct"],
                                       "% near miss": i["pct_near_miss"],
                                       "Discrimination": discrimination_note(i["discrimination"], i["enough"]),
                                       "Most common wrong answers": wrong_text(i), "enough": i["enough"]}
                                      for i in found["items"]])
                st.dataframe(grey_few(frame.drop(columns="enough"), frame["enough"]), hide_index=True, width="stretch",
                             column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%"),
                                            "% near miss": st.column_config.NumberColumn(format="%.0f%%")})

with tab_questions:
    if not questions:
        st.caption("No quiz or exam answers yet from these learners.")
    else:
        bank = {q.id: q for q in study.all_questions()}

        def stem(question_id: str) -> str:
            q = bank.get(question_id) or study.find_question(question_id)
            text = q.stem if q else "(a question no longer in the bank)"
            return text[:110] + ("…" if len(text) > 110 else "")

        frame = pd.DataFrame([{"Question": stem(q["question_id"]), "Domain": labels.domain_label(q["domain"]),
                               "Topic": labels.topic_label(q["topic"]) if q["topic"] else "—", "Answers": q["n"],
                               "% correct": q["pct_correct"],
                               "Most chosen wrong option": f"{q['common_wrong']['chosen']} (×{q['common_wrong']['n']})"
                               if q["common_wrong"] else "—", "enough": q["enough"]} for q in questions])
        st.caption(f"{len(frame)} questions answered (practice quizzes, question sets and exams), hardest first. "
                   f"Grey rows: {FEW}.")
        st.dataframe(grey_few(frame.drop(columns="enough"), frame["enough"]), hide_index=True, width="stretch",
                     column_config={"% correct": st.column_config.NumberColumn(format="%.0f%%"),
                                    "Question": st.column_config.TextColumn(width="large")})
