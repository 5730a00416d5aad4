"""Case content, generator determinism, validation and CLI."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import cases
from cases import generate, library
from cases.loader import ContentError, file_problems, load_library
from cases.validate import validate_all, validate_case

ROOT = Path(cases.__file__).parent


def test_library_loads_and_every_scenario_generates():
    lib = library()
    assert lib.scenarios and lib.conditions and lib.teaching
    for sid in lib.scenarios:
        case = generate(sid, 1)
        assert case.scenario_id == sid and case.key.drg is not None


def test_generation_is_deterministic():
    a = generate("heart_failure", 42).to_dict()
    b = generate("heart_failure", 42).to_dict()
    assert a == b
    assert generate("heart_failure", 43).to_dict() != a


def test_determinism_across_processes():
    code = "import json,cases; print(json.dumps(cases.generate('sepsis_uti', 9).to_dict(), sort_keys=True))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == json.loads(json.dumps(generate("sepsis_uti", 9).to_dict(), sort_keys=True))


def test_every_chart_is_marked_synthetic_and_key_is_supported():
    case = generate("appendicitis_lap", 5)
    assert all("SYNTHETIC" in d.text for d in case.documents)
    docs = {d.doc_id: d.text for d in case.documents}
    for e in [case.key.principal_dx, *case.key.secondary_dx, *case.key.procedures]:
        assert e.evidence in docs[e.evidence_doc]
    assert {d.type for d in case.documents} >= {"face_sheet", "hp", "operative", "labs", "discharge", "mar"}


def test_patient_and_encounter_are_plausible():
    for seed in range(20):
        c = generate("sepsis_uti", seed)
        p, e = c.patient, c.encounter
        assert 66 <= p.age <= 94 and p.sex in "MF"
        assert p.payer in ("Medicare", "Medicaid", "Commercial", "Self-pay")
        assert "555-01" in p.phone  # numbers reserved for fiction
        assert e.admit_datetime < e.discharge_datetime and "2026-04-01" <= e.admit_datetime[:10] <= "2026-09-30"
        assert c.key.abstract["discharge_disposition"] == e.discharge_disposition


def test_case_round_trips_through_json():
    c = generate("appendicitis_lap", 2)
    again = cases.Case.from_dict(json.loads(json.dumps(c.to_dict())))
    assert again == c
    chart = c.chart()
    assert chart.key is None and "key" not in c.to_dict(include_key=False)


def test_validation_passes_for_the_library():
    rep = validate_all(seeds=8)
    assert rep.ok, rep.problems[:10]
    assert rep.cases == 8 * len(library().scenarios)


def test_validation_catches_a_bad_key():
    from dataclasses import replace
    case = generate("heart_failure", 3)
    k = case.key
    wrong = replace(case, key=replace(k, secondary_dx=k.secondary_dx + (replace(k.principal_dx, code="I10", condition=""),)))
    problems = validate_case(wrong)
    assert any("I11.0" in p or "I10" in p for p in problems)
    bad_evidence = replace(case, key=replace(k, principal_dx=replace(k.principal_dx, evidence="not in the chart")))
    assert any("no supporting sentence" in p for p in validate_case(bad_evidence))
    poa_n = replace(case, key=replace(k, principal_dx=replace(k.principal_dx, poa="N")))
    assert any("POA N" in p for p in validate_case(poa_n))


def _copy_content(tmp_path):
    import shutil
    root = tmp_path / "content"
    for sub in ("conditions", "procedures", "teaching", "scenarios", "reference"):
        shutil.copytree(ROOT / sub, root / sub)
    return root


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d["conditions"][0].update(colour="red"), ".colour: unknown field"),
    (lambda d: d["conditions"][0].pop("code"), ".code: required field is missing"),
    (lambda d: d["conditions"][0].update(code="I50.2"), "not a valid, billable"),
    (lambda d: d["conditions"][0].update(poa="X"), "poa must be one of"),
    (lambda d: d["conditions"][0]["phrases"].update(tweet=["x"]), "unknown document type 'tweet'"),
    (lambda d: d["conditions"][0].update(teaching=["nope"]), "teaching point 'nope' does not exist"),
])
def test_strict_loading_names_file_and_field(tmp_path, mutate, needle):
    root = _copy_content(tmp_path)
    path = root / "conditions" / "cardiac.yaml"
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as exc:
        load_library(root)
    assert needle in str(exc.value) and "cardiac.yaml" in str(exc.value)


def test_scenario_reference_errors(tmp_path):
    root = _copy_content(tmp_path)
    path = root / "scenarios" / "heart_failure.yaml"
    data = yaml.safe_load(path.read_text())
    data["variants"][0]["principal"] = "no_such_condition"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match="unknown condition 'no_such_condition'"):
        load_library(root)


CONTENT_FILES = sorted(p for sub in ("conditions", "procedures", "teaching", "scenarios", "reference")
                       for p in (ROOT / sub).glob("*.yaml"))


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_content_file_is_valid(path):
    problems = file_problems(path)
    assert not problems, "\n".join(map(str, problems))


def test_every_problem_is_reported_with_file_and_field(tmp_path):
    root = _copy_content(tmp_path)
    cardiac = root / "conditions" / "cardiac.yaml"
    data = yaml.safe_load(cardiac.read_text())
    data["conditions"][0].update(colour="red", poa="X")
    data["conditions"][1].pop("code")
    cardiac.write_text(yaml.safe_dump(data))
    scenario = root / "scenarios" / "heart_failure.yaml"
    scenario.write_text(scenario.read_text() + "difficulty: 2\n")    # a duplicate key
    with pytest.raises(ContentError) as exc:
        load_library(root, check_codes=False)
    found = {(p.file.rsplit("/", 1)[-1], p.field.rsplit(".", 1)[-1], p.message.split(" (")[0]) for p in exc.value.problems}
    assert ("cardiac.yaml", "colour", "unknown field") in found
    assert ("cardiac.yaml", "code", "required field is missing") in found
    assert ("heart_failure.yaml", "difficulty", "duplicate key: this key is already set above") in found


def test_yaml_surprises_in_case_content_are_errors(tmp_path):
    root = _copy_content(tmp_path)
    path = root / "scenarios" / "heart_failure.yaml"
    path.write_text(path.read_text() + "newborn: no\n")    # YAML 1.1 reads the boolean false
    problems = file_problems(path)
    assert [(p.field, "boolean" in p.message) for p in problems][:1] == [("newborn", True)]
    with pytest.raises(ContentError, match="newborn"):
        load_library(root, check_codes=False)


def test_reference_tables_are_read_strictly(tmp_path, monkeypatch):
    from cases import loader
    monkeypatch.setattr(loader, "REFERENCE", tmp_path)
    (tmp_path / "rules.yaml").write_text("rules:\n  - id: r\n    all: [I10]\n    principal: I10\n    message: m\n")
    with pytest.raises(ContentError, match="exactly one of 'all'"):
        loader.reference("rules.yaml")
    (tmp_path / "labs.yaml").write_text("panels: {}\npanels: {}\n")
    with pytest.raises(ContentError, match="duplicate key"):
        loader.reference("labs.yaml")


def test_scenario_ids_come_from_cases(tmp_path):
    assert cases.scenario_ids() == frozenset(library().scenarios)
    (tmp_path / "x_one.yaml").write_text("id: x_one\n")
    assert cases.scenario_ids(tmp_path) == {"x_one"}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "cases", *args], capture_output=True, text=True, timeout=300)


def test_cli_list_generate_export(tmp_path):
    rows = json.loads(run_cli("list", "--json").stdout)
    assert {r["id"] for r in rows} == set(library().scenarios)
    p = run_cli("generate", "--scenario", "sepsis_uti", "--seed", "4", "--json")
    data = json.loads(p.stdout)
    for key in ("case_id", "scenario", "seed", "patient", "encounter", "documents", "key"):
        assert key in data
    assert {"abstract", "principal_dx", "secondary_dx", "procedures", "drg"} <= set(data["key"])
    assert set(data["documents"][0]) >= {"type", "title", "author", "datetime", "text"}
    md = run_cli("generate", "--scenario", "sepsis_uti", "--seed", "4", "--markdown").stdout
    assert md.startswith("# ") and "SYNTHETIC" in md
    out = tmp_path / "cases.jsonl"
    p = run_cli("export", "--seeds", "2", "--out", str(out))
    assert p.returncode == 0
    assert len(out.read_text().splitlines()) == 2 * len(rows)
    p = run_cli("generate", "--scenario", "nope", "--seed", "1")
    assert p.returncode == 2 and "unknown scenario" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("validate", "--scenario", "heart_failure", "--seeds", "3")
    assert p.returncode == 0 and "0 problems" in p.stdout


def test_learner_view_hides_key_and_coded_abstraction_answers():
    case = generate("sepsis_uti", 4)
    view = case.learner_view()
    assert "key" not in view
    for field in ("admission_type", "admission_source", "discharge_disposition"):
        assert field not in view["encounter"]
    assert view["documents"] and view["patient"]["mrn"] == case.patient.mrn
