"""Shared, cached objects: code tables, the case library, and learner-safe charts."""
from __future__ import annotations

import streamlit as st

import cases
import codes
from codes import store


@st.cache_resource(show_spinner=False)
def reference_ready() -> bool:
    """Build the code search cache on first use, with progress shown to whoever is waiting."""
    if not store.is_built():
        bar = st.progress(0.0, text="Building the code search index (first run only, under a minute)...")
        store.ensure(progress=lambda frac, msg: bar.progress(min(1.0, frac), text=msg))
        bar.empty()
    return True


@st.cache_resource(show_spinner="Loading the ICD-10-CM tabular list...")
def cm_loaded() -> bool:
    codes.cm.info("I10")  # loads the tabular list once per process
    return True


@st.cache_resource(show_spinner=False)
def case_library():
    return cases.library()


@st.cache_data(show_spinner=False, max_entries=256)
def chart(scenario_id: str, seed: int) -> dict:
    """The chart a learner may read: patient, encounter and documents. Never the answer key, and not the
    encounter's UB-04 codes either (they are abstraction answers)."""
    return cases.generate(scenario_id, int(seed), case_library()).learner_view()


@st.cache_data(show_spinner=False)
def scenario_titles() -> dict:
    return {s["id"]: s["title"] for s in cases.list_scenarios()}


@st.cache_resource(show_spinner=False)
def teaching_points() -> dict:
    return dict(case_library().teaching)


def scenario_catalogue() -> list[dict]:
    return cases.list_scenarios()
