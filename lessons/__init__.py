"""ChartLab lessons: curriculum (Markdown), question bank (YAML), exam blueprints (YAML), and the
pure logic for quizzes, timed exams and spaced review. Content is data; nothing here imports
streamlit, and nothing reads the clock: callers pass `now` / `today`.

Modules: content (lessons), bank (questions), blueprint (exam blueprints), exam (timed exams),
quiz (untimed quizzes), review (Leitner boxes), validate (`python -m lessons validate`).
"""
from . import bank, blueprint, content, exam, quiz, review
from ._common import CREDENTIALS, DOMAINS, ContentError, Problem
from .bank import LETTERS, Option, Question, select
from .blueprint import Blueprint
from .exam import (BORDERLINE_AT, CASE, MC, READY_AT, ExamItem, ExamReport, ExamSession, GradedExam, assigned_form,
                   coverage, draw_items, grade, resume_session, review_question)
from .quiz import DomainResult, QuizSession, bank_quiz, check, lesson_questions

__all__ = ["CREDENTIALS", "DOMAINS", "ContentError", "Problem",
           "bank", "blueprint", "content", "exam", "quiz", "review",
           "LETTERS", "Option", "Question", "select", "Blueprint",
           "BORDERLINE_AT", "READY_AT", "CASE", "MC", "ExamItem", "ExamReport", "ExamSession", "GradedExam",
           "assigned_form", "coverage", "draw_items", "grade", "resume_session", "review_question",
           "DomainResult", "QuizSession", "bank_quiz", "check", "lesson_questions"]
