"""Benchmark: score one submission, including grouping the learner's codes and the Medicare
Code Editor, the DRG cause analysis and every code-book check (one process, one core).

Submissions are realistic mistakes on hand-built keys (missed MCC, extra code, wrong POA,
swapped principal, near misses, wrong procedure, disposition). Printed:
- scoring with the grouping cache cleared before every submission (key, learner and
  counterfactual claims all grouped afresh: the worst case, and the budgeted figure);
- scoring with only the key's grouping warm (how the app runs: many learners, one case);
- baseline in the same run: `codes.group` of the learner's claim alone, and the ratio.
Goal: p95 <= 10 ms.
"""
import random
from dataclasses import replace

from common import pct, report, timings

import codes
import scoring
from cases.model import Answer
from scoring import grouping, samples
from scoring.clean import read_answer, read_key

WRONG = ["K21.9", "E78.5", "I48.91", "J18.9", "N39.0", "E87.1", "D64.9", "R07.9"]


def mutate(key, rnd: random.Random) -> Answer:
    """A plausible learner answer: the key with one to three typical mistakes."""
    a = Answer.from_key(key)
    sdx = list(a.secondary_dx)
    for _ in range(rnd.randint(1, 3)):
        move = rnd.choice(["drop", "extra", "poa", "swap", "near", "proc", "disp", "dots"])
        if move == "drop" and sdx:
            sdx.pop(rnd.randrange(len(sdx)))
        elif move == "extra":
            sdx.append((rnd.choice(WRONG), "Y"))
        elif move == "poa" and sdx:
            i = rnd.randrange(len(sdx))
            sdx[i] = (sdx[i][0], rnd.choice("YNUW"))
        elif move == "swap" and sdx:
            i = rnd.randrange(len(sdx))
            a, sdx[i] = replace(a, principal_dx=sdx[i]), a.principal_dx
        elif move == "near":
            code, poa = a.principal_dx
            a = replace(a, principal_dx=(code[:-1] + ("9" if code[-1] != "9" else "0"), poa))
        elif move == "proc" and a.procedures:
            code = a.procedures[0][0]
            a = replace(a, procedures=((code[:4] + ("0" if code[4] != "0" else "4") + code[5:], ""),) + a.procedures[1:])
        elif move == "disp":
            a = replace(a, abstract=dict(a.abstract, discharge_disposition=rnd.choice(["01", "03", "06", "20"])))
        else:
            sdx = [(c.lower().replace(".", ""), p.lower()) for c, p in sdx]
    return replace(a, secondary_dx=tuple(sdx))


def submissions(n_per_key=12):
    rnd = random.Random(2026)
    keys = [make() for make in samples.ALL.values()]
    return [(k, mutate(k, rnd)) for k in keys for _ in range(n_per_key)]


def main():
    subs = submissions()
    for key, answer in subs:          # warm the tabular list, grouper, titles and code-book caches
        scoring.score(answer, key)
    keys = {id(k): grouping.key_claim(read_key(k)) for k, _a in subs}

    def cold(ka):
        grouping.clear_cache()
        scoring.score(ka[1], ka[0])

    def warm_key(ka):
        grouping.clear_cache()
        grouping.group(keys[id(ka[0])])
        return ka

    def score_only(ka):
        scoring.score(ka[1], ka[0])

    learner_claims = [grouping.learner_claim(read_answer(a), read_key(k)) for k, a in subs]
    ms_cold = timings(cold, subs, repeat=5)
    ms_warm = []
    for _ in range(5):
        for ka in subs:
            warm_key(ka)
            ms_warm += timings(score_only, [ka])
    ms_group = timings(codes.group, learner_claims, repeat=5)
    report("score, grouping cache cleared each time", ms_cold)
    report("score, key's grouping warm", ms_warm)
    report("baseline: codes.group(learner claim) only", ms_group)
    print(f"  ratio p50 score(cold) / group = {pct(ms_cold, 50) / pct(ms_group, 50):.1f}x; "
          f"p95 = {pct(ms_cold, 95):.2f} ms (goal: p95 <= 10 ms) -> "
          f"{'OK' if pct(ms_cold, 95) <= 10 else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
