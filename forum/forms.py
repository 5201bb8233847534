"""Reading form posts: bounded, strictly decoded, CSRF-checked."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request

from forum.csrf import cross_site, csrf_valid
from forum.errors import BadRequest, CsrfFailed, ForumError, ValidationFailed
from forum.i18n import gettext, lazy

# Room for the longest post in four-byte characters, percent-encoded, plus the other fields.
MAX_FORM_BYTES = 1024 * 1024


class PayloadTooLarge(ForumError):
    status_code = 413
    default_message = lazy("What you sent is far larger than anything this form accepts.")


async def read_form(request: Request) -> ImmutableMultiDict[str, str]:
    """The submitted fields, after checking the CSRF token.

    Raises CsrfFailed at once when the browser says the post came from another
    site, BadRequest for anything but a URL-encoded form, PayloadTooLarge past
    MAX_FORM_BYTES, CsrfFailed for a missing or wrong token, and ValidationFailed (carrying the fields, decoded with
    replacement characters, so the form can be shown again) when the bytes are
    not UTF-8.
    """
    if cross_site(request):
        raise CsrfFailed()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Every form here is URL-encoded; refusing the rest keeps one bounded, strict decoding path.
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest(gettext("This address accepts form submissions only."))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge()
    try:
        raw = body.decode("ascii")
        fields = ImmutableMultiDict(parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        damaged = lenient_fields(body)
        _checked(request, damaged)
        raise ValidationFailed(
            {
                "": gettext(
                    "Part of the text was not valid UTF-8 and could not be read. The unreadable characters "
                    "are marked with � below: please check them and send again."
                )
            },
            dict(damaged),
        ) from None
    return _checked(request, fields)


def lenient_fields(body: bytes | bytearray) -> ImmutableMultiDict[str, str]:
    """The fields of a URL-encoded body, any bytes that are not UTF-8 replaced with �."""
    return ImmutableMultiDict(parse_qsl(body.decode("latin-1"), keep_blank_values=True, errors="replace"))


def _checked(request: Request, fields: ImmutableMultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    if not csrf_valid(request, fields.get("csrf_token")):
        raise CsrfFailed(fields=fields)
    return fields
