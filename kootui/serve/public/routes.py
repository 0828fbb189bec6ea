"""The tracking host's router: every answer is one core call and a fixed page.

Unknown, malformed or tampered tokens all get the same plain 404, which says nothing
about any address or message. Core calls block on the store, so they run on
Starlette's thread pool, never on the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.mail import (
    UnsubscribeState,
    Unsubscription,
    record_unsubscribe,
    unsubscribe_state,
)
from kootui.serve.public.pages import SECURITY_HEADERS, confirmation_page, done_page

MAX_FORM_BYTES = 4096  # a one-click body is 26 bytes; the button's form a few more
ONE_CLICK = b"List-Unsubscribe=One-Click"


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
        body = await _bounded_body(request)
        if body is None:
            return _text("Request too large\n", 413)
        result = await run_in_threadpool(_unsubscribe, context, token)
        if result is None:
            return not_found()
        if ONE_CLICK in body:
            return _text("Unsubscribed\n")
        return _html(done_page(result[1].locale))

    return router
