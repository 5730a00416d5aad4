"""scoring.precheck: what a claim needs before it is submitted (blank answer, abstraction fields,
principal diagnosis, codes, POA, UB-04 limits, procedure dates within the stay, MS-DRG)."""
from datetime import date

import codes
import scoring
from cases.model import ABSTRACT_FIELDS, Answer

STAY = (date(2026, 5, 25), date(2026, 5, 29))
FULL = {name: "x" for name in ABSTRACT_FIELDS}


def test_blank_answer_is_the_only_problem():
    assert scoring.precheck(Answer()) == ["Nothing has been entered yet."]


def test_a_complete_valid_answer_has_no_problems():
    a = Answer(abstract=FULL, principal_dx=("I110", "Y"), secondary_dx=(("I5033", "Y"),),
               procedures=(("0DTJ4ZZ", "2026-05-27"),), drg="291")
    assert scoring.precheck(a, STAY) == []


def test_every_problem_is_listed_in_words():
    a = Answer(abstract={"admission_type": "1"}, principal_dx=("I50", ""),
               secondary_dx=(("Z99.999", "Y"),), procedures=(("0DTJ4ZZ", "2026-06-30"), ("0DTJ4ZX", "")), drg="998")
    problems = scoring.precheck(a, STAY)
    text = "\n".join(problems)
    assert problems[0].startswith("Abstraction fields left blank: ") and "Admission type" not in problems[0]
    assert "Diagnosis I50: " in text and "header" in text and "Diagnosis I50 has no POA indicator." in text
    assert "Diagnosis Z99.999: Z99.999 is not an ICD-10-CM code" in text
    assert "outside the stay (2026-05-25 to 2026-05-29)" in text and "Procedure 0DTJ4ZX: no procedure date." in text
    assert "MS-DRG 998 does not exist" in text


def test_no_principal_and_ub04_limits():
    sdx = tuple((c, "Y") for c in ["I10", "E119", "N179", "E871", "J449", "F17210", "Z7901", "E785", "K219", "I480",
                                   "N390", "D649", "E1122", "I2510", "Z955", "G4733", "M109", "F329", "E039", "N400",
                                   "R338", "Z87891", "Z8673", "E6601", "Z6841", "I739"])
    problems = scoring.precheck(Answer(abstract=FULL, secondary_dx=sdx))
    assert "No principal diagnosis: every inpatient claim needs one." in problems
    assert f"26 secondary diagnoses: a UB-04 claim carries at most {codes.MAX_SDX}." in problems
    assert scoring.claim_limit_problems(codes.MAX_SDX, codes.MAX_PROC) == []
    assert scoring.claim_limit_problems(0, codes.MAX_PROC + 1) == [
        f"{codes.MAX_PROC + 1} procedures: a UB-04 claim carries at most {codes.MAX_PROC}."]


def test_procedure_date_problem():
    assert scoring.procedure_date_problem("2026-05-27", STAY) == ""
    assert scoring.procedure_date_problem(date(2026, 5, 25), STAY) == ""
    assert scoring.procedure_date_problem("2026-05-24", STAY).startswith("the date 2026-05-24 is outside the stay")
    assert scoring.procedure_date_problem("", STAY) == scoring.procedure_date_problem("soon", None) == "no procedure date."
    assert scoring.procedure_date_problem("2020-01-01", None) == ""
