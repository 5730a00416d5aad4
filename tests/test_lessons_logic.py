"""Unit tests for the lessons package logic, on small fixtures under tests/fixtures/lessons/."""
from __future__ import annotations

import json
import random
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import ContentError
from lessons import blueprint as bpmod
from lessons import content, exam, quiz, review
from lessons.__main__ import main as cli
from lessons.bank import (Option, Question, code_problems, code_tokens, drg_mentions, load_bank,
                          parse_question_file, position_problems, select, validate_bank)

FIX = Path(__file__).parent / "fixtures" / "lessons"
CONTENT, QUESTIONS, BLUEPRINTS = FIX / "content", FIX / "questions", FIX / "blueprints"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


# --- helpers -------------------------------------------------------------------------------------

def copy_dir(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def lesson_text(name: str = "L01-alpha") -> str:
    return (CONTENT / f"{name}.md").read_text(encoding="utf-8")


def write_lesson(tmp_path: Path, text: str, name: str = "L01-alpha") -> Path:
    d = tmp_path / "content"
    d.mkdir(exist_ok=True)
    (d / f"{name}.md").write_text(text, encoding="utf-8")
    return d


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def make_q(qid: str, domain: str, creds=("CCA",), correct: int = 0, lesson: str = "L01-alpha") -> Question:
    opts = tuple(Option(f"option {i} of {qid}", i == correct, f"why {i}") for i in range(4))
    return Question(qid, f"stem {qid}", opts, tuple(creds), domain, "topic", 1, lesson)


def synthetic_bank(per_domain: int = 30, creds=("CCA", "CCS", "CIC", "RHIT")) -> list[Question]:
    domains = ("coding_cm", "coding_pcs", "reimbursement", "health_record", "compliance", "privacy",
               "information_technology", "leadership")
    return [make_q(f"{d[:4]}-{i:03d}", d, creds, correct=i % 4) for d in domains for i in range(per_domain)]


@pytest.fixture
def mini():
    return bpmod.load_blueprints(BLUEPRINTS, overrides=FIX / "no-overrides")["mini"]


@pytest.fixture
def mini_cic():
    return bpmod.load_blueprints(BLUEPRINTS, overrides=FIX / "no-overrides")["mini-cic"]


def session_for(bp, bank, seed=1, scenarios=()):
    return exam.new_exam(bp, bank, random.Random(seed), T0, scenarios=scenarios)


# --- lessons: loading ----------------------------------------------------------------------------

def test_load_lessons_sorted_and_parsed():
    lessons = content.load_lessons(CONTENT)
    assert [les.id for les in lessons] == ["L01-alpha", "L02-beta"]
    a = lessons[0]
    assert a.order == 1 and a.minutes == 10 and a.credentials == ("CCA", "CCS")
    assert [t for t, _ in a.sections] == ["Learning objectives", "Explanation", "Worked example", "Key takeaways"]
    assert "Not a heading" in a.section("explanation")  # '##' inside a code fence is not a section
    assert a.check[1].options[1] == "UHDDS" and a.check[1].answer == 1
    assert a.case_links == ("sepsis_uti",)
    assert lessons[1].case_links == ("sepsis_pneumonia", "sepsis_uti")


def test_get_lesson_and_neighbours():
    assert content.get_lesson("L02-beta", CONTENT).title == "Beta fixture lesson"
    assert content.get_lesson("L99-none", CONTENT) is None
    prev, nxt = content.neighbours("L01-alpha", CONTENT)
    assert prev is None and nxt.id == "L02-beta"


def test_render_parts_splits_markdown_and_case_links():
    les = content.get_lesson("L02-beta", CONTENT)
    parts = content.render_parts(les)
    kinds = [p.kind for p in parts]
    assert kinds.count("case") == 2
    assert [p.scenario for p in parts if p.kind == "case"] == ["sepsis_pneumonia", "sepsis_uti"]
    assert all("[[" not in p.text for p in parts)
    assert parts[0].kind == "markdown" and parts[0].text.startswith("## Learning objectives")
    worked = content.render_parts(les, section="Worked example")
    assert [p.kind for p in worked] == ["markdown", "case", "markdown"]
    assert worked[2].text == "Then compare with the key."


@pytest.mark.parametrize("old,new,field,fragment", [
    ("minutes: 10\n", "minutes: 10\ncolour: blue\n", "colour", "unknown field"),
    ("minutes: 10\n", "", "minutes", "required field is missing"),
    ("order: 1\n", "order: first\n", "order", "whole number"),
    ("credentials: [CCA, CCS]", "credentials: [CCA, CPC]", "credentials[1]", "not one of"),
    ("    answer: 2\n", "    answer: 4\n", "check[2].answer", "index of the right option"),
    ("    answer: 2\n", "    answer: 2\n    hint: x\n", "check[2].hint", "unknown field"),
    ('    options: ["Always", "Never", "When documentation is conflicting or incomplete", "Only for Medicare"]',
     '    options: ["Always", "Never", "Sometimes"]', "check[2].options", "exactly 4"),
    ("## Key takeaways", "## Summary", "section '## Key takeaways'", "is missing"),
    ("[[case:sepsis_uti]]", "(see the case)", "section '## Worked example'", "needs a [[case:"),
    ("[[case:sepsis_uti]]", "[[case: sepsis_uti]]", "body", "malformed link"),
    ("id: L01-alpha", "id: L01-gamma", "id", "does not match the file name"),
])
def test_lesson_errors_name_file_and_field(tmp_path, old, new, field, fragment):
    text = lesson_text()
    assert old in text
    d = write_lesson(tmp_path, text.replace(old, new, 1))
    lessons, problems = content.validate_lessons(d)
    assert lessons == []
    hits = [p for p in problems if p.field == field and fragment in p.message]
    assert hits, messages(problems)
    assert hits[0].file.endswith("L01-alpha.md")
    assert f"L01-alpha.md: {field}: " in str(hits[0])


def test_lesson_check_count(tmp_path):
    text = lesson_text()
    start = text.index("  - question: \"When is a query")
    end = text.index("---\n# Alpha")
    d = write_lesson(tmp_path, text[:start] + text[end:])
    _, problems = content.validate_lessons(d)
    assert any(p.field == "check" and "3 to 5" in p.message for p in problems), messages(problems)


def test_lesson_without_front_matter_and_yaml_errors(tmp_path):
    d = write_lesson(tmp_path, "# just markdown\n")
    _, problems = content.validate_lessons(d)
    assert problems[0].field == "front matter"
    d = write_lesson(tmp_path, lesson_text().replace("minutes: 10", "minutes: [10"))
    _, problems = content.validate_lessons(d)
    assert "YAML error" in problems[0].message and "line" in problems[0].field
    d = write_lesson(tmp_path, lesson_text().replace("minutes: 10", "minutes: 10\nminutes: 12"))
    _, problems = content.validate_lessons(d)
    assert "duplicate key" in problems[0].message


def test_lesson_order_must_be_contiguous_and_unique(tmp_path):
    d = copy_dir(CONTENT, tmp_path / "content")
    p = d / "L02-beta.md"
    p.write_text(p.read_text().replace("order: 2", "order: 3"))
    _, problems = content.validate_lessons(d)
    assert any(p.field == "order" and "gap" in p.message and p.file.endswith("L02-beta.md") for p in problems)
    p.write_text(p.read_text().replace("order: 3", "order: 1"))
    _, problems = content.validate_lessons(d)
    assert any(p.field == "order" and "also used by" in p.message for p in problems)


def test_load_lessons_raises_with_every_problem(tmp_path):
    d = copy_dir(CONTENT, tmp_path / "content")
    for name in ("L01-alpha", "L02-beta"):
        p = d / f"{name}.md"
        p.write_text(p.read_text().replace("minutes:", "extra: 1\nminutes:"))
    with pytest.raises(ContentError) as err:
        content.load_lessons(d)
    assert len(err.value.problems) == 2
    assert "L01-alpha.md: extra: unknown field" in str(err.value)


def test_scenario_problems():
    les = content.get_lesson("L02-beta", CONTENT)
    assert content.scenario_problems(les, {"sepsis_uti", "sepsis_pneumonia"}) == []
    probs = content.scenario_problems(les, {"sepsis_uti"})
    assert {p.field for p in probs} == {"related_scenarios[1]", "body"}


# --- question bank -------------------------------------------------------------------------------

def test_load_bank_fixture():
    bank = load_bank(QUESTIONS)
    assert [q.id for q in bank] == ["fx-001", "fx-002", "fx-003", "fx-004"]
    assert bank[1].correct_index == 1 and bank[1].codes == () and bank[1].drgs == ()
    assert bank[2].drgs == (871, 872)
    assert Question.from_dict(bank[2].to_dict()) == bank[2]


def question_yaml(**changes) -> str:
    q = {"id": "t-001", "stem": "Stem?", "credentials": ["CCA"], "domain": "health_record", "topic": "uhdds",
         "difficulty": 1, "lesson": "L01-alpha",
         "options": [{"text": f"o{i}", "correct": i == 0, "rationale": f"r{i}"} for i in range(4)]}
    q.update(changes)
    return json.dumps({"questions": [q]})  # JSON is YAML


@pytest.mark.parametrize("changes,field,fragment", [
    ({"domain": "coding"}, "domain", "not one of"),
    ({"credentials": ["CCA", "CPC"]}, "credentials[1]", "not one of"),
    ({"difficulty": 4}, "difficulty", "1, 2 or 3"),
    ({"difficulty": True}, "difficulty", "1, 2 or 3"),
    ({"topic": "UHDDS data"}, "topic", "snake_case"),
    ({"id": "T 1"}, "id", "lower-case"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"options": [{"text": f"o{i}", "correct": True, "rationale": "r"} for i in range(4)]}, "options", "exactly one option"),
    ({"options": [{"text": f"o{i}", "correct": i == 0, "rationale": ""} for i in range(4)]}, "options[0].rationale", "needs a rationale"),
    ({"options": [{"text": f"o{i}", "correct": i == 0, "rationale": "r"} for i in range(3)]}, "options", "exactly 4"),
    ({"options": [{"text": "same", "correct": i == 0, "rationale": "r"} for i in range(4)]}, "options", "same text"),
    ({"options": [{"text": f"o{i}", "correct": "yes", "rationale": "r"} for i in range(4)]}, "options[0].correct", "true or false"),
    ({"drgs": ["abc"]}, "drgs", "MS-DRG numbers"),
])
def test_question_errors_name_file_and_field(tmp_path, changes, field, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(question_yaml(**changes))
    qs, problems = parse_question_file(path)
    assert qs == []
    want = f"questions[0] ({changes.get('id', 't-001')}).{field}" if "id" not in changes else f"questions[0] (T 1).{field}"
    assert any(p.field == want and fragment in p.message for p in problems), messages(problems)
    assert all(p.file.endswith("bad.yaml") for p in problems)


def test_question_file_shape(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("items: []\n")
    _, problems = parse_question_file(path)
    assert {p.field for p in problems} == {"questions", "items"}


def test_bank_cross_file_checks(tmp_path):
    d = copy_dir(QUESTIONS, tmp_path / "q")
    shutil.copy(d / "sample.yaml", d / "copy.yaml")
    (d / "old.yml").write_text("questions: []\n")
    _, problems = validate_bank(d, lesson_ids={"L01-alpha"})
    text = "\n".join(messages(problems))
    assert "id is also used in" in text
    assert "rename to .yaml" in text
    assert "'L02-beta' is not a lesson id" in text
    with pytest.raises(ContentError):
        load_bank(d)


def test_zero_padded_drg_numbers_must_be_quoted(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(question_yaml().replace('"lesson"', '"drgs": ["064", "065", 871], "lesson"'))
    qs, problems = parse_question_file(path)
    assert problems == [] and qs[0].drgs == (64, 65, 871)
    path.write_text(path.read_text().replace('"064"', '064'))   # YAML 1.1 would read the octal 52
    qs, problems = parse_question_file(path)
    assert [p.field for p in problems] == ["questions[0].drgs[0]"] and "octal" in problems[0].message


def test_position_balance():
    qs = [make_q(f"p-{i}", "coding_cm", correct=i % 4) for i in range(20)]
    assert position_problems(qs, "f") == []
    skewed = [make_q(f"p-{i}", "coding_cm", correct=0 if i < 10 else i % 4) for i in range(20)]
    probs = position_problems(skewed, "f")
    assert any("option A is correct in" in p.message for p in probs)


def test_select_filters():
    bank = load_bank(QUESTIONS)
    assert [q.id for q in select(bank, credential="RHIT")] == ["fx-002"]
    assert [q.id for q in select(bank, domain=["coding_cm", "coding_pcs"])] == ["fx-001", "fx-004"]
    assert [q.id for q in select(bank, difficulty=2, credential=["CIC"])] == ["fx-003"]
    assert select(bank, topic="nothing") == []


# --- code validity -------------------------------------------------------------------------------

def test_code_tokens_and_drg_mentions():
    assert code_tokens("Assign E11.9 and I10. Category E11, A1C, G6PD, ASC X12, N95, HL7") == ["E119", "I10", "E11"]
    assert code_tokens("PCS 0DTJ4ZZ; T40.1X1A; HIPAA; FY2026") == ["T401X1A", "0DTJ4ZZ"]
    assert drg_mentions("DRG 291 vs MS-DRG 292; DRGs 280, 281 and 282; DRG 064; MS-DRG v43") == [291, 292, 280, 281, 282, 64]


def test_fixture_questions_have_no_code_problems():
    for q in load_bank(QUESTIONS):
        assert code_problems(q) == [], q.id


def q_with(stem="Stem", texts=("a", "b", "c", "d"), rationales=("r",) * 4, codes=(), drgs=(), correct=0):
    opts = tuple(Option(t, i == correct, r) for i, (t, r) in enumerate(zip(texts, rationales)))
    return Question("c-001", stem, opts, ("CCS",), "coding_cm", "t", 1, "L01-alpha", tuple(codes), tuple(drgs))


def test_code_problems_catch_unlisted_invalid_and_header_answers():
    assert any("mentions I50.21 but it is not listed" in m for m in code_problems(q_with(stem="Code I50.21?")))
    assert any("E11.99 does not exist" in m for m in code_problems(q_with(codes=["E11.99"])))
    assert any("'XYZ' is not an ICD-10" in m for m in code_problems(q_with(codes=["XYZ"])))
    # a header named as a reference is fine; as the assigned answer it is not
    assert code_problems(q_with(stem="The note at R65.2 says?", codes=["R65.2"])) == []
    probs = code_problems(q_with(texts=("E11", "E11.9", "E10.9", "E11.8"), codes=["E11", "E11.9", "E10.9", "E11.8"]))
    assert any("assigns E11, which is a category" in m for m in probs)
    assert code_problems(q_with(texts=("E11", "E11.9", "E10.9", "E11.8"), codes=["E11", "E11.9", "E10.9", "E11.8"], correct=1)) == []
    # rationales: codes must exist but need not be listed
    assert code_problems(q_with(rationales=("See N30.", "r", "r", "r"))) == []
    assert any("E11.99, which does not exist" in m for m in code_problems(q_with(rationales=("E11.99", "r", "r", "r"))))


def test_code_problems_drgs():
    assert any("not an FY2026 MS-DRG" in m for m in code_problems(q_with(drgs=[9])))
    assert any("MS-DRG 291 but it is not listed" in m for m in code_problems(q_with(stem="DRG 291?")))
    assert code_problems(q_with(stem="DRG 291?", drgs=[291])) == []


# --- blueprints ----------------------------------------------------------------------------------

def test_shipped_blueprints(tmp_path):
    bps = bpmod.load_blueprints(overrides=tmp_path / "none")
    for cred in ("RHIT", "CCA", "CCS", "CIC"):
        assert any(bp.credential == cred and not bp.based_on for bp in bps.values())
        assert any(bp.credential == cred and bp.based_on for bp in bps.values())
    assert (bps["rhit"].items, bps["rhit"].minutes, len(bps["rhit"].domains)) == (150, 210, 6)
    assert (bps["cca"].items, bps["cca"].minutes) == (100, 120)
    assert (bps["ccs"].items, bps["ccs"].minutes) == (107, 240)
    assert (bps["cic"].items, bps["cic"].cases, bps["cic"].minutes) == (40, 7, 240)
    assert (bps["cca-practice"].items, bps["cca-practice"].minutes) == (25, 30)
    assert bps["cca-practice"].domains == bps["cca"].domains
    for bp in bps.values():
        assert abs(sum(d.weight for d in bp.domains) - 1) <= bpmod.WEIGHT_TOLERANCE
        assert bp.source and bp.as_of and "content outline" in bp.notes or bp.based_on


def blueprint_yaml(**changes) -> str:
    d = {"id": "bp", "credential": "CCA", "title": "T", "items": 10, "minutes": 10, "source": "s",
         "as_of": "2026-01-01", "notes": "n",
         "domains": [{"name": "A", "weight": 0.6, "tags": ["coding_cm"]}, {"name": "B", "weight": 0.4, "tags": ["privacy"]}]}
    d.update(changes)
    return json.dumps({k: v for k, v in d.items() if v is not None})


@pytest.mark.parametrize("changes,field,fragment", [
    ({"domains": [{"name": "A", "weight": 0.6, "tags": ["coding_cm"]}, {"name": "B", "weight": 0.3, "tags": ["privacy"]}]},
     "domains", "add up to 0.900"),
    ({"domains": [{"name": "A", "weight": 0.6, "tags": ["coding_cm"]}, {"name": "B", "weight": 0.4, "tags": ["coding_cm"]}]},
     "domains[1].tags", "feed one domain only"),
    ({"domains": [{"name": "A", "weight": 1.0, "tags": ["billing"]}]}, "domains[0].tags[0]", "not one of"),
    ({"domains": [{"name": "A", "weight": 1.0, "tags": ["privacy"], "share": 1}]}, "domains[0].share", "unknown field"),
    ({"cases": 3}, "case_domain", "required when cases"),
    ({"credential": "CPC"}, "credential", "not one of"),
    ({"items": 0}, "items", "whole number"),
    ({"as_of": "soon"}, "as_of", "YYYY-MM-DD"),
    ({"source": None}, "source", "required field is missing"),
    ({"domains": None}, "domains", "required field is missing"),
    ({"id": "other"}, "id", "does not match the file name"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_blueprint_validation(tmp_path, changes, field, fragment):
    d = tmp_path / "bps"
    d.mkdir()
    (d / "bp.yaml").write_text(blueprint_yaml(**changes))
    bps, problems = bpmod.validate_blueprints(d, tmp_path / "none")
    assert "bp" not in bps
    assert any(p.field == field and fragment in p.message and p.file.endswith("bp.yaml") for p in problems), messages(problems)


def test_blueprint_based_on(tmp_path):
    bps = bpmod.load_blueprints(BLUEPRINTS, tmp_path / "none")
    assert bps["mini-practice"].domains == bps["mini"].domains
    assert list(bps) == ["mini", "mini-cic", "mini-practice"]
    d = copy_dir(BLUEPRINTS, tmp_path / "bps")
    (d / "mini.yaml").unlink()
    _, problems = bpmod.validate_blueprints(d, tmp_path / "none")
    assert any(p.field == "based_on" and "mini-practice" in p.file for p in problems)


def test_save_blueprint_overrides_and_reset(tmp_path, monkeypatch, mini):
    over = tmp_path / "overrides"
    monkeypatch.setenv("CHARTLAB_BLUEPRINT_DIR", str(over))
    assert bpmod.override_dir() == over
    edited = bpmod.Blueprint(**{**vars(mini), "items": 12, "title": "Edited"})
    path = bpmod.save_blueprint(edited, shipped=BLUEPRINTS)
    assert path == over / "mini.yaml"
    bps = bpmod.load_blueprints(BLUEPRINTS)
    assert bps["mini"].items == 12 and bps["mini"].overridden and bps["mini"].title == "Edited"
    assert bpmod.reset_blueprint("mini") and not bpmod.reset_blueprint("mini")
    assert bpmod.load_blueprints(BLUEPRINTS)["mini"].items == 10


def test_save_blueprint_rejects_invalid_and_writes_nothing(tmp_path, mini):
    over = tmp_path / "overrides"
    bad = bpmod.Blueprint(**{**vars(mini), "domains": (bpmod.BlueprintDomain("X", 0.5, ("coding_cm",)),)})
    with pytest.raises(ContentError) as err:
        bpmod.save_blueprint(bad, over, shipped=BLUEPRINTS)
    assert "add up to 0.500" in str(err.value)
    assert not (over / "mini.yaml").exists()


def test_save_practice_keeps_following_base(tmp_path):
    over = tmp_path / "overrides"
    bps = bpmod.load_blueprints(BLUEPRINTS, over)
    practice = bpmod.Blueprint(**{**vars(bps["mini-practice"]), "items": 6})
    bpmod.save_blueprint(practice, over, shipped=BLUEPRINTS)
    assert "domains" not in (over / "mini-practice.yaml").read_text()
    base = bpmod.Blueprint(**{**vars(bps["mini"]), "domains": (
        bpmod.BlueprintDomain("Coding", 0.7, ("coding_cm", "coding_pcs")),
        bpmod.BlueprintDomain("Records", 0.3, ("health_record", "reimbursement")))})
    bpmod.save_blueprint(base, over, shipped=BLUEPRINTS)
    again = bpmod.load_blueprints(BLUEPRINTS, over)
    assert again["mini-practice"].items == 6 and again["mini-practice"].domains == base.domains


def test_blueprint_from_dict_roundtrip(mini):
    assert bpmod.blueprint_from_dict(mini.to_dict()) == bpmod.Blueprint(**{**vars(mini), "path": ""})
    with pytest.raises(ContentError):
        bpmod.blueprint_from_dict({**mini.to_dict(), "items": -1})


# --- apportionment and drawing --------------------------------------------------------------------

def test_apportion_examples():
    assert exam.apportion(100, [0.34, 0.18, 0.19, 0.13, 0.08, 0.08]) == [34, 18, 19, 13, 8, 8]
    assert exam.apportion(25, [0.34, 0.18, 0.19, 0.13, 0.08, 0.08]) == [9, 4, 5, 3, 2, 2]
    assert exam.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert exam.apportion(0, [0.5, 0.5]) == [0, 0]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300), st.lists(st.floats(0.01, 1.0), min_size=1, max_size=9))
def test_apportion_properties(total, weights):
    seats = exam.apportion(total, weights)
    assert sum(seats) == total
    s = sum(weights)
    for n, w in zip(seats, weights):
        assert abs(n - total * w / s) < 1 + 1e-9   # within one seat of the exact quota


def test_draw_matches_domain_weights_without_repeats(mini):
    draw = exam.draw_items(mini, synthetic_bank(), random.Random(7))
    assert draw.notes == ()
    assert len(draw.items) == 10 and len({it.id for it in draw.items}) == 10
    counts = {name: sum(1 for it in draw.items if it.domain == name) for name, _ in draw.planned}
    assert counts == {"Coding": 5, "Records": 3, "Money": 2} == dict(draw.planned)
    for it in draw.items:
        dm = next(d for d in mini.domains if d.name == it.domain)
        assert it.question.domain in dm.tags


def test_draw_proportions_over_a_full_blueprint(tmp_path):
    cca = bpmod.load_blueprints(overrides=tmp_path / "none")["cca"]
    draw = exam.draw_items(cca, synthetic_bank(per_domain=60), random.Random(3))
    got = [sum(1 for it in draw.items if it.domain == dm.name) for dm in cca.domains]
    assert got == exam.apportion(100, [dm.weight for dm in cca.domains])
    assert not any(it.question.domain == "leadership" for it in draw.items)


def test_draw_is_deterministic_and_shuffled(mini):
    bank = synthetic_bank()
    a = exam.draw_items(mini, bank, random.Random(11))
    b = exam.draw_items(mini, list(reversed(bank)), random.Random(11))
    c = exam.draw_items(mini, bank, random.Random(12))
    assert [it.id for it in a.items] == [it.id for it in b.items]
    assert [it.id for it in a.items] != [it.id for it in c.items]


def test_draw_prefers_credential_and_notes_borrowing(mini):
    bank = [make_q(f"cm-{i}", "coding_cm", ("CCS",)) for i in range(10)] + \
           [make_q(f"cma-{i}", "coding_cm", ("CCA",)) for i in range(2)] + \
           [make_q(f"hr-{i}", "health_record", ("CCA",)) for i in range(5)] + \
           [make_q(f"rb-{i}", "reimbursement", ("CCA",)) for i in range(5)]
    draw = exam.draw_items(mini, bank, random.Random(1))
    coding = [it.id for it in draw.items if it.domain == "Coding"]
    assert {"cma-0", "cma-1"} <= set(coding) and len(coding) == 5
    assert any(n.startswith("Coding: 3 of 5 questions are tagged for other credentials") for n in draw.notes)


def test_draw_shortfall_redistributes_then_shortens(mini):
    bank = [make_q(f"cm-{i}", "coding_cm") for i in range(8)] + [make_q("hr-0", "health_record")] + \
           [make_q(f"rb-{i}", "reimbursement") for i in range(2)]
    draw = exam.draw_items(mini, bank, random.Random(2))
    assert len(draw.items) == 10
    assert any("Records: only 1 questions in the bank for 3 seats" in n for n in draw.notes)
    assert any("2 seats went to other domains" in n for n in draw.notes)
    tiny = exam.draw_items(mini, bank[:4], random.Random(2))
    assert len(tiny.items) == 4
    assert any("This exam has 4 questions instead of 10" in n for n in tiny.notes)
    empty = exam.draw_items(mini, [], random.Random(2))
    assert empty.items == () and any("0 questions instead of 10" in n for n in empty.notes)
    with pytest.raises(ValueError, match="no items"):
        exam.start_exam(mini, empty, T0)


def test_draw_cases_follow_questions(mini_cic):
    scenarios = ["sepsis_uti", "heart_failure", "dka"]
    draw = exam.draw_items(mini_cic, synthetic_bank(), random.Random(5), scenarios=scenarios)
    kinds = [it.kind for it in draw.items]
    assert kinds == ["mc"] * 4 + ["case"] * 2
    cases = draw.items[4:]
    assert {c.domain for c in cases} == {"Inpatient cases"}
    assert len({c.scenario for c in cases}) == 2 and all(c.scenario in scenarios and c.seed > 0 for c in cases)
    assert cases[0].id == f"case:{cases[0].scenario}:{cases[0].seed}"
    one = exam.draw_items(mini_cic, synthetic_bank(), random.Random(5), scenarios=["dka"])
    assert [c.scenario for c in one.items if c.kind == "case"] == ["dka", "dka"]
    assert len({c.id for c in one.items}) == 6 and any("repeat" in n for n in one.notes)
    none = exam.draw_items(mini_cic, synthetic_bank(), random.Random(5))
    assert len(none.items) == 4 and any("cases are left out" in n for n in none.notes)


def test_coverage(mini):
    cov = exam.coverage(mini, load_bank(QUESTIONS))
    assert [(c.name, c.seats, c.tagged, c.available) for c in cov] == [
        ("Coding", 5, 1, 2), ("Records", 3, 1, 1), ("Money", 2, 0, 1)]


# --- session: timing, answers, flags, navigation ----------------------------------------------------

def test_session_clock_and_deadline(mini):
    s = session_for(mini, synthetic_bank())
    assert s.deadline == T0 + timedelta(minutes=20)
    assert s.remaining(T0 + timedelta(minutes=5)) == timedelta(minutes=15)
    assert not s.is_expired(T0 + timedelta(minutes=19, seconds=59))
    assert s.is_expired(T0 + timedelta(minutes=20))
    assert s.remaining(T0 + timedelta(hours=1)) == timedelta(0)


def test_answer_and_change_answer(mini):
    s = session_for(mini, synthetic_bank())
    s1 = s.answer(0, 2, T0 + timedelta(minutes=1))
    assert s.answers == {} and s1.answer_of(0) == 2          # the old session is untouched
    s2 = s1.answer(s1.items[0].id, 3, T0 + timedelta(minutes=2))
    assert s2.answer_of(0) == 3
    s3 = s2.answer(0, None, T0 + timedelta(minutes=3))
    assert s3.answer_of(0) is None and s3.unanswered() == list(range(10))
    for bad in (4, -1, "A", True, 1.0):
        with pytest.raises(ValueError):
            s.answer(0, bad, T0)


def test_flags_and_navigator(mini):
    s = session_for(mini, synthetic_bank()).flag(2).flag(5).answer(5, 1, T0)
    assert s.flagged() == [2, 5] and s.is_flagged(2)
    s = s.unflag(2).toggle_flag(7).toggle_flag(5)
    assert s.flagged() == [7]
    nav = s.navigator()
    assert nav[5].answered and not nav[5].flagged and nav[7].flagged and nav[0].current


def test_navigation(mini):
    s = session_for(mini, synthetic_bank())
    assert s.prev().current == 0
    s = s.next().next()
    assert s.current == 2 and s.current_item is s.items[2]
    s = s.goto(9).next()
    assert s.current == 9
    assert s.goto(s.items[4].id).current == 4
    with pytest.raises(IndexError):
        s.goto(10)
    with pytest.raises(KeyError):
        s.goto("no-such-item")


def test_submit_and_no_changes_after(mini):
    s = session_for(mini, synthetic_bank()).answer(0, 1, T0)
    done = s.submit(T0 + timedelta(minutes=5))
    assert done.submitted and not done.auto_submitted and done.submitted_at == T0 + timedelta(minutes=5)
    assert done.answer(1, 1, T0 + timedelta(minutes=6)) is done
    assert done.flag(1) is done and done.submit(T0 + timedelta(minutes=7)) is done
    assert done.goto(3).current == 3   # review navigation still works
    assert done.remaining(T0) == timedelta(0)


def test_timeout_auto_submits(mini):
    s = session_for(mini, synthetic_bank()).answer(0, 1, T0 + timedelta(minutes=1))
    assert s.tick(T0 + timedelta(minutes=19)) is s
    late = T0 + timedelta(minutes=21)
    t = s.tick(late)
    assert t.submitted and t.auto_submitted and t.submitted_at == s.deadline
    a = s.answer(1, 2, late)                       # an answer after time-out is refused
    assert a.submitted and a.auto_submitted and a.answer_of(1) is None and a.answer_of(0) == 1
    assert s.submit(late).auto_submitted


# --- scoring and report ------------------------------------------------------------------------------

def answer_all(s, right: set[int]):
    for i, it in enumerate(s.items):
        if it.kind == "mc":
            ci = it.question.correct_index
            s = s.answer(i, ci if i in right else (ci + 1) % 4, T0 + timedelta(minutes=1))
    return s


def test_report_by_domain_and_overall(mini):
    s = session_for(mini, synthetic_bank())
    coding = [i for i, it in enumerate(s.items) if it.domain == "Coding"]
    s = answer_all(s, right=set(coding[:4])).flag(coding[4]).submit(T0 + timedelta(minutes=10))
    r = exam.build_report(s)
    by = {d.name: d for d in r.domains}
    assert [d.name for d in r.domains] == ["Coding", "Records", "Money"]
    assert (by["Coding"].correct, by["Coding"].total, by["Coding"].percent) == (4, 5, 80.0)
    assert (by["Records"].correct, by["Records"].percent) == (0, 0.0)
    assert (r.correct, r.total, r.percent) == (4, 10, 40.0)
    assert r.readiness == "not yet" and r.answered == 10 and r.flagged == 1
    assert r.duration_seconds == 600
    item = r.items[coding[4]]
    assert item.flagged and not item.correct and item.chosen != item.correct_index
    assert len(item.rationales) == 4 and item.rationales[item.correct_index] == f"why {item.correct_index}"
    assert item.stem.startswith("stem ") and item.lesson == "L01-alpha"


def test_unanswered_items_score_zero(mini):
    s = session_for(mini, synthetic_bank()).tick(T0 + timedelta(hours=1))
    r = exam.build_report(s)
    assert r.correct == 0 and r.answered == 0 and r.auto_submitted and not r.items[0].answered


def test_report_requires_submission(mini):
    with pytest.raises(ValueError):
        exam.build_report(session_for(mini, synthetic_bank()))


@pytest.mark.parametrize("percent,domains,expected", [
    (85.0, [exam.DomainScore("A", 9, 10, 90.0)], ("ready", ())),
    (85.0, [exam.DomainScore("A", 3, 5, 60.0)], ("borderline", ("A",))),
    (85.0, [exam.DomainScore("A", 2, 4, 50.0)], ("ready", ())),       # too few items to call weak
    (80.0, [], ("ready", ())),
    (79.9, [], ("borderline", ())),
    (65.0, [], ("borderline", ())),
    (64.9, [], ("not yet", ())),
    (None, [], ("not yet", ())),
])
def test_readiness_heuristic(percent, domains, expected):
    assert exam.readiness(percent, domains) == expected


def test_case_items_scored_by_callback(mini_cic):
    s = session_for(mini_cic, synthetic_bank(), scenarios=["sepsis_uti", "dka"])
    s = answer_all(s, right={0, 1, 2, 3})
    case_idx = [i for i, it in enumerate(s.items) if it.kind == "case"]
    s = s.answer(case_idx[0], {"principal_dx": ["A41.51", "Y"]}, T0 + timedelta(minutes=2))
    with pytest.raises(ValueError):
        s.answer(case_idx[1], "A41.51", T0)
    s = s.submit(T0 + timedelta(minutes=30))
    calls = []

    def score_case(item, answer):
        calls.append((item.scenario, item.seed, answer))
        return 0.75

    r = exam.build_report(s, score_case=score_case)
    assert len(calls) == 1 and calls[0][2] == {"principal_dx": ["A41.51", "Y"]}   # unanswered case: no call
    by = {d.name: d for d in r.domains}
    assert (by["Inpatient cases"].correct, by["Inpatient cases"].total, by["Inpatient cases"].percent) == (0.75, 2, 37.5)
    assert r.correct == 4.75 and r.total == 6
    case_review = r.items[case_idx[0]]
    assert case_review.kind == "case" and case_review.credit == 0.75 and case_review.answer
    assert exam.build_report(s, score_case=lambda i, a: 7).domains[-1].correct == 1.0   # clamped
    with pytest.raises(ValueError):
        exam.build_report(s)                                                           # callback required
    with pytest.raises(ValueError):
        exam.build_report(s, score_case=lambda i, a: float("nan"))


def test_grade_hands_in_scores_cases_and_lists_responses(mini_cic):
    s = session_for(mini_cic, synthetic_bank(), scenarios=["sepsis_uti", "dka"])
    s = answer_all(s, right={0, 2})
    cases_ = [it for it in s.items if it.kind == "case"]
    s = s.answer(cases_[0].id, {"principal_dx": ["A41.51", "Y"]}, T0 + timedelta(minutes=1))
    calls = []

    def report_case(item, answer):
        calls.append((item.id, answer))
        if item.id == cases_[1].id:
            raise KeyError("unknown scenario 'dka'")        # removed from the library since the exam began
        return {"total": 80.0, "items": [{"component": "pdx"}], "feedback": []}

    g = exam.grade(s, T0 + timedelta(minutes=20), report_case)
    assert g.session.submitted and not g.session.auto_submitted
    assert calls == [(cases_[0].id, {"principal_dx": ["A41.51", "Y"]}), (cases_[1].id, {})]   # unanswered: empty
    reports = g.report["case_reports"]
    assert reports[cases_[0].id]["total"] == 80.0 and reports[cases_[1].id]["total"] == 0.0
    assert "could not be rebuilt" in reports[cases_[1].id]["feedback"][0]["message"]
    mc = [it for it in s.items if it.kind == "mc"]
    assert len(g.responses) == len(mc) and {r["chosen"] for r in g.responses} <= set("ABCD")
    assert [r["correct"] for r in g.responses] == [s.answers[it.id] == it.question.correct_index for it in mc]
    assert g.score == exam.ExamReport.from_dict(g.report).percent
    late = exam.grade(s, s.deadline + timedelta(minutes=5), report_case)
    assert late.session.auto_submitted and late.report["auto_submitted"]


def test_resume_session_from_a_stored_row(mini_cic):
    s = session_for(mini_cic, synthetic_bank(), scenarios=["sepsis_uti"])
    s = answer_all(s, right={0}).flag(1)
    row = {"blueprint_id": s.blueprint_id, "items": [it.to_dict() for it in s.items], "answers": dict(s.answers),
           "flags": sorted(s.flags), "started_at": "2026-03-02T09:00:00Z",
           "deadline_at": s.deadline.strftime("%Y-%m-%dT%H:%M:%SZ")}
    again = exam.resume_session(row, {mini_cic.id: mini_cic}, current=99)
    assert again.items == s.items and again.answers == s.answers and again.flags == s.flags
    assert again.started_at == T0 and again.deadline == s.deadline and again.current == len(s.items) - 1
    assert again.domains == s.domains and again.title == mini_cic.title
    orphan = exam.resume_session(row, {}, current=-3)       # the blueprint was removed meanwhile
    assert orphan.title == mini_cic.id and orphan.current == 0 and set(orphan.domains) == {it.domain for it in s.items}


def test_review_question_rebuilds_the_question(mini):
    s = session_for(mini, synthetic_bank())
    s = answer_all(s, right={0}).submit(T0 + timedelta(minutes=5))
    review = exam.build_report(s).items[0]
    q = exam.review_question(review)
    original = s.items[0].question
    assert (q.id, q.stem, q.correct_index, q.lesson) == (original.id, original.stem, original.correct_index, original.lesson)
    assert [o.rationale for o in q.options] == [o.rationale for o in original.options]


def test_session_and_report_json_roundtrip(mini_cic):
    s = session_for(mini_cic, synthetic_bank(), scenarios=["sepsis_uti", "dka"])
    s = answer_all(s, right={0, 2}).flag(1).goto(3)
    s = s.answer(4, {"principal_dx": ["A41.51", "Y"]}, T0)
    restored = exam.ExamSession.from_dict(json.loads(json.dumps(s.to_dict())))
    assert restored == s
    done = restored.submit(T0 + timedelta(minutes=5))
    r = exam.build_report(done, score_case=lambda i, a: 0.5)
    assert exam.ExamReport.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    d = s.to_dict()
    assert {"items", "answers", "flags"} <= set(d) and d["flags"] == [s.items[1].id]


# --- quiz ------------------------------------------------------------------------------------------

def test_check_feedback():
    q = load_bank(QUESTIONS)[0]
    right, wrong = quiz.check(q, 0), quiz.check(q, 2)
    assert right.correct and right.chosen_rationale.startswith("Default code")
    assert not wrong.correct and wrong.correct_index == 0 and wrong.correct_text == "J18.9"
    assert wrong.chosen_rationale == "Aspiration must be documented."
    with pytest.raises(ValueError):
        quiz.check(q, 4)


def test_lesson_quiz_flow():
    les = content.get_lesson("L01-alpha", CONTENT)
    qz = quiz.lesson_quiz(les)
    assert len(qz.questions) == 3 and qz.questions[0].id == "L01-alpha#check1"
    assert qz.feedback() is None and qz.percent is None
    qz = qz.answer(1)
    fb = qz.feedback()
    assert not fb.correct and fb.correct_rationale.startswith("J18.9 is the default")
    assert qz.answer(0).answers == qz.answers          # first answer is locked
    qz = qz.next().answer(1).next().answer(2)
    assert qz.finished and qz.correct_count == 2 and qz.percent == 66.7
    assert [q.id for q in qz.missed()] == ["L01-alpha#check1"]
    assert quiz.QuizSession.from_dict(json.loads(json.dumps(qz.to_dict()))) == qz
    assert qz.next().current == 2 and qz.goto(0).prev().current == 0


def test_bank_quiz_filters():
    bank = load_bank(QUESTIONS)
    qz = quiz.bank_quiz(bank, credential="CIC")
    assert [q.id for q in qz.questions] == ["fx-003", "fx-004"]
    qz = quiz.bank_quiz(bank, rng=random.Random(1), limit=2, credential=["CCA", "CCS"])
    assert len(qz.questions) == 2
    with pytest.raises(ValueError):
        quiz.bank_quiz(bank, domain="leadership")


# --- spaced review -----------------------------------------------------------------------------------

D0 = date(2026, 3, 2)


def test_leitner_transitions():
    s = review.start("hr-001", "question", D0)
    assert (s.box, s.due, s.lapses) == (1, D0 + timedelta(days=1), 1)
    day, boxes, gaps = D0, [], []
    for _ in range(5):
        day = s.due
        s = review.update(s, True, day)
        boxes.append(s.box)
        gaps.append((s.due - day).days)
    assert boxes == [2, 3, 4, 5, 5] and gaps == [2, 4, 8, 16, 16]
    missed = review.update(s, False, datetime(2026, 6, 1, 8, tzinfo=timezone.utc))
    assert (missed.box, missed.due, missed.lapses) == (1, date(2026, 6, 2), 2)
    assert missed.reviews == s.reviews + 1


def test_record_and_due():
    states = {}
    assert review.record(states, "hr-001", "question", True, D0) is None       # right first time: nothing to review
    a = review.record(states, "hr-001", "question", False, D0)
    states[a.key] = a
    b = review.start("sepsis_seq", "teaching_point", D0 - timedelta(days=3))
    states[b.key] = b
    c = review.update(review.start("hr-002", "question", D0), True, D0)        # box 2, due in 2 days
    states[c.key] = c
    assert review.record(states, "hr-001", "question", True, D0 + timedelta(days=1)).box == 2
    today = D0 + timedelta(days=1)
    assert [s.key for s in review.due(states.values(), today)] == ["teaching_point:sepsis_seq", "question:hr-001"]
    assert review.due_counts(states.values(), today) == {"teaching_point": 1, "question": 1}
    assert review.BoxState.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    with pytest.raises(ValueError):
        review.start("x", "flashcard", D0)


# --- CLI ---------------------------------------------------------------------------------------------

def cli_args(content_dir=CONTENT, questions_dir=QUESTIONS, tmp=None):
    return ["--content", str(content_dir), "--questions", str(questions_dir), "--blueprints", str(BLUEPRINTS),
            "--scenarios", str(FIX / "scenarios"), "--overrides", str(tmp / "none")]


def test_cli_validate_ok_and_list(tmp_path, capsys):
    assert cli(["validate", *cli_args(tmp=tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 lessons, 4 questions, 3 blueprints: no problems" in out
    assert cli(["list", *cli_args(tmp=tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "L01-alpha" in out and "mini-cic" in out and "+ 2 cases" in out


def test_cli_validate_reports_per_file_errors(tmp_path, capsys):
    d = copy_dir(CONTENT, tmp_path / "content")
    p = d / "L02-beta.md"
    p.write_text(p.read_text().replace("minutes: 15", "minutes: 15\nauthor: me"))
    q = copy_dir(QUESTIONS, tmp_path / "questions")
    (q / "sample.yaml").write_text((q / "sample.yaml").read_text().replace("codes: [0DTJ4ZZ]", "codes: []"))
    assert cli(["validate", *cli_args(d, q, tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "L02-beta.md\n  - author: unknown field" in out
    assert "sample.yaml\n  - question fx-004: stem: mentions 0DTJ4ZZ but it is not listed in codes" in out
    assert cli(["validate", "--no-codes", "--strict", *cli_args(tmp=tmp_path)]) == 1   # warnings fail in strict mode
