"""Pairing the learner's codes with the key's: exact matches first, then near misses.

Pairing is greedy on similarity and fully deterministic: ties are broken by the key's order
and then by the entered code's text (never by the order the learner typed secondary codes in,
so reordering them cannot change a score).
"""
from __future__ import annotations

from dataclasses import dataclass

SUBCATEGORY, CATEGORY = 2, 1
LEVEL_NOTES = {SUBCATEGORY: "same subcategory", CATEGORY: "same category"}


@dataclass(frozen=True)
class Pair:
    key_index: int
    entered_index: int
    similarity: float       # 1.0 exact; below 1 a near miss
    level: int = 0          # diagnoses: SUBCATEGORY / CATEGORY for near misses
    via: str = ""           # the accepted key code the entered code matched or was closest to

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


def dx_level(entered: str, target: str) -> int:
    """How close two different ICD-10-CM codes are: same subcategory, same category, or 0."""
    if not entered or not target or entered[:3] != target[:3]:
        return 0
    return SUBCATEGORY if len(entered) >= 4 and len(target) >= 4 and entered[:4] == target[:4] else CATEGORY


def dx_similarity(entered: str, accepted) -> tuple[float, int, str]:
    """(similarity, level, closest accepted code): 1.0 for an accepted code, else by level."""
    if entered in accepted:
        return 1.0, 0, entered
    best = max(((dx_level(entered, a), a) for a in sorted(accepted)), default=(0, ""))
    return best[0] / 3.0, best[0], best[1]


def pcs_similarity(entered: str, target: str, weights) -> float:
    """Share of the character weights on which two 7-character PCS codes agree."""
    if len(entered) != 7 or len(target) != 7:
        return 0.0
    total = sum(weights)
    return sum(w for a, b, w in zip(entered, target, weights) if a == b) / total if total else 0.0


def greedy(keys, entered, similarity, minimum: float = 1e-9) -> list[Pair]:
    """Pair key items with entered codes, best similarity first, each used at most once.

    `keys` is a list of accepted-code sets, `entered` a list of canonical codes ("" for an
    unusable entry), `similarity(code, accepted) -> (sim, level, via)`.
    """
    cands = []
    for ki, accepted in enumerate(keys):
        for ei, code in enumerate(entered):
            if not code:
                continue
            sim, level, via = similarity(code, accepted)
            if sim >= minimum:
                cands.append((-sim, ki, code, ei, level, via))
    cands.sort(key=lambda c: c[:3])
    used_k, used_e, pairs = set(), set(), []
    for neg, ki, _code, ei, level, via in cands:
        if ki in used_k or ei in used_e:
            continue
        used_k.add(ki)
        used_e.add(ei)
        pairs.append(Pair(ki, ei, -neg, level, via))
    return sorted(pairs, key=lambda p: p.key_index)
