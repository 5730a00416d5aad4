"""ChartLab scoring: compare a learner's Answer with a case's AnswerKey.

Pure: no database, no UI. Public API:

    scoring.score(answer, key, rubric=scoring.DEFAULT) -> ScoreReport
    scoring.rubric("practice" | "exam" | "path/to/rubric.yaml") -> Rubric
    ScoreReport / Component / Item / Feedback (frozen; to_dict() / from_dict())
    scoring.KINDS (feedback kinds), scoring.CAUSES (DRG difference causes)
"""
from .drg import CAUSES
from .engine import score
from .report import COMPONENTS, KINDS, STATUSES, Component, Feedback, Item, ScoreReport
from .rubric import Rubric, RubricError, available, rubric

DEFAULT = rubric("practice")

__all__ = ["score", "rubric", "available", "DEFAULT", "Rubric", "RubricError", "ScoreReport", "Component", "Item",
           "Feedback", "KINDS", "CAUSES", "COMPONENTS", "STATUSES"]
