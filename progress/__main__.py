"""Operator commands: `python -m progress COMMAND` (database: $CHARTLAB_DB or data/chartlab.db).

  create-user --username U --role learner|instructor|admin [--display-name N]
        the password is prompted for (twice) on a terminal, else read from the first line of stdin
  backup PATH [--force]             online copy of the live database
  export --format json|csv [--out PATH] [--force]
        JSON to PATH (default: standard output); CSV into directory PATH
        (default: ./chartlab-export-<UTC timestamp>)
        backup and export never write over the database or its -wal/-shm files, nor over an
        existing file unless --force is given
  import PATH                       a JSON export file or CSV export directory, into an empty
                                    database; a malformed file changes nothing and is reported in
                                    one line naming the file, row and field
  seed-demo [--learners N]          a clearly labelled demo cohort with real scored attempts

Errors print one line on stderr: exit status 2 for bad arguments or input, 1 for I/O failures.
"""
from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from datetime import datetime, timezone

from progress import accounts, transfer
from progress.authz import ROLES
from progress.db import connect, db_path
from progress.errors import ProgressError, ValidationError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m progress", description="ChartLab progress store tools.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    create = commands.add_parser("create-user", help="create an account (password from prompt or stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--display-name")
    backup = commands.add_parser("backup", help="online backup to PATH")
    backup.add_argument("path")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    export = commands.add_parser("export", help="export every table")
    export.add_argument("--format", required=True, choices=("json", "csv"))
    export.add_argument("--out")
    export.add_argument("--force", action="store_true", help="overwrite existing files")
    commands.add_parser("import", help="import an export into an empty database").add_argument("path")
    demo = commands.add_parser("seed-demo", help="create a labelled demo cohort with real scored attempts")
    demo.add_argument("--learners", type=int, default=30)
    return parser


def read_password() -> str:
    """Prompted twice on a terminal; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise ValidationError("The passwords do not match.")
        return password
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError("No password on standard input.")
    return password


def _create_user(args) -> str:
    user = accounts.provision_user(args.username, read_password(), args.role, args.display_name,
                                   db=connect())
    return f"created {user.role} {user.username!r} (id {user.id}) in {db_path()}"


def _backup(args) -> str:
    return f"backup written to {transfer.backup(args.path, force=args.force, db=connect())}"


def _export(args) -> str:
    db = connect()
    if args.format == "json" and args.out is None:
        transfer.export_json(sys.stdout, db=db)
        return ""
    out = args.out or f"chartlab-export-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    counts = (transfer.export_json if args.format == "json" else transfer.export_csv)(out, force=args.force, db=db)
    return f"exported {sum(counts.values())} rows from {len(counts)} tables to {out}"


def _import(args) -> str:
    counts = transfer.import_file(args.path, db=connect(migrate=False))
    return f"imported {sum(counts.values())} rows into {len(counts)} tables in {db_path()}"


def _seed_demo(args) -> str:
    from progress.demo import seed_demo
    if not 1 <= args.learners <= 500:
        raise ValidationError("--learners must be between 1 and 500.")
    seed_demo(args.learners, db=connect())
    return ""


COMMANDS = {"create-user": _create_user, "backup": _backup, "export": _export, "import": _import,
            "seed-demo": _seed_demo}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        message = COMMANDS[args.command](args)
    except ProgressError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
