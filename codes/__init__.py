"""ChartLab's reference layer: ICD-10-CM, ICD-10-PCS, search, MS-DRG grouping, MCE, weights.

Everything else in ChartLab asks this package; nothing here knows about learners or UI.
"""
from functools import lru_cache

from . import cm, index, pcs, weights
from .engine import DEFAULT_FY, DEFAULT_VERSION, FISCAL_YEARS, VERSION_TO_FY
from .grouper import (DISPOSITIONS, MAX_PROC, MAX_SDX, POA_VALUES, Claim, CodeRole, Edit, GroupResult,
                      coerce_claim, group)
from .live import DxFlag, GroupingSummary, LiveResult, ProcFlag, grouping_change, live_flags, poa_exempt
from .normalize import CM, PCS, Normalized, display, normalize
from .search import Hit, search

__all__ = ["cm", "pcs", "weights", "normalize", "Normalized", "display", "CM", "PCS", "search", "Hit",
           "group", "Claim", "GroupResult", "CodeRole", "Edit", "coerce_claim", "DISPOSITIONS",
           "POA_VALUES", "MAX_SDX", "MAX_PROC", "DEFAULT_VERSION", "DEFAULT_FY", "FISCAL_YEARS",
           "VERSION_TO_FY", "lookup", "is_valid", "index", "live_flags", "grouping_change", "LiveResult",
           "DxFlag", "ProcFlag", "GroupingSummary", "poa_exempt"]


def lookup(code: str, fy: int = DEFAULT_FY):
    """CmInfo or PcsInfo for any typed code, or None. Disambiguates 7-character shapes."""
    n = normalize(code)
    if not n.ok:
        return None
    if n.system == CM:
        inf = cm.info(n.code)
        if inf is None and len(n.code) == 7:
            return pcs.info(n.code)
        return inf
    return pcs.info(n.code)


def is_valid(code: str, fy: int = DEFAULT_FY, billable: bool = True) -> bool:
    """Valid (and by default billable) for fiscal year `fy`, by the MCE's code tables."""
    return _is_valid(code, fy, billable) if isinstance(code, str) else False


@lru_cache(maxsize=65536)
def _is_valid(code: str, fy: int, billable: bool) -> bool:
    from . import engine
    n = normalize(code)
    if not n.ok:
        return False
    if n.system == PCS or (len(n.code) == 7 and not cm.exists(n.code)):
        return pcs.is_valid(n.code, fy)
    if billable and not cm.is_billable(n.code) and fy == DEFAULT_FY:
        return False
    return engine.mce_code_valid(n.code, is_dx=True, fy=fy)
