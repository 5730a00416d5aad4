"""The grouper adapter: known DRGs, every trap the issue measured, CLI behaviour."""
import json
import subprocess
import sys

import pytest

from codes import Claim, coerce_claim, group, weights


def g(pdx, sdx=(), procs=(), **kw):
    kw.setdefault("age", 72)
    kw.setdefault("sex", "M")
    return group(Claim(pdx, "Y", tuple(sdx), tuple(procs), **kw))


def test_severity_levels_of_heart_failure():
    assert g("I50.23").drg == 293
    assert g("I50.23", [("N17.9", "Y")]).drg == 292
    r = g("I50.23", [("N17.9", "Y"), ("J96.01", "Y")])
    assert r.drg == 291 and r.severity == "MCC" and r.type == "MED"
    roles = {c.display: c for c in r.codes}
    assert roles["J96.01"].role == "MCC" and roles["J96.01"].drives
    assert roles["N17.9"].role == "CC" and not roles["N17.9"].drives
    assert r.weight == weights.lookup(291).weight and r.gmlos == weights.lookup(291).gmlos


def test_sepsis_groups_to_871_not_862():
    r = g("A41.9", [("R65.21", "Y")])
    assert r.drg == 871 and r.mdc == 18


def test_hip_fracture_with_hemiarthroplasty_is_not_903():
    r = g("S72.001A", procs=["0SRB0J9"], age=80, sex="F")
    assert r.ok and r.type == "SURG" and r.drg != 903
    proc = [c for c in r.codes if c.kind == "proc"][0]
    assert proc.drives and "O.R." in proc.role


def test_dotted_or_lowercase_secondary_is_not_lost():
    assert g("I50.23", [("n17.9", "Y")]).drg == 292
    assert g("I50.23", [(" N17.9 ", "y")]).drg == 292


def test_invalid_codes_are_reported_not_silently_dropped():
    r = g("I50.23", [("N18.3", "Y")], ["0DTJ4ZX"])
    assert r.drg == 293
    assert set(r.ignored) == {"N183", "0DTJ4ZX"}
    assert any("N18.3" in w for w in r.warnings) and any("0DTJ4ZX" in w for w in r.warnings)
    assert any(e.name == "INVALID_CODE" for e in r.edits)


def test_non_or_procedure_is_not_called_or():
    r = g("I50.23", procs=["5A1955Z"])
    proc = [c for c in r.codes if c.kind == "proc"][0]
    assert "non-O.R." in proc.role and not proc.drives


def test_hac_flags_and_missing_poa_never_reach_the_grouper_blank():
    r = group(Claim("I50.23", "Y", (("T83.511A", "N"), ("N39.0", "N")), age=80, sex="F"))
    assert r.drg != 999
    assert any("Catheter" in c.hac for c in r.codes)
    r2 = group(Claim("I50.23", "Y", (("T83.511A", ""), ("N39.0", "?")), age=80, sex="F"))
    assert r2.drg != 999 and any("POA" in w for w in r2.warnings)


def test_exempt_poa_is_accepted():
    r = group(Claim("I50.23", "Y", (("Z79.4", "1"),)))
    assert r.ok and not r.warnings


def test_claim_level_validation():
    r = group(Claim("", age=-5, disposition="999"))
    assert not r.ok and r.drg is None
    text = " ".join(r.errors)
    assert "principal diagnosis" in text and "Age -5" in text and "999" in text
    assert not group(Claim("I10", age=200)).ok
    assert not group(Claim("I10", sex="X")).ok
    assert not group(Claim("I10", version=999)).ok
    assert not group(Claim("0DTJ4ZZ")).ok  # a procedure as principal diagnosis


def test_manifestation_as_principal_raises_mce_edit():
    r = g("G01")
    assert r.drg is not None  # grouping alone does not catch it
    edit = [e for e in r.edits if e.name == "MANIFESTATION_AS_PDX"][0]
    assert edit.code == "G01" and "underlying" in edit.message


def test_sex_conflict_warned_by_us():
    r = g("O80", [("Z37.0", "1")], age=30, sex="M")
    assert any("female-only" in w for w in r.warnings)


def test_caps_and_duplicates():
    sdx = [(c, "Y") for c in ["E11.9", "I10", "E78.5", "Z79.4", "K21.9", "F32.A", "G47.33", "M19.90", "N40.0",
                              "E03.9", "D64.9", "F41.9", "Z87.891", "Z95.5", "I25.10", "Z79.01", "I48.91",
                              "E66.9", "Z68.30", "G89.29", "M81.0", "H40.9", "Z96.651", "E55.9", "K59.00", "E11.9"]]
    r = g("I50.23", sdx)
    assert sum(1 for c in r.codes if c.kind == "sdx") == 24
    assert any("24" in w for w in r.warnings) and any("more than once" in w for w in r.warnings)


def test_disposition_and_transfer_note():
    r = group(Claim("I50.23", "Y", (("J96.01", "Y"),), age=80, sex="F", disposition="3", los_days=1))
    assert r.ok and "post-acute" in r.transfer_note


def test_coerce_claim_from_json_forms():
    c = coerce_claim({"pdx": "A41.9", "sdx": [{"code": "R65.21", "poa": "Y"}, "N17.9:Y", "E11.9"],
                      "procedures": [{"code": "0DTJ4ZZ"}], "age": 70, "sex": "M", "disposition": "01"})
    assert c.sdx == (("R65.21", "Y"), ("N17.9", "Y"), ("E11.9", "Y")) and c.procedures == ("0DTJ4ZZ",)
    with pytest.raises(ValueError):
        coerce_claim(["not", "a", "dict"])


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "codes", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def test_cli_group_json():
    p = run_cli("group", "--pdx", "I50.21", "--pdx-poa", "Y", "--sdx", "N17.9:Y", "E11.65:Y", "--proc", "02703DZ",
                "--age", "70", "--sex", "M", "--disposition", "01", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    for key in ("drg", "drg_title", "mdc", "type", "weight", "gmlos", "severity", "return_code", "edits", "codes"):
        assert key in out
    assert out["type"] == "SURG" and {c["code"] for c in out["codes"]} >= {"I50.21", "N17.9", "02703DZ"}


def test_cli_batch_keeps_going_after_a_bad_line():
    lines = "\n".join([json.dumps({"pdx": "A41.9", "pdx_poa": "Y", "sdx": [{"code": "R65.21", "poa": "Y"}],
                                   "age": 70, "sex": "M", "disposition": "01"}), "{not json", json.dumps({"pdx": "I10"})])
    p = run_cli("group", "--batch", "-", stdin=lines)
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r.get("drg") for r in rows] == [871, None, 305]
    assert rows[1]["ok"] is False and "line 2" in rows[1]["error"]


def test_cli_search_show_and_errors():
    p = run_cli("search", "heart failure", "--limit", "3", "--json")
    assert json.loads(p.stdout)[0]["code"] == "I50.9"
    p = run_cli("show", "0DTJ4ZZ", "--json")
    assert json.loads(p.stdout)["characters"][2]["meaning"] == "Resection"
    p = run_cli("show", "I50.21")
    assert "Acute systolic" in p.stdout and "excludes1" in p.stdout
    for bad in (["group", "--age", "x"], ["show", "???"], ["nonsense"], ["group"], ["search", "x", "--limit", "0"]):
        p = run_cli(*bad)
        assert p.returncode == 2, bad
        assert "Traceback" not in p.stderr and p.stderr.startswith(("error", "usage")), p.stderr
