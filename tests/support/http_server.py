"""A real uvicorn on loopback for the HTTP tests, in a thread of the test process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import APIRouter, FastAPI

from tests.support.smtp_server import free_port


@contextmanager
def serving(app: FastAPI, *, start_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 for the block; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class SwappableApp:
    """One server for a whole test module, serving the routes of the current test: each test
    builds its router on its own context and ``mount``s it (a uvicorn start and stop cost
    ~0.3 s, more than most tests)."""

    def __init__(self) -> None:
        self.app = FastAPI()

    def mount(self, router: APIRouter) -> None:
        # Starlette's router reads this list on every request.
        self.app.router.routes[:] = list(router.routes)
