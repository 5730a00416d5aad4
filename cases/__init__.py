"""Synthetic inpatient cases: declarative scenarios -> charts + validated answer keys.

    from cases import generate, list_scenarios
    case = generate("heart_failure", 7)     # deterministic for (scenario, seed, GENERATOR_VERSION)
"""
from .generator import GENERATOR_VERSION, case_id, claim_for, generate
from .loader import ContentError, Problem, library, load_library, scenario_ids
from .model import (ABSTRACT_FIELDS, ADMISSION_SOURCES, ADMISSION_TYPES, Answer, AnswerKey, Case, CodeEntry,
                    Document, Encounter, LabRow, Patient, Physician, PAYERS, TeachingPoint, parse_day,
                    source_label)
from .planning import SEED_MAX, filter_scenarios, generate_cases, plan_cases
from .suggest import suggest_scenario

__all__ = ["generate", "list_scenarios", "scenario_info", "scenario_ids", "Problem", "filter_scenarios", "plan_cases",
           "generate_cases", "SEED_MAX", "GENERATOR_VERSION", "case_id", "claim_for", "library",
           "load_library", "ContentError", "Case", "AnswerKey", "Answer", "CodeEntry", "Document", "Encounter",
           "LabRow", "Patient", "Physician", "TeachingPoint", "ABSTRACT_FIELDS", "ADMISSION_TYPES",
           "ADMISSION_SOURCES", "PAYERS", "source_label", "parse_day", "suggest_scenario"]


def list_scenarios() -> list[dict]:
    """Scenario catalogue for pickers: id, title, mdc, difficulty, topics, teaching points."""
    lib = library()
    return [scenario_info(s.id) for s in sorted(lib.scenarios.values(), key=lambda s: (s.mdc, s.id))]


def scenario_info(scenario_id: str) -> dict:
    s = library().scenarios[scenario_id]
    return {"id": s.id, "title": s.title, "mdc": s.mdc, "difficulty": s.difficulty, "topics": list(s.topics),
            "teaching": list(s.teaching), "summary": s.summary, "variants": [v.label or v.id for v in s.variants]}
