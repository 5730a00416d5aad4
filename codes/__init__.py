"""ChartLab's reference layer: ICD-10-CM, ICD-10-PCS, search, MS-DRG grouping, MCE, weights.

Everything else in ChartLab asks this package; nothing here knows about learners or UI.
"""
from functools import lru_cache

from . import cm, index, pcs, store, weights
from .check import DRG, CodeCheck, check, system_of
from .crosscheck import drgpy_drg
from .engine import (DEFAULT_DATES, DEFAULT_FY, DEFAULT_VERSION, FISCAL_YEARS, FY_LABEL, GROUPER_LABEL,
                     VERSION_TO_FY, version_label)
from .grouper import (DISPOSITIONS, MAX_PROC, MAX_SDX, POA_VALUES, Claim, CodeRole, Edit, GroupResult,
                      coerce_claim, group)
from .live import DxFlag, GroupingSummary, LiveResult, ProcFlag, grouping_change, live_flags, poa_exempt
from .normalize import CM, PCS, Normalized, display, normalize
from .search import Hit, search

__all__ = ["cm", "pcs", "store", "weights", "drgpy_drg", "normalize", "Normalized", "display", "CM", "PCS", "search", "Hit",
           "group", "Claim", "GroupResult", "CodeRole", "Edit", "coerce_claim", "DISPOSITIONS",
           "POA_VALUES", "MAX_SDX", "MAX_PROC", "DEFAULT_VERSION", "DEFAULT_FY", "FISCAL_YEARS",
           "VERSION_TO_FY", "FY_LABEL", "GROUPER_LABEL", "DEFAULT_DATES", "version_label", "lookup", "is_valid",
           "check", "CodeCheck", "system_of", "DRG",
           "index", "live_flags", "grouping_change", "LiveResult", "DxFlag", "ProcFlag", "GroupingSummary",
           "poa_exempt"]


def lookup(code: str, fy: int = DEFAULT_FY):
    """CmInfo or PcsInfo for any typed code, or None (`system_of` decides a 7-character shape)."""
    n = normalize(code)
    if not n.ok:
        return None
    return pcs.info(n.code) if system_of(n.code) == PCS else cm.info(n.code)


def is_valid(code: str, fy: int = DEFAULT_FY, billable: bool = True) -> bool:
    """Valid (and by default billable) for fiscal year `fy`, by the MCE's code tables."""
    return _is_valid(code, fy, billable) if isinstance(code, str) else False


@lru_cache(maxsize=65536)
def _is_valid(code: str, fy: int, billable: bool) -> bool:
    from . import engine
    n = normalize(code)
    if not n.ok:
        return False
    if system_of(n.code) == PCS:
        return pcs.is_valid(n.code, fy)
    if billable and not cm.is_billable(n.code) and fy == DEFAULT_FY:
        return False
    return engine.mce_code_valid(n.code, is_dx=True, fy=fy)
