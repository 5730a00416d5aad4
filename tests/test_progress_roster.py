"""progress.roster: reading a roster CSV, checking every row, importing it into a cohort, and the
CSV of the rows that were not imported."""
import csv
import io

import pytest

import progress as P
from progress_builders import ROSTER

PASSWORD = "Teach-Codes-2026"
STAFF = {"inst": ("ines", "instructor"), "admin": ("ada", "admin"), "lena": ("lena", "learner"),
         "stranger": ("sam", "learner")}


@pytest.fixture
def staff(tmp_db):
    """An instructor whose first cohort holds lena, an empty Autumn cohort, an admin, and sam, a
    learner in nobody's cohort."""
    people = {key: P.provision_user(name, PASSWORD, role) for key, (name, role) in STAFF.items() if key != "lena"}
    first = P.create_cohort(people["inst"].actor, "Spring cohort")
    people["lena"] = P.create_user(people["inst"].actor, "lena", PASSWORD, "learner", cohort_id=first["id"])
    return {**people, "autumn": P.create_cohort(people["inst"].actor, "Autumn cohort")}


def test_every_row_is_kept_with_its_problems():
    rows, problems = P.parse_roster(ROSTER.encode("utf-8-sig"))
    assert problems == [] and [r.line for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    by_line = {r.line: r for r in rows}
    assert by_line[2].ok and by_line[2].action == "create" and by_line[3].action == "enrol"
    assert "3 to 32 characters" in by_line[4].problems[0] and "too weak" in by_line[5].problems[0]
    assert "line 2" in by_line[6].problems[0] and "fields" in by_line[8].problems[0]


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"\xff\xfe\x00bad", "UTF-8"), (b"name,email\nx,y\n", "header"),
    (b"username,username\nabc,abd\n", "twice"), (b"username\n", "no learners")])
def test_roster_file_problems_are_explained(data, message):
    rows, problems = P.parse_roster(data)
    assert not rows and any(message in p for p in problems)


def test_semicolons_and_unknown_columns():
    rows, problems = P.parse_roster(b"username;display_name;team\nabc;A B;red\n")
    assert rows[0].username == "abc" and rows[0].display_name == "A B" and "team" in problems[0]


def test_import_creates_enrols_and_reports_every_row(staff):
    inst, autumn = staff["inst"], staff["autumn"]
    rows, _ = P.parse_roster(ROSTER.encode())
    known = P.known_learners(inst.actor)
    assert set(known) == {"lena"}                       # an instructor enrols only learners of their cohorts
    assert set(P.known_learners(staff["admin"].actor)) == {"lena", "sam"}
    P.mark_unknown(rows, known, autumn["join_code"])
    assert autumn["join_code"] in rows[5].problems[0]   # line 7: ghost
    results = P.import_roster(inst.actor, autumn, rows)
    assert [(r["line"], r["outcome"]) for r in results] == [
        (2, "created"), (3, "enrolled"), (4, "not imported"), (5, "not imported"), (6, "not imported"),
        (7, "not imported"), (8, "not imported")]
    assert {m["username"] for m in P.cohort_members(inst.actor, autumn["id"])} == {"newbie1", "lena"}
    assert P.authenticate("newbie1", "Coding-Rules-77").display_name == "New Bie"
    rejected = list(csv.DictReader(io.StringIO(P.rejected_csv(results))))
    assert [r["line"] for r in rejected] == ["4", "5", "6", "7", "8"] and all(r["problem"] for r in rejected)
    assert list(rejected[0]) == [*P.ROSTER_COLUMNS, "line", "problem"]


def test_a_single_row_checked_and_imported(staff):
    row = P.check_row(P.RosterRow(1, "sam", "", ""))
    assert row.ok
    result = P.import_roster(staff["inst"].actor, staff["autumn"], [row])[0]
    assert result["outcome"] == "not imported" and staff["autumn"]["join_code"] in result["detail"]
    assert P.import_roster(staff["admin"].actor, staff["autumn"], [row])[0]["outcome"] == "enrolled"


def test_a_roster_of_generated_learners_reads_back_exactly(staff, fake):
    people = {fake.unique.user_name(): fake.name() for _ in range(20)}
    people["jr.learner"] = f"{fake.last_name()}, Jr."             # a comma inside a quoted name
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(P.ROSTER_COLUMNS)
    writer.writerows([u, name, "Coding-Rules-77"] for u, name in people.items())
    rows, problems = P.parse_roster(out.getvalue().encode())
    assert problems == [] and all(r.ok for r in rows)
    assert {r.username: r.display_name for r in rows} == people
    results = P.import_roster(staff["inst"].actor, staff["autumn"], rows)
    assert {r["outcome"] for r in results} == {"created"}
    assert {m["display_name"] for m in P.cohort_members(staff["inst"].actor, staff["autumn"]["id"])} == set(people.values())
