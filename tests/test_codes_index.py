"""codes.index: Alphabetic-Index-style lookup (main term -> subterms -> code, with notes)."""
from hypothesis import given, settings
from hypothesis import strategies as st

from codes import index


def flat(entries):
    return [(d, e) for top in entries for d, e in top.walk()]


def test_pcs_index_is_the_cms_index_parsed_into_a_tree():
    [appy] = [e for e in index.lookup("appendectomy", "PCS") if e.term == "Appendectomy"]
    assert appy.source == "CMS ICD-10-PCS Index"
    assert {(n.kind, n.code) for n in appy.notes} >= {("see", "0DTJ"), ("see", "0DBJ")}
    [assist] = index.lookup_pcs("Assistance")[:1]
    codes = {e.code for _d, e in assist.walk()}
    assert "5A0955Z" in codes and "5A02210" in codes
    depths = {e.term: d for d, e in assist.walk()}
    assert depths["Respiratory"] == 1 and depths["Greater than 96 Consecutive Hours"] == 2
    # continued pages are merged into one main term, not repeated
    assert [e.term for e in index.lookup_pcs("replacement")].count("Replacement") == 1


def test_hemiarthroplasty_sees_replacement_lower_joints_0sr():
    entries = index.lookup("Hemiarthroplasty", "PCS")
    notes = [n for e in entries for n in e.notes]
    assert any(n.kind == "see" and n.code == "0SR" and "Replacement, Lower Joints" in n.text for n in notes)
    assert {"0SRR", "0SRS"} <= {e.code for _d, e in flat(entries)}
    assert entries[0].source == "ChartLab supplement"


def test_cm_substitute_index_has_subterms_codes_and_notes():
    entries = index.lookup("stroke", "CM")
    sup = entries[0]
    assert sup.source == "ChartLab supplement" and sup.notes[0].kind == "see" and sup.notes[0].code == "I63"
    derived = entries[-1]
    assert derived.source.startswith("tabular list")
    codes = [e.display for _d, e in derived.walk() if e.code]
    assert "I63.9" in codes
    hf = index.lookup("heart failure", "CM")[-1]
    first_sub = hf.subterms[0]
    assert first_sub.code == "I50" and any(n.kind == "code first" for n in first_sub.notes)
    assert "I50.9" in [s.display for s in first_sub.subterms]
    assert any(n.kind == "code also" for _d, e in index.lookup("hypertension", "CM")[0].walk() for n in e.notes)


def test_pcs_terms_browse_alphabetically():
    terms = index.pcs_terms("hemi")
    assert terms == sorted(terms, key=str.lower) and "Hemiarthroplasty" in terms and "Hemicolectomy" in terms


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=40), st.integers()), st.sampled_from(["CM", "PCS", None, "x"]))
def test_garbage_never_raises(term, system):
    out = index.lookup(term, system)
    assert isinstance(out, list)
    index.pcs_terms(term if isinstance(term, str) else "")


def test_cli_index_and_search_ranking(capsys):
    from codes.__main__ import main
    assert main(["index", "appendectomy", "--system", "pcs"]) == 0
    out = capsys.readouterr().out
    assert "CMS ICD-10-PCS Index" in out and "0DTJ" in out
    assert main(["search", "htn", "--limit", "1"]) == 0
    assert capsys.readouterr().out.startswith("I10")
