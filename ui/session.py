"""Who is signed in, role checks for every page, turning domain errors into messages, messages that
survive a rerun (`flash`), and new case numbers (`new_seed`)."""
from __future__ import annotations

import secrets
from contextlib import contextmanager

import streamlit as st

import cases
import progress
from progress import Actor, ProgressError, User

ROLE_LABEL = {"learner": "Learner", "instructor": "Instructor", "admin": "Administrator"}


def current_user() -> User | None:
    user = st.session_state.get("user")
    # duck-typed: after Streamlit reloads edited modules the stored object's class is an older User
    ok = user is not None and all(hasattr(user, a) for a in ("id", "role", "username", "actor"))
    return user if ok else None


def actor() -> Actor | None:
    user = current_user()
    return user.actor if user else None


def sign_in(user: User) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]  # nothing from a previous user survives
    st.session_state["user"] = user


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require(*roles: str) -> User:
    """Stop the page unless someone with one of `roles` is signed in (every page calls this)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to use this page.")
        st.stop()
    if roles and user.role not in roles:
        wanted = " or ".join(ROLE_LABEL[r].lower() + "s" for r in roles)
        st.error(f"This page is for {wanted}. You are signed in as a {ROLE_LABEL[user.role].lower()}.")
        st.stop()
    return user


@contextmanager
def friendly_errors():
    """Show a domain error as a clear message instead of a traceback."""
    try:
        yield
    except ProgressError as exc:
        st.error(str(exc))
    except (ValueError, KeyError) as exc:
        st.error(f"That did not work: {exc}")


def new_password_ok(pw1: str, pw2: str, username: str) -> bool:
    """Check a new password typed twice against the policy; show every problem."""
    if pw1 != pw2:
        st.error("The two passwords differ.")
        return False
    problems = progress.password_problems(pw1, username)
    for p in problems:
        st.error(p)
    return not problems


def db_ready() -> bool:
    """True once the database answers; shows a clear message when it is busy or unreadable."""
    try:
        progress.needs_first_user()
        return True
    except Exception as exc:  # the database file is locked, unreadable or on a full disk
        st.error(f"The ChartLab database is not available right now ({type(exc).__name__}). "
                 "Please try again in a moment.")
        return False


def flash(text: str, kind: str = "success") -> None:
    """Keep a message for the next run of a page (after `st.rerun()`, a callback or a page switch)."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    """Show (once) the messages `flash` kept."""
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind, st.info)(text)


def new_seed() -> int:
    """A new case number for a new practice case (or a new exam draw)."""
    return secrets.randbelow(cases.SEED_MAX) + 1
