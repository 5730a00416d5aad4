"""progress.accounts: hashing, policy, first user, registration, sign-in, lockout, passwords."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from progress import accounts
from progress.accounts import (authenticate, change_password, create_first_user, create_user,
                               list_users, needs_first_user, password_problems, provision_user,
                               register_learner, reset_password)
from progress.db import connect, one
from progress.setup import Origin
from progress.errors import AuthError, PermissionDenied, ValidationError
from progress_builders import CHEAP_HASHER, PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LOCAL = Origin(bind_address="127.0.0.1")


@pytest.mark.parametrize("password, problem", [
    ("Short-1", "at least 10"),
    ("x" * 129 + "A", "at most 128"),
    ("my-name-Is-bob99", "username"),
    ("12345678901234", "too easy to guess"),
    # issue 15, item 5: accepted before, each refused now with the reason
    ("password12", "very common password"),
    ("Password1!", "similar to a commonly used password"),
    ("letmein2026", "similar to a commonly used password"),
    ("chartlab2026", "ChartLab"),
    ("Chartlab-Rocks-2026", "ChartLab"),
    ("Robert-Fischer-88", "your name"),
    ("qwertyuiop12", "too easy to guess"),
])
def test_password_policy_explains_each_problem(password, problem):
    problems = password_problems(password, "bob99", "Robert Fischer")
    assert any(problem in p for p in problems), problems
    assert all(p.endswith(".") for p in problems)


def test_context_words_are_rated_by_zxcvbn_too():
    """The display name and username are zxcvbn "user inputs": a password built from them is
    rated as weak even where the plain containment rules do not fire."""
    assert password_problems("Fischer-Robert-77", "rfischer", "Robert Fischer")
    assert password_problems("rfischer-2026!", "rfischer")
    assert password_problems("Correct-horse-9", "rfischer", "Robert Fischer") == []


def test_acceptable_password_has_no_problems():
    assert password_problems("Correct-horse-9", "alice") == []
    assert password_problems("two kinds ok 1", "alice") == []
    assert password_problems("alllowercasepassphrase", "alice") == []   # no composition rules


@pytest.mark.parametrize("where", ["provision", "register", "change", "reset"])
def test_every_way_of_setting_a_password_applies_the_policy(world, where):
    calls = {
        "provision": lambda: provision_user("weak1", "Password1!", "learner", db=world.db),
        "register": lambda: register_learner(world.c1["join_code"], "weak2", "letmein2026", db=world.db),
        "change": lambda: change_password(world.l1_, PASSWORD, "chartlab2026", db=world.db),
        "reset": lambda: reset_password(world.i1_, world.l1.id, "password12", db=world.db),
    }
    with pytest.raises(ValidationError, match="too easy to guess|ChartLab"):
        calls[where]()


def test_passwords_are_stored_as_argon2id(db):
    user = provision_user("alice", PASSWORD, "instructor", db=db)
    stored = one(db, "SELECT password_hash FROM users WHERE id = ?", [user.id])["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_first_user_only_once(db):
    assert needs_first_user(db=db)
    with pytest.raises(ValidationError):
        create_first_user("learner1", PASSWORD, role="learner", db=db)
    first = create_first_user("boss", PASSWORD, origin=LOCAL, db=db)
    assert first.role == "admin" and not needs_first_user(db=db)
    with pytest.raises(PermissionDenied):
        create_first_user("boss2", PASSWORD, origin=LOCAL, db=db)


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


# ----------------------------------------------------------------------------- sign-in throttling (item 4)
ATTACKER, TEACHER = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def checks(monkeypatch):
    """Counts the password checks that really run (argon2 verifications)."""
    seen = []
    real = accounts._verify

    def counting(password_hash, password):
        seen.append(password)
        return real(password_hash, password)
    monkeypatch.setattr(accounts, "_verify", counting)
    return seen


def _refusal(username, password, db, **kwargs):
    with pytest.raises(AuthError) as refused:
        authenticate(username, password, db=db, **kwargs)
    return refused.value


def test_unknown_user_and_wrong_password_look_the_same(db, checks):
    provision_user("alice", PASSWORD, "learner", db=db)
    before = db.execute("SELECT total_changes()").fetchone()[0]
    unknown = _refusal("nobody", PASSWORD, db, client_address=ATTACKER)
    wrong = _refusal("alice", "Wrong-password-1", db, client_address=TEACHER)
    assert str(unknown) == str(wrong) == accounts.BAD_CREDENTIALS
    assert unknown.retry_at is wrong.retry_at is None
    assert len(checks) == 2                                             # one hash check each
    assert db.execute("SELECT total_changes()").fetchone()[0] == before  # and no write for either


def test_a_throttled_client_learns_nothing_about_usernames(db, checks):
    provision_user("alice", PASSWORD, "learner", db=db)
    for n in range(accounts.throttle.ADDRESS.limit):
        _refusal(f"guess{n}", "Wrong-password-1", db, client_address=ATTACKER, now=T0)
    checks.clear()
    known = _refusal("alice", PASSWORD, db, client_address=ATTACKER, now=T0)   # even the right password
    unknown = _refusal("nobody", PASSWORD, db, client_address=ATTACKER, now=T0)
    assert str(known) == str(unknown) and "Too many sign-in attempts" in str(known)
    assert known.retry_at == unknown.retry_at == T0 + timedelta(seconds=30)
    assert checks == []   # refused before any hashing, for a real and an unknown account alike


def test_nobody_can_lock_an_account_out(db):
    """50 wrong guesses at the admin from one address: that address waits, the admin does not."""
    provision_user("admin", PASSWORD, "admin", db=db)
    for n in range(50):
        with pytest.raises(AuthError):
            authenticate("admin", "Wrong-password-1", client_address=ATTACKER, now=T0 + timedelta(seconds=n),
                         db=db)
    assert authenticate("admin", PASSWORD, client_address=TEACHER, now=T0 + timedelta(seconds=50),
                        db=db).username == "admin"


def test_backoff_doubles_and_a_correct_password_resets_the_address(db):
    provision_user("alice", PASSWORD, "learner", db=db)
    for n in range(5):
        _refusal("alice", "Wrong-password-1", db, client_address=TEACHER, now=T0)
    assert _refusal("alice", PASSWORD, db, client_address=TEACHER, now=T0 + timedelta(seconds=29)).retry_at \
        == T0 + timedelta(seconds=30)
    sixth = T0 + timedelta(seconds=30)   # the wait is over: one more check, then 60 s
    assert str(_refusal("alice", "Wrong-password-1", db, client_address=TEACHER, now=sixth)) == accounts.BAD_CREDENTIALS
    assert _refusal("alice", PASSWORD, db, client_address=TEACHER, now=sixth).retry_at == sixth + timedelta(seconds=60)
    assert authenticate("alice", PASSWORD, client_address=TEACHER, now=sixth + timedelta(seconds=60), db=db)
    for _ in range(4):   # reset: four more mistakes are free again
        _refusal("alice", "Wrong-password-1", db, client_address=TEACHER, now=sixth + timedelta(seconds=61))
    assert authenticate("alice", PASSWORD, client_address=TEACHER, now=sixth + timedelta(seconds=61), db=db)


def test_the_global_throttle_catches_many_addresses(db, db_file, monkeypatch):
    provision_user("alice", PASSWORD, "learner", db=db)
    rules = accounts.throttle.Rule(limit=10, base_s=1, cap_s=60, forget_s=600)
    monkeypatch.setitem(accounts.throttle._throttles, str(db_file), accounts.throttle.LoginThrottle(everyone=rules))
    for n in range(10):   # ten addresses, one guess each: no address is throttled, everyone is
        _refusal("alice", "Wrong-password-1", db, client_address=f"192.0.2.{n}", now=T0)
    late = _refusal("alice", PASSWORD, db, client_address="192.0.2.99", now=T0)
    assert "Too many" in str(late) and late.retry_at == T0 + timedelta(seconds=1)
    assert authenticate("alice", PASSWORD, client_address="192.0.2.99", now=T0 + timedelta(seconds=1), db=db)


@pytest.mark.parametrize("address", [ATTACKER, None])
def test_a_burst_of_concurrent_guesses_gets_no_more_checks_than_the_limit(db_file, checks, monkeypatch, address):
    """24 threads guess at once (with the right password among them): at most `limit` checks
    run, per address and (with no address known) globally; the rest are refused unhashed."""
    limit = accounts.throttle.ADDRESS.limit
    monkeypatch.setitem(accounts.throttle._throttles, str(db_file), accounts.throttle.LoginThrottle(
        everyone=accounts.throttle.Rule(limit=limit, base_s=1, cap_s=60, forget_s=600)))
    provision_user("admin", PASSWORD, "admin", db=connect(db_file))
    slow = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: (time.sleep(0.02), slow(h, p))[1])
    start, outcomes = threading.Barrier(24), []

    def guess(n):
        conn = connect(db_file)
        start.wait()
        try:
            outcomes.append(authenticate("admin", PASSWORD if n == 23 else f"Wrong-guess-{n}",
                                         client_address=address, now=T0, db=conn).username)
        except AuthError as refused:
            outcomes.append(str(refused))
        conn.close()
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) == limit and len(outcomes) == 24
    throttled = [o for o in outcomes if o.startswith("Too many")]
    assert len(throttled) == 24 - limit


def test_client_address_from_proxy_headers():
    from progress.throttle import client_address
    assert client_address("198.51.100.7") == "198.51.100.7"
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.9", trusted_proxies=0) == "10.0.0.2"   # header ignored
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.9", trusted_proxies=1) == "203.0.113.9"
    assert client_address("10.0.0.2", "spoofed, 198.51.100.1, 10.0.0.1", trusted_proxies=2) == "198.51.100.1"
    assert client_address("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_address("not an address") is None and client_address(None) is None


# ----------------------------------------------------------------------------- memory pressure (item 9)
class _GaugedHasher:
    """A cheap hasher that records how many hash computations run at the same time."""

    def __init__(self):
        self.now = self.peak = self.hashes = 0
        self.lock = threading.Lock()

    def _run(self, work):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(0.03)
        try:
            return work()
        finally:
            with self.lock:
                self.now -= 1

    def hash(self, password):
        self.hashes += 1
        return self._run(lambda: CHEAP_HASHER.hash(password))

    def verify(self, password_hash, password):
        return self._run(lambda: CHEAP_HASHER.verify(password_hash, password))

    def check_needs_rehash(self, password_hash):
        return False


def test_concurrent_sign_ins_never_run_more_hashes_than_the_bound(db_file, monkeypatch):
    provision_user("alice", PASSWORD, "learner", db=connect(db_file))
    gauge = _GaugedHasher()
    monkeypatch.setattr(accounts, "hasher", gauge)
    start, results = threading.Barrier(16), []

    def sign_in(n):
        conn = connect(db_file)
        start.wait()
        results.append(authenticate("alice", PASSWORD, client_address=f"192.0.2.{n}", db=conn).id)
        conn.close()
    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 16
    assert 1 <= gauge.peak <= accounts.HASH_CONCURRENCY


def test_registration_checks_the_join_code_before_hashing(world, monkeypatch):
    gauge = _GaugedHasher()
    monkeypatch.setattr(accounts, "hasher", gauge)
    with pytest.raises(ValidationError, match="join code"):
        register_learner("NOPE-1234", "newbie", PASSWORD, db=world.db)
    assert gauge.hashes == 0
    register_learner(world.c1["join_code"], "newbie", PASSWORD, db=world.db)
    assert gauge.hashes == 1


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


def test_instructor_resets_a_learner_who_joined_their_cohort(world):
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


def test_a_sign_in_refused_as_busy_is_not_counted(db, checks, monkeypatch):
    """When no hashing slot frees up in time, the user is told the server is busy, and that
    request does not count against their address."""
    provision_user("alice", PASSWORD, "learner", db=db)
    monkeypatch.setattr(accounts, "HASH_WAIT_S", 0.01)
    monkeypatch.setattr(accounts, "_hash_slots", threading.BoundedSemaphore(1))
    accounts._hash_slots.acquire()   # another sign-in holds the only slot
    for _ in range(accounts.throttle.ADDRESS.limit + 3):
        assert str(_refusal("alice", PASSWORD, db, client_address=TEACHER, now=T0)) == accounts.BUSY
    accounts._hash_slots.release()
    assert authenticate("alice", PASSWORD, client_address=TEACHER, now=T0, db=db).username == "alice"


# ----------------------------------------------------------------------------- names (item 2, progress side)
def test_control_characters_are_stripped_from_names_at_input(world):
    """NUL, ANSI escape sequences, other C0/C1 controls and bidi overrides never reach storage."""
    user = register_learner(world.c1["join_code"], "nul\x00ly", PASSWORD,
                            "\x1b[31mRed\x1b[0m\x00 Rider\u202e\x9b2J\x07", db=world.db)
    assert (user.username, user.display_name) == ("nully", "Red Rider")
    made = create_user(world.i1_, "tabbed", PASSWORD, display_name="Line\nbreak\tand\x1b]0;title\x07 OSC",
                       db=world.db)
    assert made.display_name == "Line break and OSC"
    blank = create_user(world.i1_, "onlyctl", PASSWORD, display_name="\x00\x1b[0m", db=world.db)
    assert blank.display_name == "onlyctl"   # nothing printable left: the username stands in
    from progress.cohorts import create_assignment, create_cohort
    cohort = create_cohort(world.i1_, "\x1b[2JSpring\x00 2027", db=world.db)
    assert cohort["name"] == "Spring 2027"
    assert create_assignment(world.i1_, cohort["id"], "Week\x851", [("heart_failure", 3)],
                             db=world.db)["title"] == "Week1"
    with pytest.raises(ValidationError, match="Usernames"):
        provision_user("\x1b[31m", PASSWORD, "learner", db=world.db)
