"""One search box over ICD-10-CM titles + inclusion terms and ICD-10-PCS titles.

Ranking: exact code, then codes starting with what was typed, then titles/terms where every
word typed starts a word (billable before headers, then FTS5 bm25), then substring matches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datafiles import ContentError, check_keys, display_path, load_yaml

from . import store
from .normalize import CM, PCS, display

_WORD = re.compile(r"[0-9A-Za-z]+")
_SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyms.yaml"


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    """Shorthand -> title words, from codes/data/synonyms.yaml (read strictly: a typo is an error)."""
    data, problems = load_yaml(_SYNONYMS_FILE)
    if data is not None:
        problems += check_keys(data, ("abbreviations",), (), display_path(_SYNONYMS_FILE), "")
    if problems:
        raise ContentError(problems)
    return {str(k).lower(): str(v).lower() for k, v in (data["abbreviations"] or {}).items()}


def expand(query: str) -> str:
    """Replace clinical shorthand ("CHF", "lap chole") with the words code titles use."""
    text = " " + " ".join(_WORD.findall(query.lower())) + " "
    for short, long in sorted(_synonyms().items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f" {short} ", f" {long} ")
    return text.strip()


@dataclass(frozen=True)
class Hit:
    code: str
    system: str       # "CM" | "PCS"
    title: str
    billable: bool
    match: str        # "exact code" | "code prefix" | "word" | "substring"
    term: str = ""    # the inclusion term that matched, when it is not the title

    @property
    def display(self) -> str:
        return display(self.code, self.system)


def _code_query(q: str) -> str:
    return re.sub(r"[\s.\-]", "", q).upper()


def search(query: str, system: str | None = None, limit: int = 20) -> list[Hit]:
    """Search codes and words. `system` may be "CM", "PCS" or None (both)."""
    if not isinstance(query, str):
        return []
    query = query.strip()[:100]
    limit = max(1, min(int(limit or 20), 200))
    if not query:
        return []
    system = (system or "").upper() or None
    if system and system not in (CM, PCS):
        system = None
    c = store.conn()
    hits: dict[str, Hit] = {}

    def add(rows, match):
        for r in rows:
            if len(hits) >= limit:
                return
            key = r["system"] + r["code"]
            if key not in hits:
                term = r["term"] if "term" in r.keys() and r["term"] != r["title"] else ""
                hits[key] = Hit(r["code"], r["system"], r["title"], bool(r["billable"]), match, term)

    sys_clause = " AND system = ?" if system else ""
    sys_args = (system,) if system else ()
    cq = _code_query(query)
    if cq.isalnum() and len(cq) >= 2 and any(ch.isdigit() for ch in cq[:3]):
        add(c.execute(f"SELECT code, system, title, billable FROM terms WHERE code = ? AND is_title = 1{sys_clause}",
                      (cq, *sys_args)), "exact code")
        add(c.execute(f"SELECT code, system, title, billable FROM terms WHERE code > ? AND code < ? AND is_title = 1{sys_clause} "
                      f"ORDER BY length(code), code LIMIT ?", (cq, cq + "\x7f", *sys_args, limit)), "code prefix")
    words = _WORD.findall(expand(query))
    if words and len(hits) < limit:
        fts = " ".join(f'"{w}"*' for w in words[:8])
        rows = c.execute(
            f"SELECT t.code, t.system, t.title, t.term, t.billable, bm25(terms_fts) AS score FROM terms_fts f "
            f"JOIN terms t ON t.rowid = f.rowid WHERE terms_fts MATCH ?{sys_clause.replace('system', 't.system')} "
            f"ORDER BY bm25(terms_fts) LIMIT 300", (fts, *sys_args)).fetchall()
        phrase = " ".join(words)

        def rank(r):
            term = " ".join(_WORD.findall(r["term"].lower()))
            return (not r["billable"], not term.startswith(phrase), phrase not in term, round(r["score"], 1), len(term), r["code"])
        add(sorted(rows, key=rank), "word")
    longest = max(words, key=len) if words else ""
    if len(longest) >= 3 and len(hits) < limit:
        tri = " ".join(f'"{w}"' for w in words[:8] if len(w) >= 3)
        add(c.execute(
            f"SELECT t.code, t.system, t.title, t.term, t.billable FROM terms_tri f JOIN terms t ON t.rowid = f.rowid "
            f"WHERE terms_tri MATCH ?{sys_clause.replace('system', 't.system')} "
            f"ORDER BY t.billable DESC, length(t.term) LIMIT ?", (tri, *sys_args, limit * 3)), "substring")
    return list(hits.values())[:limit]
