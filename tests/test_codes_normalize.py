from hypothesis import given, settings, strategies as st

from codes import CM, PCS, display, normalize


def test_cm_forms_all_normalise_to_one_code():
    for raw in ["i50.21", " I5021 ", "I50.21", "i 50.21", "I50-21"]:
        n = normalize(raw)
        assert n.ok, raw
        assert (n.code, n.system, n.display) == ("I5021", CM, "I50.21")


def test_pcs_shapes():
    n = normalize(" 0dtj4zz ")
    assert (n.code, n.system, n.display) == ("0DTJ4ZZ", PCS, "0DTJ4ZZ")
    assert normalize("BW28ZZZ").system == PCS  # imaging section starts with a letter


def test_seven_character_cm_with_extension_is_cm():
    n = normalize("s72.001a")
    assert (n.code, n.system, n.display) == ("S72001A", CM, "S72.001A")


def test_rejections_have_clear_messages():
    cases = {
        "": "No code",
        "   ": "No code",
        "5": "7 characters",
        "I5": "too short",
        "0DTJ4Z": "7 characters",
        "0DTO4ZZ": "letters O or I",
        "I50.21$": "characters",
        "héllo": "characters",
        "0DT.J4ZZ": "dot",
        "X" * 60: "too long",
    }
    for raw, needle in cases.items():
        n = normalize(raw)
        assert not n.ok, raw
        assert needle.lower() in n.error.lower(), (raw, n.error)


def test_expect_system():
    n = normalize("0DTJ4ZZ", expect=CM)
    assert not n.ok and "procedure" in n.error
    n = normalize("I50.21", expect=PCS)
    assert not n.ok and "diagnosis" in n.error


def test_display():
    assert display("I5021") == "I50.21"
    assert display("J189") == "J18.9"
    assert display("I10") == "I10"
    assert display("0DTJ4ZZ") == "0DTJ4ZZ"


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.text(max_size=50), st.binary(max_size=20)))
def test_normalize_never_raises(raw):
    n = normalize(raw)
    assert isinstance(n.ok, bool)
    if n.ok:
        assert n.code == n.code.upper() and "." not in n.code and n.system in (CM, PCS)
    else:
        assert n.error


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Z][0-9][0-9A-Z]\.?[0-9A-Z]{0,4}", fullmatch=True))
def test_cm_round_trip(code):
    n = normalize(code.lower())
    if n.ok and n.system == CM:
        assert normalize(n.display).code == n.code
