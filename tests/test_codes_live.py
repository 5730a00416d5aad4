"""codes.live_flags / codes.grouping_change: what a coding workspace shows on every edit."""
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import codes
from claimgen import realistic_claim


def flags(dx, procs=(), **kw):
    kw.setdefault("age", 70)
    kw.setdefault("sex", "F")
    return codes.live_flags(dx, procs, **kw)


def by_code(result):
    return {f.display: f for f in result.diagnoses if f.code}


def test_cc_mcc_levels_and_cc_exclusion_by_the_principal():
    r = flags([("I50.23", "Y"), ("N17.9", "Y"), ("J96.01", "Y"), ("I10", "Y"), ("I50.21", "Y")])
    f = by_code(r)
    assert f["I50.23"].principal and f["I50.23"].level == ""
    assert f["N17.9"].level == "CC" and f["J96.01"].level == "MCC" and f["I10"].level == "non-CC"
    # I50.21 is an MCC, but not with a principal diagnosis from the same heart-failure category
    assert f["I50.21"].severity == "MCC" and f["I50.21"].cc_excluded and f["I50.21"].level == "MCC (excluded)"
    assert not f["J96.01"].cc_excluded
    assert r.summary.ok and r.summary.drg == 291 and r.summary.mdc == 5 and r.summary.weight > 1


def test_hac_membership_and_poa():
    present = by_code(flags([("J44.1", "Y"), ("L89.153", "Y")]))["L89.153"]
    acquired = by_code(flags([("J44.1", "Y"), ("L89.153", "N")]))["L89.153"]
    assert "Pressure Ulcer" in present.hac and not present.hac_met
    assert acquired.hac == present.hac and acquired.hac_met
    assert by_code(flags([("J44.1", "Y"), ("N17.9", "Y")]))["N17.9"].hac == ""


def test_poa_exempt_status_and_poa_notes():
    f = by_code(flags([("S72.001A", "Y"), ("Y92.012", "1"), ("Z79.01", "Y"), ("I10", "1"), ("N17.9", "")]))
    assert f["Y92.012"].poa_exempt and f["Y92.012"].poa_note == ""
    assert f["Z79.01"].poa_exempt and "exempt" in f["Z79.01"].poa_note
    assert not f["I10"].poa_exempt and "not on the POA exempt list" in f["I10"].poa_note
    assert "missing" in f["N17.9"].poa_note
    assert codes.poa_exempt("Z37.0") and not codes.poa_exempt("J18.9") and not codes.poa_exempt(None)


def test_excludes1_and_partner_conflicts_name_the_other_row():
    f = by_code(flags([("E11.9", "Y"), ("E10.9", "Y"), ("E11.22", "Y")]))
    assert any("E10.9" in m and "Excludes1" in m for m in f["E11.9"].conflicts)
    assert any("E11.9" in m for m in f["E10.9"].conflicts)
    assert any("N18" in m for m in f["E11.22"].conflicts)  # use additional code: the CKD stage
    clean = by_code(flags([("E11.22", "Y"), ("N18.30", "Y")]))
    assert clean["E11.22"].conflicts == ()


def test_procedure_operating_room_status():
    r = flags([("K35.80", "Y")], ["0DTJ4ZZ", "3E03317", "5A1955Z", "", "0DTJ4Z"])
    labels = [p.label for p in r.procedures]
    assert labels[:3] == ["O.R.", "non-O.R.", "non-O.R."]
    assert r.procedures[3].code == "" and r.procedures[3].message == ""      # blank row keeps its place
    assert r.procedures[4].message and r.procedures[4].operating_room is None
    assert r.summary.type == "SURG"


def test_grouping_change_explains_the_drg_move():
    before = flags([("I50.9", "Y"), ("N17.9", "Y")])
    after = flags([("I50.9", "Y"), ("N17.9", "Y"), ("J96.01", "Y")])
    assert before.summary.drg == 292
    msg = codes.grouping_change(before, after)
    assert msg.startswith("DRG 292 -> 291") and "J96.01 is an MCC" in msg
    back = codes.grouping_change(after, before)
    assert back.startswith("DRG 291 -> 292") and "J96.01 (MCC) was removed" in back
    assert codes.grouping_change(after, after) is None
    hac_y = flags([("J44.1", "Y"), ("L89.153", "Y")])
    hac_n = flags([("J44.1", "Y"), ("L89.153", "N")])
    assert "hospital-acquired" in codes.grouping_change(hac_y, hac_n)
    assert codes.grouping_change(None, before) == f"DRG 292 {before.summary.title}"


def test_unfinished_principal_gives_no_drg_and_a_message():
    r = flags([("I50.", "Y"), ("N17.9", "Y")])
    assert not r.summary.ok and r.summary.drg is None and "principal" in r.summary.message
    assert r.diagnoses[0].message and r.diagnoses[1].code == "N179"
    assert not flags([]).summary.ok


def test_realistic_claims_match_the_grouper():
    r = random.Random(3)
    for _ in range(40):
        c = realistic_claim(r)
        live = codes.live_flags([(c.pdx, c.pdx_poa), *c.sdx], c.procedures, age=c.age, sex=c.sex, disposition=c.disposition)
        assert live.summary.drg == codes.group(c).drg


rows = st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(), st.tuples(st.text(max_size=10), st.text(max_size=3)),
                          st.sampled_from([("I50.23", "Y"), ("N17.9", "N"), ("Z79.4", "1"), ("L89.153", "N")]),
                          st.dictionaries(st.sampled_from(["code", "poa"]), st.text(max_size=8))), max_size=8)


@settings(max_examples=120, deadline=None)
@given(rows, st.lists(st.one_of(st.none(), st.text(max_size=9), st.sampled_from(["0DTJ4ZZ", "5A1955Z"])), max_size=5),
       st.one_of(st.integers(-5, 200), st.text(max_size=4), st.none()), st.text(max_size=2), st.text(max_size=3))
def test_garbage_never_raises(dx, procs, age, sex, disposition):
    r = codes.live_flags(dx, procs, age=age, sex=sex, disposition=disposition)
    assert len(r.diagnoses) == len(dx) and len(r.procedures) == len(procs)
    codes.grouping_change(r, codes.live_flags(dx[:1], procs, age=age, sex=sex, disposition=disposition))
    assert codes.live_flags("nonsense", 42).summary.ok is False
