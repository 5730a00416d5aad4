"""Sign-in throttling: per client address and global, with exponential backoff.

Why not a lock per account: whoever knows a username could keep that account locked (5 requests
locked the admin out for 15 minutes, again and again), and a lock that exists only for real
accounts tells an attacker which usernames exist. The throttle never looks at the username:

- **Per client address** (`addr:<ip>`): `ADDRESS.limit` (5) password checks are free; after
  that the address must wait `base * 2**(n - limit)` seconds (30 s, 60 s, 120 s ... capped at
  15 minutes) between checks. A correct password resets the address. Failures are forgotten after
  `forget_s` seconds without one.
- **Global** (`global`): every check counts, from any address (the defence against many
  addresses guessing slowly); `GLOBAL.limit` (50) free, then 1 s, 2 s, 4 s ... capped at 60 s
  between checks, for everyone, until the failures stop. A correct password gives its one check
  back, so ordinary use never reaches the limit.

The check is reserved **before** the password is hashed, atomically, under one lock: a burst of
concurrent wrong guesses gets exactly `limit` checks through, never more (the race that let 8
wrong guesses and a correct one through a limit of 5). A throttled request is refused without
hashing, with a message and retry time that depend only on the client, so they reveal nothing
about the username.

**Where the state lives: in this process's memory** (a dict under a `threading.Lock`), one
`LoginThrottle` per database file. ChartLab runs as one Streamlit server process, so memory is
shared by every session; keeping it out of SQLite means a flood of wrong guesses costs no disk
writes (the write lock is what learners' submissions queue on), and the check-and-reserve is a
few microseconds. A restart forgets the counters, which only an operator can cause. The number
of tracked addresses is bounded (`MAX_KEYS`); the oldest are dropped first, and the global
limit still holds whatever an attacker does to the per-address table.
"""
from __future__ import annotations

import ipaddress
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

GLOBAL_KEY = "global"
MAX_KEYS = 10_000


@dataclass(frozen=True)
class Rule:
    """`limit` free checks, then wait `base_s * 2**(n - limit)` (at most `cap_s`) seconds
    between checks; the count is forgotten after `forget_s` seconds without a failure."""
    limit: int
    base_s: float
    cap_s: float
    forget_s: float

    def wait(self, failures: int) -> timedelta:
        """How long to wait after the `failures`-th counted check (0 below the limit)."""
        if failures < self.limit:
            return timedelta(0)
        return timedelta(seconds=min(self.cap_s, self.base_s * 2 ** min(failures - self.limit, 30)))


ADDRESS = Rule(limit=5, base_s=30, cap_s=15 * 60, forget_s=60 * 60)
GLOBAL = Rule(limit=50, base_s=1, cap_s=60, forget_s=10 * 60)


@dataclass
class _State:
    failures: int = 0
    last: datetime | None = None
    blocked_until: datetime | None = None


@dataclass(frozen=True)
class Ticket:
    """A reserved password check: give it back with `LoginThrottle.settle`."""
    keys: tuple[str, ...]


class Throttled(Exception):
    """The client must wait until `retry_at` before its password is checked."""

    def __init__(self, retry_at: datetime):
        super().__init__(retry_at)
        self.retry_at = retry_at


class LoginThrottle:
    """The counters of one database's sign-ins (see the module docstring)."""

    def __init__(self, address: Rule = ADDRESS, everyone: Rule = GLOBAL, max_keys: int = MAX_KEYS):
        self.rules = {"addr": address, GLOBAL_KEY: everyone}
        self.max_keys = max_keys
        self._states: OrderedDict[str, _State] = OrderedDict()
        self._lock = threading.Lock()

    def _rule(self, key: str) -> Rule:
        return self.rules[GLOBAL_KEY if key == GLOBAL_KEY else "addr"]

    def _state(self, key: str, now: datetime) -> _State:
        state = self._states.pop(key, None) or _State()
        self._states[key] = state   # most recently used last
        while len(self._states) > self.max_keys:
            oldest = next(k for k in self._states if k != GLOBAL_KEY)
            del self._states[oldest]
        if state.last and (now - state.last).total_seconds() > self._rule(key).forget_s:
            state.failures, state.blocked_until = 0, None
        return state

    def reserve(self, client_address: str | None, now: datetime) -> Ticket:
        """Count one password check for the client and everyone, or raise `Throttled`."""
        keys = (GLOBAL_KEY,) if client_address is None else (f"addr:{client_address}", GLOBAL_KEY)
        with self._lock:
            states = [self._state(k, now) for k in keys]
            blocked = [s.blocked_until for s in states if s.blocked_until and s.blocked_until > now]
            if blocked:
                raise Throttled(max(blocked))
            for key, state in zip(keys, states):
                state.failures += 1
                state.last = now
                wait = self._rule(key).wait(state.failures)
                state.blocked_until = now + wait if wait else None
        return Ticket(keys)

    def settle(self, ticket: Ticket, *, succeeded: bool, checked: bool = True) -> None:
        """After the check: a correct password clears its address and gives the global check
        back; a check that did not run (`checked=False`: no hashing slot) gives back both."""
        if checked and not succeeded:
            return
        with self._lock:
            for key in ticket.keys:
                state = self._states.get(key)
                if state is None:
                    continue
                clears = checked and key != GLOBAL_KEY
                state.failures = 0 if clears else max(0, state.failures - 1)
                if state.failures < self._rule(key).limit:
                    state.blocked_until = None


_throttles: dict[str, LoginThrottle] = {}
_throttles_guard = threading.Lock()


def for_database(filename: str) -> LoginThrottle:
    """The throttle of one database file (each deployment, and each test database, has its own)."""
    with _throttles_guard:
        return _throttles.setdefault(filename, LoginThrottle())


def client_address(peer: str | None, forwarded_for: str | None = None, *,
                   trusted_proxies: int | None = None) -> str | None:
    """The address to throttle on, from the connection's peer address and its X-Forwarded-For
    header. Behind `trusted_proxies` reverse proxies (default `$CHARTLAB_TRUSTED_PROXIES`, 0),
    the client is the entry that many hops from the right of the header; with none, the header is
    ignored (anyone can send it). An IPv6 client is throttled by its /64 network (one site gets a
    whole /64). Returns None when no valid address is known."""
    hops = int(os.environ.get("CHARTLAB_TRUSTED_PROXIES") or 0) if trusted_proxies is None else trusted_proxies
    candidate = peer
    if hops > 0 and forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
        candidate = chain[-hops] if len(chain) >= hops else (chain[0] if chain else peer)
    try:
        address = ipaddress.ip_address((candidate or "").strip())
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))   # one site's whole /64
    return str(address)
