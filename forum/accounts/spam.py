"""Telling people from scripts at registration: a field only scripts fill in, and a form sent back too soon."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, TimestampSigner

from forum.errors import ValidationFailed
from forum.i18n import gettext

# Hidden from people by the stylesheet, and labelled "leave empty" for screen readers;
# scripts that fill in every field they find fill in this one too.
HONEYPOT_FIELD = "website"
# When the form was served, signed so that a script cannot claim an earlier time.
STAMP_FIELD = "form_stamp"
_SALT = "forum.accounts.register-form"


def form_stamp(secret: str) -> str:
    """A signed note of the time the registration form is being served."""
    return TimestampSigner(secret, salt=_SALT).sign("register").decode("ascii")


def check_person(form: Mapping[str, str], secret: str, min_seconds: int, values: Mapping[str, str]) -> None:
    """Raises ValidationFailed (keeping `values`) when the honeypot is filled or the form came back too soon.

    A stamp that is missing or forged counts as too soon. A person refused by
    mistake gets the form again with a fresh stamp and passes on sending it
    again, so the message asks for just that.
    """
    looks_automatic = bool(form.get(HONEYPOT_FIELD))
    if not looks_automatic and min_seconds > 0:
        try:
            _, served = TimestampSigner(secret, salt=_SALT).unsign(form.get(STAMP_FIELD, ""), return_timestamp=True)
        except BadSignature:
            looks_automatic = True
        else:
            looks_automatic = datetime.now(UTC) - served < timedelta(seconds=min_seconds)
    if looks_automatic:
        raise ValidationFailed(
            {
                "": gettext(
                    "Your registration was not sent, because it looked like an automatic submission. "
                    "Check the form, type your password again and send it."
                )
            },
            values,
        )
