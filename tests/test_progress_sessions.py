"""progress.sessions: persistent, revocable sign-in sessions (hashing, claim, expiry, idle
timeout, revocation on sign-out / password change / by an admin, cross-user isolation)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from progress import migrations, sessions
from progress.accounts import change_password, provision_user, reset_password, set_role
from progress.db import connect, one, rows
from progress.errors import NotFound, PermissionDenied
from progress.sessions import (check_session, claim_session, create_session, revoke_session,
                               revoke_token, revoke_user_sessions, validate_session)
from progress_builders import PASSWORD, old_user

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def signed_in(db, user, now=T0):
    """Create a session for `user` and claim its browser token; (session id, token)."""
    new = create_session(user.id, now=now, db=db)
    issued = claim_session(new.claim_code, now=now, db=db)
    assert issued is not None and issued.session_id == new.id
    return new.id, issued.token


def test_token_has_256_bits_and_only_its_digest_is_stored(world):
    new = create_session(world.l1.id, now=T0, db=world.db)
    issued = claim_session(new.claim_code, now=T0, db=world.db)
    assert len(issued.token) == 43 and len(new.claim_code) == 43   # token_urlsafe(32)
    row = one(world.db, "SELECT * FROM sessions WHERE id = ?", [new.id])
    assert row["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    dump = "\n".join(world.db.conn.iterdump())
    assert issued.token not in dump and new.claim_code not in dump
    assert row["claim_hash"] is None and row["user_id"] == world.l1.id
    assert row["method"] == "password" and row["created_at"] == row["last_seen_at"] == "2026-05-04T09:00:00Z"


def test_claim_code_is_single_use_and_short_lived(world):
    new = create_session(world.l1.id, now=T0, db=world.db)
    assert check_session(new.id, now=T0, db=world.db).claim_pending
    late = create_session(world.l1.id, now=T0, db=world.db)
    assert claim_session(late.claim_code, now=T0 + sessions.CLAIM_LIFETIME, db=world.db) is None
    first = claim_session(new.claim_code, now=T0, db=world.db)
    assert first is not None
    assert claim_session(new.claim_code, now=T0, db=world.db) is None   # used
    assert not check_session(new.id, now=T0, db=world.db).claim_pending
    assert first.max_age_s == int(sessions.lifetime().total_seconds())


def test_validate_returns_the_user_with_the_current_role(world):
    session_id, token = signed_in(world.db, world.l1)
    found = validate_session(token, now=T0, db=world.db)
    assert (found.id, found.user.id, found.user.role) == (session_id, world.l1.id, "learner")
    set_role(world.admin_, world.l1.id, "instructor", db=world.db)
    assert validate_session(token, now=T0, db=world.db).user.role == "instructor"
    assert check_session(session_id, now=T0, db=world.db).user.role == "instructor"


def test_one_users_token_never_authenticates_another(world):
    _, token1 = signed_in(world.db, world.l1)
    _, token2 = signed_in(world.db, world.l2)
    assert validate_session(token1, now=T0, db=world.db).user.id == world.l1.id
    assert validate_session(token2, now=T0, db=world.db).user.id == world.l2.id
    revoke_token(token1, db=world.db)
    assert validate_session(token1, now=T0, db=world.db) is None
    assert validate_session(token2, now=T0, db=world.db).user.id == world.l2.id
    # a learner cannot sign out someone else's session by id
    other_id = validate_session(token2, now=T0, db=world.db).id
    with pytest.raises(PermissionDenied):
        revoke_session(world.l1_, other_id, db=world.db)
    assert validate_session(token2, now=T0, db=world.db) is not None


def test_absolute_expiry(world, monkeypatch):
    monkeypatch.setenv("CHARTLAB_SESSION_MAX_HOURS", "24")
    monkeypatch.setenv("CHARTLAB_SESSION_IDLE_MINUTES", "1440")
    _, token = signed_in(world.db, world.l1)
    for hour in range(1, 24, 4):   # kept busy: idle never reached
        assert validate_session(token, now=T0 + timedelta(hours=hour), db=world.db) is not None
    assert validate_session(token, now=T0 + timedelta(hours=24), db=world.db) is None


def test_idle_timeout_and_last_seen_refresh(world, monkeypatch):
    monkeypatch.setenv("CHARTLAB_SESSION_IDLE_MINUTES", "30")
    session_id, token = signed_in(world.db, world.l1)
    assert validate_session(token, now=T0 + timedelta(minutes=29), db=world.db) is not None
    seen = one(world.db, "SELECT last_seen_at FROM sessions WHERE id = ?", [session_id])["last_seen_at"]
    assert seen == "2026-05-04T09:29:00Z"
    assert validate_session(token, now=T0 + timedelta(minutes=58), db=world.db) is not None
    assert validate_session(token, now=T0 + timedelta(minutes=88), db=world.db) is None   # 30 idle
    assert check_session(session_id, now=T0 + timedelta(minutes=88), db=world.db) is None


def test_last_seen_is_written_at_most_once_a_minute(world):
    session_id, token = signed_in(world.db, world.l1)
    validate_session(token, now=T0 + timedelta(seconds=30), db=world.db)
    assert one(world.db, "SELECT last_seen_at FROM sessions WHERE id = ?",
               [session_id])["last_seen_at"] == "2026-05-04T09:00:00Z"


def test_shortening_the_idle_setting_applies_to_existing_sessions(world, monkeypatch):
    _, token = signed_in(world.db, world.l1)   # created with the 12-hour default
    monkeypatch.setenv("CHARTLAB_SESSION_IDLE_MINUTES", "10")
    assert validate_session(token, now=T0 + timedelta(minutes=11), db=world.db) is None


@pytest.mark.parametrize("value", ["", "abc", "0", "-5", "99999999", "1.5"])
def test_bad_settings_fall_back_to_defaults(monkeypatch, value):
    monkeypatch.setenv("CHARTLAB_SESSION_MAX_HOURS", value)
    monkeypatch.setenv("CHARTLAB_SESSION_IDLE_MINUTES", value)
    assert sessions.lifetime() == timedelta(hours=sessions.DEFAULT_MAX_HOURS)
    assert sessions.idle_timeout() == timedelta(minutes=sessions.DEFAULT_IDLE_MINUTES)


def test_idle_timeout_never_exceeds_the_lifetime(monkeypatch):
    monkeypatch.setenv("CHARTLAB_SESSION_MAX_HOURS", "2")
    monkeypatch.delenv("CHARTLAB_SESSION_IDLE_MINUTES", raising=False)
    assert sessions.idle_timeout() == timedelta(hours=2)


def test_sign_out_revokes(world):
    session_id, token = signed_in(world.db, world.l1)
    assert revoke_session(world.l1_, session_id, db=world.db) is True
    assert validate_session(token, now=T0, db=world.db) is None
    assert check_session(session_id, now=T0, db=world.db) is None
    assert revoke_session(world.l1_, session_id, db=world.db) is False   # already ended
    assert one(world.db, "SELECT revoked_reason FROM sessions WHERE id = ?",
               [session_id])["revoked_reason"] == "sign_out"
    with pytest.raises(NotFound):
        revoke_session(world.l1_, 999_999, db=world.db)


def test_an_unclaimed_session_cannot_be_claimed_after_sign_out(world):
    new = create_session(world.l1.id, now=T0, db=world.db)
    revoke_session(world.l1_, new.id, db=world.db)
    assert claim_session(new.claim_code, now=T0, db=world.db) is None


def test_password_change_revokes_every_session_of_that_user_only(world):
    _, phone = signed_in(world.db, world.l1)
    _, laptop = signed_in(world.db, world.l1)
    _, other = signed_in(world.db, world.l2)
    change_password(world.l1_, PASSWORD, "Another-horse-10", db=world.db)
    assert validate_session(phone, now=T0, db=world.db) is None
    assert validate_session(laptop, now=T0, db=world.db) is None
    assert validate_session(other, now=T0, db=world.db) is not None
    reasons = rows(world.db, "SELECT DISTINCT revoked_reason AS r FROM sessions WHERE user_id = ?", [world.l1.id])
    assert reasons == [{"r": "password"}]


def test_password_reset_by_the_instructor_revokes_the_learners_sessions(world):
    _, token = signed_in(world.db, world.l1)
    _, instructor = signed_in(world.db, world.i1)
    reset_password(world.i1_, world.l1.id, "Reset-by-teacher-7", db=world.db)
    assert validate_session(token, now=T0, db=world.db) is None
    assert validate_session(instructor, now=T0, db=world.db) is not None


def test_admin_revokes_all_of_a_users_sessions_and_others_may_not(world):
    _, t1 = signed_in(world.db, world.i1)
    _, t2 = signed_in(world.db, world.i1)
    for outsider in (world.i2_, world.l1_):
        with pytest.raises(PermissionDenied):
            revoke_user_sessions(outsider, world.i1.id, db=world.db)
        with pytest.raises(PermissionDenied):
            sessions.active_session_count(outsider, world.i1.id, db=world.db)
    assert sessions.active_session_count(world.admin_, world.i1.id, now=T0, db=world.db) == 2
    assert revoke_user_sessions(world.admin_, world.i1.id, db=world.db) == 2
    assert validate_session(t1, now=T0, db=world.db) is None
    assert validate_session(t2, now=T0, db=world.db) is None
    assert sessions.active_session_count(world.admin_, world.i1.id, now=T0, db=world.db) == 0
    with pytest.raises(NotFound):
        revoke_user_sessions(world.admin_, 999_999, db=world.db)


def test_a_user_signs_out_everywhere(world):
    _, token = signed_in(world.db, world.l1)
    assert revoke_user_sessions(world.l1_, world.l1.id, db=world.db) == 1
    assert validate_session(token, now=T0, db=world.db) is None


@pytest.mark.parametrize("garbage", [None, "", 42, 4.2, b"bytes", ["list"], {"d": 1}, "x" * 43 + "=",
                                     "é" * 43, "a" * 42, "a" * 44, "a" * 100_000, "' OR 1=1 --",
                                     "\x00" * 43, "a" * 42 + "\n"])
def test_garbage_tokens_are_rejected_without_exceptions(world, garbage):
    signed_in(world.db, world.l1)
    assert validate_session(garbage, db=world.db) is None
    assert claim_session(garbage, db=world.db) is None
    assert revoke_token(garbage, db=world.db) is False
    assert check_session(garbage, db=world.db) is None


def test_a_tampered_token_is_rejected(world):
    _, token = signed_in(world.db, world.l1)
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    assert validate_session(flipped, now=T0, db=world.db) is None
    assert validate_session(token[:-1] + ("x" if token[-1] != "x" else "y"), now=T0, db=world.db) is None
    assert validate_session(token, now=T0, db=world.db) is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60), st.integers(), st.none()))
def test_any_input_never_raises(db, value):   # the same database for every input is intended
    assert validate_session(value, db=db) is None
    assert claim_session(value, db=db) is None
    assert revoke_token(value, db=db) is False


def test_check_session_ignores_non_integer_ids(world):
    session_id, _ = signed_in(world.db, world.l1)
    assert check_session(True, db=world.db) is None
    assert check_session(str(session_id), db=world.db) is None


def test_create_session_needs_a_real_user(db):
    with pytest.raises(NotFound):
        create_session(424242, db=db)
    user = provision_user("solo", PASSWORD, "learner", db=db)
    with pytest.raises(ValueError):
        create_session(user.id, method="magic", db=db)


def test_upgrade_from_0003_keeps_accounts_and_allows_sessions(db_file):
    database = connect(db_file, migrate=False)
    assert migrations.migrate(database, upto="0003_learning")[-1] == "0003_learning"
    assert "sessions" not in database.table_names()
    old = old_user(database, "before-sessions", "instructor")     # the users columns of that version only
    assert "0005_sessions" in migrations.migrate(database)
    assert {"sessions", "sso_identities", "invitations"} <= set(database.table_names())
    assert one(database, "SELECT sessions_revoked_at FROM users WHERE id = ?", [old.id]) == {"sessions_revoked_at": None}
    _, token = signed_in(database, old)
    assert validate_session(token, now=T0, db=database).user.username == "before-sessions"
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_busy_database_does_not_end_a_session(world, monkeypatch):
    import sqlite3
    from contextlib import contextmanager
    session_id, token = signed_in(world.db, world.l1)

    @contextmanager
    def busy(db):
        raise sqlite3.OperationalError("database is locked")
        yield
    monkeypatch.setattr(sessions, "write", busy)
    later = T0 + timedelta(minutes=5)
    assert validate_session(token, now=later, db=world.db).user.id == world.l1.id
    assert check_session(session_id, now=later, db=world.db) is not None
