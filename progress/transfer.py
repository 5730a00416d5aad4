"""Backup, export and import of the whole progress store.

- `backup(dest)`: SQLite's online backup API, a consistent copy even while the app writes;
  the copy is a single self-contained file (rollback journal, not WAL) and is integrity-checked.
- `export_json(path)` / `export_csv(directory)`: every table, read in one transaction (a
  consistent snapshot), with the list of applied migrations. JSON: one file
  `{"format", "migrations", "exported_at", "tables": {name: {"columns", "rows"}}}`. CSV: one
  `<table>.csv` per table plus `manifest.json`; NULL is written `\\N`, and a text value that starts
  with a backslash gets one more, so every value round-trips.
- `import_file(path)`: into a database with no data. The schema is first brought to the export's
  migration, the rows are checked and inserted (`progress.import_rows`: a malformed file is one
  `ValidationError` naming the file, table, row and field), foreign keys are checked, then the
  remaining migrations run, so old exports are upgraded exactly like old databases. All of it is
  one transaction: a refused import leaves the database exactly as it was.
- Every output path (`backup`, `export_json`, each file of `export_csv`) goes through
  `check_output`: never the live database or its -wal/-shm/-journal files (whatever the path is
  called: symlinks and hard links are followed), and never an existing file unless `force`.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import TextIO

from sqlite_utils import Database

from progress import import_rows, migrations
from progress.db import filename, iso, resolve, write
from progress.errors import ValidationError
from progress.import_rows import ImportProblem

FORMAT = "chartlab-progress"
NULL = "\\N"
MANIFEST = "manifest.json"
DATABASE_FILES = ("", "-wal", "-shm", "-journal")


def check_output(dest: str | Path, *, force: bool = False, db: Database | None = None) -> Path:
    """`dest` as a Path, if writing it cannot damage the live database: ValidationError when it
    is (or links to) the database file or one of its -wal/-shm/-journal files, when it is a
    directory, or when it exists and `force` is False."""
    dest, live = Path(dest), filename(resolve(db))
    if live and any(_same_file(dest, Path(live + suffix)) for suffix in DATABASE_FILES):
        raise ValidationError(f"{dest} is the live database (or one of its files); choose another path.")
    if dest.is_dir():
        raise ValidationError(f"{dest} is a directory; give a file name.")
    if dest.exists() and not force:
        raise ValidationError(f"{dest} already exists; add --force to overwrite it.")
    return dest


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:   # one of them does not exist
        return False


def backup(dest: str | Path, *, force: bool = False, db: Database | None = None) -> Path:
    """Copy the live database to `dest` (see `check_output`); returns the path."""
    db = resolve(db)
    dest = check_output(dest, force=force, db=db)
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


def export_json(dest: str | Path | TextIO, *, force: bool = False, db: Database | None = None) -> dict:
    """Write the snapshot as JSON to a file path (see `check_output`) or an open text stream;
    returns row counts."""
    if not hasattr(dest, "write"):
        dest = check_output(dest, force=force, db=db)
    data = snapshot(db)
    text = json.dumps(data, ensure_ascii=False)
    if hasattr(dest, "write"):
        dest.write(text)
    else:
        dest.write_text(text, encoding="utf-8")
    return _counts(data)


def export_csv(directory: str | Path, *, force: bool = False, db: Database | None = None) -> dict:
    """Write one CSV per table plus manifest.json into `directory` (each file checked by
    `check_output` before any is written); returns the row counts."""
    data = snapshot(db)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValidationError(f"{directory} is a file; CSV exports go into a directory.")
    for name in [*(f"{t}.csv" for t in data["tables"]), MANIFEST]:
        check_output(directory / name, force=force, db=db)
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
    """A JSON export file, or a CSV export directory (or its manifest.json), as a snapshot dict
    (with `sources`: the file each table came from, and `csv`: whether values are CSV text)."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    data = _read_json(path)
    if not _well_formed(data):
        raise ImportProblem(path, "this is not a ChartLab progress export")
    if path.name != MANIFEST:
        return {**data, "sources": dict.fromkeys(data["tables"], path), "csv": False}
    if not all(re.fullmatch(r"\w+", name) for name in data["tables"]):
        raise ImportProblem(path, "a table name is not an identifier")
    sources = {name: path.parent / f"{name}.csv" for name in data["tables"]}
    tables = {name: _read_csv(sources[name], name, t["columns"]) for name, t in data["tables"].items()}
    return {**data, "tables": tables, "sources": sources, "csv": True}


def _read_text(path: Path, table: str | None = None) -> str:
    """The file as UTF-8 text, or ImportProblem (unreadable, or the line of the first bad byte)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportProblem(path, f"cannot be read ({error.strerror or error})", table=table) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ImportProblem(path, f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})",
                            table=table, row=f"line {line}") from None


def _read_json(path: Path):
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(path, f"is not valid JSON ({error.msg}, line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise ImportProblem(path, "is nested too deeply to be an export") from None


def _well_formed(data) -> bool:
    """The export's outline: format tag, migration list, tables with a list of columns."""
    return (isinstance(data, dict) and data.get("format") == FORMAT
            and isinstance(data.get("migrations"), list) and isinstance(data.get("tables"), dict)
            and all(isinstance(t, dict) and isinstance(t.get("columns"), list)
                    for t in data["tables"].values()))


def _read_csv(path: Path, table: str, columns: list) -> dict:
    text = _read_text(path, table)
    previous = csv.field_size_limit(4 * import_rows.MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        if next(reader, None) != columns:
            raise ImportProblem(path, "the header is not the columns its manifest lists", table=table, row="header")
        rows = [[_from_csv(v) for v in row] for row in reader]
    except csv.Error as error:
        raise ImportProblem(path, f"is not valid CSV ({error})", table=table, row=f"line {reader.line_num}") from None
    finally:
        csv.field_size_limit(previous)
    return {"columns": columns, "rows": rows}


def import_file(path: str | Path, *, db: Database | None = None) -> dict:
    """Load an export into a database that holds no data yet; returns the row counts."""
    return import_snapshot(read_export(path), db=db)


def import_snapshot(data: dict, *, db: Database | None = None) -> dict:
    """Insert a snapshot (see `snapshot`) into an empty database, then migrate to the latest; one
    transaction, so nothing is left behind when it is refused."""
    db = resolve(db)
    version = data["migrations"]
    if not version or tuple(version) != migrations.NAMES[:len(version)]:
        raise ValidationError("This export was written by a different version of ChartLab.")
    sources = data.get("sources") or {}
    with write(db):
        _require_empty(db)
        if len(migrations.applied(db)) > len(version):
            raise ValidationError("This export is older than the database's schema: import it into "
                                  "a new database file (set CHARTLAB_DB).")
        migrations.migrate(db, upto=version[-1])
        db.execute("PRAGMA defer_foreign_keys = ON")
        converted = {name: _insert_table(db, sources.get(name, "import"), name, table, bool(data.get("csv")))
                     for name, table in data["tables"].items()}
        import_rows.check_foreign_keys(db, sources, converted)
        migrations.migrate(db)
    return _counts(data)


def _require_empty(db: Database) -> None:
    if any(db.conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in _data_tables(db)):
        raise ValidationError("The database already holds data; import into a new, empty one.")


def _insert_table(db: Database, source, name: str, table: dict, from_csv: bool) -> tuple[list, list]:
    """Check and insert one table's rows; returns (columns, converted rows) for the key check."""
    if name not in _data_tables(db):
        raise ImportProblem(source, "this database has no such table", table=name)
    known = import_rows.column_types(db, name)
    columns = import_rows.check_columns(source, name, table["columns"], known)
    rows = import_rows.convert_rows(source, name, columns, table.get("rows"), known, from_csv=from_csv)
    import_rows.insert(db, source, name, columns, rows)
    return columns, rows
