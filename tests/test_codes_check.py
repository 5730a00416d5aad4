"""codes.check: the one code-entry check (diagnosis, procedure, MS-DRG) and codes.system_of, the
one rule for a code whose shape fits both ICD-10-CM and ICD-10-PCS."""
import pytest

import codes


def test_diagnosis_checks():
    ok = codes.check(" i50.33 ", codes.CM)
    assert (ok.code, ok.display, ok.billable, ok.ok) == ("I5033", "I50.33", True, True) and ok.title
    header = codes.check("I50", codes.CM)
    assert header.ok and not header.billable and "header" in header.warning
    assert "enter it under Procedures" in codes.check("0DTJ4ZZ", codes.CM).error
    assert "not an ICD-10-CM code in FY2026" in codes.check("Z99.999", codes.CM).error
    for junk in ["", "%%%", "💥" * 30, None, 12]:
        assert codes.check(junk, codes.CM).error


def test_procedure_checks():
    ok = codes.check("0dtj4zz", codes.PCS)
    assert (ok.code, ok.display, ok.billable) == ("0DTJ4ZZ", "0DTJ4ZZ", True) and ok.title
    assert "ICD-10-CM diagnosis code" in codes.check("I50.33", codes.PCS).error
    assert "not a valid ICD-10-PCS code in FY2026" in codes.check("0DTJ4ZX", codes.PCS).error
    assert codes.check("", codes.PCS).error and codes.check("0DTJ.4ZZ", codes.PCS).error


def test_drg_checks():
    ok = codes.check("291", codes.DRG)
    assert (ok.code, ok.display) == ("291", "291") and ok.title
    assert codes.check("DRG 064", codes.DRG).code == "064" and codes.check("MS-DRG 291", codes.DRG).ok
    assert "MS-DRG v43.1 (FY2026)" in codes.check("000", codes.DRG).error + codes.check("998", codes.DRG).error
    for junk in ["", "x1", "1000", "-5"]:
        assert codes.check(junk, codes.DRG).error


@pytest.mark.parametrize("code, system", [
    ("0DTJ4ZZ", codes.PCS),     # digit first: only PCS has that shape
    ("B2111ZZ", codes.PCS),     # imaging: letter + digit, but not an ICD-10-CM code
    ("S72001A", codes.CM),      # a 7-character ICD-10-CM code
    ("S72001Z", codes.CM),      # a mistyped 7th character stays a (wrong) diagnosis, not a procedure
    ("I50.21", codes.CM), ("", ""), ("%%", ""),
])
def test_system_of_one_rule(code, system):
    assert codes.system_of(code) == system


def test_lookup_and_validity_follow_system_of():
    assert codes.lookup("B2111ZZ").code == "B2111ZZ" and codes.lookup("S72001A").code == "S72001A"
    assert codes.is_valid("B2111ZZ") == codes.pcs.is_valid("B2111ZZ") and not codes.is_valid("S72001Z")
    assert codes.FY_LABEL == f"FY{codes.DEFAULT_FY}" and codes.GROUPER_LABEL == codes.version_label(codes.DEFAULT_VERSION)
    assert codes.version_label(440) == "MS-DRG v44.0"
