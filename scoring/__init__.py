"""ChartLab scoring: compare a learner's Answer with a case's AnswerKey.

Pure: no database, no UI. Public API:

    scoring.score(answer, key, rubric=scoring.DEFAULT) -> ScoreReport
    scoring.score_case(scenario_id, seed, answer, rubric) -> ScoredCase (the key is regenerated inside)
    scoring.precheck(answer, stay) -> what to fix before submitting (UB-04 limits, POA, dates...)
    scoring.rubric("practice" | "exam" | "path/to/rubric.yaml") -> Rubric
    ScoreReport / Component / Item / Feedback (frozen; to_dict() / from_dict())
    scoring.KINDS (feedback kinds), scoring.CAUSES (DRG difference causes)
"""
from .case import ScoredCase, score_case
from .drg import CAUSES
from .engine import score
from .precheck import claim_limit_problems, precheck, procedure_date_problem
from .report import COMPONENTS, KINDS, STATUSES, Component, Feedback, Item, ScoreReport
from .rubric import Rubric, RubricError, available, rubric

DEFAULT = rubric("practice")

__all__ = ["score", "score_case", "ScoredCase", "precheck", "claim_limit_problems", "procedure_date_problem",
           "rubric", "available", "DEFAULT", "Rubric", "RubricError", "ScoreReport", "Component", "Item",
           "Feedback", "KINDS", "CAUSES", "COMPONENTS", "STATUSES"]
