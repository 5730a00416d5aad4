"""progress.transfer and the `python -m progress` commands: backup, export/import, create-user."""
from __future__ import annotations

import csv
import io
import json
import os
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
from progress_builders import PASSWORD, good_report, old_user, submit

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
    P.set_attempt_policy(world.i1_, world.asg["id"], P.AttemptPolicy(max_attempts=3, counts="last"), db=d)
    P.claim_session(P.create_session(world.l1.id, db=d).claim_code, db=d)
    P.invite_learner(world.i1_, world.c1["id"], "sso@school.example", db=d)
    P.sso_account("https://idp.example", "sub-1", email="sso@school.example", email_verified=True, db=d)
    quiz = P.create_quiz_assignment(world.i1_, world.c1["id"], "Quiz", ["q1", "q2"], db=d)
    attempt = P.start_quiz(world.l1_, quiz["id"], db=d)
    P.answer_quiz(world.l1_, attempt["id"], "q1", "A", True, domain="coding_cm", db=d)
    assigned = P.create_exam_assignment(world.i1_, world.c1["id"], "Exam", "rhit-mini", 30, db=d)
    P.start_exam(world.l1_, "rhit-mini", ["q1"], 60, assignment_id=assigned["id"], db=d)
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
    learner = old_user(old, "oldtimer")
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


# ----------------------------------------------------------------------------- output paths (item 6)
def _database_intact(db_file, users: int) -> None:
    check = sqlite3.connect(db_file)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("SELECT COUNT(*) FROM users").fetchone()[0] == users
    check.close()


@pytest.mark.parametrize("target", ["db", "wal", "shm", "symlink", "hardlink"])
@pytest.mark.parametrize("command", [["export", "--format", "json", "--out"], ["backup"]])
def test_export_and_backup_never_write_over_the_live_database(world, db_file, tmp_path, monkeypatch, capsys,
                                                              target, command):
    users = world.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    path = {"db": db_file, "wal": Path(f"{db_file}-wal"), "shm": Path(f"{db_file}-shm"),
            "symlink": tmp_path / "innocent.json", "hardlink": tmp_path / "also-innocent.json"}[target]
    if target == "symlink":
        path.symlink_to(db_file)
    if target == "hardlink":
        os.link(db_file, path)
    for force in ([], ["--force"]):
        code, out, err = _run(monkeypatch, capsys, [*command, str(path), *force])
        assert (code, out) == (2, "") and err.count("\n") == 1 and "live database" in err
    _database_intact(db_file, users)


def test_an_existing_file_needs_force(world, tmp_path, monkeypatch, capsys):
    existing = tmp_path / "report.json"
    existing.write_text("keep me")
    for command in (["export", "--format", "json", "--out", str(existing)], ["backup", str(existing)]):
        code, _, err = _run(monkeypatch, capsys, command)
        assert code == 2 and "--force" in err and existing.read_text() == "keep me"
    code, _, _ = _run(monkeypatch, capsys, ["export", "--format", "json", "--out", str(existing), "--force"])
    assert code == 0 and json.loads(existing.read_text())["format"] == "chartlab-progress"
    folder = tmp_path / "csv"
    assert _run(monkeypatch, capsys, ["export", "--format", "csv", "--out", str(folder)])[0] == 0
    code, _, err = _run(monkeypatch, capsys, ["export", "--format", "csv", "--out", str(folder)])
    assert code == 2 and "users.csv already exists" in err
    assert _run(monkeypatch, capsys, ["export", "--format", "csv", "--out", str(folder), "--force"])[0] == 0
    assert _run(monkeypatch, capsys, ["backup", str(tmp_path / "b.db")])[0] == 0
    assert _run(monkeypatch, capsys, ["backup", str(tmp_path / "b.db"), "--force"])[0] == 0


# ----------------------------------------------------------------------------- malformed imports (item 7)
def _json_export(full, tmp_path) -> dict:
    transfer.export_json(tmp_path / "good.json", db=full.db)
    return json.loads((tmp_path / "good.json").read_text())


def _row_of(data, table, column):
    columns = data["tables"][table]["columns"]
    return data["tables"][table]["rows"][0], columns.index(column)


def _set(table, column, value):
    def change(data):
        row, i = _row_of(data, table, column)
        row[i] = value
    return change


def _append_copy(table):
    def change(data):
        data["tables"][table]["rows"].append(list(data["tables"][table]["rows"][0]))
    return change


def _column_name(table, name):
    def change(data):
        data["tables"][table]["columns"][1] = name
    return change


MALFORMED = {   # defect -> (change to a good export, what the message must name)
    "int past 64 bits": (_set("attempts", "seed", 2 ** 64), ["table attempts", "row 1", "field seed", "64-bit"]),
    "negative past 64 bits": (_set("users", "id", -2 ** 63 - 1), ["table users", "row 1", "field id"]),
    "text in an integer column": (_set("attempts", "seed", "seven"), ["row 1", "field seed", "whole number"]),
    "number in a text column": (_set("users", "username", 12), ["table users", "row 1", "field username"]),
    "list value": (_set("users", "display_name", ["a"]), ["table users", "row 1", "field display_name"]),
    "infinite score": (_set("attempts", "total", float("inf")), ["table attempts", "row 1", "field total"]),
    "null where required": (_set("users", "role", None), ["table users", "row 1", "field role", "required"]),
    "check constraint": (_set("users", "role", "wizard"), ["table users", "row 1", "field role", "CHECK"]),
    "huge field": (_set("users", "display_name", "x" * (2 ** 20 + 1)), ["row 1", "field display_name", "longer"]),
    "lone surrogate": (_set("users", "display_name", "\ud800"), ["row 1", "field display_name", "Unicode"]),
    "duplicate key": (_append_copy("users"), ["table users", "row 8", "field id", "UNIQUE"]),   # 7 users + the copy
    "dangling reference": (_set("attempts", "user_id", 4242), ["table attempts", "row 1", "field user_id", "4242"]),
    "list as a column name": (_column_name("users", ["username"]), ["table users", "header", "field 2"]),
    "unknown column": (_column_name("users", "nickname"), ["table users", "header", "field nickname"]),
    "short row": (lambda d: d["tables"]["users"]["rows"][0].pop(), ["table users", "row 1", "values for"]),
    "rows not a list": (lambda d: d["tables"]["users"].update(rows={"a": 1}), ["table users", "list"]),
    "unknown table": (lambda d: d["tables"].update(gossip={"columns": ["x"], "rows": []}), ["table gossip"]),
}


def _only_one_line_and_nothing_left(code, out, err, db_path, names):
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    for name in names:
        assert name in err, (name, err)
    left = sqlite3.connect(db_path)
    assert left.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0   # not even the schema
    left.close()


@pytest.mark.parametrize("defect", MALFORMED)
def test_a_malformed_json_import_is_one_line_and_leaves_nothing(full, tmp_path, monkeypatch, capsys, defect):
    change, names = MALFORMED[defect]
    data = _json_export(full, tmp_path)
    change(data)
    bad = tmp_path / "bad-export.json"
    bad.write_text(json.dumps(data))
    target = tmp_path / "target.db"
    monkeypatch.setenv("CHARTLAB_DB", str(target))
    code, out, err = _run(monkeypatch, capsys, ["import", str(bad)])
    _only_one_line_and_nothing_left(code, out, err, target, ["bad-export.json", *names])


@pytest.mark.parametrize("defect, column, value, names", [
    ("int past 64 bits", "seed", "18446744073709551616", ["attempts.csv", "row 1", "field seed", "64-bit"]),
    ("text in an integer column", "seed", "seven", ["attempts.csv", "row 1", "field seed"]),
    ("huge field", "generator_version", "x" * (2 ** 20 + 1), ["attempts.csv", "row 1", "field generator_version"]),
    ("far beyond the CSV field limit", "generator_version", "x" * (2 ** 22 + 1), ["attempts.csv", "line 2", "CSV"]),
])
def test_a_malformed_csv_import_is_one_line_and_leaves_nothing(full, tmp_path, monkeypatch, capsys,
                                                              defect, column, value, names):
    folder = tmp_path / "csv"
    transfer.export_csv(folder, db=full.db)
    lines = list(csv.reader(io.StringIO((folder / "attempts.csv").read_text(encoding="utf-8"), newline="")))
    lines[1][lines[0].index(column)] = value
    with open(folder / "attempts.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)
    target = tmp_path / "target.db"
    monkeypatch.setenv("CHARTLAB_DB", str(target))
    _only_one_line_and_nothing_left(*_run(monkeypatch, capsys, ["import", str(folder)]), target, names)


def test_invalid_utf8_names_the_file_and_line(full, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "csv"
    transfer.export_csv(folder, db=full.db)
    raw = (folder / "users.csv").read_bytes().split(b"\n")
    raw[2] = raw[2].replace(b",", b",\xff", 1)
    (folder / "users.csv").write_bytes(b"\n".join(raw))
    target = tmp_path / "target.db"
    monkeypatch.setenv("CHARTLAB_DB", str(target))
    _only_one_line_and_nothing_left(*_run(monkeypatch, capsys, ["import", str(folder)]), target,
                                    ["users.csv", "line 3", "UTF-8", "0xff"])
