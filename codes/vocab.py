"""The search vocabulary (data/search.yaml, data/common_codes.yaml) and the text rules shared by
the cache build (`codes.store`) and the ranking (`codes.search`): tokens, normal forms, contexts,
and each row's query-independent prior."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datafiles import load_strict

DATA = Path(__file__).with_name("data")
SEARCH_FILE = DATA / "search.yaml"
COMMON_FILE = DATA / "common_codes.yaml"
CASE_DIRS = ("conditions", "procedures")
WORD = re.compile(r"[0-9a-z]+")
_PAREN = re.compile(r"\([^)]*\)")
_CASE_CODE = re.compile(r"^\s*-?\s*(?:code|codes|optional)\s*:\s*(.+)$")
_CODE_TOKEN = re.compile(r"\b([A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?|[0-9A-HJ-NP-Z]{7})\b")

# 7th-character position of a CM code (initial, subsequent, sequela) from the title's wording
ENCOUNTER_RANK = (("sequela", 2), ("subsequent encounter", 1))


@dataclass(frozen=True)
class Vocabulary:
    abbreviations: tuple     # ((phrase, expansion or (alternative, ...)), ...) longest first: the typed form is replaced
    equivalents: dict        # phrase -> (alternative, ...): the typed form is kept as one alternative
    contexts: dict           # name -> (code prefixes tuple, unlocking word prefixes tuple)
    filler: frozenset
    stopwords: frozenset


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = load_strict(SEARCH_FILE)
    abbr = {" ".join(tokens(k)): tuple(" ".join(tokens(a)) for a in v) if isinstance(v, list) else " ".join(tokens(v))
            for k, v in (data.get("abbreviations") or {}).items()}
    ctx = {name: (tuple(str(c).upper() for c in spec.get("codes") or ()), tuple(str(w).lower() for w in spec.get("words") or ()))
           for name, spec in (data.get("contexts") or {}).items()}
    equiv = {" ".join(tokens(k)): tuple(" ".join(tokens(a)) for a in (v if isinstance(v, list) else [v]))
             for k, v in (data.get("equivalents") or {}).items()}
    return Vocabulary(tuple(sorted(abbr.items(), key=lambda kv: (-len(kv[0]), kv[0]))), equiv, ctx,
                      frozenset(data.get("filler") or ()), frozenset(data.get("stopwords") or ()))


def files_digest() -> str:
    """Part of the cache's release key: the vocabulary decides contexts and priors in the cache."""
    h = hashlib.sha1()
    here = Path(__file__).parent
    for f in (SEARCH_FILE, DATA / "index_supplement.yaml", Path(__file__), here / "index.py", here / "pcs.py"):
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def tokens(text: str) -> list[str]:
    return WORD.findall(str(text).lower())


def core_tokens(text: str) -> list[str]:
    """Words of a title outside parentheses ("Essential (primary) hypertension" -> essential, hypertension)."""
    return tokens(_PAREN.sub(" ", str(text)))


_SUFFIXES = ("ations", "ation", "ities", "ness", "ions", "ion", "ism", "ive", "ics", "ous", "ic", "ies", "ia", "al",
             "ed", "es", "ing", "us", "s", "y", "e")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip (twice) so word forms meet ("fractured" ~ "fracture", "diabetic" ~
    "diabetes", "excisional" ~ "excision", "embolism" ~ "embolus")."""
    for _round in range(2):
        for suf in _SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 4:
                word = word[: -len(suf)]
                break
        else:
            break
    return word


def norm_words(words) -> str:
    v = vocabulary()
    return " ".join(sorted({stem(w) for w in words if w not in v.filler and w not in v.stopwords}))


SOFT = re.compile(r"\b(?:without|unspecified whether|not specified as|not elsewhere)\b([^,;(]*)", re.I)


def norm(text: str) -> str:
    """Order-free normal form used for exact-title matches: stems of the core words less filler,
    stopwords and what the title says the code is without ("Heart failure, unspecified" and
    "heart failure" meet; so do "Respiratory failure, unspecified, unspecified whether with hypoxia
    or hypercapnia" and "respiratory failure")."""
    return norm_words(core_tokens(SOFT.sub(" ", str(text))))


def context_of(code: str, system: str) -> str:
    if system != "CM":
        return ""
    for name, (prefixes, _words) in vocabulary().contexts.items():
        if any(code.startswith(p) for p in prefixes):
            return name
    return ""


def encounter_rank(title: str) -> int:
    low = title.lower()
    for phrase, rank in ENCOUNTER_RANK:
        if phrase in low:
            return rank
    return 0


def prior(system: str, billable: bool, kind: str, ctx: str, title: str) -> float:
    """Query-independent cost of a row (lower ranks first): headers, later encounters, out-of-context
    chapters and inclusion terms cost a little; the query's own match quality decides the rest."""
    cost = 0.0
    if system == "CM" and not billable:
        cost += 15
    if system == "PCS" and kind == "index":
        cost += 1 if billable else 8
    cost += 8 * encounter_rank(title) if system == "CM" else 0
    cost += 1 if system == "CM" and "initial encounter for open fracture" in title.lower() else 0
    cost += 20 if ctx else 0
    cost += 1 if kind == "inclusion" else 0
    return cost


@lru_cache(maxsize=1)
def common_codes() -> frozenset:
    """The curated list plus every code ChartLab's case content uses (read as data, no import)."""
    data = load_strict(COMMON_FILE)
    out = {str(c).replace(".", "").upper() for key in ("cm", "pcs") for c in data.get(key) or ()}
    return frozenset(out | case_codes())


@lru_cache(maxsize=1)
def case_codes() -> frozenset:
    root = Path(__file__).resolve().parent.parent / "cases"
    out = set()
    for sub in CASE_DIRS:
        for f in sorted((root / sub).glob("*.yaml")):
            for line in f.read_text(encoding="utf-8").splitlines():
                m = _CASE_CODE.match(line)
                if m:
                    out.update(c.replace(".", "") for c in _CODE_TOKEN.findall(m.group(1)))
    return frozenset(out)
