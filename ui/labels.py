"""The one copy of the words ChartLab shows - statuses, score components, difficulty, MDCs, exam
domains, feedback kinds - and the formatters for times (built on `progress`'s timestamps), money,
DRGs and Markdown. Every page and widget takes its labels from here."""
from __future__ import annotations

import re
from datetime import datetime

import codes
import progress
import scoring

# ----------------------------------------------------------------------------- statuses
# A scored item's status, in words (the colour only repeats it).
STATUS = {"correct": "✓ Correct", "near_miss": "≈ Near miss (partial credit)", "missing": "✗ Missing",
          "extra": "+ Extra (not supported)", "wrong": "✗ Wrong"}
STATUS_COLOUR = {"correct": "#d3f2dc", "near_miss": "#fdf0c4", "missing": "#fbd5d5", "extra": "#e3dcf7",
                 "wrong": "#fbd5d5"}
DISPUTE_STATUS = {"open": "⏳ Open — waiting for a ruling", "accepted": "✓ Accepted", "rejected": "✗ Rejected"}
READINESS = {"ready": ":green-badge[✓ Ready]", "borderline": ":orange-badge[~ Borderline]",
             "not yet": ":red-badge[✗ Not yet]"}     # an exam report's readiness (lessons.exam.readiness)
LESSON_STATUS = {"completed": "✓ Completed", "started": "◐ Started", None: "○ Not started"}
KIND_TITLES = {
    "empty_answer": "Nothing entered", "drg_mismatch": "Different MS-DRG", "missing_principal": "No principal diagnosis",
    "wrong_principal": "Principal diagnosis not supported", "sequencing": "Sequencing",
    "missed_code": "Missed code", "extra_code": "Code not supported by the record (over-coding)",
    "near_miss": "Near miss", "poa_wrong": "POA indicator", "hac": "Hospital-acquired condition and POA",
    "abstraction": "Abstracted field", "drg_choice": "The DRG you chose", "invalid_code": "Invalid code",
    "header_code": "Header code (needs more characters)", "missing_7th_character": "Missing 7th character",
    "excludes1": "Excludes1 conflict", "missing_partner": "Code first / use additional code",
    "mce_edit": "Medicare Code Editor", "sex_conflict": "Code conflicts with the patient's sex",
    "duplicate_code": "Duplicate code", "claim_limit": "Too many codes for one claim",
}
SEVERITY_TEXT = {"error": "Error", "warning": "Warning", "hint": "Hint"}

# ----------------------------------------------------------------------------- cases and questions
CASE_DIFFICULTY = {1: "1 – Introductory", 2: "2 – Intermediate", 3: "3 – Advanced", 4: "4 – Expert"}
QUESTION_DIFFICULTY = {1: "1 – recall", 2: "2 – application", 3: "3 – analysis"}
DOMAIN = {"coding_cm": "ICD-10-CM coding", "coding_pcs": "ICD-10-PCS coding", "reimbursement": "Reimbursement",
          "health_record": "Health record and data content", "compliance": "Compliance",
          "privacy": "Privacy and security", "information_technology": "Information technology",
          "leadership": "Leadership"}
TOPIC_WORDS = {"cc_mcc": "CC/MCC capture", "pcs": "PCS", "poa": "POA", "hac": "HAC", "uti": "UTI", "ckd": "CKD",
               "dka": "DKA", "copd": "COPD", "hf": "heart failure", "htn": "hypertension", "aki": "AKI",
               "r65": "R65", "z38": "Z38", "dx": "diagnosis", "gi": "GI",
               # tag words that are acronyms or need a form of their own (scenario, question and lesson tags)
               "ami": "AMI", "nihss": "NIHSS", "nstemi": "NSTEMI", "stemi": "STEMI", "mi": "MI", "dvt": "DVT",
               "bph": "BPH", "tbi": "TBI", "sdoh": "SDOH", "sirs": "SIRS", "pci": "PCI", "drg": "DRG", "cc": "CC",
               "mcc": "MCC", "mce": "MCE", "mdc": "MDC", "ms": "MS", "uhdds": "UHDDS", "ub04": "UB-04",
               "hipaa": "HIPAA", "cdi": "CDI", "oig": "OIG", "rac": "RAC", "esrd": "ESRD", "nec": "NEC", "nos": "NOS",
               "apc": "APC", "mpi": "MPI", "ehr": "EHR", "tpo": "TPO", "dnfb": "DNFB", "ncci": "NCCI", "sud": "SUD",
               "cauti": "CAUTI", "cm": "CM", "ii": "II", "iii": "III", "x": "X", "z": "Z", "or": "OR",
               "vs": "vs", "hit": "HIT", "roi": "ROI"}
ASSIGNMENT_KIND = {"cases": "Cases", "quiz": "Question set", "exam": "Timed exam"}
COUNTS = {"best": "the best attempt", "first": "the first attempt", "last": "the last attempt"}
KEY_SHOWN = {"after_attempt": "after each attempt", "after_due": "after the due date",
             "on_release": "when I release it"}
_DIGITS = re.compile(r"(?<=[a-z])(?=\d)")


def difficulty_label(difficulty) -> str:
    return CASE_DIFFICULTY.get(difficulty, str(difficulty))


def mdc_label(mdc) -> str:
    try:
        n = int(mdc)
    except (TypeError, ValueError):
        return "MDC ?"
    return f"MDC {n:02d} – {codes.weights.mdc_short(n)}"


def topic_label(topic: str, teaching: dict | None = None) -> str:
    """A readable name for a scenario topic or a teaching point id."""
    tp = (teaching or {}).get(topic)
    if tp is not None and getattr(tp, "title", ""):
        return tp.title
    if topic in TOPIC_WORDS:
        return TOPIC_WORDS[topic]
    words = [TOPIC_WORDS.get(w) or _DIGITS.sub(" ", w) for w in str(topic).lower().split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else "—"


def domain_label(domain: str) -> str:
    """An exam domain tag in words ("" is a lesson's check-yourself question)."""
    return DOMAIN.get(domain, topic_label(domain)) if domain else "Lesson check"


def kind_title(kind: str) -> str:
    text = KIND_TITLES.get(kind) or scoring.KINDS.get(kind) or str(kind).replace("_", " ")
    return text[:1].upper() + text[1:]


def component_label(name: str) -> str:
    return scoring.COMPONENTS.get(name, name)


# ----------------------------------------------------------------------------- times
def parse_when(text) -> datetime | None:
    """The aware UTC datetime of a stored timestamp (`progress.parse_iso`), or None for anything else."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return progress.parse_iso(text.strip())
    except ValueError:
        return None


def when(text, blank: str = "—") -> str:
    """'2026-03-02T09:00:00Z' -> '2026-03-02 09:00 UTC'; `blank` for a missing or unreadable time."""
    moment = parse_when(text)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else blank


def elapsed_minutes(started_at, now: datetime | None = None) -> int:
    start = parse_when(started_at)
    if start is None:
        return 0
    return max(0, int(((now or progress.utcnow()) - start).total_seconds() // 60))


def clock_text(seconds: float) -> str:
    """A countdown: 3725 -> '1:02:05'."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# ----------------------------------------------------------------------------- numbers
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def fmt_drg(drg) -> str:
    return f"{int(drg):03d}" if isinstance(drg, (int, float)) else "—"


def fmt_money(amount) -> str:
    if not isinstance(amount, (int, float)):
        return "—"
    sign = "+" if amount > 0 else "−" if amount < 0 else "±"
    return f"{sign}${abs(amount):,.0f}"


# ----------------------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|$~])")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text) -> str:
    """Text shown through st.markdown exactly as written ("$" would start LaTeX, "*" emphasis, "1." a list...)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text if text is not None else ""))
    return _MD_ORDERED.sub(r"\1\\\2", escaped)


_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def md(text: str) -> str:
    """Authored Markdown with dollar signs escaped outside code ("$6,500 = $8,543.60" is money, not LaTeX)."""
    return "".join(part if part.startswith("`") else part.replace("$", "\\$")
                   for part in _CODE.split(text or ""))
