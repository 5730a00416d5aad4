"""Dashboard queries: pure reads returning plain lists and dicts (no pandas).

Who can ask what is decided by `progress.authz`: learner views take `user_id` (default: the
actor) and optionally `cohort_id` (the cohort's owner or an admin: every member at once).

Assignment scores: for each case of an assignment, the attempt the assignment's policy names
counts (`counts`: the best, the last or the first submitted; `progress.policy`); the
assignment score is the sum of those counted totals divided by the number of cases (a case not
yet attempted counts 0), and is None while no case has been attempted. A learner has *completed*
an assignment once every case has an attempt. `counted_sql` is the one query that picks the
counted attempt; the gradebook, the assignment summary and the learner's own view all use it.

Question sets and timed exams (`progress.study`) are assignments too: each is one unit whose
score is the counted submitted attempt's score (`study_counted_sql`), so the gradebook, the
assignment summary and the exports treat every kind alike (`kind`: "cases", "quiz", "exam").

Small numbers: every rate comes with its count, and a rate from fewer than `MIN_N` answers is
marked (`enough` False) so pages can grey it out and say why; charts of "hardest" items leave
those out. Wrong answers are counted after `normalize_answer` ("195", "drg195" and "DRG 195"
are one answer; "i509" and "I50.9" too).

Item analysis works on `attempt_items`. An item is (component, label, expected code) as the
scorer reports them (e.g. sdx / "Secondary diagnosis" / "I50.23", drg / "DRG you chose" /
"DRG 291"); abstraction items are grouped by field label alone, since their expected values
differ from case to case. Discrimination is the classic upper-lower index: the
share of correct answers among the top 27% of attempts (by total, within each scenario, rounded
to whole attempts) minus that share among the bottom 27%; None when a group is empty.
"""
from __future__ import annotations

import json
import re
import statistics
from datetime import datetime
from functools import lru_cache

from sqlite_utils import Database

from progress.attempts import COMPONENTS
from progress.authz import Actor, learner_scope, require_cohort_owner, require_user_read, subject_filter
from progress.db import as_utc, resolve, rows, utcnow
from progress.errors import ValidationError
from progress.policy import has_opened

MIN_N = 5
"""Fewest answers (attempts, responses) behind a rate before pages show it as a finding."""


def _pick(kind: str, table: str, column: str) -> str:
    """The SELECT terms that keep the counted row of a group of `table` rows: the best score, or
    the score of the first / last row by id (SQLite takes the bare column from the MIN()/MAX() row)."""
    return {"best": f"MAX({table}.{column}) AS score, {table}.id AS pick",
            "first": f"{table}.{column} AS score, MIN({table}.id) AS pick",
            "last": f"{table}.{column} AS score, MAX({table}.id) AS pick"}[kind]


COUNTS = ("best", "first", "last")


def counted_sql(where: str) -> str:
    """SQL giving (assignment_id, user_id, scenario_id, seed, total, attempt_id): the counted attempt of each
    learner and case of the assignments selected by `where` (over attempts `a` and assignments
    `s`), as each assignment's `counts` says. "first" and "last" follow the attempt ids, which is
    the order of submission (`save_attempt` stores each attempt when it is submitted). One GROUP
    BY per policy over the covering index `idx_attempts_assignment`, where the "first" and "last"
    branches use SQLite's rule that the other columns of a MIN()/MAX() query come from that row
    (a window function over the same rows took 2.5x longer at 100,000 attempts). The caller
    passes `where`'s parameters three times."""
    return " UNION ALL ".join(
        f"""SELECT assignment_id, user_id, scenario_id, seed, score AS total, pick AS attempt_id
            FROM (SELECT a.assignment_id, a.user_id, a.scenario_id, a.seed, {_pick(kind, "a", "total")}
                  FROM attempts a JOIN assignments s ON s.id = a.assignment_id
                  WHERE s.counts = '{kind}' AND {where}
                  GROUP BY a.assignment_id, a.user_id, a.scenario_id, a.seed)"""
        for kind in COUNTS)


def study_counted_sql(where: str) -> str:
    """SQL giving (assignment_id, user_id, score, attempt_id): the counted submitted attempt of each learner
    at the question sets and exams selected by `where` (over the attempt rows `x` - quiz
    attempts or exam sessions - and assignments `s`). The caller passes `where`'s parameters
    six times (three policies, two tables)."""
    return " UNION ALL ".join(
        f"""SELECT assignment_id, user_id, score, pick AS attempt_id
            FROM (SELECT x.assignment_id, x.user_id, {_pick(kind, "x", "score")}
                  FROM {table} x JOIN assignments s ON s.id = x.assignment_id
                  WHERE s.counts = '{kind}' AND x.submitted_at IS NOT NULL AND {where}
                  GROUP BY x.assignment_id, x.user_id)"""
        for table in ("quiz_attempts", "exam_sessions") for kind in COUNTS)


GROUP_SHARE = 0.27
SCORE_BINS = 10
_SCORES = ", ".join(f"a.score_{c}" for c in COMPONENTS)


# ----------------------------------------------------------------------------- one learner (or cohort)
def scores_over_time(actor: Actor, user_id: int | None = None, *,
                     db: Database | None = None) -> list[dict]:
    """Every attempt's total and component scores, oldest first."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id)
    return rows(db, f"""SELECT a.id AS attempt_id, a.submitted_at, a.scenario_id, a.seed,
                               a.assignment_id, a.total, {_SCORES}
                        FROM attempts a WHERE {where} ORDER BY a.submitted_at, a.id""", params)


def mastery(actor: Actor, user_id: int | None = None, *, cohort_id: int | None = None,
            db: Database | None = None) -> dict:
    """Mean score per component, per topic (teaching point) and per MDC, with counts:
    `{"attempts": n, "components": {c: {"mean", "n"}}, "topics": [...], "mdc": [...]}`,
    topics and MDCs weakest first.

    Both queries aggregate per learner first, in the order of a covering index (no sort), then
    across learners, which beats one flat GROUP BY on large cohorts (see bench/bench_progress.py)."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, cohort_id=cohort_id)
    inner = ", ".join(f"TOTAL(a.score_{c}) AS sum_{c}, COUNT(a.score_{c}) AS n_{c}" for c in COMPONENTS)
    outer = ", ".join(f"SUM(sum_{c}) AS sum_{c}, SUM(n_{c}) AS n_{c}" for c in COMPONENTS)
    by_mdc = rows(db, f"""SELECT mdc, SUM(n) AS n, SUM(points) / SUM(n) AS mean, {outer} FROM (
                              SELECT a.mdc, COUNT(*) AS n, TOTAL(a.total) AS points, {inner}
                              FROM attempts a WHERE {where} GROUP BY a.user_id, a.mdc)
                          GROUP BY mdc""", params)
    topic_where, topic_params = subject_filter(db, actor, user_id=user_id, cohort_id=cohort_id,
                                               column="t.user_id")
    topics = rows(db, f"""SELECT topic, SUM(points) / SUM(n) AS mean, SUM(n) AS n FROM (
                              SELECT t.topic, TOTAL(t.total) AS points, COUNT(*) AS n
                              FROM attempt_topics t WHERE {topic_where} GROUP BY t.user_id, t.topic)
                          GROUP BY topic ORDER BY mean, topic""", topic_params)
    return {
        "attempts": sum(r["n"] for r in by_mdc),
        "components": {c: _pooled(by_mdc, c) for c in COMPONENTS},
        "topics": topics,
        "mdc": sorted(({"mdc": r["mdc"], "mean": r["mean"], "n": r["n"]} for r in by_mdc
                       if r["mdc"] is not None), key=lambda r: (r["mean"], r["mdc"])),
    }


def _pooled(groups: list[dict], component: str) -> dict:
    """A component's mean over every group (per-MDC sums and counts pooled)."""
    n = sum(g[f"n_{component}"] for g in groups)
    return {"mean": sum(g[f"sum_{component}"] for g in groups) / n if n else None, "n": n}


def weakest_skills(actor: Actor, user_id: int | None = None, *, cohort_id: int | None = None,
                   limit: int = 3, min_attempts: int = 2, db: Database | None = None) -> list[dict]:
    """The lowest-scoring components, topics and MDCs (each seen at least `min_attempts`
    times), weakest first: `[{"kind": "component"|"topic"|"mdc", "key", "mean", "n"}]`.
    Feeds "next suggested case"."""
    found = mastery(actor, user_id, cohort_id=cohort_id, db=db)
    skills = [{"kind": "component", "key": c, **v} for c, v in found["components"].items()]
    skills += [{"kind": "topic", "key": t["topic"], "mean": t["mean"], "n": t["n"]}
               for t in found["topics"]]
    skills += [{"kind": "mdc", "key": m["mdc"], "mean": m["mean"], "n": m["n"]} for m in found["mdc"]]
    skills = [s for s in skills if s["n"] >= min_attempts and s["mean"] is not None]
    return sorted(skills, key=lambda s: (s["mean"], s["kind"], str(s["key"])))[:limit]


def weekly_trend(actor: Actor, user_id: int | None = None, *, cohort_id: int | None = None,
                 db: Database | None = None) -> list[dict]:
    """Per week (starting Monday, UTC): attempts, distinct learners, mean total."""
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, cohort_id=cohort_id)
    return rows(db, f"""SELECT date(a.submitted_at, 'weekday 0', '-6 days') AS week,
                               COUNT(*) AS attempts, COUNT(DISTINCT a.user_id) AS learners,
                               AVG(a.total) AS mean
                        FROM attempts a WHERE {where} GROUP BY week ORDER BY week""", params)


def question_mastery(actor: Actor, user_id: int | None = None, *, cohort_id: int | None = None,
                     by: str = "domain", db: Database | None = None) -> list[dict]:
    """Quiz and exam answers per question domain (or topic): n, correct, pct and `enough`
    (n >= MIN_N); weakest first."""
    if by not in ("domain", "topic"):
        raise ValidationError("Group question results by 'domain' or 'topic'.")
    db = resolve(db)
    where, params = subject_filter(db, actor, user_id=user_id, cohort_id=cohort_id,
                                   column="q.user_id")
    found = rows(db, f"""SELECT q.{by} AS key, COUNT(*) AS n, SUM(q.correct) AS correct,
                                100.0 * SUM(q.correct) / COUNT(*) AS pct
                         FROM question_responses q WHERE {where}
                         GROUP BY q.{by} ORDER BY pct, key""", params)
    return [{**r, "enough": r["n"] >= MIN_N} for r in found]


# ----------------------------------------------------------------------------- assignments
def _assignment_score(done: int, points: float, n_items: int) -> float | None:
    """Sum of counted totals over the number of cases; None when nothing was attempted."""
    return points / n_items if done and n_items else None


def learner_assignments(actor: Actor, user_id: int | None = None, *, now: datetime | None = None,
                        db: Database | None = None) -> list[dict]:
    """The case assignments of every cohort the learner belongs to (question sets and exams:
    `study.learner_study_assignments`), soonest due first, with per case
    the counted total (`counted`), the best (`best`) and the number of `attempts`, plus cases
    done, assignment score, `is_open` and the attempt policy columns. For a learner, the cases
    of an assignment that has not opened yet are not listed (`items` is empty; `n_items` counts
    them), so its charts cannot be opened as practice before it opens."""
    db = resolve(db)
    user_id = actor.user_id if user_id is None else user_id
    require_user_read(db, actor, user_id)
    now = as_utc(now or utcnow())
    counted = {(r["assignment_id"], r["scenario_id"], r["seed"]): r["total"]
               for r in rows(db, counted_sql("a.user_id = ?"), [user_id] * 3)}
    tried = {(r["assignment_id"], r["scenario_id"], r["seed"]): r for r in rows(
        db, """SELECT assignment_id, scenario_id, seed, MAX(total) AS best, COUNT(*) AS attempts
               FROM attempts WHERE user_id = ? AND assignment_id IS NOT NULL
               GROUP BY assignment_id, scenario_id, seed""", [user_id])}
    found = rows(db, """SELECT s.*, c.name AS cohort_name FROM assignments s
                        JOIN cohorts c ON c.id = s.cohort_id
                        JOIN memberships m ON m.cohort_id = s.cohort_id AND m.user_id = ?
                        WHERE s.kind = 'cases'
                        ORDER BY s.due_at IS NULL, s.due_at, s.id""", [user_id])
    return [_with_progress(a, counted, tried, hide=not actor.is_staff and not has_opened(a, now)) for a in found]


def _with_progress(assignment: dict, counted: dict, tried: dict, hide: bool) -> dict:
    assignment = dict(assignment)
    items = json.loads(assignment.pop("items_json"))
    for i in items:
        case = (assignment["id"], i["scenario"], i["seed"])
        row = tried.get(case) or {}
        i.update(counted=counted.get(case), best=row.get("best"), attempts=row.get("attempts", 0))
    totals = [i["counted"] for i in items if i["counted"] is not None]
    return {**assignment, "items": [] if hide else items, "n_items": len(items), "is_open": not hide,
            "done": len(totals), "score": _assignment_score(len(totals), sum(totals), len(items))}


def _cohort_grades(db: Database, cohort_id: int) -> dict[tuple[int, int], tuple[int, float]]:
    """{(assignment_id, user_id): (units done, sum of counted scores)} for a cohort's members: per
    case of a case assignment, and one unit per question set or exam with a submitted attempt
    (read as tuples: ~20,000 rows for 1,000 learners, where building dicts would double the time)."""
    members = "s.cohort_id = ? AND {user} IN (SELECT user_id FROM memberships WHERE cohort_id = ?)"
    cases = db.execute(f"""SELECT assignment_id, user_id, COUNT(*), SUM(total)
                           FROM ({counted_sql(members.format(user="a.user_id"))})
                           GROUP BY assignment_id, user_id""", [cohort_id, cohort_id] * 3)
    grades = {(assignment_id, user_id): (done, points) for assignment_id, user_id, done, points in cases}
    study = db.execute(study_counted_sql(members.format(user="x.user_id")), [cohort_id, cohort_id] * 6)
    grades.update({(assignment_id, user_id): (1, score) for assignment_id, user_id, score, _ in study})
    return grades


def _cohort_assignments(db: Database, cohort_id: int) -> list[dict]:
    """Every assignment of a cohort, with `items`: the units to complete (its cases; 1 for a
    question set or an exam) and `questions` (a question set's size)."""
    found = rows(db, """SELECT id, title, kind, opens_at, due_at, counts, blueprint_id, minutes, items_json
                        FROM assignments WHERE cohort_id = ? ORDER BY due_at IS NULL, due_at, id""", [cohort_id])
    out = []
    for a in found:
        items = json.loads(a.pop("items_json"))
        out.append({**a, "items": len(items) if a["kind"] == "cases" else 1,
                    "questions": len(items) if a["kind"] == "quiz" else None})
    return out


def _members(db: Database, cohort_id: int) -> list[dict]:
    return rows(db, """SELECT u.id AS user_id, u.username, u.display_name FROM memberships m
                       JOIN users u ON u.id = m.user_id WHERE m.cohort_id = ?
                       ORDER BY u.display_name, u.username""", [cohort_id])


def _score(grades: dict, assignment: dict, user_id: int) -> tuple[int, float | None]:
    done, points = grades.get((assignment["id"], user_id), (0, 0.0))
    return done, _assignment_score(done, points, assignment["items"])


def gradebook(actor: Actor, cohort_id: int, *, db: Database | None = None) -> dict:
    """One row per learner, one score per assignment (owner or admin):
    `{"assignments": [{id, title, opens_at, due_at, items}], "rows": [{user_id, username,
    display_name, scores: {assignment_id: score|None}, done: {assignment_id: n}, average}]}`.
    `average` is the mean of the assignments that have a score."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    assignments, grades = _cohort_assignments(db, cohort_id), _cohort_grades(db, cohort_id)
    table = []
    for member in _members(db, cohort_id):
        results = {a["id"]: _score(grades, a, member["user_id"]) for a in assignments}
        scores = {aid: score for aid, (_, score) in results.items()}
        marked = [s for s in scores.values() if s is not None]
        table.append({**member, "scores": scores,
                      "done": {aid: done for aid, (done, _) in results.items()},
                      "average": statistics.fmean(marked) if marked else None})
    return {"assignments": assignments, "rows": table}


def assignment_summary(actor: Actor, cohort_id: int, *, db: Database | None = None) -> list[dict]:
    """Per assignment: learners, started, completed, completion rate, mean and median score
    (of learners who started) and a 10-bin distribution of those scores (owner or admin)."""
    db = resolve(db)
    require_cohort_owner(db, actor, cohort_id)
    grades, members = _cohort_grades(db, cohort_id), _members(db, cohort_id)
    summaries = []
    for assignment in _cohort_assignments(db, cohort_id):
        results = [_score(grades, assignment, m["user_id"]) for m in members]
        scores = [score for _, score in results if score is not None]
        completed = sum(1 for done, _ in results if done >= assignment["items"])
        summaries.append({**assignment, "learners": len(members), "started": len(scores),
                          "completed": completed,
                          "completion_rate": completed / len(members) if members else None,
                          "mean": statistics.fmean(scores) if scores else None,
                          "median": statistics.median(scores) if scores else None,
                          "bins": _bins(scores)})
    return summaries


def _bins(scores: list[float]) -> list[int]:
    """Counts of scores in [0,10), [10,20) ... [90,100]."""
    counts = [0] * SCORE_BINS
    for score in scores:
        counts[min(int(score // (100 / SCORE_BINS)), SCORE_BINS - 1)] += 1
    return counts


# ----------------------------------------------------------------------------- item analysis
def item_analysis(actor: Actor, *, scenario_id: str | None = None, code: str | None = None,
                  cohort_id: int | None = None, top_wrong: int = 3,
                  db: Database | None = None) -> dict:
    """Per item of one scenario, or per item expecting `code` (exactly as the scorer reports it)
    across scenarios: n, pct_correct, pct_near_miss, discrimination and the most common wrong
    entries. For a scenario, also the codes most often added that the key does not have
    (`extras`). Staff only; the learners are one cohort, or every cohort the instructor owns
    (admin: everyone). `{"attempts": n, "items": [{component, label, expected, ...}], "extras"}`"""
    if scenario_id is None and code is None:
        raise ValidationError("Choose a scenario or a code to analyse.")
    db = resolve(db)
    scope, params = learner_scope(db, actor, cohort_id=cohort_id)
    pool, item_filter = _pool(scope, params, scenario_id, code)
    stats = rows(db, _ITEM_STATS.format(pool=pool[0], item_filter=item_filter[0]),
                 pool[1] + item_filter[1])
    wrong = _common_wrong(db, pool, item_filter, top_wrong)
    return {"attempts": rows(db, f"WITH pool AS ({pool[0]}) SELECT COUNT(*) AS n FROM pool",
                             pool[1])[0]["n"],
            "items": [_item_row(s, wrong.get(_key(s), [])) for s in stats],
            "extras": _extras(db, pool) if scenario_id is not None else []}


def _pool(scope: str, params: list, scenario_id: str | None,
          code: str | None) -> tuple[tuple[str, list], tuple[str, list]]:
    """The attempts to analyse (SQL + params) and the matching filter on their items."""
    where, values = [scope], list(params)
    item_filter = ("", [])
    if scenario_id is not None:
        where.append("a.scenario_id = ?")
        values.append(scenario_id)
    if code is not None:
        where.append("a.id IN (SELECT attempt_id FROM attempt_items WHERE expected = ?)")
        values.append(code)
        item_filter = ("AND i.expected = ?", [code])
    sql = f"SELECT a.id, a.scenario_id, a.total FROM attempts a WHERE {' AND '.join(where)}"
    return (sql, values), item_filter


_ITEM_KEY = ("i.component, i.label, "
             "CASE WHEN i.component = 'abstraction' THEN NULL ELSE i.expected END AS expected")
_ITEM_GROUP = "i.component, i.label, 3"


def _key(row: dict) -> tuple:
    return row["component"], row["label"], row["expected"]


_ITEM_STATS = """
WITH pool AS ({pool}),
ranked AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY scenario_id ORDER BY total, id) AS rn,
                  COUNT(*) OVER (PARTITION BY scenario_id) AS n FROM pool),
grouped AS (SELECT id, CASE WHEN rn <= ROUND(n * {share}) THEN 'lower'
                            WHEN rn > n - ROUND(n * {share}) THEN 'upper' END AS grp FROM ranked)
SELECT {item_key}, COUNT(*) AS n,
       COUNT(CASE WHEN i.status = 'correct' THEN 1 END) AS correct,
       COUNT(CASE WHEN i.status = 'near_miss' THEN 1 END) AS near_miss,
       COUNT(CASE WHEN g.grp = 'upper' THEN 1 END) AS upper_n,
       COUNT(CASE WHEN g.grp = 'upper' AND i.status = 'correct' THEN 1 END) AS upper_correct,
       COUNT(CASE WHEN g.grp = 'lower' THEN 1 END) AS lower_n,
       COUNT(CASE WHEN g.grp = 'lower' AND i.status = 'correct' THEN 1 END) AS lower_correct
FROM attempt_items i JOIN grouped g ON g.id = i.attempt_id
WHERE i.expected IS NOT NULL {item_filter}
GROUP BY {item_group}
ORDER BY 1.0 * correct / n, 1, 2, 3
""".replace("{share}", str(GROUP_SHARE)).replace("{item_key}", _ITEM_KEY).replace("{item_group}", _ITEM_GROUP)


_SYSTEM = {"pdx": "CM", "sdx": "CM", "pcs": "PCS", "drg": "DRG"}   # codes.CM, codes.PCS, codes.DRG
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=20_000)
def normalize_answer(component: str, text: str) -> str:
    """One spelling per answer, for counting: codes as the code sets write them ("i509" ->
    "I50.9", "0dtj4zz" -> "0DTJ4ZZ"), an MS-DRG as "DRG 195" whether typed "195", "drg195" or
    "DRG 195"; anything else (abstracted fields, POA, text that is no code) with its spaces
    collapsed, in capitals for codes and POA."""
    import codes   # the code sets load only when answers are counted
    text = _SPACES.sub(" ", str(text or "")).strip()
    system = getattr(codes, _SYSTEM.get(component, ""), None)
    if system is None:
        return text.upper() if component == "poa" else text
    checked = codes.check(text, system)
    if checked.error or not checked.code:
        return text.upper()
    return f"DRG {int(checked.code):03d}" if system == codes.DRG else checked.display


def _counted_answers(found: list[dict], field: str) -> dict[tuple, dict[str, int]]:
    """{group key (the row without `field` and `n`): {normalized answer: n}}, summing the raw
    spellings of one answer."""
    merged: dict[tuple, dict[str, int]] = {}
    for r in found:
        answer = normalize_answer(r["component"], r[field])
        key = tuple(v for k, v in r.items() if k not in (field, "n"))
        answers = merged.setdefault(key, {})
        answers[answer] = answers.get(answer, 0) + r["n"]
    return merged


def _common_wrong(db: Database, pool: tuple[str, list], item_filter: tuple[str, list],
                  top: int) -> dict[tuple, list[dict]]:
    found = rows(db, f"""WITH pool AS ({pool[0]})
                         SELECT {_ITEM_KEY}, i.entered, COUNT(*) AS n
                         FROM attempt_items i JOIN pool p ON p.id = i.attempt_id
                         WHERE i.status IN ('near_miss', 'wrong') AND i.entered IS NOT NULL
                               AND i.expected IS NOT NULL {item_filter[0]}
                         GROUP BY {_ITEM_GROUP}, i.entered""", pool[1] + item_filter[1])
    return {key: [{"entered": e, "n": n} for e, n in sorted(answers.items(), key=lambda a: (-a[1], a[0]))[:top]]
            for key, answers in _counted_answers(found, "entered").items()}


def _extras(db: Database, pool: tuple[str, list], limit: int = 10) -> list[dict]:
    found = rows(db, f"""WITH pool AS ({pool[0]})
                         SELECT i.component, i.entered, COUNT(*) AS n
                         FROM attempt_items i JOIN pool p ON p.id = i.attempt_id
                         WHERE i.status = 'extra' AND i.entered IS NOT NULL
                         GROUP BY i.component, i.entered""", pool[1])
    merged = [{"component": key[0], "code": code, "n": n}
              for key, answers in _counted_answers(found, "entered").items() for code, n in answers.items()]
    return sorted(merged, key=lambda e: (-e["n"], e["code"]))[:limit]


def _item_row(stats: dict, wrong: list[dict]) -> dict:
    def share(correct: int, n: int) -> float | None:
        return correct / n if n else None
    upper = share(stats["upper_correct"], stats["upper_n"])
    lower = share(stats["lower_correct"], stats["lower_n"])
    return {"component": stats["component"], "label": stats["label"], "expected": stats["expected"],
            "n": stats["n"], "enough": stats["n"] >= MIN_N,
            "pct_correct": 100 * stats["correct"] / stats["n"],
            "pct_near_miss": 100 * stats["near_miss"] / stats["n"],
            "discrimination": upper - lower if upper is not None and lower is not None else None,
            "common_wrong": wrong}


# ----------------------------------------------------------------------------- questions
def question_analysis(actor: Actor, *, cohort_id: int | None = None, assignment_id: int | None = None,
                      db: Database | None = None) -> list[dict]:
    """Per bank question the learners answered (practice, assigned question sets and exams; one
    cohort, every cohort the instructor owns, or one assignment's attempts): n, correct,
    pct_correct, `enough` (n >= MIN_N), domain, topic and the most chosen wrong option with its
    count; hardest first. Staff only."""
    db = resolve(db)
    scope, params = learner_scope(db, actor, cohort_id=cohort_id, column="q.user_id")
    if assignment_id is not None:
        scope += """ AND (q.quiz_attempt_id IN (SELECT id FROM quiz_attempts WHERE assignment_id = ?)
                     OR q.exam_session_id IN (SELECT id FROM exam_sessions WHERE assignment_id = ?))"""
        params = [*params, assignment_id, assignment_id]
    found = rows(db, f"""SELECT q.question_id, MAX(q.domain) AS domain, MAX(q.topic) AS topic, COUNT(*) AS n,
                                SUM(q.correct) AS correct FROM question_responses q WHERE {scope}
                         GROUP BY q.question_id""", params)
    wrong = rows(db, f"""SELECT q.question_id, q.chosen, COUNT(*) AS n FROM question_responses q
                         WHERE {scope} AND q.correct = 0 GROUP BY q.question_id, q.chosen
                         ORDER BY n DESC, q.chosen""", params)
    top_wrong: dict[str, dict] = {}
    for w in wrong:
        top_wrong.setdefault(w["question_id"], {"chosen": w["chosen"], "n": w["n"]})
    out = [{**r, "pct_correct": 100 * r["correct"] / r["n"], "enough": r["n"] >= MIN_N,
            "common_wrong": top_wrong.get(r["question_id"])} for r in found]
    return sorted(out, key=lambda r: (r["pct_correct"], -r["n"], r["question_id"]))
