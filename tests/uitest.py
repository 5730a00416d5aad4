"""Shared AppTest helpers for the UI tests."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def run_as(user=None, page: str | None = None) -> AppTest:
    """The app as `user` (None: anonymous), optionally switched to ui/pages/<page>.py."""
    at = AppTest.from_file(APP, default_timeout=90)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(f"ui/pages/{page}.py").run()
        assert not at.exception, at.exception
    return at
