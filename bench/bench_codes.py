"""Benchmarks for the reference layer: search as you type, live flags, and grouping throughput.

Prints p50/p95 of 1,000 realistic typed queries through the encoder ranking and the legacy
ranking, of every prefix a learner types on the way to each relevance-benchmark query (the
harder, longer set), the same queries by a naive Python substring scan over every title (the
baseline), p50/p95 of `codes.live_flags` on typical claims (budget 10 ms), and claims/s through
the adapter (normalise, validate, group, MCE, roles) vs raw msdrg calls on the same claims.
"""
import random
import time

from common import pct, report, timings

import codes
from codes import engine, search, store
from claimgen import realistic_claim

WORDS = ["heart failure", "sepsis", "pneumonia", "fracture femur", "diabetes kidney", "copd", "acute kidney",
         "urinary tract infection", "cholecystectomy", "appendectomy", "resection", "hypertension", "stroke",
         "cellulitis leg", "atrial fibrillation", "respiratory failure", "delivery", "cesarean", "alcohol withdrawal",
         "opioid poisoning", "pressure ulcer sacral", "ulcer hemorrhage", "I50.2", "0DT", "J18", "A41.5", "N17",
         "S72.0", "0SR", "02703", "E11.2", "chf", "uti", "aki", "lap chole", "stemi"]


def queries(n=1000):
    r = random.Random(5)
    out = []
    for _ in range(n):
        w = r.choice(WORDS)
        out.append(w[: r.randint(max(2, len(w) // 2), len(w))])  # as the learner types
    return out


def typed_prefixes() -> list[str]:
    """Every prefix of every relevance-benchmark query, as a learner types it (2+ characters)."""
    import yaml
    from pathlib import Path
    data = yaml.safe_load((Path(__file__).resolve().parent / "data" / "search_relevance.yaml").read_text())
    return [q[:n] for q in (str(i["q"]) for i in data["queries"]) for n in range(2, len(q) + 1)]


def main():
    t = time.perf_counter()
    store.ensure(progress=lambda f, m: print(f"  cache: {m}"))
    print(f"reference cache ready in {time.perf_counter() - t:.1f} s")
    qs = queries()
    search("warm up")
    ms = timings(lambda q: search(q, limit=20), qs)
    report("search (encoder ranking, 1,000 typed queries)", ms)
    report("search (legacy ranking, same queries)", timings(lambda q: search(q, limit=20, ranking="legacy"), qs))
    typed = typed_prefixes()
    report(f"search as typed, relevance set ({len(typed):,} prefixes)", timings(lambda q: search(q, limit=20), typed))
    print(f"  goal: p95 <= 20 ms over all ICD-10-CM and ICD-10-PCS")
    rows = store.conn().execute("SELECT code, title FROM terms").fetchall()
    titles = [(r[0], r[1].lower()) for r in rows]

    def naive(q):
        q = q.lower()
        return [c for c, t in titles if q in t or c.startswith(q.upper().replace(".", ""))][:20]
    base = timings(naive, qs[:200])
    report("baseline: naive substring scan (200 queries)", base)
    print(f"  ratio p95 naive / encoder = {pct(base, 95) / pct(ms, 95):.1f}x")

    r = random.Random(7)
    live_claims = [realistic_claim(r) for _ in range(500)]
    rows = [([(c.pdx, c.pdx_poa), *c.sdx], list(c.procedures), c.age, c.sex) for c in live_claims]
    for dx, pr, age, sex in rows[:20]:
        codes.live_flags(dx, pr, age=age, sex=sex)
    live = timings(lambda x: codes.live_flags(x[0], x[1], age=x[2], sex=x[3]), rows)
    report("live_flags (typical claims, 500)", live)
    print("  goal: live_flags p95 < 10 ms")

    r = random.Random(11)
    claims = [realistic_claim(r) for _ in range(3000)]
    natives = []
    for c in claims:
        natives.append({"version": 431, "age": c.age, "sex": {"M": 0, "F": 1}[c.sex], "discharge_status": int(c.disposition),
                        "pdx": {"code": codes.normalize(c.pdx).code, "poa": "Y"},
                        "sdx": [{"code": codes.normalize(s).code, "poa": "Y" if p == "1" else p} for s, p in c.sdx],
                        "procedures": [{"code": p} for p in c.procedures]})
    for c in claims[:50]:
        codes.group(c)
    t = time.perf_counter()
    for n in natives:
        engine.raw_group(n)
        engine.raw_edit(dict(n, discharge_date=20260930))
    raw = len(natives) / (time.perf_counter() - t)
    t = time.perf_counter()
    for c in claims:
        codes.group(c)
    adapter = len(claims) / (time.perf_counter() - t)
    print(f"grouping: raw msdrg group+MCE {raw:,.0f} claims/s; adapter {adapter:,.0f} claims/s; "
          f"ratio {adapter / raw:.2f}x (goal >= 0.8x)")


if __name__ == "__main__":
    main()
