"""Content validators over every real lesson file, question file and shipped blueprint.

Each file is its own test case, so a failure names the file; the message lists every problem
in it with its field. Totals (lessons, questions) and blueprint coverage are separate tests.
"""
from __future__ import annotations

import random
import re

import pytest

import cases
from lessons._common import BLUEPRINTS_DIR, CONTENT_DIR, QUESTIONS_DIR, REPO_ROOT, list_files
from lessons.bank import (BALANCE_MIN_QUESTIONS, code_problems, parse_question_file, position_problems,
                          validate_bank)
from lessons.blueprint import validate_blueprints
from lessons.content import parse_lesson, scenario_problems, validate_lessons
from lessons.exam import coverage, draw_items
from lessons.validate import MIN_LESSONS, MIN_QUESTIONS, lesson_code_problems

LESSON_FILES = list_files(CONTENT_DIR, ".md")
QUESTION_FILES = list_files(QUESTIONS_DIR, ".yaml")
CONTENT_PLAN = REPO_ROOT / "docs" / "CONTENT_PLAN.md"
NO_OVERRIDES = CONTENT_DIR / "__no_overrides__"   # test the shipped blueprints, not an instructor's edits
BLUEPRINTS, BLUEPRINT_PROBLEMS = validate_blueprints(BLUEPRINTS_DIR, NO_OVERRIDES)


def fail_with(problems) -> None:
    if problems:
        pytest.fail("\n".join(str(p) for p in problems), pytrace=False)


def planned_lesson_ids() -> list[str]:
    """Lesson ids agreed in docs/CONTENT_PLAN.md ("Lesson ids" section)."""
    text = CONTENT_PLAN.read_text(encoding="utf-8") if CONTENT_PLAN.is_file() else ""
    m = re.search(r"^## Lesson ids.*?\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return re.findall(r"\bL\d{2}-[a-z0-9-]+\b", m.group(1)) if m else []


@pytest.fixture(scope="module")
def bank():
    questions, _ = validate_bank()
    return questions


# --- lessons -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.name)
def test_lesson_file_is_valid(path):
    _, problems = parse_lesson(path)
    fail_with(problems)


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.name)
def test_lesson_links_name_real_scenarios(path):
    lesson, _ = parse_lesson(path)
    if lesson is None:
        pytest.skip("lesson invalid (see test_lesson_file_is_valid)")
    fail_with(scenario_problems(lesson, cases.scenario_ids()))


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.name)
def test_lesson_codes_exist(path):
    lesson, _ = parse_lesson(path)
    if lesson is None:
        pytest.skip("lesson invalid (see test_lesson_file_is_valid)")
    fail_with(lesson_code_problems(lesson))


def test_lesson_ids_unique_and_order_contiguous():
    _, problems = validate_lessons()
    fail_with([p for p in problems if p.field in ("id", "order")])


def test_at_least_20_lessons():
    lessons, _ = validate_lessons()
    assert len(lessons) >= MIN_LESSONS, f"{len(lessons)} valid lessons of {len(LESSON_FILES)} files; need {MIN_LESSONS}"


def test_every_planned_lesson_exists():
    have = {p.stem for p in LESSON_FILES}
    missing = [i for i in planned_lesson_ids() if i not in have]
    assert not missing, f"lessons in docs/CONTENT_PLAN.md without a file: {', '.join(missing)}"


# --- question bank -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_question_file_schema(path):
    _, problems = parse_question_file(path)
    fail_with(problems)


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_question_file_answer_positions(path):
    questions, _ = parse_question_file(path)
    if len(questions) < BALANCE_MIN_QUESTIONS:
        pytest.skip(f"{len(questions)} valid questions: too few for a per-file balance (checked bank-wide)")
    fail_with(position_problems(questions, path.name))


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_question_file_codes_valid(path):
    questions, _ = parse_question_file(path)
    fail_with([f"{path.name}: question {q.id}: {m}" for q in questions for m in code_problems(q)])


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_question_lessons_exist(path):
    if not LESSON_FILES:
        pytest.skip("no lessons yet")
    questions, _ = parse_question_file(path)
    known = {p.stem for p in LESSON_FILES}
    fail_with([f"{path.name}: question {q.id}: lesson {q.lesson!r} does not exist" for q in questions
               if q.lesson not in known])


def test_question_ids_unique_and_positions_balanced_bank_wide():
    _, problems = validate_bank()
    fail_with([p for p in problems if "also used in" in p.message or p.field == "answer positions" and "all files" in p.file])


def test_at_least_200_questions(bank):
    assert len(bank) >= MIN_QUESTIONS, f"{len(bank)} valid questions in {len(QUESTION_FILES)} files; need {MIN_QUESTIONS}"


# --- blueprints ----------------------------------------------------------------------------------

def test_shipped_blueprints_valid():
    fail_with(BLUEPRINT_PROBLEMS)
    assert {bp.credential for bp in BLUEPRINTS.values()} == {"RHIT", "CCA", "CCS", "CIC"}


@pytest.mark.parametrize("bp_id", [b for b in BLUEPRINTS if not BLUEPRINTS[b].based_on])
def test_every_blueprint_domain_has_questions_for_its_credential(bp_id, bank):
    bp = BLUEPRINTS[bp_id]
    empty = [c.name for c in coverage(bp, bank) if c.tagged == 0]
    assert not empty, f"{bp_id}: no {bp.credential}-tagged questions for: {', '.join(empty)}"


@pytest.mark.parametrize("bp_id", [b for b in BLUEPRINTS if BLUEPRINTS[b].based_on])
def test_practice_blueprint_fills_without_shortfall(bp_id, bank):
    bp = BLUEPRINTS[bp_id]
    draw = draw_items(bp, bank, random.Random(0), scenarios=sorted(cases.scenario_ids()))
    short = [n for n in draw.notes if "only" in n and "seats" in n or "instead of" in n]
    assert not short, f"{bp_id}: " + " ".join(short)
