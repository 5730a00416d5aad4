"""Claims for the learner's codes and the key's, grouped with the reference grouper.

The learner's claim uses the key's age and sex (the learner does not enter them) and the
learner's own discharge disposition. Secondary diagnoses are sent in code order so that the
order a learner typed them in can never change the DRG.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import codes
from codes import Claim, GroupResult

from .clean import DEFAULT_DISPOSITION, EXEMPT, UNKNOWN_POA, KeyView, Submission, norm_field


@lru_cache(maxsize=1024)
def group(claim: Claim) -> GroupResult:
    """codes.group, memoised: the same claim always groups the same way."""
    return codes.group(claim)


def clear_cache() -> None:
    group.cache_clear()


def _claim_poa(poa: str, principal: bool = False) -> str:
    """POA as sent to the grouper: blank/unknown on a secondary is treated as U (not reported)."""
    if poa in (UNKNOWN_POA, ""):
        return "Y" if principal else "U"
    return poa


def learner_disposition(sub: Submission) -> tuple[str, bool]:
    """(status code used for grouping, whether the learner's own value was usable)."""
    disp = norm_field("discharge_disposition", sub.abstract.get("discharge_disposition", ""))
    return (disp, True) if disp in codes.DISPOSITIONS else (DEFAULT_DISPOSITION, False)


def learner_claim(sub: Submission, key: KeyView) -> Claim:
    pdx = sub.pdx
    sdx = tuple(sorted((d.code, _claim_poa(d.poa)) for d in sub.sdx if d.code))
    procs = tuple(p.code for p in sub.procedures if p.code)
    return Claim(pdx=(pdx.code or pdx.raw) if pdx else "", pdx_poa=_claim_poa(pdx.poa, True) if pdx else "Y",
                 sdx=sdx, procedures=procs, age=key.age, sex=key.sex,
                 disposition=learner_disposition(sub)[0], los_days=key.los_days)


def key_poa(poa: str) -> str:
    return "1" if poa in EXEMPT else _claim_poa(poa)


def key_claim(key: KeyView) -> Claim:
    pdx = key.pdx
    return Claim(pdx=pdx.code if pdx else "", pdx_poa=_claim_poa(pdx.poa, True) if pdx else "Y",
                 sdx=tuple((k.code, key_poa(k.poa)) for k in key.sdx),
                 procedures=tuple(k.code for k in key.procedures), age=key.age, sex=key.sex,
                 disposition=key.disposition, los_days=key.los_days)


@dataclass(frozen=True)
class Groupings:
    learner: GroupResult
    key: GroupResult
    learner_claim: Claim
    key_claim: Claim

    def hac(self, code: str) -> str:
        """The HAC category a code meets in either grouping ("" if none)."""
        for g in (self.learner, self.key):
            role = g.role_of(code) if g.codes else None
            if role and role.hac:
                return role.hac
        return ""

    def regroup(self, **changes) -> GroupResult:
        """The learner's claim with some fields changed (a counterfactual), grouped."""
        return group(replace(self.learner_claim, **changes))


def groupings(sub: Submission, key: KeyView) -> Groupings:
    lc, kc = learner_claim(sub, key), key_claim(key)
    return Groupings(learner=group(lc), key=group(kc), learner_claim=lc, key_claim=kc)


def regrouped_key(key):
    """An AnswerKey whose DRG, title, MDC, weight and severity are recomputed from its codes
    (used when a key is re-sequenced for an allowed alternative principal diagnosis)."""
    from .clean import read_key
    g = group(key_claim(read_key(key)))
    if not g.ok:
        return key
    return replace(key, drg=g.drg, drg_title=g.drg_title, mdc=g.mdc, weight=g.weight, severity=g.severity)
