"""Search relevance: hit@1, hit@5 and MRR of codes.search over a set of realistic learner queries
(bench/data/search_relevance.yaml), for the encoder ranking, the same without the commonly
reported-codes signal ("plain"), and the previous ranking ("legacy") as the same-run baseline.

    .venv/bin/python bench/bench_search_relevance.py [--misses]
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codes import search, store  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "search_relevance.yaml"
HOLDOUT = DATA.with_name("search_relevance_holdout.yaml")
DEPTH = 20


@dataclass(frozen=True)
class Case:
    query: str
    codes: tuple        # canonical; "X*" = any code starting with X
    system: str | None


@dataclass(frozen=True)
class Result:
    ranking: str
    n: int
    hit1: float
    hit5: float
    mrr: float
    ranks: tuple        # (Case, rank or None)


def load(path: Path = DATA) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(str(item["q"]), tuple(str(c).replace(".", "").upper() for c in item["codes"]), item.get("system"))
            for item in data["queries"]]


def matches(code: str, wanted: tuple) -> bool:
    return any(code.startswith(w[:-1]) if w.endswith("*") else code == w for w in wanted)


def rank_of(case: Case, ranking: str) -> int | None:
    hits = search(case.query, system=case.system, limit=DEPTH, ranking=ranking)
    return next((i + 1 for i, h in enumerate(hits) if matches(h.code, case.codes)), None)


def evaluate(ranking: str = "encoder", cases: list[Case] | None = None) -> Result:
    cases = cases if cases is not None else load()
    ranks = tuple((c, rank_of(c, ranking)) for c in cases)
    n = len(ranks)
    return Result(ranking, n, sum(1 for _, r in ranks if r == 1) / n, sum(1 for _, r in ranks if r and r <= 5) / n,
                  sum(1 / r for _, r in ranks if r) / n, ranks)


def unknown_codes(cases: list[Case]) -> list[str]:
    """Expected codes that are not in the reference cache (a typo in the benchmark itself)."""
    c = store.conn()
    out = []
    for case in cases:
        for w in case.codes:
            if w.endswith("*"):
                row = c.execute("SELECT 1 FROM terms WHERE code >= ? AND code < ? LIMIT 1", (w[:-1], w[:-1] + "\x7f")).fetchone()
            else:
                row = c.execute("SELECT 1 FROM terms WHERE code = ? LIMIT 1", (w,)).fetchone()
            if row is None:
                out.append(f"{case.query}: {w}")
    return out


LABELS = {"legacy": "legacy ranking (baseline)", "encoder": "encoder ranking",
          "plain": "encoder ranking without common-codes list"}


def report(title: str, cases: list[Case], show_misses: bool) -> None:
    print(f"{title}: {len(cases)} learner queries (hit@k: an expected code in the top k)")
    results = [evaluate(r, cases) for r in ("legacy", "encoder", "plain")]
    for r in results:
        print(f"  {LABELS[r.ranking]:<44} hit@1 {r.hit1:6.1%}  hit@5 {r.hit5:6.1%}  MRR {r.mrr:.3f}")
    base, new = results[0], results[1]
    print(f"  same-run ratio encoder/legacy: hit@5 {new.hit5 / base.hit5:.2f}x, MRR {new.mrr / base.mrr:.2f}x")
    if show_misses:
        for case, r in new.ranks:
            if not r or r > 5:
                top = [h.display for h in search(case.query, system=case.system, limit=5)]
                print(f"  miss: {case.query!r:<44} rank {r}  want {', '.join(case.codes)}  got {', '.join(top)}")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sets = [("main set (goal hit@5 >= 90%)", load(DATA)), ("held-out set (never tuned on)", load(HOLDOUT))]
    bad = [b for _t, cases in sets for b in unknown_codes(cases)]
    if bad:
        print("benchmark lists codes that do not exist:", *bad, sep="\n  ")
        return 1
    for title, cases in sets:
        report(title, cases, "--misses" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
