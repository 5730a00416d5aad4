"""Read whatever a learner submitted (and whatever a key holds) into tidy, canonical values.

Nothing here raises: blanks are dropped, codes are normalised with `codes.normalize`
(dotted, lower-case, stray spaces), duplicates are folded and remembered, unknown POA values
are marked "?" and anything unreadable becomes text that later produces feedback.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import codes
from cases.model import ABSTRACT_FIELDS, ADMISSION_TYPES, Answer, AnswerKey, CodeEntry
from codes.normalize import CM, PCS

UNKNOWN_POA = "?"
EXEMPT = ("1", "")            # POA exempt: reported as blank (or "1" on older forms)
DEFAULT_AGE = 65              # a Medicare-age adult when the key does not say
DEFAULT_DISPOSITION = "01"    # routine discharge when no valid status was given
_SPLIT = re.compile(r"[,;\n\t]+")
_STRIP = re.compile(r"[\s.\-]")
_CREDENTIALS = {"dr", "md", "do", "np", "pa", "pac", "dnp", "phd", "facc", "facp", "facs", "rn", "aprn", "mbbs"}


def text(value) -> str:
    """Any value as text: None -> "", other non-strings by their str() (bounded)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)[:60]
    except Exception:  # a hostile __str__ must not break scoring
        return "<unreadable>"


# ---------------------------------------------------------------------------------------
# Learner side
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dx:
    """One diagnosis as entered: canonical `code` when its shape is a valid ICD-10-CM shape."""
    raw: str
    code: str
    poa: str                  # Y N U W 1, "" (blank) or "?" (unrecognised)
    poa_raw: str = ""
    error: str = ""           # why the entry is not a usable ICD-10-CM code

    @property
    def display(self) -> str:
        return codes.display(self.code, CM) if self.code else self.raw.strip()[:40]


@dataclass(frozen=True)
class Proc:
    raw: str
    code: str
    date: str = ""
    error: str = ""

    @property
    def display(self) -> str:
        return self.code or self.raw.strip()[:40]


@dataclass(frozen=True)
class Submission:
    pdx: Dx | None
    sdx: tuple                 # Dx: non-blank, one per code, not repeating the principal
    procedures: tuple          # Proc: non-blank, one per code
    abstract: dict             # field -> text as entered
    drg_raw: str = ""
    duplicates: tuple = ()     # display codes entered more than once
    blank: bool = False        # nothing at all was entered


def poa_value(raw) -> str:
    s = text(raw).strip().upper()
    if s in codes.POA_VALUES or s == "":
        return s
    return UNKNOWN_POA


def _pair(x) -> tuple[str, str]:
    if isinstance(x, dict):
        return text(x.get("code")), text(x.get("poa", x.get("date")))
    if isinstance(x, (list, tuple)):
        return (text(x[0]) if len(x) > 0 else ""), (text(x[1]) if len(x) > 1 else "")
    return text(x), ""


def _pairs(value) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [(part, "") for part in _SPLIT.split(value)]
    if isinstance(value, dict):
        return [_pair(value)]
    if isinstance(value, (list, tuple)):
        return [_pair(x) for x in value]
    return [(text(value), "")]


def _dx(raw: str, poa_raw: str) -> Dx:
    n = codes.normalize(raw, expect=CM)
    code = n.code if n.ok else ""
    return Dx(raw=raw, code=code, poa=poa_value(poa_raw), poa_raw=poa_raw.strip(), error=n.error)


def _proc(raw: str, date: str) -> Proc:
    n = codes.normalize(raw, expect=PCS)
    error = n.error
    if error and not n.system and len(_STRIP.sub("", raw)) != 7:
        error = (f"'{raw.strip()[:40]}' is not an ICD-10-PCS code: PCS codes have exactly 7 characters, digits and "
                 f"letters other than O and I.")
    return Proc(raw=raw, code=n.code if n.ok else "", date=date.strip(), error=error)


def _key_of(entry) -> str:
    return entry.code or entry.raw.strip().upper()


def _unique(entries, seen: set) -> tuple[list, list]:
    """One entry per code (in first-occurrence order) and the display of every repeat.

    When a code is repeated with different POA indicators or dates, the kept entry is chosen by
    a fixed rule (the smallest indicator) rather than by position, so reordering the list never
    changes what is scored.
    """
    groups: dict = {}
    for e in entries:
        groups.setdefault(_key_of(e), []).append(e)
    out, dups = [], []
    for k, group in groups.items():
        if k in seen:
            dups += [e.display for e in group]
            continue
        out.append(min(group, key=lambda e: (getattr(e, "poa_raw", getattr(e, "date", "")), e.raw)))
        dups += [e.display for e in group[1:]]
    return out, dups


def read_answer(answer) -> Submission:
    """A Submission from an Answer (or a dict in Answer.to_dict() shape, or garbage)."""
    if isinstance(answer, dict):
        try:
            answer = Answer.from_dict(answer)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError):
            answer = Answer()
    if not isinstance(answer, Answer):
        answer = Answer()
    pdx_code, pdx_poa = _pair(answer.principal_dx)
    pdx = _dx(pdx_code, pdx_poa) if pdx_code.strip() else None
    seen = {_key_of(pdx)} if pdx else set()
    sdx, dups = _unique([_dx(c, p) for c, p in _pairs(answer.secondary_dx) if c.strip()], seen)
    procs = [_proc(c, d) for c, d in _pairs(answer.procedures) if c.strip()]
    procs, pdups = _unique(procs, set())
    ab = answer.abstract if isinstance(answer.abstract, dict) else {}
    abstract = {text(k): text(v) for k, v in ab.items()}
    drg_raw = text(answer.drg).strip()
    blank = not (pdx or sdx or procs or drg_raw or any(v.strip() for v in abstract.values()))
    return Submission(pdx=pdx, sdx=tuple(sdx), procedures=tuple(procs), abstract=abstract,
                      drg_raw=drg_raw, duplicates=tuple(dups + pdups), blank=blank)


# ---------------------------------------------------------------------------------------
# Key side
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyCode:
    """One key item with its canonical code and every code accepted for it."""
    entry: CodeEntry
    code: str
    accepted: frozenset       # canonical code + alternatives
    poa: str = ""

    @property
    def display(self) -> str:
        return codes.display(self.code)


@dataclass(frozen=True)
class KeyView:
    key: AnswerKey
    pdx: KeyCode | None
    sdx: tuple                 # KeyCode
    procedures: tuple          # KeyCode, principal first
    abstract: dict             # field -> normalised value (only fields with a value)
    age: int = DEFAULT_AGE
    sex: str = "U"
    disposition: str = DEFAULT_DISPOSITION
    los_days: int | None = None
    teaching: dict = field(default_factory=dict)   # TeachingPoint id -> TeachingPoint

    @property
    def diagnoses(self) -> tuple:
        return ((self.pdx,) if self.pdx else ()) + self.sdx

    def all_dx_codes(self) -> set:
        return {c for k in self.diagnoses for c in k.accepted}


def _entry(e) -> CodeEntry | None:
    if isinstance(e, CodeEntry):
        return e
    if isinstance(e, dict):
        names = set(CodeEntry.__dataclass_fields__)
        data = {k: v for k, v in e.items() if k in names}
        data["teaching"] = tuple(data.get("teaching") or ())
        data["alternatives"] = tuple(data.get("alternatives") or ())
        return CodeEntry(**data) if "code" in data else None
    if isinstance(e, str) and e.strip():
        return CodeEntry(code=e)
    return None


def _key_code(e, system: str) -> KeyCode | None:
    entry = _entry(e)
    if entry is None:
        return None
    n = codes.normalize(entry.code, expect=system)
    if not n.ok:
        return None
    alts = {codes.normalize(a, expect=system) for a in entry.alternatives or ()}
    accepted = frozenset({n.code} | {a.code for a in alts if a.ok})
    return KeyCode(entry=entry, code=n.code, accepted=accepted, poa=poa_value(entry.poa))


def _age(value) -> int:
    try:
        age = int(value)
    except (TypeError, ValueError):
        return DEFAULT_AGE
    return age if 0 <= age <= 124 and not isinstance(value, bool) else DEFAULT_AGE


def read_key(key: AnswerKey) -> KeyView:
    """A KeyView: canonical codes, normalised abstraction, demographics for grouping."""
    ab = key.abstract if isinstance(key.abstract, dict) else {}
    abstract = {f: norm_field(f, ab.get(f)) for f in ABSTRACT_FIELDS if text(ab.get(f)).strip()}
    sdx = tuple(k for k in (_key_code(e, CM) for e in key.secondary_dx or ()) if k)
    procs = tuple(k for k in (_key_code(e, PCS) for e in key.procedures or ()) if k)
    sex = text(key.sex).strip().upper()[:1]
    disp = abstract.get("discharge_disposition", "")
    return KeyView(key=key, pdx=_key_code(key.principal_dx, CM), sdx=sdx, procedures=procs, abstract=abstract,
                   age=_age(key.age), sex=sex if sex in ("M", "F") else "U",
                   disposition=disp if disp in codes.DISPOSITIONS else DEFAULT_DISPOSITION,
                   los_days=los_days(abstract.get("admission_date"), abstract.get("discharge_date")),
                   teaching={t.id: t for t in key.teaching_points or () if getattr(t, "id", None)})


# ---------------------------------------------------------------------------------------
# UHDDS field values
# ---------------------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_US = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})\b")


def norm_date(value: str) -> str:
    """ISO date from '2026-03-04', '2026-03-04T10:00', '20260304', '03/04/2026' or '3/4/26'."""
    s = value.strip()
    for rx, order in ((_ISO, "ymd"), (_COMPACT, "ymd"), (_US, "mdy")):
        m = rx.match(s)
        if not m:
            continue
        parts = dict(zip(order, (int(g) for g in m.groups())))
        year = parts["y"] + 2000 if parts["y"] < 100 else parts["y"]
        try:
            return dt.date(year, parts["m"], parts["d"]).isoformat()
        except ValueError:
            return s.upper()
    return s.upper()


def _digits_or_upper(s: str) -> str:
    s = s.strip().upper()
    return str(int(s)) if s.isdigit() else s


def _admission_type(s: str) -> str:
    names = {v.lower(): k for k, v in ADMISSION_TYPES.items()}
    return names.get(s.strip().lower(), _digits_or_upper(s))


def _disposition(s: str) -> str:
    s = s.strip()
    return s.zfill(2)[-2:] if s.isdigit() and int(s) < 100 else s.upper()


def _person(s: str) -> str:
    """'Dr. Smith, John A., MD' and 'John Smith' both -> 'john smith'."""
    tokens = re.sub(r"[^a-z ]", " ", s.lower().replace(",", " ")).split()
    return " ".join(sorted(t for t in tokens if len(t) > 1 and t not in _CREDENTIALS))


def _payer(s: str) -> str:
    """The payer category: 'Commercial - Acme Health' -> 'commercial'; 'Self pay' -> 'selfpay'."""
    return re.sub(r"[^a-z0-9]", "", s.split(" - ")[0].lower())


_FIELD_NORMALISERS = {
    "admission_date": norm_date, "discharge_date": norm_date,
    "admission_type": _admission_type, "admission_source": _digits_or_upper,
    "discharge_disposition": _disposition, "attending_physician": _person, "expected_payer": _payer,
}


def norm_field(name: str, value) -> str:
    """The comparable form of one abstracted field."""
    s = text(value)
    fn = _FIELD_NORMALISERS.get(name)
    return fn(s) if fn else " ".join(s.split()).lower()


def los_days(admit: str | None, discharge: str | None) -> int | None:
    try:
        days = (dt.date.fromisoformat(discharge) - dt.date.fromisoformat(admit)).days
    except (TypeError, ValueError):
        return None
    return days if days >= 0 else None
