"""Lessons: Markdown files with YAML front matter in lessons/content/<id>.md.

File shape (every front-matter key is required; any other key is an error)::

    ---
    id: L06-sepsis                 # must equal the file name
    title: Sepsis, severe sepsis and septic shock
    order: 6                       # orders of all lessons are 1..N without gaps
    objectives: [...]              # non-empty list of strings
    topics: [...]                  # non-empty list of strings
    related_scenarios: [sepsis_uti]
    credentials: [CCA, CCS]        # subset of RHIT, CCA, CCS, CIC
    guidelines: ["I.C.1.d"]        # may be empty
    minutes: 20
    check:                         # 3 to 5 check-yourself questions
      - {question: ..., options: [a, b, c, d], answer: 0..3, rationale: ...}
    ---
    ## Learning objectives
    ## Explanation
    ## Worked example              # contains at least one [[case:<scenario_id>]] link
    ## Key takeaways

`render_parts` splits the body into Markdown segments and case links for the UI.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ._common import (CONTENT_DIR, CREDENTIALS, ContentError, Problem, check_keys, dir_signature,
                      display_path, is_int, is_text, list_files, parse_yaml, text_list_problems)

FRONT_MATTER_KEYS = ("id", "title", "order", "objectives", "topics", "related_scenarios", "credentials",
                     "guidelines", "minutes", "check")
CHECK_KEYS = ("question", "options", "answer", "rationale")
REQUIRED_SECTIONS = ("Learning objectives", "Explanation", "Worked example", "Key takeaways")
CASE_SECTION = "Worked example"
MIN_CHECKS, MAX_CHECKS, N_OPTIONS = 3, 5, 4

CASE_TOKEN = re.compile(r"\[\[case:([a-z0-9_]+)\]\]")
_ANY_TOKEN = re.compile(r"\[\[([^\[\]\n]*)\]\]")
_H2 = re.compile(r"^##[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^(```|~~~)")
_LESSON_ID = re.compile(r"^L\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CheckQuestion:
    """A check-yourself question at the end of a lesson (one rationale for the right answer)."""
    question: str
    options: tuple[str, ...]
    answer: int
    rationale: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    objectives: tuple[str, ...]
    topics: tuple[str, ...]
    related_scenarios: tuple[str, ...]
    credentials: tuple[str, ...]
    guidelines: tuple[str, ...]
    minutes: int
    check: tuple[CheckQuestion, ...]
    body: str                                  # Markdown after the front matter
    sections: tuple[tuple[str, str], ...]      # (H2 title, text) in file order
    case_links: tuple[str, ...]                # scenario ids of [[case:...]] tokens, first-seen order
    path: str = ""

    def section(self, name: str) -> str:
        """Text of the H2 section called `name` (case-insensitive), or ""."""
        want = name.strip().casefold()
        return next((text for title, text in self.sections if title.casefold() == want), "")


@dataclass(frozen=True)
class Part:
    """One piece of a lesson body for the UI: Markdown to render, or a link that opens a case."""
    kind: str            # "markdown" | "case"
    text: str = ""       # the Markdown (kind "markdown")
    scenario: str = ""   # the scenario id (kind "case")


# --- parsing ---------------------------------------------------------------------------------

def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter YAML, body) for text that starts with a '---' line; None otherwise."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    return None


def split_sections(body: str) -> tuple[tuple[str, str], ...]:
    """H2 sections of a Markdown body as (title, text); '##' lines inside code fences are ignored."""
    sections, title, buf, fenced = [], None, [], False
    for line in body.split("\n"):
        if _FENCE.match(line.strip()):
            fenced = not fenced
        m = None if fenced else _H2.match(line)
        if m:
            if title is not None:
                sections.append((title, "\n".join(buf).strip()))
            title, buf = m.group(1).strip(), []
        elif title is not None:
            buf.append(line)
    if title is not None:
        sections.append((title, "\n".join(buf).strip()))
    return tuple(sections)


def case_links(text: str) -> tuple[str, ...]:
    """Scenario ids named by [[case:ID]] tokens, in first-seen order without repeats."""
    return tuple(dict.fromkeys(CASE_TOKEN.findall(text)))


def render_parts(lesson: Lesson, section: str | None = None) -> list[Part]:
    """Split the lesson body (or one H2 section of it) into Markdown parts and case-link parts."""
    text = lesson.body if section is None else lesson.section(section)
    parts, pos = [], 0
    for m in CASE_TOKEN.finditer(text):
        if text[pos:m.start()].strip():
            parts.append(Part("markdown", text=text[pos:m.start()].strip("\n")))
        parts.append(Part("case", scenario=m.group(1)))
        pos = m.end()
    if text[pos:].strip():
        parts.append(Part("markdown", text=text[pos:].strip("\n")))
    return parts


def _check_problems(check, file: str) -> list[Problem]:
    if not isinstance(check, list):
        return [Problem(file, "check", "must be a list of questions")]
    out = []
    if not MIN_CHECKS <= len(check) <= MAX_CHECKS:
        out.append(Problem(file, "check", f"has {len(check)} questions; a lesson needs {MIN_CHECKS} to {MAX_CHECKS}"))
    for i, q in enumerate(check):
        where = f"check[{i}]"
        out += check_keys(q, CHECK_KEYS, (), file, where)
        if not isinstance(q, dict):
            continue
        if "question" in q and not is_text(q["question"]):
            out.append(Problem(file, f"{where}.question", "must be a non-empty string"))
        if "rationale" in q and not is_text(q["rationale"]):
            out.append(Problem(file, f"{where}.rationale", "must be a non-empty string"))
        opts = q.get("options")
        if "options" in q:
            if not isinstance(opts, list) or len(opts) != N_OPTIONS:
                out.append(Problem(file, f"{where}.options", f"must be a list of exactly {N_OPTIONS} options"))
            else:
                out += [Problem(file, f"{where}.options[{j}]", "must be a non-empty string")
                        for j, o in enumerate(opts) if not is_text(o)]
                if len({str(o).strip().casefold() for o in opts}) != len(opts):
                    out.append(Problem(file, f"{where}.options", "two options have the same text"))
        if "answer" in q and not (is_int(q["answer"]) and 0 <= q["answer"] < N_OPTIONS):
            out.append(Problem(file, f"{where}.answer", f"must be the index of the right option, 0 to {N_OPTIONS - 1}"))
    return out


def _front_matter_problems(fm: dict, path: Path, file: str) -> list[Problem]:
    out = check_keys(fm, FRONT_MATTER_KEYS, (), file, "")
    if not isinstance(fm, dict):
        return out
    if "id" in fm:
        if not is_text(fm["id"]) or not _LESSON_ID.match(fm["id"]):
            out.append(Problem(file, "id", "must look like L06-sepsis (L, two digits, lower-case words)"))
        elif fm["id"] != path.stem:
            out.append(Problem(file, "id", f"{fm['id']!r} does not match the file name {path.stem!r}"))
    if "title" in fm and not is_text(fm["title"]):
        out.append(Problem(file, "title", "must be a non-empty string"))
    if "order" in fm and not (is_int(fm["order"]) and fm["order"] >= 1):
        out.append(Problem(file, "order", "must be a whole number from 1"))
    if "minutes" in fm and not (is_int(fm["minutes"]) and 1 <= fm["minutes"] <= 240):
        out.append(Problem(file, "minutes", "must be a whole number of minutes, 1 to 240"))
    for key in ("objectives", "topics", "related_scenarios"):
        if key in fm:
            out += text_list_problems(fm[key], file, key)
    if "credentials" in fm:
        out += text_list_problems(fm["credentials"], file, "credentials", choices=CREDENTIALS)
    if "guidelines" in fm:
        out += text_list_problems(fm["guidelines"], file, "guidelines", allow_empty=True)
    if "check" in fm:
        out += _check_problems(fm["check"], file)
    return out


def _body_problems(body: str, sections, file: str) -> list[Problem]:
    out = []
    titles = [t.casefold() for t, _ in sections]
    for name in REQUIRED_SECTIONS:
        n = titles.count(name.casefold())
        if n == 0:
            out.append(Problem(file, f"section '## {name}'", "is missing"))
        elif n > 1:
            out.append(Problem(file, f"section '## {name}'", "appears more than once"))
        elif not next(text for t, text in sections if t.casefold() == name.casefold()).strip():
            out.append(Problem(file, f"section '## {name}'", "is empty"))
    for m in _ANY_TOKEN.finditer(body):
        if not CASE_TOKEN.fullmatch(m.group(0)):
            out.append(Problem(file, "body", f"malformed link {m.group(0)!r}: write [[case:<scenario_id>]]"))
    if body.count("[[") != len(_ANY_TOKEN.findall(body)):
        out.append(Problem(file, "body", "a '[[' is never closed with ']]'"))
    worked = next((text for t, text in sections if t.casefold() == CASE_SECTION.casefold()), None)
    if worked is not None and not CASE_TOKEN.search(worked):
        out.append(Problem(file, f"section '## {CASE_SECTION}'", "needs a [[case:<scenario_id>]] link to a ChartLab scenario"))
    return out


def _build_lesson(fm: dict, body: str, sections, path: Path) -> Lesson:
    checks = tuple(CheckQuestion(q["question"].strip(), tuple(o.strip() for o in q["options"]), q["answer"],
                                 q["rationale"].strip()) for q in fm["check"])
    return Lesson(id=fm["id"], title=fm["title"].strip(), order=fm["order"], objectives=tuple(fm["objectives"]),
                  topics=tuple(fm["topics"]), related_scenarios=tuple(fm["related_scenarios"]),
                  credentials=tuple(fm["credentials"]), guidelines=tuple(str(g) for g in fm["guidelines"]),
                  minutes=fm["minutes"], check=checks, body=body.strip("\n"), sections=sections,
                  case_links=case_links(body), path=display_path(path))


def parse_lesson(path: Path | str) -> tuple[Lesson | None, list[Problem]]:
    """Read and check one lesson file: (Lesson, []) when valid, else (None, problems)."""
    path = Path(path)
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "", f"cannot be read: {exc}")]
    split = split_front_matter(text)
    if split is None:
        return None, [Problem(file, "front matter", "the file must start with a '---' line, the YAML front matter, and a closing '---' line")]
    fm, problems = parse_yaml(split[0], file + " (front matter)")
    if fm is None and problems:
        return None, problems
    sections = split_sections(split[1])
    problems += _front_matter_problems(fm, path, file) + _body_problems(split[1], sections, file)
    if problems:
        return None, problems
    return _build_lesson(fm, split[1], sections, path), []


def _order_problems(lessons: list[Lesson]) -> list[Problem]:
    out, by_order = [], {}
    for les in lessons:
        if les.order in by_order:
            out.append(Problem(les.path, "order", f"{les.order} is also used by {by_order[les.order].path}"))
        by_order.setdefault(les.order, les)
    expected = set(range(1, len(lessons) + 1))
    for les in lessons:
        if les.order not in expected:
            out.append(Problem(les.path, "order", f"{les.order} leaves a gap: orders must run 1..{len(lessons)} without gaps"))
    return out


def _id_problems(lessons: list[Lesson]) -> list[Problem]:
    seen, out = {}, []
    for les in lessons:
        if les.id in seen:
            out.append(Problem(les.path, "id", f"{les.id!r} is also the id of {seen[les.id]}"))
        seen.setdefault(les.id, les.path)
    return out


def scenario_problems(lesson: Lesson, scenario_ids) -> list[Problem]:
    """Problems for case links and related scenarios that name no known scenario."""
    known = set(scenario_ids)
    out = [Problem(lesson.path, f"related_scenarios[{i}]", f"unknown scenario {s!r}")
           for i, s in enumerate(lesson.related_scenarios) if s not in known]
    out += [Problem(lesson.path, "body", f"[[case:{s}]] names an unknown scenario") for s in lesson.case_links if s not in known]
    return out


def validate_lessons(directory: Path | str | None = None, scenario_ids=None) -> tuple[list[Lesson], list[Problem]]:
    """All valid lessons (sorted by order) and every problem found, file-level and across files.

    `scenario_ids`, when given, is the set of scenario ids case links may name.
    """
    lessons, problems = [], []
    for path in list_files(directory or CONTENT_DIR, ".md"):
        les, probs = parse_lesson(path)
        problems += probs
        if les is not None:
            lessons.append(les)
    if not problems:
        problems += _id_problems(lessons) + _order_problems(lessons)
    if scenario_ids is not None:
        for les in lessons:
            problems += scenario_problems(les, scenario_ids)
    return sorted(lessons, key=lambda les: (les.order, les.id)), problems


@lru_cache(maxsize=8)
def _load_cached(directory: str, _signature: tuple) -> tuple[Lesson, ...]:
    lessons, problems = validate_lessons(directory)
    if problems:
        raise ContentError(problems)
    return tuple(lessons)


def load_lessons(directory: Path | str | None = None) -> list[Lesson]:
    """Every lesson, sorted by order. Raises ContentError (listing every problem) if any file is invalid.
    Cached until a file in the directory changes."""
    d = Path(directory or CONTENT_DIR).resolve()
    return list(_load_cached(str(d), dir_signature(d, ".md")))


def get_lesson(lesson_id: str, directory: Path | str | None = None) -> Lesson | None:
    """The lesson with this id, or None."""
    return next((les for les in load_lessons(directory) if les.id == lesson_id), None)


def neighbours(lesson_id: str, directory: Path | str | None = None) -> tuple[Lesson | None, Lesson | None]:
    """(previous lesson, next lesson) in curriculum order, for "back / next" buttons."""
    lessons = load_lessons(directory)
    ids = [les.id for les in lessons]
    if lesson_id not in ids:
        return None, None
    i = ids.index(lesson_id)
    return (lessons[i - 1] if i > 0 else None), (lessons[i + 1] if i + 1 < len(lessons) else None)
