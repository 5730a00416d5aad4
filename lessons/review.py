"""Spaced review with Leitner boxes 1-5.

A missed item enters (or falls back to) box 1; each correct review moves it up one box. An item
in box b comes back INTERVALS[b-1] days after its last review. Items can be bank questions,
lesson check questions or teaching points: `kind` tells them apart and `key` is unique across kinds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

INTERVALS = (1, 2, 4, 8, 16)   # days until the next review, for boxes 1..5
BOXES = len(INTERVALS)
KINDS = ("question", "check", "teaching_point")


def _day(today: date | datetime) -> date:
    return today.date() if isinstance(today, datetime) else today


def interval(box: int) -> int:
    """Days between reviews for a box (1..5)."""
    if not 1 <= box <= BOXES:
        raise ValueError(f"box must be 1..{BOXES}")
    return INTERVALS[box - 1]


@dataclass(frozen=True)
class BoxState:
    item_id: str
    kind: str
    box: int
    due: date
    last_reviewed: date | None = None
    reviews: int = 0
    lapses: int = 0

    @property
    def key(self) -> str:
        """Unique across kinds: 'question:hr-001', 'teaching_point:sepsis_seq'."""
        return f"{self.kind}:{self.item_id}"

    def to_dict(self) -> dict:
        return {"item_id": self.item_id, "kind": self.kind, "box": self.box, "due": self.due.isoformat(),
                "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
                "reviews": self.reviews, "lapses": self.lapses}

    @classmethod
    def from_dict(cls, d: dict) -> "BoxState":
        return cls(item_id=d["item_id"], kind=d["kind"], box=int(d["box"]), due=date.fromisoformat(d["due"]),
                   last_reviewed=date.fromisoformat(d["last_reviewed"]) if d.get("last_reviewed") else None,
                   reviews=int(d.get("reviews", 0)), lapses=int(d.get("lapses", 0)))


def start(item_id: str, kind: str, today: date | datetime) -> BoxState:
    """A newly missed item: box 1, due after box 1's interval."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    day = _day(today)
    return BoxState(item_id, kind, 1, day + timedelta(days=interval(1)), last_reviewed=day, reviews=1, lapses=1)


def update(state: BoxState, correct: bool, today: date | datetime) -> BoxState:
    """The state after one review: correct moves up a box (at most 5), a miss goes back to box 1;
    the next review is the new box's interval after today."""
    day = _day(today)
    box = min(state.box + 1, BOXES) if correct else 1
    return replace(state, box=box, due=day + timedelta(days=interval(box)), last_reviewed=day,
                   reviews=state.reviews + 1, lapses=state.lapses + (0 if correct else 1))


def record(states: Mapping[str, BoxState], item_id: str, kind: str, correct: bool,
           today: date | datetime) -> BoxState | None:
    """Apply one answer to the learner's states (keyed by BoxState.key): the updated state, a new
    box-1 state for a first miss, or None for a first-time correct answer (nothing to review)."""
    current = states.get(f"{kind}:{item_id}")
    if current is not None:
        return update(current, correct, today)
    return None if correct else start(item_id, kind, today)


def due(items: Iterable[BoxState], today: date | datetime) -> list[BoxState]:
    """Items due on or before today: most overdue first, then lower boxes (weaker) first."""
    day = _day(today)
    return sorted((s for s in items if s.due <= day), key=lambda s: (s.due, s.box, s.key))


def due_counts(items: Iterable[BoxState], today: date | datetime) -> dict[str, int]:
    """How many items of each kind are due, for the learner's home page."""
    counts: dict[str, int] = {}
    for s in due(items, today):
        counts[s.kind] = counts.get(s.kind, 0) + 1
    return counts
