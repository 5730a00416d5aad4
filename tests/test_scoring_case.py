"""scoring.score_case: the key is regenerated inside scoring; the result identifies the case."""
import pytest

import cases
import progress
import scoring
from cases.model import Answer


def test_score_case_regenerates_the_key_and_describes_the_case():
    case = cases.generate("heart_failure", 7)
    scored = scoring.score_case("heart_failure", 7, Answer.from_key(case.key))
    assert scored.report.total == 100 and scored.report == scoring.score(Answer.from_key(case.key), case.key)
    assert (scored.scenario_id, scored.seed, scored.generator_version, scored.mdc) == \
        (case.scenario_id, case.seed, case.generator_version, case.mdc)
    assert not hasattr(scored, "key") and "key" not in vars(scored)
    assert progress.case_ref(scored) == progress.case_ref(case)   # topics include the key's teaching points


def test_score_case_takes_a_dict_answer_and_a_rubric_name():
    case = cases.generate("sepsis_uti", 3)
    answer = Answer.from_key(case.key).to_dict()
    exam = scoring.score_case("sepsis_uti", "3", answer, "exam")
    assert exam.report.rubric_id == "exam" and exam.report.total == 100
    assert scoring.score_case("sepsis_uti", 3, {}, "exam").report.total == 0


def test_score_case_unknown_scenario_raises_keyerror():
    with pytest.raises(KeyError):
        scoring.score_case("no_such_scenario", 1, Answer())
