"""ICD-10-CM tabular list (simple-icd-10-cm, April 2026 release = FY2026 / MS-DRG v43.1).

Codes are accepted in canonical form (`I5021`) or dotted (`I50.21`). Notes are returned
per level (the code itself, then each ancestor), because in the tabular list a note written
at a category, block or chapter applies to every code below it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .normalize import CM, display, normalize

RELEASE = "ICD-10-CM April 1, 2026 (FY2026), via simple-icd-10-cm 1.5.0"
NOTE_KINDS = ("inclusion_terms", "includes", "excludes1", "excludes2", "code_first",
              "use_additional", "code_also", "notes", "seven_chr_note")


def _lib():
    import simple_icd_10_cm as sic  # imported lazily: loading the XML takes ~2 s
    return sic


@dataclass(frozen=True)
class Level:
    """Notes written at one level of the hierarchy (the code, or one of its ancestors)."""
    code: str           # dotted as in the tabular list (or a block "E08-E13", or chapter "4")
    kind: str           # code | category | subcategory | block | chapter
    title: str
    notes: dict          # kind -> list[str]


@dataclass(frozen=True)
class CmInfo:
    code: str                      # canonical, no dot
    display: str                   # with dot
    title: str
    billable: bool
    path: tuple                    # ((code, title), ...) chapter first, parent last
    children: tuple                # ((code, title), ...)
    levels: tuple                  # Level for the code first, then ancestors nearest first
    seven_chr_def: dict = field(default_factory=dict)  # {"A": "initial encounter ..."}

    @property
    def chapter(self) -> str:
        return self.path[0][0] if self.path else ""

    @property
    def category(self) -> str:
        return self.code[:3]

    def notes(self, kind: str) -> list[tuple[str, str]]:
        """All notes of `kind` that apply to this code, as (level code, text)."""
        return [(lv.code, t) for lv in self.levels for t in lv.notes.get(kind, [])]


@lru_cache(maxsize=65536)
def exists(code: str) -> bool:
    n = normalize(code, expect=CM)
    return n.ok and _lib().is_valid_item(display(n.code, CM))


@lru_cache(maxsize=65536)
def is_billable(code: str) -> bool:
    n = normalize(code, expect=CM)
    if not n.ok:
        return False
    sic = _lib()
    d = display(n.code, CM)
    return sic.is_valid_item(d) and sic.is_leaf(d)


@lru_cache(maxsize=65536)
def title(code: str) -> str | None:
    n = normalize(code, expect=CM)
    if not n.ok:
        return None
    sic = _lib()
    d = display(n.code, CM)
    return sic.get_description(d) if sic.is_valid_item(d) else None


def _kind(sic, c: str) -> str:
    if sic.is_chapter(c):
        return "chapter"
    if sic.is_block(c):
        return "block"
    if sic.is_category(c):
        return "category"
    return "subcategory" if not sic.is_leaf(c) else "code"


def _split(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()] if text else []


def _level_notes(sic, c: str) -> dict:
    out = {
        "inclusion_terms": list(sic.get_inclusion_term(c)),
        "includes": list(sic.get_includes(c)),
        "excludes1": list(sic.get_excludes1(c)),
        "excludes2": list(sic.get_excludes2(c)),
        "code_first": [sic.get_code_first(c)] if sic.get_code_first(c) else [],
        "use_additional": [sic.get_use_additional_code(c)] if sic.get_use_additional_code(c) else [],
        "code_also": [sic.get_code_also(c)] if sic.get_code_also(c) else [],
        "notes": _split(sic.get_notes(c)),
        "seven_chr_note": [sic.get_seven_chr_note(c)] if sic.get_seven_chr_note(c) else [],
    }
    return {k: v for k, v in out.items() if v}


@lru_cache(maxsize=4096)
def info(code: str) -> CmInfo | None:
    """Everything the tabular list says about a code, or None if it is not in the list."""
    n = normalize(code, expect=CM)
    if not n.ok:
        return None
    sic = _lib()
    d = display(n.code, CM)
    if not sic.is_valid_item(d):
        return None
    ancestors = sic.get_ancestors(d)  # nearest first
    levels = [Level(d, _kind(sic, d), sic.get_description(d), _level_notes(sic, d))]
    levels += [Level(a, _kind(sic, a), sic.get_description(a), _level_notes(sic, a)) for a in ancestors]
    try:
        seven = dict(sic.get_seven_chr_def(d, search_in_ancestors=True))
    except Exception:  # the library raises for codes with no 7th-character table above them
        seven = {}
    return CmInfo(
        code=n.code, display=d, title=sic.get_description(d), billable=sic.is_leaf(d),
        path=tuple((a, sic.get_description(a)) for a in reversed(ancestors)),
        children=tuple((c, sic.get_description(c)) for c in sic.get_children(d)),
        levels=tuple(levels), seven_chr_def=seven,
    )


def all_codes() -> list[str]:
    """Every item of the tabular list with dots (chapters and blocks included)."""
    return _lib().get_all_codes(with_dots=True)


# --------------------------------------------------------------------------------------
# Code references inside notes: "(E10.-)", "(O00-O07, O08.8)", "(N18.1-N18.6)", "K65.-"
# --------------------------------------------------------------------------------------
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF = re.compile(rf"\b({_CODE})(?:\s*-\s*({_CODE}))?")


@dataclass(frozen=True)
class CodeRange:
    """Inclusive range of code prefixes: `lo`..`hi` compared on the first len(...) characters."""
    lo: str
    hi: str

    def contains(self, code: str) -> bool:
        c = code.replace(".", "")
        return self.lo <= c[: len(self.lo)] and c[: len(self.hi)] <= self.hi

    def __str__(self) -> str:
        return display(self.lo, CM) + ("" if self.lo == self.hi else "-" + display(self.hi, CM))


def parse_ranges(text: str) -> list[CodeRange]:
    """Code ranges named in a note. Only parenthesised or bare code references count."""
    out = []
    for m in _REF.finditer(text):
        lo = m.group(1).replace(".", "")
        hi = m.group(2).replace(".", "") if m.group(2) else lo
        if CodeRange(lo, hi) not in out:
            out.append(CodeRange(lo, hi))
    return out


@dataclass(frozen=True)
class Conflict:
    code: str        # the code whose Excludes1 note fires
    other: str       # the code it excludes
    level: str       # where the note is written
    note: str        # the note's text

    @property
    def message(self) -> str:
        return (f"{display(self.code, CM)} and {display(self.other, CM)} cannot be reported together: "
                f"the Excludes1 note at {self.level} lists '{self.note}'. Excludes1 means 'not coded here' - "
                f"the two conditions are mutually exclusive unless they are documented as unrelated "
                f"(ICD-10-CM guideline I.A.12.a).")


def _canon(codes) -> list[str]:
    out = []
    for c in codes:
        n = normalize(c, expect=CM)
        if n.ok and n.code not in out:
            out.append(n.code)
    return out


@lru_cache(maxsize=8192)
def _excludes1_ranges(code: str) -> tuple:
    """((level, note text, CodeRange), ...) for every Excludes1 note that applies to `code`."""
    inf = info(code)
    if not inf:
        return ()
    # "diabetic acidosis - see categories E08-E13 with ketoacidosis" points at some subcodes of a range,
    # not at the whole range: such cross-references are left to the coder, not turned into conflicts.
    return tuple((level, text, rng) for level, text in inf.notes("excludes1")
                 if not re.search(r"\bsee\b.*\bwith\b", text) for rng in parse_ranges(text))


def excludes1_conflicts(codes) -> list[Conflict]:
    """Pairs in `codes` that an Excludes1 note forbids together, with the note text."""
    cs = _canon(codes)
    found = []
    for a in cs:
        for level, text, rng in _excludes1_ranges(a):
            lvl = level.replace(".", "")
            for b in cs:
                # a note never excludes codes below the level it is written at
                own = not ("-" in level or level.isdigit()) and b.startswith(lvl)
                if b != a and not own and rng.contains(b):
                    found.append(Conflict(a, b, level, text))
    # one message per unordered pair (both codes' notes may name each other)
    seen, out = set(), []
    for c in found:
        key = frozenset((c.code, c.other))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


_CONDITIONAL = re.compile(r"\b(if applicable|where applicable|if known|such as|any|if present|, if)\b", re.I)


@dataclass(frozen=True)
class PartnerNote:
    code: str              # the code carrying the note
    kind: str              # "code_first" | "use_additional"
    level: str
    text: str
    ranges: tuple          # CodeRange options that satisfy the note
    required: bool         # unconditional wording: a partner must be reported

    def satisfied_by(self, codes) -> bool:
        return any(r.contains(c) for r in self.ranges for c in codes if c != self.code)

    @property
    def message(self) -> str:
        what = "Code first" if self.kind == "code_first" else "Use additional code"
        opts = ", ".join(str(r) for r in self.ranges)
        return (f"{display(self.code, CM)} carries a '{what}' note at {self.level} ('{self.text.strip()}'); "
                f"report one of {opts} with it" + (" and sequence it first." if self.kind == "code_first" else "."))


@lru_cache(maxsize=8192)
def partner_notes(code: str) -> tuple[PartnerNote, ...]:
    """'Code first' / 'use additional code' notes on a code (and its ancestors) that name codes."""
    inf = info(code)
    if not inf:
        return []
    out = []
    for kind in ("code_first", "use_additional"):
        for level, text in inf.notes(kind):
            # a note may hold several instructions, one per line ("code to identify X (..)\ncode to ...")
            chunks = re.split(r"\n(?=code)", text) if kind == "use_additional" else [text]
            for chunk in chunks:
                ranges = tuple(parse_ranges(chunk))
                if not ranges:
                    continue
                # Only a single, unconditional instruction at code/category level is treated as
                # required (e.g. I13.0 -> type of heart failure, O80 -> Z37.0, D63.1 -> N18.-).
                # Lists of alternatives ("code to identify control using: ...", the causes listed
                # under I50 "code first", Z3A's chapter-wide list) and notes about facts that may
                # be unknown (organism, tobacco exposure) are advice, not requirements.
                required = not (_CONDITIONAL.search(chunk) or ":" in chunk or "\n" in chunk.strip() or len(ranges) > 2
                                or "-" in level
                                or level.isdigit() or "infectious agent" in chunk)
                out.append(PartnerNote(inf.code, kind, level, chunk, ranges, required))
    return tuple(out)


def missing_partners(codes, required_only: bool = True) -> list[PartnerNote]:
    """Notes in `codes` whose named partner is absent (order: principal first)."""
    cs = _canon(codes)
    out = []
    for c in cs:
        for note in partner_notes(c):
            if required_only and not note.required:
                continue
            if not note.satisfied_by(cs):
                out.append(note)
    return out


def sequencing_errors(codes) -> list[PartnerNote]:
    """'Code first' notes whose partner is present but listed after the code."""
    cs = _canon(codes)
    out = []
    for i, c in enumerate(cs):
        for note in partner_notes(c):
            if note.kind != "code_first":
                continue
            idx = [j for j, o in enumerate(cs) if o != c and any(r.contains(o) for r in note.ranges)]
            if idx and min(idx) > i:
                out.append(note)
    return out


@lru_cache(maxsize=65536)
def sex_conflict(code: str, sex: str) -> str | None:
    """A warning when a code describes anatomy of the other sex (the FY2025+ MCE stopped editing this)."""
    n = normalize(code, expect=CM)
    if not n.ok or sex not in ("M", "F"):
        return None
    c = n.code
    female_only = c[0] == "O" or ("N70" <= c[:3] <= "N98") or c[:3] in ("C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "D06", "D25", "D26", "D27", "Z32", "Z33", "Z34", "Z36", "Z37", "Z39", "Z3A")
    male_only = ("N40" <= c[:3] <= "N53") or c[:3] in ("C60", "C61", "C62", "C63", "D29", "D40") or c.startswith("D074")
    if sex == "M" and female_only:
        return f"{display(c, CM)} describes a female-only condition but the patient is male."
    if sex == "F" and male_only:
        return f"{display(c, CM)} describes a male-only condition but the patient is female."
    return None
