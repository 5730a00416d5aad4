"""The question bank: lessons/questions/*.yaml, one top-level key `questions`.

Each question::

    - id: hr-001                      # lower-case words and digits joined by '-'; unique in the bank
      stem: "..."
      options:                        # exactly 4; exactly one has correct: true
        - {text: "...", correct: false, rationale: "..."}
      credentials: [RHIT, CCA]        # subset of RHIT, CCA, CCS, CIC
      domain: health_record           # one of DOMAINS
      topic: deficiency_analysis      # snake_case tag
      difficulty: 2                   # 1..3
      lesson: L01-health-record       # an existing lesson id
      codes: []                       # optional: every ICD-10-CM/PCS code mentioned
      drgs: []                        # optional: every MS-DRG mentioned

Structural checks run at load time. Code checks (`code_problems`) ask the `codes` reference
layer and run in the validator (`python -m lessons validate`) and the content tests.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from ._common import (CREDENTIALS, DOMAINS, QUESTIONS_DIR, ContentError, Problem, check_keys, dir_signature,
                      display_path, is_int, is_text, list_files, load_yaml, text_list_problems)

QUESTION_KEYS = ("id", "stem", "options", "credentials", "domain", "topic", "difficulty", "lesson")
OPTIONAL_KEYS = ("codes", "drgs")
OPTION_KEYS = ("text", "correct", "rationale")
N_OPTIONS = 4
LETTERS = "ABCD"      # how options are named to learners and in stored responses
DIFFICULTIES = (1, 2, 3)
# Share of correct answers at each position (A-D), checked per file and over the whole bank.
POSITION_MIN, POSITION_MAX = 0.15, 0.35
BALANCE_MIN_QUESTIONS = 12   # below this a file is too small for a meaningful per-file share
ALL_FILES = "lessons/questions (all files)"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOPIC = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")

# Code-looking tokens. Dotted ICD-10-CM and 7-character ICD-10-PCS shapes always count; an undotted
# CM shape (E11, I5021) counts only when it is a real code, so "A1C" or "G6PD" pass unnoticed.
_CM_TOKEN = re.compile(r"(?<![A-Za-z0-9.])([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4}|[0-9A-Z]{0,4}))(?![A-Za-z0-9])")
_PCS_TOKEN = re.compile(r"(?<![A-Za-z0-9.])([0-9BCDFGHX][0-9A-HJ-NP-Z]{6})(?![A-Za-z0-9])")
# Acronyms that collide with ICD-10-CM category codes (ASC X12 transactions, N95 respirators).
NOT_CODES = frozenset({"X12", "N95"})
# What may sit between the codes of an option that only lists codes.
_CODE_LIST_FILLER = re.compile(r"[\s,;:+/&()\-\u2013.]|\band\b|\bthen\b|\bonly\b|\bplus\b|\bwith\b", re.I)
# "DRG 291", "MS-DRG 871", "DRGs 291-293", "DRGs 280, 281 and 282" (three-digit numbers only).
_DRG_MENTION = re.compile(
    r"\b(?:MS-)?DRGs?\s*#?\s*(\d{3}(?:\s*(?:,\s*(?:and|or)?|-|\u2013|\u2014|/|\band\b|\bor\b|\bto\b|\bthrough\b)\s*\d{3})*)(?!\d)")


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    rationale: str


@dataclass(frozen=True)
class Question:
    id: str
    stem: str
    options: tuple[Option, ...]
    credentials: tuple[str, ...]
    domain: str
    topic: str
    difficulty: int
    lesson: str
    codes: tuple[str, ...] = ()
    drgs: tuple[int, ...] = ()
    file: str = ""

    @property
    def correct_index(self) -> int:
        """Index (0-3) of the correct option."""
        return next(i for i, o in enumerate(self.options) if o.correct)

    def to_dict(self) -> dict:
        """Plain-JSON form in the file schema (plus `file`), for exam snapshots."""
        return {"id": self.id, "stem": self.stem,
                "options": [{"text": o.text, "correct": o.correct, "rationale": o.rationale} for o in self.options],
                "credentials": list(self.credentials), "domain": self.domain, "topic": self.topic,
                "difficulty": self.difficulty, "lesson": self.lesson, "codes": list(self.codes),
                "drgs": list(self.drgs), "file": self.file}

    @classmethod
    def from_dict(cls, d: dict) -> "Question":
        return cls(id=d["id"], stem=d["stem"],
                   options=tuple(Option(o["text"], bool(o["correct"]), o.get("rationale", "")) for o in d["options"]),
                   credentials=tuple(d.get("credentials") or ()), domain=d.get("domain", ""),
                   topic=d.get("topic", ""), difficulty=int(d.get("difficulty", 1)), lesson=d.get("lesson", ""),
                   codes=tuple(d.get("codes") or ()), drgs=tuple(int(x) for x in d.get("drgs") or ()),
                   file=d.get("file", ""))


# --- structure -------------------------------------------------------------------------------

def _drg_number(v: Any) -> int | None:
    """An MS-DRG number from an int or a digit string ("064"); None otherwise."""
    if is_int(v):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def _option_problems(opts: Any, file: str, where: str) -> list[Problem]:
    field = f"{where}.options"
    if not isinstance(opts, list) or len(opts) != N_OPTIONS:
        return [Problem(file, field, f"must be a list of exactly {N_OPTIONS} options")]
    out = []
    for j, o in enumerate(opts):
        w = f"{field}[{j}]"
        out += check_keys(o, OPTION_KEYS, (), file, w)
        if not isinstance(o, dict):
            continue
        if "text" in o and not is_text(o["text"]):
            out.append(Problem(file, f"{w}.text", "must be a non-empty string"))
        if "rationale" in o and not is_text(o["rationale"]):
            out.append(Problem(file, f"{w}.rationale", "every option needs a rationale (why it is right or wrong)"))
        if "correct" in o and not isinstance(o["correct"], bool):
            out.append(Problem(file, f"{w}.correct", "must be true or false"))
    flags = [o.get("correct") is True for o in opts if isinstance(o, dict)]
    if len(flags) == N_OPTIONS and sum(flags) != 1:
        out.append(Problem(file, field, f"exactly one option must be correct (found {sum(flags)})"))
    texts = [o["text"].strip().casefold() for o in opts if isinstance(o, dict) and is_text(o.get("text"))]
    if len(set(texts)) != len(texts):
        out.append(Problem(file, field, "two options have the same text"))
    return out


def _question_problems(q: Any, file: str, where: str) -> list[Problem]:
    out = check_keys(q, QUESTION_KEYS, OPTIONAL_KEYS, file, where)
    if not isinstance(q, dict):
        return out
    f = lambda key: f"{where}.{key}"  # noqa: E731
    if "id" in q and not (isinstance(q["id"], str) and _ID.match(q["id"])):
        out.append(Problem(file, f("id"), "must be lower-case letters/digits joined by '-', e.g. hr-001"))
    if "stem" in q and not is_text(q["stem"]):
        out.append(Problem(file, f("stem"), "must be a non-empty string"))
    if "options" in q:
        out += _option_problems(q["options"], file, where)
    if "credentials" in q:
        out += text_list_problems(q["credentials"], file, f("credentials"), choices=CREDENTIALS)
    if "domain" in q and q["domain"] not in DOMAINS:
        out.append(Problem(file, f("domain"), f"{q['domain']!r} is not one of {', '.join(DOMAINS)}"))
    if "topic" in q and not (isinstance(q["topic"], str) and _TOPIC.match(q["topic"])):
        out.append(Problem(file, f("topic"), "must be a snake_case tag, e.g. deficiency_analysis"))
    if "difficulty" in q and not (is_int(q["difficulty"]) and q["difficulty"] in DIFFICULTIES):
        out.append(Problem(file, f("difficulty"), "must be 1, 2 or 3"))
    if "lesson" in q and not is_text(q["lesson"]):
        out.append(Problem(file, f("lesson"), "must be a lesson id, e.g. L01-health-record"))
    if "codes" in q:
        out += text_list_problems(q["codes"], file, f("codes"), allow_empty=True)
    if "drgs" in q:
        drgs = q["drgs"]
        if not isinstance(drgs, list) or any(_drg_number(x) is None for x in drgs):
            out.append(Problem(file, f("drgs"), "must be a list of MS-DRG numbers"))
    return out


def _build_question(q: dict, file: str) -> Question:
    return Question(id=q["id"], stem=q["stem"].strip(),
                    options=tuple(Option(o["text"].strip(), o["correct"], o["rationale"].strip()) for o in q["options"]),
                    credentials=tuple(q["credentials"]), domain=q["domain"], topic=q["topic"],
                    difficulty=q["difficulty"], lesson=q["lesson"].strip(), codes=tuple(q.get("codes") or ()),
                    drgs=tuple(_drg_number(x) for x in q.get("drgs") or ()), file=file)


def where_of(index: int, q: Any) -> str:
    """Field prefix naming a question by position and id: questions[3] (hr-004)."""
    qid = q.get("id") if isinstance(q, dict) else None
    return f"questions[{index}] ({qid})" if isinstance(qid, str) else f"questions[{index}]"


def parse_question_file(path: Path | str) -> tuple[list[Question], list[Problem]]:
    """Questions of one file and its structural problems (questions with problems are left out)."""
    path = Path(path)
    file = display_path(path)
    data, problems = load_yaml(path)
    problems += [] if data is None and problems else check_keys(data, ("questions",), (), file, "")
    if data is None or not isinstance(data, dict) or "questions" not in data:
        return [], problems
    if not isinstance(data["questions"], list) or not data["questions"]:
        return [], [Problem(file, "questions", "must be a non-empty list")]
    questions = []
    for i, q in enumerate(data["questions"]):
        probs = _question_problems(q, file, where_of(i, q))
        problems += probs
        if not probs:
            questions.append(_build_question(q, file))
    return questions, problems


# --- whole-bank checks -----------------------------------------------------------------------

def position_problems(questions: Sequence[Question], file: str) -> list[Problem]:
    """The correct answer must sit at each position (A-D) for 15-35 % of the questions."""
    if not questions:
        return []
    counts = Counter(q.correct_index for q in questions)
    out = []
    for pos in range(N_OPTIONS):
        share = counts.get(pos, 0) / len(questions)
        if not POSITION_MIN <= share <= POSITION_MAX:
            out.append(Problem(file, "answer positions",
                               f"option {LETTERS[pos]} is correct in {counts.get(pos, 0)} of {len(questions)} questions "
                               f"({share:.0%}); each position should hold {POSITION_MIN:.0%}-{POSITION_MAX:.0%}"))
    return out


def _duplicate_id_problems(questions: Sequence[Question]) -> list[Problem]:
    seen, out = {}, []
    for q in questions:
        if q.id in seen:
            out.append(Problem(q.file, f"question {q.id}", f"id is also used in {seen[q.id]}"))
        seen.setdefault(q.id, q.file)
    return out


def _lesson_problems(questions: Sequence[Question], lesson_ids: Iterable[str]) -> list[Problem]:
    known = set(lesson_ids)
    return [Problem(q.file, f"question {q.id}.lesson", f"{q.lesson!r} is not a lesson id")
            for q in questions if q.lesson not in known]


def validate_bank(directory: Path | str | None = None, lesson_ids: Iterable[str] | None = None,
                  check_codes: bool = False) -> tuple[list[Question], list[Problem]]:
    """Every structurally valid question and every problem: per file (schema, answer positions,
    optionally codes), across files (unique ids), and against `lesson_ids` when given."""
    questions, problems = [], []
    for path in list_files(directory or QUESTIONS_DIR, ".yaml"):
        qs, probs = parse_question_file(path)
        problems += probs
        if len(qs) >= BALANCE_MIN_QUESTIONS:
            problems += position_problems(qs, display_path(path))
        if check_codes:
            problems += [Problem(q.file, f"question {q.id}", msg) for q in qs for msg in code_problems(q)]
        questions += qs
    for path in list_files(directory or QUESTIONS_DIR, ".yml"):
        problems.append(Problem(display_path(path), "", "rename to .yaml: only *.yaml files are loaded"))
    problems += _duplicate_id_problems(questions)
    if len(questions) >= BALANCE_MIN_QUESTIONS:
        problems += position_problems(questions, ALL_FILES)
    if lesson_ids is not None:
        problems += _lesson_problems(questions, lesson_ids)
    return questions, problems


@lru_cache(maxsize=8)
def _load_cached(directory: str, _signature: tuple) -> tuple[Question, ...]:
    questions, problems = validate_bank(directory)
    if problems:
        raise ContentError(problems)
    return tuple(questions)


def load_bank(directory: Path | str | None = None) -> list[Question]:
    """Every question in the bank, in file order. Raises ContentError listing every structural
    problem. Cached until a file changes."""
    d = Path(directory or QUESTIONS_DIR).resolve()
    return list(_load_cached(str(d), dir_signature(d, ".yaml")))


def _wanted(wanted) -> set | None:
    """A filter value as a set (None = no filter): 'CCA' -> {'CCA'}, [1, 2] -> {1, 2}."""
    if wanted is None:
        return None
    return {wanted} if isinstance(wanted, (str, int)) else set(wanted)


def select(bank: Iterable[Question], *, topic=None, domain=None, credential=None, difficulty=None,
           lesson=None) -> list[Question]:
    """Questions matching every given filter; each filter is a value or a collection of values
    (a question matches `credential` when it is tagged with any of them)."""
    single = [(attr, _wanted(v)) for attr, v in
              (("topic", topic), ("domain", domain), ("difficulty", difficulty), ("lesson", lesson)) if v is not None]
    creds = _wanted(credential)
    return [q for q in bank
            if all(getattr(q, attr) in allowed for attr, allowed in single)
            and (creds is None or bool(creds & set(q.credentials)))]


# --- code validity ---------------------------------------------------------------------------

def _texts(q: Question) -> list[tuple[str, str]]:
    """(field name, text) of every place a question can mention a code: stem, option texts, rationales."""
    out = [("stem", q.stem)]
    for j, o in enumerate(q.options):
        out += [(f"options[{j}].text", o.text), (f"options[{j}].rationale", o.rationale)]
    return out


def code_tokens(text: str) -> list[str]:
    """Canonical codes (no dot) of the code-looking tokens in `text`, in order, without repeats."""
    import codes
    found = []
    for m in _CM_TOKEN.finditer(text):
        tok = m.group(1)
        if tok in NOT_CODES:
            continue
        if "." in tok or codes.lookup(tok) is not None:
            found.append(codes.normalize(tok).code)
    for m in _PCS_TOKEN.finditer(text):
        tok = m.group(1)
        if any(c.isdigit() for c in tok) and any(c.isalpha() for c in tok):
            found.append(tok)
    return list(dict.fromkeys(found))


def drg_mentions(text: str) -> list[int]:
    """MS-DRG numbers written after 'DRG'/'MS-DRG(s)' in `text`."""
    return list(dict.fromkeys(int(n) for m in _DRG_MENTION.finditer(text) for n in re.findall(r"\d{3}", m.group(1))))


def _listed_codes(q: Question) -> tuple[dict, list[str]]:
    import codes
    listed, msgs = {}, []
    for raw in q.codes:
        n = codes.normalize(raw)
        if not n.ok:
            msgs.append(f"codes: {raw!r} is not an ICD-10-CM or ICD-10-PCS code ({n.error})")
        elif n.code in listed:
            msgs.append(f"codes: {raw} is listed twice")
        else:
            listed[n.code] = raw
    return listed, msgs


def code_status(code: str, billable: bool = False) -> str | None:
    """None when `code` is fine for the default fiscal year (`codes.FY_LABEL`), else what is wrong with it. A category or subcategory
    header (an ICD-10-CM code that exists but is not billable) is fine as a reference unless
    `billable` is asked for."""
    import codes
    info = codes.lookup(code)
    if info is None:
        return f"does not exist in ICD-10-CM/PCS ({codes.FY_LABEL})"
    if getattr(info, "billable", True) is False:
        return "is a category or subcategory header, not a billable code" if billable else None
    return None if codes.is_valid(code) else f"is not valid for {codes.FY_LABEL}"


def is_code_answer(text: str) -> bool:
    """True when an option is nothing but a list of codes ("N30.00, B96.20"): choosing it means
    assigning those codes, so each must be billable."""
    rest = _CODE_LIST_FILLER.sub("", _PCS_TOKEN.sub("", _CM_TOKEN.sub("", text)))
    return bool(code_tokens(text)) and not rest.strip()


def code_problems(question: Question) -> list[str]:
    """Messages for every code or MS-DRG problem in a question (empty when all is well).

    * every code-looking token in the stem and option texts is listed in `codes`;
    * every listed code, and every code a rationale mentions, exists in ICD-10-CM/PCS and is valid
      for `codes.DEFAULT_FY` (codes.lookup, codes.is_valid); a category or subcategory header may be named as
      a reference ("the note at R65.2");
    * when the correct option is just a list of codes, each of them is valid and billable;
    * every MS-DRG in `drgs` exists (codes.weights.lookup) and every DRG written in the text is listed.
    """
    import codes
    listed, msgs = _listed_codes(question)
    for field, text in _texts(question):
        for code in code_tokens(text):
            if code in listed:
                continue
            if field.endswith(".rationale"):
                status = code_status(code)
                if status:
                    msgs.append(f"{field}: mentions {codes.display(code)}, which {status}")
            else:
                status = code_status(code)
                msgs.append(f"{field}: mentions {codes.display(code)} but it is not listed in codes"
                            + (f" (and it {status})" if status else ""))
    for code, raw in listed.items():
        status = code_status(code)
        if status:
            msgs.append(f"codes: {raw} {status}")
    answer = question.options[question.correct_index].text
    if is_code_answer(answer):
        for code in code_tokens(answer):
            status = code_status(code, billable=True)
            if status and code_status(code) is None:
                msgs.append(f"options[{question.correct_index}].text: the correct answer assigns "
                            f"{codes.display(code)}, which {status}")
    for n in question.drgs:
        if codes.weights.lookup(n) is None:
            msgs.append(f"drgs: {n} is not an {codes.FY_LABEL} MS-DRG")
    written = {n for _, text in _texts(question) for n in drg_mentions(text)}
    msgs += [f"mentions MS-DRG {n:03d} but it is not listed in drgs" for n in sorted(written - set(question.drgs))]
    return msgs
