"""Reliability: concurrent submissions from many threads, and a writer killed with SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from progress.accounts import provision_user
from progress.attempts import save_attempt
from progress.db import connect, get_db
from progress_builders import PASSWORD, good_report

ROOT = Path(__file__).resolve().parent.parent
THREADS, PER_THREAD = 8, 200


def _count(database, sql: str) -> int:
    return database.execute(sql).fetchone()[0]


def test_eight_threads_submitting_store_every_attempt_once(db, db_file):
    learners = [provision_user(f"learner{n}", PASSWORD, "learner", db=db).actor for n in range(THREADS)]
    start, errors, returned = threading.Barrier(THREADS), [], {}

    def work(n: int) -> None:
        start.wait()
        try:
            for i in range(PER_THREAD):
                kwargs = dict(scenario_id="heart_failure", seed=i, generator_version="t", answer={},
                              report=good_report(), submission_id=f"t{n}-{i}")
                returned[f"t{n}-{i}"] = save_attempt(learners[n], **kwargs)   # this thread's get_db()
                if i % 20 == 0:   # a double click: same submission id again
                    assert save_attempt(learners[n], **kwargs) == returned[f"t{n}-{i}"]
        except Exception as error:   # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(db, "SELECT COUNT(*) FROM attempts") == THREADS * PER_THREAD
    assert _count(db, "SELECT COUNT(DISTINCT submission_id) FROM attempts") == THREADS * PER_THREAD
    assert len(set(returned.values())) == THREADS * PER_THREAD
    assert _count(db, "SELECT COUNT(*) FROM attempt_items") == THREADS * PER_THREAD * 4
    assert get_db() is not db   # the threads used their own connections


CHILD = """
import json, sys
from progress.attempts import save_attempt
from progress.authz import Actor
from progress.db import connect
db = connect(sys.argv[1])
actor, report, start = Actor(int(sys.argv[2]), "learner"), json.loads(sys.argv[3]), int(sys.argv[4])
for i in range(start, start + 100000):
    attempt_id = save_attempt(actor, scenario_id="crash", seed=i, generator_version="t", answer={},
                              report=report, submission_id=f"crash-{i}", db=db)
    print(attempt_id, flush=True)
"""


def _write_then_kill(db_file: Path, user_id: int, start: int, after: int) -> list[int]:
    """Run a writer, SIGKILL it once it has reported `after` commits; every id it printed."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_file), str(user_id),
                              json.dumps(good_report()), str(start)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    printed = []
    for line in child.stdout:
        printed.append(int(line))
        if len(printed) >= after:
            os.kill(child.pid, signal.SIGKILL)
            break
    printed += [int(line) for line in child.stdout]   # whatever it printed before dying
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return printed


def test_sigkill_mid_stream_loses_no_returned_write(db, db_file):
    learner = provision_user("crashy", PASSWORD, "learner", db=db)
    db.close()
    confirmed = []
    for round_ in range(2):
        confirmed += _write_then_kill(db_file, learner.id, start=round_ * 100000, after=60)
    survivor = connect(db_file)
    assert survivor.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in survivor.execute("SELECT id FROM attempts")}
    assert set(confirmed) <= stored
    assert len(stored) - len(confirmed) <= 2   # at most the one committed-but-unprinted per kill
    assert _count(survivor, """SELECT COUNT(*) FROM attempts a WHERE
                               (SELECT COUNT(*) FROM attempt_items i WHERE i.attempt_id = a.id) != 4""") == 0
