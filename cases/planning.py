"""Planning an assignment's cases: filter the catalogue, fix (scenario, seed) pairs so every
learner of a cohort codes the same charts, and generate and validate each planned case.

    pool = filter_scenarios(cases.list_scenarios(), mdcs=[5], topics=["cc_mcc"])
    plan = plan_cases([s["id"] for s in pool], pick=6, set_number=2)      # deterministic
    items, notes = generate_cases(plan, cases.library(), on_progress=print)
"""
from __future__ import annotations

import random
from typing import Callable

from . import validate
from .generator import generate

SEED_MAX = 999_999


def filter_scenarios(catalogue: list[dict], mdcs=(), difficulties=(), topics=()) -> list[dict]:
    """Scenarios matching every non-empty filter (a topic matches topics or teaching points)."""
    return [s for s in catalogue
            if (not mdcs or s["mdc"] in mdcs) and (not difficulties or s["difficulty"] in difficulties)
            and (not topics or bool(set(topics) & (set(s["topics"]) | set(s["teaching"]))))]


def plan_cases(scenario_ids: list[str], *, per_scenario: int = 1, pick: int | None = None,
               set_number: int = 1) -> list[dict]:
    """Fixed (scenario, seed) pairs: the same inputs always give the same cases, so every learner
    of the assignment codes the same charts. `pick` spreads N cases over the scenarios in turn."""
    if not scenario_ids:
        return []
    ids = sorted(scenario_ids)
    rng = random.Random(f"chartlab-assignment:{set_number}:{','.join(ids)}")
    if pick is not None:
        order = ids[:]
        rng.shuffle(order)
        sequence = [order[i % len(order)] for i in range(pick)]
    else:
        sequence = [s for s in scenario_ids for _ in range(per_scenario)]
    plan, used = [], set()
    for scenario in sequence:
        seed = rng.randint(1, SEED_MAX)
        while (scenario, seed) in used:
            seed = rng.randint(1, SEED_MAX)
        used.add((scenario, seed))
        plan.append({"scenario": scenario, "seed": seed})
    return plan


def generate_cases(plan: list[dict], library, *, on_progress: Callable[[float, str], None],
                   retries: int = 3) -> tuple[list[dict], list[str]]:
    """Generate and validate every planned case. A case that fails is replaced by the next seed
    of the same scenario (noted); one that keeps failing is left out (noted)."""
    items, notes = [], []
    used = {(p["scenario"], p["seed"]) for p in plan}
    for n, planned in enumerate(plan, start=1):
        scenario, seed = planned["scenario"], planned["seed"]
        rng = random.Random(f"replace:{scenario}:{seed}")
        for attempt in range(retries + 1):
            try:
                problems = validate.validate_case(generate(scenario, seed, library), library)
            except Exception as exc:  # a content error must not stop the whole batch
                problems = [f"{type(exc).__name__}: {exc}"]
            if not problems:
                items.append({"scenario": scenario, "seed": seed})
                break
            if attempt == retries:
                notes.append(f"{scenario}: left out after {retries + 1} seeds failed validation ({problems[0]}).")
                break
            new_seed = rng.randint(1, SEED_MAX)
            while (scenario, new_seed) in used:
                new_seed = rng.randint(1, SEED_MAX)
            used.add((scenario, new_seed))
            notes.append(f"{scenario} seed {seed} failed validation ({problems[0]}); seed {new_seed} is used instead.")
            seed = new_seed
        on_progress(n / len(plan), f"Generated and checked {n} of {len(plan)} cases")
    return items, notes
