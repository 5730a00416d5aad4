"""Property tests for scoring invariants (hypothesis)."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codes
import scoring
from cases.model import ABSTRACT_FIELDS, Answer
from scoring import grouping, samples

KEYS = [make() for make in samples.ALL.values()]
# Billable codes in categories no sample key uses: never a match or near miss for any key.
WRONG_DX = ["K21.9", "M54.50", "L40.0", "H40.9", "B35.1", "G47.33", "M17.11", "H52.4", "L57.0", "Z86.73"]
WRONG_PCS = ["5A1955Z", "BW03ZZZ", "8E0ZXY6"]
GARBAGE = ["", "   ", "xyz", "I50", "I50.2", "123", "S72.001", "0DTJ4Z", "I5O.23", "💊", "i50.23", "0dtj4zz",
           "A" * 60]
POAS = ["Y", "N", "U", "W", "1", "", "y", "X", "yes"]
# SCORING_EXAMPLES=2000 for a longer hunt; the suite default keeps `make test` quick.
SETTINGS = settings(max_examples=int(os.environ.get("SCORING_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _key_dx(key):
    return [e.code for e in (key.principal_dx,) + key.secondary_dx]


def _siblings(code):
    parent = codes.cm.info(code)
    parent = parent.path[-1][0] if parent and parent.path else ""
    inf = codes.cm.info(parent) if parent else None
    return [c for c, _t in inf.children if c.replace(".", "") != code.replace(".", "")][:3] if inf else []


def _near_pcs(code):
    return [code[:4] + ("0" if code[4] != "0" else "4") + code[5:]]


def _wrong_ok():
    cats = {codes.normalize(c).code[:3] for k in KEYS for c in _key_dx(k)}
    assert not cats & {codes.normalize(c).code[:3] for c in WRONG_DX}
    assert all(codes.is_valid(c) for c in WRONG_DX + WRONG_PCS)


_wrong_ok()


@st.composite
def case_and_answer(draw):
    key = draw(st.sampled_from(KEYS))
    dx = _key_dx(key)
    dx_pool = dx + [s for c in dx for s in _siblings(c)] + WRONG_DX + GARBAGE
    procs = [e.code for e in key.procedures]
    pcs_pool = procs + [n for c in procs for n in _near_pcs(c)] + WRONG_PCS + GARBAGE[:4]
    entry = st.tuples(st.sampled_from(dx_pool), st.sampled_from(POAS))
    abstract = {f: draw(st.sampled_from([v, "", "garbage", str(v).lower()])) for f, v in key.abstract.items()}
    answer = Answer(abstract=abstract, principal_dx=draw(entry), secondary_dx=tuple(draw(st.lists(entry, max_size=8))),
                    procedures=tuple((c, "") for c in draw(st.lists(st.sampled_from(pcs_pool), max_size=3))),
                    drg=draw(st.sampled_from(["", str(key.drg), "292", "DRG 999", "x"])))
    return key, answer


def _total(answer, key, rubric=None):
    return scoring.score(answer, key, rubric).total


@pytest.mark.parametrize("rubric", ["practice", "exam"])
@pytest.mark.parametrize("key", KEYS, ids=list(samples.ALL))
def test_key_scores_100(key, rubric):
    r = scoring.score(Answer.from_key(key), key, rubric)
    assert r.total == 100.0 and not [f for f in r.feedback if f.severity == "error"]


@pytest.mark.parametrize("scenario", ["heart_failure", "sepsis_uti", "appendicitis_lap"])
def test_generated_keys_score_100(scenario):
    cases = pytest.importorskip("cases")
    for seed in (1, 2):
        case = cases.generate(scenario, seed)
        assert scoring.score(Answer.from_key(case.key), case.key).total == 100.0


@SETTINGS
@given(case_and_answer(), st.sampled_from(["practice", "exam"]))
def test_scores_stay_in_range(ka, rubric):
    key, answer = ka
    r = scoring.score(answer, key, rubric)
    assert 0.0 <= r.total <= 100.0
    for c in r.components:
        assert 0.0 <= c.score <= c.max <= 100.0
        assert all(0.0 <= i.score <= i.max + 1e-9 for i in c.items)
        assert c.score == pytest.approx(sum(i.score for i in c.items), abs=1e-6)
    assert r.total == pytest.approx(sum(c.score for c in r.components), abs=0.01)
    assert {i.status for i in r.items} <= set(scoring.STATUSES)
    assert {f.kind for f in r.feedback} <= set(scoring.KINDS)


@SETTINGS
@given(case_and_answer(), st.randoms(use_true_random=False))
def test_reordering_secondaries_does_not_change_the_score(ka, rnd):
    key, answer = ka
    shuffled = list(answer.secondary_dx)
    rnd.shuffle(shuffled)
    a = scoring.score(answer, key)
    b = scoring.score(replace(answer, secondary_dx=tuple(shuffled)), key)
    assert a.total == b.total
    assert [(c.name, c.score) for c in a.components] == [(c.name, c.score) for c in b.components]


@SETTINGS
@given(case_and_answer(), st.sampled_from(WRONG_DX + WRONG_PCS), st.sampled_from(POAS),
       st.sampled_from(["practice", "exam"]))
def test_adding_a_wrong_code_never_raises_the_score(ka, wrong, poa, rubric):
    key, answer = ka
    if codes.normalize(wrong).system == codes.PCS:
        more = replace(answer, procedures=answer.procedures + ((wrong, ""),))
    else:
        more = replace(answer, secondary_dx=answer.secondary_dx + ((wrong, poa),))
    assert _total(more, key, rubric) <= _total(answer, key, rubric)


@SETTINGS
@given(case_and_answer(), st.sampled_from(WRONG_DX), st.data(), st.sampled_from(["practice", "exam"]))
def test_replacing_a_correct_code_by_a_wrong_one_never_raises_the_score(ka, wrong, data, rubric):
    """Every occurrence of the chosen code is replaced (a repeated code is still one code)."""
    key, answer = ka
    keyset = {codes.normalize(c).code for c in _key_dx(key)}
    entered = [answer.principal_dx] + list(answer.secondary_dx)
    correct = sorted({codes.normalize(c).code for c, _p in entered} & keyset)
    if not correct:
        return
    target = data.draw(st.sampled_from(correct))
    swap = lambda e: (wrong, e[1]) if codes.normalize(e[0]).code == target else e  # noqa: E731
    worse = replace(answer, principal_dx=swap(answer.principal_dx),
                    secondary_dx=tuple(swap(e) for e in answer.secondary_dx))
    assert _total(worse, key, rubric) <= _total(answer, key, rubric)


@SETTINGS
@given(case_and_answer())
def test_scoring_is_deterministic(ka):
    key, answer = ka
    first = scoring.score(answer, key).to_dict()
    grouping.clear_cache()
    assert scoring.score(answer, key).to_dict() == first


@SETTINGS
@given(case_and_answer())
def test_report_round_trips_through_json_shape(ka):
    key, answer = ka
    d = scoring.score(answer, key).to_dict()
    assert scoring.ScoreReport.from_dict(d).to_dict() == d
    for it in d["items"]:
        assert {"component", "expected", "entered", "status", "score", "max"} <= set(it)


@SETTINGS
@given(case_and_answer())
def test_feedback_names_the_scored_item_it_explains(ka):
    key, answer = ka
    r = scoring.score(answer, key)
    for f in r.feedback:
        if f.item is None:
            continue
        it = r.items[f.item]
        assert it.component == f.component or (f.kind == "missing_partner" and it.component == "pdx"), (f, it)
        names_it = ((f.code and it.entered == f.code) or (f.expected and it.expected == f.expected)
                    or (f.component == "poa" and it.entered.startswith(f"{f.code}: ")))
        assert names_it, (f, it)


_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.sampled_from(GARBAGE + WRONG_DX + ["I50.23", "Y"]),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.sampled_from(["code", "poa", "date", "x"]), inner, max_size=3),
    max_leaves=12)


@SETTINGS
@given(st.sampled_from(KEYS), _junk, _junk, _junk, _junk,
       st.dictionaries(st.sampled_from(list(ABSTRACT_FIELDS) + ["junk"]), _junk, max_size=8))
def test_garbage_never_raises(key, pdx, sdx, procs, drg, abstract):
    r = scoring.score(Answer(abstract=abstract, principal_dx=pdx, secondary_dx=sdx, procedures=procs, drg=drg), key)
    assert 0.0 <= r.total <= 100.0
    as_dict = {"abstract": abstract, "principal_dx": pdx, "secondary_dx": sdx, "procedures": procs, "drg": drg}
    assert 0.0 <= scoring.score(as_dict, key).total <= 100.0


@pytest.mark.parametrize("junk", [None, 42, "text", [], {"principal_dx": {"code": ["I50.23"]}}])
def test_non_answers_are_read_as_empty_or_tolerated(junk):
    key = KEYS[0]
    r = scoring.score(junk, key)
    assert 0.0 <= r.total <= 100.0
