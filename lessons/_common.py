"""Shared plumbing for the lessons package: paths and field checks.

Every validator in this package reports a `datafiles.Problem` (file, field, message) instead of
raising at the first error, so a content author sees every mistake in one run. Loaders that must
return clean data raise `datafiles.ContentError`, which carries the whole list. YAML is read by the
one strict reader every package shares (`datafiles.load_yaml` / `parse_yaml`).
"""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from datafiles import ContentError, Problem, check_keys, display_path, join, load_yaml, parse_yaml

__all__ = ["ContentError", "Problem", "check_keys", "display_path", "join", "load_yaml", "parse_yaml", "is_text", "is_int",
           "text_list_problems", "iso_date", "list_files", "dir_signature", "env_dir", "CREDENTIALS", "DOMAINS",
           "PACKAGE_DIR", "REPO_ROOT", "CONTENT_DIR", "QUESTIONS_DIR", "BLUEPRINTS_DIR", "BLUEPRINT_ENV"]

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CONTENT_DIR = PACKAGE_DIR / "content"
QUESTIONS_DIR = PACKAGE_DIR / "questions"
BLUEPRINTS_DIR = PACKAGE_DIR / "blueprints"
BLUEPRINT_ENV = "CHARTLAB_BLUEPRINT_DIR"

CREDENTIALS = ("RHIT", "CCA", "CCS", "CIC")
DOMAINS = ("coding_cm", "coding_pcs", "reimbursement", "health_record", "compliance", "privacy",
           "information_technology", "leadership")


# --- field checks ----------------------------------------------------------------------------

def is_text(v: Any) -> bool:
    """A non-blank string."""
    return isinstance(v, str) and bool(v.strip())


def is_int(v: Any) -> bool:
    """An int that is not a bool (YAML `yes` must not pass as 1)."""
    return isinstance(v, int) and not isinstance(v, bool)


def text_list_problems(v: Any, file: str, field: str, *, allow_empty: bool = False,
                       choices: Iterable[str] | None = None) -> list[Problem]:
    """Problems for a list of non-blank strings, optionally drawn from `choices`, no duplicates."""
    if not isinstance(v, list):
        return [Problem(file, field, "must be a list of strings")]
    out = []
    if not v and not allow_empty:
        out.append(Problem(file, field, "must not be empty"))
    allowed = tuple(choices) if choices is not None else None
    for i, x in enumerate(v):
        if not is_text(x):
            out.append(Problem(file, f"{field}[{i}]", "must be a non-empty string"))
        elif allowed is not None and x not in allowed:
            out.append(Problem(file, f"{field}[{i}]", f"{x!r} is not one of {', '.join(allowed)}"))
    dupes = sorted({x for x in v if isinstance(x, str) and v.count(x) > 1})
    if dupes:
        out.append(Problem(file, field, f"duplicate entries: {', '.join(dupes)}"))
    return out


def iso_date(v: Any) -> str | None:
    """'2026-05-01' for a date, datetime or ISO date string; None when it is none of those."""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip()).isoformat()
        except ValueError:
            return None
    return None


# --- files -----------------------------------------------------------------------------------

def list_files(directory: Path | str, suffix: str) -> list[Path]:
    """Files in `directory` ending in `suffix`, sorted by name; [] when the directory is missing."""
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.name.endswith(suffix) and not p.name.startswith("."))


def dir_signature(directory: Path | str, suffix: str) -> tuple:
    """(name, mtime, size) of each file: a cache key that changes whenever an author saves."""
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in list_files(directory, suffix))


def env_dir(var: str, default: Path) -> Path:
    """Directory from environment variable `var`, else `default`."""
    value = os.environ.get(var, "").strip()
    return Path(value) if value else default
