"""progress.db and progress.migrations: connection settings, transactions, versioned migrations."""
from __future__ import annotations

import threading

import pytest

from progress import db as dbmod
from progress import migrations
from progress.db import connect, get_db, one, write
from progress_builders import PASSWORD, good_report, old_user, submit

EXPECTED_TABLES = {"users", "cohorts", "memberships", "assignments", "attempts", "attempt_payloads",
                   "attempt_items",
                   "attempt_topics", "drafts", "score_overrides", "disputes", "lesson_progress",
                   "question_responses", "exam_sessions", "review_queue"}
DASHBOARD_INDEXES = {"idx_attempts_user_scores", "idx_attempts_assignment", "idx_attempts_scenario",
                     "idx_items_expected", "idx_topics_user",
                     "idx_memberships_user", "idx_cohorts_owner", "idx_assignments_cohort",
                     "idx_disputes_user", "idx_review_due", "idx_responses_user"}


def test_connection_settings(db_file):
    db = connect(db_file)   # not the fixture: it relaxes synchronous for speed
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL


def test_path_from_environment_and_parents_created(tmp_path, monkeypatch):
    target = tmp_path / "deep" / "er" / "chartlab.db"
    monkeypatch.setenv("CHARTLAB_DB", str(target))
    assert dbmod.db_path() == target
    connect().close()
    assert target.exists()
    monkeypatch.delenv("CHARTLAB_DB")
    assert dbmod.db_path() == dbmod.DEFAULT_PATH
    assert dbmod.DEFAULT_PATH.parts[-2:] == ("data", "chartlab.db")


def test_one_connection_per_thread(db_file):
    main = get_db()
    assert get_db() is main
    seen = []
    worker = threading.Thread(target=lambda: seen.append(get_db()))
    worker.start()
    worker.join()
    assert seen[0] is not main


def test_write_rolls_back_on_error_and_nests(db):
    with pytest.raises(RuntimeError):
        with write(db):
            db.execute("INSERT INTO users (username, display_name, role, password_hash, created_at)"
                       " VALUES ('ghost', 'g', 'learner', 'x', 'now')")
            raise RuntimeError("boom")
    assert one(db, "SELECT COUNT(*) AS n FROM users")["n"] == 0
    with write(db):
        with pytest.raises(RuntimeError):
            with write(db):   # savepoint: only the inner block is undone
                db.execute("INSERT INTO users (username, display_name, role, password_hash, "
                           "created_at) VALUES ('inner', 'i', 'learner', 'x', 'now')")
                raise RuntimeError("inner")
        db.execute("INSERT INTO users (username, display_name, role, password_hash, created_at)"
                   " VALUES ('outer', 'o', 'learner', 'x', 'now')")
    assert [r["username"] for r in db.query("SELECT username FROM users")] == ["outer"]


def test_blank_database_migrates_to_full_schema(tmp_path):
    database = connect(tmp_path / "blank.db", migrate=False)
    assert database.table_names() == []
    assert migrations.migrate(database) == list(migrations.NAMES)
    assert EXPECTED_TABLES <= set(database.table_names())
    indexes = {r["name"] for r in database.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert DASHBOARD_INDEXES <= indexes
    assert migrations.migrate(database) == list(migrations.NAMES)   # idempotent
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


def test_no_default_accounts(db):
    assert one(db, "SELECT COUNT(*) AS n FROM users")["n"] == 0


@pytest.mark.parametrize("version", migrations.NAMES[:-1])
def test_migrating_from_each_earlier_version_keeps_data(db_file, version):
    database = connect(db_file, migrate=False)
    assert migrations.migrate(database, upto=version)[-1] == version
    learner = old_user(database, "early-bird")
    attempt_id = submit(learner.actor, db=database, rep=good_report())
    assert migrations.migrate(database) == list(migrations.NAMES)
    assert one(database, "SELECT username FROM users")["username"] == "early-bird"
    row = one(database, "SELECT total, user_id FROM attempts WHERE id = ?", [attempt_id])
    assert row == {"total": 100.0, "user_id": learner.id}
    assert one(database, "SELECT COUNT(*) AS n FROM attempt_items")["n"] == 4
    assert EXPECTED_TABLES <= set(database.table_names())
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migrate_refuses_to_go_backwards(db):
    with pytest.raises(ValueError, match="already past"):
        migrations.migrate(db, upto=migrations.NAMES[0])
    with pytest.raises(ValueError, match="unknown migration"):
        migrations.migrate(db, upto="9999_future")
