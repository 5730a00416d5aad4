"""Tiny timing helpers shared by the benchmarks (not a test suite)."""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def timings(fn, items, repeat=1):
    out = []
    for _ in range(repeat):
        for x in items:
            t = time.perf_counter()
            fn(x)
            out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(name, ms):
    print(f"{name:<44} n={len(ms):>6}  p50={pct(ms, 50):8.3f} ms  p95={pct(ms, 95):8.3f} ms  mean={statistics.mean(ms):8.3f} ms")
