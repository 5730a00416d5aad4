"""Hand-built reference keys for tests, the benchmark and CLI examples.

These are not teaching content (that lives in cases/ as data); they are small, realistic
fixtures whose DRG and weight always come from the reference grouper, never typed in.
"""
from __future__ import annotations

from dataclasses import replace

from cases.model import AnswerKey, CodeEntry, TeachingPoint

from .clean import read_key
from .grouping import group, key_claim

TEACHING = (
    TeachingPoint("tp-hf-specificity", "Heart failure: type and acuity", "I.B.2",
                  "Code heart failure to the type (systolic, diastolic, combined) and acuity (acute, chronic, acute "
                  "on chronic) the provider documents; an unspecified code is a last resort.",
                  "Choosing I50.9 or I50.21 when the provider wrote 'acute on chronic systolic'."),
    TeachingPoint("tp-arf-secondary", "Acute respiratory failure as a secondary diagnosis", "I.C.10.b.2",
                  "When heart failure occasioned the admission, acute respiratory failure that was treated is still "
                  "reported, as a secondary diagnosis; it is an MCC.",
                  "Leaving it out because it 'goes with' the heart failure."),
    TeachingPoint("tp-insulin", "Diabetes and long-term insulin", "I.C.4.a.3",
                  "A patient with type 2 diabetes on routine insulin gets Z79.4 as well as the diabetes code.",
                  "Coding type 1 diabetes because the patient uses insulin."),
    TeachingPoint("tp-poa-hac", "POA for conditions that develop during the stay", "Appendix I",
                  "A pressure injury first documented days after admission, with a normal admission skin assessment, "
                  "was not present on admission (N); it is a hospital-acquired condition.",
                  "Assigning Y because the patient was frail on arrival."),
    TeachingPoint("tp-expired", "Discharge status and the AMI DRGs", "UB-04 FL 17",
                  "Myocardial infarction DRGs split on whether the patient was discharged alive, so status 20 "
                  "(expired) changes the DRG.",
                  "Reporting 01 out of habit."),
)


def _abstract(admit: str, discharge: str, type_: str, source: str, disposition: str, attending: str,
              payer: str = "Medicare") -> dict:
    return {"admission_date": admit, "discharge_date": discharge, "admission_type": type_,
            "admission_source": source, "discharge_disposition": disposition,
            "attending_physician": attending, "expected_payer": payer}


def _dx(code, poa="Y", doc="", text="", teaching=(), alternatives=()) -> CodeEntry:
    return CodeEntry(code=code, poa=poa, evidence_doc=doc, evidence=text, teaching=tuple(teaching),
                     alternatives=tuple(alternatives))


def grouped(key: AnswerKey) -> AnswerKey:
    """The key with DRG, title, MDC, weight and severity set by the reference grouper."""
    g = group(key_claim(read_key(key)))
    return replace(key, drg=g.drg, drg_title=g.drg_title, mdc=g.mdc, weight=g.weight, severity=g.severity)


def heart_failure() -> AnswerKey:
    """Acute on chronic systolic HF with acute hypoxic respiratory failure (an MCC) -> DRG 291 family."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-03-03", "2026-03-05", "1", "1", "01", "Dana Whitfield, MD"),
        principal_dx=_dx("I50.23", doc="hp-1", text="Acute on chronic systolic heart failure, EF 25%.",
                         teaching=("tp-hf-specificity",)),
        secondary_dx=(
            _dx("J96.01", doc="prog-1", text="Acute hypoxic respiratory failure, SpO2 84% on room air, BiPAP started.",
                teaching=("tp-arf-secondary",)),
            _dx("N17.9", doc="prog-2", text="Creatinine up from 1.0 to 2.1: acute kidney injury, likely cardiorenal."),
            _dx("E11.9", doc="hp-1", text="Type 2 diabetes, on insulin glargine.", teaching=("tp-insulin",)),
            _dx("Z79.4", poa="1", doc="mar-1", text="Insulin glargine 20 units nightly.", teaching=("tp-insulin",)),
            _dx("F17.210", doc="hp-1", text="Smokes one pack of cigarettes a day.", alternatives=("F17.200",)),
        ),
        teaching_points=TEACHING, sex="M", age=72))


def heart_failure_simple() -> AnswerKey:
    """Acute on chronic systolic HF without CC/MCC -> the lowest level of the family."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-04-06", "2026-04-08", "1", "1", "01", "Dana Whitfield, MD"),
        principal_dx=_dx("I50.23", doc="hp-1", text="Acute on chronic systolic heart failure."),
        secondary_dx=(_dx("E11.9", doc="hp-1", text="Type 2 diabetes, diet controlled."),
                      _dx("E78.5", doc="hp-1", text="Hyperlipidemia on atorvastatin.")),
        teaching_points=TEACHING, sex="F", age=68))


def hip_fracture_hac() -> AnswerKey:
    """Femoral neck fracture, hemiarthroplasty; a stage 3 sacral pressure ulcer arose in hospital (HAC)."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-02-10", "2026-02-14", "1", "1", "03", "Priya Raman, MD"),
        principal_dx=_dx("S72.001A", doc="ed-1", text="Displaced fracture of the right femoral neck after a fall."),
        secondary_dx=(
            _dx("L89.153", poa="N", doc="prog-3", text="New stage 3 sacral pressure injury; admission skin check intact.",
                teaching=("tp-poa-hac",)),
            _dx("I10", doc="hp-1", text="Hypertension on lisinopril."),
            _dx("D62", poa="N", doc="prog-1", text="Hemoglobin 7.1 after surgery: acute blood loss anemia, transfused."),
        ),
        procedures=(CodeEntry("0SRR0J9", date="2026-02-11", evidence_doc="op-1",
                              evidence="Right hip cemented hemiarthroplasty, femoral component."),
                    CodeEntry("30233N1", date="2026-02-12", evidence_doc="mar-1",
                              evidence="One unit packed red cells through a peripheral IV.")),
        teaching_points=TEACHING, sex="F", age=81))


def ami_expired() -> AnswerKey:
    """NSTEMI, patient died on day 2: discharge status 20 sets the 'expired' DRG."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-01-20", "2026-01-22", "1", "1", "20", "Marcus Lee, MD"),
        principal_dx=_dx("I21.4", doc="hp-1", text="NSTEMI, troponin peaked at 4.2."),
        secondary_dx=(_dx("I25.10", doc="hp-1", text="Known coronary artery disease."),
                      _dx("I10", doc="hp-1", text="Hypertension.")),
        teaching_points=TEACHING, sex="M", age=77))


def appendicitis() -> AnswerKey:
    """Acute appendicitis, laparoscopic appendectomy, morbid obesity with BMI 41."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-05-11", "2026-05-13", "1", "1", "01", "Ana Ortiz, MD", "Commercial - Acme Health"),
        principal_dx=_dx("K35.80", doc="op-1", text="Acute appendicitis without perforation."),
        secondary_dx=(_dx("E66.01", doc="hp-1", text="Morbid obesity due to excess calories."),
                      _dx("Z68.41", poa="1", doc="nursing-1", text="BMI 41.2.")),
        procedures=(CodeEntry("0DTJ4ZZ", date="2026-05-11", evidence_doc="op-1",
                              evidence="Laparoscopic appendectomy; appendix removed entirely."),),
        teaching_points=TEACHING, sex="F", age=34))


def pneumonia_dementia() -> AnswerKey:
    """Pneumonia in a patient with Alzheimer's dementia (etiology/manifestation pair)."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-03-15", "2026-03-19", "1", "5", "03", "Marcus Lee, MD"),
        principal_dx=_dx("J18.9", doc="hp-1", text="Right lower lobe pneumonia."),
        secondary_dx=(_dx("G30.9", doc="hp-1", text="Alzheimer's disease."),
                      _dx("F02.80", doc="hp-1", text="Dementia due to Alzheimer's, no behavioral disturbance."),
                      _dx("E87.1", doc="prog-1", text="Sodium 126, hyponatremia, fluid restriction.")),
        teaching_points=TEACHING, sex="F", age=84))


def hypertensive_hf_ckd() -> AnswerKey:
    """Hypertensive heart and chronic kidney disease with heart failure: I13.0 needs its I50 partner."""
    return grouped(AnswerKey(
        abstract=_abstract("2026-06-01", "2026-06-04", "1", "1", "06", "Dana Whitfield, MD"),
        principal_dx=_dx("I13.0", doc="hp-1", text="Hypertensive heart and kidney disease with heart failure."),
        secondary_dx=(_dx("I50.23", doc="hp-1", text="Acute on chronic systolic heart failure."),
                      _dx("N18.4", doc="hp-1", text="CKD stage 4.")),
        teaching_points=TEACHING, sex="F", age=70))


ALL = {f.__name__: f for f in (heart_failure, heart_failure_simple, hip_fracture_hac, ami_expired, appendicitis,
                                pneumonia_dementia, hypertensive_hf_ckd)}
