"""Roster import: a CSV of learners (username, display_name, password) read, checked row by row
and imported into a cohort, creating accounts or enrolling existing learners.

Nothing an instructor typed is lost: every row is kept with everything wrong with it, every
imported row has an outcome, and the rows that were not imported can be downloaded as a CSV to
fix and upload again (`rejected_csv`). Permissions are those of `create_user` / `add_member`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterable

from sqlite_utils import Database

from progress.accounts import USERNAME_RE, create_user, list_users, password_problems
from progress.authz import Actor
from progress.cohorts import add_member, cohort_members, list_cohorts
from progress.errors import ProgressError

ROSTER_COLUMNS = ("username", "display_name", "password")


@dataclass
class RosterRow:
    """One data line of an uploaded roster, with everything wrong with it (empty: importable)."""
    line: int
    username: str
    display_name: str = ""
    password: str = ""
    problems: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return "create" if self.password else "enrol"

    @property
    def ok(self) -> bool:
        return not self.problems


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[str]]:
    """Read an uploaded roster: (rows, file-level problems). Columns: username (required),
    display_name and password (optional; a row without a password enrols an existing learner).
    Every row is kept, good or bad, so nothing the instructor typed is lost."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return [], ["The file is empty. The first line must be a header: username,display_name,password"]
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        table = list(reader)
    except csv.Error as exc:
        return [], [f"The file is not valid CSV ({exc}). Check for an unclosed quotation mark."]
    header = [h.strip().lower().replace(" ", "_") for h in table[0]]
    problems = []
    if "username" not in header:
        return [], ["The first line must be a header naming the columns, e.g. `username,display_name,password` "
                    f"(display_name and password are optional). The first line reads: {','.join(table[0])[:120]!r}"]
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        return [], [f"The header names {', '.join(doubled)} twice; each column may appear once."]
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        problems.append(f"Ignored unknown column(s): {', '.join(unknown) or '(blank)'}. "
                        f"Known columns: {', '.join(ROSTER_COLUMNS)}.")
    rows, seen = [], {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, cells))
        row = RosterRow(line, values.get("username", "").strip(), values.get("display_name", "").strip(),
                        values.get("password", "").strip(), raw=cells)
        if len(cells) != len(header):
            row.problems.append(f"has {len(cells)} fields but the header has {len(header)} "
                                "(a comma inside a name needs quotation marks)")
        check_row(row, seen)
        rows.append(row)
    if not rows:
        problems.append("The file has a header but no learners below it.")
    return rows, problems


def check_row(row: RosterRow, seen: dict[str, int] | None = None) -> RosterRow:
    """Add to `row.problems` whatever would stop it being imported (`seen`: usernames met on
    earlier lines of the same file)."""
    seen = {} if seen is None else seen
    if not row.username:
        row.problems.append("the username is empty")
    elif not USERNAME_RE.fullmatch(row.username):
        row.problems.append("usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'")
    elif row.username.casefold() in seen:
        row.problems.append(f"the same username is on line {seen[row.username.casefold()]}")
    else:
        seen[row.username.casefold()] = row.line
    if len(row.display_name) > 80:
        row.problems.append("the display name is longer than 80 characters")
    if row.password and (weak := password_problems(row.password, row.username)):
        row.problems.append("the password is too weak: " + " ".join(weak))
    return row


def mark_unknown(rows: Iterable[RosterRow], known: dict[str, int], join_code: str = "") -> None:
    """Rows without a password must name a learner the actor can enrol; say so in the preview."""
    for row in rows:
        if row.ok and not row.password and row.username.casefold() not in known:
            row.problems.append("no learner with this username is in your cohorts: add a password to create the "
                                "account" + (f", or ask the learner to use Join a cohort with the code {join_code}"
                                             if join_code else ""))


def known_learners(actor: Actor, *, db: Database | None = None) -> dict[str, int]:
    """{username (casefolded): user id} of learners the actor may enrol by username: an admin,
    every learner; an instructor, the learners already in one of their cohorts."""
    if actor.is_admin:
        return {u["username"].casefold(): u["id"] for u in list_users(actor, role="learner", db=db)}
    found = {}
    for cohort in list_cohorts(actor, db=db):
        for member in cohort_members(actor, cohort["id"], db=db):
            found[member["username"].casefold()] = member["id"]
    return found


def import_roster(actor: Actor, cohort: dict, rows: Iterable[RosterRow], *,
                  db: Database | None = None) -> list[dict]:
    """Create and/or enrol each importable row; one result per row (nothing is silently dropped)."""
    known = known_learners(actor, db=db)
    results = []
    for row in rows:
        result = {"line": row.line, "username": row.username, "display_name": row.display_name}
        if not row.ok:
            results.append({**result, "outcome": "not imported", "detail": "; ".join(row.problems), "row": row})
            continue
        try:
            existing = known.get(row.username.casefold())
            if existing is not None:
                add_member(actor, cohort["id"], existing, db=db)
                note = " (they already had an account; the password column was ignored)" if row.password else ""
                results.append({**result, "outcome": "enrolled", "detail": "existing learner enrolled" + note})
            elif row.password:
                user = create_user(actor, row.username, row.password, "learner", row.display_name or None,
                                   cohort_id=cohort["id"], db=db)
                known[row.username.casefold()] = user.id
                results.append({**result, "outcome": "created", "detail": "account created and enrolled"})
            else:
                results.append({**result, "outcome": "not imported", "row": row, "detail": (
                    "no learner with this username is in your cohorts. Add a password to create the account, "
                    f"or ask the learner to use Join a cohort with the code {cohort.get('join_code', '')}.")})
        except ProgressError as exc:
            results.append({**result, "outcome": "not imported", "detail": str(exc), "row": row})
    return results


def rejected_csv(results: list[dict]) -> str:
    """The rows that were not imported, as a CSV to fix and upload again (with the reason)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*ROSTER_COLUMNS, "line", "problem"])
    for r in results:
        if r["outcome"] == "not imported":
            row = r["row"]
            writer.writerow([row.username, row.display_name, row.password, row.line, r["detail"]])
    return out.getvalue()
