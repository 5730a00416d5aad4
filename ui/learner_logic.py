"""Pure helpers behind the learner pages: no Streamlit here, so every rule is unit-testable.

- *Work*: the learner's unfinished answer as plain JSON (what the widgets edit and what a draft
  stores), turned into a `cases.Answer` only on submit.
- Chart reading helpers: document order, find-in-chart, lab rows with text flags.
- `suggest_case`: the next practice case aimed at the weakest skill.
- Results helpers: the per-code table, the scored item a feedback item explains, evidence quotes,
  the DRG comparison.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, datetime, timezone
from functools import lru_cache

import codes
import scoring
from cases.model import ABSTRACT_FIELDS, PAYERS, Answer, parse_day
from cases.suggest import suggest_scenario

STATUS_TEXT = {"correct": "✓ Correct", "near_miss": "≈ Near miss (partial credit)", "missing": "✗ Missing",
               "extra": "+ Extra (not supported)", "wrong": "✗ Wrong"}
STATUS_COLOUR = {"correct": "#d3f2dc", "near_miss": "#fdf0c4", "missing": "#fbd5d5", "extra": "#e3dcf7",
                 "wrong": "#fbd5d5"}
FLAG_TEXT = {"H": "▲ H (high)", "HH": "▲▲ HH (critical high)", "L": "▼ L (low)", "LL": "▼▼ LL (critical low)",
             "A": "! A (abnormal)"}
FLAG_COLOUR = {"H": "#fde2c8", "HH": "#f9b8b8", "L": "#d6e6fb", "LL": "#b9d0f7", "A": "#fde2c8"}
# Short headings for feedback kinds, addressed to the learner (scoring.KINDS describes them for authors).
KIND_TITLES = {
    "empty_answer": "Nothing entered", "drg_mismatch": "Different MS-DRG", "missing_principal": "No principal diagnosis",
    "wrong_principal": "Principal diagnosis not supported", "sequencing": "Sequencing",
    "missed_code": "Missed code", "extra_code": "Code not supported by the record (over-coding)",
    "near_miss": "Near miss", "poa_wrong": "POA indicator", "hac": "Hospital-acquired condition and POA",
    "abstraction": "Abstracted field", "drg_choice": "The DRG you chose", "invalid_code": "Invalid code",
    "header_code": "Header code (needs more characters)", "missing_7th_character": "Missing 7th character",
    "excludes1": "Excludes1 conflict", "missing_partner": "Code first / use additional code",
    "mce_edit": "Medicare Code Editor", "sex_conflict": "Code conflicts with the patient's sex",
    "duplicate_code": "Duplicate code", "claim_limit": "Too many codes for one claim",
}
SEVERITY_TEXT = {"error": "Error", "warning": "Warning", "hint": "Hint"}
DOC_TYPES = {"face_sheet": "Face sheet", "ed_note": "ED note", "hp": "History & physical", "progress": "Progress note",
             "consult": "Consult", "operative": "Operative note", "procedure": "Procedure note", "labs": "Labs",
             "imaging": "Imaging", "mar": "Medications (MAR)", "discharge": "Discharge summary"}
DIFFICULTY = {1: "1 – Introductory", 2: "2 – Intermediate", 3: "3 – Advanced", 4: "4 – Expert"}
TOPIC_WORDS = {"cc_mcc": "CC/MCC capture", "pcs": "PCS", "poa": "POA", "hac": "HAC", "uti": "UTI", "ckd": "CKD",
               "dka": "DKA", "copd": "COPD", "hf": "heart failure", "htn": "hypertension", "aki": "AKI",
               "r65": "R65", "z38": "Z38", "dx": "diagnosis", "gi": "GI"}


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|$~])")


_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text) -> str:
    """Text shown through st.markdown exactly as written ("$" would start LaTeX, "*" emphasis, "1." a list...)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text if text is not None else ""))
    return _MD_ORDERED.sub(r"\1\\\2", escaped)


_DOC_REF = re.compile(r"\b(doc\d+)\b")


def name_documents(text: str, chart: dict | None) -> str:
    """Replace internal document ids ("doc11") in feedback text with the document's title."""
    titles = {d.get("doc_id"): d.get("title") for d in (chart or {}).get("documents", [])}
    return _DOC_REF.sub(lambda m: f"the {titles[m.group(1)].lower()}" if titles.get(m.group(1)) else m.group(1),
                        str(text or ""))


def mdc_label(mdc) -> str:
    try:
        n = int(mdc)
    except (TypeError, ValueError):
        return "MDC ?"
    return f"MDC {n:02d} – {codes.weights.mdc_short(n)}"


def topic_label(topic: str, teaching: dict | None = None) -> str:
    """A readable name for a scenario topic or a teaching point id."""
    tp = (teaching or {}).get(topic)
    if tp is not None and getattr(tp, "title", ""):
        return tp.title
    if topic in TOPIC_WORDS:
        return TOPIC_WORDS[topic]
    words = [TOPIC_WORDS.get(w, w) for w in str(topic).split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else "—"


def kind_title(kind: str) -> str:
    text = KIND_TITLES.get(kind) or scoring.KINDS.get(kind) or str(kind).replace("_", " ")
    return text[:1].upper() + text[1:]


def component_label(name: str) -> str:
    return scoring.COMPONENTS.get(name, name)


# ----------------------------------------------------------------------------- time
def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_when(text) -> datetime | None:
    """An aware datetime from a stored ISO timestamp, or None for anything else."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def elapsed_minutes(started_at, now: datetime | None = None) -> int:
    start = parse_when(started_at)
    if start is None:
        return 0
    return max(0, int(((now or utc_now()) - start).total_seconds() // 60))


def short_when(text) -> str:
    moment = parse_when(text)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


# ----------------------------------------------------------------------------- work (form state)
def new_work(started_at: str, submission_id: str) -> dict:
    return {"abstract": {}, "dx": [], "procs": [], "drg": "", "started_at": started_at,
            "submission_id": submission_id, "next_id": 1}


def _next_id(work: dict) -> int:
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
        work["dx"].append({"id": _next_id(work), "code": code, "poa": poa if poa in codes.POA_VALUES else ""})
    for code, day in answer.procedures:
        if code:
            work["procs"].append({"id": _next_id(work), "code": code, "date": day if parse_day(day) else ""})
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


# ----------------------------------------------------------------------------- code entry
@lru_cache(maxsize=4096)
def code_title(code: str) -> str:
    inf = codes.lookup(code) if code else None
    return getattr(inf, "title", "") or ""


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


def payer_options() -> tuple:
    return PAYERS


# ----------------------------------------------------------------------------- chart
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


def doc_label(doc: dict) -> str:
    return f"{doc_stamp(doc)} · {doc.get('title', '')}"


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


# ----------------------------------------------------------------------------- next suggested case
def _skill_label(skill: dict, teaching: dict | None) -> str:
    if skill["kind"] == "component":
        return component_label(skill["key"])
    if skill["kind"] == "mdc":
        return mdc_label(skill["key"])
    return topic_label(skill["key"], teaching)


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


def pick_assignment_case(assignment: dict) -> dict | None:
    """The first case of an assignment not attempted yet (else the lowest-scoring one)."""
    items = assignment.get("items") or []
    if not items:
        return None
    todo = [i for i in items if i.get("best") is None]
    if todo:
        return todo[0]
    return min(items, key=lambda i: i.get("best") or 0)


# ----------------------------------------------------------------------------- results
def feedback_item(fb: dict, items: list[dict]) -> int | None:
    """The scored item (its `idx`) a feedback item explains, as scoring recorded it; None for
    feedback about the whole claim and for reports stored before feedback carried its item."""
    idx = fb.get("item")
    return idx if isinstance(idx, int) and any(i.get("idx") == idx for i in items) else None


def code_table(items: list[dict], report_items: list[dict] | None = None) -> list[dict]:
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
        out.append({"#": idx, "Status": STATUS_TEXT.get(i.get("status"), i.get("status", "")),
                    "Section": component_label(i.get("component", "")), "Item": i.get("label") or "",
                    "Key": expected or "—", "You entered": i.get("entered") or "—",
                    "Points": f"{float(i.get('score', 0)):.2f} / {float(i.get('max', 0)):.2f}", "Note": note,
                    "status": i.get("status", "")})
    return out


def status_counts(items: list[dict]) -> dict:
    c = Counter(i.get("status") for i in items if i.get("component") in ("pdx", "sdx", "pcs"))
    return {k: c.get(k, 0) for k in STATUS_TEXT}


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


def fmt_drg(drg) -> str:
    return f"{int(drg):03d}" if isinstance(drg, (int, float)) else "—"


def fmt_money(amount) -> str:
    if not isinstance(amount, (int, float)):
        return "—"
    sign = "+" if amount > 0 else "−" if amount < 0 else "±"
    return f"{sign}${abs(amount):,.0f}"


def history_rows(attempts: list[dict], titles: dict, assignments: dict | None = None) -> list[dict]:
    out = []
    for a in attempts:
        dur = a.get("duration_s")
        out.append({"Attempt": a["id"], "Submitted": short_when(a.get("submitted_at")),
                    "Case": f"{titles.get(a.get('scenario_id'), a.get('scenario_id'))} (#{a.get('seed')})",
                    "Assignment": (assignments or {}).get(a.get("assignment_id"), "") if a.get("assignment_id") else "practice",
                    "Score": round(float(a.get("total") or 0), 1),
                    "Minutes": str(round(dur / 60)) if isinstance(dur, (int, float)) else "—"})
    return out
