"""Rubrics as data: component weights and partial-credit factors, loaded from YAML.

`rubric("practice")` loads `scoring/rubrics/practice.yaml`; a path ending in `.yaml` loads
that file. Files are validated strictly: an unknown or missing key, or a value out of range,
raises `RubricError` naming the file, so a typo can never silently change how people are graded.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datafiles import load_yaml

from .report import COMPONENTS

RUBRIC_DIR = Path(__file__).parent / "rubrics"
PCS_POSITIONS = ("section", "body_system", "root_operation", "body_part", "approach", "device", "qualifier")
WEIGHTINGS = ("component", "item")
_TOP = {"id": str, "version": (str, int, float), "title": str, "description": str, "weighting": str,
        "weights": dict, "partial_credit": dict, "pcs_character_weights": dict}
_OPTIONAL = {"title", "description"}
_PARTIAL = ("enabled", "dx_same_subcategory", "dx_same_category", "pcs_min_similarity", "pcs_factor",
            "drg_same_family")


class RubricError(ValueError):
    """A rubric file is missing, malformed or contains unknown keys."""


@dataclass(frozen=True)
class Rubric:
    id: str
    version: str
    weighting: str                 # "component": weights are points; "item": every blank counts weight x 1
    weights: dict                  # component name -> non-negative number
    partial: dict                  # factor name -> float in [0, 1]; "enabled" -> bool
    pcs_weights: tuple             # 7 positive numbers, position 1..7
    title: str = ""
    description: str = ""
    source: str = ""

    def factor(self, name: str) -> float:
        """A partial-credit factor, or 0 when partial credit is switched off."""
        return float(self.partial.get(name, 0.0)) if self.partial.get("enabled") else 0.0

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"


def _check_keys(where: str, data: dict, allowed, required) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RubricError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}")
    missing = sorted(set(required) - set(data))
    if missing:
        raise RubricError(f"{where}: missing key(s) {', '.join(map(repr, missing))}")


def _number(where: str, name: str, value, lo: float, hi: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError(f"{where}: {name} must be a number, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise RubricError(f"{where}: {name}={value} is outside [{lo}, {hi if hi is not None else 'inf'}]")
    return float(value)


def validate(data, where: str = "<rubric>") -> Rubric:
    """Turn parsed YAML into a Rubric, or raise RubricError naming `where`."""
    if not isinstance(data, dict):
        raise RubricError(f"{where}: a rubric must be a mapping of keys to values")
    _check_keys(where, data, list(_TOP), set(_TOP) - _OPTIONAL)
    for key, typ in _TOP.items():
        if key in data and not isinstance(data[key], typ):
            raise RubricError(f"{where}: {key} has the wrong type ({type(data[key]).__name__})")
    if data["weighting"] not in WEIGHTINGS:
        raise RubricError(f"{where}: weighting must be one of {', '.join(WEIGHTINGS)}")
    _check_keys(f"{where} weights", data["weights"], list(COMPONENTS), COMPONENTS)
    weights = {k: _number(where, f"weights.{k}", v, 0, None) for k, v in data["weights"].items()}
    if not any(weights.values()):
        raise RubricError(f"{where}: at least one component weight must be positive")
    _check_keys(f"{where} partial_credit", data["partial_credit"], _PARTIAL, _PARTIAL)
    partial = {"enabled": data["partial_credit"]["enabled"]}
    if not isinstance(partial["enabled"], bool):
        raise RubricError(f"{where}: partial_credit.enabled must be true or false")
    for k in _PARTIAL[1:]:
        partial[k] = _number(where, f"partial_credit.{k}", data["partial_credit"][k], 0, 1)
    _check_keys(f"{where} pcs_character_weights", data["pcs_character_weights"], PCS_POSITIONS, PCS_POSITIONS)
    pcs = tuple(_number(where, f"pcs_character_weights.{k}", data["pcs_character_weights"][k], 0, None)
                for k in PCS_POSITIONS)
    if not sum(pcs):
        raise RubricError(f"{where}: pcs_character_weights must not all be zero")
    return Rubric(id=data["id"], version=str(data["version"]), weighting=data["weighting"], weights=weights,
                  partial=partial, pcs_weights=pcs, title=data.get("title", ""),
                  description=" ".join(str(data.get("description", "")).split()), source=where)


def _path(name: str) -> Path:
    if name.endswith((".yaml", ".yml")):
        return Path(name)
    return RUBRIC_DIR / f"{name}.yaml"


@lru_cache(maxsize=32)
def rubric(name: str = "practice") -> Rubric:
    """Load and validate a rubric by name ("practice", "exam") or by path to a YAML file."""
    if not isinstance(name, str) or not name.strip():
        raise RubricError(f"rubric name must be a non-empty string, not {name!r}")
    path = _path(name.strip())
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml")))
        raise RubricError(f"{path}: no such rubric (built-in rubrics: {known})")
    data, problems = load_yaml(path)
    if problems:
        raise RubricError("\n".join(f"{path}: {p.field + ': ' if p.field else ''}{p.message}" for p in problems))
    return validate(data, str(path))


def available() -> list[str]:
    """Names of the built-in rubrics."""
    return sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml"))


def resolve(value) -> Rubric:
    """A Rubric from a Rubric, a name/path, or None (the default)."""
    if isinstance(value, Rubric):
        return value
    return rubric(value or "practice")
