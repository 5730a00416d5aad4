"""First-run setup token: who may create the first account of an exposed server.

While no account exists, the first visitor of the app creates the administrator. On a server
that listens only on this machine (`make run`'s default, 127.0.0.1), visited from this machine,
that visitor is the operator. Otherwise (`CHARTLAB_HOST=0.0.0.0 make run`, `streamlit run`
without `server.address`, a visitor from another address, or a request that came through a
reverse proxy, which adds X-Forwarded-For or Forwarded) it could be anyone, so the first account
then needs a one-time setup token. It is printed on the server console (standard error) the
first time the first-run page asks for it, and forgotten once the first account exists.
`CHARTLAB_REQUIRE_SETUP_TOKEN=1` asks for it in every case.

The token lives in this process's memory only (a restart prints a new one): 16 characters
from a 31-letter alphabet without look-alikes (about 79 bits), compared in constant time,
typed with or without dashes and in any case.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import sys
import threading
from dataclasses import dataclass
from typing import Callable

from sqlite_utils import Database

from progress.db import filename, resolve
from progress.errors import PermissionDenied

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 4, 4
NEEDED = "Enter the setup token printed on the server console (where ChartLab was started)."
_tokens: dict[str, str] = {}
_guard = threading.Lock()


def _loopback(host: str | None) -> bool:
    host = (host or "").strip().strip("[]")
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Origin:
    """Where the server listens and where a request comes from (what the first-run page knows):
    `bind_address` is Streamlit's `server.address` (None: every interface, its default),
    `client_address` the visitor's address if known (anything but a non-empty string counts as
    unknown), `forwarded` whether a proxy header came."""
    bind_address: str | None = None
    client_address: str | None = None
    forwarded: bool = False

    @property
    def exposed(self) -> bool:
        """True unless nothing but this machine can be reaching the server."""
        if os.environ.get("CHARTLAB_REQUIRE_SETUP_TOKEN") == "1" or self.forwarded:
            return True
        known_client = isinstance(self.client_address, str) and self.client_address
        if known_client and not _loopback(self.client_address):
            return True
        return not _loopback(self.bind_address)


def token_required(origin: Origin, *, db: Database | None = None) -> bool:
    """Does creating the first account need the setup token?"""
    from progress.accounts import needs_first_user
    return origin.exposed and needs_first_user(db=db)


def announce_token(origin: Origin, *, db: Database | None = None,
                   say: Callable[[str], None] | None = None) -> bool:
    """When the token is required, make it (once per process and database) and print it on the
    server console; returns whether it is required. The first-run page calls this."""
    db = resolve(db)
    if not token_required(origin, db=db):
        return False
    with _guard:
        key = filename(db)
        if key in _tokens:
            return True
        _tokens[key] = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
        token = _tokens[key]
    shown = "-".join(token[i:i + GROUP_LENGTH] for i in range(0, len(token), GROUP_LENGTH))
    (say or _console)(f"ChartLab first-run setup token: {shown}  (needed to create the first account; "
                      "shown only here)")
    return True


def check_token(token: str | None, origin: Origin, *, db: Database | None = None) -> None:
    """PermissionDenied unless nothing but this machine reaches the server, or `token` is the
    announced one."""
    if not origin.exposed:
        return
    with _guard:
        expected = _tokens.get(filename(resolve(db)))
    typed = "".join(ch for ch in (token or "").upper() if ch.isalnum())
    if expected is None or not hmac.compare_digest(typed.encode(), expected.encode()):
        raise PermissionDenied(NEEDED)


def forget_token(db: Database | None = None) -> None:
    """Drop the token once the first account exists (it is one-time)."""
    with _guard:
        _tokens.pop(filename(resolve(db)), None)


def _console(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
