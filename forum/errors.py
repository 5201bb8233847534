"""Domain errors: raised by the services and views, answered as pages by the handler in app.py."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import asyncpg
from tortoise.exceptions import DBConnectionError

from forum.i18n import gettext, lazy, time_ago


class ForumError(Exception):
    status_code = 400
    # English source text, translated when shown (see gettext in handle_error).
    default_message = lazy("The request could not be processed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or gettext(self.default_message)


class BadRequest(ForumError):
    status_code = 400


class NotFound(ForumError):
    status_code = 404
    default_message = lazy("There is nothing here. It may have been removed, or the address is wrong.")


class PermissionDenied(ForumError):
    status_code = 403
    default_message = lazy("You are not allowed to do that.")


class LoginRequired(PermissionDenied):
    """Raised for anonymous readers on member-only pages: answered with a redirect to /login."""


class TwoFactorRequired(PermissionDenied):
    """Raised on staff pages for staff who must turn on two-factor sign-in first: answered with its setup page."""


class CsrfFailed(PermissionDenied):
    """`fields`: what a form from this site sent with a missing or stale token (None when the browser said the
    post came from another site), so that a reply typed before the session ended is not lost."""

    default_message = lazy(
        "This form has expired or did not come from this site. Go back, reload the page and try again."
    )

    def __init__(self, message: str | None = None, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields


class RateLimited(ForumError):
    """A rate limit was reached; `retry_after`, when known, is how many seconds until the next try is allowed."""

    status_code = 429
    default_message = lazy("You are doing that too often. Please wait a little and try again.")

    def __init__(self, message: str | None = None, retry_after: int | None = None) -> None:
        if message is None and retry_after is not None:
            when = time_ago(datetime.now(UTC) + timedelta(seconds=retry_after))
            message = gettext("You are doing that too often. You can try again %(when)s.", when=when)
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(ForumError):
    """A form was refused: `errors` maps field names ("" for the whole form) to messages."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str], values: Mapping[str, str] | None = None) -> None:
        self.errors = dict(errors)
        self.values = dict(values or {})
        super().__init__(" ".join(self.errors.values()))


class DatabaseUnavailable(ForumError):
    """The database could not be reached; `form` holds the fields of the form that was being sent, if any."""

    status_code = 503
    default_message = lazy("The forum cannot reach its database right now; nothing was lost, try again in a minute.")

    def __init__(self, form: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.form = dict(form or {})


# Failures of the connection rather than of the query: the server is down, restarting,
# refusing connections or unreachable. Refused queries (integrity, syntax) are not among them.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe; Tortoise's DBConnectionError too
    TimeoutError,
    socket.gaierror,
    DBConnectionError,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and "connection was closed in the middle of operation"
    asyncpg.CannotConnectNowError,  # the server is starting or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
# SQLite's primary result codes for a file that cannot be opened, read or locked in time.
_SQLITE_UNAVAILABLE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}


def connection_failure(exc: BaseException) -> BaseException | None:
    """The error in `exc`'s chain (itself, what it was raised from or while handling) that says the
    database cannot be reached; None for a refused query, a bug, anything else."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE):
            return current
        # An error raised by Python's sqlite3 module itself carries no result code.
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(current, sqlite3.OperationalError) and code is not None and code & 0xFF in _SQLITE_UNAVAILABLE:
            return current
        current = current.__cause__ or current.__context__
    return None
