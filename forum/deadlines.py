"""A deadline for each request's body: a client trickling its upload must not hold a worker's request open."""

from __future__ import annotations

import asyncio
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.errors import ForumError
from forum.i18n import lazy


class RequestTimeout(ForumError):
    status_code = 408
    default_message = lazy(
        "Your request took too long to arrive and was not completed. Please check your connection and try again."
    )


class BodyDeadline:
    """Raises RequestTimeout from `receive` when the body is not in `seconds` after the headers.

    Raised where the handler reads the body, so the error handler answers it as a page in the
    reader's language; the response then says `Connection: close`, since the rest of the body
    may still be on its way and the connection cannot carry another request.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        body_complete = False
        timed_out = False

        async def receive_in_time() -> Message:
            nonlocal body_complete, timed_out
            if body_complete:
                # Later calls only wait for a disconnect (Starlette's streaming responses do): no deadline.
                return await receive()
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                raise RequestTimeout() from None
            body_complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and timed_out:
                MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        await self.app(scope, receive_in_time, send_closing)
