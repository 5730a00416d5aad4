"""Checking and inserting the rows of an export being imported (`progress.transfer.import_file`).

Every defect becomes one `ImportProblem` (a ValidationError) whose message is one line naming the
file, the table, the row (1-based, in the order of the export) and the field:

    export.json: table users, row 3, field role: CHECK constraint failed (role IN (...))

Before anything is inserted, each value is checked against its column: INTEGER columns take
integers within SQLite's 64 bits (in a CSV export, the digits of one), REAL columns finite
numbers, TEXT columns text (valid Unicode, at most `MAX_FIELD` characters); NULL only where the
column allows it. Then rows are inserted one at a time, so a UNIQUE, NOT NULL or CHECK failure
names its row, and the deferred foreign keys are checked before the commit, naming the first row
whose reference has no parent.
"""
from __future__ import annotations

import math
import re
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from progress.errors import ValidationError

MAX_FIELD = 1 << 20          # characters in one imported value; real values are a few KiB at most
INT64 = (-(1 << 63), (1 << 63) - 1)
_INTEGER_TEXT = re.compile(r"-?\d{1,25}")


class ImportProblem(ValidationError):
    """One defect of an import file, located (see the module docstring)."""

    def __init__(self, source: Path | str, reason: str, *, table: str | None = None,
                 row: int | str | None = None, field: str | int | None = None):
        where = [f"table {table}"] if table else []
        where += [f"row {row}" if isinstance(row, int) else str(row)] if row is not None else []
        where += [f"field {field}"] if field is not None else []
        super().__init__(f"{Path(source).name}: {', '.join(where) + ': ' if where else ''}{reason}")


def show(value) -> str:
    """A short, one-line rendering of a bad value for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def column_types(db: Database, table: str) -> dict[str, tuple[str, bool]]:
    """{column: (declared type, NULL allowed)} of a table (an INTEGER PRIMARY KEY takes NULL)."""
    info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
    return {name: (kind.upper(), not notnull or (pk == 1 and kind.upper() == "INTEGER"))
            for _, name, kind, notnull, _, pk in info}


def check_columns(source, table: str, columns, known: dict) -> list[str]:
    """The export's column list for `table`, or ImportProblem (names must be known text, once)."""
    for n, name in enumerate(columns, 1):
        if not isinstance(name, str):
            raise ImportProblem(source, f"a column name must be text, not {show(name)}", table=table,
                                row="header", field=n)
        if name not in known:
            raise ImportProblem(source, "this database has no such column", table=table, row="header", field=name)
    if len(set(columns)) != len(columns):
        raise ImportProblem(source, "a column is listed twice", table=table, row="header")
    return list(columns)


def convert_rows(source, table: str, columns: list[str], rows, known: dict, *, from_csv: bool) -> list[tuple]:
    """Every row as a tuple of values SQLite will store as exported, or ImportProblem."""
    if not isinstance(rows, list):
        raise ImportProblem(source, "the rows must be a list", table=table)
    kinds = [known[c] for c in columns]
    converted = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, list) or len(row) != len(columns):
            size = len(row) if isinstance(row, list) else show(row)
            raise ImportProblem(source, f"has {size} values for {len(columns)} columns", table=table, row=n)
        converted.append(tuple(_located(source, table, n, column, value, kind, from_csv)
                               for column, value, kind in zip(columns, row, kinds)))
    return converted


class _BadValue(ValueError):
    """A value its column cannot take (the message says why)."""


def _located(source, table: str, n: int, column: str, value, kind: tuple[str, bool], from_csv: bool):
    try:
        return _value(value, *kind, from_csv)
    except _BadValue as bad:
        raise ImportProblem(source, str(bad), table=table, row=n, field=column) from None


def _value(value, kind: str, nullable: bool, from_csv: bool):
    """One value for a column of declared type `kind`, as it will be stored."""
    if value is None:
        if not nullable:
            raise _BadValue("a value is required")
        return None
    if isinstance(value, str):
        if len(value) > MAX_FIELD:
            raise _BadValue(f"the value is longer than {MAX_FIELD:,} characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadValue("the value is not valid Unicode text") from None
    if kind == "INTEGER":
        return _integer(value, from_csv)
    if kind == "REAL":
        return _real(value, from_csv)
    if not isinstance(value, str):
        raise _BadValue(f"expected text, got {show(value)}")
    return value


def _integer(value, from_csv: bool) -> int:
    if from_csv and isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        value = int(value)
    if type(value) is not int:
        raise _BadValue(f"expected a whole number, got {show(value)}")
    if not INT64[0] <= value <= INT64[1]:
        raise _BadValue(f"{show(value)} is outside the 64-bit integer range")
    return value


def _real(value, from_csv: bool) -> float:
    if from_csv and isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _BadValue(f"expected a number, got {show(value)}") from None
    if type(value) is int and INT64[0] <= value <= INT64[1]:
        return float(value)
    if type(value) is not float or not math.isfinite(value):
        raise _BadValue(f"expected a finite number, got {show(value)}")
    return value


def insert(db: Database, source, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert the converted rows one by one; a constraint failure names its row and field."""
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    for n, row in enumerate(rows, 1):
        try:
            db.conn.execute(statement, row)
        except sqlite3.IntegrityError as error:
            raise ImportProblem(source, _constraint(str(error)), table=table, row=n,
                                field=_field_named(str(error), table, columns)) from None


def _constraint(message: str) -> str:
    kind, _, detail = message.partition(": ")
    return f"{kind} ({detail})" if detail and kind.startswith("CHECK") else kind


def _field_named(message: str, table: str, columns: list[str]) -> str | None:
    """The first column a constraint message mentions ("users.username", or in a CHECK expression)."""
    detail = message.partition(": ")[2]
    for column in columns:
        if re.search(rf"(?<![\w.]){re.escape(table)}\.{re.escape(column)}\b|(?<![\w.]){re.escape(column)}\b",
                     detail):
            return column
    return None


def check_foreign_keys(db: Database, sources: dict, converted: dict[str, tuple[list[str], list[tuple]]]) -> None:
    """ImportProblem for the first imported row whose reference has no parent (run before COMMIT)."""
    violation = db.execute("PRAGMA foreign_key_check").fetchone()
    if violation is None:
        return
    table, _, parent, fk_id = violation
    links = [(frm, to) for (fid, _, _, frm, to, *_) in db.execute(f'PRAGMA foreign_key_list("{table}")')
             if fid == fk_id]
    columns, rows = converted.get(table, ([], []))
    values = _dangling(db, table, parent, links)
    for n, row in enumerate(rows, 1):
        if values is not None and all(c in columns and row[columns.index(c)] == v
                                      for (c, _), v in zip(links, values)):
            raise ImportProblem(sources.get(table, "import"), f"refers to {parent} {show(values[0])}, which "
                                "the export does not contain", table=table, row=n, field=links[0][0])
    raise ImportProblem(sources.get(table, "import"), f"a reference to {parent} has no matching row", table=table)


def _dangling(db: Database, table: str, parent: str, links: list[tuple[str, str]]) -> tuple | None:
    """The referencing values of one child row of `table` whose parent row is missing."""
    match = " AND ".join(f'p."{to}" = c."{frm}"' for frm, to in links)
    present = " AND ".join(f'c."{frm}" IS NOT NULL' for frm, _ in links)
    row = db.execute(f'''SELECT {", ".join(f'c."{frm}"' for frm, _ in links)} FROM "{table}" c
                         WHERE {present} AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE {match})
                         LIMIT 1''').fetchone()
    return tuple(row) if row else None
