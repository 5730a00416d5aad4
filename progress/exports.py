"""Gradebook exports for instructors: per-component scores, every attempt, and the gradebook in
the import formats of Canvas, Moodle and Blackboard Learn. Each returns CSV text (owner or admin
of the cohort, as `analytics.gradebook`); what the three LMS formats look like, and the pages
that document them, is in docs/DESIGN_NOTES.md ("exports").

- `gradebook_csv`: username, display name, one score per assignment, average.

Scores are 0-100 with one decimal; a blank cell means "no grade" (nothing submitted), never 0.
Every free-text cell (names, titles) is neutralised against spreadsheet formulas.

- `components_csv`: one row per learner and assignment: the assignment score, cases done, and
  for case assignments the mean of each component over the counted attempts.
- `attempts_csv`: one row per attempt at one of the cohort's assignments (cases, question sets,
  exams) with its attempt number, times, minutes, score now and at submission, overrides,
  whether it is the counted attempt, and its component scores.
- `lms_csv(actor, cohort_id, lms)`: `lms` one of `LMS_FORMATS`.
- `learner_report(actor, cohort_id, user_id)`: the figures of a per-learner report (the UI
  renders it as a printable page).
"""
from __future__ import annotations

import csv
import io
import statistics

from sqlite_utils import Database

from progress.analytics import counted_sql, gradebook, mastery, question_mastery, study_counted_sql
from progress.attempts import COMPONENTS
from progress.authz import Actor, require_cohort_owner, require_user_read
from progress.db import parse_iso, resolve, rows
from progress.errors import NotFound, ValidationError

LMS_FORMATS = {"canvas": "Canvas", "moodle": "Moodle", "blackboard": "Blackboard Learn"}
COMPONENT_HEADERS = {"pdx": "principal_dx", "sdx": "secondary_dx", "poa": "poa", "pcs": "procedures",
                     "drg": "ms_drg", "abstraction": "abstraction"}
KIND_WORDS = {"cases": "cases", "quiz": "question set", "exam": "timed exam"}
CANVAS_POINTS_ROW = "    Points Possible"


def cell(text) -> str:
    """Free text for a spreadsheet cell: a leading =, +, -, @, tab or CR (a formula) is quoted away."""
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def grade(score: float | None) -> str:
    return "" if score is None else f"{score:.1f}"


def _csv(header: list, body: list[list], *, quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def column_titles(assignments: list[dict]) -> list[str]:
    """One column title per assignment: its title, made unique with " (2)", " (3)"..."""
    seen: dict[str, int] = {}
    titles = []
    for a in assignments:
        title = a["title"]
        seen[title.casefold()] = seen.get(title.casefold(), 0) + 1
        titles.append(title if seen[title.casefold()] == 1 else f"{title} ({seen[title.casefold()]})")
    return [cell(t) for t in titles]


def gradebook_csv(actor: Actor, cohort_id: int, *, db: Database | None = None) -> str:
    """The gradebook as CSV: username, display name, one column per assignment ("Title [id]",
    0-100 with one decimal, blank = not attempted), average."""
    book = gradebook(actor, cohort_id, db=db)
    header = ["username", "display_name", *[cell(f"{a['title']} [{a['id']}]") for a in book["assignments"]], "average"]
    return _csv(header, [[r["username"], cell(r["display_name"]), *_scores(book, r), grade(r["average"])]
                         for r in book["rows"]])


# ----------------------------------------------------------------------------- counted attempts
def _counted_case_attempts(db: Database, cohort_id: int) -> dict[tuple[int, int], list[int]]:
    """{(assignment_id, user_id): [counted attempt id per case attempted]} of a cohort's members."""
    where = "s.cohort_id = ? AND a.user_id IN (SELECT user_id FROM memberships WHERE cohort_id = ?)"
    found: dict[tuple[int, int], list[int]] = {}
    for r in rows(db, counted_sql(where), [cohort_id, cohort_id] * 3):
        found.setdefault((r["assignment_id"], r["user_id"]), []).append(r["attempt_id"])
    return found


def _counted_study_attempts(db: Database, cohort_id: int) -> set[tuple[int, int]]:
    """{(assignment_id, attempt id)} of the counted quiz attempts and exam sessions."""
    where = "s.cohort_id = ? AND x.user_id IN (SELECT user_id FROM memberships WHERE cohort_id = ?)"
    return {(r["assignment_id"], r["attempt_id"]) for r in rows(db, study_counted_sql(where), [cohort_id, cohort_id] * 6)}


def _component_means(db: Database, attempt_ids: list[int]) -> dict[str, float | None]:
    if not attempt_ids:
        return dict.fromkeys(COMPONENTS)
    found = rows(db, f"SELECT {', '.join(f'score_{c}' for c in COMPONENTS)} FROM attempts "
                     f"WHERE id IN ({', '.join('?' for _ in attempt_ids)})", attempt_ids)
    means = {}
    for c in COMPONENTS:
        values = [r[f"score_{c}"] for r in found if r[f"score_{c}"] is not None]
        means[c] = statistics.fmean(values) if values else None
    return means


# ----------------------------------------------------------------------------- component scores
def components_csv(actor: Actor, cohort_id: int, *, db: Database | None = None) -> str:
    """username, display_name, assignment, kind, score, done, then one column per component
    (case assignments: the mean component score of the counted attempts)."""
    db = resolve(db)
    book = gradebook(actor, cohort_id, db=db)
    counted = _counted_case_attempts(db, cohort_id)
    header = ["username", "display_name", "assignment", "kind", "score", "done",
              *(COMPONENT_HEADERS[c] for c in COMPONENTS)]
    body = []
    for row in book["rows"]:
        for a in book["assignments"]:
            means = (_component_means(db, counted.get((a["id"], row["user_id"]), [])) if a["kind"] == "cases"
                     else dict.fromkeys(COMPONENTS))
            body.append([row["username"], cell(row["display_name"]), cell(a["title"]), KIND_WORDS[a["kind"]],
                         grade(row["scores"][a["id"]]), f"{row['done'][a['id']]}/{a['items']}",
                         *(grade(means[c]) for c in COMPONENTS)])
    return _csv(header, body)


# ----------------------------------------------------------------------------- attempts
_CASE_ATTEMPTS = """
SELECT a.id, a.user_id, a.assignment_id, a.scenario_id, a.seed, a.started_at, a.submitted_at, a.duration_s,
       a.total AS score,
       COALESCE((SELECT o.old_total FROM score_overrides o WHERE o.attempt_id = a.id ORDER BY o.id LIMIT 1),
                a.total) AS original,
       (SELECT COUNT(*) FROM score_overrides o WHERE o.attempt_id = a.id) AS overrides,
       ROW_NUMBER() OVER (PARTITION BY a.assignment_id, a.user_id, a.scenario_id, a.seed ORDER BY a.id) AS number,
       {scores}
FROM attempts a JOIN assignments s ON s.id = a.assignment_id
WHERE s.cohort_id = ? AND a.user_id IN (SELECT user_id FROM memberships WHERE cohort_id = ?)
""".replace("{scores}", ", ".join(f"a.score_{c}" for c in COMPONENTS))
_STUDY_ATTEMPTS = """
SELECT x.id, x.user_id, x.assignment_id, x.started_at, x.submitted_at, x.score, {extra},
       ROW_NUMBER() OVER (PARTITION BY x.assignment_id, x.user_id ORDER BY x.id) AS number
FROM {table} x JOIN assignments s ON s.id = x.assignment_id
WHERE s.cohort_id = ? AND x.user_id IN (SELECT user_id FROM memberships WHERE cohort_id = ?)
"""


def attempts_csv(actor: Actor, cohort_id: int, *, titles: dict | None = None,
                 db: Database | None = None) -> str:
    """One row per attempt at the cohort's assignments, oldest first. `titles` names the case
    scenarios and exam blueprints ({id: title}; default: their ids)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    titles = titles or {}
    people = {m["user_id"]: m for m in gradebook(actor, cohort_id, db=db)["rows"]}
    assignments = {a["id"]: a for a in rows(db, "SELECT id, title, kind, blueprint_id FROM assignments WHERE cohort_id = ?",
                                            [cohort_id])}
    counted_cases = {i for ids in _counted_case_attempts(db, cohort_id).values() for i in ids}
    counted_study = _counted_study_attempts(db, cohort_id)
    header = ["username", "display_name", "assignment", "kind", "item", "attempt", "started_at", "submitted_at",
              "minutes", "score", "score_at_submission", "overrides", "counted",
              *(COMPONENT_HEADERS[c] for c in COMPONENTS)]
    body = []
    for r in rows(db, _CASE_ATTEMPTS, [cohort_id, cohort_id]):
        item = f"{titles.get(r['scenario_id'], r['scenario_id'])} (case #{r['seed']})"
        minutes = None if r["duration_s"] is None else r["duration_s"] / 60
        body.append(_attempt_row(people[r["user_id"]], assignments[r["assignment_id"]], item, r, minutes,
                                 r["original"], r["overrides"], r["id"] in counted_cases,
                                 [grade(r[f"score_{c}"]) for c in COMPONENTS]))
    for table, extra in (("quiz_attempts", "json_array_length(x.questions_json) AS size"),
                         ("exam_sessions", "x.blueprint_id AS size")):
        for r in rows(db, _STUDY_ATTEMPTS.format(table=table, extra=extra), [cohort_id, cohort_id]):
            assignment = assignments[r["assignment_id"]]
            item = f"{r['size']} questions" if table == "quiz_attempts" else titles.get(r["size"], f"exam {r['size']}")
            body.append(_attempt_row(people[r["user_id"]], assignment, item, r, _minutes(r), r["score"], 0,
                                     (r["assignment_id"], r["id"]) in counted_study, [""] * len(COMPONENTS)))
    body.sort(key=lambda b: (b[7] or "~", b[0]))
    return _csv(header, body)


def _minutes(r: dict) -> float | None:
    if not (r["started_at"] and r["submitted_at"]):
        return None
    return max(0.0, (parse_iso(r["submitted_at"]) - parse_iso(r["started_at"])).total_seconds() / 60)


def _attempt_row(person: dict, assignment: dict, item: str, r: dict, minutes: float | None,
                 original: float | None, overrides: int, counted: bool, components: list[str]) -> list:
    return [person["username"], cell(person["display_name"]), cell(assignment["title"]), KIND_WORDS[assignment["kind"]],
            cell(item), r["number"], r["started_at"] or "", r["submitted_at"] or "",
            "" if minutes is None else f"{minutes:.0f}", grade(r["score"]), grade(original), overrides,
            "yes" if counted else "no", *components]


# ----------------------------------------------------------------------------- LMS formats
def lms_csv(actor: Actor, cohort_id: int, lms: str, *, db: Database | None = None) -> str:
    """The cohort's gradebook as the import file of an LMS (see the module docstring)."""
    if lms not in LMS_FORMATS:
        raise ValidationError(f"Export formats: {', '.join(LMS_FORMATS.values())}.")
    db = resolve(db)
    book = gradebook(actor, cohort_id, db=db)
    section = one_cohort_name(db, cohort_id)
    return {"canvas": _canvas, "moodle": _moodle, "blackboard": _blackboard}[lms](book, section)


def one_cohort_name(db: Database, cohort_id: int) -> str:
    return rows(db, "SELECT name FROM cohorts WHERE id = ?", [cohort_id])[0]["name"]


def _scores(book: dict, row: dict) -> list[str]:
    return [grade(row["scores"][a["id"]]) for a in book["assignments"]]


def _canvas(book: dict, section: str) -> str:
    """Canvas Gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one column
    per assignment (a title Canvas does not know creates that assignment), with Canvas's own
    "Points Possible" row second, as its Gradebook export writes it."""
    titles = column_titles(book["assignments"])
    points = [CANVAS_POINTS_ROW, "", "", "", "", *["100" for _ in titles]]
    body = [[cell(r["display_name"]), "", "", cell(r["username"]), cell(section), *_scores(book, r)]
            for r in book["rows"]]
    return _csv(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles], [points, *body])


def _moodle(book: dict, section: str) -> str:
    """Moodle CSV grade import: a user identifier column (map "Username" to username) and one
    column per grade item (map each to an existing item or a new one); no course total."""
    body = [[cell(r["username"]), cell(r["display_name"]), *_scores(book, r)] for r in book["rows"]]
    return _csv(["Username", "Full name", *column_titles(book["assignments"])], body)


def split_name(display_name: str) -> tuple[str, str]:
    """(last name, first name) from a display name: the last word is taken as the last name."""
    words = display_name.split()
    return (words[-1], " ".join(words[:-1])) if len(words) > 1 else (display_name, "")


def _blackboard(book: dict, section: str) -> str:
    """Blackboard Learn Grade Center upload: Last Name, First Name, Username (the key), Student
    ID, then one column per assignment (a column without a Grade Center id becomes a new
    column); comma-delimited with every value in quotes."""
    body = [[*(cell(p) for p in split_name(r["display_name"])), cell(r["username"]), "", *_scores(book, r)]
            for r in book["rows"]]
    return _csv(["Last Name", "First Name", "Username", "Student ID", *column_titles(book["assignments"])], body,
                quote_all=True)


# ----------------------------------------------------------------------------- per-learner report
def learner_report(actor: Actor, cohort_id: int, user_id: int, *, db: Database | None = None) -> dict:
    """What a per-learner report shows: the learner, the cohort, every assignment with its
    score and status, the mean per component, topic and MDC (with counts), and quiz and exam
    answers per domain. The cohort's owner or an admin, for a member of the cohort."""
    db = resolve(db)
    book = gradebook(actor, cohort_id, db=db)
    row = next((r for r in book["rows"] if r["user_id"] == user_id), None)
    if row is None:
        raise NotFound("That learner is not in this cohort.")
    require_user_read(db, actor, user_id)
    return {"learner": {k: row[k] for k in ("user_id", "username", "display_name")},
            "cohort": one_cohort_name(db, cohort_id),
            "assignments": [{**a, "score": row["scores"][a["id"]], "done": row["done"][a["id"]]}
                            for a in book["assignments"]],
            "average": row["average"], "mastery": mastery(actor, user_id, db=db),
            "domains": question_mastery(actor, user_id, db=db)}

