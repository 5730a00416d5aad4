"""Exam blueprints: how many items, how long, and how the items spread over domains.

Shipped blueprints live in lessons/blueprints/<id>.yaml. Instructors edit them through
`save_blueprint`, which writes to an override directory (env CHARTLAB_BLUEPRINT_DIR, default
data/blueprints/); an override file shadows the shipped file with the same id, and
`reset_blueprint` removes it again.

File shape::

    id: cca                          # equals the file name
    credential: CCA                  # RHIT | CCA | CCS | CIC
    title: "CCA full exam"
    items: 100                       # multiple-choice items
    minutes: 120
    passing_hint: "..."              # optional text
    cases: 7                         # optional: generated inpatient cases added after the items
    case_domain: "Inpatient cases"   # required when cases > 0: the report line for them
    based_on: cca                    # optional: take `domains` from that blueprint (practice forms)
    domains:                         # required unless based_on; weights sum to 1.0
      - {name: ..., weight: 0.32, tags: [coding_cm, coding_pcs], range: "30-34%"}
    source: "..."                    # the public material the numbers come from
    as_of: 2026-05-01
    notes: "..."
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ._common import (BLUEPRINT_ENV, BLUEPRINTS_DIR, CREDENTIALS, DOMAINS, REPO_ROOT, ContentError, Problem,
                      check_keys, display_path, env_dir, is_int, is_text, iso_date, list_files, load_yaml,
                      text_list_problems)

REQUIRED_KEYS = ("id", "credential", "title", "items", "minutes", "source", "as_of", "notes")
OPTIONAL_KEYS = ("passing_hint", "cases", "case_domain", "based_on", "domains")
DOMAIN_KEYS = ("name", "weight", "tags")
DOMAIN_OPTIONAL = ("range",)
WEIGHT_TOLERANCE = 0.01
MAX_ITEMS, MAX_MINUTES, MAX_CASES = 500, 600, 20
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_OVERRIDE_DIR = REPO_ROOT / "data" / "blueprints"


@dataclass(frozen=True)
class BlueprintDomain:
    name: str
    weight: float            # fraction of the multiple-choice items
    tags: tuple[str, ...]    # question `domain` tags that feed this blueprint domain
    range: str = ""          # the published range, for display ("30-34%")


@dataclass(frozen=True)
class Blueprint:
    id: str
    credential: str
    title: str
    items: int
    minutes: int
    domains: tuple[BlueprintDomain, ...]
    source: str
    as_of: str
    notes: str
    passing_hint: str = ""
    cases: int = 0
    case_domain: str = ""
    based_on: str = ""
    path: str = ""            # the file it was loaded from
    overridden: bool = False  # True when an instructor's override file shadows the shipped one

    def to_dict(self) -> dict:
        """The file form (without `path` / `overridden`); optional keys only when set."""
        d: dict[str, Any] = {"id": self.id, "credential": self.credential, "title": self.title,
                             "items": self.items, "minutes": self.minutes}
        for key in ("passing_hint", "cases", "case_domain", "based_on"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        d["domains"] = [{"name": dm.name, "weight": dm.weight, "tags": list(dm.tags), **({"range": dm.range} if dm.range else {})}
                        for dm in self.domains]
        d.update(source=self.source, as_of=self.as_of, notes=self.notes)
        return d


def override_dir() -> Path:
    """Where instructors' edits are written (env CHARTLAB_BLUEPRINT_DIR, default data/blueprints/)."""
    return env_dir(BLUEPRINT_ENV, DEFAULT_OVERRIDE_DIR)


# --- validation ------------------------------------------------------------------------------

def _domain_problems(domains: Any, file: str) -> list[Problem]:
    if not isinstance(domains, list) or not domains:
        return [Problem(file, "domains", "must be a non-empty list of {name, weight, tags}")]
    out, fed_by = [], {}
    for i, dm in enumerate(domains):
        where = f"domains[{i}]"
        out += check_keys(dm, DOMAIN_KEYS, DOMAIN_OPTIONAL, file, where)
        if not isinstance(dm, dict):
            continue
        if "name" in dm and not is_text(dm["name"]):
            out.append(Problem(file, f"{where}.name", "must be a non-empty string"))
        w = dm.get("weight")
        if "weight" in dm and not (isinstance(w, (int, float)) and not isinstance(w, bool) and 0 < w <= 1):
            out.append(Problem(file, f"{where}.weight", "must be a fraction above 0 and at most 1 (0.32 for 32 %)"))
        if "tags" in dm:
            out += text_list_problems(dm["tags"], file, f"{where}.tags", choices=DOMAINS)
            for tag in dm["tags"] if isinstance(dm["tags"], list) else ():
                if tag in fed_by:
                    out.append(Problem(file, f"{where}.tags", f"{tag!r} already feeds {fed_by[tag]!r}; a tag may feed one domain only"))
                fed_by.setdefault(tag, dm.get("name"))
        if "range" in dm and not isinstance(dm["range"], str):
            out.append(Problem(file, f"{where}.range", "must be a string such as '30-34%'"))
    names = [dm.get("name") for dm in domains if isinstance(dm, dict)]
    out += [Problem(file, "domains", f"domain name {n!r} is used twice") for n in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})]
    weights = [dm.get("weight") for dm in domains if isinstance(dm, dict)]
    if not out and abs(sum(weights) - 1.0) > WEIGHT_TOLERANCE:
        out.append(Problem(file, "domains", f"weights add up to {sum(weights):.3f}; they must add up to 1.0"))
    return out


def _count_problem(d: dict, key: str, low: int, high: int, file: str) -> list[Problem]:
    if key in d and not (is_int(d[key]) and low <= d[key] <= high):
        return [Problem(file, key, f"must be a whole number from {low} to {high}")]
    return []


def blueprint_problems(d: Any, file: str, stem: str | None = None) -> list[Problem]:
    """Every problem in one blueprint mapping. `stem` is the file name the id must equal."""
    out = check_keys(d, REQUIRED_KEYS, OPTIONAL_KEYS, file, "")
    if not isinstance(d, dict):
        return out
    if "id" in d:
        if not (isinstance(d["id"], str) and _ID.match(d["id"])):
            out.append(Problem(file, "id", "must be lower-case letters/digits joined by '-', e.g. cca-practice"))
        elif stem is not None and d["id"] != stem:
            out.append(Problem(file, "id", f"{d['id']!r} does not match the file name {stem!r}"))
    if "credential" in d and d["credential"] not in CREDENTIALS:
        out.append(Problem(file, "credential", f"{d['credential']!r} is not one of {', '.join(CREDENTIALS)}"))
    for key in ("title", "source", "notes"):
        if key in d and not is_text(d[key]):
            out.append(Problem(file, key, "must be a non-empty string"))
    if "passing_hint" in d and not isinstance(d["passing_hint"], str):
        out.append(Problem(file, "passing_hint", "must be a string"))
    out += _count_problem(d, "items", 1, MAX_ITEMS, file) + _count_problem(d, "minutes", 1, MAX_MINUTES, file)
    out += _count_problem(d, "cases", 0, MAX_CASES, file)
    if is_int(d.get("cases")) and d["cases"] > 0 and not is_text(d.get("case_domain")):
        out.append(Problem(file, "case_domain", "is required when cases > 0 (the report line for the cases)"))
    if "as_of" in d and iso_date(d["as_of"]) is None:
        out.append(Problem(file, "as_of", "must be a date, YYYY-MM-DD"))
    if "domains" in d:
        out += _domain_problems(d["domains"], file)
    elif "based_on" not in d:
        out.append(Problem(file, "domains", "required field is missing (or name a blueprint in based_on)"))
    if "based_on" in d and not (isinstance(d["based_on"], str) and _ID.match(d["based_on"])):
        out.append(Problem(file, "based_on", "must be the id of another blueprint"))
    return out


def _build(d: dict, domains: tuple[BlueprintDomain, ...], path: str, overridden: bool) -> Blueprint:
    return Blueprint(id=d["id"], credential=d["credential"], title=d["title"].strip(), items=d["items"],
                     minutes=d["minutes"], domains=domains, source=d["source"].strip(), as_of=iso_date(d["as_of"]),
                     notes=d["notes"].strip(), passing_hint=(d.get("passing_hint") or "").strip(),
                     cases=d.get("cases") or 0, case_domain=(d.get("case_domain") or "").strip(),
                     based_on=d.get("based_on") or "", path=path, overridden=overridden)


def _domains_of(d: dict) -> tuple[BlueprintDomain, ...]:
    return tuple(BlueprintDomain(dm["name"].strip(), float(dm["weight"]), tuple(dm["tags"]), dm.get("range", ""))
                 for dm in d.get("domains") or ())


# --- loading ---------------------------------------------------------------------------------

def _read(path: Path) -> tuple[dict | None, list[Problem]]:
    file = display_path(path)
    data, probs = load_yaml(path)
    if data is None and probs:
        return None, probs
    probs += blueprint_problems(data, file, path.stem)
    return (None if probs else data), probs


def _resolve(raw: dict[str, tuple[dict, str, bool]]) -> tuple[dict[str, Blueprint], list[Problem]]:
    """Build blueprints, taking `domains` from `based_on` where a file has none of its own."""
    out, problems = {}, []
    for bid, (d, path, overridden) in raw.items():
        domains = _domains_of(d)
        base = d.get("based_on")
        if base:
            if base == bid or base not in raw:
                problems.append(Problem(path, "based_on", f"{base!r} is not another blueprint"))
                continue
            if raw[base][0].get("based_on"):
                problems.append(Problem(path, "based_on", f"{base!r} is itself based on another blueprint; name the original"))
                continue
            if not domains:
                domains = _domains_of(raw[base][0])
        out[bid] = _build(d, domains, path, overridden)
    return out, problems


def validate_blueprints(shipped: Path | str | None = None, overrides: Path | str | None = None
                        ) -> tuple[dict[str, Blueprint], list[Problem]]:
    """Valid blueprints by id (shipped, shadowed by overrides; full exams first, then practice
    forms, each group in credential order) and every problem found."""
    raw, problems = {}, []
    over = Path(overrides) if overrides is not None else override_dir()
    for directory, overridden in ((Path(shipped or BLUEPRINTS_DIR), False), (over, True)):
        for path in list_files(directory, ".yaml"):
            d, probs = _read(path)
            problems += probs
            if d is not None:
                raw[d["id"]] = (d, display_path(path), overridden)
    blueprints, more = _resolve(raw)
    key = lambda bp: (bool(bp.based_on), CREDENTIALS.index(bp.credential), bp.id)  # noqa: E731
    return {bp.id: bp for bp in sorted(blueprints.values(), key=key)}, problems + more


def load_blueprints(shipped: Path | str | None = None, overrides: Path | str | None = None) -> dict[str, Blueprint]:
    """Blueprints by id, full exams first then practice forms, each group in credential order.
    Raises ContentError listing every problem."""
    blueprints, problems = validate_blueprints(shipped, overrides)
    if problems:
        raise ContentError(problems)
    return blueprints


def get_blueprint(blueprint_id: str, shipped: Path | str | None = None, overrides: Path | str | None = None) -> Blueprint | None:
    """One blueprint by id (override first), or None."""
    return load_blueprints(shipped, overrides).get(blueprint_id)


def blueprint_from_dict(d: dict, base: Blueprint | None = None) -> Blueprint:
    """Build and validate a Blueprint from its file form (e.g. an instructor's edited form).
    `base` supplies the domains when `d` has based_on and no domains. Raises ContentError."""
    problems = blueprint_problems(d, "blueprint")
    if problems:
        raise ContentError(problems)
    bp = _build(d, _domains_of(d), "", False)
    if not bp.domains:
        if base is None or base.id != bp.based_on:
            raise ContentError([Problem("blueprint", "based_on", "the base blueprint is needed to supply the domains")])
        bp = replace(bp, domains=base.domains)
    return bp


def save_blueprint(bp: Blueprint, directory: Path | str | None = None,
                   shipped: Path | str | None = None) -> Path:
    """Validate `bp` and write it to the override directory as <id>.yaml (atomically); it then
    shadows the shipped blueprint with the same id. Returns the path. Raises ContentError.

    A practice form whose domains equal its base's is written without domains, so it keeps
    following the base when the base is edited."""
    over = Path(directory) if directory is not None else override_dir()
    d = bp.to_dict()
    problems = blueprint_problems(d, f"blueprint {bp.id}")
    current, _ = validate_blueprints(shipped, over)
    if bp.based_on:
        base = current.get(bp.based_on)
        if base is None or base.based_on or base.id == bp.id:
            problems.append(Problem(f"blueprint {bp.id}", "based_on", f"{bp.based_on!r} is not another full blueprint"))
        elif base.domains == bp.domains:
            del d["domains"]
    if problems:
        raise ContentError(problems)
    over.mkdir(parents=True, exist_ok=True)
    target = over / f"{bp.id}.yaml"
    fd, tmp = tempfile.mkstemp(dir=over, prefix=f".{bp.id}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(d, fh, sort_keys=False, allow_unicode=True, width=100)
    os.replace(tmp, target)
    return target


def reset_blueprint(blueprint_id: str, directory: Path | str | None = None) -> bool:
    """Remove an instructor's override so the shipped blueprint applies again. True if one was removed."""
    over = Path(directory) if directory is not None else override_dir()
    target = over / f"{blueprint_id}.yaml"
    if target.is_file():
        target.unlink()
        return True
    return False
