"""The one strict reader for data files (`datafiles`): duplicate keys and YAML 1.1 surprises are
problems naming the file, the field path and the line; every problem of a file is reported."""
import pytest

from datafiles import ContentError, Problem, check_keys, load_yaml, parse_yaml, raise_problems


@pytest.mark.parametrize("text, field, needle", [
    ("drg: 064\n", "drg", "octal"),
    ("ok: yes\n", "ok", "boolean"),
    ("ok: on\n", "ok", "boolean"),
    ("ok: No\n", "ok", "boolean"),
    ("as_of: 2026-04-01\n", "as_of", "date"),
    ("time: 1:30\n", "time", "base 60"),
    ("n: 1_000\n", "n", "YAML 1.1"),
    ("items:\n  - {a: 1}\n  - {a: off}\n", "items[1].a", "boolean"),
])
def test_yaml_11_surprises_are_problems_and_keep_the_text(text, field, needle):
    data, problems = parse_yaml(text, "f.yaml")
    assert [p.field for p in problems] == [field]
    assert needle in problems[0].message and "line" in problems[0].message and problems[0].file == "f.yaml"
    value = data[field.split("[")[0].split(".")[0]]
    assert isinstance(value, (str, list))   # kept as written, never 52, True or a date


@pytest.mark.parametrize("text, value", [
    ('drg: "064"\n', "064"), ("drg: 64\n", 64), ("ok: true\n", True), ("ok: False\n", False),
    ('as_of: "2026-04-01"\n', "2026-04-01"), ("n: 0\n", 0), ("n: -7\n", -7), ("x: 1.5\n", 1.5),
    ("x: 0x1F\n", 31), ("x: ~\n", None), ("x: 'yes'\n", "yes"),
])
def test_what_an_author_means_reads_cleanly(text, value):
    data, problems = parse_yaml(text)
    assert problems == [] and list(data.values()) == [value]


def test_duplicate_keys_are_reported_with_their_path_and_line():
    data, problems = parse_yaml("a:\n  b: 1\n  b: 2\nc: 3\n", "f.yaml")
    assert problems == [Problem("f.yaml", "a.b", "duplicate key: this key is already set above (line 3)")]
    assert data["c"] == 3


def test_every_problem_of_a_file_is_collected():
    _, problems = parse_yaml("a: 1\na: 2\nb: yes\nc: [064, 2026-01-01]\n")
    assert [p.field for p in problems] == ["a", "b", "c[0]", "c[1]"]


def test_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\nb: 3\n")
    data, problems = load_yaml(path)
    assert data is None and len(problems) == 1
    assert problems[0].field.startswith("line ") and "YAML error" in problems[0].message
    assert problems[0].file.endswith("bad.yaml")


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path):
    data, problems = load_yaml(tmp_path / "missing.yaml")
    assert data is None and "cannot be read" in problems[0].message


def test_check_keys_reports_missing_and_unknown_fields():
    problems = check_keys({"id": 1, "colour": "red"}, ("id", "title"), ("notes",), "f.yaml", "questions[2]")
    assert [(p.field, p.message.split(" (")[0]) for p in problems] == [
        ("questions[2].title", "required field is missing"), ("questions[2].colour", "unknown field")]
    assert check_keys([1], ("id",), (), "f.yaml", "")[0].field == "(top level)"


def test_content_error_lists_every_problem():
    raise_problems([])   # nothing to raise
    with pytest.raises(ContentError) as err:
        raise_problems([Problem("a.yaml", "x", "bad"), Problem("b.yaml", "", "worse")])
    assert str(err.value) == "a.yaml: x: bad\nb.yaml: worse" and len(err.value.problems) == 2
