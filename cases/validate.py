"""Validation of generated cases: every key must be one a credentialed coder would sign."""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import codes
from codes.crosscheck import drgpy_drg

from .generator import SYNTHETIC, claim_for, generate
from .loader import Library, library, reference
from .model import Case


@lru_cache(maxsize=1)
def _rules() -> list[dict]:
    return reference("rules.yaml")["rules"]


def _rule_problems(dx: list[str]) -> list[str]:
    out = []
    for rule in _rules():
        if "principal" in rule:
            if dx and dx[0].startswith(rule["principal"]):
                out.append(rule["message"])
            continue
        first, *rest = rule["all"]
        hits_first = [c for c in dx if c.startswith(first)]
        if not hits_first:
            continue
        ok = True
        for prefix in rest:
            others = [c for c in dx if c.startswith(prefix) and (not rule.get("other_than_first") or c not in hits_first)]
            ok &= bool(others)
        if ok:
            out.append(rule["message"])
    return out


def validate_case(case: Case, lib: Library | None = None) -> list[str]:
    """All problems with one generated case (empty list = a key we would sign)."""
    lib = lib or library()
    k = case.key
    where = f"{case.scenario_id} seed {case.seed}"
    problems = []
    dx = [k.principal_dx, *k.secondary_dx]
    dx_codes = [e.code for e in dx]
    fy = codes.DEFAULT_FY
    for e in dx:
        if not codes.is_valid(e.code, fy):
            problems.append(f"{where}: {codes.display(e.code)} is not a valid billable ICD-10-CM code for FY{fy}")
        if e.poa not in codes.POA_VALUES:
            problems.append(f"{where}: {codes.display(e.code)} has POA '{e.poa}'")
    for e in k.procedures:
        if not codes.pcs.is_valid(e.code, fy):
            problems.append(f"{where}: {e.code} is not a valid ICD-10-PCS code for FY{fy}")
    if len(set(dx_codes)) != len(dx_codes):
        problems.append(f"{where}: a diagnosis code is repeated")
    grouped = codes.group(claim_for(case))
    if not grouped.ok:
        problems.append(f"{where}: does not group: {grouped.return_message} {' '.join(grouped.errors)}")
    for e in grouped.edits:
        problems.append(f"{where}: Medicare Code Editor {e.name} on {e.code}: {e.message}")
    for w in grouped.warnings:
        problems.append(f"{where}: grouper warning: {w}")
    if grouped.drg != k.drg:
        problems.append(f"{where}: key DRG {k.drg} differs from the grouper's {grouped.drg}")
    for principal, other in k.interchangeable:
        if principal != k.principal_dx.code or other not in dx_codes:
            problems.append(f"{where}: interchangeable pair ({principal}, {other}) does not match the key")
            continue
        alt = claim_for(case)
        alt = codes.Claim(other, "Y", tuple((principal if c == other else c, p) for c, p in alt.sdx), alt.procedures,
                          age=alt.age, sex=alt.sex, disposition=alt.disposition, discharge_date=alt.discharge_date)
        g = codes.group(alt)
        if not g.ok or g.edits:
            problems.append(f"{where}: with {codes.display(other)} as principal the claim does not group cleanly")
    for c in codes.cm.excludes1_conflicts(dx_codes):
        problems.append(f"{where}: Excludes1: {c.message}")
    for n in codes.cm.missing_partners(dx_codes):
        problems.append(f"{where}: missing partner: {n.message}")
    for n in codes.cm.sequencing_errors(dx_codes):
        problems.append(f"{where}: sequencing: {n.message}")
    for msg in _rule_problems(dx_codes):
        problems.append(f"{where}: guideline: {msg}")
    problems += _evidence_problems(case, where)
    problems += _consistency_problems(case, lib, where)
    return problems


def _evidence_problems(case: Case, where: str) -> list[str]:
    docs = {d.doc_id: d for d in case.documents}
    out = []
    for e in [case.key.principal_dx, *case.key.secondary_dx, *case.key.procedures]:
        doc = docs.get(e.evidence_doc)
        if doc is None or not e.evidence or e.evidence not in doc.text:
            out.append(f"{where}: {codes.display(e.code)} has no supporting sentence in the chart ({e.evidence_doc}: '{e.evidence}')")
    for d in case.documents:
        if SYNTHETIC not in d.text:
            out.append(f"{where}: document {d.doc_id} is not marked synthetic")
    return out


def _consistency_problems(case: Case, lib: Library, where: str) -> list[str]:
    out = []
    enc, p, k = case.encounter, case.patient, case.key
    admit, disch = datetime.fromisoformat(enc.admit_datetime), datetime.fromisoformat(enc.discharge_datetime)
    if disch <= admit or (disch.date() - admit.date()).days != enc.los_days:
        out.append(f"{where}: admission/discharge dates and LOS disagree")
    dob = date.fromisoformat(p.dob)
    age = admit.date().year - dob.year - ((admit.month, admit.day) < (dob.month, dob.day))
    if age != p.age:
        out.append(f"{where}: age {p.age} does not match DOB {p.dob} at admission")
    for e in k.procedures:
        if not admit.date() <= date.fromisoformat(e.date) <= disch.date():
            out.append(f"{where}: procedure {e.code} dated {e.date} outside the stay")
    for d in case.documents:
        t = datetime.fromisoformat(d.datetime)
        if not (admit - timedelta(hours=12) <= t <= disch):
            out.append(f"{where}: document {d.doc_id} dated {d.datetime} outside the stay")
    for e in [k.principal_dx, *k.secondary_dx]:
        w = codes.cm.sex_conflict(e.code, p.sex)
        if w:
            out.append(f"{where}: {w}")
    admission_text = "\n".join(d.text for d in case.documents if d.type in ("ed_note", "hp")).lower()
    for e in [k.principal_dx, *k.secondary_dx]:
        cond = lib.conditions.get(e.condition)
        if cond is None:
            continue
        phrases = [ph.lower() for kind, lst in cond.phrases.items() if kind != "history" for ph in lst]
        said_on_admission = any(ph.split(" - ")[0] in admission_text for ph in phrases)
        if e.poa == "N" and said_on_admission:
            out.append(f"{where}: {codes.display(e.code)} is POA N but is documented in the admission notes")
        if e.poa == "Y" and {"hp", "ed_note"} & set(cond.phrases) and not said_on_admission and admission_text:
            out.append(f"{where}: {codes.display(e.code)} is POA Y but the admission notes never mention it")
    return out


@dataclass
class Report:
    cases: int = 0
    problems: list = field(default_factory=list)
    drgs: dict = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    disagreements: list = field(default_factory=list)   # (scenario, seed, msdrg, drgpy)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_all(seeds: int = 50, scenarios=None, lib: Library | None = None, progress=None) -> Report:
    lib = lib or library()
    rep = Report()
    ids = list(scenarios or lib.scenarios)
    for i, sid in enumerate(ids):
        for seed in range(seeds):
            try:
                case = generate(sid, seed, lib)
            except Exception as exc:  # a content error must name the scenario and seed, not crash the run
                rep.problems.append(f"{sid} seed {seed}: generation failed: {type(exc).__name__}: {exc}")
                continue
            rep.cases += 1
            rep.problems += validate_case(case, lib)
            rep.drgs[sid][case.key.drg] += 1
            other = drgpy_drg(claim_for(case))
            if other != case.key.drg:
                rep.disagreements.append((sid, seed, case.key.drg, other))
        if progress:
            progress(i + 1, len(ids), sid)
    for sid in ids:
        seen = rep.drgs[sid]
        titles = [codes.weights.lookup(d).title if codes.weights.lookup(d) else "" for d in seen]
        splits = any("CC" in t for t in titles)
        if splits and len(seen) < 2 and seeds >= 20:
            rep.problems.append(f"{sid}: every seed lands in DRG {list(seen)}; a severity-split family must reach at least two levels")
    return rep
