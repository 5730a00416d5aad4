"""5,000+ generated claims of every kind of garbage: the adapter never raises."""
from hypothesis import HealthCheck, given, settings, strategies as st

from codes import Claim, GroupResult, group

REAL_DX = ["A41.9", "R65.21", "N17.9", "I50.23", "J96.01", "E11.65", "I10", "T83.511A", "N39.0", "O80", "Z37.0",
           "G01", "S72.001A", "V00.01XA", "Z79.4", "I50.2", "n18.30", "j18.9"]
REAL_PR = ["0DTJ4ZZ", "02703DZ", "0SRB0J9", "5A1955Z", "XXXXXXX", "0dtj4zz", "10E0XZZ"]
junk = st.one_of(st.none(), st.just(""), st.text(max_size=12), st.integers(-5, 10**6), st.floats(allow_nan=True),
                 st.sampled_from(["I50.21", "i5021", " N17.9 ", "ÄÖÜ", "💥", "A41.9\x00", "0DTJ4ZZ"]))
code = st.one_of(st.sampled_from(REAL_DX), junk)
poa = st.one_of(st.sampled_from(["Y", "N", "U", "W", "1", "y", "", " ", "X", "YES"]), st.none(), st.integers())
sdx = st.lists(st.one_of(st.tuples(code, poa), junk, st.tuples(code)), max_size=200)
procs = st.lists(st.one_of(st.sampled_from(REAL_PR), junk), max_size=40)
claims = st.builds(
    Claim, pdx=code, pdx_poa=poa, sdx=sdx.map(tuple), procedures=procs.map(tuple),
    age=st.one_of(st.integers(-10, 300), st.none(), st.text(max_size=3), st.booleans()),
    sex=st.one_of(st.sampled_from(["M", "F", "U", "m", "", "X"]), st.none(), st.integers()),
    disposition=st.one_of(st.sampled_from(["01", "1", "06", "20", "30", "999", "", "ab"]), st.none(), st.integers(-1, 100)),
    version=st.one_of(st.sampled_from([431, 430, 421, 440, 0, 999]), st.text(max_size=3), st.none()),
)


@settings(max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(claims)
def test_garbage_claims_never_raise(claim):
    r = group(claim)
    assert isinstance(r, GroupResult)
    if r.ok:
        assert r.drg is not None and r.drg not in (998, 999)
        assert sum(1 for c in r.codes if c.kind == "sdx") <= 24
        assert sum(1 for c in r.codes if c.kind == "proc") <= 25
    elif r.errors:
        assert r.drg is None and r.return_message
