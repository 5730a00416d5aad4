"""Backup, export and import of the whole progress store.

- `backup(dest)`: SQLite's online backup API, a consistent copy even while the app writes;
  the copy is a single self-contained file (rollback journal, not WAL) and is integrity-checked.
- `export_json(path)` / `export_csv(directory)`: every table, read in one transaction (a
  consistent snapshot), with the list of applied migrations. JSON: one file
  `{"format", "migrations", "exported_at", "tables": {name: {"columns", "rows"}}}`. CSV: one
  `<table>.csv` per table plus `manifest.json`; NULL is written `\\N`, and a text value that starts
  with a backslash gets one more, so every value round-trips.
- `import_file(path)`: into a database with no data. The schema is first brought to the export's
  migration, the rows are inserted (foreign keys checked at commit), then the remaining
  migrations run, so old exports are upgraded exactly like old databases.
"""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import TextIO

from sqlite_utils import Database

from progress import migrations
from progress.db import iso, resolve, write
from progress.errors import ValidationError

FORMAT = "chartlab-progress"
NULL = "\\N"
MANIFEST = "manifest.json"


def backup(dest: str | Path, *, db: Database | None = None) -> Path:
    """Copy the live database to `dest` (overwritten); returns the path."""
    db = resolve(db)
    dest = Path(dest)
    source = Path(db.conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:")
    if dest.exists() and source.exists() and dest.resolve() == source.resolve():
        raise ValidationError("The backup must not overwrite the database itself.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(dest))
    try:
        db.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    if result != "ok":
        raise ValidationError(f"The backup failed its integrity check: {result}")
    return dest


# ----------------------------------------------------------------------------- export
def _data_tables(db: Database) -> list[str]:
    return [t for t in db.table_names() if t != migrations.MIGRATIONS.migrations_table]


def snapshot(db: Database | None = None) -> dict:
    """Every table's columns and rows, plus the schema version, from one read transaction."""
    db = resolve(db)
    with db.atomic():
        tables = {}
        for table in _data_tables(db):
            columns = [c.name for c in db[table].columns]
            order = ", ".join(str(n) for n in range(1, len(columns) + 1))
            cursor = db.conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
            tables[table] = {"columns": columns, "rows": [list(r) for r in cursor]}
        version = migrations.applied(db)
    return {"format": FORMAT, "migrations": version, "exported_at": iso(), "tables": tables}


def export_json(dest: str | Path | TextIO, *, db: Database | None = None) -> dict:
    """Write the snapshot as JSON to a file path or an open text stream; returns row counts."""
    data = snapshot(db)
    text = json.dumps(data, ensure_ascii=False)
    if hasattr(dest, "write"):
        dest.write(text)
    else:
        Path(dest).write_text(text, encoding="utf-8")
    return _counts(data)


def export_csv(directory: str | Path, *, db: Database | None = None) -> dict:
    """Write one CSV per table plus manifest.json into `directory`; returns the row counts."""
    data = snapshot(db)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in data["tables"].items():
        with open(directory / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table["columns"])
            writer.writerows([_csv_value(v) for v in row] for row in table["rows"])
    manifest = {**data, "tables": {name: {"columns": t["columns"], "rows": len(t["rows"])}
                                   for name, t in data["tables"].items()}}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return _counts(data)


def _counts(data: dict) -> dict:
    return {name: len(t["rows"]) for name, t in data["tables"].items()}


def _csv_value(value):
    if value is None:
        return NULL
    if isinstance(value, str) and value.startswith("\\"):
        return "\\" + value
    return value


def _from_csv(text: str):
    if text == NULL:
        return None
    return text[1:] if text.startswith("\\") else text


# ----------------------------------------------------------------------------- import
def read_export(path: str | Path) -> dict:
    """A JSON export file, or a CSV export directory (or its manifest.json), as a snapshot dict."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"Cannot read an export from {path}: {error}") from None
    if not _well_formed(data):
        raise ValidationError(f"{path} is not a ChartLab progress export.")
    if path.name == MANIFEST:
        if not all(re.fullmatch(r"\w+", name) for name in data["tables"]):
            raise ValidationError(f"{path} lists a table name that is not an identifier.")
        data["tables"] = {name: _read_csv(path.parent / f"{name}.csv", t["columns"])
                          for name, t in data["tables"].items()}
    return data


def _well_formed(data) -> bool:
    """The export's outline: format tag, migration list, tables with a list of columns."""
    return (isinstance(data, dict) and data.get("format") == FORMAT
            and isinstance(data.get("migrations"), list) and isinstance(data.get("tables"), dict)
            and all(isinstance(t, dict) and isinstance(t.get("columns"), list)
                    for t in data["tables"].values()))


def _read_csv(path: Path, columns: list[str]) -> dict:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != columns:
            raise ValidationError(f"{path.name} does not have the columns its manifest lists.")
        return {"columns": columns, "rows": [[_from_csv(v) for v in row] for row in reader]}


def import_file(path: str | Path, *, db: Database | None = None) -> dict:
    """Load an export into a database that holds no data yet; returns the row counts."""
    return import_snapshot(read_export(path), db=db)


def import_snapshot(data: dict, *, db: Database | None = None) -> dict:
    """Insert a snapshot (see `snapshot`) into an empty database, then migrate to the latest."""
    db = resolve(db)
    version = data["migrations"]
    if not version or tuple(version) != migrations.NAMES[:len(version)]:
        raise ValidationError("This export was written by a different version of ChartLab.")
    _require_empty(db)
    if len(migrations.applied(db)) > len(version):
        raise ValidationError("This export is older than the database's schema: import it into "
                              "a new database file (set CHARTLAB_DB).")
    migrations.migrate(db, upto=version[-1])
    with write(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for name, table in data["tables"].items():
            _insert_rows(db, name, table)
    migrations.migrate(db)
    return _counts(data)


def _require_empty(db: Database) -> None:
    if any(db.conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in _data_tables(db)):
        raise ValidationError("The database already holds data; import into a new, empty one.")


def _insert_rows(db: Database, name: str, table: dict) -> None:
    if name not in _data_tables(db):
        raise ValidationError(f"The export has a table this database does not know: {name}.")
    known = {c.name for c in db[name].columns}
    if not set(table["columns"]) <= known or not isinstance(table.get("rows"), list):
        raise ValidationError(f"The export's {name} table does not match this database.")
    columns = ", ".join(f'"{c}"' for c in table["columns"])
    marks = ", ".join("?" for _ in table["columns"])
    db.conn.executemany(f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', table["rows"])
