"""One code-entry check for whatever a person typed: a diagnosis, a procedure or an MS-DRG.

    codes.check("i50.33", codes.CM)   -> CodeCheck(code="I5033", display="I50.33", title=..., billable=True)
    codes.check("I50", codes.CM)      -> accepted with a warning (a header is not billable)
    codes.check("0DTJ4ZX", codes.PCS) -> refused: `error` says why, in words a learner can act on
    codes.check("291", codes.DRG)     -> CodeCheck(code="291", display="291", title=...)

`system_of(code)` is the one rule for a code whose shape fits both sets (a 7-character code
starting with a letter and a digit, e.g. B2111ZZ): it is ICD-10-PCS when it is not an
ICD-10-CM code but is a PCS code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import cm, pcs, weights
from .engine import DEFAULT_FY, FY_LABEL, GROUPER_LABEL
from .normalize import CM, PCS, guess_system, normalize

DRG = "DRG"
MAX_TYPED = 40


@dataclass(frozen=True)
class CodeCheck:
    """A typed code, checked: accepted (`code` canonical, maybe with a `warning`) or refused (`error`)."""
    raw: str
    code: str = ""        # canonical; "" when refused
    display: str = ""
    title: str = ""
    billable: bool = False
    error: str = ""       # refused: not a code of this set
    warning: str = ""     # accepted with a caution (header code)

    @property
    def ok(self) -> bool:
        return not self.error


@lru_cache(maxsize=65536)
def system_of(code: str) -> str:
    """CM or PCS for a code, "" when it is neither shape. A code both shapes fit is ICD-10-PCS
    when it is not an ICD-10-CM code but is a PCS code (in the PCS tables or valid per the MCE)."""
    n = normalize(code)
    if not n.ok:
        return ""
    if guess_system(n.code) == PCS:
        return PCS
    if len(n.code) == 7 and not cm.exists(n.code) and (pcs.info(n.code) is not None or pcs.is_valid(n.code)):
        return PCS
    return CM


def _typed(raw) -> str:
    return " ".join(str(raw if raw is not None else "").split())[:MAX_TYPED]


def check(raw, system: str) -> CodeCheck:
    """Check one typed code against `system` (CM, PCS or DRG). Never raises."""
    typed = _typed(raw)
    return {CM: _check_dx, PCS: _check_pcs, DRG: _check_drg}[system](typed)


def _check_dx(raw: str) -> CodeCheck:
    if not raw:
        return CodeCheck(raw, error="Type a code or pick one from the search results.")
    n = normalize(raw)
    if not n.ok:
        return CodeCheck(raw, error=n.error)
    if system_of(n.code) == PCS:
        return CodeCheck(raw, error=f"{n.code} looks like an ICD-10-PCS procedure code; enter it under Procedures.")
    inf = cm.info(n.code)
    if inf is None:
        return CodeCheck(raw, error=f"{n.display} is not an ICD-10-CM code in {FY_LABEL}. "
                                    "Check each character, or search by words.")
    warning = "" if inf.billable else (f"{inf.display} is a header (category or subcategory), not billable: "
                                       "it needs more characters.")
    return CodeCheck(raw, inf.code, inf.display, inf.title, inf.billable, warning=warning)


def _check_pcs(raw: str) -> CodeCheck:
    if not raw:
        return CodeCheck(raw, error="Type a code, pick one from the search results or build it.")
    n = normalize(raw, expect=PCS)
    if not n.ok:
        guess = normalize(raw)
        if guess.ok and guess.system == CM:
            return CodeCheck(raw, error=f"{guess.display} is an ICD-10-CM diagnosis code; procedures need a "
                                        "7-character ICD-10-PCS code.")
        return CodeCheck(raw, error=n.error)
    if not pcs.is_valid(n.code, DEFAULT_FY):
        return CodeCheck(raw, error=f"{n.code} is not a valid ICD-10-PCS code in {FY_LABEL}. "
                                    "Use the builder to see which characters are allowed.")
    return CodeCheck(raw, n.code, n.code, pcs.title(n.code) or "", True)


def _check_drg(raw: str) -> CodeCheck:
    text = raw.upper().removeprefix("MS-").removeprefix("DRG").strip()
    if not text:
        return CodeCheck(raw, error="Type an MS-DRG number, e.g. 291.")
    if not text.isdigit() or not 1 <= int(text) <= 999:
        return CodeCheck(raw, error=f"MS-DRG '{raw}' should be a number from 001 to 999.")
    inf = weights.lookup(int(text))
    if inf is None or not inf.weight:
        return CodeCheck(raw, error=f"MS-DRG {int(text):03d} does not exist in {GROUPER_LABEL} ({FY_LABEL}).")
    shown = f"{inf.drg:03d}"
    return CodeCheck(raw, shown, shown, inf.title, True)
