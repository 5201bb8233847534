"""Domain errors, and the one place that turns them into pages."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forum.i18n import gettext, lazy


logger = logging.getLogger("forum")


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


class CsrfFailed(PermissionDenied):
    default_message = lazy(
        "This form has expired or did not come from this site. Go back, reload the page and try again."
    )


class RateLimited(ForumError):
    status_code = 429
    default_message = lazy("You are doing that too often. Please wait a little and try again.")


class ValidationFailed(ForumError):
    """A form was refused: `errors` maps field names ("" for the whole form) to messages."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str], values: Mapping[str, str] | None = None) -> None:
        self.errors = dict(errors)
        self.values = dict(values or {})
        super().__init__(" ".join(self.errors.values()))


async def handle_error(request: Request, exc: Exception) -> Response:
    from forum.templating import render

    if isinstance(exc, LoginRequired):
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            # Back to the page the form was on; /login accepts only a path of this site.
            next_path = urlsplit(request.headers.get("referer", "")).path or "/"
        login = request.url_for("login").include_query_params(next=next_path)
        return RedirectResponse(str(login), status_code=303)
    if isinstance(exc, ForumError):
        status, message = exc.status_code, exc.message
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        message = {
            404: gettext(NotFound.default_message),
            405: gettext("That kind of request is not accepted at this address."),
        }.get(status, gettext(ForumError.default_message))
    else:
        logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        status, message = 500, gettext("Something went wrong on our side. Your request was not completed; please try again.")
    headers = {"Retry-After": "60"} if status == 429 else None
    return render(request, "errors/error.html", {"status": status, "message": message}, status_code=status, headers=headers)
