"""`score(answer, key, rubric)`: run every component, weigh them by the rubric, order the
feedback by consequence and build the ScoreReport."""
from __future__ import annotations

from dataclasses import replace

from cases.model import Answer, AnswerKey, Case

from . import abstraction, codebook, diagnoses, drg, grouping, procedures
from .clean import read_answer, read_key
from .explain import feedback
from .part import ItemIndex, Part
from .report import COMPONENTS, KINDS, Component, ScoreReport
from .rubric import Rubric, resolve

_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}
_COMPONENT_ORDER = {k: i for i, k in enumerate(COMPONENTS)}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "hint": 2}
MAX_PER_KIND = 25   # a 300-code answer should not bury the learner in 300 near-identical items

EMPTY_MESSAGE = ("Nothing was entered, so there is nothing to score yet. Start with the discharge summary: find the "
                 "condition that, after study, occasioned the admission (the principal diagnosis, Section II), then the "
                 "other conditions that affected the stay (Section III) with their POA indicators, the significant "
                 "procedures, and the UHDDS fields from the face sheet.")


def _coerce_key(key) -> AnswerKey:
    if isinstance(key, Case):
        key = key.key
    if not isinstance(key, AnswerKey):
        raise TypeError(f"score() needs an AnswerKey (or a Case), not {type(key).__name__}")
    return key


def _clamp(x: float, hi: float = 100.0) -> float:
    return min(hi, max(0.0, x))


def _weigh(parts: list[Part], rubric: Rubric) -> list[Component]:
    """Scale each part to its share of 100 points (by component weight, or per blank)."""
    per_item = rubric.weighting == "item"
    raw = {p.name: rubric.weights[p.name] * (p.units if per_item else 1.0)
           for p in parts if p.units > 0 and rubric.weights[p.name] > 0}
    total = sum(raw.values())
    out = []
    for p in parts:
        mx = 100.0 * raw[p.name] / total if p.name in raw and total else 0.0
        k = mx / p.units if p.units else 0.0
        items = tuple(replace(i, score=i.score * k, max=i.max * k) for i in p.items)
        out.append(Component(p.name, COMPONENTS[p.name], _clamp(mx * p.fraction, mx), mx, items,
                             applicable=p.name in raw, note=p.note))
    return out


def _rebased(parts: list[Part]) -> list:
    """Every part's feedback, its `item` turned from an index among the part's items into the
    index in the report's items (parts are in report order)."""
    out, offset = [], 0
    for p in parts:
        out += [replace(f, item=f.item + offset) if f.item is not None else f for f in p.feedback]
        offset += len(p.items)
    return out


def _consequential(f) -> bool:
    """A payment or compliance consequence short of a DRG change: HAC, transfer policy, unsupported CC/MCC."""
    return bool(f.impact) and (f.kind in ("hac", "abstraction") or f.cause == "unsupported_cc_mcc")


def _order_key(f) -> tuple:
    tier = 0 if f.drg_changing else (1 if _consequential(f) else 2 + _SEVERITY_ORDER.get(f.severity, 2))
    return (tier, -abs(f.amount or 0.0), _KIND_ORDER.get(f.kind, len(_KIND_ORDER)),
            _COMPONENT_ORDER.get(f.component, 99), f.code, f.expected, f.message)


def order_feedback(fbs: list, per_kind: int = MAX_PER_KIND) -> tuple:
    """Most consequential first (DRG-changing, then payment/compliance impact, errors, warnings,
    hints); duplicates dropped; at most `per_kind` items of one kind, then one summary line."""
    seen, out, hidden = set(), [], {}
    for f in sorted(fbs, key=_order_key):
        ident = (f.kind, f.component, f.code, f.expected, f.message)
        if ident in seen:
            continue
        seen.add(ident)
        if sum(1 for o in out if o.kind == f.kind) < per_kind:
            out.append(f)
        else:
            hidden.setdefault(f.kind, [f.component, 0])[1] += 1
    for kind, (component, n) in hidden.items():
        out.append(feedback(kind, component, f"{n} more items of this kind ({KINDS.get(kind, kind)}) are not "
                                             f"listed; fix the ones above first.", severity="hint"))
    return tuple(out)


def _messages(kv, groups, view, rubric: Rubric, blank: bool) -> tuple:
    out = [EMPTY_MESSAGE] if blank else []
    stored = kv.key.drg
    if isinstance(stored, int) and groups.key.ok and groups.key.drg != stored:
        out.append(f"Note for the case author: the key stores DRG {stored:03d} but its codes regroup to DRG "
                   f"{groups.key.drg:03d}; scored against the stored DRG.")
    out.append(f"Scored with rubric {rubric.label}.")
    return tuple(out)


def _set_aside_optional(sub, kv):
    """Codes the key lists as optional (accepted, not required) are neither credited nor
    penalised: they leave the secondary list before matching and get a hint instead."""
    optional = set(getattr(kv.key, "optional", ()) or ())
    if not optional:
        return sub, []
    kept = tuple(d for d in sub.sdx if d.code not in optional)
    fbs = [feedback("near_miss", "sdx", f"{d.display} is acceptable here but not required: the key leaves it out "
                                          f"and does not count it for or against you.", code=d.display, severity="hint")
           for d in sub.sdx if d.code in optional]
    return replace(sub, sdx=kept), fbs


def _key_for_sequence(key: AnswerKey, answer) -> AnswerKey:
    """When the guidelines allow either of two diagnoses as principal (Section II.C) and the learner
    chose the other one, score against the key in the learner's order, regrouped."""
    pairs = getattr(key, "interchangeable", ()) or ()
    first = read_answer(answer).pdx
    if not pairs or first is None:
        return key
    for principal, other in pairs:
        if principal == key.principal_dx.code and first.code == other:
            alt = next((e for e in key.secondary_dx if e.code == other), None)
            if alt is None:
                return key
            secondary = tuple(key.principal_dx if e is alt else e for e in key.secondary_dx)
            swapped = replace(key, principal_dx=alt, secondary_dx=secondary)
            return grouping.regrouped_key(swapped)
    return key


def score(answer: Answer, key: AnswerKey, rubric: Rubric | str | None = None) -> ScoreReport:
    """Score a learner's Answer against an AnswerKey. Never raises on anything the learner entered."""
    rub = resolve(rubric)
    kv = read_key(_key_for_sequence(_coerce_key(key), answer))
    sub, optional_fbs = _set_aside_optional(read_answer(answer), kv)
    dm = diagnoses.match(sub, kv)
    pm = procedures.match(sub, kv, rub)
    groups = grouping.groupings(sub, kv)
    view = drg.view(kv, dm, pm, sub, groups)
    parts = [abstraction.score(sub, kv, view.key_drg), diagnoses.score_pdx(dm, sub, kv, rub),
             diagnoses.score_sdx(dm, kv, rub), diagnoses.score_poa(dm, sub, kv, groups),
             procedures.score(pm, kv, rub), drg.score(view, dm, pm, sub, groups, rub)]
    if sub.blank:
        fbs = [feedback("empty_answer", "pdx", EMPTY_MESSAGE)]
    else:
        items = ItemIndex([i for p in parts for i in p.items])
        fbs = drg.annotate(_rebased(parts) + codebook.all_checks(sub, kv, groups, items), view, groups)
        fbs += optional_fbs
    components = _weigh(parts, rub)
    return ScoreReport(
        total=round(_clamp(sum(c.score for c in components)), 2), components=tuple(components),
        feedback=order_feedback(fbs), rubric_id=rub.id, rubric_version=rub.version,
        learner_drg=view.learner_drg, learner_drg_title=view.learner_title, learner_weight=view.learner_weight,
        key_drg=view.key_drg, key_drg_title=view.key_title, key_weight=view.key_weight,
        payment_difference=view.difference, base_rate=view.base_rate,
        drg_causes=tuple(c.id for c in view.causes), drg_summary=view.summary,
        messages=_messages(kv, groups, view, rub, sub.blank))
