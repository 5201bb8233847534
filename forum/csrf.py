"""CSRF tokens: one per session, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_token()
    return str(token)


def csrf_valid(request: Request, token: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and token) and hmac.compare_digest(str(expected), str(token))
