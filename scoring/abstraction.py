"""Abstraction: each UHDDS field in `ABSTRACT_FIELDS` compared on its own, after
normalisation (dates in any common format, '1' = '01' for discharge status, 'Dr. Smith, MD'
= 'Smith')."""
from __future__ import annotations

import codes
from cases.model import ABSTRACT_FIELDS, ADMISSION_SOURCES, ADMISSION_TYPES
from codes import weights

from .clean import KeyView, Submission, norm_field, text
from .explain import feedback
from .part import Part, about, item

_WHY = {
    "admission_date": "the date the inpatient admission order took effect; time in observation or the emergency "
                      "department before that order does not count (UHDDS admission date)",
    "discharge_date": "the date the patient left inpatient care, alive or not (UHDDS discharge date)",
    "admission_type": "the priority of the admission as the record describes it (UB-04 form locator 14)",
    "admission_source": "where the patient came from before this admission (UB-04 form locator 15, point of origin)",
    "discharge_disposition": "where the patient went at discharge, from the discharge summary and orders (UB-04 form "
                             "locator 17); it can change the DRG and decides whether the transfer policy applies",
    "attending_physician": "the clinician primarily responsible for the patient's care during the stay (UHDDS)",
    "expected_payer": "the expected principal source of payment for the stay (UHDDS)",
}
_MEANINGS = {"admission_type": ADMISSION_TYPES, "admission_source": ADMISSION_SOURCES,
             "discharge_disposition": codes.DISPOSITIONS}


def _shown(name: str, value: str) -> str:
    meaning = _MEANINGS.get(name, {}).get(norm_field(name, value))
    return f"{value} ({meaning})" if meaning else value


def _transfer_reduces(drg: int | None, disposition: str, los: int | None) -> bool:
    """Would the post-acute / special-pay transfer policy pay a per diem for this stay?"""
    inf = weights.lookup(drg)
    if not inf or disposition not in weights.POST_ACUTE_DISPOSITIONS or not (inf.post_acute or inf.special_pay):
        return False
    return los is None or inf.gmlos is None or los + 1 < inf.gmlos


def transfer_impact(key_drg: int | None, mine: str, expected: str, los: int | None) -> str:
    """The transfer-policy consequence of reporting `mine` instead of `expected`, or ""."""
    ours, theirs = _transfer_reduces(key_drg, mine, los), _transfer_reduces(key_drg, expected, los)
    if ours == theirs:
        return ""
    policy = weights.transfer_policy(key_drg, mine if ours else expected, los) or ""
    if ours:
        return (f"{policy} The record supports status {expected}, so the hospital is owed the full DRG payment: "
                f"status {mine} would under-pay it.")
    return (f"{policy} Reporting {mine} instead claims the full DRG payment (over-payment, a compliance risk).")


def _field_feedback(name: str, mine_raw: str, expected_raw: str, key: KeyView, key_drg: int | None):
    what = ABSTRACT_FIELDS[name]
    mine_norm = norm_field(name, mine_raw)
    valid = "" if name != "discharge_disposition" or mine_norm in codes.DISPOSITIONS else (
        " That is not a UB-04 patient status code.")
    msg = (f"{what}: you entered {_shown(name, mine_raw)!s}, the record shows {_shown(name, expected_raw)}.{valid} "
           f"This field is {_WHY.get(name, 'abstracted from the record')}.")
    impact = (transfer_impact(key_drg, mine_norm, key.abstract[name], key.los_days)
              if name == "discharge_disposition" else "")
    return feedback("abstraction", "abstraction", msg, code=name, expected=expected_raw, impact=impact,
                    severity="error")


def score(sub: Submission, key: KeyView, key_drg: int | None) -> Part:
    items, fbs = [], []
    original = key.key.abstract if isinstance(key.key.abstract, dict) else {}
    for name, what in ABSTRACT_FIELDS.items():
        if name not in key.abstract:
            continue
        expected_raw = text(original.get(name)).strip()
        mine_raw = text(sub.abstract.get(name)).strip()
        if not mine_raw:
            items.append(item("abstraction", expected_raw, "", "missing", label=what))
            fbs += about(len(items) - 1, [feedback(
                "abstraction", "abstraction", f"{what} was left blank. It is {_WHY.get(name, 'abstracted from the record')}.",
                code=name, expected=expected_raw)])
        elif norm_field(name, mine_raw) == key.abstract[name]:
            items.append(item("abstraction", expected_raw, mine_raw, "correct", 1.0, label=what))
        else:
            items.append(item("abstraction", expected_raw, mine_raw, "wrong", label=what))
            fbs += about(len(items) - 1, [_field_feedback(name, mine_raw, expected_raw, key, key_drg)])
    return Part("abstraction", tuple(items), tuple(fbs))
