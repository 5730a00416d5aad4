"""The PCS builder covers every section (0-9, B, C, D, F, G, H, X): axis names and character
meanings per section, only valid values at each step, and every completed code MCE-valid."""
import random

import pytest

from codes import engine, pcs, search, store

SECTIONS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "B", "C", "D", "F", "G", "H", "X")


def sample_codes(section: str, n: int = 4) -> list[str]:
    rows = store.conn().execute("SELECT code FROM pcs WHERE code >= ? AND code < ? AND instr(fiscal_years, '2026') "
                                "ORDER BY code", (section, section + "\x7f")).fetchall()
    r = random.Random(section)
    return r.sample([row[0] for row in rows], min(n, len(rows)))


def test_the_builder_offers_every_section_with_its_axes():
    assert [v for v, _ in pcs.next_characters("")] == list(SECTIONS)
    assert pcs.axis_names("3")[5] == "Substance" and pcs.axis_names("B")[2] == "Root Type"
    assert pcs.axis_names("D")[2] == "Modality" and pcs.axis_names("0")[3] == "Body Part"
    assert len({pcs.axis_names(s) for s in SECTIONS}) > 5


@pytest.mark.parametrize("section", SECTIONS)
def test_builder_walk_reaches_sample_codes_and_the_mce_agrees(section):
    for code in sample_codes(section):
        for i in range(7):
            offered = dict(pcs.next_characters(code[:i]))
            assert code[i] in offered, (code, i)
            assert offered[code[i]], (code, i)          # every offered value carries a meaning
        assert engine.mce_code_valid(code, is_dx=False, fy=2026), code
        chars = pcs.characters(code)
        assert [c.value for c in chars] == list(code) and chars[0].meaning == pcs.SECTIONS[section]
        assert [c.axis for c in chars][2] in ("Root Operation", "Root operation", "Root Type", "Modality")


def test_random_walks_only_complete_mce_valid_codes():
    r = random.Random(16)
    for _ in range(120):
        prefix = ""
        while len(prefix) < 7:
            options = pcs.next_characters(prefix)
            assert options, prefix
            prefix += r.choice(options)[0]
        assert engine.mce_code_valid(prefix, is_dx=False, fy=2026), prefix
        assert pcs.is_valid(prefix, 2026)


def test_known_meanings_outside_sections_0_and_1():
    m = {c.position: c.meaning for c in pcs.characters("5A1955Z")}
    assert m[3] == "Performance" and "96" in m[5]
    m = {c.position: c.meaning for c in pcs.characters("3E03317")}
    assert m[3] == "Introduction" and "Peripheral" in m[4] and m[5] == "Percutaneous"
    m = {c.position: c.meaning for c in pcs.characters("B2111ZZ")}
    assert m[3] == "Fluoroscopy" and "Coronary" in m[4]
    assert {c.position: c.meaning for c in pcs.characters("HZ2ZZZZ")}[3] == "Detoxification Services"
    m = {c.position: c.meaning for c in pcs.characters("30233N1")}
    assert m[3] == "Transfusion" and m[5] == "Percutaneous" and "Red Blood Cells" in m[6]
    assert {c.position: c.meaning for c in pcs.characters("2W6PXZZ")}[5] == "External"
    assert pcs.characters("0DTJ4ZZ")[2].meaning == "Resection"
    assert pcs.next_characters("Q") == [] and pcs.next_characters("%%") == [] and pcs.next_characters(None) == pcs.next_characters("")


@pytest.mark.parametrize("section", SECTIONS)
def test_search_covers_every_section(section):
    code = sample_codes(section, 1)[0]
    title = pcs.title(code)
    hits = search(title, system="PCS", limit=10)
    assert code in [h.code for h in hits], (code, title)
