"""The password policy: what `accounts.password_problems` reports.

- Length: 10 to 128 characters.
- Not the username, the display name (or a word of it of 4+ letters), or the word "chartlab".
- Hard to guess: zxcvbn (the Python port of Dropbox's estimator, package `zxcvbn`) must rate it
  at least `MIN_SCORE` = 3 of 4 ("safely unguessable": about 10^10 guesses or more) once it knows
  those context words. zxcvbn knows common passwords, names, English words, keyboard patterns,
  dates, sequences, repeats and l33t substitutions, so `password12`, `Password1!` and
  `letmein2026` are refused with its own explanation. Only the first 72 characters are rated
  (zxcvbn's own limit; rating time grows with length).

Every problem is a sentence the UI shows as is.
"""
from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3
RATED_LENGTH = 72
PRODUCT_WORDS = ("chartlab",)
_FALLBACK_ADVICE = "Use a longer passphrase of several unrelated words."


def context_words(username: str = "", display_name: str = "") -> list[str]:
    """The words an attacker targeting this account would try first."""
    name_words = [w for w in re.split(r"[\W_]+", display_name or "") if len(w) >= 4]
    joined = re.sub(r"[\W_]+", "", display_name or "")
    return [w for w in dict.fromkeys([username or "", joined, *name_words, *PRODUCT_WORDS]) if w]


def password_problems(password: str, username: str = "", display_name: str = "") -> list[str]:
    """What is wrong with a new password (empty list: acceptable)."""
    password = password if isinstance(password, str) else ""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    problems = _context_problems(password, username, display_name)
    rating = zxcvbn(password[:RATED_LENGTH], user_inputs=context_words(username, display_name))
    if rating["score"] < MIN_SCORE:
        problems.append(_weakness(rating))
    return problems


def _context_problems(password: str, username: str, display_name: str) -> list[str]:
    folded = password.casefold()
    problems = []
    if username and username.casefold() in folded:
        problems.append("Do not include your username.")
    names = context_words("", display_name)
    if any(w.casefold() in folded for w in names if w not in PRODUCT_WORDS):
        problems.append("Do not include your name.")
    if any(w in folded for w in PRODUCT_WORDS):
        problems.append("Do not include the word \"ChartLab\".")
    return problems


def _weakness(rating: dict) -> str:
    """zxcvbn's reason and advice as one sentence group."""
    feedback = rating.get("feedback") or {}
    reason = feedback.get("warning") or "It follows a pattern that password-guessing tools try early."
    advice = " ".join(feedback.get("suggestions") or []) or _FALLBACK_ADVICE
    return f"This password is too easy to guess. {reason.rstrip('.')}. {advice}"
