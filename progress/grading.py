"""Instructor score overrides (with an audit trail the learner sees) and score disputes.

An override changes one item's score; the attempt's component scores are recomputed from its
items, and its total moves by the change in `weighted_total` (so a total the scorer computed its
own way is kept, and only the instructor's correction is added). Every override is a row in
`score_overrides`: who, when, why, old and new item score and total.

A dispute is opened by the learner on one item of their own attempt once its key may be shown
(`integrity.key_visible`: disputing an item would otherwise reveal it), and ruled by an instructor
who owns one of the learner's cohorts (or an admin): open -> accepted | rejected, with a ruling.
Accepting applies an override (full credit unless `new_score` says otherwise).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlite_utils import Database

from progress.attempts import (component_scores, current_items, is_number, original_report,
                               report_items, report_total, report_weights, weighted_total)
from progress.authz import Actor, learner_scope, require_attempt_read, require_grader, subject_filter
from progress.db import as_utc, iso, one, resolve, rows, utcnow, write
from progress.errors import NotFound, PermissionDenied, ValidationError
from progress.integrity import attempt_key_state

DISPUTE_STATUSES = ("open", "accepted", "rejected")


def _text(value: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value[:limit]


def _item(db: Database, attempt_id: int, item_idx: int) -> dict:
    item = one(db, """SELECT score, max_score FROM attempt_items
                      WHERE attempt_id = ? AND idx = ?""", [attempt_id, item_idx])
    if item is None:
        raise NotFound("That attempt has no such item.")
    return item


# ----------------------------------------------------------------------------- overrides
def override_item(actor: Actor, attempt_id: int, item_idx: int, new_score: float, reason: str, *,
                  now: datetime | None = None, db: Database | None = None) -> dict:
    """Change one item's score (an instructor of the learner, or an admin); returns the audit row."""
    db = resolve(db)
    attempt = require_attempt_read(db, actor, attempt_id)
    require_grader(db, actor, attempt["user_id"])
    reason = _text(reason, "Give a reason for the override.")
    with write(db):
        return _apply_override(db, actor, attempt_id, item_idx, new_score, reason, now)


def _apply_override(db: Database, actor: Actor, attempt_id: int, item_idx: int, new_score: float,
                    reason: str, now: datetime | None) -> dict:
    """Inside the caller's transaction: update the item, the attempt's scores, the audit trail."""
    item = _item(db, attempt_id, item_idx)
    if not is_number(new_score) or not 0 <= new_score <= item["max_score"]:
        raise ValidationError(f"The new score must be between 0 and {item['max_score']:g}.")
    if float(new_score) == item["score"]:
        raise ValidationError("That is already the item's score.")
    old_total = one(db, "SELECT total FROM attempts WHERE id = ?", [attempt_id])["total"]
    db.execute("UPDATE attempt_items SET score = ? WHERE attempt_id = ? AND idx = ?",
               [float(new_score), attempt_id, item_idx])
    total, components = _rescore(db, attempt_id, original_report(db, attempt_id))
    db.execute(f"""UPDATE attempts SET total = ?, {", ".join(f"score_{c} = ?" for c in components)}
                   WHERE id = ?""", [total, *components.values(), attempt_id])
    db.execute("UPDATE attempt_topics SET total = ? WHERE attempt_id = ?", [total, attempt_id])
    override_id = db.execute(
        """INSERT INTO score_overrides (attempt_id, item_idx, old_score, new_score, old_total,
                                        new_total, by_user, at, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [attempt_id, item_idx, item["score"], float(new_score), old_total, total,
         actor.user_id, iso(now), reason]).lastrowid
    return one(db, "SELECT * FROM score_overrides WHERE id = ?", [override_id])


def _rescore(db: Database, attempt_id: int, report: dict) -> tuple[float, dict]:
    """The attempt's total and component scores from its current items."""
    original = report_items(report)
    items = current_items(db, attempt_id)
    weights = report_weights(report)
    change = weighted_total(items, weights) - weighted_total(original, weights)
    total = min(100.0, max(0.0, report_total(report, original) + change))
    return total, component_scores(items)


# ----------------------------------------------------------------------------- disputes
def open_dispute(actor: Actor, attempt_id: int, item_idx: int, argument: str, *,
                 now: datetime | None = None, db: Database | None = None) -> dict:
    """The learner disputes one item of their own attempt."""
    db = resolve(db)
    attempt = require_attempt_read(db, actor, attempt_id)
    if attempt["user_id"] != actor.user_id:
        raise PermissionDenied("Only the learner who made an attempt can dispute it.")
    visible, note = attempt_key_state(db, actor, attempt, as_utc(now or utcnow()))
    if not visible:
        raise ValidationError(f"You can dispute an item once its answer key is shown. {note}")
    argument = _text(argument, "Explain why you think this item was scored wrongly.")
    _item(db, attempt_id, item_idx)
    try:
        with write(db):
            dispute_id = db.execute(
                """INSERT INTO disputes (attempt_id, item_idx, user_id, argument, opened_at)
                   VALUES (?, ?, ?, ?, ?)""",
                [attempt_id, item_idx, actor.user_id, argument, iso(now)]).lastrowid
    except sqlite3.IntegrityError:
        raise ValidationError("You already have an open dispute on this item.") from None
    return _dispute(db, dispute_id)


def _dispute(db: Database, dispute_id: int) -> dict:
    dispute = one(db, "SELECT * FROM disputes WHERE id = ?", [dispute_id])
    if dispute is None:
        raise NotFound("That dispute does not exist.")
    return dispute


def rule_dispute(actor: Actor, dispute_id: int, *, accept: bool, ruling: str,
                 new_score: float | None = None, now: datetime | None = None,
                 db: Database | None = None) -> dict:
    """Accept or reject an open dispute with a written ruling; accepting overrides the item's
    score to `new_score` (default: full credit)."""
    db = resolve(db)
    dispute = _dispute(db, dispute_id)
    require_grader(db, actor, dispute["user_id"])
    ruling = _text(ruling, "Write a ruling the learner can read.")
    attempt_id, item_idx = dispute["attempt_id"], dispute["item_idx"]
    with write(db):
        ruled = db.execute("""UPDATE disputes SET status = ?, ruling = ?, ruled_by = ?, ruled_at = ?
                              WHERE id = ? AND status = 'open'""",
                           ["accepted" if accept else "rejected", ruling, actor.user_id, iso(now),
                            dispute_id]).rowcount
        if not ruled:
            raise ValidationError("That dispute has already been ruled on.")
        item = _item(db, attempt_id, item_idx)
        target = item["max_score"] if new_score is None else new_score
        if accept and target != item["score"]:
            _apply_override(db, actor, attempt_id, item_idx, target, now=now,
                            reason=f"Dispute #{dispute_id} accepted: {ruling}")
    return _dispute(db, dispute_id)


def list_disputes(actor: Actor, *, status: str | None = "open", cohort_id: int | None = None,
                  now: datetime | None = None, db: Database | None = None) -> list[dict]:
    """Disputes with their item and learner: a learner's own; an instructor's learners' (one
    cohort or all they own); everyone's for an admin. `status=None` lists every status."""
    db = resolve(db)
    if actor.is_staff:
        where, params = learner_scope(db, actor, cohort_id=cohort_id, column="d.user_id")
    else:
        where, params = subject_filter(db, actor, column="d.user_id")
    if status is not None:
        if status not in DISPUTE_STATUSES:
            raise ValidationError(f"Status must be one of: {', '.join(DISPUTE_STATUSES)}.")
        where += " AND d.status = ?"
        params.append(status)
    found = rows(db, f"""SELECT d.*, u.username, u.display_name, a.scenario_id, a.seed,
                                a.assignment_id, i.component, i.label, i.expected, i.entered,
                                i.status AS item_status, i.score, i.max_score
                         FROM disputes d JOIN users u ON u.id = d.user_id
                         JOIN attempts a ON a.id = d.attempt_id
                         JOIN attempt_items i ON i.attempt_id = d.attempt_id AND i.idx = d.item_idx
                         WHERE {where} ORDER BY d.opened_at, d.id""", params)
    now = as_utc(now or utcnow())
    return found if actor.is_staff else [_for_learner(db, actor, d, now) for d in found]


_KEY_FIELDS = ("expected", "item_status", "score", "max_score")


def _for_learner(db: Database, actor: Actor, dispute: dict, now: datetime) -> dict:
    """A learner's dispute without the item's key while that attempt's key is hidden."""
    attempt = {"assignment_id": dispute["assignment_id"], "scenario_id": dispute["scenario_id"],
               "seed": dispute["seed"]}
    if attempt_key_state(db, actor, attempt, now)[0]:
        return dispute
    return {**dispute, **dict.fromkeys(_KEY_FIELDS)}
