"""Checks before a learner submits a case: what a claim needs that the answer lacks.

`precheck(answer, stay)` lists, in words, everything a reviewer would send back before scoring:
nothing entered, abstraction fields left blank, no principal diagnosis, codes that are not codes
(or headers), diagnoses without a POA indicator, more codes than a UB-04 claim carries, procedures
without a date or dated outside the stay, an MS-DRG that does not exist. The learner may still
submit (except a blank answer); scoring judges the rest.
"""
from __future__ import annotations

import codes
from cases.model import ABSTRACT_FIELDS, Answer, parse_day

BLANK = "Nothing has been entered yet."


def is_blank(answer: Answer) -> bool:
    return not (answer.principal_dx[0] or answer.secondary_dx or answer.procedures or answer.drg
                or any(answer.abstract.values()))


def procedure_date_problem(value, stay: tuple | None) -> str:
    """Why a procedure date will not do ("" when it is a date within `stay` = (admit, discharge))."""
    day = parse_day(value)
    if day is None:
        return "no procedure date."
    if stay and stay[0] and stay[1] and not stay[0] <= day <= stay[1]:
        return f"the date {day.isoformat()} is outside the stay ({stay[0].isoformat()} to {stay[1].isoformat()})."
    return ""


def claim_limit_problems(n_secondary: int, n_procedures: int) -> list[str]:
    """More codes than one UB-04 claim carries."""
    out = []
    if n_secondary > codes.MAX_SDX:
        out.append(f"{n_secondary} secondary diagnoses: a UB-04 claim carries at most {codes.MAX_SDX}.")
    if n_procedures > codes.MAX_PROC:
        out.append(f"{n_procedures} procedures: a UB-04 claim carries at most {codes.MAX_PROC}.")
    return out


def _dx_problems(answer: Answer) -> list[str]:
    dx = ([answer.principal_dx] if answer.principal_dx[0] else []) + [x for x in answer.secondary_dx if x[0]]
    out = [] if answer.principal_dx[0] else ["No principal diagnosis: every inpatient claim needs one."]
    for code, poa in dx:
        chk = codes.check(code, codes.CM)
        if chk.error:
            out.append(f"Diagnosis {code}: {chk.error}")
        elif chk.warning:
            out.append(f"Diagnosis {chk.display}: {chk.warning}")
        if not poa:
            out.append(f"Diagnosis {chk.display or code} has no POA indicator.")
    return out


def _procedure_problems(answer: Answer, stay: tuple | None) -> list[str]:
    out = []
    for code, day in answer.procedures:
        chk = codes.check(code, codes.PCS)
        if chk.error:
            out.append(f"Procedure {code}: {chk.error}")
        problem = procedure_date_problem(day, stay)
        if problem:
            out.append(f"Procedure {chk.display or code}: {problem}")
    return out


def precheck(answer: Answer, stay: tuple | None = None) -> list[str]:
    """Everything to fix before submitting, in words; [BLANK] when nothing was entered.
    `stay` is (admission date, discharge date) for the procedure-date check."""
    if is_blank(answer):
        return [BLANK]
    missing = [label for name, label in ABSTRACT_FIELDS.items() if not answer.abstract.get(name)]
    out = ["Abstraction fields left blank: " + "; ".join(missing) + "."] if missing else []
    out += _dx_problems(answer)
    out += claim_limit_problems(len([x for x in answer.secondary_dx if x[0]]), len(answer.procedures))
    out += _procedure_problems(answer, stay)
    if answer.drg:
        chk = codes.check(answer.drg, codes.DRG)
        if chk.error:
            out.append(chk.error)
    return out
