"""seed-demo: a labelled demo cohort whose attempts are really generated and scored."""
import random

import cases
import progress
import scoring
from progress.db import connect
from progress.demo import DEMO_COHORT, learner_answer, seed_demo


def test_perfect_learner_scores_100_and_weak_learner_less():
    case = cases.generate("heart_failure", 11)
    assert scoring.score(learner_answer(case.key, 1.0, random.Random(1)), case.key).total == 100
    weak = [scoring.score(learner_answer(case.key, 0.2, random.Random(s)), case.key).total for s in range(10)]
    assert max(weak) < 100 and min(weak) >= 0


def test_seed_demo_creates_true_history_once(tmp_path):
    db = connect(tmp_path / "demo.db")
    out = seed_demo(3, db=db, say=lambda *_: None)
    assert out["attempts"] > 0
    rows = db.execute("SELECT count(*), min(total), max(total) FROM attempts").fetchone()
    assert rows[0] == out["attempts"] and rows[1] < rows[2] <= 100
    user = progress.authenticate("demo-instructor", out["password"], db=db)
    cohort = [c for c in progress.list_cohorts(user.actor, db=db) if c["name"] == DEMO_COHORT][0]
    book = progress.gradebook(user.actor, cohort["id"], db=db)
    scenario = db.execute("SELECT scenario_id FROM attempts LIMIT 1").fetchone()[0]
    analysis = progress.item_analysis(user.actor, scenario_id=scenario, cohort_id=cohort["id"], db=db)
    assert book and analysis["attempts"] > 0 and analysis["items"]
    assert seed_demo(3, db=db, say=lambda *_: None) == {}  # idempotent


def test_seed_demo_includes_a_question_set_and_an_exam_in_the_gradebook(tmp_path):
    db = connect(tmp_path / "demo.db")
    out = seed_demo(4, db=db, say=lambda *_: None)
    user = progress.authenticate("demo-instructor", out["password"], db=db)
    cohort = progress.list_cohorts(user.actor, db=db)[0]
    book = progress.gradebook(user.actor, cohort["id"], db=db)
    kinds = {a["kind"]: a["id"] for a in book["assignments"]}
    assert set(kinds) == {"cases", "quiz", "exam"}
    assert any(r["scores"][kinds["quiz"]] is not None for r in book["rows"])
    assert any(r["scores"][kinds["exam"]] is not None for r in book["rows"])


def test_seed_if_requested_reads_the_environment(tmp_path, monkeypatch):
    from progress.demo import seed_if_requested
    monkeypatch.setenv("CHARTLAB_DB", str(tmp_path / "env.db"))
    assert seed_if_requested({}, say=lambda *_: None) == {}
    out = seed_if_requested({"CHARTLAB_DEMO": "1", "CHARTLAB_DEMO_LEARNERS": "2"}, say=lambda *_: None)
    assert out["instructor"] == "demo-instructor"
    assert connect(tmp_path / "env.db").execute("SELECT COUNT(*) FROM users WHERE role = 'learner'").fetchone()[0] == 2


def test_streamlit_run_asgi_seeds_the_demo_at_startup(tmp_path):
    """`CHARTLAB_DEMO=1 streamlit run asgi.py` (what `make run` runs) seeds before it serves."""
    import urllib.request
    from browser import chartlab
    db_path = tmp_path / "served.db"
    with chartlab(db_path, env={"CHARTLAB_DEMO": "1", "CHARTLAB_DEMO_LEARNERS": "2"}) as url:
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=10).status == 200
        db = connect(db_path)
        assert db.execute("SELECT COUNT(*) FROM cohorts WHERE name = ?", [DEMO_COHORT]).fetchone()[0] == 1
