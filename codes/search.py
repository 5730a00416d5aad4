"""One search box over ICD-10-CM titles + inclusion terms, ICD-10-PCS titles and the PCS Index.

The default ranking ("encoder") works like an encoder's index:
1. a typed code or code start lists that code, then the codes below it (initial encounters first);
2. words are expanded from clinical shorthand (data/search.yaml: HTN, CHF, HFrEF, AKI, SBO ...),
   lightly stemmed ("hypertensive" ~ "hypertension") and spell-corrected at edit distance 1;
3. candidates come from the FTS5 index read in the cache's prior order (billable before headers,
   initial before subsequent and sequela encounters, general chapters before pregnancy/newborn/
   history codes), so each query scores a bounded set;
4. each candidate is scored on how it matches: the exact title (filler such as "unspecified"
   ignored) first, then titles starting with or containing the phrase, then fewer words the
   learner did not type; commonly reported codes (data/common_codes.yaml + the codes ChartLab's
   cases use) break near-ties. Pregnancy, newborn and history codes rank below general codes
   unless a query word asks for them ("pregnant", "neonatal", "history of" ...).

`ranking="legacy"` keeps the previous ranking (bm25 order, billable first) as the benchmark's
baseline; `ranking="plain"` is the encoder ranking without the commonly-reported-codes signal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datafiles import ContentError, check_keys, display_path, load_strict, load_yaml

from . import store, vocab
from .vocab import stem
from .normalize import CM, PCS, display

RANKINGS = ("encoder", "plain", "legacy")
_WORD = re.compile(r"[0-9A-Za-z]+")
_LEGACY_SYNONYMS = Path(__file__).with_name("data") / "synonyms.yaml"
_CANDIDATES = 200        # rows scored per query (read in prior order)


@dataclass(frozen=True)
class Hit:
    code: str
    system: str       # "CM" | "PCS"
    title: str
    billable: bool
    match: str        # "exact code" | "code prefix" | "title" | "word" | "index" | "substring"
    term: str = ""    # the inclusion term or index path that matched, when it is not the title

    @property
    def display(self) -> str:
        return display(self.code, self.system)


def _code_query(q: str) -> str:
    return re.sub(r"[\s.\-]", "", q).upper()


def _looks_like_code(cq: str) -> bool:
    return cq.isalnum() and len(cq) >= 2 and any(ch.isdigit() for ch in cq[:3])


def search(query: str, system: str | None = None, limit: int = 20, ranking: str = "encoder") -> list[Hit]:
    """Search codes and words. `system` may be "CM", "PCS" or None (both). Never raises on bad input."""
    if not isinstance(query, str):
        return []
    query = query.strip()[:100]
    try:
        limit = max(1, min(int(limit or 20), 200))
    except (TypeError, ValueError):
        limit = 20
    if not query:
        return []
    system = str(system or "").upper() or None
    if system not in (CM, PCS):
        system = None
    if ranking == "legacy":
        return _legacy(query, system, limit)
    return _encoder(query, system, limit, common=ranking != "plain")


# ---------------------------------------------------------------------------------------------
# Encoder ranking
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _phrases() -> dict[str, tuple[str, ...]]:
    """Typed phrase -> alternatives: an abbreviation's expansion replaces it; an equivalent's
    alternatives are searched beside the typed words."""
    v = vocab.vocabulary()
    out = {k: (k, *alts) for k, alts in v.equivalents.items()}
    out.update({k: (long if isinstance(long, tuple) else (long,)) for k, long in v.abbreviations})
    return out


def _groups(words: list[str]) -> list[tuple[str, ...]]:
    """The query as AND-groups of OR-alternatives (each alternative a string of words)."""
    phrases, stop = _phrases(), vocab.vocabulary().stopwords
    out, i = [], 0
    while i < len(words):
        for n in range(min(4, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            if phrase in phrases:
                alts = phrases[phrase]
                break
        else:
            n, alts = 1, (words[i],)
        i += n
        if n == 1 and alts == (words[i - 1],) and words[i - 1] in stop and len(words) > 1:
            continue
        if len(alts) == 1 and " " in alts[0]:  # one expansion: each of its words is a group of its own
            out.extend((w,) for w in alts[0].split() if w not in stop)
        else:
            out.append(tuple(dict.fromkeys(alts)))
    return out


def expand(query: str) -> list[list[str]]:
    """How a query is searched: [[alternatives of word group 1], ...] ("HTN" -> [["hypertension"]])."""
    return [list(g) for g in _groups([_spell(w) for w in vocab.tokens(query)])]


@lru_cache(maxsize=65536)
def _stems(alt: str) -> tuple[str, ...]:
    stop = vocab.vocabulary().stopwords
    words = alt.split()
    return tuple(dict.fromkeys(stem(w) for w in words if w not in stop or len(words) == 1))


def _known(c, word: str) -> bool:
    return c.execute("SELECT 1 FROM words WHERE word >= ? AND word < ? LIMIT 1", (word, word + "{")).fetchone() is not None


@lru_cache(maxsize=4096)
def _spell(word: str) -> str:
    """The most used index word at edit distance 1 (or one swap) from `word`, or `word` itself."""
    if len(word) < 5 or not word.isalpha() or word in _phrases():
        return word
    c = store.conn()
    if _known(c, word):
        return word
    variants = store._deletes(word)
    marks = ",".join("?" * len(variants))
    row = c.execute(f"SELECT word FROM spell WHERE variant IN ({marks}) ORDER BY docs DESC LIMIT 1", tuple(variants)).fetchone()
    return row["word"] if row else word


def _unlocked(words) -> set[str]:
    out = set()
    for name, (_codes, unlock) in vocab.vocabulary().contexts.items():
        if any(w.startswith(u) for w in words for u in unlock if len(w) >= min(len(u), 3)):
            out.add(name)
    return out


@dataclass(frozen=True)
class _Query:
    groups: tuple        # (alternatives, ...) every group must match; any alternative may
    norms: tuple         # normal forms for an exact-title match
    unlocked: frozenset  # contexts a query word asks for
    common: bool
    system: str | None


def _prepare(query: str, system, common: bool) -> _Query:
    typed = [_spell(w) for w in vocab.tokens(query)][:10]
    groups = tuple(_groups(typed))
    combos = [[]]
    for g in groups:
        combos = [c + a.split() for c in combos for a in g][:16]
    norms = tuple(dict.fromkeys(n for n in (vocab.norm_words(c) for c in combos) if n))
    words = typed + [w for g in groups for a in g for w in a.split()]
    return _Query(groups, norms, frozenset(_unlocked(words)), common, system)


def _fts(groups) -> str:
    def group(g):
        alts = ["(" + " AND ".join(f'"{s}"*' for s in _stems(a)) + ")" for a in g if _stems(a)]
        return "(" + " OR ".join(alts) + ")" if alts else ""
    return " AND ".join(x for x in map(group, groups) if x)


_SELECT = "SELECT t.code, t.system, t.title, t.term, t.billable, t.kind, t.ctx, t.norm, t.prior FROM terms t"


def _candidates(c, q: _Query) -> list:
    sys_clause, sys_args = (" AND t.system = ?", (q.system,)) if q.system else ("", ())
    rows = []
    if q.norms:
        marks = ",".join("?" * len(q.norms))
        rows += c.execute(f"{_SELECT} WHERE t.norm IN ({marks}){sys_clause} LIMIT 50", (*q.norms, *sys_args)).fetchall()
    match = _fts(q.groups)
    if not match:
        return rows
    base = f"{_SELECT} JOIN terms_fts f ON t.rowid = f.rowid WHERE terms_fts MATCH ?{sys_clause}"
    rows += c.execute(f"{base} LIMIT {_CANDIDATES}", (match, *sys_args)).fetchall()
    for ctx in q.unlocked:
        rows += c.execute(f"{base} AND t.ctx = ? LIMIT {_CANDIDATES // 2}", (match, *sys_args, ctx)).fetchall()
    n = len(q.groups)
    if len(rows) < 10 and n > 1:  # no title has every word: score titles lacking one of them
        for i in range(n):
            rows += _fts_rows(c, base, q.groups[:i] + q.groups[i + 1:], sys_args, _CANDIDATES // n)
    if len(rows) < 10 and n > 2:  # ... or lacking all but one
        for g in q.groups:
            rows += _fts_rows(c, base, (g,), sys_args, _CANDIDATES // n)
    return rows


def _fts_rows(c, base: str, groups, sys_args, limit: int) -> list:
    if not any(any(ch.isalpha() for ch in a) and len(a) >= 3 for g in groups for a in g):
        return []  # numbers or scraps alone ("999" of "ZZZ.999") say nothing about a condition
    match = _fts(groups)
    return c.execute(f"{base} LIMIT {limit}", (match, *sys_args)).fetchall() if match else []


_SOFT = vocab.SOFT


@lru_cache(maxsize=20000)
def _row_tokens(term: str) -> tuple[tuple, tuple, frozenset]:
    """(stems of all words in order, stems of words outside parentheses, stems of negated words:
    what a title says the code is *without* does not make it a worse match)."""
    soft = frozenset(stem(w) for m in _SOFT.finditer(term) for w in vocab.tokens(m.group(1)))
    return tuple(stem(w) for w in vocab.tokens(term)), tuple(stem(w) for w in vocab.core_tokens(term)), soft


@lru_cache(maxsize=20000)
def _wordset(words: tuple) -> frozenset:
    return frozenset(words)


@lru_cache(maxsize=1)
def _filler_stems() -> tuple[frozenset, frozenset]:
    v = vocab.vocabulary()
    return frozenset(stem(w) for w in v.filler), frozenset(stem(w) for w in v.stopwords)


def _alt_cost(alt: tuple, words: tuple, last: bool, wordset: frozenset = frozenset()) -> float | None:
    cost = 0.0
    for s in alt:
        if s in wordset:
            continue
        if any(w.startswith(s) for w in words):
            cost += 0.5 if last else 1.5
        else:
            return None
    return cost


def _score(row, q: _Query) -> float:
    words, core, soft = _row_tokens(row["term"])
    wordset = _wordset(words)
    filler, stop = _filler_stems()
    score = row["prior"]
    covered, phrase = set(), []
    for i, g in enumerate(q.groups):
        best = None
        for a in g:
            alt = _stems(a)
            cost = _alt_cost(alt, words, i == len(q.groups) - 1, wordset)
            if cost is not None and (best is None or (cost, -len(alt)) < (best[0], -len(best[1]))):
                best = (cost, alt)  # equal cost: the alternative that explains more of the title
        if best is None:
            score += 15  # a word the title lacks (only from the fallback retrieval)
            continue
        score += best[0]
        covered.update(best[1])
        phrase.extend(best[1])
    for w in core:
        if w in covered or w in stop or any(w.startswith(s) for s in covered):
            continue
        score += 0.6 if (w in filler or w in soft) else 3.0
    if row["norm"] in q.norms:
        score -= 20 if row["billable"] else 8
    joined, text = " ".join(words), " ".join(phrase)
    if text and joined.startswith(text):
        score -= 7
    elif text and text in joined:
        score -= 4
    if row["ctx"] and row["ctx"] in q.unlocked:
        score -= 20
    if q.common and row["code"] in vocab.common_codes():
        score -= 4
    return score


def _encoder(query: str, system, limit: int, common: bool) -> list[Hit]:
    c = store.conn()
    hits = _code_hits(c, query, system, limit)
    if hits:  # a typed code (or code start) lists codes only
        return hits[:limit]
    q = _prepare(query, system, common)
    best: dict[tuple, tuple] = {}
    for row in _candidates(c, q):
        key = (row["system"], row["code"])
        s = _score(row, q)
        if key not in best or s < best[key][0]:
            best[key] = (s, len(row["term"]), row)
    taken = {(h.system, h.code) for h in hits}
    for key, (s, _n, row) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0][1])):
        if len(hits) >= limit:
            break
        if key in taken:
            continue
        kind = "index" if row["kind"] == "index" else ("title" if row["norm"] in q.norms else "word")
        term = row["term"] if row["term"] != row["title"] else ""
        hits.append(Hit(row["code"], row["system"], row["title"], bool(row["billable"]), kind, term))
    return hits or _substring_hits(c, query, system, limit)


def _substring_hits(c, query: str, system, limit: int) -> list[Hit]:
    """Last resort: titles containing the typed letters inside a word ("ectomy")."""
    words = [w for w in vocab.tokens(query) if len(w) >= 3][:8]
    if not words:
        return []
    sys_clause, sys_args = (" AND t.system = ?", (system,)) if system else ("", ())
    rows = c.execute(f"{_SELECT} JOIN terms_tri f ON t.rowid = f.rowid WHERE terms_tri MATCH ?{sys_clause} LIMIT ?",
                     (" ".join(f'"{w}"' for w in words), *sys_args, limit)).fetchall()
    return [Hit(r["code"], r["system"], r["title"], bool(r["billable"]), "substring",
                r["term"] if r["term"] != r["title"] else "") for r in rows]


def _table_title(code: str) -> str:
    """A PCS table or partial code named by its characters: "0SR" -> "Medical and Surgical, Lower Joints, Replacement"."""
    from . import pcs
    return ", ".join(m for m in (pcs.meaning(code[:i], code[i]) for i in range(len(code))) if m) or code


def _code_hits(c, query: str, system, limit: int) -> list[Hit]:
    cq = _code_query(query)
    if not _looks_like_code(cq):
        return []
    sys_clause, sys_args = (" AND system = ?", (system,)) if system else ("", ())
    rows = c.execute(f"SELECT code, system, title, billable, kind FROM terms WHERE code = ?{sys_clause} "
                     f"ORDER BY kind != 'title' LIMIT 1", (cq, *sys_args)).fetchall()
    out = [Hit(r["code"], r["system"], _table_title(r["code"]) if r["kind"] == "index" else r["title"],
               bool(r["billable"]), "exact code") for r in rows]
    below = c.execute(f"SELECT code, system, title, billable FROM terms WHERE code > ? AND code < ? AND kind = 'title'"
                      f"{sys_clause} ORDER BY length(code), prior, code LIMIT ?", (cq, cq + "\x7f", *sys_args, limit)).fetchall()
    out += [Hit(r["code"], r["system"], r["title"], bool(r["billable"]), "code prefix") for r in below]
    return out


# ---------------------------------------------------------------------------------------------
# Legacy ranking (the benchmark's same-run baseline; behaviour as before issue 16)
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _legacy_synonyms() -> dict[str, str]:
    data = load_strict(_LEGACY_SYNONYMS)
    return {k.lower(): v.lower() for k, v in (data.get("abbreviations") or {}).items()}


def _legacy_expand(query: str) -> str:
    text = " " + " ".join(_WORD.findall(query.lower())) + " "
    for short, long in sorted(_legacy_synonyms().items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f" {short} ", f" {long} ")
    return text.strip()


def _legacy(query: str, system, limit: int) -> list[Hit]:
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
    if _looks_like_code(cq):
        add(c.execute(f"SELECT code, system, title, billable FROM terms WHERE code = ? AND is_title = 1{sys_clause}",
                      (cq, *sys_args)), "exact code")
        add(c.execute(f"SELECT code, system, title, billable FROM terms WHERE code > ? AND code < ? AND is_title = 1{sys_clause} "
                      f"ORDER BY length(code), code LIMIT ?", (cq, cq + "\x7f", *sys_args, limit)), "code prefix")
    words = _WORD.findall(_legacy_expand(query))
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
