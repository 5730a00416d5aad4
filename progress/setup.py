"""First-run setup token: who may create the first account of an exposed server.

While no account exists, the first visitor of the app creates the administrator. On a server
that listens only on this machine (`make run`'s default, 127.0.0.1) that visitor is the
operator. On a server reachable from the network (`CHARTLAB_HOST=0.0.0.0 make run`, or
`streamlit run` without `server.address`) it could be anyone, so the first account then needs a
one-time setup token, which is printed on the server console (standard error) the first time
the first-run page asks for it, and is forgotten once the first account exists.

The token lives in this process's memory only (a restart prints a new one): 16 characters
from a 31-letter alphabet without look-alikes (about 79 bits), compared in constant time,
typed with or without dashes and in any case.
"""
from __future__ import annotations

import hmac
import ipaddress
import secrets
import sys
import threading
from typing import Callable

from sqlite_utils import Database

from progress.db import filename, resolve
from progress.errors import PermissionDenied

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 4, 4
NEEDED = "Enter the setup token printed on the server console (where ChartLab was started)."
_tokens: dict[str, str] = {}
_guard = threading.Lock()


def exposed(bind_address: str | None) -> bool:
    """True unless the server listens only on a loopback address. None or "" is Streamlit's
    default (every interface), so it counts as exposed."""
    host = (bind_address or "").strip().strip("[]")
    if host.casefold() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def token_required(bind_address: str | None, *, db: Database | None = None) -> bool:
    """Does creating the first account need the setup token?"""
    from progress.accounts import needs_first_user
    return exposed(bind_address) and needs_first_user(db=db)


def announce_token(bind_address: str | None, *, db: Database | None = None,
                   say: Callable[[str], None] | None = None) -> bool:
    """When the token is required, make it (once per process and database) and print it on the
    server console; returns whether it is required. The first-run page calls this."""
    db = resolve(db)
    if not token_required(bind_address, db=db):
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


def check_token(token: str | None, bind_address: str | None, *, db: Database | None = None) -> None:
    """PermissionDenied unless the server is local-only or `token` is the announced one."""
    if not exposed(bind_address):
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
