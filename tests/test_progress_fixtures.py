"""Shared fixtures and builders for the progress tests (imported by the test_progress_* modules;
kept in a test_ module because the package's tests may not add a conftest.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher

from progress import accounts
from progress.accounts import provision_user, register_learner
from progress.attempts import save_attempt
from progress.authz import Actor
from progress.cohorts import create_assignment, create_cohort
from progress.db import connect
from progress.policy import AttemptPolicy

PASSWORD = "Correct-horse-9"
PRACTICE_POLICY = AttemptPolicy(max_attempts=None, counts="best", key_shown="after_attempt")
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def db_file(tmp_path, monkeypatch):
    """A fresh database path, also exported as CHARTLAB_DB; hashing made cheap for speed."""
    path = tmp_path / "progress.db"
    monkeypatch.setenv("CHARTLAB_DB", str(path))
    monkeypatch.setattr(accounts, "hasher", CHEAP_HASHER)
    return path


@pytest.fixture
def db(db_file):
    """A migrated connection to `db_file`. Commits skip the fsync (synchronous=NORMAL) to keep
    the suite fast; the reliability tests use the production setting."""
    database = connect(db_file)
    database.execute("PRAGMA synchronous = NORMAL")
    yield database
    database.close()


def item(component: str, expected: str | None, entered: str | None, status: str,
         score: float, maximum: float = 1.0, label: str = "") -> dict:
    """One scorer report item."""
    return {"component": component, "label": label, "expected": expected, "entered": entered,
            "status": status, "score": score, "max": maximum}


def report(*items: dict, **extra) -> dict:
    """A scorer report with these items (total computed by progress unless given)."""
    return {"items": list(items), **extra}


def good_report() -> dict:
    """Everything right: 100."""
    return report(item("pdx", "I50.21", "I50.21", "correct", 1), item("sdx", "I10", "I10", "correct", 1),
                  item("poa", "I50.21", "Y", "correct", 1), item("drg", "291", "291", "correct", 1))


def weak_report() -> dict:
    """Near-miss principal (0.5), missed and extra secondary (0, 0), POA right (1), DRG wrong (0):
    1.5 of 5 points = 30; pdx 50, sdx 0, poa 100, drg 0, pcs and abstraction not scored."""
    return report(item("pdx", "I50.21", "I50.9", "near_miss", 0.5), item("sdx", "I10", None, "missing", 0),
                  item("sdx", None, "E78.5", "extra", 0), item("poa", "I50.21", "Y", "correct", 1),
                  item("drg", "291", "293", "wrong", 0))


def old_user(db, username: str, role: str = "learner") -> SimpleNamespace:
    """A user row with only the columns of migration 0001 (for databases at an early version)."""
    user_id = db.execute("""INSERT INTO users (username, display_name, role, password_hash, created_at)
                            VALUES (?, ?, ?, ?, '2026-01-05T08:00:00Z')""",
                         [username, username, role, CHEAP_HASHER.hash(PASSWORD)]).lastrowid
    db.conn.commit()
    return SimpleNamespace(id=user_id, actor=Actor(user_id, role))


def submit(actor, scenario_id: str = "heart_failure", seed: int = 1, rep=None, db=None,
           **kwargs) -> int:
    """save_attempt with test defaults."""
    kwargs.setdefault("answer", {"principal_dx": ["I50.21", "Y"]})
    return save_attempt(actor, scenario_id=scenario_id, seed=seed, generator_version="test-1",
                        report=rep or good_report(), db=db, **kwargs)


@pytest.fixture
def world(db):
    """admin; instructors i1 (cohort c1: learners l1, l2) and i2 (cohort c2: learner l3);
    assignment asg in c1 with two cases, practice-style (any number of attempts, the best
    counts, the key after each attempt); attempts a1 (l1, in asg), a2 (l2), a3 (l3)."""
    users = {name: provision_user(f"{name}-user", PASSWORD, role, db=db) for name, role in
             (("admin", "admin"), ("i1", "instructor"), ("i2", "instructor"))}
    c1 = create_cohort(users["i1"].actor, "Cohort A", db=db)
    c2 = create_cohort(users["i2"].actor, "Cohort B", db=db)
    for name, cohort in (("l1", c1), ("l2", c1), ("l3", c2)):
        users[name] = register_learner(cohort["join_code"], f"{name}-user", PASSWORD, db=db)
    asg = create_assignment(users["i1"].actor, c1["id"], "Week 1",
                            [("heart_failure", 1), ("sepsis_uti", 2)], policy=PRACTICE_POLICY, db=db)
    a1 = submit(users["l1"].actor, assignment_id=asg["id"], rep=weak_report(), db=db)
    a2 = submit(users["l2"].actor, db=db)
    a3 = submit(users["l3"].actor, db=db)
    return SimpleNamespace(db=db, c1=c1, c2=c2, asg=asg, a1=a1, a2=a2, a3=a3,
                           **users, **{f"{k}_": u.actor for k, u in users.items()})
