"""Strict loading of clinical content: conditions, procedures, teaching points, scenarios and the
reference tables (guideline rules, chart templates, lab panels).

Every file is YAML, read by the shared strict reader (`datafiles.load_yaml`: duplicate keys and
YAML 1.1 surprises such as `064`, `yes` or an unquoted date are errors). Unknown keys, missing
fields, wrong types, dangling references and codes that are not valid and billable for the
fiscal year are errors too. `load_library` collects every problem (file and field) before it
raises one `ContentError` listing them all; `file_problems` checks one file on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from datafiles import ContentError, Problem, check_keys, display_path, join, load_yaml

ROOT = Path(__file__).parent
# Document types a condition can be worded for. "history" = past medical history list,
# "findings" = operative findings when the condition is the reason for the operation.
DOC_TYPES = ("ed_note", "hp", "progress", "consult", "operative", "findings", "discharge", "history")
POA_VALUES = ("Y", "N", "U", "W", "1")
DISPOSITIONS = ("01", "02", "03", "04", "05", "06", "07", "20", "21", "43", "50", "51", "61", "62", "63", "64", "65", "66", "70")


# ---------------------------------------------------------------- schema helpers
def _fail(path: Path, ctx: str, message: str):
    """Stop reading one content block: `message` about field `ctx` of the file at `path`."""
    raise ContentError([Problem(display_path(path), ctx, message)])


def _check_keys(d, allowed: dict, path: Path, ctx: str) -> dict:
    """allowed: key -> (type or tuple of types, required: bool). Every unknown, missing or
    wrongly typed field of the block is reported at once."""
    file = display_path(path)
    required = [k for k, (_types, req) in allowed.items() if req]
    problems = check_keys(d, required, [k for k in allowed if k not in required], file, ctx)
    if not problems:
        problems = [Problem(file, join(ctx, k), f"must be {_type_names(types)}, got {type(d[k]).__name__}")
                    for k, (types, _req) in allowed.items() if k in d and not isinstance(d[k], types)]
    if problems:
        raise ContentError(problems)
    return d


def _type_names(types) -> str:
    return "/".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))


def _str_list(v, path, ctx, min_len=1):
    if not isinstance(v, list) or len(v) < min_len or not all(isinstance(x, str) and x.strip() for x in v):
        _fail(path, ctx, f"must be a list of at least {min_len} non-empty strings")
    return tuple(v)


def _optional_lists(d: dict, path: Path, ctx: str):
    """A reader for optional list-of-strings fields of one content block: () when absent."""
    return lambda key: _str_list(d[key], path, f"{ctx}.{key}") if d.get(key) else ()


def _range(v, path, ctx, kind=(int, float)):
    if (not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, kind) and not isinstance(x, bool) for x in v)
            or v[0] > v[1]):
        _fail(path, ctx, "must be [low, high] with low <= high")
    return tuple(v)


# ---------------------------------------------------------------- content objects
@dataclass(frozen=True)
class Lab:
    test: str
    panel: str
    unit: str
    ref: tuple          # (low, high) reference range
    value: tuple        # (low, high) values this condition produces
    decimals: int = 1
    day: int = 0        # first day drawn; repeated on later days when `trend` given
    trend: tuple = ()   # values on following days, e.g. improving


@dataclass(frozen=True)
class Imaging:
    study: str
    findings: tuple
    impression: tuple
    day: int = 0


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    code: str
    poa: str
    phrases: dict            # doc type -> tuple of phrasings
    file: str
    hpi: tuple = ()
    symptoms: tuple = ()     # words for the chief complaint / ROS
    exam: tuple = ()
    labs: tuple = ()
    vitals: dict = field(default_factory=dict)
    home_meds: tuple = ()
    inpatient_meds: tuple = ()
    imaging: tuple = ()
    plan: tuple = ()
    course: tuple = ()        # hospital-course sentences
    teaching: tuple = ()
    alternatives: tuple = ()  # other codes accepted for this condition
    optional: tuple = ()      # codes a learner may add with it without penalty (e.g. B96.20 with E. coli sepsis)
    onset_day: int = 0        # hospital-acquired conditions: the day they are first documented
    social: tuple = ()        # social history sentences (tobacco, alcohol)


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    code: str
    kind: str                 # "operative" | "procedure" | "bedside"
    day: tuple                # (first, last) day of stay
    file: str
    title: tuple = ()         # how the note names the procedure
    indication: tuple = ()
    anesthesia: tuple = ()
    findings: tuple = ()
    technique: tuple = ()
    ebl: tuple = (0, 0)
    specimens: tuple = ()
    devices: tuple = ()
    complications: str = "None"
    teaching: tuple = ()
    alternatives: tuple = ()
    specialty: str = "General Surgery"


@dataclass(frozen=True)
class TeachingPoint:
    id: str
    title: str
    guideline: str
    explanation: str
    common_error: str
    file: str


@dataclass(frozen=True)
class Pick:
    """One entry of a pool: a condition id, or a one_of group, with a probability."""
    options: tuple            # ((weight, (condition ids...)), ...)
    p: float = 1.0


@dataclass(frozen=True)
class Variant:
    id: str
    weight: float
    principal: str
    with_: tuple = ()          # condition ids always coded in this variant
    procedures: tuple = ()     # procedure ids
    label: str = ""
    either_principal: tuple = ()  # `with` conditions the guidelines also allow as principal (Section II.C)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    mdc: int
    difficulty: int
    file: str
    age: tuple
    sex: str                   # "M" | "F" | "any"
    service: str
    attending_specialty: str
    chief_complaint: tuple
    admission_type: dict       # code -> weight
    admission_source: dict
    disposition: dict
    los: tuple
    variants: tuple
    severity: dict             # "none"/"cc"/"mcc" -> weight
    cc_pool: tuple = ()
    mcc_pool: tuple = ()
    comorbidities: tuple = ()  # Pick
    complications: tuple = ()  # Pick (hospital-acquired, POA N)
    noise: dict = field(default_factory=dict)  # doc type -> tuple of uncoded sentences
    consult: dict = field(default_factory=dict)
    topics: tuple = ()
    teaching: tuple = ()
    summary: str = ""
    newborn: bool = False
    templates: dict = field(default_factory=dict)  # overrides of generic chart language (see below)


T = lambda *t: (t if len(t) > 1 else t[0], True)   # noqa: E731 required field
O = lambda *t: (t if len(t) > 1 else t[0], False)  # noqa: E731 optional field


def _read(path: Path, problems: list):
    """The data of one content file (strict YAML); its problems go to `problems`."""
    data, found = load_yaml(path)
    problems += found
    return data


def _lab(d, path, ctx) -> Lab:
    _check_keys(d, {"test": T(str), "panel": T(str), "unit": T(str), "ref": T(list), "value": T(list),
                    "decimals": O(int), "day": O(int), "trend": O(list)}, path, ctx)
    return Lab(d["test"], d["panel"], d["unit"], _range(d["ref"], path, ctx + ".ref"),
               _range(d["value"], path, ctx + ".value"), d.get("decimals", 1), d.get("day", 0),
               tuple(d.get("trend") or ()))


def _imaging(d, path, ctx) -> Imaging:
    _check_keys(d, {"study": T(str), "findings": T(list), "impression": T(list), "day": O(int)}, path, ctx)
    return Imaging(d["study"], _str_list(d["findings"], path, ctx + ".findings"),
                   _str_list(d["impression"], path, ctx + ".impression"), d.get("day", 0))


CONDITION_KEYS = {
    "id": T(str), "name": T(str), "code": T(str), "poa": T(str), "phrases": T(dict), "hpi": O(list),
    "symptoms": O(list), "exam": O(list), "labs": O(list), "vitals": O(dict), "home_meds": O(list),
    "inpatient_meds": O(list), "imaging": O(list), "plan": O(list), "course": O(list), "teaching": O(list),
    "alternatives": O(list), "optional": O(list), "onset_day": O(int), "social": O(list),
}
VITAL_KEYS = ("temp_c", "hr", "rr", "sbp", "dbp", "spo2")


def _condition(d, path) -> Condition:
    ctx = f"condition '{d.get('id', '?')}'" if isinstance(d, dict) else "condition"
    _check_keys(d, CONDITION_KEYS, path, ctx)
    if d["poa"] not in POA_VALUES:
        _fail(path, ctx, f"poa must be one of {', '.join(POA_VALUES)}")
    phrases = {}
    for doc, ph in d["phrases"].items():
        if doc not in DOC_TYPES:
            _fail(path, ctx, f"phrases has unknown document type '{doc}' (allowed: {', '.join(DOC_TYPES)})")
        phrases[doc] = _str_list(ph, path, f"{ctx}.phrases.{doc}")
    if d["poa"] == "N" and ("hp" in phrases or "ed_note" in phrases):
        _fail(path, ctx, "a hospital-acquired (poa N) condition cannot be worded in the admission notes (hp/ed_note)")
    if "discharge" not in phrases:
        _fail(path, ctx, "phrases.discharge is required (the final diagnosis wording that supports the code)")
    vitals = {}
    for k, v in (d.get("vitals") or {}).items():
        if k not in VITAL_KEYS:
            _fail(path, ctx, f"vitals has unknown sign '{k}' (allowed: {', '.join(VITAL_KEYS)})")
        vitals[k] = _range(v, path, f"{ctx}.vitals.{k}")
    opt = _optional_lists(d, path, ctx)
    return Condition(
        id=d["id"], name=d["name"], code=d["code"], poa=d["poa"], phrases=phrases, file=path.name,
        hpi=opt("hpi"), symptoms=opt("symptoms"), exam=opt("exam"),
        labs=tuple(_lab(x, path, f"{ctx}.labs[{i}]") for i, x in enumerate(d.get("labs") or [])),
        vitals=vitals, home_meds=opt("home_meds"), inpatient_meds=opt("inpatient_meds"),
        imaging=tuple(_imaging(x, path, f"{ctx}.imaging[{i}]") for i, x in enumerate(d.get("imaging") or [])),
        plan=opt("plan"), course=opt("course"), teaching=opt("teaching"), alternatives=opt("alternatives"),
        optional=opt("optional"),
        onset_day=d.get("onset_day", 0), social=opt("social"))


PROCEDURE_KEYS = {
    "id": T(str), "name": T(str), "code": T(str), "kind": T(str), "day": T(list), "title": T(list),
    "indication": O(list), "anesthesia": O(list), "findings": T(list), "technique": T(list), "ebl": O(list),
    "specimens": O(list), "devices": O(list), "complications": O(str), "teaching": O(list),
    "alternatives": O(list), "specialty": O(str),
}


def _procedure(d, path) -> Procedure:
    ctx = f"procedure '{d.get('id', '?')}'" if isinstance(d, dict) else "procedure"
    _check_keys(d, PROCEDURE_KEYS, path, ctx)
    if d["kind"] not in ("operative", "procedure", "bedside"):
        _fail(path, ctx, "kind must be operative, procedure or bedside")
    opt = _optional_lists(d, path, ctx)
    return Procedure(
        id=d["id"], name=d["name"], code=d["code"], kind=d["kind"], day=_range(d["day"], path, f"{ctx}.day", int),
        file=path.name, title=_str_list(d["title"], path, f"{ctx}.title"), indication=opt("indication"),
        anesthesia=opt("anesthesia"), findings=_str_list(d["findings"], path, f"{ctx}.findings"),
        technique=_str_list(d["technique"], path, f"{ctx}.technique"),
        ebl=_range(d.get("ebl", [0, 0]), path, f"{ctx}.ebl", int), specimens=opt("specimens"),
        devices=opt("devices"), complications=d.get("complications", "None"), teaching=opt("teaching"),
        alternatives=opt("alternatives"), specialty=d.get("specialty", "General Surgery"))


def _pick(d, path, ctx) -> Pick:
    if isinstance(d, str):
        return Pick(((1.0, (d,)),))
    _check_keys(d, {"condition": O(str), "conditions": O(list), "one_of": O(list), "p": O(float, int)}, path, ctx)
    p = float(d.get("p", 1.0))
    if not 0 < p <= 1:
        _fail(path, ctx, "p must be in (0, 1]")
    if "one_of" in d:
        opts = []
        for i, o in enumerate(d["one_of"]):
            octx = f"{ctx}.one_of[{i}]"
            if isinstance(o, str):
                opts.append((1.0, (o,)))
                continue
            _check_keys(o, {"condition": O(str), "conditions": O(list), "weight": O(float, int)}, path, octx)
            ids = (o["condition"],) if "condition" in o else _str_list(o.get("conditions"), path, octx + ".conditions")
            opts.append((float(o.get("weight", 1)), ids))
        return Pick(tuple(opts), p)
    if "condition" in d:
        return Pick(((1.0, (d["condition"],)),), p)
    if "conditions" in d:
        return Pick(((1.0, _str_list(d["conditions"], path, ctx + ".conditions")),), p)
    _fail(path, ctx, "needs condition, conditions or one_of")


def _weights(d, path, ctx, allowed=None) -> dict:
    if isinstance(d, (str, int)):
        d = {str(d): 1}
    if not isinstance(d, dict) or not d:
        _fail(path, ctx, "must be a mapping of value -> weight")
    out = {}
    for k, w in d.items():
        k = str(k)
        if allowed is not None and k not in allowed:
            _fail(path, ctx, f"'{k}' is not one of {', '.join(allowed)}")
        if not isinstance(w, (int, float)) or w < 0:
            _fail(path, ctx, f"weight for '{k}' must be a non-negative number")
        out[k] = float(w)
    if sum(out.values()) <= 0:
        _fail(path, ctx, "weights must not all be zero")
    return out


SCENARIO_KEYS = {
    "id": T(str), "title": T(str), "mdc": T(int), "difficulty": T(int), "age": T(list), "sex": T(str),
    "service": T(str), "attending_specialty": T(str), "chief_complaint": T(list), "admission_type": T(dict, str, int),
    "admission_source": T(dict, str, int), "disposition": T(dict, str), "los": T(list), "variants": T(list),
    "severity": O(dict), "cc_pool": O(list), "mcc_pool": O(list), "comorbidities": O(list),
    "complications": O(list), "noise": O(dict), "consult": O(dict), "topics": O(list), "teaching": O(list),
    "summary": O(str), "newborn": O(bool), "templates": O(dict),
}
# Generic chart lines a scenario may replace (e.g. no "ambulated in the hallway" for a ventilated patient).
TEMPLATE_OVERRIDES = ("progress_subjective", "progress_plan_generic", "course_closers", "social_default", "followup",
                      "family", "allergies")


def _scenario(d, path) -> Scenario:
    ctx = f"scenario '{d.get('id', '?')}'" if isinstance(d, dict) else "scenario"
    _check_keys(d, SCENARIO_KEYS, path, ctx)
    if d["id"] != path.stem:
        _fail(path, ctx, f"id must match the file name '{path.stem}'")
    if not 1 <= d["difficulty"] <= 3:
        _fail(path, ctx, "difficulty must be 1, 2 or 3")
    if d["sex"] not in ("M", "F", "any"):
        _fail(path, ctx, "sex must be M, F or any")
    variants = []
    for i, v in enumerate(d["variants"]):
        vctx = f"{ctx}.variants[{i}]"
        _check_keys(v, {"id": T(str), "weight": O(float, int), "principal": T(str), "with": O(list),
                        "procedures": O(list), "label": O(str), "either_principal": O(list)}, path, vctx)
        variants.append(Variant(v["id"], float(v.get("weight", 1)), v["principal"],
                                tuple(_str_list(v["with"], path, vctx + ".with")) if v.get("with") else (),
                                tuple(_str_list(v["procedures"], path, vctx + ".procedures")) if v.get("procedures") else (),
                                v.get("label", ""),
                                tuple(_str_list(v["either_principal"], path, vctx + ".either_principal"))
                                if v.get("either_principal") else ()))
        if not set(variants[-1].either_principal) <= set(variants[-1].with_):
            _fail(path, f"{vctx}.either_principal", "every condition must also be listed in 'with'")
    if not variants:
        _fail(path, ctx, "at least one variant is required")
    noise = {}
    for doc, lines in (d.get("noise") or {}).items():
        if doc not in DOC_TYPES:
            _fail(path, ctx, f"noise has unknown document type '{doc}'")
        noise[doc] = _str_list(lines, path, f"{ctx}.noise.{doc}")
    templates = {}
    for name, lines in (d.get("templates") or {}).items():
        if name not in TEMPLATE_OVERRIDES:
            _fail(path, ctx, f"templates has unknown entry '{name}' (allowed: {', '.join(TEMPLATE_OVERRIDES)})")
        templates[name] = list(_str_list(lines, path, f"{ctx}.templates.{name}"))
    consult = d.get("consult") or {}
    if consult:
        _check_keys(consult, {"specialty": T(str), "reason": T(list), "recommendations": T(list), "p": O(float, int)},
                    path, ctx + ".consult")
    return Scenario(
        id=d["id"], title=d["title"], mdc=d["mdc"], difficulty=d["difficulty"], file=path.name,
        age=_range(d["age"], path, ctx + ".age", int), sex=d["sex"], service=d["service"],
        attending_specialty=d["attending_specialty"],
        chief_complaint=_str_list(d["chief_complaint"], path, ctx + ".chief_complaint"),
        admission_type=_weights(d["admission_type"], path, ctx + ".admission_type", ("1", "2", "3", "4", "5")),
        admission_source=_weights(d["admission_source"], path, ctx + ".admission_source",
                                  ("1", "2", "4", "5", "6", "D", "E", "F")),
        disposition=_weights(d["disposition"], path, ctx + ".disposition", DISPOSITIONS),
        los=_range(d["los"], path, ctx + ".los", int), variants=tuple(variants),
        severity=_weights(d.get("severity") or {"none": 1}, path, ctx + ".severity", ("none", "cc", "mcc")),
        cc_pool=tuple(d.get("cc_pool") or ()), mcc_pool=tuple(d.get("mcc_pool") or ()),
        comorbidities=tuple(_pick(x, path, f"{ctx}.comorbidities[{i}]") for i, x in enumerate(d.get("comorbidities") or [])),
        complications=tuple(_pick(x, path, f"{ctx}.complications[{i}]") for i, x in enumerate(d.get("complications") or [])),
        noise=noise, consult=consult, topics=tuple(d.get("topics") or ()), teaching=tuple(d.get("teaching") or ()),
        summary=d.get("summary", ""), newborn=bool(d.get("newborn", False)), templates=templates)


# ---------------------------------------------------------------- library
@dataclass(frozen=True)
class Library:
    conditions: dict
    procedures: dict
    teaching: dict
    scenarios: dict


def _collect(folder: Path, key: str, build, problems: list) -> dict:
    """Every block of every file in `folder` (one top-level `key` each); a block with a problem
    is reported in `problems` and left out, and reading goes on with the next one."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        for obj in _blocks(path, key, build, problems):
            if obj.id in out:
                problems.append(Problem(display_path(path), "", f"duplicate {key[:-1]} id '{obj.id}' "
                                                                 f"(also in {out[obj.id].file})"))
            else:
                out[obj.id] = obj
    return out


def _blocks(path: Path, key: str, build, problems: list) -> list:
    data = _read(path, problems)
    if not isinstance(data, dict) or set(data) != {key}:
        problems.append(Problem(display_path(path), "", f"a file here must hold exactly one top-level key '{key}'"))
        return []
    return [obj for obj in (_built(build, item, path, problems) for item in data[key] or []) if obj is not None]


def _built(build, d, path: Path, problems: list):
    """build(d, path), or None with its problems added to `problems`."""
    try:
        return build(d, path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


def _teaching(d, path) -> TeachingPoint:
    ctx = f"teaching point '{d.get('id', '?')}'" if isinstance(d, dict) else "teaching point"
    _check_keys(d, {"id": T(str), "title": T(str), "guideline": T(str), "explanation": T(str),
                    "common_error": T(str)}, path, ctx)
    return TeachingPoint(d["id"], d["title"], d["guideline"], d["explanation"].strip(), d["common_error"].strip(), path.name)


# One builder per content folder: (top-level key, builder); scenarios are one per file.
FOLDERS = {"conditions": ("conditions", _condition), "procedures": ("procedures", _procedure),
           "teaching": ("teaching_points", _teaching)}


def load_library(root: Path | None = None, check_codes: bool = True) -> Library:
    """Load and cross-check all content. Raises ContentError listing every problem, each naming
    the file and the field."""
    root = root or ROOT
    problems: list[Problem] = []
    conditions, procedures, teaching = (_collect(root / folder, key, build, problems)
                                        for folder, (key, build) in FOLDERS.items())
    scenarios = {}
    for path in sorted((root / "scenarios").glob("*.yaml")):
        s = _built(_scenario, _read(path, problems), path, problems)
        if s is not None:
            scenarios[s.id] = s
    lib = Library(conditions, procedures, teaching, scenarios)
    problems += _cross_check(lib, root, check_codes)
    if problems:
        raise ContentError(problems)
    return lib


def file_problems(path: Path | str) -> list[Problem]:
    """Every problem of one content file read on its own (strict YAML, schema of its folder;
    references to other files are checked by `load_library`)."""
    path = Path(path)
    problems: list[Problem] = []
    if path.parent.name == "scenarios":
        _built(_scenario, _read(path, problems), path, problems)
    elif path.parent.name == "reference":
        _reference(path, problems)
    else:
        key, build = FOLDERS[path.parent.name]
        _blocks(path, key, build, problems)
    return problems


def scenario_ids(folder: Path | str | None = None) -> frozenset[str]:
    """The ids of the scenarios in `folder` (default: the library's), without loading them:
    a scenario's id is its file name (the loader checks that they agree)."""
    return frozenset(p.stem for p in Path(folder or ROOT / "scenarios").glob("*.yaml"))


# ---------------------------------------------------------------- reference tables
REFERENCE = ROOT / "reference"
RULE_KEYS = ("all", "principal", "other_than_first")


def _rule_problems(rules, file: str) -> list[Problem]:
    if not isinstance(rules, list):
        return [Problem(file, "rules", "must be a list of rules")]
    out = []
    for i, rule in enumerate(rules):
        where = f"rules[{i}]"
        found = check_keys(rule, ("id", "message"), RULE_KEYS, file, where)
        if not found and ("all" in rule) == ("principal" in rule):
            found = [Problem(file, where, "needs exactly one of 'all' (code prefixes) or 'principal' (a prefix)")]
        out += found
    return out


def _reference(path: Path, problems: list):
    data = _read(path, problems)
    file = display_path(path)
    if not isinstance(data, dict):
        problems.append(Problem(file, "", "must be a mapping"))
    elif path.name == "rules.yaml":
        problems += check_keys(data, ("rules",), (), file, "") or _rule_problems(data["rules"], file)
    return data


def reference(name: str) -> dict:
    """A reference table of cases/reference/ (`rules.yaml`, `templates.yaml`, `labs.yaml`),
    read strictly. Raises ContentError listing every problem."""
    problems: list[Problem] = []
    data = _reference(REFERENCE / name, problems)
    if problems:
        raise ContentError(problems)
    return data


def _cross_check(lib: Library, root: Path, check_codes: bool) -> list[Problem]:
    import codes

    out = []

    def fail(folder: str, obj, what: str, message: str) -> None:
        out.append(Problem(display_path(root / folder / obj.file), f"{what} '{obj.id}'", message))

    for c in lib.conditions.values():
        for t in c.teaching:
            if t not in lib.teaching:
                fail("conditions", c, "condition", f"teaching point '{t}' does not exist")
        if check_codes:
            for code in (c.code, *c.alternatives, *c.optional):
                n = codes.normalize(code, expect=codes.CM)
                if not n.ok or not codes.is_valid(n.code):
                    fail("conditions", c, "condition", f"code '{code}' is not a valid, billable {codes.FY_LABEL} ICD-10-CM code")
    for p in lib.procedures.values():
        for t in p.teaching:
            if t not in lib.teaching:
                fail("procedures", p, "procedure", f"teaching point '{t}' does not exist")
        if check_codes:
            for code in (p.code, *p.alternatives):
                if not codes.pcs.is_valid(code, codes.DEFAULT_FY):
                    fail("procedures", p, "procedure", f"code '{code}' is not a valid {codes.FY_LABEL} ICD-10-PCS code")
    for s in lib.scenarios.values():
        refs = [("cc_pool", x) for x in s.cc_pool] + [("mcc_pool", x) for x in s.mcc_pool]
        for v in s.variants:
            refs += [(f"variants.{v.id}.principal", v.principal)] + [(f"variants.{v.id}.with", x) for x in v.with_]
            for pid in v.procedures:
                if pid not in lib.procedures:
                    fail("scenarios", s, "scenario", f"variants.{v.id}.procedures: unknown procedure '{pid}'")
        for name, picks in (("comorbidities", s.comorbidities), ("complications", s.complications)):
            for pk in picks:
                refs += [(name, cid) for _w, ids in pk.options for cid in ids]
        for where, cid in refs:
            if cid not in lib.conditions:
                fail("scenarios", s, "scenario", f"{where}: unknown condition '{cid}'")
        for t in s.teaching:
            if t not in lib.teaching:
                fail("scenarios", s, "scenario", f"teaching point '{t}' does not exist")
        for _w, ids in (opt for pk in s.complications for opt in pk.options):
            for cid in ids:
                if cid in lib.conditions and lib.conditions[cid].poa != "N":
                    fail("scenarios", s, "scenario", f"complication '{cid}' must have poa N (hospital-acquired)")
    return out


@lru_cache(maxsize=1)
def library() -> Library:
    return load_library()
