"""The tracking host's router: every answer is one core call and a fixed page, pixel or
redirect. ``/u/<token>`` unsubscribes (GET asks, POST does), ``/o/<token>.gif`` counts an
open, ``/c/<token>/<n>`` counts a click and redirects to link n of that message as it was
sent (``core.tracking.follow_click``): the URL never chooses the target.

Unknown, malformed or tampered tokens all get the same plain 404, which says nothing
about any address or message. Core calls block on the store, so they run on
Starlette's thread pool, never on the event loop. The work a request may cause is bounded
before the store is asked: a token longer than any real one, an index of more than six
digits, a form body over 4 KB are refused at once; opens and clicks past the hourly cap
are answered without a write (``core.tracking``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.mail import (
    PIXEL_GIF,
    UnsubscribeState,
    Unsubscription,
    record_unsubscribe,
    unsubscribe_state,
)
from kootui.core.tracking import follow_click, record_open
from kootui.serve.public.pages import SECURITY_HEADERS, confirmation_page, done_page

MAX_FORM_BYTES = 4096  # a one-click body is 26 bytes; the button's form a few more
ONE_CLICK = b"List-Unsubscribe=One-Click"
MAX_INDEX_DIGITS = 6  # a message has far fewer links; a longer index is not one of them
MAX_TOKEN_CHARS = 96  # real tokens are under 50 characters (tracking, unsubscribe)
PIXEL_HEADERS = {
    **SECURITY_HEADERS,
    "Cache-Control": "no-cache, no-store, must-revalidate, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
}


def _text(text: str, status: int = 200) -> Response:
    return Response(text, status, media_type="text/plain", headers=SECURITY_HEADERS)


def not_found() -> Response:
    return _text("Not found\n", 404)


def _html(page: str) -> Response:
    return Response(page, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


def _state(context: Context, token: str) -> UnsubscribeState | None:
    try:
        return unsubscribe_state(context, token)
    except ValidationError:
        return None  # malformed: the same 404 as unknown


def _unsubscribe(context: Context, token: str) -> tuple[Unsubscription, UnsubscribeState] | None:
    try:
        done = record_unsubscribe(context, token)
        state = unsubscribe_state(context, token)
    except ValidationError:
        return None
    if done is None or state is None:
        return None
    return done, state


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than a form can be."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return body


def public_router(context: Context, settings: Settings) -> APIRouter:
    """The routes of the tracking host (``settings.sending.tracking_host``), for the HTTP
    app to include. ``settings`` are the served workspace's (the same as ``context``'s)."""
    del settings  # the routes read everything through the context
    router = APIRouter(include_in_schema=False)

    @router.get("/u/{token}")
    async def confirm_unsubscribe(token: str) -> Response:
        """The confirmation page: it changes nothing, since link scanners GET every link."""
        if len(token) > MAX_TOKEN_CHARS:
            return not_found()
        state = await run_in_threadpool(_state, context, token)
        if state is None:
            return not_found()
        if state.unsubscribed:
            return _html(done_page(state.locale, already=True))
        return _html(confirmation_page(state.locale))

    @router.post("/u/{token}")
    async def unsubscribe(token: str, request: Request) -> Response:
        """The button's form and RFC 8058 one-click alike: unsubscribe, answer 200 (never a
        redirect). The token is the authority, so any body within bounds will do; the
        one-click body gets a plain answer, the button the done page."""
        if len(token) > MAX_TOKEN_CHARS:
            return not_found()
        body = await _bounded_body(request)
        if body is None:
            return _text("Request too large\n", 413)
        result = await run_in_threadpool(_unsubscribe, context, token)
        if result is None:
            return not_found()
        if ONE_CLICK in body:
            return _text("Unsubscribed\n")
        return _html(done_page(result[1].locale))

    @router.get("/o/{token}.gif")
    async def open_pixel(token: str) -> Response:
        """The open pixel: counted, then the smallest GIF, never cached (each load counts,
        up to the hourly cap)."""
        if len(token) > MAX_TOKEN_CHARS:
            return not_found()
        if not await run_in_threadpool(record_open, context, token):
            return not_found()
        return Response(PIXEL_GIF, media_type="image/gif", headers=PIXEL_HEADERS)

    @router.get("/c/{token}/{index}")
    async def click(token: str, index: str) -> Response:
        """A 302 to link ``index`` of the message as it was sent; nothing else, ever."""
        if len(token) > MAX_TOKEN_CHARS or len(index) > MAX_INDEX_DIGITS:
            return not_found()
        if not index.isascii() or not index.isdigit():
            return not_found()
        target = await run_in_threadpool(follow_click, context, token, int(index))
        if target is None:
            return not_found()
        return RedirectResponse(target, status_code=302, headers=SECURITY_HEADERS)

    return router
