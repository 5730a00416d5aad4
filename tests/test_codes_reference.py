"""ICD-10-CM notes, ICD-10-PCS axes and validity, search ranking."""
import codes
from codes import cm, pcs, search


def test_cm_info_title_billable_path():
    inf = cm.info("i50.21")
    assert inf.title == "Acute systolic (congestive) heart failure"
    assert inf.billable
    assert [c for c, _ in inf.path][-2:] == ["I50", "I50.2"]
    assert cm.info("I50.2").billable is False
    assert ("I50.21", "Acute systolic (congestive) heart failure") in cm.info("I50.2").children
    assert cm.info("I50.99") is None


def test_cm_notes_are_collected_from_ancestors():
    inf = cm.info("E11.22")
    uses = " ".join(t for _, t in inf.notes("use_additional"))
    assert "N18.1-N18.6" in uses
    assert any("type 1 diabetes" in t for _, t in inf.notes("excludes1"))


def test_seven_character_definitions():
    inf = cm.info("S72.001")
    assert inf.seven_chr_def["A"].startswith("initial encounter for closed fracture")


def test_excludes1_conflicts():
    pairs = {(c.code, c.other) for c in cm.excludes1_conflicts(["E11.9", "E10.9", "I10"])}
    assert pairs == {("E119", "E109")}
    conflict = cm.excludes1_conflicts(["F10.239", "F10.10"])[0]
    assert conflict.level == "F10.2" and "F10.1" in conflict.note and "I.A.12.a" in conflict.message
    assert cm.excludes1_conflicts(["I50.21", "N17.9", "E11.65"]) == []


def test_partner_notes():
    missing = cm.missing_partners(["I13.0"])
    assert {str(r) for n in missing for r in n.ranges} >= {"I50", "N18.1-N18.4"}
    assert cm.missing_partners(["I13.0", "I50.23", "N18.30"]) == []
    assert [n.code for n in cm.missing_partners(["O80"])] == ["O80"]
    assert cm.missing_partners(["O80", "Z37.0"]) == []
    # conditional notes are advice, not requirements
    assert cm.missing_partners(["N39.0"]) == []
    assert any(n.code == "N390" for n in cm.missing_partners(["N39.0"], required_only=False))


def test_code_first_sequencing():
    # I11.0 carries "use additional" for I50; I50 carries "code first" I11.0
    assert cm.sequencing_errors(["I50.23", "I11.0"])
    assert cm.sequencing_errors(["I11.0", "I50.23"]) == []


def test_sex_conflict_warning():
    assert "female" in cm.sex_conflict("O80", "M")
    assert "male" in cm.sex_conflict("N40.1", "F")
    assert cm.sex_conflict("I10", "F") is None


def test_pcs_info_and_characters():
    inf = pcs.info("0dtj4zz")
    assert inf.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert [c.meaning for c in inf.characters] == [
        "Medical and Surgical", "Gastrointestinal System", "Resection", "Appendix",
        "Percutaneous Endoscopic", "No Device", "No Qualifier"]
    assert inf.root_operation == "Resection"
    assert 2026 in inf.fiscal_years
    ob = pcs.info("10D00Z1")
    assert ob.characters[0].meaning == "Obstetrics" and ob.characters[6].meaning == "Low"


def test_pcs_validity_per_fiscal_year():
    # validity comes from the MCE's tables for each fiscal year
    assert pcs.is_valid("00503Z4", 2025) and not pcs.is_valid("00503Z4", 2024)  # added in FY2025
    assert pcs.is_valid("30233AZ", 2025) and not pcs.is_valid("30233AZ", 2026)  # deleted for FY2026
    assert not pcs.is_valid("0DTJ4ZX", 2026)
    assert pcs.info("XXXXXXX") is None


def test_builder_offers_only_valid_next_characters():
    assert [v for v, _ in pcs.next_characters("")] == list(pcs.SECTIONS)  # every section (issue 16)
    bodies = dict(pcs.next_characters("0DT"))
    assert bodies["J"] == "Appendix" and "D" not in bodies  # no 0DTD table row
    approaches = dict(pcs.next_characters("0DTJ"))
    assert set(approaches) == {"0", "4", "7", "8", "F"} or {"0", "4"} <= set(approaches)
    # following offered values always ends in a real, valid code
    prefix = "0"
    import random
    r = random.Random(7)
    for _ in range(20):
        prefix = "0"
        while len(prefix) < 7:
            prefix += r.choice(pcs.next_characters(prefix))[0]
        assert pcs.is_valid(prefix, 2026), prefix


def test_search_ranking():
    hits = search("I50.2")
    assert hits[0].display == "I50.2" and hits[0].match == "exact code" and not hits[0].billable
    assert all(h.display.startswith("I50.2") for h in hits)
    hits = search("heart failure")
    assert hits[0].display == "I50.9"
    billable = [h.billable for h in hits if h.match == "word"]
    assert billable == sorted(billable, reverse=True)  # billable before headers
    assert search("0DT", system="pcs")[0].code.startswith("0DT")
    assert search("appendectomy", system="PCS")[0].code.startswith(("0DBJ", "0DTJ"))
    assert search("CHF")[0].display == "I50.9"
    assert search("ailure")[0].title.lower().count("failure")  # one letter short: spelling finds "failure"
    sub = search("ectomy")
    assert sub and all(h.match == "substring" and "ectomy" in (h.term or h.title).lower() for h in sub)
    assert search("") == [] and search(None) == [] and search("%%%''\"*") == []
    assert len(search("disease", limit=500)) == 200


def test_lookup_and_is_valid():
    assert codes.is_valid("I50.21") and not codes.is_valid("I50.2") and not codes.is_valid("N18.3")
    assert codes.is_valid("0DTJ4ZZ") and not codes.is_valid("bogus")
    assert isinstance(codes.lookup("0DTJ4ZZ"), pcs.PcsInfo)
    assert isinstance(codes.lookup("I10"), cm.CmInfo)


def test_pcs_codes_with_cm_like_shapes():
    # imaging codes such as B2111ZZ look like ICD-10-CM by shape; asked for as PCS they are PCS
    assert codes.normalize("B2111ZZ", expect="PCS").ok
    assert codes.is_valid("B2111ZZ")
    assert isinstance(codes.lookup("B2111ZZ"), pcs.PcsInfo)
    r = codes.group(codes.Claim("I21.4", "Y", (), ("B2111ZZ",), age=70, sex="M"))
    assert r.ok and not r.ignored
