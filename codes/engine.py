"""The one place that talks to the native `msdrg` library (grouper + Medicare Code Editor).

Everything handed to these functions must already be normalised and validated by
`codes.grouper`; this module only owns the native objects and their locking.
"""
from __future__ import annotations

import atexit
import threading
from datetime import date

_lock = threading.Lock()
_grouper = None
_mce = None

# MS-DRG version -> fiscal year, as shipped by msdrg (even = October release, odd = April update)
VERSION_TO_FY = {400: 2023, 401: 2023, 410: 2024, 411: 2024, 420: 2025, 421: 2025,
                 430: 2026, 431: 2026, 440: 2027}
DEFAULT_VERSION = 431
DEFAULT_FY = 2026
FISCAL_YEARS = sorted(set(VERSION_TO_FY.values()))


def version_label(version: int = DEFAULT_VERSION) -> str:
    """431 -> 'MS-DRG v43.1'."""
    return f"MS-DRG v{version // 10}.{version % 10}"


GROUPER_LABEL = version_label()     # "MS-DRG v43.1": the grouper every key and score uses
FY_LABEL = f"FY{DEFAULT_FY}"        # "FY2026": the code sets codes are checked against
# Discharge dates the default grouper version and the April 2026 ICD-10-CM release both cover.
DEFAULT_DATES = (date(2026, 4, 1), date(2026, 9, 30))


def fy_date(fy: int) -> int:
    """A discharge date (YYYYMMDD) late in fiscal year `fy`, used to ask 'valid in FY?'."""
    return 20270331 if fy == 2027 else fy * 10000 + 930


def _objects():
    global _grouper, _mce
    if _grouper is None:
        import msdrg
        _grouper = msdrg.MsdrgGrouper()
        _mce = msdrg.MceEditor()
        atexit.register(_close)
    return _grouper, _mce


def _close():
    global _grouper, _mce
    with _lock:
        if _grouper is not None:
            _grouper.close()
            _mce.close()
            _grouper = _mce = None


def raw_group(claim: dict) -> dict:
    with _lock:
        g, _ = _objects()
        return g.group(claim)


def raw_edit(claim: dict) -> dict:
    with _lock:
        _, m = _objects()
        return m.edit(claim)


def mce_code_valid(code: str, is_dx: bool, fy: int = DEFAULT_FY, date: int | None = None) -> bool:
    """Is a canonical code valid for discharges on `date` (default: late in `fy`)? Asks the MCE."""
    claim = {"discharge_date": date or fy_date(fy), "age": 50, "sex": 2, "discharge_status": 1,
             "pdx": {"code": code if is_dx else "I10", "poa": "Y"}, "sdx": [],
             "procedures": [] if is_dx else [{"code": code}]}
    r = raw_edit(claim)
    return not any(e["name"] == "INVALID_CODE" for e in r["edits"])


def mce_valid_many(codes: list[str], is_dx: bool, fy: int) -> set[str]:
    """Bulk validity check; returns the subset of `codes` valid in `fy`."""
    date = fy_date(fy)
    out = set()
    with _lock:
        _, m = _objects()
        for c in codes:
            claim = {"discharge_date": date, "age": 50, "sex": 2, "discharge_status": 1,
                     "pdx": {"code": c if is_dx else "I10", "poa": "Y"}, "sdx": [],
                     "procedures": [] if is_dx else [{"code": c}]}
            if not any(e["name"] == "INVALID_CODE" for e in m.edit(claim)["edits"]):
                out.add(c)
    return out
