"""`score_case(scenario_id, seed, answer, rubric)`: score a learner's answer to a generated case.

The case (and so its answer key) is regenerated here from (scenario_id, seed), so callers - the
workspace, the exam simulator, the demo seeder - never hold a key. The result carries the
report and what identifies the case for storage, never the key itself.
"""
from __future__ import annotations

from dataclasses import dataclass

import cases

from .engine import score
from .report import ScoreReport
from .rubric import Rubric


@dataclass(frozen=True)
class ScoredCase:
    """One scored case: the report and the case's identity (no key)."""
    report: ScoreReport
    scenario_id: str
    seed: int
    generator_version: str
    mdc: int | None
    topics: tuple          # the scenario's topics, then the key's teaching points (each once)
    teaching_points: tuple = ()   # the key's teaching point ids: the decisions this case contains


def score_case(scenario_id: str, seed: int, answer, rubric: Rubric | str | None = None) -> ScoredCase:
    """Generate case (scenario_id, seed) and score `answer` (an Answer or its dict) against its key.
    Raises KeyError for an unknown scenario and cases.ContentError when the content is broken;
    never on anything the learner entered."""
    case = cases.generate(scenario_id, int(seed))
    teaching = [tp.id for tp in case.key.teaching_points or ()]
    return ScoredCase(score(answer, case.key, rubric), case.scenario_id, case.seed, case.generator_version,
                      case.mdc, tuple(dict.fromkeys([*case.topics, *teaching])), tuple(dict.fromkeys(teaching)))
