"""AppTest: the first-run page asks for the setup token only when the server is exposed."""
from __future__ import annotations

import pytest
from streamlit import config

import progress
from progress import setup
from uitest import run_as

PASSWORD = "Correct-horse-9"


@pytest.fixture
def bind(tmp_db):
    """Set Streamlit's server.address for the test, and restore it."""
    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


def _fill(at, token=None):
    fields = {t.label: t for t in at.text_input}
    if token is not None:
        fields["Setup token"].input(token)
    fields["Your name"].input("Pat Admin")
    fields["Username"].input("pat")
    fields["Password"].input(PASSWORD)
    fields["Repeat password"].input(PASSWORD)
    at.button[0].click().run()


def test_a_local_server_needs_no_token(bind):
    bind("127.0.0.1")
    at = run_as(None)
    assert "Setup token" not in [t.label for t in at.text_input]
    _fill(at)
    assert not at.exception and not progress.needs_first_user()


def test_an_exposed_server_asks_for_the_console_token(bind, tmp_db, capsys):
    bind("0.0.0.0")
    at = run_as(None)
    assert "Setup token" in [t.label for t in at.text_input]
    printed = capsys.readouterr().err
    token = printed.split("setup token: ")[1].split()[0]
    _fill(at, token="WRONG-TOKEN")
    assert any("setup token printed on the server console" in e.value for e in at.error)
    assert progress.needs_first_user()
    _fill(at, token=token)
    assert not at.exception and not progress.needs_first_user()
    assert str(tmp_db) not in setup._tokens
