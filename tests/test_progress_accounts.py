"""progress.accounts: hashing, policy, first user, registration, sign-in, lockout, passwords."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from progress import accounts
from progress.accounts import (authenticate, change_password, create_first_user, create_user,
                               list_users, needs_first_user, password_problems, provision_user,
                               register_learner, reset_password)
from progress.db import one
from progress.errors import AuthError, PermissionDenied, ValidationError
from progress_builders import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("password, problem", [
    ("Short-1", "at least 10"),
    ("alllowercaseletters", "two kinds"),
    ("12345678901234", "two kinds"),
    ("x" * 129 + "A", "at most 128"),
    ("my-name-Is-bob99", "username"),
])
def test_password_policy_explains_each_problem(password, problem):
    assert any(problem in p for p in password_problems(password, "bob99"))


def test_acceptable_password_has_no_problems():
    assert password_problems("Correct-horse-9", "alice") == []
    assert password_problems("two kinds ok 1", "alice") == []


def test_passwords_are_stored_as_argon2id(db):
    user = provision_user("alice", PASSWORD, "instructor", db=db)
    stored = one(db, "SELECT password_hash FROM users WHERE id = ?", [user.id])["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_first_user_only_once(db):
    assert needs_first_user(db=db)
    with pytest.raises(ValidationError):
        create_first_user("learner1", PASSWORD, role="learner", db=db)
    first = create_first_user("boss", PASSWORD, db=db)
    assert first.role == "admin" and not needs_first_user(db=db)
    with pytest.raises(PermissionDenied):
        create_first_user("boss2", PASSWORD, db=db)


def test_usernames_unique_ignoring_case_and_validated(db):
    provision_user("Alice", PASSWORD, "learner", db=db)
    with pytest.raises(ValidationError, match="taken"):
        provision_user("alice", PASSWORD, "learner", db=db)
    for bad in ("al", "has space", "x" * 33, "", "-dash-first"):
        with pytest.raises(ValidationError, match="Usernames"):
            provision_user(bad, PASSWORD, "learner", db=db)
    with pytest.raises(ValidationError, match="Role"):
        provision_user("carol", PASSWORD, "superuser", db=db)


def test_sign_in_is_case_insensitive_and_records_last_login(db):
    provision_user("Alice", PASSWORD, "learner", db=db)
    user = authenticate("ALICE", PASSWORD, now=T0, db=db)
    assert user.username == "Alice" and user.last_login_at == "2026-03-02T09:00:00Z"
    assert user.actor.role == "learner" and user.actor.user_id == user.id


def test_unknown_user_and_wrong_password_look_the_same(db):
    provision_user("alice", PASSWORD, "learner", db=db)
    with pytest.raises(AuthError) as unknown:
        authenticate("nobody", PASSWORD, db=db)
    with pytest.raises(AuthError) as wrong:
        authenticate("alice", "Wrong-password-1", db=db)
    assert str(unknown.value) == str(wrong.value) == accounts.BAD_CREDENTIALS


def test_lockout_after_five_failures_for_fifteen_minutes(db):
    provision_user("alice", PASSWORD, "learner", db=db)
    for n in range(4):
        with pytest.raises(AuthError, match="Incorrect"):
            authenticate("alice", "Wrong-password-1", now=T0 + timedelta(seconds=n), db=db)
    with pytest.raises(AuthError, match="Try again in 15 minutes") as locked:
        authenticate("alice", "Wrong-password-1", now=T0 + timedelta(seconds=5), db=db)
    assert locked.value.retry_at == T0 + timedelta(seconds=5) + accounts.LOCKOUT
    with pytest.raises(AuthError, match="Try again in 10 minutes"):   # right password, still locked
        authenticate("alice", PASSWORD, now=T0 + timedelta(minutes=5, seconds=5), db=db)
    user = authenticate("alice", PASSWORD, now=T0 + timedelta(minutes=16), db=db)
    assert user.username == "alice"
    row = one(db, "SELECT failed_logins, locked_until FROM users WHERE id = ?", [user.id])
    assert row == {"failed_logins": 0, "locked_until": None}


def test_success_resets_the_failure_count(db):
    provision_user("alice", PASSWORD, "learner", db=db)
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(AuthError, match="Incorrect"):
                authenticate("alice", "Wrong-password-1", now=T0, db=db)
        authenticate("alice", PASSWORD, now=T0, db=db)   # never reaches 5 in a row


def test_weak_hash_is_upgraded_at_sign_in(db, monkeypatch):
    provision_user("alice", PASSWORD, "learner", db=db)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", stronger)
    authenticate("alice", PASSWORD, db=db)
    stored = one(db, "SELECT password_hash FROM users")["password_hash"]
    assert "m=2048,t=2" in stored and not stronger.check_needs_rehash(stored)


def test_change_password(world):
    with pytest.raises(AuthError, match="current password"):
        change_password(world.l1_, "Wrong-password-1", "New-password-22", db=world.db)
    with pytest.raises(ValidationError, match="at least 10"):
        change_password(world.l1_, PASSWORD, "short", db=world.db)
    with pytest.raises(ValidationError, match="different"):
        change_password(world.l1_, PASSWORD, PASSWORD, db=world.db)
    change_password(world.l1_, PASSWORD, "New-password-22", db=world.db)
    assert authenticate(world.l1.username, "New-password-22", db=world.db).id == world.l1.id
    with pytest.raises(AuthError):
        authenticate(world.l1.username, PASSWORD, db=world.db)


def test_instructor_resets_own_learner_and_lifts_lockout(world):
    for _ in range(5):
        with pytest.raises(AuthError):
            authenticate(world.l1.username, "Wrong-password-1", now=T0, db=world.db)
    reset_password(world.i1_, world.l1.id, "Fresh-start-123", db=world.db)
    assert authenticate(world.l1.username, "Fresh-start-123", now=T0, db=world.db).id == world.l1.id


def test_password_resets_are_authorised(world):
    with pytest.raises(PermissionDenied):
        reset_password(world.i2_, world.l1.id, "Fresh-start-123", db=world.db)   # not their cohort
    with pytest.raises(PermissionDenied):
        reset_password(world.l2_, world.l1.id, "Fresh-start-123", db=world.db)   # learner
    with pytest.raises(PermissionDenied):
        reset_password(world.i1_, world.i2.id, "Fresh-start-123", db=world.db)   # not a learner
    reset_password(world.admin_, world.i2.id, "Fresh-start-123", db=world.db)
    with pytest.raises(ValidationError):
        reset_password(world.admin_, world.i2.id, "weak", db=world.db)


def test_register_with_join_code(world):
    code = world.c1["join_code"]
    user = register_learner(f" {code[:4].lower()}-{code[4:]} ", "newbie", PASSWORD, "New Bie", db=world.db)
    assert user.role == "learner" and user.display_name == "New Bie"
    assert one(world.db, "SELECT cohort_id FROM memberships WHERE user_id = ?",
               [user.id])["cohort_id"] == world.c1["id"]
    with pytest.raises(ValidationError, match="join code"):
        register_learner("NOPE1234", "newbie2", PASSWORD, db=world.db)
    with pytest.raises(ValidationError, match="taken"):
        register_learner(code, "NEWBIE", PASSWORD, db=world.db)
    assert one(world.db, "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'newbie%'")["n"] == 1


def test_create_user_roles(world):
    made = create_user(world.i1_, "made-by-i1", PASSWORD, db=world.db)
    assert made.role == "learner"
    with pytest.raises(PermissionDenied):
        create_user(world.i1_, "wannabe", PASSWORD, role="admin", db=world.db)
    with pytest.raises(PermissionDenied):
        create_user(world.l1_, "sneaky", PASSWORD, db=world.db)
    assert create_user(world.admin_, "new-inst", PASSWORD, role="instructor", db=world.db).role == "instructor"
    assert {u["username"] for u in list_users(world.admin_, role="instructor", db=world.db)} == {
        "i1-user", "i2-user", "new-inst"}
    assert "password_hash" not in list_users(world.admin_, db=world.db)[0]
