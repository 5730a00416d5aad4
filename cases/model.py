"""Domain objects shared by cases, scoring, progress and ui: small frozen dataclasses
with plain-JSON round trips (`to_dict` / `from_dict`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime


def parse_day(value) -> date | None:
    """The date of a date or of an ISO date(-time) string ("2026-05-27", "2026-05-27T08:00"), else None.
    Answers and charts hold dates as ISO text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _build(cls, data):
    if data is None:
        return None
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Physician:
    name: str
    specialty: str
    npi: str = ""


@dataclass(frozen=True)
class Patient:
    first_name: str
    last_name: str
    sex: str            # "M" | "F"
    dob: str            # ISO date
    age: int            # age in years at admission
    mrn: str
    account: str
    address: str
    phone: str
    payer: str          # "Medicare", "Medicaid", "Commercial - <name>", "Self-pay"
    marital_status: str = ""
    language: str = "English"
    emergency_contact: str = ""
    synthetic: bool = True

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Encounter:
    admit_datetime: str          # ISO datetime
    discharge_datetime: str
    los_days: int
    admission_type: str          # UB-04 priority (type) of admission: "1".."5"
    admission_source: str        # UB-04 point of origin: "1", "2", "4", "5", "6", "D", "E", "F"...
    discharge_disposition: str   # UB-04 patient status: "01", "06", "20", ...
    attending: Physician
    consultants: tuple = ()      # Physician
    surgeon: Physician | None = None
    service: str = ""
    facility: str = "ChartLab Teaching Hospital (synthetic)"


@dataclass(frozen=True)
class LabRow:
    datetime: str
    panel: str
    test: str
    value: str
    unit: str
    ref_range: str
    flag: str = ""   # "H", "L", "HH", "LL", "A" or ""


@dataclass(frozen=True)
class Document:
    doc_id: str
    type: str        # face_sheet | ed_note | hp | progress | consult | operative | procedure | labs | imaging | mar | discharge
    title: str
    author: str
    datetime: str
    text: str
    labs: tuple = ()  # LabRow for type "labs"


@dataclass(frozen=True)
class TeachingPoint:
    id: str
    title: str
    guideline: str = ""      # e.g. "I.C.1.d.4"
    explanation: str = ""    # our own words
    common_error: str = ""   # the tempting wrong answer and why it is wrong


@dataclass(frozen=True)
class CodeEntry:
    code: str                # canonical (no dot)
    poa: str = ""            # diagnoses: Y N U W 1; procedures: ""
    date: str = ""           # procedures: ISO date
    title: str = ""
    condition: str = ""      # the condition/procedure id in the content library
    evidence_doc: str = ""   # doc_id of the document that supports it
    evidence: str = ""       # the sentence in that document
    teaching: tuple = ()     # TeachingPoint ids
    alternatives: tuple = () # other codes the guidelines accept for this item


@dataclass(frozen=True)
class AnswerKey:
    abstract: dict           # UHDDS fields -> value (see ABSTRACT_FIELDS)
    principal_dx: CodeEntry
    secondary_dx: tuple      # CodeEntry, in reporting order
    procedures: tuple = ()   # CodeEntry, principal procedure first
    drg: int | None = None
    drg_title: str = ""
    mdc: int | None = None
    weight: float | None = None
    severity: str = ""
    teaching_points: tuple = ()      # TeachingPoint (the ones this case exercises)
    sex: str = ""
    age: int | None = None
    optional: tuple = ()            # canonical codes a learner may add without penalty (not required)
    interchangeable: tuple = ()     # ((principal, other), ...): either may be principal (Section II.C)


CODED_ENCOUNTER_FIELDS = ("admission_type", "admission_source", "discharge_disposition")

ABSTRACT_FIELDS = {
    "admission_date": "Admission date",
    "discharge_date": "Discharge date",
    "admission_type": "Type of admission (UB-04 FL 14)",
    "admission_source": "Point of origin / source of admission (UB-04 FL 15)",
    "discharge_disposition": "Discharge disposition / patient status (UB-04 FL 17)",
    "attending_physician": "Attending physician",
    "expected_payer": "Expected principal payer",
}

ADMISSION_TYPES = {"1": "Emergency", "2": "Urgent", "3": "Elective", "4": "Newborn", "5": "Trauma"}
ADMISSION_SOURCES = {
    "1": "Non-health care facility point of origin (home, workplace)",
    "2": "Clinic or physician's office",
    "4": "Transfer from a hospital (different facility)",
    "5": "Transfer from a skilled nursing facility, ICF or assisted living",
    "6": "Transfer from another health care facility",
    "D": "Transfer from one distinct unit of the hospital to another (same hospital)",
    "E": "Transfer from ambulatory surgery center",
    "F": "Transfer from hospice",
}
# For type 4 (newborn) admissions the point-of-origin codes mean something else.
NEWBORN_SOURCES = {"5": "Born inside this hospital", "6": "Born outside of this hospital"}


def source_label(admission_type: str, source: str) -> str:
    table = NEWBORN_SOURCES if admission_type == "4" else ADMISSION_SOURCES
    return table.get(source, source)
PAYERS = ("Medicare", "Medicaid", "Commercial", "Self-pay", "Other")


@dataclass(frozen=True)
class Case:
    case_id: str
    scenario_id: str
    seed: int
    generator_version: str
    title: str
    mdc: int
    difficulty: int
    patient: Patient
    encounter: Encounter
    documents: tuple          # Document
    key: AnswerKey
    topics: tuple = ()
    synthetic: bool = True

    def chart(self) -> "Case":
        """The case without its answer key: what a learner may see before submitting."""
        from dataclasses import replace
        return replace(self, key=None)

    def to_dict(self, include_key: bool = True) -> dict:
        d = asdict(self)
        d["scenario"] = self.scenario_id
        if not include_key:
            d.pop("key", None)
        return d

    def learner_view(self) -> dict:
        """What a learner may receive before submitting: patient, encounter and documents, without
        the answer key and without the encounter's UB-04 codes (admission type, point of origin,
        discharge disposition), which are abstraction answers the learner derives from the chart."""
        d = self.to_dict(include_key=False)
        d["encounter"] = {k: v for k, v in d["encounter"].items() if k not in CODED_ENCOUNTER_FIELDS}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Case":
        enc = dict(d["encounter"])
        enc["attending"] = _build(Physician, enc["attending"])
        enc["consultants"] = tuple(_build(Physician, p) for p in enc.get("consultants") or ())
        enc["surgeon"] = _build(Physician, enc.get("surgeon"))
        docs = []
        for doc in d["documents"]:
            doc = dict(doc)
            doc["labs"] = tuple(_build(LabRow, r) for r in doc.get("labs") or ())
            docs.append(_build(Document, doc))
        key = d.get("key")
        if key is not None:
            key = dict(key)
            key["principal_dx"] = _entry(key["principal_dx"])
            key["secondary_dx"] = tuple(_entry(e) for e in key.get("secondary_dx") or ())
            key["procedures"] = tuple(_entry(e) for e in key.get("procedures") or ())
            key["teaching_points"] = tuple(_build(TeachingPoint, t) for t in key.get("teaching_points") or ())
            key["optional"] = tuple(key.get("optional") or ())
            key["interchangeable"] = tuple(tuple(p) for p in key.get("interchangeable") or ())
            key = _build(AnswerKey, key)
        return cls(case_id=d["case_id"], scenario_id=d.get("scenario_id") or d["scenario"], seed=int(d["seed"]),
                   generator_version=d["generator_version"], title=d.get("title", ""), mdc=int(d.get("mdc", 0)),
                   difficulty=int(d.get("difficulty", 1)), patient=_build(Patient, d["patient"]),
                   encounter=_build(Encounter, enc), documents=tuple(docs), key=key,
                   topics=tuple(d.get("topics") or ()), synthetic=True)


def _entry(e: dict) -> CodeEntry:
    e = dict(e)
    e["teaching"] = tuple(e.get("teaching") or ())
    e["alternatives"] = tuple(e.get("alternatives") or ())
    return _build(CodeEntry, e)


@dataclass(frozen=True)
class Answer:
    """What a learner submits. Same shape as the key, all fields optional, all strings raw."""
    abstract: dict = field(default_factory=dict)
    principal_dx: tuple = ("", "")          # (code, poa)
    secondary_dx: tuple = ()                # ((code, poa), ...)
    procedures: tuple = ()                  # ((code, date), ...) principal procedure first
    drg: str = ""                           # the DRG the learner chose, optional

    @classmethod
    def from_key(cls, key: AnswerKey) -> "Answer":
        return cls(abstract=dict(key.abstract),
                   principal_dx=(key.principal_dx.code, key.principal_dx.poa),
                   secondary_dx=tuple((e.code, e.poa) for e in key.secondary_dx),
                   procedures=tuple((e.code, e.date) for e in key.procedures),
                   drg=str(key.drg or ""))

    def to_dict(self) -> dict:
        return {"abstract": dict(self.abstract), "principal_dx": list(self.principal_dx),
                "secondary_dx": [list(x) for x in self.secondary_dx],
                "procedures": [list(x) for x in self.procedures], "drg": self.drg}

    @classmethod
    def from_dict(cls, d) -> "Answer":
        """Tolerant: accepts {"code","poa"} objects or [code, poa] pairs; garbage becomes blanks."""
        if not isinstance(d, dict):
            return cls()

        def pair(x, second="poa"):
            if isinstance(x, dict):
                return (str(x.get("code") or ""), str(x.get(second) or ""))
            if isinstance(x, (list, tuple)):
                return (str(x[0]) if len(x) > 0 and x[0] is not None else "",
                        str(x[1]) if len(x) > 1 and x[1] is not None else "")
            if isinstance(x, str):
                return (x, "")
            return ("", "")

        def many(xs, second="poa"):
            return tuple(pair(x, second) for x in xs) if isinstance(xs, (list, tuple)) else ()

        ab = d.get("abstract")
        return cls(abstract={str(k): ("" if v is None else str(v)) for k, v in ab.items()} if isinstance(ab, dict) else {},
                   principal_dx=pair(d.get("principal_dx") or ("", "")),
                   secondary_dx=many(d.get("secondary_dx") or ()),
                   procedures=many(d.get("procedures") or (), "date"),
                   drg=str(d.get("drg") or ""))
