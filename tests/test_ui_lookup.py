"""AppTest: the code lookup page for an anonymous visitor (issue 2's first page)."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def lookup_page(tmp_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("ui/pages/code_lookup.py").run()
    assert not at.exception, at.exception
    return at


def test_search_and_notes(tmp_db):
    at = lookup_page(tmp_db)
    at.text_input(key="lookup_q").input("heart failure").run()
    assert not at.exception
    df = at.dataframe[0].value
    assert "I50.9" in list(df["Code"])
    at.text_input(key="lookup_direct").input("i50.21").run()
    md = " ".join(m.value for m in at.markdown)
    assert "I50.21" in md and "Acute systolic" in md and "Billable" in md


def test_bad_input_never_crashes(tmp_db):
    at = lookup_page(tmp_db)
    for junk in ["%%%", "' OR 1=1 --", "I5", "0DTO4ZZ", "💥" * 10]:
        at.text_input(key="lookup_q").input(junk).run()
        at.text_input(key="lookup_direct").input(junk).run()
        assert not at.exception, junk


def test_pcs_view_and_drg_calculator(tmp_db):
    at = lookup_page(tmp_db)
    at.text_input(key="lookup_direct").input("0DTJ4ZZ").run()
    table = at.dataframe[-1].value
    assert "Resection" in list(table["Meaning"])
    at.text_input(key="drg_pdx").input("I50.23")
    at.text_area(key="drg_sdx").input("N17.9 Y\nJ96.01 Y")
    submit = [b for b in at.button if b.label == "Group"][0]
    submit.click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["MS-DRG"] == "291"
    at.text_input(key="drg_pdx").input("")
    [b for b in at.button if b.label == "Group"][0].click().run()
    assert not at.exception and any("principal diagnosis" in e.value for e in at.error)


def test_pcs_builder_offers_valid_characters(tmp_db):
    at = lookup_page(tmp_db)
    first = at.selectbox(key="lookup_builder_0_")
    assert set(first.options) >= {"—", "0 – Medical and Surgical"}
    first.set_value("0 – Medical and Surgical").run()
    assert not at.exception
    second = at.selectbox(key="lookup_builder_1_0")
    assert any("Gastrointestinal" in o for o in second.options)


def test_busy_database_gives_a_message_not_a_traceback(tmp_db, monkeypatch):
    import sqlite3

    import progress
    user = progress.provision_user("kim", "Coding-db-2026-x", "learner", "Kim Learner")

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(progress, "scores_over_time", locked)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    at.run()
    assert not at.exception
    assert any("database is busy" in e.value for e in at.error)


def test_builder_offers_every_section_with_its_own_axis_names(tmp_db):
    at = lookup_page(tmp_db)
    first = at.selectbox(key="lookup_builder_0_")
    assert {"5 – Extracorporeal or Systemic Assistance and Performance", "B – Imaging", "H – Substance Abuse Treatment"} <= set(first.options)
    first.set_value("5 – Extracorporeal or Systemic Assistance and Performance").run()
    for i, prefix in enumerate(["5", "5A", "5A1", "5A19", "5A195", "5A1955"], start=1):
        box = at.selectbox(key=f"lookup_builder_{i}_{prefix}")
        if prefix == "5A19":
            assert box.label == "Duration" and any("96" in o for o in box.options)
        box.set_value(next(o for o in box.options if o.startswith("5A1955Z"[i]))).run()
    assert not at.exception
    assert any("5A1955Z" in s.value for s in at.success)


def test_alphabetic_index_tab(tmp_db):
    at = lookup_page(tmp_db)
    at.radio(key="index_book").set_value("ICD-10-PCS").run()
    at.text_input(key="index_term").input("hemiarthroplasty").run()
    md = " ".join(m.value for m in at.markdown)
    assert "Replacement, Lower Joints" in md and "`0SR`" in md
    at.radio(key="index_book").set_value("ICD-10-CM").run()
    at.text_input(key="index_term").input("stroke").run()
    md = " ".join(m.value for m in at.markdown)
    assert "Infarction, cerebral" in md and "I63.9" in md
    at.text_input(key="index_term").input("<script>*x*</script>").run()
    assert not at.exception
    assert not any("<script>" in m.value and "\\<script" not in m.value for m in at.markdown)
