"""Shared plumbing for the lessons package: paths, problems, strict YAML and key checks.

Every validator in this package reports a `Problem` (file, field, message) instead of raising
at the first error, so a content author sees every mistake in one run. Loaders that must
return clean data raise `ContentError`, which carries the whole list.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CONTENT_DIR = PACKAGE_DIR / "content"
QUESTIONS_DIR = PACKAGE_DIR / "questions"
BLUEPRINTS_DIR = PACKAGE_DIR / "blueprints"
SCENARIOS_DIR = REPO_ROOT / "cases" / "scenarios"
CONTENT_PLAN = REPO_ROOT / "docs" / "CONTENT_PLAN.md"
BLUEPRINT_ENV = "CHARTLAB_BLUEPRINT_DIR"

CREDENTIALS = ("RHIT", "CCA", "CCS", "CIC")
DOMAINS = ("coding_cm", "coding_pcs", "reimbursement", "health_record", "compliance", "privacy",
           "information_technology", "leadership")


@dataclass(frozen=True)
class Problem:
    """One validation finding: which file, which field inside it, and what is wrong."""
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class ContentError(ValueError):
    """Raised by strict loaders; `problems` lists every finding, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid content")


def display_path(path: Path | str) -> str:
    """A path relative to the repository when it lies inside it (short, stable error messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(p)


# --- strict YAML -----------------------------------------------------------------------------

class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and reads `064` as the decimal 64 (not octal 52),
    because MS-DRG numbers are written zero-padded."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    if re.fullmatch(r"[-+]?0[0-9]+", text):
        return int(text, 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml(text: str) -> Any:
    """Parse YAML strictly (see `_StrictLoader`). Raises yaml.YAMLError."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass


def yaml_problem(file: str, exc: yaml.YAMLError) -> Problem:
    """A readable Problem for a YAML syntax error, with its line number."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return Problem(file, where, f"YAML error: {problem}")


# --- field checks ----------------------------------------------------------------------------

def check_keys(data: Any, required: Iterable[str], optional: Iterable[str], file: str, where: str) -> list[Problem]:
    """Problems for a mapping that is not a mapping, lacks a required key or has an unknown one."""
    if not isinstance(data, Mapping):
        return [Problem(file, where or "(top level)", f"must be a mapping, not {type(data).__name__}")]
    required, optional = list(required), set(optional)
    allowed = set(required) | optional
    out = [Problem(file, join(where, k), "required field is missing") for k in required if k not in data]
    out += [Problem(file, join(where, str(k)), f"unknown field (allowed: {', '.join(sorted(allowed))})")
            for k in data if k not in allowed]
    return out


def join(where: str, key: str) -> str:
    """Field path: join("questions[2]", "stem") -> "questions[2].stem"."""
    return f"{where}.{key}" if where else key


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


def known_scenario_ids(scenarios_dir: Path | str | None = None, plan: Path | str | None = None) -> frozenset | None:
    """Scenario ids a case link may name: the scenario files in cases/scenarios/ when there are any,
    else the ids agreed in docs/CONTENT_PLAN.md ("Scenario ids" table); None when neither exists."""
    files = list_files(scenarios_dir or SCENARIOS_DIR, ".yaml")
    if files:
        return frozenset(p.stem for p in files)
    plan_path = Path(plan or CONTENT_PLAN)
    if not plan_path.is_file():
        return None
    ids, in_section = set(), False
    for line in plan_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line.lower().startswith("## scenario ids")
        elif in_section and line.startswith("|"):
            cell = line.strip("|").split("|")[0].strip()
            if re.fullmatch(r"[a-z0-9_]+", cell):
                ids.add(cell)
    return frozenset(ids) or None
