"""Benchmark: generated-and-validated cases per second, including grouping (one process, one core).

Baseline in the same run: generation alone. Goal: >= 500 cases/s generated + validated + grouped.
"""
import time

import common  # noqa: F401  (puts the project on sys.path)

from cases import generate, library
from cases.validate import validate_case


def run(fn, ids, seeds):
    t = time.perf_counter()
    n = 0
    for sid in ids:
        for seed in seeds:
            fn(sid, seed)
            n += 1
    return n / (time.perf_counter() - t), n


def main():
    lib = library()
    ids = sorted(lib.scenarios)
    for sid in ids:  # warm caches (tabular list, reference cache, Faker)
        validate_case(generate(sid, 0, lib), lib)
    seeds = range(1, 31)
    gen_rate, n = run(lambda s, k: generate(s, k, lib), ids, seeds)
    full_rate, _ = run(lambda s, k: validate_case(generate(s, k, lib), lib), ids, seeds)
    print(f"scenarios: {len(ids)}, cases per measurement: {n}")
    print(f"generate only (baseline)            {gen_rate:8.1f} cases/s")
    print(f"generate + validate + group (goal)  {full_rate:8.1f} cases/s   ratio {full_rate / gen_rate:.2f}x of baseline")
    print(f"goal >= 500 cases/s: {'met' if full_rate >= 500 else 'NOT met'}")


if __name__ == "__main__":
    main()
