"""Shared fixtures. The reference cache (codes) lives in data/cache/ and is built once."""
import os
import random

import pytest

os.environ["CHARTLAB_STRICT"] = "1"  # the app re-raises page errors instead of showing a friendly message
os.environ.setdefault("CHARTLAB_CACHE_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "cache"))


@pytest.fixture(scope="session", autouse=True)
def _reference_cache():
    from codes import store
    store.ensure()


@pytest.fixture
def rng():
    return random.Random(20260401)


@pytest.fixture
def tmp_db(tmp_path, monkeypatch):
    path = tmp_path / "chartlab.db"
    monkeypatch.setenv("CHARTLAB_DB", str(path))
    return path
