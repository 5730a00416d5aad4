"""Cross-check grouping with `drgpy`, an independent pure-Python grouper.

Used only by tests and by `python -m cases validate` to record a second opinion next to the
reference DRG; ChartLab never shows or scores with it. Known, measured differences: drgpy's
v43 ignores POA, mis-handles DRGs where any O.R. procedure qualifies and 981-989, lacks DRGs
143-145 and 789, demands an MCC for 949, and misses some CC/MCC codes (e.g. J12.82).
"""
from __future__ import annotations

from functools import lru_cache

from .engine import version_label
from .grouper import Claim
from .normalize import normalize


@lru_cache(maxsize=1)
def _engine():
    from drgpy.msdrg import DRGEngine
    return DRGEngine(version=version_label().removeprefix("MS-DRG "))   # "v43.1"


def drgpy_drg(claim: Claim) -> int | None:
    """drgpy's DRG for a claim (None when it cannot group it)."""
    dx = [normalize(claim.pdx).code] + [normalize(c).code for c, _ in claim.sdx]
    poa = [claim.pdx_poa] + [p for _, p in claim.sdx]
    pr = [normalize(p).code for p in claim.procedures]
    try:
        drg = _engine().get_drg([d for d in dx if d], [p for p in pr if p],
                                gender="F" if claim.sex == "F" else "M",
                                is_alive=str(claim.disposition) != "20", poa=poa,
                                discharge_status=str(claim.disposition).zfill(2))
        return int(drg) if drg and drg != "000" else None
    except (KeyError, ValueError, IndexError):
        return None
