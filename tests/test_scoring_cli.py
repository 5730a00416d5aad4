"""Rubric loading/validation, report round trip and the `python -m scoring` CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

import scoring
from cases.model import Answer, Case, Document, Encounter, Patient, Physician
from scoring import samples
from scoring.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _case(key) -> Case:
    doc = Physician("Dana Whitfield", "Hospital medicine")
    return Case(case_id="t-1", scenario_id="heart_failure", seed=1, generator_version="test", title="HF", mdc=5,
                difficulty=2,
                patient=Patient("Ann", "Example", "M", "1954-01-01", 72, "MRN1", "ACC1", "1 Main St", "555", "Medicare"),
                encounter=Encounter("2026-03-03T10:00", "2026-03-05T12:00", 2, "1", "1", "01", doc),
                documents=(Document("hp-1", "hp", "H&P", "Dr W", "2026-03-03T11:00", "Acute on chronic HF."),),
                key=key)


@pytest.fixture()
def files(tmp_path):
    key = samples.heart_failure()
    case_path = tmp_path / "case.json"
    case_path.write_text(json.dumps(_case(key).to_dict()))
    a = Answer.from_key(key)
    answer = replace(a, secondary_dx=tuple(x for x in a.secondary_dx if x[0] != "J96.01"))
    answer_path = tmp_path / "answer.json"
    answer_path.write_text(json.dumps(answer.to_dict()))
    return case_path, answer_path


def _run(*args):
    return subprocess.run([sys.executable, "-m", "scoring", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


# ---------------------------------------------------------------------------------------
def test_builtin_rubrics_load_and_name_their_version():
    assert {"practice", "exam"} <= set(scoring.available())
    p, e = scoring.rubric("practice"), scoring.rubric("exam")
    assert scoring.DEFAULT == p and p.partial["enabled"] and not e.partial["enabled"]
    assert e.weighting == "item" and len(set(e.weights.values())) == 1
    assert sum(p.weights.values()) == 100
    r = scoring.score(Answer(), samples.heart_failure(), "exam")
    assert (r.rubric_id, r.rubric_version) == ("exam", e.version)


def test_unknown_rubric_key_is_an_error_naming_the_file(tmp_path):
    data = yaml.safe_load((ROOT / "scoring/rubrics/practice.yaml").read_text())
    data["weights"]["pdx_bonus"] = 5
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(scoring.RubricError, match=r"typo\.yaml.*pdx_bonus"):
        scoring.rubric(str(path))
    data = yaml.safe_load((ROOT / "scoring/rubrics/practice.yaml").read_text())
    data["colour"] = "blue"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(scoring.RubricError, match=r"typo\.yaml.*colour"):
        scoring.rubric.__wrapped__(str(path))


@pytest.mark.parametrize("change, message", [
    (lambda d: d["partial_credit"].update(dx_same_category=1.5), "outside"),
    (lambda d: d["weights"].pop("drg"), "missing"),
    (lambda d: d.update(weighting="random"), "weighting"),
    (lambda d: d["pcs_character_weights"].update(device="heavy"), "number"),
])
def test_rubric_values_are_validated(tmp_path, change, message):
    data = yaml.safe_load((ROOT / "scoring/rubrics/practice.yaml").read_text())
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(scoring.RubricError, match=message):
        scoring.rubric.__wrapped__(str(path))


def test_unknown_rubric_name():
    with pytest.raises(scoring.RubricError, match="no such rubric"):
        scoring.rubric("lenient")


def test_report_to_dict_shape_and_round_trip():
    key = samples.heart_failure()
    r = scoring.score(replace(Answer.from_key(key), principal_dx=("I50.21", "Y")), key)
    d = r.to_dict()
    assert set(d["components"]) == set(scoring.COMPONENTS)
    assert {"score", "max", "items"} <= set(d["components"]["pdx"])
    assert d["items"][0].keys() >= {"component", "expected", "entered", "status", "score", "max"}
    assert d["rubric"]["id"] == "practice"
    again = scoring.ScoreReport.from_dict(json.loads(json.dumps(d)))
    assert again.to_dict() == d and again.component("pdx").items[0].status == "near_miss"


def test_cli_json(files):
    case_path, answer_path = files
    out = _run("score", "--case", case_path, "--answer", answer_path, "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert {"total", "components", "learner_drg", "key_drg", "payment_difference", "feedback"} <= set(d)
    assert (d["learner_drg"], d["key_drg"]) == (292, 291) and d["payment_difference"] < 0
    assert all({"kind", "code", "expected", "message", "evidence", "impact"} <= set(f) for f in d["feedback"])
    assert d["feedback"][0]["kind"] == "drg_mismatch"


def test_cli_human_and_exam(files, capsys):
    case_path, answer_path = files
    assert main(["score", "--case", str(case_path), "--answer", str(answer_path), "--rubric", "exam"]) == 0
    text = capsys.readouterr().out
    assert "Total:" in text and "rubric exam" in text and "DRG 292" in text and "missed_code" in text


@pytest.mark.parametrize("args", [
    [],
    ["score"],
    ["score", "--case", "missing.json", "--answer", "missing.json"],
    ["score", "--case", "{case}", "--answer", "{case}", "--rubric", "nope"],
    ["score", "--case", "{answer}", "--answer", "{answer}"],
    ["score", "--case", "{bad}", "--answer", "{answer}"],
    ["frobnicate"],
])
def test_cli_bad_input_is_one_line_exit_2(files, tmp_path, capsys, args):
    case_path, answer_path = files
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    argv = [a.format(case=case_path, answer=answer_path, bad=bad) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("python -m scoring: error:") and "Traceback" not in err


def test_cli_subprocess_error_has_no_traceback():
    out = _run("score", "--case", "nowhere.json", "--answer", "nowhere.json")
    assert out.returncode == 2 and "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
