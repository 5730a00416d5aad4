"""The result of scoring one submission: `ScoreReport`, its `Component`s, `Item`s and `Feedback`.

All are frozen dataclasses with a plain-JSON round trip (`to_dict` / `from_dict`). The
flat `items` list in `ScoreReport.to_dict()` is the shape the progress store builds item
analysis from: {"component", "expected", "entered", "status", "score", "max", ...}.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

SCORING_VERSION = "1"

STATUSES = ("correct", "near_miss", "missing", "extra", "wrong")

COMPONENTS = {
    "abstraction": "Abstraction (UHDDS fields)",
    "pdx": "Principal diagnosis",
    "sdx": "Secondary diagnoses",
    "poa": "Present-on-admission indicators",
    "pcs": "Procedures (ICD-10-PCS)",
    "drg": "MS-DRG",
}

# Every feedback kind a report can carry, in the order used to break ties when sorting.
KINDS = {
    "empty_answer": "nothing was entered",
    "drg_mismatch": "the learner's codes group to a different MS-DRG than the key's",
    "missing_principal": "no principal diagnosis was entered",
    "wrong_principal": "the principal diagnosis is not supported by the record",
    "sequencing": "a code is correct but in the wrong position (principal vs secondary, code-first order)",
    "missed_code": "a code the key reports is absent",
    "extra_code": "a code the record does not support (over-coding)",
    "near_miss": "right family of codes, wrong final characters",
    "poa_wrong": "wrong or invalid present-on-admission indicator",
    "hac": "a POA error on a hospital-acquired condition, with its payment consequence",
    "abstraction": "an abstracted UHDDS field differs from the record",
    "drg_choice": "the DRG the learner chose differs from the key's",
    "invalid_code": "not a valid code for the fiscal year (or wrong code system)",
    "header_code": "a category/subcategory header that needs more characters",
    "missing_7th_character": "a code that requires a 7th character was entered without one",
    "excludes1": "two codes an Excludes1 note forbids together",
    "missing_partner": "a 'code first' / 'use additional code' partner is absent",
    "mce_edit": "the Medicare Code Editor flags the claim",
    "sex_conflict": "a code conflicts with the patient's sex",
    "duplicate_code": "the same code was entered more than once",
    "claim_limit": "more codes than a UB-04 claim carries",
}

SEVERITIES = ("error", "warning", "hint")


def _clean(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass(frozen=True)
class Item:
    """One scored blank: a field, a code slot, a POA flag, a DRG."""
    component: str
    expected: str
    entered: str
    status: str          # correct | near_miss | missing | extra | wrong
    score: float
    max: float
    label: str = ""      # what the blank is ("Discharge disposition", "I50.23 POA")
    note: str = ""       # short reason for partial credit ("same subcategory")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["score"], d["max"] = round(self.score, 4), round(self.max, 4)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Item":
        return cls(**_clean(cls, d))


@dataclass(frozen=True)
class Component:
    """A component's share of the total: `score` points out of `max` (both within [0, 100])."""
    name: str
    label: str
    score: float
    max: float
    items: tuple = ()    # Item
    applicable: bool = True
    note: str = ""

    @property
    def percent(self) -> float:
        """Share of this component earned, from the stored (4-decimal) figures so it survives a round trip."""
        mx = round(self.max, 4)
        return round(100.0 * round(self.score, 4) / mx, 2) if mx else 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "score": round(self.score, 4),
                "max": round(self.max, 4), "percent": self.percent, "applicable": self.applicable,
                "note": self.note, "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, d: dict) -> "Component":
        d = dict(d)
        d["items"] = tuple(Item.from_dict(i) for i in d.get("items") or ())
        return cls(**_clean(cls, d))


@dataclass(frozen=True)
class Feedback:
    """One thing to fix, with the reason, the chart evidence and the consequence."""
    kind: str                 # see KINDS
    component: str
    message: str              # what to do and why, in plain words
    code: str = ""            # what the learner entered (display form)
    expected: str = ""        # what the key has
    evidence_doc: str = ""    # chart document id that supports the key
    evidence: str = ""        # the sentence in that document
    teaching: str = ""        # teaching point(s) from the key
    impact: str = ""          # DRG / payment / compliance consequence
    cause: str = ""           # DRG cause id when this item explains a DRG difference (see drg.CAUSES)
    severity: str = "error"   # error | warning | hint
    drg_changing: bool = False
    amount: float | None = None  # illustrative payment difference in dollars, when known
    item: int | None = None      # index in ScoreReport.items of the scored item this explains (None: the claim)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Feedback":
        return cls(**_clean(cls, d))


@dataclass(frozen=True)
class ScoreReport:
    total: float
    components: tuple                 # Component, in COMPONENTS order
    feedback: tuple                   # Feedback, most consequential first
    rubric_id: str
    rubric_version: str
    learner_drg: int | None = None
    learner_drg_title: str = ""
    learner_weight: float | None = None
    key_drg: int | None = None
    key_drg_title: str = ""
    key_weight: float | None = None
    payment_difference: float | None = None   # learner minus key, dollars (illustrative)
    base_rate: float | None = None
    drg_causes: tuple = ()            # cause ids (see drg.CAUSES)
    drg_summary: str = ""
    messages: tuple = ()              # general notes (empty answer, key inconsistencies)
    scoring_version: str = SCORING_VERSION

    def component(self, name: str) -> Component | None:
        return next((c for c in self.components if c.name == name), None)

    @property
    def items(self) -> tuple:
        return tuple(i for c in self.components for i in c.items)

    def kinds(self) -> list[str]:
        return [f.kind for f in self.feedback]

    def to_dict(self) -> dict:
        return {
            "total": round(self.total, 2),
            "rubric": {"id": self.rubric_id, "version": self.rubric_version},
            "scoring_version": self.scoring_version,
            "components": {c.name: c.to_dict() for c in self.components},
            "weights": {c.name: round(c.max, 4) for c in self.components},   # each component's points out of 100
            "items": [i.to_dict() for i in self.items],
            "learner_drg": self.learner_drg, "learner_drg_title": self.learner_drg_title,
            "learner_weight": self.learner_weight,
            "key_drg": self.key_drg, "key_drg_title": self.key_drg_title, "key_weight": self.key_weight,
            "payment_difference": self.payment_difference, "base_rate": self.base_rate,
            "drg_causes": list(self.drg_causes), "drg_summary": self.drg_summary,
            "messages": list(self.messages),
            "feedback": [f.to_dict() for f in self.feedback],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ScoreReport":
        rub = d.get("rubric") or {}
        comps = d.get("components") or {}
        comps = comps.values() if isinstance(comps, dict) else comps
        return cls(
            total=float(d.get("total", 0.0)),
            components=tuple(Component.from_dict(c) for c in comps),
            feedback=tuple(Feedback.from_dict(f) for f in d.get("feedback") or ()),
            rubric_id=str(rub.get("id", d.get("rubric_id", ""))),
            rubric_version=str(rub.get("version", d.get("rubric_version", ""))),
            learner_drg=d.get("learner_drg"), learner_drg_title=d.get("learner_drg_title", ""),
            learner_weight=d.get("learner_weight"),
            key_drg=d.get("key_drg"), key_drg_title=d.get("key_drg_title", ""), key_weight=d.get("key_weight"),
            payment_difference=d.get("payment_difference"), base_rate=d.get("base_rate"),
            drg_causes=tuple(d.get("drg_causes") or ()), drg_summary=d.get("drg_summary", ""),
            messages=tuple(d.get("messages") or ()),
            scoring_version=str(d.get("scoring_version", SCORING_VERSION)),
        )
