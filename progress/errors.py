"""Exceptions raised by the progress package.

Every message is written for the person using the app: the UI may show `str(error)` as is.
"""
from __future__ import annotations

from datetime import datetime


class ProgressError(Exception):
    """Base class of every error this package raises on purpose."""


class ValidationError(ProgressError, ValueError):
    """Input that breaks a rule: password policy, unknown join code, score out of range..."""


class NotFound(ProgressError, LookupError):
    """The requested record does not exist."""


class PermissionDenied(ProgressError, PermissionError):
    """The actor may not read or change this record (see `progress.authz`)."""


class Unavailable(NotFound, PermissionDenied):
    """Not there, or not the actor's to see: one answer for both, so ids cannot be probed."""


class AuthError(ProgressError):
    """Sign-in refused. `retry_at` (aware UTC datetime) is set when the client is throttled."""

    def __init__(self, message: str, retry_at: datetime | None = None):
        super().__init__(message)
        self.retry_at = retry_at
