"""`Part`: what a component module hands back before weighting - items scored in units
(one blank = 1 unit) and the feedback it produced."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .report import Feedback, Item


@dataclass(frozen=True)
class Part:
    name: str
    items: tuple = ()        # Item, score/max in units
    feedback: tuple = ()     # Feedback
    note: str = ""

    @property
    def earned(self) -> float:
        return sum(i.score for i in self.items)

    @property
    def units(self) -> float:
        return sum(i.max for i in self.items)

    @property
    def fraction(self) -> float:
        """Earned share of this component, clamped to [0, 1]; 0 when there is nothing to score."""
        return min(1.0, max(0.0, self.earned / self.units)) if self.units > 0 else 0.0


def item(component: str, expected: str, entered: str, status: str, score: float = 0.0,
         max_: float = 1.0, label: str = "", note: str = "") -> Item:
    """An Item in units; `score` is clamped to [0, max_]."""
    return Item(component=component, expected=expected, entered=entered, status=status,
                score=min(max(score, 0.0), max_), max=max_, label=label, note=note)


class ItemIndex:
    """Where a report scores each learner entry and each key code, so the code-book checks (which
    look at the whole claim, not at one item) can say which scored item their feedback is about.
    A code scored twice (the principal procedure: its sequencing item, then its code item) maps to
    the later item, the one that scores the code itself."""

    def __init__(self, items):
        self._entered = {(i.component, i.entered): n for n, i in enumerate(items) if i.entered}
        self._expected = {(i.component, i.expected): n for n, i in enumerate(items) if i.expected}

    def entry(self, component: str, shown: str) -> int | None:
        """The item that scores what the learner entered as `shown` in `component`."""
        return self._entered.get((component, shown))

    def key_code(self, shown: str, *components: str) -> int | None:
        """The item that scores the key's code `shown`, in the first of `components` that has one."""
        return next((self._expected[(c, shown)] for c in components if (c, shown) in self._expected), None)


def about(index: int, fbs) -> list[Feedback]:
    """`fbs` marked as explaining the part's item number `index` (0-based, in the part's items)."""
    return [replace(f, item=index) for f in fbs]


def extras(component: str, unmatched: list[tuple[str, str]], entered: int, key_count: int,
           label: str = "") -> list[Item]:
    """Items for entered codes that match nothing in the key, as (shown, note) pairs.

    Credit is correct / max(entered, key): together the extras are worth max(0, entered - key)
    units, spread evenly, so a wrong code costs points once the learner has entered more codes
    than the key holds (before that, the key item it displaced is already scored as missing).
    """
    if not unmatched:
        return []
    each = max(0, entered - key_count) / len(unmatched)
    return [item(component, "", shown, "extra", 0.0, each, label, note) for shown, note in unmatched]
