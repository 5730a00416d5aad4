"""ChartLab lessons: curriculum (Markdown), question bank (YAML), exam blueprints (YAML), and the
pure logic for quizzes, timed exams and spaced review. Content is data; nothing here imports
streamlit, and nothing reads the clock: callers pass `now` / `today`.

Modules: content (lessons), bank (questions), blueprint (exam blueprints), exam (timed exams),
quiz (untimed quizzes), review (Leitner boxes), validate (`python -m lessons validate`).
"""
from ._common import CREDENTIALS, DOMAINS, ContentError, Problem

__all__ = ["CREDENTIALS", "DOMAINS", "ContentError", "Problem"]
