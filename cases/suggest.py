"""Which scenario to practise next: one that exercises the learner's weakest skill.

`weak` comes from `progress.weakest_skills` ({"kind": "component"|"topic"|"mdc", "key", "mean", "n"});
`scenarios` from `cases.list_scenarios()`. Pure: no database, no UI.
"""
from __future__ import annotations

from collections import Counter

# Which scenario topics / teaching points exercise a scoring component.
COMPONENT_TOPICS = {
    "pcs": ("pcs",), "drg": ("cc_mcc", "drg", "mcc"), "pdx": ("sequencing", "principal", "presumed"),
    "sdx": ("cc_mcc", "acuity", "combination", "organism", "abnormal", "symptoms"),
    "poa": ("poa", "hac"), "abstraction": ("disposition", "transfer", "abstract"),
}


def matches(skill: dict, scenario: dict) -> bool:
    """Does `scenario` practise `skill`?"""
    tags = [str(t).lower() for t in [*scenario.get("topics", ()), *scenario.get("teaching", ())]]
    if skill["kind"] == "mdc":
        return str(scenario.get("mdc")) == str(skill["key"])
    if skill["kind"] == "topic":
        return str(skill["key"]).lower() in tags
    words = COMPONENT_TOPICS.get(skill["key"], ())
    return any(w in tag for w in words for tag in tags)


def suggest_scenario(weak: list[dict], scenarios: list[dict], attempted=None) -> tuple[dict | None, dict | None]:
    """(scenario, skill it targets): the weakest skill first; among the scenarios that practise it,
    the one tried least often, then the easier one. Skill is None when nothing targets a weak skill."""
    if not scenarios:
        return None, None
    attempted = Counter(attempted or {})

    def rank(s):
        return attempted[s["id"]], s.get("difficulty", 9), s["id"]

    for skill in weak or ():
        fits = [s for s in scenarios if matches(skill, s)]
        if fits:
            return min(fits, key=rank), skill
    return min(scenarios, key=rank), None
