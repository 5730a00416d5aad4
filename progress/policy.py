"""Attempt policies of assignments, and the pure rules that read them (no database here).

An instructor sets, per assignment (columns added by migration 0004_integrity):
- `max_attempts`: attempts allowed per case (None: no limit);
- `counts`: which attempt the gradebook counts per case: "best", "last" or "first";
- `key_shown`: when a learner may see the answer key of their attempt: "after_attempt" (right
  after submitting), "after_due" (once the due date has passed) or "on_release" (only when the
  instructor releases it; `integrity.release_key`);
- `exam_mode`: the key is never shown before the window closes (the due date, or the release),
  whatever `key_shown` says; assignments with the exam rubric start in exam mode.

The default (`AttemptPolicy()`, also the columns' SQL defaults) is one attempt, the first counts,
key after the due date. "Show the key and try again" is the default only for practice cases,
which belong to no assignment. Releasing the key closes the assignment to new attempts: nobody
can submit an answer after reading the key.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from progress.db import parse_iso
from progress.errors import ValidationError

COUNTS = ("best", "last", "first")
KEY_SHOWN = ("after_attempt", "after_due", "on_release")
MAX_ATTEMPTS_LIMIT = 100


@dataclass(frozen=True)
class AttemptPolicy:
    """What an instructor decides about attempts at an assignment's cases (see module docstring)."""
    max_attempts: int | None = 1
    counts: str = "first"
    key_shown: str = "after_due"
    exam_mode: bool = False

    def __post_init__(self):
        limit = self.max_attempts
        if limit is not None and (type(limit) is not int or not 1 <= limit <= MAX_ATTEMPTS_LIMIT):
            raise ValidationError(f"Attempts allowed must be a whole number from 1 to {MAX_ATTEMPTS_LIMIT} "
                                  "(or no limit).")
        if self.counts not in COUNTS:
            raise ValidationError(f"The attempt that counts must be one of: {', '.join(COUNTS)}.")
        if self.key_shown not in KEY_SHOWN:
            raise ValidationError(f"When the key is shown must be one of: {', '.join(KEY_SHOWN)}.")
        if not isinstance(self.exam_mode, bool):
            raise ValidationError("Exam mode is on or off.")
        if self.exam_mode and self.key_shown == "after_attempt":
            raise ValidationError("In exam mode the key is shown after the due date or when you release it, "
                                  "not after each attempt.")

    @classmethod
    def from_row(cls, row: dict) -> "AttemptPolicy":
        return cls(max_attempts=row["max_attempts"], counts=row["counts"], key_shown=row["key_shown"],
                   exam_mode=bool(row["exam_mode"]))

    def columns(self) -> dict:
        """The assignments columns that store this policy."""
        return {**asdict(self), "exam_mode": int(self.exam_mode)}


def when(stamp: str | None) -> str:
    """A stored timestamp as people read it: "2026-12-10 23:45 UTC"."""
    return parse_iso(stamp).strftime("%Y-%m-%d %H:%M UTC") if stamp else ""


def has_opened(assignment: dict, now: datetime) -> bool:
    """True once the assignment's opening date (if any) has come."""
    return not assignment["opens_at"] or parse_iso(assignment["opens_at"]) <= now


def is_past_due(assignment: dict, now: datetime) -> bool:
    return bool(assignment["due_at"]) and parse_iso(assignment["due_at"]) <= now


def key_state(assignment: dict, now: datetime) -> tuple[bool, str]:
    """(may a learner see the key of an attempt at this assignment now?, the sentence saying when
    they will). `assignment` is an assignments row (policy columns included)."""
    if assignment["key_released_at"]:
        return True, "Your instructor has released the answer key."
    exam = bool(assignment["exam_mode"])
    if assignment["key_shown"] == "after_attempt" and not exam:
        return True, "The answer key is shown after each attempt."
    if assignment["key_shown"] != "on_release" and is_past_due(assignment, now):
        return True, "The answer key is shown now that the assignment is past its due date."
    if assignment["key_shown"] == "on_release" or not assignment["due_at"]:
        return False, "The answer key is shown when your instructor releases it."
    return False, f"The answer key is shown after the due date ({when(assignment['due_at'])})."


def closed_reason(assignment: dict, now: datetime) -> str:
    """Why the assignment takes no more attempts now ("" while it does)."""
    if not has_opened(assignment, now):
        return f"This assignment opens at {when(assignment['opens_at'])}."
    if assignment["key_released_at"]:
        return "The answer key of this assignment has been released, so it takes no more attempts."
    if is_past_due(assignment, now):
        return f"This assignment was due at {when(assignment['due_at'])}; it takes no more attempts."
    return ""
