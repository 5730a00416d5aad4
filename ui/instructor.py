"""Shared widgets and small helpers for the instructor pages (cohorts, assignments, gradebook,
item analysis, drill-down, trends).

Nothing here decides who may see what: every read and write goes through `progress`, which
enforces ownership and raises `PermissionDenied` with a message the page shows as it is.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Callable, Iterable

import pandas as pd
import streamlit as st

import progress
from progress.accounts import USERNAME_RE
from ui.study import md

STATUS_LABEL = {"correct": "✓ correct", "near_miss": "≈ near miss", "missing": "− missing",
                "extra": "+ extra (not in key)", "wrong": "✗ wrong"}
COMPONENT_LABEL = {"abstraction": "Abstraction", "pdx": "Principal dx", "sdx": "Secondary dx",
                   "poa": "POA", "pcs": "Procedures", "drg": "MS-DRG"}
ROSTER_COLUMNS = ("username", "display_name", "password")
SEED_MAX = 999_999


# ----------------------------------------------------------------------------- cohort picker
def cohort_label(cohort: dict, owners: dict[int, str] | None = None) -> str:
    """A label that does not change while the page is open (a selectbox keeps its choice by label)."""
    owner = f" · owner {owners[cohort['owner_id']]}" if owners and cohort.get("owner_id") in owners else ""
    return f"{cohort['name']}{owner}"


def _owner_names(actor: progress.Actor, cohorts: list[dict]) -> dict[int, str]:
    """Admins see every cohort: name the owner so two 'Spring 2026' cohorts can be told apart."""
    if not actor.is_admin:
        return {}
    names = {}
    for owner_id in {c["owner_id"] for c in cohorts}:
        try:
            names[owner_id] = progress.get_user(actor, owner_id).display_name
        except progress.ProgressError:
            continue
    return names


def cohort_picker(actor: progress.Actor, key: str, *, allow_all: bool = False,
                  all_label: str = "All my cohorts") -> dict | None:
    """A cohort selectbox shared by the instructor pages (the choice follows you between pages).
    Returns the cohort dict, `{"id": None}` for "all" (when allowed), or None when there is none."""
    cohorts = progress.list_cohorts(actor)
    if not cohorts:
        st.info("You have no cohorts yet. Create one on the **Cohorts** page, then come back here.")
        st.page_link("ui/pages/cohorts.py", label="Open Cohorts", icon=":material/groups:")
        return None
    owners = _owner_names(actor, cohorts)
    by_id = {c["id"]: c for c in cohorts}
    options: list[int | None] = ([None] if allow_all else []) + list(by_id)
    remembered = st.session_state.get("instructor_cohort")
    widget, seen = f"{key}_cohort", f"{key}_cohort_seen"
    if st.session_state.get(widget, "unset") not in options:
        st.session_state[widget] = remembered if remembered in options else options[1 if allow_all and len(options) > 1 else 0]
    elif remembered in options and st.session_state.get(seen) != remembered:
        st.session_state[widget] = remembered   # chosen on another page, or a cohort just created
    choice = st.selectbox("Cohort", options, key=widget,
                          format_func=lambda cid: all_label if cid is None else cohort_label(by_id[cid], owners))
    if choice not in options:   # a label that no longer matches (renamed elsewhere): start over
        choice = options[1 if allow_all and len(options) > 1 else 0]
    if choice is not None:
        st.session_state["instructor_cohort"] = choice
    st.session_state[seen] = st.session_state.get("instructor_cohort")
    return by_id[choice] if choice is not None else {"id": None, "name": all_label}


def flash(message: str, kind: str = "success") -> None:
    """Keep a message for the next run (a page that calls st.rerun() after a change)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind)(message)


def when(text: str | None) -> str:
    """'2026-03-02T09:00:00Z' -> '2026-03-02 09:00 UTC'; blank for None."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def combine_utc(day: date | None, moment: time | None, default: time) -> datetime | None:
    """A date (and optional time) picked in the UI as an aware UTC datetime, or None."""
    if day is None:
        return None
    return datetime.combine(day, moment or default, tzinfo=timezone.utc)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


# ----------------------------------------------------------------------------- roster CSV
@dataclass
class RosterRow:
    """One data line of an uploaded roster, with everything wrong with it (empty: importable)."""
    line: int
    username: str
    display_name: str = ""
    password: str = ""
    problems: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return "create" if self.password else "enrol"

    @property
    def ok(self) -> bool:
        return not self.problems


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[str]]:
    """Read an uploaded roster: (rows, file-level problems). Columns: username (required),
    display_name and password (optional; a row without a password enrols an existing learner).
    Every row is kept, good or bad, so nothing the instructor typed is lost."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return [], ["The file is empty. The first line must be a header: username,display_name,password"]
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        table = list(reader)
    except csv.Error as exc:
        return [], [f"The file is not valid CSV ({exc}). Check for an unclosed quotation mark."]
    header = [h.strip().lower().replace(" ", "_") for h in table[0]]
    problems = []
    if "username" not in header:
        return [], ["The first line must be a header naming the columns, e.g. `username,display_name,password` "
                    f"(display_name and password are optional). The first line reads: {','.join(table[0])[:120]!r}"]
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        return [], [f"The header names {', '.join(doubled)} twice; each column may appear once."]
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        problems.append(f"Ignored unknown column(s): {', '.join(unknown) or '(blank)'}. "
                        f"Known columns: {', '.join(ROSTER_COLUMNS)}.")
    rows, seen = [], {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, cells))
        row = RosterRow(line, values.get("username", "").strip(), values.get("display_name", "").strip(),
                        values.get("password", "").strip(), raw=cells)
        if len(cells) != len(header):
            row.problems.append(f"has {len(cells)} fields but the header has {len(header)} "
                                "(a comma inside a name needs quotation marks)")
        check_row(row, seen)
        rows.append(row)
    if not rows:
        problems.append("The file has a header but no learners below it.")
    return rows, problems


def check_row(row: RosterRow, seen: dict[str, int] | None = None) -> RosterRow:
    """Add to `row.problems` whatever would stop it being imported (`seen`: usernames met on
    earlier lines of the same file)."""
    seen = {} if seen is None else seen
    if not row.username:
        row.problems.append("the username is empty")
    elif not USERNAME_RE.fullmatch(row.username):
        row.problems.append("usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'")
    elif row.username.casefold() in seen:
        row.problems.append(f"the same username is on line {seen[row.username.casefold()]}")
    else:
        seen[row.username.casefold()] = row.line
    if len(row.display_name) > 80:
        row.problems.append("the display name is longer than 80 characters")
    if row.password and (weak := progress.password_problems(row.password, row.username)):
        row.problems.append("the password is too weak: " + " ".join(weak))
    return row


def mark_unknown(rows: Iterable[RosterRow], known: dict[str, int], join_code: str = "") -> None:
    """Rows without a password must name a learner the actor can enrol; say so in the preview."""
    for row in rows:
        if row.ok and not row.password and row.username.casefold() not in known:
            row.problems.append("no learner with this username is in your cohorts: add a password to create the "
                                "account" + (f", or ask the learner to use Join a cohort with the code {join_code}"
                                             if join_code else ""))


def known_learners(actor: progress.Actor) -> dict[str, int]:
    """{username (casefolded): user id} of learners the actor may enrol by username: an admin,
    every learner; an instructor, the learners already in one of their cohorts."""
    if actor.is_admin:
        return {u["username"].casefold(): u["id"] for u in progress.list_users(actor, role="learner")}
    found = {}
    for cohort in progress.list_cohorts(actor):
        for member in progress.cohort_members(actor, cohort["id"]):
            found[member["username"].casefold()] = member["id"]
    return found


def import_roster(actor: progress.Actor, cohort: dict, rows: Iterable[RosterRow]) -> list[dict]:
    """Create and/or enrol each importable row; one result per row (nothing is silently dropped)."""
    known = known_learners(actor)
    results = []
    for row in rows:
        result = {"line": row.line, "username": row.username, "display_name": row.display_name}
        if not row.ok:
            results.append({**result, "outcome": "not imported", "detail": "; ".join(row.problems), "row": row})
            continue
        try:
            existing = known.get(row.username.casefold())
            if existing is not None:
                progress.add_member(actor, cohort["id"], existing)
                note = " (they already had an account; the password column was ignored)" if row.password else ""
                results.append({**result, "outcome": "enrolled", "detail": "existing learner enrolled" + note})
            elif row.password:
                user = progress.create_user(actor, row.username, row.password, "learner", row.display_name or None)
                progress.add_member(actor, cohort["id"], user.id)
                known[row.username.casefold()] = user.id
                results.append({**result, "outcome": "created", "detail": "account created and enrolled"})
            else:
                results.append({**result, "outcome": "not imported", "row": row, "detail": (
                    "no learner with this username is in your cohorts. Add a password to create the account, "
                    f"or ask the learner to use Join a cohort with the code {cohort.get('join_code', '')}.")})
        except progress.ProgressError as exc:
            results.append({**result, "outcome": "not imported", "detail": str(exc), "row": row})
    return results


def rejected_csv(results: list[dict]) -> str:
    """The rows that were not imported, as a CSV to fix and upload again (with the reason)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*ROSTER_COLUMNS, "line", "problem"])
    for r in results:
        if r["outcome"] == "not imported":
            row = r["row"]
            writer.writerow([row.username, row.display_name, row.password, row.line, r["detail"]])
    return out.getvalue()


def roster_preview(rows: list[RosterRow]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Line": r.line, "Username": r.username, "Display name": r.display_name,
        "Action": "Create account and enrol" if r.action == "create" else "Enrol existing learner",
        "Password": "given" if r.password else "—",
        "Check": "✓ ready" if r.ok else "✗ not imported (see below)"} for r in rows])


# ----------------------------------------------------------------------------- assignments
def filter_scenarios(catalogue: list[dict], mdcs=(), difficulties=(), topics=()) -> list[dict]:
    """Scenarios matching every non-empty filter (a topic matches topics or teaching points)."""
    return [s for s in catalogue
            if (not mdcs or s["mdc"] in mdcs) and (not difficulties or s["difficulty"] in difficulties)
            and (not topics or bool(set(topics) & (set(s["topics"]) | set(s["teaching"]))))]


def plan_cases(scenario_ids: list[str], *, per_scenario: int = 1, pick: int | None = None,
               set_number: int = 1) -> list[dict]:
    """Fixed (scenario, seed) pairs: the same inputs always give the same cases, so every learner
    of the assignment codes the same charts. `pick` spreads N cases over the scenarios in turn."""
    if not scenario_ids:
        return []
    ids = sorted(scenario_ids)
    rng = random.Random(f"chartlab-assignment:{set_number}:{','.join(ids)}")
    if pick is not None:
        order = ids[:]
        rng.shuffle(order)
        sequence = [order[i % len(order)] for i in range(pick)]
    else:
        sequence = [s for s in scenario_ids for _ in range(per_scenario)]
    plan, used = [], set()
    for scenario in sequence:
        seed = rng.randint(1, SEED_MAX)
        while (scenario, seed) in used:
            seed = rng.randint(1, SEED_MAX)
        used.add((scenario, seed))
        plan.append({"scenario": scenario, "seed": seed})
    return plan


def generate_cases(plan: list[dict], library, *, on_progress: Callable[[float, str], None],
                   retries: int = 3) -> tuple[list[dict], list[str]]:
    """Generate and validate every planned case. A case that fails is replaced by the next seed
    of the same scenario (noted); one that keeps failing is left out (noted)."""
    import cases
    from cases.validate import validate_case
    items, notes = [], []
    used = {(p["scenario"], p["seed"]) for p in plan}
    for n, planned in enumerate(plan, start=1):
        scenario, seed = planned["scenario"], planned["seed"]
        rng = random.Random(f"replace:{scenario}:{seed}")
        for attempt in range(retries + 1):
            try:
                problems = validate_case(cases.generate(scenario, seed, library), library)
            except Exception as exc:  # a content error must not stop the whole batch
                problems = [f"{type(exc).__name__}: {exc}"]
            if not problems:
                items.append({"scenario": scenario, "seed": seed})
                break
            if attempt == retries:
                notes.append(f"{scenario}: left out after {retries + 1} seeds failed validation ({problems[0]}).")
                break
            new_seed = rng.randint(1, SEED_MAX)
            while (scenario, new_seed) in used:
                new_seed = rng.randint(1, SEED_MAX)
            used.add((scenario, new_seed))
            notes.append(f"{scenario} seed {seed} failed validation ({problems[0]}); seed {new_seed} is used instead.")
            seed = new_seed
        on_progress(n / len(plan), f"Generated and checked {n} of {len(plan)} cases")
    return items, notes


# ----------------------------------------------------------------------------- scored attempts
def items_frame(items: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "#": i.get("idx", n) + 1, "Component": COMPONENT_LABEL.get(i["component"], i["component"]),
        "Blank": i.get("label") or "", "Key": i.get("expected") or "", "Entered": i.get("entered") or "",
        "Result": STATUS_LABEL.get(i["status"], i["status"]),
        "Score": f"{i['score']:.2f} / {i['max']:.2f}"} for n, i in enumerate(items)])


def show_scored_attempt(attempt: dict, scenario_title: str = "") -> None:
    """An attempt as the learner saw it when scored (the stored report), with current scores."""
    report = attempt["report"] or {}
    original = report.get("total")
    c1, c2, c3, c4 = st.columns(4)
    delta = None if original is None or abs(attempt["total"] - original) < 0.005 else f"{attempt['total'] - original:+.1f} by overrides"
    c1.metric("Total (now)", f"{attempt['total']:.1f}", delta=delta, delta_color="off")
    c2.metric("Scored at submission", f"{original:.1f}" if original is not None else "—")
    c3.metric("Learner's codes group to", f"DRG {report['learner_drg']:03d}" if report.get("learner_drg") else "—")
    c4.metric("Key groups to", f"DRG {report['key_drg']:03d}" if report.get("key_drg") else "—")
    rubric = report.get("rubric") or {}
    st.caption(f"{scenario_title or attempt['scenario_id']} · seed {attempt['seed']} · submitted {when(attempt['submitted_at'])}"
               + (f" · rubric {rubric.get('id')} v{rubric.get('version')}" if rubric else ""))
    if report.get("drg_summary"):
        st.info(md(report["drg_summary"]))
    components = report.get("components") or {}
    if isinstance(components, dict):
        components = list(components.values())
    if components:
        st.markdown("**Components**")
        st.dataframe(pd.DataFrame([{
            "Component": c.get("label") or c.get("name"),
            "Points": f"{c.get('score', 0):.1f} / {c.get('max', 0):.1f}",
            "At submission": pct(c.get("percent")) if c.get("applicable", True) else "not scored",
            "Now": pct(attempt.get(f"score_{c.get('name')}")) if c.get("applicable", True) else "not scored",
        } for c in components]), hide_index=True, width="stretch")
    st.markdown("**Every blank** (current scores; overrides included)")
    st.dataframe(items_frame(attempt["items"]), hide_index=True, width="stretch")
    feedback = report.get("feedback") or []
    if feedback:
        st.markdown("**Feedback the learner received**")
        for f in feedback:
            icon = {"error": "✗", "warning": "!", "hint": "i"}.get(f.get("severity"), "•")
            with st.container(border=True):
                st.markdown(md(f"{icon} **{(f.get('severity') or 'note').title()}** · {f.get('component', '')}: "
                               f"{f.get('message', '')}"))
                if f.get("evidence"):
                    st.caption(md(f"Chart evidence ({f.get('evidence_doc', '')}): “{f['evidence']}”"))
                if f.get("impact"):
                    st.caption(md(f"Impact: {f['impact']}"))


def audit_frame(overrides: list[dict], items: list[dict]) -> pd.DataFrame:
    labels = {i["idx"]: f"#{i['idx'] + 1} {i.get('label') or i['component']} {i.get('expected') or i.get('entered') or ''}".strip()
              for i in items}
    return pd.DataFrame([{
        "When": when(o["at"]), "By": o.get("by_name", ""), "Item": labels.get(o["item_idx"], o["item_idx"]),
        "Item score": f"{o['old_score']:.2f} → {o['new_score']:.2f}",
        "Total": f"{o['old_total']:.1f} → {o['new_total']:.1f}", "Reason": o["reason"]} for o in overrides])
