"""codes.search ranks like an encoder's index (issue 16): exact titles and common codes first,
billable before headers, initial encounters before subsequent and sequela, pregnancy/newborn codes
only when asked for, shorthand and light misspellings understood, every PCS section searchable;
and the relevance benchmark's quality bar."""
import importlib.util
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from codes import search, vocab

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_search_relevance.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_search_relevance", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


def codes_of(query, n=20, **kw):
    return [h.display for h in search(query, limit=n, **kw)]


def test_essential_hypertension_is_i10_first_and_pregnancy_codes_wait():
    hits = search("essential hypertension", limit=10)
    assert hits[0].display == "I10"
    assert "I10" in codes_of("hypertension", 3)
    assert codes_of("htn", 1) == ["I10"] and codes_of("high blood pressure", 1) == ["I10"]
    # the query asks for pregnancy: then O10 codes lead
    assert codes_of("essential hypertension in pregnancy", 1)[0].startswith("O10")


def test_hip_fracture_lists_initial_encounters_before_sequela():
    hits = search("hip fracture", limit=40)
    sevenths = [h.code[6] for h in hits if len(h.code) == 7 and h.code.startswith("S72")]
    assert sevenths and sevenths[0] == "A"
    first_late = min((i for i, s in enumerate(sevenths) if s in "DS"), default=len(sevenths))
    assert all(s not in "A" for s in sevenths[first_late:]) or first_late == len(sevenths)
    assert all(h.billable for h in hits[:3])


def test_billable_codes_before_headers():
    hits = search("acute pancreatitis", limit=10)
    assert hits[0].billable and "K85.90" in [h.display for h in hits[:3]]
    flags = [h.billable for h in hits if h.system == "CM"]
    assert flags[: flags.index(False)] and all(flags[: flags.index(False)])


def test_hemiarthroplasty_hip_reaches_0sr_and_pcs_sections_are_searchable():
    assert any(c.startswith("0SR") for c in codes_of("hemiarthroplasty hip", 5))
    assert codes_of("mechanical ventilation more than 96 hours", 1) == ["5A1955Z"]
    assert "3E03317" in codes_of("tpa peripheral iv", 3)
    assert "HZ2ZZZZ" in codes_of("detoxification", 5, system="PCS")
    assert any(c.startswith("B2") for c in codes_of("fluoroscopy coronary", 5))


def test_abbreviations_and_spelling():
    assert codes_of("nstemi", 1) == ["I21.4"]
    assert "N17.9" in codes_of("aki", 3)
    assert "T83.511A" in codes_of("cauti", 3)
    assert "K92.2" in codes_of("gi bleed", 3)
    assert any(c.startswith("I50.2") for c in codes_of("hfref", 3))
    assert codes_of("pnuemonia", 1) == ["J18.9"]
    assert codes_of("hypertention", 1) == ["I10"]
    assert vocab.stem("fractured") == vocab.stem("fracture")


def test_a_mistyped_code_finds_nothing_rather_than_its_numbers():
    assert search("ZZZ.999", system="CM") == [] and search("0DTJ4ZZ", system="CM") == []


def test_partial_codes_list_the_code_then_below_it():
    hits = search("S72.001", limit=10)
    assert hits[0].display == "S72.001" and hits[0].match == "exact code"
    assert hits[1].display == "S72.001A"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, "CM", "PCS", "cm", "bogus"]),
       st.sampled_from(["encoder", "plain", "legacy", "nonsense"]))
def test_garbage_never_raises(text, system, ranking):
    hits = search(text, system=system, limit=5, ranking=ranking)
    assert isinstance(hits, list) and len(hits) <= 5


def test_relevance_benchmark_quality():
    """The benchmark's own numbers: hit@5 >= 90 % on the main set, better than the legacy ranking,
    and the held-out set (never tuned on) stays well above the legacy ranking too."""
    b = _bench()
    main, holdout = b.load(b.DATA), b.load(b.HOLDOUT)
    assert len(main) >= 150
    assert b.unknown_codes(main + holdout) == []
    new, old = b.evaluate("encoder", main), b.evaluate("legacy", main)
    assert new.hit5 >= 0.90, [(c.query, r) for c, r in new.ranks if not r or r > 5]
    assert new.mrr > old.mrr and new.hit5 > old.hit5
    held = b.evaluate("encoder", holdout)
    assert held.hit5 >= 0.8 and held.hit5 > b.evaluate("legacy", holdout).hit5


def test_index_defaults_and_closed_before_open_fractures():
    assert codes_of("diabetes", 1) == ["E11.9"]            # type not documented: type 2 (I.C.4.a.2)
    assert codes_of("respiratory failure", 1) == ["J96.90"]
    hits = search("fracture of coccyx", limit=10)
    order = [h.code for h in hits if h.code.startswith("S322XX")]
    assert order.index("S322XXA") < order.index("S322XXB")  # closed (A) before open (B)


def test_a_pcs_table_typed_as_a_code_is_named_by_its_characters():
    hit = search("0SR", limit=1)[0]
    assert hit.code == "0SR" and hit.match == "exact code" and hit.title == "Medical and Surgical, Lower Joints, Replacement"
