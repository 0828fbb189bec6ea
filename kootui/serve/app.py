"""``build_http_app``: the FastAPI application of ``kootui serve``.

Routers are included in ``_include_routers``: the API's own under ``/v1``, and the place
where the tracking host's public endpoints (``kootui.serve.public``) are wired in.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response

from kootui import __version__
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.core.long_lived import start_up_done
from kootui.core.submissions import Intake, SubmissionChecker, forget_expired
from kootui.serve import messages, resources, tasks, webhooks
from kootui.serve.access_log import AccessLog
from kootui.serve.auth import KeyGate
from kootui.serve.mx import MxListener
from kootui.serve.problems import install_problem_handlers
from kootui.serve.public import public_router
from kootui.serve.smtp import SmtpListeners
from kootui.serve.state import ApiState

log = logging.getLogger("kootui.serve")
HEALTH_BODY = b'{"status":"ok"}'
FORGET_EVERY_SECONDS = 3600.0  # idempotency answers older than 24 hours go hourly


def _include_routers(app: FastAPI, context: Context, settings: Settings) -> None:
    app.include_router(messages.router)
    app.include_router(tasks.router)
    app.include_router(resources.router)
    app.include_router(webhooks.router)
    # The tracking host's public endpoints (/u/<token>, open and click tracking): no key,
    # and out of the API's schema.
    app.include_router(public_router(context, settings))


def build_http_app(
    context: Context,
    settings: Settings,
    *,
    smtp_sockets: Mapping[str, socket.socket] | None = None,
) -> FastAPI:
    """The API on ``context``'s store. Its lifespan starts and drains the group commit;
    with ``smtp_sockets`` (``kootui serve``: bound, maybe none) it also runs the SMTP
    listeners on the same loop and intake, and stops them before the intake's last commit."""
    intake = Intake(context, max_wait=settings.http.group_commit_ms / 1000)
    state = ApiState(
        context=context,
        settings=settings,
        gate=KeyGate(context, settings.http),
        checker=SubmissionChecker(context),
        intake=intake,
    )

    async def forget_old_answers() -> None:
        while True:
            try:
                await asyncio.to_thread(forget_expired, context)
            except KootuiError as exc:  # a store away for a moment; next hour again
                log.warning("old idempotency answers were not deleted: %s", exc)
            await asyncio.sleep(FORGET_EVERY_SECONDS)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The bounce MX shares the API's loop (its store work runs in threads too); it
        # binds first, so a port in use stops the start before anything else runs.
        mx = MxListener(context, settings) if settings.mx.enabled else None
        if mx is not None:
            await mx.start()
        intake.start()
        listeners = (
            SmtpListeners(context, settings, state.checker, intake, sockets=smtp_sockets)
            if smtp_sockets is not None
            else None
        )
        if listeners is not None:
            await listeners.start()
        forgetting = asyncio.create_task(forget_old_answers())
        start_up_done(collect_first=True)  # the server's modules and routes, frozen
        try:
            yield
        finally:
            if mx is not None:
                await mx.close()
            forgetting.cancel()
            if listeners is not None:
                await listeners.close()
            # Requests in flight have been answered (uvicorn waits for them first);
            # whatever is still queued is committed before the process ends.
            await intake.close()

    app = FastAPI(
        title="kootui API",
        version=__version__,
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.api = state
    app.add_middleware(AccessLog)
    install_problem_handlers(app)

    @app.get("/v1/health", tags=["health"], summary="Is the server up (no key needed)")
    async def health() -> Response:
        return Response(HEALTH_BODY, media_type="application/json")

    _include_routers(app, context, settings)
    return app
