"""cases.planning: filtering the catalogue, fixed (scenario, seed) plans, generating and validating
the planned cases of an assignment."""
import cases


def test_filter_scenarios_by_every_non_empty_filter():
    catalogue = cases.list_scenarios()
    assert cases.filter_scenarios(catalogue) == catalogue
    mdc5 = cases.filter_scenarios(catalogue, mdcs=[5])
    assert mdc5 and all(s["mdc"] == 5 for s in mdc5)
    easy5 = cases.filter_scenarios(catalogue, mdcs=[5], difficulties=[1])
    assert all(s["difficulty"] == 1 and s in mdc5 for s in easy5)
    topic = catalogue[0]["teaching"][0] if catalogue[0]["teaching"] else catalogue[0]["topics"][0]
    assert catalogue[0] in cases.filter_scenarios(catalogue, topics=[topic])   # topics or teaching points
    assert cases.filter_scenarios(catalogue, topics=["no-such-topic"]) == []


def test_plans_are_fixed_by_their_inputs():
    ids = ["heart_failure", "sepsis_uti", "dka"]
    pick = cases.plan_cases(ids, pick=7, set_number=3)
    assert pick == cases.plan_cases(list(reversed(ids)), pick=7, set_number=3)   # same set, same charts
    assert pick != cases.plan_cases(ids, pick=7, set_number=4)
    assert len(pick) == 7 and {p["scenario"] for p in pick} == set(ids)
    assert len({(p["scenario"], p["seed"]) for p in pick}) == 7
    per = cases.plan_cases(["dka"], per_scenario=3)
    assert [p["scenario"] for p in per] == ["dka"] * 3 and len({p["seed"] for p in per}) == 3
    assert cases.plan_cases([]) == []
    assert all(1 <= p["seed"] <= cases.planning.SEED_MAX for p in pick)


def test_generate_cases_reports_progress_and_replaces_failures(monkeypatch):
    from cases import validate
    calls = []
    real = validate.validate_case

    def flaky(case, lib=None):
        return ["made-up problem"] if case.seed == 42 else real(case, lib)

    monkeypatch.setattr(validate, "validate_case", flaky)
    items, notes = cases.generate_cases([{"scenario": "heart_failure", "seed": 42},
                                         {"scenario": "sepsis_uti", "seed": 7}], cases.library(),
                                        on_progress=lambda f, t: calls.append(f))
    assert calls == [0.5, 1.0]
    assert len(items) == 2 and items[0]["seed"] != 42 and items[1] == {"scenario": "sepsis_uti", "seed": 7}
    assert "seed 42 failed validation" in notes[0]
