"""`python -m progress seed-demo`: a clearly labelled demo cohort whose history is real.

An instructor, 30 Faker learners, two case assignments, a question set and a timed exam; each
learner's case attempts come from generating real cases, making plausible learner mistakes
(missed or extra codes, a wrong sibling code, a wrong POA, a wrong disposition, a procedure
character off) in proportion to that learner's skill, and scoring them with `scoring`; their
quiz and exam answers are right with a probability that follows the same skill, graded by
`lessons` - so every dashboard shows true numbers.
"""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta, timezone

from faker import Faker

import cases
import codes
import scoring
from cases.model import Answer
from lessons import bank as question_bank
from lessons import blueprint as blueprints
from lessons import exam as exams
from lessons.bank import LETTERS
from progress import accounts, attempts, cohorts, learning, study
from progress.db import connect, one

DEMO_COHORT = "DEMO - ChartLab sample cohort (synthetic learners)"
DEMO_QUIZ = ("Week 3: coding conventions quiz", 10)
DEMO_EXAM = ("Midterm: CCA practice exam", "cca-practice")
EXTRA_CODES = ["I10", "E78.5", "R06.00", "R50.9", "E87.6", "R10.9", "J18.9", "N39.0", "Z87.891", "K21.9"]
WRONG_DISPOSITIONS = ["01", "06", "03"]


def _sibling(code: str, rnd: random.Random) -> str:
    """Another billable code from the same category (a near miss), or the code itself."""
    inf = codes.cm.info(code)
    if not inf or len(inf.path) < 2:
        return code
    parent = codes.cm.info(inf.path[-1][0])
    kids = [c.replace(".", "") for c, _ in (parent.children if parent else ()) if codes.cm.is_billable(c)]
    kids = [k for k in kids if k != code]
    return rnd.choice(kids) if kids else code


def learner_answer(key, skill: float, rnd: random.Random) -> Answer:
    """The key, degraded by mistakes a learner of `skill` (0..1) plausibly makes."""
    miss = 1 - skill
    pdx = key.principal_dx.code
    if rnd.random() < miss * 0.5:
        pdx = _sibling(pdx, rnd) if rnd.random() < 0.6 or not key.secondary_dx else key.secondary_dx[0].code
    sdx = []
    for e in key.secondary_dx:
        if e.code == pdx or rnd.random() < miss * 0.45:
            continue  # missed
        code = _sibling(e.code, rnd) if rnd.random() < miss * 0.25 else e.code
        poa = e.poa
        if rnd.random() < miss * 0.2:
            poa = {"Y": "N", "N": "Y", "1": "Y"}.get(poa, "Y")
        sdx.append((code, poa))
    if rnd.random() < miss * 0.6:
        sdx.append((rnd.choice(EXTRA_CODES), "Y"))
    rnd.shuffle(sdx)
    procs = []
    for e in key.procedures:
        code = e.code
        if rnd.random() < miss * 0.4:
            pos = rnd.choice([2, 3, 4])
            options = [v for v, _ in codes.pcs.next_characters(code[:pos]) if v != code[pos]]
            if options:
                candidate = code[:pos] + rnd.choice(options) + code[pos + 1:]
                code = candidate if codes.pcs.is_valid(candidate) else code
        procs.append((code, e.date))
    abstract = dict(key.abstract)
    if rnd.random() < miss * 0.4:
        abstract["discharge_disposition"] = rnd.choice(WRONG_DISPOSITIONS)
    if rnd.random() < miss * 0.3:
        abstract["admission_source"] = "2" if abstract.get("admission_source") != "2" else "1"
    return Answer(abstract=abstract, principal_dx=(pdx, key.principal_dx.poa), secondary_dx=tuple(sdx),
                  procedures=tuple(procs), drg=str(key.drg) if rnd.random() < skill else "")


def _study_assignments(actor, cohort_id: int, rnd: random.Random, now: datetime, db) -> tuple[dict, dict]:
    """A question set of coding questions and a timed exam, open for the last 30 days."""
    coding = sorted(q.id for q in question_bank.load_bank() if q.domain == "coding_cm")
    window = {"opens_at": now - timedelta(days=30), "due_at": now + timedelta(days=14), "db": db}
    quiz = study.create_quiz_assignment(actor, cohort_id, DEMO_QUIZ[0], rnd.sample(coding, DEMO_QUIZ[1]), **window)
    bp = blueprints.get_blueprint(DEMO_EXAM[1])
    exam = study.create_exam_assignment(actor, cohort_id, DEMO_EXAM[0], bp.id, bp.minutes, **window)
    return quiz, exam


def _take_quiz(actor, quiz: dict, skill: float, rnd: random.Random, when: datetime, db) -> None:
    questions = {q.id: q for q in question_bank.load_bank()}
    attempt = learning.start_quiz(actor, quiz["id"], now=when, db=db)
    for question_id in attempt["questions"]:
        q = questions[question_id]
        right = rnd.random() < skill
        chosen = q.correct_index if right else rnd.choice([i for i in range(len(q.options)) if i != q.correct_index])
        learning.answer_quiz(actor, attempt["id"], q.id, LETTERS[chosen], right, domain=q.domain, topic=q.topic,
                             now=when, db=db)


def _take_exam(actor, exam: dict, skill: float, rnd: random.Random, when: datetime, db) -> None:
    """One attempt at the assigned exam (multiple-choice blueprint), handed in after 20-30 minutes."""
    bp = blueprints.get_blueprint(exam["blueprint_id"])
    draw = exams.assigned_form(bp, question_bank.load_bank(), exam["id"], 1)
    row = learning.start_exam(actor, bp.id, [it.to_dict() for it in draw.items], exam["minutes"] * 60,
                              assignment_id=exam["id"], now=when, db=db)
    session = exams.resume_session(row, {bp.id: bp})
    for item in session.items:
        q = item.question
        chosen = q.correct_index if rnd.random() < skill else rnd.randrange(len(q.options))
        session = session.answer(item.id, chosen, when)
    done = when + timedelta(minutes=rnd.randint(20, 29))
    graded = exams.grade(session, done, lambda item, answer: {"total": 0.0, "items": []})
    learning.submit_exam(actor, row["id"], answers=dict(graded.session.answers), report=graded.report,
                         score=graded.score, responses=list(graded.responses), now=done, db=db)


def seed_if_requested(environ=None, say=print) -> dict:
    """Seed the demo cohort into the configured database when `CHARTLAB_DEMO=1` (once: a database
    that has it already is left alone), with `CHARTLAB_DEMO_LEARNERS` learners (default 30,
    1-500). The server calls this at startup (`asgi.py`)."""
    import os
    environ = os.environ if environ is None else environ
    if environ.get("CHARTLAB_DEMO") != "1":
        return {}
    raw = environ.get("CHARTLAB_DEMO_LEARNERS", "30")
    learners = int(raw) if raw.isdigit() and 1 <= int(raw) <= 500 else 30
    return seed_demo(learners, db=connect(), say=say)


def seed_demo(n_learners: int = 30, seed: int = 2026, db=None, now: datetime | None = None, say=print) -> dict:
    """Create the demo cohort (once). Returns the instructor's username and one-time password."""
    db = db or connect()
    if one(db, "SELECT id FROM cohorts WHERE name = ?", [DEMO_COHORT]):
        say("The demo cohort already exists; nothing to do.")
        return {}
    now = now or datetime.now(timezone.utc)
    rnd = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    password = secrets.token_urlsafe(12) + "7!"
    instructor = accounts.provision_user("demo-instructor", password, "instructor", "Demo Instructor (sample data)", db=db)
    cohort = cohorts.create_cohort(instructor.actor, DEMO_COHORT, db=db)
    scenario_ids = sorted(cases.library().scenarios)
    plans = []
    for title, size in (("Week 1: medical cases", 3), ("Week 2: mixed cases", 4)):
        picks = rnd.sample(scenario_ids, min(size, len(scenario_ids)))
        items = [{"scenario": s, "seed": rnd.randint(1, 10_000)} for s in picks]
        a = cohorts.create_assignment(instructor.actor, cohort["id"], title, items, rubric="practice",
                                      opens_at=now - timedelta(days=70), due_at=now + timedelta(days=14), db=db)
        plans.append((a["id"] if isinstance(a, dict) else a, items))
    quiz, exam = _study_assignments(instructor.actor, cohort["id"], rnd, now, db)
    learner_pw = secrets.token_urlsafe(12) + "7!"
    n_attempts = 0
    for i in range(n_learners):
        name = fake.name()
        user = accounts.provision_user(f"demo-learner-{i + 1:02d}", learner_pw, "learner", f"{name} (demo)", db=db)
        cohorts.join_cohort(user.actor, cohort["join_code"], db=db)
        skill = min(0.97, max(0.25, rnd.gauss(0.68, 0.15)))
        todo = [(aid, it) for aid, items in plans for it in items if rnd.random() < 0.85]
        todo += [(None, {"scenario": rnd.choice(scenario_ids), "seed": rnd.randint(10_001, 99_999)})
                 for _ in range(rnd.randint(2, 8))]
        for j, (aid, item) in enumerate(todo):
            key = cases.generate(item["scenario"], item["seed"]).key   # to imitate a learner's mistakes
            when = now - timedelta(days=rnd.randint(1, 68), hours=rnd.randint(0, 12))
            answer = learner_answer(key, min(0.99, skill + 0.01 * j), rnd)
            scored = scoring.score_case(item["scenario"], item["seed"], answer)
            attempts.save_attempt(user.actor, **attempts.case_ref(scored), answer=answer, report=scored.report,
                                  assignment_id=aid, started_at=when - timedelta(minutes=rnd.randint(12, 55)),
                                  submitted_at=when, now=when, db=db)
            n_attempts += 1
        if rnd.random() < 0.9:
            _take_quiz(user.actor, quiz, skill, rnd, now - timedelta(days=rnd.randint(1, 20)), db)
        if rnd.random() < 0.7:
            _take_exam(user.actor, exam, skill, rnd, now - timedelta(days=rnd.randint(1, 10)), db)
    say(f"Demo cohort '{DEMO_COHORT}' created: {n_learners} learners, {n_attempts} scored attempts.")
    say(f"Sign in as demo-instructor with password {password}  (shown once; learners demo-learner-01..: {learner_pw})")
    return {"instructor": "demo-instructor", "password": password, "learner_password": learner_pw,
            "attempts": n_attempts}
