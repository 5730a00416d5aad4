"""Builders for the progress tests: score reports, attempts (the fixtures are in conftest.py)."""
from __future__ import annotations

from types import SimpleNamespace

from argon2 import PasswordHasher

from progress.attempts import save_attempt
from progress.authz import Actor
from progress.policy import AttemptPolicy

PASSWORD = "Correct-horse-9"
PRACTICE_POLICY = AttemptPolicy(max_attempts=None, counts="best", key_shown="after_attempt")
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# A roster CSV with one row of every kind the import must handle (see the comments).
ROSTER = ("username,display_name,password\n"
          "newbie1,New Bie,Coding-Rules-77\n"       # created
          "lena,,\n"                                # existing learner of mine: enrolled
          "x,Too Short,Coding-Rules-77\n"           # bad username
          "weakling,Weak Pw,short\n"                # bad password
          "newbie1,Again,Coding-Rules-77\n"         # duplicate in file
          "ghost,,\n"                               # unknown learner, no password
          "toomany,A,B,C,D\n")                      # wrong number of fields


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
