"""Attempts (submitted cases) with their per-item results and topics, and drafts.

The scorer's report is a dict (or an object with `to_dict()`) holding at least
`items`: a list of `{"component": "pdx"|"sdx"|"poa"|"pcs"|"drg"|"abstraction",
"expected": code or None, "entered": code or None,
"status": "correct"|"near_miss"|"missing"|"extra"|"wrong", "score": float, "max": float}`
(plus an optional `label`, e.g. "Discharge disposition"), and optionally `total` (0-100),
`weights` ({component: weight}) and `rubric` ({"id", "version"}), as `scoring.ScoreReport.to_dict()`
gives them. Without `total`, the total is computed from the items (see `weighted_total`); the
scorer's items are already in points out of 100, so both agree.

`save_attempt` stores the attempt (scores in `attempts`; the answer and report JSON in
`attempt_payloads`, so the table every dashboard scans stays narrow), one `attempt_items` row per
report item (for item analysis) and one `attempt_topics` row per topic (the teaching point ids
of the case's key, `case_ref`, for mastery per topic; each row repeats the learner and the attempt's total, kept in step by
overrides, so topic mastery is one covering-index scan) in one transaction, and removes the
matching draft. It is idempotent on `submission_id`: the UI makes one
when the case opens, so a double click or a retried request stores the attempt once. It refuses
what `integrity.case_access` refuses (before the opening date, after the due date or the key's
release, beyond the attempts allowed, a practice copy of an assignment case), deciding inside its
write transaction so that concurrent submissions cannot pass the limit together.

`get_attempt` gives a learner the answer key of an attempt (the report, the per-item results)
only when `integrity.key_visible` says so; otherwise `report` is `{}`, `items` is `[]`,
`key_visible` is False and `key_note` says when the key will be shown.
"""
from __future__ import annotations

import json
import math
import uuid
from datetime import datetime
from typing import Any, Iterable

from sqlite_utils import Database

from progress.authz import Actor, require_attempt_read, subject_filter
from progress.db import as_utc, iso, one, parse_iso, plain, resolve, rows, to_json, utcnow, write
from progress.errors import ValidationError
from progress.integrity import attempt_key_state, require_submittable

COMPONENTS = ("pdx", "sdx", "poa", "pcs", "drg", "abstraction")
ITEM_STATUSES = ("correct", "near_miss", "missing", "extra", "wrong")
SUMMARY_COLUMNS = ("id, user_id, scenario_id, seed, generator_version, assignment_id, started_at, "
                   "submitted_at, duration_s, total, "
                   + ", ".join(f"score_{c}" for c in COMPONENTS) + ", rubric_version, mdc")


# ----------------------------------------------------------------------------- reports
def report_items(report: Any) -> list[dict]:
    """The validated per-item results of a scorer report, in report order."""
    report = plain(report)
    items = report.get("items") if isinstance(report, dict) else None
    if not isinstance(items, list):
        raise ValidationError("The score report has no list of items.")
    return [_item(i, n) for n, i in enumerate(items)]


def _item(item: Any, n: int) -> dict:
    if not isinstance(item, dict):
        raise ValidationError(f"Report item {n} is not an object.")
    score, maximum = _number(item.get("score"), n), _number(item.get("max"), n)
    if item.get("component") not in COMPONENTS or item.get("status") not in ITEM_STATUSES:
        raise ValidationError(f"Report item {n} has an unknown component or status.")
    if not 0 <= score <= maximum:
        raise ValidationError(f"Report item {n} scores {score} out of {maximum}.")
    return {"component": item["component"], "label": str(item.get("label") or "")[:200],
            "expected": _code(item.get("expected")), "entered": _code(item.get("entered")),
            "status": item["status"], "score": score, "max": maximum}


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any, n: int) -> float:
    if not is_number(value):
        raise ValidationError(f"Report item {n} needs numeric score and max.")
    return float(value)


def _code(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def component_scores(items: Iterable[dict]) -> dict[str, float | None]:
    """Percent score per component (None where the case has nothing to score)."""
    points = {c: [0.0, 0.0] for c in COMPONENTS}
    for item in items:
        points[item["component"]][0] += item["score"]
        points[item["component"]][1] += item["max"]
    return {c: (100 * got / out_of if out_of else None) for c, (got, out_of) in points.items()}


def weighted_total(items: list[dict], weights: dict | None = None) -> float:
    """0-100: the weighted mean of component percents when `weights` is given, else points
    scored over points available."""
    if weights:
        parts = [(float(weights.get(c, 0)), pct) for c, pct in component_scores(items).items()
                 if pct is not None]
        denominator = sum(w for w, _ in parts)
        return sum(w * pct for w, pct in parts) / denominator if denominator else 0.0
    available = sum(i["max"] for i in items)
    return 100 * sum(i["score"] for i in items) / available if available else 0.0


def report_weights(report: dict) -> dict | None:
    """The report's component weights, if any (validated: non-negative numbers)."""
    weights = report.get("weights")
    if weights is None:
        return None
    if not isinstance(weights, dict) or not all(is_number(w) and w >= 0 for w in weights.values()):
        raise ValidationError("The report weights must map components to non-negative numbers.")
    return weights


def report_total(report: dict, items: list[dict]) -> float:
    """The scorer's `total` if it gave one, else `weighted_total` of the items."""
    total = report.get("total")
    if total is None:
        return weighted_total(items, report_weights(report))
    if not is_number(total) or not 0 <= total <= 100:
        raise ValidationError("The report total must be a number from 0 to 100.")
    return float(total)


def case_ref(case: Any) -> dict:
    """The `save_attempt` keyword arguments that describe a `cases.model.Case` or a
    `scoring.ScoredCase`. Its topics are the teaching points of the case's key, one per decision
    the case contains, so an attempt is credited only to what the case asked of the learner (the
    scenario's own topic list names every variant's topics: a simple pneumonia would count
    towards COPD and respiratory failure)."""
    return {"scenario_id": case.scenario_id, "seed": case.seed,
            "generator_version": case.generator_version, "mdc": case.mdc, "topics": case_topics(case)}


def case_topics(case: Any) -> tuple[str, ...]:
    """The teaching point ids of a Case's key (or of a ScoredCase, which holds no key), each once."""
    key = getattr(case, "key", None)
    points = key.teaching_points if key is not None else getattr(case, "teaching_points", ())
    return tuple(dict.fromkeys(getattr(tp, "id", tp) for tp in points or ()))


# ----------------------------------------------------------------------------- saving
def save_attempt(actor: Actor, *, scenario_id: str, seed: int, generator_version: str,
                 answer: Any, report: Any, submission_id: str | None = None,
                 assignment_id: int | None = None, started_at: datetime | None = None,
                 submitted_at: datetime | None = None, mdc: int | None = None,
                 topics: Iterable[str] = (), rubric_version: str | None = None,
                 now: datetime | None = None, db: Database | None = None) -> int:
    """Store the actor's scored attempt and return its id (the existing id if `submission_id`
    was already stored). `started_at` defaults to when the matching draft was started. The
    assignment's window and attempt limit are checked at `now` (default: the clock), whatever
    `submitted_at` says (operator tools and tests may record a past submission time)."""
    if not isinstance(scenario_id, str) or not scenario_id or type(seed) is not int:
        raise ValidationError("An attempt needs a scenario id and an integer seed.")
    db = resolve(db)
    report = plain(report)
    items = report_items(report)
    total = report_total(report, items)
    now = as_utc(now or utcnow())
    submitted_at = as_utc(submitted_at or now)
    submission_id = submission_id or uuid.uuid4().hex
    with write(db):
        existing = _existing_attempt(db, actor, submission_id)
        if existing is not None:
            return existing
        require_submittable(db, actor, scenario_id, seed, assignment_id, now)
        draft_start = _take_draft(db, actor.user_id, scenario_id, seed, assignment_id)
        if started_at is None and draft_start:
            started_at = parse_iso(draft_start)
        attempt_id = _insert(db, "attempts", {
            "submission_id": submission_id, "user_id": actor.user_id, "scenario_id": scenario_id,
            "seed": int(seed), "generator_version": generator_version, "assignment_id": assignment_id,
            **_timing(started_at, submitted_at), "total": total,
            **{f"score_{c}": pct for c, pct in component_scores(items).items()},
            "rubric_version": rubric_version or _rubric_version(report), "mdc": mdc})
        _insert(db, "attempt_payloads", {"attempt_id": attempt_id, "answer_json": to_json(answer),
                                         "report_json": to_json(report)})
        _insert_details(db, attempt_id, actor.user_id, total, items, topics)
    return attempt_id


def _timing(started_at: datetime | None, submitted_at: datetime) -> dict:
    started_at = as_utc(started_at) if started_at else None
    duration = max(0.0, (submitted_at - started_at).total_seconds()) if started_at else None
    return {"started_at": iso(started_at) if started_at else None,
            "submitted_at": iso(submitted_at), "duration_s": duration}


def _rubric_version(report: dict) -> str:
    """"id@version" of the report's rubric ({"rubric": {"id", "version"}}), or ""."""
    rubric = report.get("rubric")
    if not isinstance(rubric, dict):
        return ""
    return "@".join(str(rubric[k]) for k in ("id", "version") if rubric.get(k) not in (None, ""))


def _insert(db: Database, table: str, row: dict) -> int:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())).lastrowid


def _existing_attempt(db: Database, actor: Actor, submission_id: str) -> int | None:
    row = one(db, "SELECT id, user_id FROM attempts WHERE submission_id = ?", [submission_id])
    if row is not None and row["user_id"] != actor.user_id:
        raise ValidationError("That submission id belongs to another attempt.")
    return row["id"] if row else None


def _insert_details(db: Database, attempt_id: int, user_id: int, total: float, items: list[dict],
                    topics: Iterable[str]) -> None:
    db.conn.executemany(
        """INSERT INTO attempt_items (attempt_id, idx, component, label, expected, entered,
                                      status, score, max_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(attempt_id, n, i["component"], i["label"], i["expected"], i["entered"], i["status"],
          i["score"], i["max"]) for n, i in enumerate(items)])
    db.conn.executemany(
        "INSERT OR IGNORE INTO attempt_topics (attempt_id, topic, user_id, total) VALUES (?, ?, ?, ?)",
        [(attempt_id, str(t), user_id, total) for t in topics if t])


# ----------------------------------------------------------------------------- reading
def get_attempt(actor: Actor, attempt_id: int, *, now: datetime | None = None,
                db: Database | None = None) -> dict:
    """One attempt in full: answer, report, current item scores, topics, the override audit
    trail and disputes; for a learner, the report and items only once the key may be shown
    (see the module docstring)."""
    db = resolve(db)
    visible, note = attempt_key_state(db, actor, require_attempt_read(db, actor, attempt_id),
                                      as_utc(now or utcnow()))
    attempt = one(db, """SELECT a.*, p.answer_json, p.report_json FROM attempts a
                         JOIN attempt_payloads p ON p.attempt_id = a.id WHERE a.id = ?""", [attempt_id])
    attempt["answer"] = json.loads(attempt.pop("answer_json"))
    report_json = attempt.pop("report_json")
    attempt["key_visible"], attempt["key_note"] = visible, note
    attempt["report"] = json.loads(report_json) if visible else {}
    attempt["items"] = current_items(db, attempt_id) if visible else []
    attempt["topics"] = [r["topic"] for r in rows(
        db, "SELECT topic FROM attempt_topics WHERE attempt_id = ? ORDER BY topic", [attempt_id])]
    attempt["overrides"] = rows(db, """SELECT o.*, u.display_name AS by_name FROM score_overrides o
                                       JOIN users u ON u.id = o.by_user
                                       WHERE o.attempt_id = ? ORDER BY o.id""", [attempt_id])
    attempt["disputes"] = rows(db, "SELECT * FROM disputes WHERE attempt_id = ? ORDER BY id",
                               [attempt_id])
    return attempt


def original_report(db: Database, attempt_id: int) -> dict:
    """The scorer's report as it was stored (overrides never change it)."""
    return json.loads(one(db, "SELECT report_json FROM attempt_payloads WHERE attempt_id = ?",
                          [attempt_id])["report_json"])


def current_items(db: Database, attempt_id: int) -> list[dict]:
    """An attempt's items with their current (possibly overridden) scores, in report order."""
    return rows(db, """SELECT idx, component, label, expected, entered, status, score,
                              max_score AS max FROM attempt_items WHERE attempt_id = ? ORDER BY idx""", [attempt_id])


def list_attempts(actor: Actor, user_id: int | None = None, *, assignment_id: int | None = None,
                  scenario_id: str | None = None, limit: int = 100, offset: int = 0,
                  db: Database | None = None) -> list[dict]:
    """Attempt summaries (no answer/report), newest first: the actor's own, or `user_id`'s."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, column="user_id")
    for column, value in (("assignment_id", assignment_id), ("scenario_id", scenario_id)):
        if value is not None:
            where += f" AND {column} = ?"
            params.append(value)
    return rows(db, f"""SELECT {SUMMARY_COLUMNS} FROM attempts WHERE {where}
                        ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?""",
                params + [int(limit), int(offset)])


# ----------------------------------------------------------------------------- drafts
_DRAFT_KEY = "user_id = ? AND scenario_id = ? AND seed = ? AND ifnull(assignment_id, 0) = ?"


def _draft_params(user_id: int, scenario_id: str, seed: int, assignment_id: int | None) -> list:
    return [user_id, scenario_id, int(seed), assignment_id or 0]


def _take_draft(db: Database, user_id: int, scenario_id: str, seed: int,
                assignment_id: int | None) -> str | None:
    """Delete the draft of this case, returning when it was started."""
    row = db.execute(f"DELETE FROM drafts WHERE {_DRAFT_KEY} RETURNING started_at",
                     _draft_params(user_id, scenario_id, seed, assignment_id)).fetchone()
    return row[0] if row else None


def save_draft(actor: Actor, *, scenario_id: str, seed: int, answer: Any,
               assignment_id: int | None = None, now: datetime | None = None,
               db: Database | None = None) -> dict:
    """Keep the actor's unfinished answer to a case (survives reloads and signing out); refused
    where an attempt would be (see `integrity.case_access`)."""
    db = resolve(db)
    now = as_utc(now or utcnow())
    with write(db):
        require_submittable(db, actor, scenario_id, seed, assignment_id, now)
        db.execute(
            """INSERT INTO drafts (user_id, scenario_id, seed, assignment_id, answer_json,
                                   started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id, scenario_id, seed, ifnull(assignment_id, 0))
               DO UPDATE SET answer_json = excluded.answer_json, updated_at = excluded.updated_at""",
            [actor.user_id, scenario_id, int(seed), assignment_id, to_json(answer), iso(now), iso(now)])
    return load_draft(actor, scenario_id=scenario_id, seed=seed, assignment_id=assignment_id, db=db)


def _decode_draft(row: dict) -> dict:
    row["answer"] = json.loads(row.pop("answer_json"))
    return row


def load_draft(actor: Actor, *, scenario_id: str, seed: int, assignment_id: int | None = None,
               db: Database | None = None) -> dict | None:
    """The actor's draft of a case (`answer` decoded), or None."""
    row = one(resolve(db), f"SELECT * FROM drafts WHERE {_DRAFT_KEY}",
              _draft_params(actor.user_id, scenario_id, seed, assignment_id))
    return _decode_draft(row) if row else None


def list_drafts(actor: Actor, *, db: Database | None = None) -> list[dict]:
    """The actor's drafts, most recently saved first ("continue where you left off")."""
    return [_decode_draft(r) for r in rows(resolve(db), """SELECT * FROM drafts WHERE user_id = ?
                                           ORDER BY updated_at DESC, id DESC""", [actor.user_id])]


def discard_draft(actor: Actor, *, scenario_id: str, seed: int, assignment_id: int | None = None,
                  db: Database | None = None) -> bool:
    """Delete the actor's draft of a case; True if there was one."""
    db = resolve(db)
    with write(db):
        return _take_draft(db, actor.user_id, scenario_id, seed, assignment_id) is not None
