"""Fuzzing `python -m progress import` (issue 15, item 7): 200 generated malformed exports, JSON
and CSV - invalid UTF-8, huge fields, lists as column names, integers past 64 bits, wrong types,
missing values, short rows, dangling references. Each must exit 2 with one line naming the file
(and the row and field where the defect is in a row), and leave the database without even a
schema. Bounded: about 10 s on this machine."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import progress as P
from progress import __main__ as cli
from progress import accounts, import_rows, transfer
from progress.db import connect
from progress_builders import CHEAP_HASHER, PASSWORD, good_report, submit

BAD_BYTES = [b"\xff", b"\xfe", b"\x80", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf5\x80\x80\x80"]
OUT_OF_RANGE = st.integers(0, 2 ** 80).flatmap(lambda k: st.sampled_from([2 ** 63 + k, -(2 ** 63) - 1 - k]))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small real export (users, cohort, memberships, assignment, attempts...) and its schema."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "hasher", CHEAP_HASHER)
        db = connect(folder / "base.db")
        teacher = P.provision_user("teacher", PASSWORD, "instructor", db=db)
        cohort = P.create_cohort(teacher.actor, "Fuzz cohort", db=db)
        learners = [P.register_learner(cohort["join_code"], f"learner{n}", PASSWORD, db=db) for n in range(3)]
        for n, learner in enumerate(learners):
            submit(learner.actor, "sepsis_uti", n + 10, rep=good_report(), db=db)
        data = transfer.snapshot(db)
        types = {t: import_rows.column_types(db, t) for t in data["tables"]}
        foreign = {t: [r[3] for r in db.execute(f'PRAGMA foreign_key_list("{t}")')] for t in data["tables"]}
        db.close()
    return {"data": data, "types": types, "foreign": foreign}


def _tables_with_rows(base) -> list[str]:
    return sorted(t for t, v in base["data"]["tables"].items() if v["rows"])


@st.composite
def defects(draw, base):
    """(format, mutated snapshot or None, raw byte damage or None, words the message must contain)."""
    fmt = draw(st.sampled_from(["json", "csv"]))
    data = json.loads(json.dumps(base["data"]))
    table = draw(st.sampled_from(_tables_with_rows(base)))
    rows, columns = data["tables"][table]["rows"], data["tables"][table]["columns"]
    r = draw(st.integers(0, len(rows) - 1))
    where = [f"{table}.csv" if fmt == "csv" else "export.json"]
    kind = draw(st.sampled_from(["utf8", "huge", "list_column", "big_int", "wrong_type", "null", "row_length",
                                 "dangling"]))
    event(f"{fmt} {kind}")
    types = base["types"][table]
    pick = lambda wanted: draw(st.sampled_from([c for c in columns if wanted(*types[c])] or [None]))  # noqa: E731
    if kind == "utf8":
        return fmt, data, (table, draw(st.floats(0, 1)), draw(st.sampled_from(BAD_BYTES))), where + ["UTF-8"]
    if kind == "huge":
        column = pick(lambda t, _: t == "TEXT")
        if column is not None:
            rows[r][columns.index(column)] = "y" * draw(st.integers(import_rows.MAX_FIELD + 1,
                                                                      import_rows.MAX_FIELD + 4096))
            return fmt, data, None, where + [f"row {r + 1}", f"field {column}"]
    if kind == "list_column":
        n = draw(st.integers(0, len(columns) - 1))
        columns[n] = draw(st.lists(st.text(max_size=4), max_size=3))
        return fmt, data, None, where + ["header"]
    if kind == "big_int":
        column = pick(lambda t, _: t == "INTEGER")
        if column is not None:
            rows[r][columns.index(column)] = draw(OUT_OF_RANGE)
            return fmt, data, None, where + [f"row {r + 1}", f"field {column}", "64-bit"]
    if kind == "wrong_type" and fmt == "json":
        column = draw(st.sampled_from(columns))
        wrong = {"INTEGER": st.floats() | st.booleans() | st.text(min_size=1) | st.lists(st.integers(), max_size=2),
                 "REAL": st.booleans() | st.text() | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 "TEXT": st.integers() | st.floats() | st.booleans() | st.lists(st.text(), max_size=2)}
        rows[r][columns.index(column)] = draw(wrong[types[column][0]])
        return fmt, data, None, where + [f"row {r + 1}", f"field {column}"]
    if kind == "null":
        column = pick(lambda _, nullable: not nullable)
        if column is not None:
            rows[r][columns.index(column)] = None
            return fmt, data, None, where + [f"row {r + 1}", f"field {column}", "required"]
    if kind == "row_length":
        rows[r] = rows[r][:-1] if draw(st.booleans()) else rows[r] + ["extra"]
        return fmt, data, None, where + [f"row {r + 1}", "values for"]
    if kind == "dangling" and base["foreign"][table]:
        column = draw(st.sampled_from(base["foreign"][table]))
        rows[r][columns.index(column)] = 10 ** 9 + draw(st.integers(0, 10 ** 6))
        return fmt, data, None, where + [f"row {r + 1}", f"field {column}"]
    rows[r] = rows[r][:-1]   # the drawn defect does not apply to this table: a short row instead
    return fmt, data, None, where + [f"row {r + 1}"]


def _write(folder: Path, fmt: str, data: dict, damage) -> tuple[Path, Path]:
    """Write the (already mutated) export; returns (the path to import, the file to damage)."""
    if fmt == "json":
        path = folder / "export.json"
        path.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        return path, path
    directory = folder / "csv"
    directory.mkdir()
    manifest = {**data, "tables": {t: {"columns": v["columns"], "rows": len(v["rows"])}
                                   for t, v in data["tables"].items()}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    for name, table in data["tables"].items():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c if isinstance(c, str) else json.dumps(c) for c in table["columns"]])
        writer.writerows([transfer._csv_value(v) for v in row] for row in table["rows"])
        (directory / f"{name}.csv").write_bytes(out.getvalue().encode("utf-8", "surrogatepass"))
    return directory, directory / f"{damage[0]}.csv" if damage else directory


def test_malformed_imports_exit_2_in_one_line_and_leave_nothing(base, tmp_path, monkeypatch, capsys):
    target = tmp_path / "target.db"
    monkeypatch.setenv("CHARTLAB_DB", str(target))

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(defects(base))
    def one_import(defect):
        fmt, data, damage, names = defect
        with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
            path, damaged = _write(Path(folder), fmt, data, damage)
            if damage:
                raw = damaged.read_bytes()
                at = int(damage[1] * len(raw))
                damaged.write_bytes(raw[:at] + damage[2] + raw[at:])
            try:
                code = cli.main(["import", str(path)])
            except SystemExit as exit_:
                code = exit_.code
            out, err = capsys.readouterr()
        assert (code, out) == (2, ""), err
        assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
        for name in names:
            assert name in err, (name, err)
        left = sqlite3.connect(target)
        assert left.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        left.close()

    one_import()
