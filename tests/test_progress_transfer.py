"""progress.transfer and the `python -m progress` commands: backup, export/import, create-user."""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import progress as P
from progress import __main__ as cli
from progress import migrations, transfer
from progress.db import connect
from progress.errors import ValidationError
from test_progress_fixtures import PASSWORD, db, db_file, good_report, submit, world  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def full(world):
    """The world with a row in every table."""
    d = world.db
    P.override_item(world.i1_, world.a1, 1, 1.0, "documented", db=d)
    P.open_dispute(world.l1_, world.a1, 4, "DRG \\ \"quoted\" ,comma\nnewline", db=d)
    P.save_draft(world.l2_, scenario_id="sepsis_uti", seed=2, answer={"drg": ""}, db=d)
    submit(world.l2_, "sepsis_uti", 3, topics=["tp_sepsis"], mdc=18,
           rep={**good_report(), "total": 0.1 + 0.2}, db=d)
    P.record_lesson(world.l1_, "L06-sepsis", db=d)
    exam = P.start_exam(world.l1_, "rhit-mini", ["q1"], 60, db=d)
    P.submit_exam(world.l1_, exam["id"], answers={"q1": "\\N"}, report={}, score=0,
                  responses=[{"question_id": "q1", "chosen": "\\N", "correct": False}], db=d)
    P.record_review(world.l1_, "teaching_point", "tp_x", True, db=d)
    P.claim_session(P.create_session(world.l1.id, db=d).claim_code, db=d)
    P.invite_learner(world.i1_, world.c1["id"], "sso@school.example", db=d)
    P.sso_account("https://idp.example", "sub-1", email="sso@school.example", email_verified=True, db=d)
    empty = [t for t, n in transfer._counts(transfer.snapshot(d)).items() if n == 0]
    assert empty == []
    return world


def _without_timestamp(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "exported_at"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_round_trip_loses_nothing(full, tmp_path, fmt):
    before = transfer.snapshot(full.db)
    target = tmp_path / ("export.json" if fmt == "json" else "export")
    (transfer.export_json if fmt == "json" else transfer.export_csv)(target, db=full.db)
    fresh = connect(tmp_path / "restored.db", migrate=False)
    counts = transfer.import_file(target, db=fresh)
    assert counts == {t: len(v["rows"]) for t, v in before["tables"].items()}
    after = transfer.snapshot(fresh)
    assert _without_timestamp(after) == _without_timestamp(before)
    assert fresh.execute("PRAGMA foreign_key_check").fetchall() == []
    assert P.authenticate(full.l1.username, PASSWORD, db=fresh).id == full.l1.id


def test_import_refuses_a_database_with_data(full, tmp_path):
    transfer.export_json(tmp_path / "e.json", db=full.db)
    with pytest.raises(ValidationError, match="already holds data"):
        transfer.import_file(tmp_path / "e.json", db=full.db)


def test_old_export_is_migrated_forward(db_file, tmp_path):
    old = connect(db_file, migrate=False)
    migrations.migrate(old, upto=migrations.NAMES[0])
    learner = P.provision_user("oldtimer", PASSWORD, "learner", db=old)
    submit(learner.actor, db=old)
    transfer.export_json(tmp_path / "old.json", db=old)
    assert json.loads((tmp_path / "old.json").read_text())["migrations"] == [migrations.NAMES[0]]
    fresh = connect(tmp_path / "new.db", migrate=False)
    transfer.import_file(tmp_path / "old.json", db=fresh)
    assert migrations.applied(fresh) == list(migrations.NAMES)
    assert P.list_attempts(learner.actor, db=fresh)[0]["total"] == 100
    with pytest.raises(ValidationError, match="older than"):
        transfer.import_file(tmp_path / "old.json", db=connect(tmp_path / "latest.db"))


NAMES = list(migrations.NAMES)


@pytest.mark.parametrize("content", [
    "not json", json.dumps({"format": "other"}), json.dumps({"format": "chartlab-progress"}),
    json.dumps({"format": "chartlab-progress", "migrations": NAMES, "tables": {"users": []}}),
    json.dumps({"format": "chartlab-progress", "migrations": ["x"], "tables": {}}),
    json.dumps({"format": "chartlab-progress", "migrations": NAMES,
                "tables": {"sqlite_master": {"columns": ["x"], "rows": []}}}),
    json.dumps({"format": "chartlab-progress", "migrations": NAMES,
                "tables": {"users": {"columns": ['id") VALUES (1); DROP TABLE users; --'], "rows": [[1]]}}}),
])
def test_import_rejects_foreign_files(tmp_path, content, db):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValidationError):
        transfer.import_file(path, db=db)


def test_backup_is_consistent_while_another_connection_writes(full, db_file, tmp_path):
    writer = connect(db_file)
    writer.conn.execute("BEGIN IMMEDIATE")
    writer.conn.execute("UPDATE users SET display_name = 'uncommitted' WHERE id = ?", [full.l1.id])
    try:
        copy = transfer.backup(tmp_path / "backups" / "copy.db", db=full.db)
    finally:
        writer.conn.execute("COMMIT")
    restored = sqlite3.connect(copy)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert restored.execute("SELECT display_name FROM users WHERE id = ?",
                            [full.l1.id]).fetchone()[0] != "uncommitted"
    assert restored.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 4
    with pytest.raises(ValidationError):
        transfer.backup(db_file, db=full.db)


# ----------------------------------------------------------------------------- command line
def _run(monkeypatch, capsys, argv, stdin="", tty=False):
    fake = io.StringIO(stdin)
    fake.isatty = lambda: tty
    monkeypatch.setattr(sys, "stdin", fake)
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_create_user_reads_the_password_from_stdin(db_file, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, ["create-user", "--username", "boss", "--role",
                                                "instructor", "--display-name", "The Boss"],
                          stdin=PASSWORD + "\n")
    assert (code, err) == (0, "") and "created instructor 'boss'" in out
    assert P.authenticate("boss", PASSWORD, db=connect(db_file)).display_name == "The Boss"


def test_cli_create_user_prompts_on_a_terminal(db_file, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    code, _, err = _run(monkeypatch, capsys, ["create-user", "--username", "boss", "--role", "admin"],
                        tty=True)
    assert code == 2 and err == "error: The passwords do not match.\n"


@pytest.mark.parametrize("argv, stdin", [
    (["create-user", "--username", "boss", "--role", "wizard"], PASSWORD),
    (["create-user", "--role", "admin"], PASSWORD),
    (["create-user", "--username", "boss", "--role", "admin"], "short\n"),
    (["create-user", "--username", "boss", "--role", "admin"], ""),
    (["export", "--format", "xml"], ""),
    (["frobnicate"], ""),
    ([], ""),
    (["import", "/nonexistent/export.json"], ""),
])
def test_cli_bad_input_is_one_line_and_exit_2(db_file, monkeypatch, capsys, argv, stdin):
    code, out, err = _run(monkeypatch, capsys, argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "error" in err and "Traceback" not in err


def test_cli_backup_export_import(full, db_file, tmp_path, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, ["backup", str(tmp_path / "b.db")])
    assert code == 0 and (tmp_path / "b.db").exists()
    code, out, _ = _run(monkeypatch, capsys, ["export", "--format", "json"])
    assert code == 0 and json.loads(out)["format"] == "chartlab-progress"
    code, out, _ = _run(monkeypatch, capsys, ["export", "--format", "csv", "--out", str(tmp_path / "csv")])
    assert code == 0 and (tmp_path / "csv" / "manifest.json").exists()
    monkeypatch.setenv("CHARTLAB_DB", str(tmp_path / "restored.db"))
    code, out, _ = _run(monkeypatch, capsys, ["import", str(tmp_path / "csv")])
    assert code == 0 and "imported" in out
    assert transfer.snapshot(connect(tmp_path / "restored.db"))["tables"] == transfer.snapshot(full.db)["tables"]


def test_cli_as_a_real_process(tmp_path):
    env = {"CHARTLAB_DB": str(tmp_path / "cli.db"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "progress", "create-user", "--username", "first", "--role"]
    bad = subprocess.run(command + ["wizard"], input=PASSWORD, capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    good = subprocess.run(command + ["admin"], input=PASSWORD + "\n", capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert good.returncode == 0, good.stderr
    assert "created admin 'first'" in good.stdout
