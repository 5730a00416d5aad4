"""Shared fixtures: the reference cache (codes, built once), a fresh database (`db_file`, `db`,
`tmp_db`), a seeded Faker (`fake`) and a small multi-role world of progress data (`world`)."""
import os
from types import SimpleNamespace

import pytest
from faker import Faker

os.environ["CHARTLAB_STRICT"] = "1"  # the app re-raises page errors instead of showing a friendly message
os.environ.setdefault("CHARTLAB_CACHE_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "cache"))

from progress_builders import CHEAP_HASHER, PASSWORD, PRACTICE_POLICY, submit, weak_report  # noqa: E402 (after the environment is set)

FAKER_SEED = 20260401


@pytest.fixture(scope="session", autouse=True)
def _reference_cache():
    from codes import store
    store.ensure()


@pytest.fixture
def fake():
    """A Faker seeded per test, so generated names and addresses are the same on every run."""
    faker = Faker("en_US")
    faker.seed_instance(FAKER_SEED)
    return faker


@pytest.fixture
def db_file(tmp_path, monkeypatch):
    """A fresh database path, also exported as CHARTLAB_DB; hashing made cheap for speed."""
    path = tmp_path / "progress.db"
    monkeypatch.setenv("CHARTLAB_DB", str(path))
    from progress import accounts
    monkeypatch.setattr(accounts, "hasher", CHEAP_HASHER)
    return path


@pytest.fixture
def db(db_file):
    """A migrated connection to `db_file`. Commits skip the fsync (synchronous=NORMAL) to keep
    the suite fast; the reliability tests use the production setting."""
    from progress.db import connect
    database = connect(db_file)
    database.execute("PRAGMA synchronous = NORMAL")
    yield database
    database.close()


@pytest.fixture
def tmp_db(db_file):
    """The database path of the app tests (the same fresh database as `db_file`)."""
    return db_file


@pytest.fixture
def world(db):
    """admin; instructors i1 (cohort c1: learners l1, l2) and i2 (cohort c2: learner l3);
    assignment asg in c1 with two cases, practice-style (any number of attempts, the best
    counts, the key after each attempt); attempts a1 (l1, in asg), a2 (l2), a3 (l3)."""
    from progress.accounts import provision_user, register_learner
    from progress.cohorts import create_assignment, create_cohort
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
