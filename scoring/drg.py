"""The MS-DRG component: the learner's own codes grouped, compared with the key's DRG, the
payment difference, and the cause of any difference found by counterfactual regrouping
("fix only the principal diagnosis: does the DRG move?", "add only the missed CC/MCC", ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import codes
from codes import weights

from .clean import KeyView, Submission, text
from .diagnoses import DxMatch
from .explain import feedback, label, money
from .grouping import Groupings, key_poa
from .part import Part, about, item
from .procedures import ProcMatch, root_operation_differs
from .rubric import Rubric

CAUSES = {
    "principal_dx": "principal diagnosis selection",
    "missed_cc_mcc": "missed CC/MCC",
    "unsupported_cc_mcc": "unsupported CC/MCC (over-coding, a compliance risk)",
    "root_operation": "wrong surgical root operation",
    "procedure": "procedure coding (an O.R. procedure missing, extra or built differently)",
    "disposition": "discharge disposition",
    "poa_hac": "POA indicator on a hospital-acquired condition",
    "ungroupable": "the claim cannot be grouped",
    "combination": "several errors acting together",
}
_SEVERITY_RANK = {"MCC": 2, "CC": 1}
_FAMILY = re.compile(r"\s+(with|without)\s+(CC/MCC|MCC|CC)\b.*$", re.I)
_DRG_NUMBER = re.compile(r"^(?:MS-?)?(?:DRG)?\s*#?\s*(\d{1,3})$", re.I)


@dataclass(frozen=True)
class Cause:
    id: str
    detail: str
    targets: tuple = ()      # (component, display code or field) the learner should fix


@dataclass(frozen=True)
class DrgView:
    learner_drg: int | None
    learner_title: str
    learner_weight: float | None
    key_drg: int | None
    key_title: str
    key_weight: float | None
    difference: float | None
    base_rate: float
    causes: tuple = ()        # Cause
    summary: str = ""

    @property
    def same(self) -> bool:
        return self.learner_drg is not None and self.learner_drg == self.key_drg


def family(drg: int | None):
    """(MDC, title without its severity split) - DRGs 291/292/293 share one family."""
    inf = weights.lookup(drg)
    return (inf.mdc, _FAMILY.sub("", inf.title).lower()) if inf else None


def parse_drg(raw: str) -> int | None:
    m = _DRG_NUMBER.match(text(raw).strip())
    return int(m.group(1)) if m else None


def _drg_label(drg: int | None, title: str, weight: float | None) -> str:
    if drg is None:
        return "no DRG"
    w = f" (weight {weight:.4f})" if weight is not None else ""
    return f"DRG {drg:03d} {title}{w}".replace("  ", " ")


def _why_ungroupable(g) -> str:
    return (" ".join(g.errors) or g.return_message).rstrip(".")


def _cc_codes(g) -> dict:
    """Secondary codes acting as CC or MCC in a grouping (CC exclusions removed) -> severity."""
    return {r.code: r.severity for r in g.codes
            if r.kind == "sdx" and r.severity in _SEVERITY_RANK and "excluded" not in r.role and "ignored" not in r.role}


# ---------------------------------------------------------------------------------------
# Causes, by counterfactual regrouping of the learner's claim
# ---------------------------------------------------------------------------------------
def _pdx_cause(key: KeyView, dm: DxMatch, sub: Submission, groups: Groupings, base: int) -> Cause | None:
    if dm.status == "correct" or key.pdx is None:
        return None
    sdx = groups.learner_claim.sdx
    if dm.status == "sequencing":   # a swap: the learner's principal moves back among the secondaries
        sdx = tuple(sorted(sdx + ((sub.pdx.code, groups.learner_claim.pdx_poa),)))
    r = groups.regroup(pdx=key.pdx.code, pdx_poa=groups.key_claim.pdx_poa, sdx=sdx)
    if r.drg == base:
        return None
    mine = sub.pdx.display if sub.pdx else "(none)"
    return Cause("principal_dx", f"with {key.pdx.display} as principal diagnosis instead of {mine}, your other codes "
                                 f"would group to DRG {r.drg:03d}",
                 (("pdx", mine), ("pdx", key.pdx.display)))


def _worse_than(found: dict, severity: str) -> list[str]:
    """Codes whose severity is above `severity` (the ones that set the level), else all."""
    top = [c for c, s in found.items() if _SEVERITY_RANK[s] > _SEVERITY_RANK.get(severity, 0)]
    return sorted(top or found)


def _missed_cause(key: KeyView, groups: Groupings, base: int) -> Cause | None:
    lc = groups.learner_claim
    have = {c for c, _p in lc.sdx} | {lc.pdx}
    poa = {k.code: key_poa(k.poa) for k in key.sdx}
    missing = {c: s for c, s in _cc_codes(groups.key).items() if c not in have}
    if not missing:
        return None
    r = groups.regroup(sdx=tuple(sorted(lc.sdx + tuple((c, poa.get(c, "Y")) for c in missing))))
    if r.drg == base:
        return None
    top = _worse_than(missing, groups.learner.severity)
    shown = ", ".join(f"{codes.display(c)} ({missing[c]})" for c in top)
    return Cause("missed_cc_mcc", f"not reported: {shown}", tuple(("sdx", codes.display(c)) for c in top))


def _unsupported_cause(dm: DxMatch, sub: Submission, groups: Groupings, base: int) -> Cause | None:
    lc = groups.learner_claim
    supported = dm.supported_codes(sub)
    extra = {c: s for c, s in _cc_codes(groups.learner).items() if c not in supported}
    if not extra:
        return None
    r = groups.regroup(sdx=tuple(x for x in lc.sdx if x[0] not in extra))
    if r.drg == base:
        return None
    top = _worse_than(extra, r.severity)
    shown = ", ".join(f"{codes.display(c)} ({extra[c]})" for c in top)
    return Cause("unsupported_cc_mcc", f"not supported by the record: {shown}",
                 tuple(("sdx", codes.display(c)) for c in top))


def _procedure_cause(key: KeyView, pm: ProcMatch, groups: Groupings, base: int) -> Cause | None:
    mine = tuple(groups.learner_claim.procedures)
    theirs = tuple(groups.key_claim.procedures)
    if set(mine) == set(theirs):
        return None
    r = groups.regroup(procedures=theirs)
    if r.drg == base:
        return None
    pairs = [(pm.entered[p.entered_index].code, p.via) for p in pm.pairs if not p.exact]
    pairs += [(a, b) for a in _driving_procedures(groups.learner) for b in _driving_procedures(groups.key) if a != b]
    roots = [(a, b) for a, b in pairs if root_operation_differs(a, b)]
    missing = [c for c in theirs if c not in mine]
    extra = [c for c in mine if c not in pm.supported_codes()]
    detail = (f"the record supports {', '.join(label(c) for c in missing) or 'no O.R. procedure'}"
              + (f"; you reported {', '.join(label(c) for c in extra)}" if extra else "")
              + "".join(f"; root operation {_root(b)} in the record, {_root(a)} in yours" for a, b in roots[:1]))
    targets = tuple(("pcs", c) for c in missing + extra) + tuple(("pcs", a) for a, _b in pairs)
    return Cause("root_operation" if roots else "procedure", detail, targets)


def _driving_procedures(g) -> list[str]:
    return [c.code for c in g.codes if c.kind == "proc" and c.drives]


def _root(code: str) -> str:
    """'Replacement (R)': the meaning of a PCS code's root operation character."""
    chars = codes.pcs.characters(code)
    meaning = chars[2].meaning if chars else ""
    return f"{meaning} ({code[2]})" if meaning else f"'{code[2]}'"


def _disposition_cause(key: KeyView, groups: Groupings, base: int) -> Cause | None:
    if groups.learner_claim.disposition == key.disposition:
        return None
    r = groups.regroup(disposition=key.disposition)
    if r.drg == base:
        return None
    return Cause("disposition", f"with discharge status {key.disposition} your codes would group to DRG {r.drg:03d}",
                 (("abstraction", "discharge_disposition"),))


def _poa_cause(key: KeyView, dm: DxMatch, sub: Submission, groups: Groupings, base: int) -> Cause | None:
    fixes = {mine.code: key_poa(kc.poa) for kc, mine in dm.poa_entries(sub, key)
             if mine is not None and mine.code and mine.poa != kc.poa
             and (groups.hac(kc.code) or groups.hac(mine.code))}
    if not fixes:
        return None
    lc = groups.learner_claim
    r = groups.regroup(sdx=tuple((c, fixes.get(c, p)) for c, p in lc.sdx))
    if r.drg == base:
        return None
    shown = ", ".join(codes.display(c) for c in sorted(fixes))
    return Cause("poa_hac", f"POA on {shown} decides whether the condition counts as a CC/MCC",
                 tuple(("poa", codes.display(c)) for c in sorted(fixes)))


def causes(key: KeyView, dm: DxMatch, pm: ProcMatch, sub: Submission, groups: Groupings) -> list[Cause]:
    """Why the learner's DRG differs from the key's: each single fix that moves it."""
    lg = groups.learner
    if not lg.ok:
        theirs = (("pdx", key.pdx.display),) if key.pdx else ()
        return [Cause("ungroupable", _why_ungroupable(lg), (("pdx", sub.pdx.display if sub.pdx else "(none)"),) + theirs)]
    base = lg.drg
    found = [_pdx_cause(key, dm, sub, groups, base), _missed_cause(key, groups, base),
             _unsupported_cause(dm, sub, groups, base), _procedure_cause(key, pm, groups, base),
             _disposition_cause(key, groups, base), _poa_cause(key, dm, sub, groups, base)]
    found = [c for c in found if c]
    return found or [Cause("combination", "no single correction explains it; fix the errors listed below together")]


# ---------------------------------------------------------------------------------------
# The view and the component
# ---------------------------------------------------------------------------------------
def key_target(key: KeyView, groups: Groupings) -> tuple[int | None, str, float | None]:
    k = key.key
    drg = k.drg if isinstance(k.drg, int) else (groups.key.drg if groups.key.ok else None)
    inf = weights.lookup(drg)
    weight = k.weight if isinstance(k.weight, (int, float)) and drg == k.drg else (inf.weight if inf else None)
    return drg, (k.drg_title if drg == k.drg and k.drg_title else (inf.title if inf else "")), weight


def view(key: KeyView, dm: DxMatch, pm: ProcMatch, sub: Submission, groups: Groupings) -> DrgView:
    kd, kt, kw = key_target(key, groups)
    lg = groups.learner
    ld, lt, lw = (lg.drg, lg.drg_title, lg.weight) if lg.ok else (None, "", None)
    rate = weights.base_rate()
    diff = round(weights.payment(lw, rate) - weights.payment(kw, rate), 2) if lw is not None and kw is not None else None
    found = tuple(causes(key, dm, pm, sub, groups)) if ld != kd and kd is not None else ()
    mine = _drg_label(ld, lt, lw) if lg.ok else f"no DRG ({_why_ungroupable(lg)})"
    if ld is not None and ld == kd:
        return DrgView(ld, lt, lw, kd, kt, kw, diff, rate, (), f"Your codes → {mine}: the same DRG as the key.")
    summary = f"Your codes → {mine}; key → {_drg_label(kd, kt, kw)}"
    if diff is not None:
        summary += f"; difference ≈ {money(diff)} at the configured base rate of ${rate:,.0f} (illustrative)"
    summary += "." + "".join(f" Cause: {CAUSES[c.id]} - {c.detail}." for c in found)
    return DrgView(ld, lt, lw, kd, kt, kw, diff, rate, found, summary)


def _supported_only(dm: DxMatch, pm: ProcMatch, sub: Submission, groups: Groupings) -> str:
    """'' when the learner's DRG stands on supported codes, else why it does not."""
    if dm.status not in ("correct", "near_miss"):
        return "the principal diagnosis is not the record's"
    lc = groups.learner_claim
    sup, psup = dm.supported_codes(sub), pm.supported_codes()
    sdx = tuple(x for x in lc.sdx if x[0] in sup)
    procs = tuple(p for p in lc.procedures if p in psup)
    if sdx == lc.sdx and procs == lc.procedures:
        return ""
    r = groups.regroup(sdx=sdx, procedures=procs)
    return "" if r.drg == groups.learner.drg else (
        f"without the codes the record does not support, your codes would group to DRG {r.drg:03d}")


def _credit(mine: int | None, target: int | None, rubric: Rubric) -> tuple[str, float, str]:
    if mine is None or target is None:
        return "wrong", 0.0, ""
    if mine == target:
        return "correct", 1.0, ""
    if family(mine) is not None and family(mine) == family(target):
        return "near_miss", rubric.factor("drg_same_family"), "same DRG family, different severity level"
    return "wrong", 0.0, ""


def _grouped_item(v: DrgView, dm: DxMatch, pm: ProcMatch, sub: Submission, groups: Groupings,
                  rubric: Rubric) -> tuple[list, list]:
    """The 'DRG your codes group to' item, credited only when supported codes drive it."""
    status, credit, note = _credit(v.learner_drg, v.key_drg, rubric)
    fbs = []
    shown = f"DRG {v.learner_drg:03d}" if v.learner_drg is not None else "not groupable"
    reason = _supported_only(dm, pm, sub, groups) if credit else ""
    if reason:
        status, credit, note = "wrong", 0.0, "reached through unsupported codes"
    if reason and v.same:
        fbs.append(feedback("drg_mismatch", "drg",
                            f"Your codes reach {shown}, but only by chance: {reason}. A DRG is right only when every "
                            f"code that drives it is supported by the record.",
                            code=shown, expected=f"DRG {v.key_drg:03d}",
                            cause="unsupported_cc_mcc" if dm.status in ("correct", "near_miss") else "principal_dx"))
    it = item("drg", f"DRG {v.key_drg:03d}", shown, status, credit, label="DRG your codes group to", note=note)
    if not v.same:
        fbs.append(feedback("drg_mismatch", "drg",
                            v.summary + " The items that follow explain each cause; fix them and the grouper follows.",
                            code=shown, expected=f"DRG {v.key_drg:03d}", impact=_payment_text(v),
                            drg_changing=True, amount=v.difference,
                            cause=v.causes[0].id if v.causes else ""))
    return [it], about(0, fbs)


def _payment_text(v: DrgView) -> str:
    if v.learner_drg is None:
        return "A claim that cannot be grouped cannot be paid: it would be returned to the hospital for correction."
    return f"Payment difference ≈ {money(v.difference)} (illustrative)."


def _chosen_item(v: DrgView, sub: Submission, rubric: Rubric) -> tuple[list, list]:
    if not sub.drg_raw:
        return [], []
    chosen = parse_drg(sub.drg_raw)
    status, credit, note = _credit(chosen, v.key_drg, rubric)
    it = item("drg", f"DRG {v.key_drg:03d}", sub.drg_raw[:20], status, credit, label="DRG you chose", note=note)
    if status == "correct":
        return [it], []
    if chosen is None:
        msg = f"'{sub.drg_raw[:20]}' is not a DRG number; enter the three-digit MS-DRG (for example 291)."
    elif chosen == v.learner_drg:
        msg = (f"You chose DRG {chosen:03d}, which is what your codes group to; the key's codes group to "
               f"DRG {v.key_drg:03d}. Correct the codes and the DRG follows.")
    else:
        ours = f"DRG {v.learner_drg:03d}" if v.learner_drg is not None else "no DRG"
        msg = (f"You chose DRG {chosen:03d}, but your own codes group to {ours} and the key's to DRG {v.key_drg:03d}. "
               f"The DRG is assigned by the grouper from the codes, principal diagnosis, procedures, CC/MCC and "
               f"discharge status; never enter it from memory.")
    return [it], [feedback("drg_choice", "drg", msg, code=sub.drg_raw[:20], expected=f"DRG {v.key_drg:03d}",
                           severity="warning")]


def score(v: DrgView, dm: DxMatch, pm: ProcMatch, sub: Submission, groups: Groupings, rubric: Rubric) -> Part:
    if v.key_drg is None:
        return Part("drg", note="The key has no DRG, so this component is not scored.")
    items, fbs = _grouped_item(v, dm, pm, sub, groups, rubric)
    chosen_items, chosen_fbs = _chosen_item(v, sub, rubric)
    return Part("drg", tuple(items + chosen_items), tuple(fbs + about(len(items), chosen_fbs)), note=v.summary)


# ---------------------------------------------------------------------------------------
# Consequences on other components' feedback
# ---------------------------------------------------------------------------------------
def _cause_of(f, found) -> Cause | None:
    return next((c for c in found if (f.component, f.code) in c.targets or (f.component, f.expected) in c.targets), None)


def _role_note(f, groups: Groupings) -> tuple[str, str]:
    """(impact, cause) for a CC/MCC that is missed or unsupported but did not change the DRG."""
    if f.component != "sdx" or f.kind not in ("missed_code", "extra_code"):
        return "", ""
    if f.kind == "extra_code":
        sev = _cc_codes(groups.learner).get(codes.normalize(f.code).code)
        if not sev:
            return "", ""
        return (f"{f.code} acts as {_article(sev)} {sev} on your claim: reporting a CC/MCC the record does not "
                f"support is over-coding, a compliance risk even when the DRG does not change.", "unsupported_cc_mcc")
    sev = _cc_codes(groups.key).get(codes.normalize(f.expected).code)
    if not sev:
        return "", ""
    covered = groups.learner.ok and _SEVERITY_RANK.get(groups.learner.severity, 0) >= _SEVERITY_RANK[sev]
    return (f"{f.expected} is {_article(sev)} {sev} with this principal diagnosis"
            + ("; another code on your claim already sets that severity level, so your DRG does not change."
               if covered else "."), "")


def _article(word: str) -> str:
    return "an" if word[0] in "AEFHILMNORSX" else "a"


def annotate(fbs: list, v: DrgView, groups: Groupings) -> list:
    """Mark feedback that explains the DRG difference with its cause and payment impact."""
    out = []
    for f in fbs:
        c = _cause_of(f, v.causes) if f.kind != "drg_mismatch" else None
        if c is not None:
            impact = (f"Changes the DRG ({CAUSES[c.id]}): your codes group to "
                      + (f"DRG {v.learner_drg:03d}" if v.learner_drg is not None else "no DRG")
                      + f", the key's to DRG {v.key_drg:03d}. {_payment_text(v)}")
            f = replace(f, drg_changing=True, cause=c.id, amount=v.difference,
                        impact=" ".join(x for x in (impact, f.impact) if x))
        elif not f.impact:
            impact, cause = _role_note(f, groups)
            f = replace(f, impact=impact, cause=cause or f.cause)
        out.append(f)
    return out
