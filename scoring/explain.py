"""Small helpers shared by the components: code labels, money, evidence and teaching text,
and a Feedback constructor that fills in the chart evidence and teaching point of a key item."""
from __future__ import annotations

from functools import lru_cache

import codes
from codes import PCS

from .clean import KeyCode, KeyView
from .report import Feedback


@lru_cache(maxsize=8192)
def title(code: str) -> str:
    """The official title of a canonical ICD-10-CM or ICD-10-PCS code, or ""."""
    if not code:
        return ""
    t = codes.pcs.title(code) if codes.system_of(code) == PCS else codes.cm.title(code)
    return t or ""


def label(code: str) -> str:
    """'I50.23 (Acute on chronic systolic (congestive) heart failure)'."""
    t = title(code)
    shown = codes.display(code)
    return f"{shown} ({t})" if t else shown


def money(amount: float | None) -> str:
    if amount is None:
        return "an amount that cannot be estimated"
    sign = "-" if amount < 0 else "+"
    return f"{sign}${abs(amount):,.0f}"


def teaching_text(key: KeyView, kc: KeyCode | None) -> str:
    """The teaching points a key item links to, as one paragraph."""
    if kc is None:
        return ""
    parts = []
    for tid in kc.entry.teaching or ():
        tp = key.teaching.get(tid)
        if tp is None:
            continue
        ref = f" (guideline {tp.guideline})" if tp.guideline else ""
        body = " ".join(x for x in (tp.explanation, tp.common_error) if x)
        parts.append(f"{tp.title}{ref}: {body}".strip().rstrip(":"))
    return " ".join(parts)


def evidence_of(kc: KeyCode | None) -> tuple[str, str]:
    if kc is None:
        return "", ""
    return kc.entry.evidence_doc or "", kc.entry.evidence or ""


def where(kc: KeyCode | None) -> str:
    """' The chart supports it in hp-1: "..."' or ''."""
    doc, sentence = evidence_of(kc)
    if not sentence:
        return ""
    return f' The chart documents it in {doc or "the record"}: "{sentence}"'


def feedback(kind: str, component: str, message: str, key: KeyView | None = None,
             kc: KeyCode | None = None, **kw) -> Feedback:
    """A Feedback; when a key item is given, its evidence and teaching point are attached."""
    doc, sentence = evidence_of(kc)
    kw.setdefault("evidence_doc", doc)
    kw.setdefault("evidence", sentence)
    if key is not None:
        kw.setdefault("teaching", teaching_text(key, kc))
    return Feedback(kind=kind, component=component, message=message, **kw)
