"""Normalise whatever a person typed into a canonical ICD-10-CM or ICD-10-PCS code.

Canonical form is upper case without a dot (the form the grouper and the CMS files use);
`display()` puts the dot back for ICD-10-CM. Nothing here raises on bad input: a
`Normalized` with `ok=False` carries a message a learner can act on.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CM = "CM"
PCS = "PCS"

# ICD-10-CM: letter, digit, alnum, then up to 4 alnum (3 to 7 characters in all).
_CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
# ICD-10-PCS: exactly 7 characters from 0-9 and A-Z without the letters O and I.
_PCS_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_STRIP = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class Normalized:
    raw: str
    code: str = ""
    system: str = ""  # "CM" or "PCS", "" when not recognised
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def display(self) -> str:
        return display(self.code, self.system) if self.ok else self.raw


def display(code: str, system: str | None = None) -> str:
    """`I5021` -> `I50.21`; PCS codes are shown as they are."""
    if not code:
        return ""
    system = system or guess_system(code)
    if system == CM and len(code) > 3 and "." not in code:
        return f"{code[:3]}.{code[3:]}"
    return code


def guess_system(code: str) -> str:
    """The system a canonical (dotless, upper-case) code's shape belongs to, or ""."""
    if _PCS_RE.match(code) and code[0].isdigit():
        return PCS  # CM codes never start with a digit
    if _CM_RE.match(code):
        return CM
    if _PCS_RE.match(code):
        return PCS  # PCS sections B-X start with a letter
    return ""


def normalize(raw: object, expect: str | None = None) -> Normalized:
    """Normalise one typed code. `expect` may be "CM" or "PCS" to insist on one system."""
    if isinstance(raw, str) and len(raw) <= 40:
        return _normalize_str(raw, expect)
    return _normalize(raw, expect)


@lru_cache(maxsize=65536)
def _normalize_str(raw: str, expect: str | None) -> Normalized:
    return _normalize(raw, expect)


def _normalize(raw: object, expect: str | None) -> Normalized:
    if raw is None:
        return Normalized("", error="No code was entered.")
    if not isinstance(raw, str):
        raw = str(raw)
    text = unicodedata.normalize("NFKC", raw)
    if len(text) > 40:
        return Normalized(raw[:40], error="That is far too long to be an ICD-10 code.")
    dotted = "." in text
    code = _STRIP.sub("", text).upper()
    if not code:
        return Normalized(raw, error="No code was entered.")
    if not code.isascii() or not code.isalnum():
        return Normalized(raw, error=f"'{raw.strip()}' contains characters that never appear in ICD-10 codes.")
    system = guess_system(code)
    if expect == PCS and _PCS_RE.match(code):
        system = PCS  # e.g. imaging "B2111ZZ" has a CM-like shape but is asked for as PCS
    if not system:
        if len(code) == 7 and ("O" in code or "I" in code) and code[0].isdigit():
            return Normalized(raw, error=f"'{code}' looks like ICD-10-PCS, but PCS never uses the letters O or I (they are read as 0 and 1).")
        if code[0].isdigit():
            return Normalized(raw, error=f"'{raw.strip()}' is not a valid shape: ICD-10-PCS codes have exactly 7 characters.")
        if len(code) < 3:
            return Normalized(raw, error=f"'{raw.strip()}' is too short: ICD-10-CM codes have 3 to 7 characters (letter, digit, then more).")
        return Normalized(raw, error=f"'{raw.strip()}' is not an ICD-10-CM shape (letter, digit, character, then up to 4 more).")
    if system == PCS and dotted:
        return Normalized(raw, error=f"'{raw.strip()}' has a dot, but ICD-10-PCS codes have none; did you mean {code}?")
    if expect and system != expect:
        want = "an ICD-10-CM diagnosis code" if expect == CM else "an ICD-10-PCS procedure code"
        got = "an ICD-10-PCS procedure code" if system == PCS else "an ICD-10-CM diagnosis code"
        return Normalized(raw, code, system, error=f"{display(code, system)} is {got}; this field needs {want}.")
    return Normalized(raw, code, system)
