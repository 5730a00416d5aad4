"""Validate everything under lessons/ at once: lessons, the question bank (with code checks) and
blueprints. Used by `python -m lessons validate` and the content tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._common import CONTENT_DIR, Problem, list_files
from .bank import Question, code_tokens, validate_bank
from .blueprint import Blueprint, validate_blueprints
from .content import Lesson, validate_lessons
from .exam import coverage

MIN_LESSONS = 20
MIN_QUESTIONS = 200


@dataclass
class Summary:
    lessons: list[Lesson] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    blueprints: dict[str, Blueprint] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def lesson_code_problems(lesson: Lesson) -> list[Problem]:
    """Codes written in a lesson (body and check questions) that do not exist in ICD-10-CM/PCS (codes.DEFAULT_FY)."""
    import codes
    places = [("body", lesson.body)]
    for i, c in enumerate(lesson.check):
        places += [(f"check[{i}].question", c.question), (f"check[{i}].rationale", c.rationale)]
        places += [(f"check[{i}].options[{j}]", o) for j, o in enumerate(c.options)]
    return [Problem(lesson.path, where, f"mentions {codes.display(code)}, which does not exist in ICD-10-CM/PCS ({codes.FY_LABEL})")
            for where, text in places for code in code_tokens(text) if codes.lookup(code) is None]


def coverage_warnings(blueprints: dict[str, Blueprint], questions: list[Question]) -> list[str]:
    """One line per blueprint domain the bank cannot fill on its own."""
    out = []
    for bp in blueprints.values():
        for c in coverage(bp, questions):
            if c.available < c.seats:
                out.append(f"blueprint {bp.id}: '{c.name}' has {c.available} questions for {c.seats} seats")
            elif c.tagged < c.seats:
                out.append(f"blueprint {bp.id}: '{c.name}' has {c.tagged} {bp.credential}-tagged questions "
                           f"for {c.seats} seats (others are borrowed)")
    return out


def validate_all(content_dir: Path | str | None = None, questions_dir: Path | str | None = None,
                 blueprints_dir: Path | str | None = None, overrides_dir: Path | str | None = None,
                 check_codes: bool = True, scenarios_dir: Path | str | None = None) -> Summary:
    """Every problem in lessons, questions and blueprints, plus warnings for totals and coverage.
    Case links are checked against the scenarios `cases` knows (or those in `scenarios_dir`)."""
    import cases
    s = Summary()
    s.lessons, probs = validate_lessons(content_dir, scenario_ids=cases.scenario_ids(scenarios_dir))
    s.problems += probs
    if check_codes:
        s.problems += [p for les in s.lessons for p in lesson_code_problems(les)]
    lesson_files = list_files(content_dir or CONTENT_DIR, ".md")
    s.questions, probs = validate_bank(questions_dir, lesson_ids=[p.stem for p in lesson_files] or None,
                                       check_codes=check_codes)
    s.problems += probs
    s.blueprints, probs = validate_blueprints(blueprints_dir, overrides_dir)
    s.problems += probs
    if len(s.lessons) < MIN_LESSONS:
        s.warnings.append(f"{len(s.lessons)} valid lessons; the curriculum needs at least {MIN_LESSONS}")
    if len(s.questions) < MIN_QUESTIONS:
        s.warnings.append(f"{len(s.questions)} valid questions; the bank needs at least {MIN_QUESTIONS}")
    s.warnings += coverage_warnings(s.blueprints, s.questions)
    return s
