"""Untimed quizzes with immediate feedback: a lesson's check questions, or a filtered slice of the bank.

A learner's first answer to a question is the one that counts (it is locked, so a quiz score
and a spaced-review update mean the same thing); the feedback shows why the chosen option is
right or wrong and, when wrong, why the right one is right.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from .bank import Option, Question, select
from .content import Lesson


@dataclass(frozen=True)
class Feedback:
    question_id: str
    chosen: int
    correct_index: int
    correct: bool
    chosen_rationale: str     # why the picked option is right or wrong ("" when the source has none)
    correct_text: str
    correct_rationale: str    # why the right option is right


def check(question: Question, choice: int) -> Feedback:
    """Feedback for choosing option `choice` (0-based). Raises ValueError for an impossible choice."""
    if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < len(question.options):
        raise ValueError(f"choice must be an option index 0..{len(question.options) - 1}")
    right = question.correct_index
    return Feedback(question.id, choice, right, choice == right, question.options[choice].rationale,
                    question.options[right].text, question.options[right].rationale)


def lesson_questions(lesson: Lesson) -> list[Question]:
    """A lesson's check-yourself questions as bank-shaped Questions (ids '<lesson>#check1'...).
    The single rationale explains the right option; wrong options carry none of their own."""
    out = []
    for n, c in enumerate(lesson.check, 1):
        options = tuple(Option(text, i == c.answer, c.rationale if i == c.answer else "") for i, text in enumerate(c.options))
        out.append(Question(id=f"{lesson.id}#check{n}", stem=c.question, options=options,
                            credentials=lesson.credentials, domain="", topic=lesson.topics[0] if lesson.topics else "",
                            difficulty=1, lesson=lesson.id, file=lesson.path))
    return out


@dataclass(frozen=True)
class DomainResult:
    """One line of a quiz's summary: a question domain ("" for lesson checks) and how it went."""
    domain: str
    correct: int
    answered: int
    total: int

    @property
    def percent(self) -> float | None:
        """Percent correct of the answered questions of this domain (None before any answer)."""
        return round(100.0 * self.correct / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class QuizSession:
    """An untimed quiz. Immutable: every method returns a new session."""
    title: str
    questions: tuple[Question, ...]
    answers: Mapping[str, int] = field(default_factory=dict)   # question id -> first choice
    current: int = 0

    @property
    def current_question(self) -> Question:
        return self.questions[self.current]

    @property
    def finished(self) -> bool:
        return all(q.id in self.answers for q in self.questions)

    @property
    def correct_count(self) -> int:
        return sum(1 for q in self.questions if self.answers.get(q.id) == q.correct_index)

    @property
    def answered_count(self) -> int:
        return sum(1 for q in self.questions if q.id in self.answers)

    @property
    def percent(self) -> float | None:
        """Percent correct of the questions answered so far (None before the first answer)."""
        n = self.answered_count
        return round(100.0 * self.correct_count / n, 1) if n else None

    def answer(self, choice: int) -> "QuizSession":
        """Answer the current question. A question already answered keeps its first answer."""
        q = self.current_question
        check(q, choice)  # validates the choice
        if q.id in self.answers:
            return self
        return replace(self, answers={**self.answers, q.id: choice})

    def feedback(self, index: int | None = None) -> Feedback | None:
        """Feedback for question `index` (default: the current one), or None if not answered yet."""
        q = self.questions[self.current if index is None else index]
        return check(q, self.answers[q.id]) if q.id in self.answers else None

    def goto(self, index: int) -> "QuizSession":
        if not 0 <= index < len(self.questions):
            raise IndexError(f"question {index} is outside 0..{len(self.questions) - 1}")
        return replace(self, current=index)

    def next(self) -> "QuizSession":
        return replace(self, current=min(self.current + 1, len(self.questions) - 1))

    def prev(self) -> "QuizSession":
        return replace(self, current=max(self.current - 1, 0))

    def missed(self) -> list[Question]:
        """Questions answered wrongly: the ones to send to spaced review."""
        return [q for q in self.questions if q.id in self.answers and self.answers[q.id] != q.correct_index]

    def by_domain(self) -> list[DomainResult]:
        """The summary by domain, in the order the domains first appear in the quiz."""
        lines: dict[str, list[int]] = {}
        for q in self.questions:
            line = lines.setdefault(q.domain, [0, 0, 0])
            line[2] += 1
            if q.id in self.answers:
                line[1] += 1
                line[0] += self.answers[q.id] == q.correct_index
        return [DomainResult(domain, *counts) for domain, counts in lines.items()]

    def to_dict(self) -> dict:
        return {"title": self.title, "questions": [q.to_dict() for q in self.questions],
                "answers": dict(self.answers), "current": self.current}

    @classmethod
    def from_dict(cls, d: dict) -> "QuizSession":
        return cls(title=d["title"], questions=tuple(Question.from_dict(q) for q in d["questions"]),
                   answers={k: int(v) for k, v in (d.get("answers") or {}).items()}, current=int(d.get("current", 0)))


def lesson_quiz(lesson: Lesson) -> QuizSession:
    """The check-yourself quiz at the end of a lesson, in the lesson's order."""
    return QuizSession(title=f"Check yourself: {lesson.title}", questions=tuple(lesson_questions(lesson)))


def bank_quiz(bank: Iterable[Question], rng: random.Random | None = None, limit: int | None = None,
              title: str = "Practice quiz", **filters) -> QuizSession:
    """A quiz over the bank questions matching `filters` (topic, domain, credential, difficulty,
    lesson; see bank.select), shuffled when `rng` is given, at most `limit` questions.
    Raises ValueError when nothing matches."""
    qs = select(bank, **filters)
    if not qs:
        raise ValueError("no questions match these filters")
    if rng is not None:
        qs = sorted(qs, key=lambda q: q.id)
        rng.shuffle(qs)
    return QuizSession(title=title, questions=tuple(qs[:limit] if limit else qs))
