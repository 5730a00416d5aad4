"""ICD-10-PCS procedures: per-code credit by character, and the principal procedure.

A near miss earns the weighted share of characters that agree (the rubric weighs root
operation, body part, approach and device most); the explanation names each differing
character with its meaning from `codes.pcs.characters`.
"""
from __future__ import annotations

from dataclasses import dataclass

import codes

from . import match as m
from .clean import KeyCode, KeyView, Submission
from .explain import feedback, label, where
from .part import Part, about, extras, item
from .rubric import Rubric

ROOT_OPERATION = 2   # 0-based position of the root operation character
_AXIS_GUIDELINE = {1: "B2", 2: "B3", 3: "B4", 4: "B5", 5: "B6"}   # ICD-10-PCS guideline sections


@dataclass(frozen=True)
class ProcMatch:
    entered: tuple            # Proc, as entered (principal first)
    pairs: tuple              # match.Pair: key index -> entered index
    principal: str            # correct | wrong | missing | "" (the key has no procedures)

    def paired(self) -> dict:
        return {p.key_index: p for p in self.pairs}

    def supported_codes(self) -> frozenset:
        return frozenset(self.entered[p.entered_index].code for p in self.pairs)

    def unpaired(self) -> list:
        used = {p.entered_index for p in self.pairs}
        return [e for i, e in enumerate(self.entered) if i not in used]


def _similarity(weights):
    def sim(code: str, accepted) -> tuple[float, int, str]:
        if code in accepted:
            return 1.0, 0, code
        return max(((m.pcs_similarity(code, a, weights), 0, a) for a in sorted(accepted)), default=(0.0, 0, ""))
    return sim


def match(sub: Submission, key: KeyView, rubric: Rubric) -> ProcMatch:
    entered = sub.procedures
    pairs = m.greedy([k.accepted for k in key.procedures], [p.code for p in entered],
                     _similarity(rubric.pcs_weights), minimum=rubric.partial["pcs_min_similarity"] or 1e-9)
    return ProcMatch(tuple(entered), tuple(pairs), _principal(entered, pairs, key))


def _principal(entered, pairs, key: KeyView) -> str:
    """Sequencing of the principal procedure: is the learner's first procedure the one that
    answers the key's principal procedure (exactly or as a near miss)? Its characters are
    scored separately, on the code item."""
    if not key.procedures:
        return ""
    if not entered:
        return "missing"
    first = next((i for i, p in enumerate(entered) if p.code), None)
    return "correct" if any(p.key_index == 0 and p.entered_index == first for p in pairs) else "wrong"


def _axis_text(pos: int, value: str, chars: dict) -> str:
    c = chars.get(pos + 1)
    if c is None:
        return f"'{value}'"
    meaning = f"'{value}' ({c.meaning}" + (f": {c.definition.rstrip('.')}" if c.definition else "") + ")"
    return meaning


def character_differences(entered: str, expected: str) -> list[str]:
    """One sentence per differing character, with the meanings of both values."""
    mine = {c.position: c for c in codes.pcs.characters(entered)}
    theirs = {c.position: c for c in codes.pcs.characters(expected)}
    out = []
    for pos, (a, b) in enumerate(zip(entered, expected)):
        if a != b:
            ref = f" (PCS guidelines section {_AXIS_GUIDELINE[pos]})" if pos in _AXIS_GUIDELINE else ""
            out.append(f"{codes.pcs.AXES[pos]}: you chose {_axis_text(pos, a, mine)}, the record supports "
                       f"{_axis_text(pos, b, theirs)}{ref}.")
    return out


def root_operation_differs(entered: str, expected: str) -> bool:
    return len(entered) == 7 and len(expected) == 7 and entered[ROOT_OPERATION] != expected[ROOT_OPERATION]


def _near_feedback(code: str, kc: KeyCode, via: str, key: KeyView):
    diffs = " ".join(character_differences(code, via))
    return feedback("near_miss", "pcs",
                    f"{label(code)} is close to {label(via)} but not the same procedure. {diffs} Build the code from "
                    f"what the operative report says was done, one character at a time." + where(kc), key, kc,
                    code=code, expected=kc.display)


def _principal_item(pm: ProcMatch, key: KeyView) -> tuple[list, list]:
    if not pm.principal:
        return [], []
    kc = key.procedures[0]
    first = next((p.display for p in pm.entered), "")
    it = item("pcs", kc.display, first, pm.principal, 1.0 if pm.principal == "correct" else 0.0,
              label="Principal procedure")
    if pm.principal != "wrong" or 0 not in pm.paired():
        return [it], []   # a principal procedure not entered at all is explained as a missed code
    msg = (f"The principal procedure is {label(kc.code)}, which you listed but not first. Under the UHDDS the "
           "principal procedure is the one performed for definitive treatment (not for diagnosis or "
           "exploration) and, when several qualify, the one most related to the principal diagnosis; list it "
           "first." + where(kc))
    return [it], about(0, [feedback("sequencing", "pcs", msg, key, kc, code=first, expected=kc.display)])


def score(pm: ProcMatch, key: KeyView, rubric: Rubric) -> Part:
    items, fbs = _principal_item(pm, key)
    paired = pm.paired()
    for i, kc in enumerate(key.procedures):
        p = paired.get(i)
        if p is None:
            items.append(item("pcs", kc.display, "", "missing", label="Procedure"))
            fbs += about(len(items) - 1, [feedback("missed_code", "pcs",
                                f"{label(kc.code)} is missing. Every significant procedure is reported: surgical "
                                f"in nature, carrying a procedural or anesthetic risk, or needing specialised "
                                f"training (UHDDS)." + where(kc), key, kc, expected=kc.display)])
            continue
        code = pm.entered[p.entered_index].code
        if p.exact:
            items.append(item("pcs", kc.display, code, "correct", 1.0, label="Procedure"))
            continue
        note = "root operation differs" if root_operation_differs(code, p.via) else f"{p.similarity:.0%} of characters"
        items.append(item("pcs", kc.display, code, "near_miss", p.similarity * rubric.factor("pcs_factor"),
                          label="Procedure", note=note))
        fbs += about(len(items) - 1, [_near_feedback(code, kc, p.via, key)])
    unmatched = pm.unpaired()
    first = len(items)
    items += extras("pcs", [(e.display, "") for e in unmatched], len(pm.entered), len(key.procedures), "Procedure")
    fbs += [f for n, e in enumerate(unmatched) if e.code for f in about(first + n, [feedback(
        "extra_code", "pcs", f"{label(e.code)} is not supported by the record as a separately reportable procedure. "
        f"Remove it unless the documentation describes it being performed; procedures that are an inherent part of "
        f"another reported procedure are not coded separately (PCS guideline B3.1b).", code=e.display)])]
    return Part("pcs", tuple(items), tuple(fbs))
