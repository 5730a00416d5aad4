"""Principal diagnosis, secondary diagnoses and POA indicators.

Matching happens once (`match`) and is shared by the three components and by the DRG
analysis (which needs to know which of the learner's codes the record supports).

Swaps are scored once: when the learner's principal diagnosis is one of the key's secondary
diagnoses, the principal-diagnosis component records the sequencing error, that code still
counts as captured among the secondaries, and the key's principal listed among the learner's
secondaries is not counted again as an extra code.
"""
from __future__ import annotations

from dataclasses import dataclass

import codes

from . import match as m
from .clean import EXEMPT, UNKNOWN_POA, Dx, KeyCode, KeyView, Submission
from .explain import feedback, label, teaching_text, where
from .grouping import Groupings
from .part import Part, about, extras, item
from .rubric import Rubric


@dataclass(frozen=True)
class DxMatch:
    status: str               # principal: correct | near_miss | sequencing | wrong | missing
    level: int = 0            # near-miss level of the principal
    via: str = ""             # key code the principal was compared with
    swapped: int | None = None  # index of the key secondary entered as principal
    pool: tuple = ()          # Dx scored as secondaries
    misplaced: tuple = ()     # Dx: the key's principal entered as a secondary
    pairs: tuple = ()         # match.Pair: key secondary index -> pool index

    def paired(self) -> dict:
        return {p.key_index: p for p in self.pairs}

    def unpaired(self) -> list[Dx]:
        used = {p.entered_index for p in self.pairs}
        return [d for i, d in enumerate(self.pool) if i not in used]

    def supported_codes(self, sub: Submission) -> frozenset:
        """Learner codes matched (exactly or as near misses) to some key diagnosis."""
        out = {self.pool[p.entered_index].code for p in self.pairs} | {d.code for d in self.misplaced}
        if self.status in ("correct", "near_miss") and sub.pdx:
            out.add(sub.pdx.code)
        return frozenset(c for c in out if c)

    def poa_entries(self, sub: Submission, key: KeyView) -> list[tuple[KeyCode, Dx | None]]:
        """Each key diagnosis with the learner entry its POA is judged on (None: not coded).

        Every learner code for the same condition (the key's code, an accepted alternative or a
        near miss in the same category) is a candidate; the indicator is credited when any
        candidate carries the right one. Judging the condition rather than one paired code keeps
        the POA score from rising when a correct code is removed.
        """
        entered = ([sub.pdx] if sub.pdx else []) + list(sub.sdx)
        out = []
        for kc in key.diagnoses:
            cands = sorted((d for d in entered if d.code and m.dx_similarity(d.code, kc.accepted)[0] > 0),
                           key=lambda d: (d.code not in kc.accepted, d.code))
            right = [d for d in cands if _poa_ok(d, kc)]
            out.append((kc, (right or cands or [None])[0]))
        return out


def _principal(sub: Submission, key: KeyView) -> tuple[str, int, str, int | None]:
    pdx, kp = sub.pdx, key.pdx
    if pdx is None:
        return "missing", 0, "", None
    if kp and pdx.code and pdx.code in kp.accepted:
        return "correct", 0, pdx.code, None
    swapped = next((i for i, k in enumerate(key.sdx) if pdx.code and pdx.code in k.accepted), None)
    if swapped is not None:
        return "sequencing", 0, key.sdx[swapped].code, swapped
    if kp and pdx.code:
        _sim, level, via = m.dx_similarity(pdx.code, kp.accepted)
        if level:
            return "near_miss", level, via, None
    return "wrong", 0, kp.code if kp else "", None


def match(sub: Submission, key: KeyView) -> DxMatch:
    status, level, via, swapped = _principal(sub, key)
    pool = list(sub.sdx)
    misplaced = []
    if status != "correct" and key.pdx:
        misplaced = [d for d in pool if d.code and d.code in key.pdx.accepted]
        pool = [d for d in pool if d not in misplaced]
    if swapped is not None:
        pool.insert(0, sub.pdx)
    pairs = m.greedy([k.accepted for k in key.sdx], [d.code for d in pool], m.dx_similarity,
                     minimum=1 / 3)
    return DxMatch(status, level, via, swapped, tuple(pool), tuple(misplaced), tuple(pairs))


def _dx_credit(rubric: Rubric, level: int) -> float:
    return rubric.factor("dx_same_subcategory" if level == m.SUBCATEGORY else "dx_same_category")


def _common_level(a: str, b: str) -> str:
    """The most specific tabular-list level two codes share, e.g. I50.21/I50.23 -> I502."""
    for n in range(min(len(a), len(b)) - 1, 2, -1):
        if a[:n] == b[:n] and codes.cm.exists(b[:n]):
            return b[:n]
    return ""


def near_miss_text(entered: str, expected: str, level: int) -> str:
    """Why a code in the right family is still wrong, and where to look."""
    shared = _common_level(entered, expected) or (expected[:4] if level == m.SUBCATEGORY else expected[:3])
    msg = (f"{label(entered)} is close to {label(expected)}: both sit under {label(shared)}, "
           f"but the characters after it differ.")
    if len(entered) == 7 and len(expected) == 7 and entered[:6] == expected[:6]:
        inf = codes.cm.info(expected)
        table = inf.seven_chr_def if inf else {}
        ours, theirs = table.get(entered[6], "not a valid value here"), table.get(expected[6], "")
        return (msg + f" Only the 7th character differs: '{entered[6]}' means {ours}; the record supports "
                f"'{expected[6]}' ({theirs}). The 7th character records the stage of care (and, for fractures, "
                f"open or closed), read from this encounter's documentation (guideline I.A.5; for injuries, "
                f"I.C.19.a).")
    return (msg + " Re-read the documentation for the detail the remaining characters capture (type, acuity, "
            "site, laterality, cause, complication) and code to the highest specificity the record supports "
            "(guideline I.B.2).")


# ---------------------------------------------------------------------------------------
# Principal diagnosis
# ---------------------------------------------------------------------------------------
def _pdx_feedback(dm: DxMatch, sub: Submission, key: KeyView) -> list:
    kp, pdx = key.pdx, sub.pdx
    exp = kp.display if kp else ""
    if dm.status == "missing":
        return [feedback("missing_principal", "pdx",
                         f"No principal diagnosis was entered. Every inpatient claim needs one: the condition "
                         f"established after study to be chiefly responsible for this admission (Section II). "
                         f"Here that is {label(kp.code) if kp else 'the condition the key names'}." + where(kp),
                         key, kp, expected=exp)]
    if dm.status == "sequencing":
        kc = key.sdx[dm.swapped]
        return [feedback("sequencing", "pdx",
                         f"{label(pdx.code)} is documented and reportable, but as a secondary diagnosis. After "
                         f"study, {label(kp.code) if kp else 'another condition'} is what occasioned the admission, so "
                         f"it is sequenced first (Section II); list {pdx.display} among the secondary diagnoses."
                         + where(kp), key, kp, code=pdx.display, expected=exp,
                         teaching=" ".join(t for t in (teaching_text(key, kp), teaching_text(key, kc)) if t))]
    if dm.status == "near_miss":
        return [feedback("near_miss", "pdx", near_miss_text(pdx.code, dm.via, dm.level) + where(kp), key, kp,
                         code=pdx.display, expected=exp)]
    if dm.status == "wrong":
        shown = label(pdx.code) if pdx.code else repr(pdx.raw.strip()[:40])
        related = pdx.code and m.dx_similarity(pdx.code, key.all_dx_codes())[0] > 0
        unsupported = "" if related else " The record does not support it as a secondary diagnosis either."
        return [feedback("wrong_principal", "pdx",
                         f"{shown} is not the principal diagnosis.{unsupported} Ask which condition, after study, "
                         f"occasioned the admission (Section II): the record points to "
                         f"{label(kp.code) if kp else 'another condition'}." + where(kp), key, kp,
                         code=pdx.display, expected=exp)]
    return []


def _misplaced_feedback(dm: DxMatch, key: KeyView) -> list:
    if dm.status == "sequencing" or not dm.misplaced:
        return []
    d = dm.misplaced[0]
    return [feedback("sequencing", "pdx",
                     f"You listed {label(d.code)} as a secondary diagnosis, but it is the principal diagnosis: the "
                     f"condition chiefly responsible for the admission is sequenced first (Section II)." + where(key.pdx),
                     key, key.pdx, code=d.display, expected=key.pdx.display)]


def score_pdx(dm: DxMatch, sub: Submission, key: KeyView, rubric: Rubric) -> Part:
    if key.pdx is None and sub.pdx is None:
        return Part("pdx")
    credit = {"correct": 1.0, "near_miss": _dx_credit(rubric, dm.level)}.get(dm.status, 0.0)
    status = {"sequencing": "wrong"}.get(dm.status, dm.status)
    note = "sequencing error" if dm.status == "sequencing" else m.LEVEL_NOTES.get(dm.level, "")
    it = item("pdx", key.pdx.display if key.pdx else "", sub.pdx.display if sub.pdx else "", status, credit,
              label="Principal diagnosis", note=note)
    return Part("pdx", (it,), tuple(about(0, _pdx_feedback(dm, sub, key) + _misplaced_feedback(dm, key))))


# ---------------------------------------------------------------------------------------
# Secondary diagnoses
# ---------------------------------------------------------------------------------------
def _missed(kc: KeyCode, key: KeyView):
    return feedback("missed_code", "sdx",
                    f"{label(kc.code)} is missing. Report a secondary diagnosis when the condition affected this stay: "
                    f"it was evaluated, treated, worked up, lengthened the stay or needed extra nursing care "
                    f"(Section III)." + where(kc), key, kc, expected=kc.display)


def _reportable(code: str) -> bool:
    inf = codes.cm.info(code) if code else None
    return bool(inf and inf.billable)


def _extra(d: Dx, key: KeyView) -> list:
    if not _reportable(d.code):
        return []  # not a complete code: the code-book check explains what is wrong with it
    kin = sorted(c for c in key.all_dx_codes() if c[:3] == d.code[:3])
    if kin:
        why = (f"{label(d.code)} is in the same category as {codes.display(kin[0])}, which the record supports and "
               f"the key reports: one condition takes one code, the most specific the documentation allows "
               f"(guideline I.B.2). Remove the extra one.")
    else:
        why = (f"{label(d.code)} is not supported as a reportable diagnosis for this stay. Remove it unless the chart "
               f"documents the condition and shows it affected care (Section III); codes the record does not "
               f"support are over-coding." + _chapter_18_hint(d.code))
    return [feedback("extra_code", "sdx", why, code=d.display, severity="error")]


def _chapter_18_hint(code: str) -> str:
    """Symptoms and abnormal findings have their own reporting rules."""
    if code[0] != "R" or code[:3] == "R65":
        return ""
    if code[:3] >= "R70":
        return (" An abnormal finding is coded only when the provider documents its clinical significance "
                "(Section III.B).")
    return " A sign or symptom that is routinely part of a confirmed diagnosis is not coded separately (guideline I.B.5)."


def score_sdx(dm: DxMatch, key: KeyView, rubric: Rubric) -> Part:
    items, fbs = [], []
    paired = dm.paired()
    for i, kc in enumerate(key.sdx):
        p = paired.get(i)
        if p is None:
            items.append(item("sdx", kc.display, "", "missing", label="Secondary diagnosis"))
            fbs += about(len(items) - 1, [_missed(kc, key)])
            continue
        d = dm.pool[p.entered_index]
        if p.exact:
            items.append(item("sdx", kc.display, d.display, "correct", 1.0, label="Secondary diagnosis"))
            continue
        items.append(item("sdx", kc.display, d.display, "near_miss", _dx_credit(rubric, p.level),
                          label="Secondary diagnosis", note=m.LEVEL_NOTES[p.level]))
        fbs += about(len(items) - 1, [feedback("near_miss", "sdx", near_miss_text(d.code, p.via, p.level) + where(kc),
                                               key, kc, code=d.display, expected=kc.display)])
    unmatched = dm.unpaired()
    first = len(items)
    items += extras("sdx", [(d.display, "") for d in unmatched], len(dm.pool), len(key.sdx), "Secondary diagnosis")
    for n, d in enumerate(unmatched):
        fbs += about(first + n, _extra(d, key))
    return Part("sdx", tuple(items), tuple(fbs))


# ---------------------------------------------------------------------------------------
# POA
# ---------------------------------------------------------------------------------------
def _poa_shown(poa: str) -> str:
    return "exempt (blank)" if poa in EXEMPT else poa


def _poa_ok(mine: Dx, kc: KeyCode) -> bool:
    if kc.poa in EXEMPT:
        return mine.poa in EXEMPT
    return mine.poa == kc.poa


def _poa_reason(mine: Dx, kc: KeyCode) -> str:
    if mine.poa == UNKNOWN_POA:
        return (f"'{mine.poa_raw}' is not a POA indicator: use Y (present at admission), N (not present), "
                f"U (documentation insufficient), W (clinically undetermined), or leave exempt codes blank.")
    if kc.poa in EXEMPT:
        return (f"{kc.display} is on the POA-exempt list, so its indicator is left blank (or 1); "
                f"'{mine.poa_raw}' should not be reported (POA guidelines, Appendix I).")
    if mine.poa == "":
        return (f"The POA indicator for {kc.display} was left blank; every non-exempt diagnosis needs one "
                f"(POA guidelines, Appendix I).")
    return (f"{kc.display} should be POA {kc.poa} ({codes.POA_VALUES.get(kc.poa, '')}), not {mine.poa}: decide from "
            f"whether the condition existed when the order to admit was written, including conditions diagnosed "
            f"later that were clearly present then (POA guidelines, Appendix I).")


def _hac_impact(kc: KeyCode, mine: Dx, hac: str) -> str:
    if kc.poa == "N" and mine.poa in ("Y", "W"):
        return (f"{kc.display} is a hospital-acquired condition ({hac}). Reported as POA {mine.poa} it would be "
                f"counted as a CC/MCC and hide a HAC: the hospital is paid for a complication it caused - a "
                f"compliance risk under the HAC-POA payment provision.")
    if kc.poa in ("Y", "W") and mine.poa not in ("Y", "W"):
        return (f"{kc.display} belongs to a hospital-acquired condition category ({hac}). Reported as not present "
                f"on admission, the grouper disregards it as a CC/MCC (HAC-POA payment provision) and it counts "
                f"against the hospital's HAC quality measures, although it was present at admission.")
    return f"{kc.display} belongs to a HAC category ({hac}); its POA indicator decides whether it counts as a CC/MCC."


def score_poa(dm: DxMatch, sub: Submission, key: KeyView, groups: Groupings) -> Part:
    items, fbs = [], []
    for kc, mine in dm.poa_entries(sub, key):
        exp = f"{kc.display}: {_poa_shown(kc.poa)}"
        lab = f"{kc.display} POA"
        if mine is None:
            items.append(item("poa", exp, "", "missing", label=lab, note="diagnosis not coded"))
            continue
        ent = f"{mine.display}: {_poa_shown(mine.poa) if mine.poa != UNKNOWN_POA else mine.poa_raw}"
        if _poa_ok(mine, kc):
            items.append(item("poa", exp, ent, "correct", 1.0, label=lab))
            continue
        items.append(item("poa", exp, ent, "wrong", label=lab))
        hac = groups.hac(kc.code) or groups.hac(mine.code)
        kind = "hac" if hac and (kc.poa in ("Y", "W")) != (mine.poa in ("Y", "W")) else "poa_wrong"
        fbs += about(len(items) - 1, [feedback(kind, "poa", _poa_reason(mine, kc) + where(kc), key, kc, code=mine.display,
                                               expected=kc.poa or "exempt", impact=_hac_impact(kc, mine, hac) if hac else "")])
    return Part("poa", tuple(items), tuple(fbs))
