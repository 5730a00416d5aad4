"""The case workspace screen: open a case, read the chart, abstract and code it, save, submit.

Session state holds only what the learner may see: the case reference (`ws_case`), their own work
(`ws_work`, plain JSON: what the widgets edit and what a draft stores, turned into a `cases.Answer`
on submit) and UI flags. The answer key exists only inside `scoring.score_case`, called after the
learner confirmed the submission. The helpers above the widgets are pure (no Streamlit calls).
"""
from __future__ import annotations

import html
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

import cases
import codes
import progress
import scoring
from cases.model import ABSTRACT_FIELDS, ADMISSION_SOURCES, ADMISSION_TYPES, PAYERS, Answer, parse_day, source_label
from cases.suggest import suggest_scenario
from ui import labels, resources, session, widgets
from ui.labels import md_escape

WORKSPACE = "ui/pages/workspace.py"
RESULTS = "ui/pages/results.py"
POA_OPTIONS = list(codes.POA_VALUES)
FLAG_TEXT = {"H": "▲ H (high)", "HH": "▲▲ HH (critical high)", "L": "▼ L (low)", "LL": "▼▼ LL (critical low)",
             "A": "! A (abnormal)"}
FLAG_COLOUR = {"H": "#fde2c8", "HH": "#f9b8b8", "L": "#d6e6fb", "LL": "#b9d0f7", "A": "#fde2c8"}
DOC_TYPES = {"face_sheet": "Face sheet", "ed_note": "ED note", "hp": "History & physical", "progress": "Progress note",
             "consult": "Consult", "operative": "Operative note", "procedure": "Procedure note", "labs": "Labs",
             "imaging": "Imaging", "mar": "Medications (MAR)", "discharge": "Discharge summary"}


# ----------------------------------------------------------------------------- work (form state)
def new_work(started_at: str, submission_id: str) -> dict:
    return {"abstract": {}, "dx": [], "procs": [], "drg": "", "started_at": started_at,
            "submission_id": submission_id, "next_id": 1}


def next_row_id(work: dict) -> int:
    n = int(work.get("next_id") or 1)
    work["next_id"] = n + 1
    return n


def work_from_draft(payload, started_at: str, submission_id: str) -> dict:
    """Work restored from a draft's stored answer (tolerant of anything stored there)."""
    payload = payload if isinstance(payload, dict) else {}
    answer = Answer.from_dict(payload)
    work = new_work(str(payload.get("started_at") or started_at), str(payload.get("submission_id") or submission_id))
    work["abstract"] = {k: v for k, v in answer.abstract.items() if k in ABSTRACT_FIELDS and v}
    pdx = answer.principal_dx if answer.principal_dx and answer.principal_dx[0] else None
    for code, poa in ([pdx] if pdx else []) + [x for x in answer.secondary_dx if x and x[0]]:
        work["dx"].append({"id": next_row_id(work), "code": code, "poa": poa if poa in codes.POA_VALUES else ""})
    for code, day in answer.procedures:
        if code:
            work["procs"].append({"id": next_row_id(work), "code": code, "date": day if parse_day(day) else ""})
    work["drg"] = answer.drg
    return work


def answer_from_work(work: dict) -> Answer:
    """The Answer the scorer reads: principal diagnosis first, then the secondary ones, in order."""
    dx = [(r.get("code", ""), r.get("poa", "")) for r in work.get("dx", []) if r.get("code")]
    procs = tuple((r.get("code", ""), r.get("date", "") or "") for r in work.get("procs", []) if r.get("code"))
    abstract = {k: str(v) for k, v in (work.get("abstract") or {}).items() if k in ABSTRACT_FIELDS and v not in (None, "")}
    return Answer(abstract=abstract, principal_dx=dx[0] if dx else ("", ""), secondary_dx=tuple(dx[1:]),
                  procedures=procs, drg=str(work.get("drg") or "").strip())


def draft_payload(work: dict) -> dict:
    """What a draft stores: the Answer's JSON plus when the case was started and its submission id."""
    return {**answer_from_work(work).to_dict(), "started_at": work.get("started_at"),
            "submission_id": work.get("submission_id")}


def is_blank(work: dict) -> bool:
    a = answer_from_work(work)
    return not (a.principal_dx[0] or a.secondary_dx or a.procedures or a.drg or any(a.abstract.values()))


def add_row(rows: list, row: dict, *, first: bool = False) -> tuple[list, str]:
    """A new list with `row` added (first or last), or the same list and why not."""
    if any(r.get("code") == row.get("code") for r in rows):
        return rows, f"{codes.display(row['code'])} is already in the list."
    return ([row, *rows] if first else [*rows, row]), ""


def move_row(rows: list, row_id: int, delta: int) -> list:
    idx = next((i for i, r in enumerate(rows) if r.get("id") == row_id), None)
    if idx is None:
        return rows
    j = idx + delta
    if not 0 <= j < len(rows):
        return rows
    out = list(rows)
    out[idx], out[j] = out[j], out[idx]
    return out


def remove_row(rows: list, row_id: int) -> list:
    return [r for r in rows if r.get("id") != row_id]


# ----------------------------------------------------------------------------- reading the chart
def sort_documents(docs: list[dict], by: str = "time") -> list[dict]:
    order = list(DOC_TYPES)
    if by == "type":
        return sorted(docs, key=lambda d: (order.index(d.get("type")) if d.get("type") in order else 99,
                                           d.get("datetime", ""), d.get("doc_id", "")))
    return sorted(docs, key=lambda d: (d.get("datetime", ""), d.get("doc_id", "")))


def doc_stamp(doc: dict) -> str:
    """'08-14 04:40 · ED note': when and what kind of document, for the chart's document list."""
    when = str(doc.get("datetime", "")).replace("T", " ")
    stamp = f"{when[5:10]} {when[11:16]}".strip() if len(when) >= 16 else when
    return f"{stamp} · {DOC_TYPES.get(doc.get('type'), doc.get('type', ''))}"


def stay_dates(chart: dict) -> tuple[date | None, date | None]:
    enc = chart.get("encounter") or {}
    return parse_day(enc.get("admit_datetime")), parse_day(enc.get("discharge_datetime"))


def _term(term) -> str:
    return " ".join(str(term or "").split())[:80]


def matching_lines(text: str, term) -> list[int]:
    """Indexes of the lines that contain `term` (case-insensitive)."""
    t = _term(term).casefold()
    if not t:
        return []
    return [i for i, line in enumerate(str(text).splitlines()) if t in line.casefold()]


def count_matches(doc: dict, term) -> int:
    return len(matching_lines(doc.get("text", ""), term))


def highlight_html(text: str, term, only_matching: bool = False) -> str:
    """The document as escaped HTML, with every occurrence of `term` in <mark><b>…</b></mark> (bold and
    a marker ▸ at the start of each matching line, so the hits do not depend on colour)."""
    t = _term(term)
    lines = str(text).splitlines()
    rx = re.compile(re.escape(t), re.IGNORECASE) if t else None
    out = []
    for line in lines:
        hit = bool(rx and rx.search(line))
        if only_matching and rx and not hit:
            continue
        if hit:
            pieces, pos = [], 0
            for m in rx.finditer(line):
                pieces.append(html.escape(line[pos:m.start()]))
                pieces.append(f"<mark><b>{html.escape(m.group(0))}</b></mark>")
                pos = m.end()
            pieces.append(html.escape(line[pos:]))
            out.append("▸ " + "".join(pieces))
        else:
            out.append(html.escape(line))
    return "\n".join(out)


def lab_rows(labs: list, term=None) -> list[dict]:
    """Lab results as table rows; the flag as words and arrows, not only colour."""
    t = _term(term).casefold()
    out = []
    for r in labs or ():
        r = r if isinstance(r, dict) else getattr(r, "__dict__", {})
        row = {"Collected": r.get("datetime", ""), "Test": r.get("test", ""),
               "Result": f"{r.get('value', '')} {r.get('unit', '')}".strip(),
               "Flag": FLAG_TEXT.get(r.get("flag", ""), r.get("flag", "") or ""),
               "Reference": r.get("ref_range", ""), "Panel": r.get("panel", "")}
        if t and not any(t in str(v).casefold() for v in row.values()):
            continue
        out.append(row)
    return out


def flag_colour(flag_text: str) -> str:
    """The background for a lab flag cell (the text already says high/low)."""
    return {text: FLAG_COLOUR[k] for k, text in FLAG_TEXT.items()}.get(flag_text, "")


# ----------------------------------------------------------------------------- the next suggested case
def _skill_label(skill: dict, teaching: dict | None) -> str:
    if skill["kind"] == "component":
        return labels.component_label(skill["key"])
    if skill["kind"] == "mdc":
        return labels.mdc_label(skill["key"])
    return labels.topic_label(skill["key"], teaching)


def suggest_case(weak: list[dict], scenarios: list[dict], attempted: Counter | dict | None = None,
                 teaching: dict | None = None) -> dict | None:
    """The next scenario (chosen by `cases.suggest`) with the reason shown to the learner:
    `{"scenario", "reason", "skill"}` or None."""
    best, skill = suggest_scenario(weak, scenarios, attempted)
    if best is None:
        return None
    if skill is not None:
        mean = skill.get("mean")
        return {"scenario": best, "skill": skill,
                "reason": (f"Your weakest area is {_skill_label(skill, teaching)} "
                           f"(average {mean:.0f}% over {skill.get('n', 0)} attempts). "
                           f"This case practises it." if mean is not None else "")}
    reason = ("A good first case: start with the easiest scenario." if not attempted else
              "You have not tried this scenario as often as the others." if not weak else
              "No scenario targets your weakest area yet; this is the one you have practised least.")
    return {"scenario": best, "skill": None, "reason": reason}


# ----------------------------------------------------------------------------- widgets
def library_or_stop() -> None:
    """Stop the page with a clear message when the case library cannot be loaded (a content error)."""
    try:
        resources.case_library()
    except Exception as exc:
        st.error(f"The case library could not be loaded, so cases are unavailable right now. ({str(exc)[:300]})")
        st.stop()


# ----------------------------------------------------------------------------- navigation between pages
def request_case(scenario: str, seed: int, assignment_id: int | None = None) -> None:
    """Ask the workspace to open a case on its next run (used by buttons on any learner page)."""
    st.session_state["ws_request"] = {"scenario": scenario, "seed": int(seed), "assignment_id": assignment_id}


def go_to_case(scenario: str, seed: int, assignment_id: int | None = None) -> None:
    request_case(scenario, seed, assignment_id)
    st.switch_page(WORKSPACE)


def go_to_results(attempt_id: int) -> None:
    st.session_state["results_attempt"] = int(attempt_id)
    st.switch_page(RESULTS, query_params={"attempt": str(attempt_id)})


# ----------------------------------------------------------------------------- open / save
def case_prefix(case: dict) -> str:
    return f"ws_{case['scenario']}_{case['seed']}_{case.get('assignment_id') or 0}"


def is_dirty() -> bool:
    work = st.session_state.get("ws_work")
    if not work:
        return False
    saved = st.session_state.get("ws_saved")
    if saved is None:
        return not is_blank(work)
    return draft_payload(work) != saved


def save_work(user) -> bool:
    case, work = st.session_state.get("ws_case"), st.session_state.get("ws_work")
    if not case or work is None:
        return False
    payload = draft_payload(work)
    try:
        progress.save_draft(user.actor, scenario_id=case["scenario"], seed=case["seed"], answer=payload,
                            assignment_id=case.get("assignment_id"))
    except progress.ProgressError as exc:
        session.flash(f"The draft was not saved: {exc}", "error")
        return False
    except Exception as exc:  # database busy or unwritable: keep the work in the session
        session.flash(f"The draft was not saved ({type(exc).__name__}); your work is still here. Try again.", "error")
        return False
    st.session_state["ws_saved"] = payload
    st.session_state["ws_saved_at"] = progress.iso()
    return True


def open_case(user, scenario: str, seed: int, assignment_id: int | None = None) -> bool:
    """Make (scenario, seed) the open case, restoring the learner's draft of it if there is one."""
    try:
        info = cases.scenario_info(scenario)
        seed = int(seed)
    except (KeyError, TypeError, ValueError):
        session.flash(f"There is no case '{scenario}' (#{seed}) in the library.", "error")
        return False
    rubric = "practice"
    if assignment_id is not None:
        try:
            assignment = progress.get_assignment(user.actor, int(assignment_id))
        except progress.ProgressError as exc:
            session.flash(str(exc), "error")
            return False
        if {"scenario": scenario, "seed": seed} not in assignment["items"]:
            session.flash("That case is not part of this assignment.", "error")
            return False
        rubric = assignment.get("rubric") or "practice"
    current = st.session_state.get("ws_case")
    if current and (current["scenario"], current["seed"], current.get("assignment_id")) == (scenario, seed, assignment_id):
        return True
    if current and is_dirty():
        if not save_work(user):  # never drop unsaved work: stay on the current case
            session.flash("The other case was not opened because your work here could not be saved first.", "warning")
            return False
        session.flash(f"Your work on the previous case ({current['title']}) was saved as a draft.", "info")
    try:
        draft = progress.load_draft(user.actor, scenario_id=scenario, seed=seed, assignment_id=assignment_id)
    except Exception as exc:  # opening without it could later overwrite the saved draft
        session.flash(f"Your saved draft of that case could not be read right now ({type(exc).__name__}). "
                      "Try opening it again in a moment.", "error")
        return False
    started = progress.iso()
    sid = uuid.uuid4().hex
    if draft:
        work = work_from_draft(draft.get("answer"), draft.get("started_at") or started, sid)
        saved = draft_payload(work)
        session.flash(f"Your draft was restored (last saved {labels.when(draft.get('updated_at'))}).", "success")
    else:
        work, saved = new_work(started, sid), None
    st.session_state["ws_case"] = {"scenario": scenario, "seed": seed, "assignment_id": assignment_id,
                                   "rubric": rubric, "title": info["title"], "mdc": info["mdc"],
                                   "difficulty": info["difficulty"]}
    st.session_state["ws_work"] = work
    st.session_state["ws_saved"] = saved
    st.session_state["ws_saved_at"] = draft.get("updated_at") if draft else None
    st.session_state["ws_confirm"] = False
    st.session_state["ws_autosave_at"] = started
    return True


def handle_request(user) -> None:
    req = st.session_state.pop("ws_request", None)
    if isinstance(req, dict):
        open_case(user, req.get("scenario"), req.get("seed"), req.get("assignment_id"))


def close_case() -> None:
    for k in ("ws_case", "ws_work", "ws_saved", "ws_saved_at", "ws_confirm", "ws_autosave_at"):
        st.session_state.pop(k, None)


# ----------------------------------------------------------------------------- picking a case
def _scenario_label(s: dict) -> str:
    return f"{s['title']} · {labels.mdc_label(s['mdc'])} · difficulty {s['difficulty']}"


def case_picker(user) -> None:
    """Assignment cases, practice by MDC/difficulty/topic, the suggested case, and drafts to continue."""
    catalogue = resources.scenario_catalogue()
    titles = resources.scenario_titles()
    tab_assign, tab_practice, tab_suggest, tab_drafts = st.tabs(
        ["Assignments", "Practice by topic", "Suggested for you", "Continue a draft"])
    with tab_assign:
        assignment_list(user, titles, key="pick")
    with tab_practice:
        c1, c2, c3 = st.columns(3)
        mdcs = sorted({s["mdc"] for s in catalogue})
        want_mdc = c1.multiselect("Major diagnostic category", mdcs, format_func=labels.mdc_label, key="pick_mdc")
        diffs = sorted({s["difficulty"] for s in catalogue})
        want_diff = c2.multiselect("Difficulty", diffs, format_func=lambda d: labels.difficulty_label(d), key="pick_diff")
        # scenario topic tags only: teaching-point titles can state the very rule a case tests
        topics = sorted({t for s in catalogue for t in s["topics"]}, key=labels.topic_label)
        want_topic = c3.multiselect("Topic", topics, format_func=labels.topic_label, key="pick_topic")
        fits = [s for s in catalogue if (not want_mdc or s["mdc"] in want_mdc)
                and (not want_diff or s["difficulty"] in want_diff)
                and (not want_topic or set(want_topic) & set(s["topics"]))]
        if not fits:
            st.info("No scenario matches all of those filters. Remove one to see more.")
        else:
            sid = st.selectbox(f"Scenario ({len(fits)} match)", [s["id"] for s in fits], key="pick_scenario",
                               format_func=lambda i: _scenario_label(next(s for s in fits if s["id"] == i)))
            chosen = next(s for s in fits if s["id"] == sid)
            st.caption("Topics: " + ", ".join(labels.topic_label(t) for t in chosen["topics"]))
            st.button("Open a new practice case", key="pick_practice", type="primary", icon=":material/add:",
                      on_click=request_case, args=(sid, session.new_seed()),
                      help="A new patient for this scenario (a random case number).")
    with tab_suggest:
        suggestion_card(user, key="pick")
    with tab_drafts:
        drafts_list(user, titles, key="pick")


def _listed(fetch, empty: str) -> list:
    """What `fetch()` lists; when that fails or is empty, the reason is shown and [] returned."""
    try:
        found = fetch()
    except progress.ProgressError as exc:
        st.error(str(exc))
        return []
    if not found:
        st.caption(empty)
    return found


def _open_button(where, label: str, key: str, case: tuple, navigate: bool, **kw) -> None:
    """A button that opens `case` (scenario, seed[, assignment id]): on this page's next run, or
    (`navigate`, from another page) by switching to the workspace."""
    if navigate:
        if where.button(label, key=key, **kw):
            go_to_case(*case)
    else:
        where.button(label, key=key, on_click=request_case, args=case, **kw)


def assignment_list(user, titles: dict, key: str, limit: int | None = None, navigate: bool = False) -> None:
    found = _listed(lambda: progress.learner_assignments(user.actor),
                    "No assignments yet. Your instructor's assignments appear here once you are in a cohort.")
    for a in found[:limit] if limit else found:
        due = labels.when(a.get("due_at")) if a.get("due_at") else "no due date"
        done = f"{a['done']}/{len(a['items'])} cases done"
        score = f" · score {a['score']:.0f}" if a.get("score") is not None else ""
        with st.container(border=True):
            st.markdown(f"**{md_escape(a['title'])}** · {md_escape(a.get('cohort_name', ''))} · due {due} · {done}{score}")
            for n, item in enumerate(a["items"], 1):
                c1, c2 = st.columns([3, 1], vertical_alignment="center")
                best = f" — best {item['best']:.0f}" if item.get("best") is not None else " — not attempted"
                c1.markdown(f"Case {n}: {md_escape(titles.get(item['scenario'], item['scenario']))} "
                            f"(#{item['seed']}){best}")
                _open_button(c2, "Open", f"{key}_a{a['id']}_{n}", (item["scenario"], item["seed"], a["id"]), navigate,
                             width="stretch")


def suggestion(user) -> dict | None:
    try:
        weak = progress.weakest_skills(user.actor, limit=5)
        done = [a["scenario_id"] for a in progress.list_attempts(user.actor, limit=500)]
    except progress.ProgressError:
        weak, done = [], []
    return suggest_case(weak, resources.scenario_catalogue(), Counter(done), resources.teaching_points())


def suggestion_card(user, key: str, navigate: bool = False) -> None:
    found = suggestion(user)
    if not found:
        st.caption("No scenarios are available.")
        return
    s = found["scenario"]
    st.markdown(f"**{md_escape(s['title'])}** · {labels.mdc_label(s['mdc'])} · difficulty {s['difficulty']}")
    if found["reason"]:
        st.caption(found["reason"])
    _open_button(st, "Start the suggested case", f"{key}_suggest", (s["id"], session.new_seed()), navigate,
                 type="primary", icon=":material/play_arrow:")


def drafts_list(user, titles: dict, key: str, navigate: bool = False) -> None:
    drafts = _listed(lambda: progress.list_drafts(user.actor),
                     "No drafts. Use **Save draft** in the workspace to keep unfinished work.")
    for d in drafts[:8]:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        where = "assignment" if d.get("assignment_id") else "practice"
        c1.markdown(f"{md_escape(titles.get(d['scenario_id'], d['scenario_id']))} (#{d['seed']}, {where}) · "
                    f"saved {labels.when(d.get('updated_at'))}")
        _open_button(c2, "Continue", f"{key}_d{d['id']}", (d["scenario_id"], d["seed"], d.get("assignment_id")),
                     navigate, width="stretch")


# ----------------------------------------------------------------------------- the chart
def chart_panel(chart: dict, p: str) -> None:
    pt = chart.get("patient") or {}
    st.markdown(f":red-badge[:material/warning: SYNTHETIC RECORD · not a real patient] "
                f"**{md_escape(str(pt.get('last_name', '')).upper())}, {md_escape(pt.get('first_name', ''))}** · "
                f"{pt.get('sex', '')} · {pt.get('age', '')} y · DOB {pt.get('dob', '')} · MRN {pt.get('mrn', '')}")
    docs = chart.get("documents") or []
    c1, c2, c3 = st.columns([2.2, 1, 1.3], vertical_alignment="bottom")
    term = c1.text_input("Find in chart", key=f"{p}_find", max_chars=80, placeholder="word or phrase, e.g. creatinine",
                         help="Counts the lines of each document that mention it, and highlights them.")
    term = " ".join(term.split()) if term else ""
    order = c2.radio("List by", ["time", "type"], horizontal=True, key=f"{p}_order",
                     format_func=lambda v: {"time": "Time", "type": "Type"}[v])
    present = [t for t in DOC_TYPES if any(d.get("type") == t for d in docs)]
    kind = c3.selectbox("Document type", ["all", *present], key=f"{p}_kind",
                        format_func=lambda t: "All documents" if t == "all" else DOC_TYPES.get(t, t))
    shown = [d for d in sort_documents(docs, order) if kind == "all" or d.get("type") == kind]
    hits = {d["doc_id"]: count_matches(d, term) for d in shown} if term else {}
    left, right = st.columns([1, 2.3])
    with left:
        if term and st.toggle("Only with matches", key=f"{p}_onlyhits",
                                help="List only the documents that mention the search term."):
            shown = [d for d in shown if hits.get(d["doc_id"])]
        if not shown:
            st.caption("No document matches.")
            return
        def title(d):
            n = hits.get(d["doc_id"])
            return d.get("title", "") + (f" · {n} match{'es' if n != 1 else ''} ✔" if n else "")

        titles = {d["doc_id"]: title(d) for d in shown}
        with st.container(height=560, border=False):
            doc_id = st.radio(f"Documents ({len(shown)})", list(titles), format_func=titles.get, key=f"{p}_doc",
                              captions=[doc_stamp(d) for d in shown])
    doc = next((d for d in shown if d["doc_id"] == doc_id), shown[0])
    with right:
        document_view(doc, term, p)


def document_view(doc: dict, term: str, p: str) -> None:
    with st.container(border=True, height=590):
        st.markdown(f"**{md_escape(doc.get('title', ''))}** :red-badge[SYNTHETIC]")
        st.caption(f"{DOC_TYPES.get(doc.get('type'), doc.get('type'))} · {md_escape(doc.get('author', ''))} · "
                   f"{str(doc.get('datetime', '')).replace('T', ' ')}")
        n = count_matches(doc, term)
        labs = doc.get("type") == "labs" and bool(doc.get("labs"))
        c1, c2 = st.columns(2)
        only = bool(term) and n > 0 and c1.toggle("Only matching lines", key=f"{p}_onlylines")
        printed = labs and c2.toggle("Printed report", key=f"{p}_printed", help="The lab report as printed, not as a table.")
        if term:
            st.caption(f"{n} line{'s' if n != 1 else ''} mention “{md_escape(term)}” (marked ▸ and highlighted).")
        if labs and not printed:
            labs_table(doc["labs"], term)
            return
        body = highlight_html(doc.get("text", ""), term, only)
        st.html(f"<div style='white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;"
                f"font-size:0.8rem;line-height:1.45'>{body}</div>")


def labs_table(labs: list, term: str = "") -> None:
    rows = lab_rows(labs, term)
    if not rows:
        st.caption("No lab result matches the search.")
        return
    frame = pd.DataFrame(rows)
    frame["Collected"] = frame["Collected"].map(lambda v: str(v)[5:16].replace("T", " "))
    styled = frame.style.map(lambda v: f"background-color: {flag_colour(v)}; font-weight: 600" if flag_colour(v)
                             else "", subset=["Flag"])
    small = st.column_config.TextColumn
    st.dataframe(styled, hide_index=True, width="stretch", height=min(440, 38 + 35 * len(rows)),
                 column_config={"Collected": small("Collected", width="small"), "Panel": small(width="small"),
                                "Flag": small("Flag", help="▲ high, ▼ low; doubled = critical")})
    st.caption("Flags: ▲ H high · ▲▲ HH critical high · ▼ L low · ▼▼ LL critical low · ! A abnormal.")


# ----------------------------------------------------------------------------- the coding panel
def _seed(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def abstraction_panel(work: dict, p: str) -> None:
    ab = work.setdefault("abstract", {})
    st.caption("UHDDS / UB-04 fields, from the face sheet, orders and discharge summary.")
    c1, c2 = st.columns(2)
    for col, name in ((c1, "admission_date"), (c2, "discharge_date")):
        k = f"{p}_ab_{name}"
        _seed(k, parse_day(ab.get(name)))
        with col:
            day = st.date_input(ABSTRACT_FIELDS[name], key=k, format="YYYY-MM-DD")
        ab[name] = day.isoformat() if day else ""
    k = f"{p}_ab_admission_type"
    _seed(k, ab.get("admission_type") if ab.get("admission_type") in ADMISSION_TYPES else None)
    atype = st.selectbox(ABSTRACT_FIELDS["admission_type"], list(ADMISSION_TYPES), key=k, placeholder="Choose…",
                         format_func=lambda c: f"{c} – {ADMISSION_TYPES[c]}")
    ab["admission_type"] = atype or ""
    k = f"{p}_ab_admission_source"
    _seed(k, ab.get("admission_source") if ab.get("admission_source") in ADMISSION_SOURCES else None)
    src = st.selectbox(ABSTRACT_FIELDS["admission_source"], list(ADMISSION_SOURCES), key=k, placeholder="Choose…",
                       format_func=lambda c: f"{c} – {source_label(atype or '', c)}")
    ab["admission_source"] = src or ""
    k = f"{p}_ab_discharge_disposition"
    _seed(k, ab.get("discharge_disposition") if ab.get("discharge_disposition") in codes.DISPOSITIONS else None)
    disp = st.selectbox(ABSTRACT_FIELDS["discharge_disposition"], list(codes.DISPOSITIONS), key=k, placeholder="Choose…",
                        format_func=lambda c: f"{c} – {codes.DISPOSITIONS[c]}")
    ab["discharge_disposition"] = disp or ""
    c1, c2 = st.columns(2)
    k = f"{p}_ab_attending_physician"
    _seed(k, ab.get("attending_physician", ""))
    ab["attending_physician"] = c1.text_input(ABSTRACT_FIELDS["attending_physician"], key=k, max_chars=80,
                                              placeholder="e.g. Jane Smith, MD").strip()
    k = f"{p}_ab_expected_payer"
    payers = list(PAYERS)
    _seed(k, ab.get("expected_payer") if ab.get("expected_payer") in payers else None)
    ab["expected_payer"] = c2.selectbox(ABSTRACT_FIELDS["expected_payer"], payers, key=k, placeholder="Choose…") or ""


def _rows_move(kind: str, row_id: int, delta: int) -> None:
    work = st.session_state["ws_work"]
    work[kind] = move_row(work[kind], row_id, delta)


def _rows_remove(kind: str, row_id: int) -> None:
    work = st.session_state["ws_work"]
    work[kind] = remove_row(work[kind], row_id)


def _row_buttons(kind: str, r: dict, i: int, n: int, p: str, name: str) -> None:
    with st.container(horizontal=True, gap=None, horizontal_alignment="right"):
        st.button("▲", key=f"{p}_{kind}up_{r['id']}", help=f"Move {name} up", disabled=i == 0, type="tertiary",
                  on_click=_rows_move, args=(kind, r["id"], -1))
        st.button("▼", key=f"{p}_{kind}down_{r['id']}", help=f"Move {name} down", disabled=i == n - 1, type="tertiary",
                  on_click=_rows_move, args=(kind, r["id"], 1))
        st.button("✕", key=f"{p}_{kind}del_{r['id']}", help=f"Remove {name}", type="tertiary",
                  on_click=_rows_remove, args=(kind, r["id"]))


def _code_heading(col, role: str, chk, raw: str, warning: str = "") -> None:
    """A code row's heading: role and code (with a badge when invalid), then its title or error."""
    status = warning if chk.ok else " :red-badge[✗ not a valid code]"
    col.markdown(f"**{role}: {md_escape(chk.display or raw)}**{status}  \n"
                 f"<small>{md_escape(chk.title or chk.error)}</small>", unsafe_allow_html=True)


def _poa_label(v) -> str:
    return f"{v} – {codes.POA_VALUES[v]}" if v in codes.POA_VALUES else "—"


@dataclass(frozen=True)
class CodeList:
    """One list of codes on the coding panel - diagnoses or procedures: the words and the parts
    that differ; `code_panel` draws either (search, add, then one row per code)."""
    rows: str           # key of the list in the work: "dx" | "procs"
    key: str            # widget key part: "dx" | "pcs"
    system: str         # codes.CM | codes.PCS
    caption: str
    search: str
    placeholder: str
    no_hits: str
    empty: str
    widths: tuple

    def hit_text(self, h) -> str:
        if self.system == codes.PCS:
            return f"{h.code} — {h.title}"
        return f"{codes.display(h.code)} — {h.title} · {'billable' if h.billable else 'header, not billable'}"

    def role(self, i: int) -> str:
        if self.system == codes.PCS:
            return "Principal procedure" if i == 0 else f"Procedure {i + 1}"
        return "Principal" if i == 0 else f"Secondary {i}"

    def limits(self, n: int) -> list[str]:
        return scoring.claim_limit_problems(n - 1, 0) if self.system == codes.CM else scoring.claim_limit_problems(0, n)


DX = CodeList("dx", "dx", codes.CM,
              "Principal diagnosis first, then secondary diagnoses in any order; each with its POA indicator.",
              "Search ICD-10-CM: words or a code (results as you type)",
              "words (e.g. a diagnosis in the discharge summary) or the start of a code",
              "No code matches those words; the text itself is checked as a code when you press Add.",
              "No diagnoses yet. The first one you add is the principal diagnosis.", (3.2, 1.7, 1.1))
PROCS = CodeList("procs", "pcs", codes.PCS,
                 "ICD-10-PCS, principal procedure first, each with the date it was performed (within the stay).",
                 "Search ICD-10-PCS: words or a code (results as you type)",
                 "a root operation and body part, or the start of a code",
                 "No code matches those words; try the builder, or press Add to check the text as a code.",
                 "No procedures entered. Leave this empty when the stay had no significant procedure.",
                 (3.0, 1.9, 1.1))


def _add(spec: CodeList, p: str, raw: str, fields, first: bool = False) -> None:
    """Add the code typed, picked or built to the list; `fields(chk)` gives the row's other fields
    and the success message, or (None, why not)."""
    work = st.session_state["ws_work"]
    chk = codes.check(raw, spec.system)
    extra, message = fields(chk) if chk.ok else (None, chk.error)
    rows, why = add_row(work[spec.rows], {"id": next_row_id(work), "code": chk.code, **extra}, first=first) \
        if extra is not None else (work[spec.rows], message)
    if why:
        st.session_state[f"{p}_{spec.key}msg"] = ("error", why)
        return
    work[spec.rows] = rows
    st.session_state[f"{p}_{spec.key}msg"] = ("warning", message) if chk.warning else ("success", message)
    st.session_state[f"{p}_{spec.key}q"] = ""


def _dx_add(p: str, pick_key: str) -> None:
    first = st.session_state.get(f"{p}_dxas") == "principal" or not st.session_state["ws_work"]["dx"]
    where = "as the principal diagnosis" if first else "as a secondary diagnosis"

    def fields(chk):
        said = f"Added {chk.display} {where}. {chk.warning}" if chk.warning else \
            f"Added {chk.display} — {chk.title} {where}."
        return {"poa": st.session_state.get(f"{p}_dxnewpoa") or ""}, said

    _add(DX, p, st.session_state.get(pick_key) or st.session_state.get(f"{p}_dxq", ""), fields, first)
    if st.session_state.get(f"{p}_dxmsg", ("error",))[0] != "error":
        st.session_state[f"{p}_dxnewpoa"] = None
        st.session_state[f"{p}_dxas"] = "secondary"


def _pcs_add(p: str, pick_key: str, built_key: str, stay) -> None:
    day = st.session_state.get(f"{p}_pcsnewdate")

    def fields(chk):
        problem = scoring.procedure_date_problem(day, stay)
        if problem:
            return None, f"{chk.display}: {problem} Choose the date it was performed."
        return {"date": day.isoformat()}, f"Added {chk.display} — {chk.title} ({day.isoformat()})."

    raw = st.session_state.get(built_key) or st.session_state.get(pick_key) or st.session_state.get(f"{p}_pcsq", "")
    _add(PROCS, p, raw, fields)
    if st.session_state.get(f"{p}_pcsmsg", ("error",))[0] != "error":
        st.session_state.pop(built_key, None)


def _dx_controls(work: dict, p: str, pick_key: str, stay) -> None:
    c1, c2, c3 = st.columns([1.3, 1.5, 0.8], vertical_alignment="bottom")
    c1.selectbox("POA for the new code", POA_OPTIONS, index=None, key=f"{p}_dxnewpoa", format_func=_poa_label,
                 placeholder="Choose…")
    _seed(f"{p}_dxas", "principal" if not work["dx"] else "secondary")
    c2.radio("Add as", ["principal", "secondary"], key=f"{p}_dxas", horizontal=True,
             format_func=lambda v: v.capitalize())
    c3.button("Add", key=f"{p}_dxadd", icon=":material/add:", on_click=_dx_add, args=(p, pick_key),
              width="stretch", help="Add the selected search result (or the code as typed) to the list.")


def _pcs_controls(work: dict, p: str, pick_key: str, stay) -> None:
    built_key = f"{p}_pcsbuilt"
    with st.expander("Build a code character by character", icon=":material/construction:"):
        built = widgets.pcs_builder(f"{p}_pcsb", per_row=2)
        if built:
            st.session_state[built_key] = built
        else:
            st.session_state.pop(built_key, None)
    c1, c2 = st.columns([1.5, 1], vertical_alignment="bottom")
    c1.date_input("Date performed", value=None, min_value=stay[0], max_value=stay[1], key=f"{p}_pcsnewdate",
                  format="YYYY-MM-DD")
    c2.button("Add", key=f"{p}_pcsadd", icon=":material/add:", on_click=_pcs_add,
              args=(p, pick_key, built_key, stay), width="stretch",
              help="Adds the built code if the builder is complete, else the selected search result.")


def _poa_cell(col, r: dict, chk, p: str, stay) -> None:
    k = f"{p}_dxpoa_{r['id']}"
    _seed(k, r.get("poa") if r.get("poa") in codes.POA_VALUES else None)
    r["poa"] = col.selectbox(f"POA for {chk.display or r['code']}", POA_OPTIONS, key=k,
                             format_func=_poa_label, placeholder="POA…", label_visibility="collapsed") or ""


def _date_cell(col, r: dict, chk, p: str, stay) -> None:
    lo, hi = stay
    k = f"{p}_pcsdate_{r['id']}"
    day = parse_day(r.get("date"))
    in_stay = day is not None and (lo is None or day >= lo) and (hi is None or day <= hi)
    _seed(k, day if in_stay else None)
    new = col.date_input(f"Date for {chk.display or r['code']}", key=k, min_value=lo, max_value=hi,
                         format="YYYY-MM-DD", label_visibility="collapsed")
    r["date"] = new.isoformat() if new else ""


def _search(spec: CodeList, q: str, pick_key: str) -> None:
    """Codes matching what is typed, to pick from (the text itself is checked when nothing matches)."""
    if not q.strip():
        return
    try:
        hits = codes.search(q, system=spec.system, limit=15)
    except Exception:
        hits = []
    if hits:
        titles = {h.code: spec.hit_text(h) for h in hits}
        st.selectbox("Matching codes", list(titles), key=pick_key, format_func=titles.get)
    else:
        st.caption(spec.no_hits)


def code_panel(spec: CodeList, work: dict, p: str, stay, controls, cell) -> None:
    """Search, the controls that add a code (`controls`), then one row per code with its own
    `cell` (POA or date), its order buttons and the claim's limits."""
    st.caption(spec.caption)
    q = st.text_input(spec.search, key=f"{p}_{spec.key}q", max_chars=60, live="300ms", placeholder=spec.placeholder)
    pick_key = f"{p}_{spec.key}pick_{abs(hash(q)) % 10**8}"
    _search(spec, q, pick_key)
    controls(work, p, pick_key, stay)
    msg = st.session_state.pop(f"{p}_{spec.key}msg", None)
    if msg:
        getattr(st, msg[0])(msg[1])
    rows = work[spec.rows]
    if not rows:
        (st.info if spec.system == codes.CM else st.caption)(spec.empty)
        return
    for i, r in enumerate(list(rows)):
        chk = codes.check(r["code"], spec.system)
        header = " :orange-badge[! header, not billable]" if chk.ok and not chk.billable else ""
        with st.container(border=True):
            cols = st.columns(list(spec.widths), vertical_alignment="center")
            _code_heading(cols[0], spec.role(i), chk, r["code"], header)
            cell(cols[1], r, chk, p, stay)
            with cols[2]:
                _row_buttons(spec.rows, r, i, len(rows), p, chk.display or r["code"])
    for problem in spec.limits(len(rows)):
        st.warning(problem)


def dx_panel(work: dict, p: str) -> None:
    code_panel(DX, work, p, (None, None), _dx_controls, _poa_cell)


def proc_panel(work: dict, stay, p: str) -> None:
    code_panel(PROCS, work, p, stay, _pcs_controls, _date_cell)


def drg_panel(work: dict, p: str) -> None:
    st.caption("Optional: the MS-DRG you expect this claim to group to. Your codes are grouped when you submit; "
               "a matching DRG here earns the “DRG you chose” points.")
    k = f"{p}_drg"
    _seed(k, work.get("drg", ""))
    work["drg"] = st.text_input("MS-DRG (3 digits)", key=k, max_chars=7, placeholder="e.g. 291").strip()
    if work["drg"]:
        chk = codes.check(work["drg"], codes.DRG)
        if chk.error:
            st.error(chk.error)
        else:
            st.success(f"MS-DRG {chk.display} — {chk.title}")


# ----------------------------------------------------------------------------- clock, save, submit
AUTOSAVE_SECONDS = 60


@st.fragment(run_every=30)
def clock(user) -> None:
    """Elapsed minutes and save status; unsaved work is saved as a draft about once a minute."""
    work = st.session_state.get("ws_work")
    if not work:
        return
    st.markdown(f":material/timer: **{labels.elapsed_minutes(work.get('started_at'))} min** elapsed")
    last = labels.parse_when(st.session_state.get("ws_autosave_at"))
    if is_dirty() and (last is None or (progress.utcnow() - last).total_seconds() >= AUTOSAVE_SECONDS):
        st.session_state["ws_autosave_at"] = progress.iso()
        save_work(user)
    saved_at = st.session_state.get("ws_saved_at")
    st.caption(("● Unsaved changes" if is_dirty() else "✓ Saved as a draft" if saved_at else "Nothing entered yet") +
               (f" · {labels.when(saved_at)[11:16]} UTC" if saved_at else ""),
               help="Your work is saved as a draft automatically about once a minute, and whenever you press "
                    "Save draft or change case.")


def change_case(user) -> None:
    """Leave the open case for the picker, saving unsaved work as a draft first."""
    if is_dirty():
        if not save_work(user):
            return
        session.flash(f"Your work on {st.session_state['ws_case']['title']} was saved as a draft.", "info")
    close_case()


def toolbar(user) -> None:
    case = st.session_state["ws_case"]
    c1, c2, c3, c4, c5 = st.columns([4, 1.35, 1.2, 1.15, 1.1], vertical_alignment="center")
    kind = "assignment" if case.get("assignment_id") else "practice"
    c1.markdown(f"#### {md_escape(case['title'])}")
    c1.caption(f"Case #{case['seed']} · {kind} · {labels.mdc_label(case['mdc'])} · difficulty {case['difficulty']} · "
               f"rubric {case['rubric']}")
    c3.button("Change case", key="ws_change", icon=":material/swap_horiz:", width="stretch", on_click=change_case,
              args=(user,), help="Open another case; unsaved work here is saved as a draft first.")
    if c4.button("Save draft", key="ws_save", icon=":material/save:", width="stretch",
                 help="Keeps your work in your account: it is restored when you open this case again, "
                      "even after a reload or signing out.") and save_work(user):
        st.toast("Draft saved.", icon=":material/save:")
    if c5.button("Submit", key="ws_submit", type="primary", icon=":material/send:", width="stretch",
                 help="Submit for scoring; you confirm first."):
        st.session_state["ws_confirm"] = True
    with c2:
        clock(user)
    session.show_flash()


def confirm_panel(user, stay) -> None:
    work = st.session_state["ws_work"]
    problems = scoring.precheck(answer_from_work(work), stay)
    with st.container(border=True):
        if is_blank(work):
            st.error("Nothing to submit yet: enter the principal diagnosis and the other codes and fields first.")
            st.button("Back to the case", key="ws_submit_no", on_click=st.session_state.update, args=({"ws_confirm": False},))
            return
        st.markdown("#### Submit this case for scoring?")
        st.caption("After submitting you will see the answer key and your score; the case can no longer be edited.")
        for prob in problems:
            st.warning(prob)
        if not problems:
            st.success("Every field and code is filled in and valid.")
        c1, c2, _ = st.columns([1.3, 1.2, 3])
        yes = c1.button("Yes, submit my answer", key="ws_submit_yes", type="primary", icon=":material/check:")
        c2.button("Keep working", key="ws_submit_no", on_click=st.session_state.update, args=({"ws_confirm": False},))
    if yes:
        attempt_id = submit_case(user)
        if attempt_id is not None:
            go_to_results(attempt_id)


def submit_case(user) -> int | None:
    """Score the open case on the server and store the attempt. The key never leaves `scoring`."""
    case_ref, work = st.session_state["ws_case"], st.session_state["ws_work"]
    answer = answer_from_work(work)
    try:
        rub = scoring.rubric(case_ref.get("rubric") or "practice")
    except scoring.RubricError as exc:
        st.error(f"This assignment's scoring rubric could not be loaded ({exc}). Your work is kept; tell your instructor.")
        return None
    try:
        with st.spinner("Scoring…"):
            scored = scoring.score_case(case_ref["scenario"], case_ref["seed"], answer, rub)
            attempt_id = progress.save_attempt(   # also removes the draft of this case
                user.actor, **progress.case_ref(scored), answer=answer.to_dict(), report=scored.report.to_dict(),
                submission_id=work.get("submission_id"), assignment_id=case_ref.get("assignment_id"),
                started_at=labels.parse_when(work.get("started_at")), rubric_version=f"{rub.id}@{rub.version}")
    except progress.ProgressError as exc:
        st.error(f"Your answer was not submitted: {exc} Your work is still here.")
        return None
    except Exception as exc:  # scorer or database failure: keep the work, say what happened
        st.error(f"Your answer could not be scored right now ({type(exc).__name__}). Your work is still here; "
                 "save a draft and try again.")
        return None
    close_case()
    return attempt_id
