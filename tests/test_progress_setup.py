"""First-run setup token (issue 15, item 8): an exposed server's first account needs the token
printed on the server console; a local one does not."""
from __future__ import annotations

import pytest

import progress as P
from progress import setup
from progress.errors import PermissionDenied
from progress.setup import Origin
from progress_builders import PASSWORD


@pytest.fixture
def console():
    lines = []
    return lines


@pytest.mark.parametrize("origin, exposed", [
    (Origin("127.0.0.1"), False), (Origin("localhost"), False), (Origin("::1"), False),
    (Origin("127.0.0.1", client_address="127.0.0.1"), False),
    (Origin(None), True), (Origin(""), True), (Origin("0.0.0.0"), True), (Origin("192.168.1.20"), True),
    (Origin("127.0.0.1", client_address="192.168.1.44"), True),      # a visitor from elsewhere
    (Origin("127.0.0.1", client_address="127.0.0.1", forwarded=True), True),   # behind a reverse proxy
])
def test_when_the_server_counts_as_exposed(origin, exposed):
    assert origin.exposed is exposed


def test_the_operator_can_force_the_token(monkeypatch):
    monkeypatch.setenv("CHARTLAB_REQUIRE_SETUP_TOKEN", "1")
    assert Origin("127.0.0.1", client_address="127.0.0.1").exposed


def test_an_exposed_first_run_needs_the_printed_token_once(db, db_file, console):
    exposed = Origin("0.0.0.0", client_address="203.0.113.5")
    assert P.token_required(exposed, db=db)
    assert P.announce_token(exposed, db=db, say=console.append)
    assert P.announce_token(exposed, db=db, say=console.append)   # printed once, not on every visit
    assert len(console) == 1 and "setup token" in console[0]
    token = console[0].split("token: ")[1].split()[0]
    assert len(token.replace("-", "")) == setup.GROUPS * setup.GROUP_LENGTH
    for wrong in (None, "", "AAAA-BBBB-CCCC-DDDD", token[:-1]):
        with pytest.raises(PermissionDenied, match="setup token printed on the server console"):
            P.create_first_user("boss", PASSWORD, setup_token=wrong, origin=exposed, db=db)
    assert P.needs_first_user(db=db)
    boss = P.create_first_user("boss", PASSWORD, setup_token=f" {token.lower()} ", origin=exposed, db=db)
    assert boss.role == "admin" and not P.token_required(exposed, db=db)
    assert str(db_file) not in setup._tokens   # one-time: forgotten
    with pytest.raises(PermissionDenied):
        P.create_first_user("boss2", PASSWORD, setup_token=token, origin=exposed, db=db)


def test_without_an_announced_token_an_exposed_server_refuses(db):
    with pytest.raises(PermissionDenied):
        P.create_first_user("boss", PASSWORD, origin=Origin(None), db=db)
    with pytest.raises(PermissionDenied):   # nothing known about the server: exposed
        P.create_first_user("boss", PASSWORD, db=db)


def test_a_local_first_run_needs_no_token(db, console):
    local = Origin("127.0.0.1", client_address="127.0.0.1")
    assert not P.announce_token(local, db=db, say=console.append) and console == []
    assert P.create_first_user("boss", PASSWORD, origin=local, db=db).username == "boss"
