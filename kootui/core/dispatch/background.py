"""The engine inside another program (the TUI): a thread with its own event loop.

The TUI starts an ``EngineThread`` when it opens and stops it when it closes; the
engine never runs on the UI's event loop. ``stop`` has the same meaning as SIGTERM
for ``kootui worker``: no new claims, messages in flight finish and are recorded.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from kootui.core.context import Context
from kootui.core.dispatch.engine import Dispatcher

log = logging.getLogger("kootui.dispatch")


class EngineThread:
    def __init__(self, context: Context) -> None:
        self.context = context
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self.error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._main, name="kootui-engine", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _main(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            dispatcher = Dispatcher(self.context)
            self._ready.set()
            await dispatcher.run(self._stop)

        try:
            asyncio.run(serve())
        except Exception as exc:  # the UI shows it; the thread must not die silently
            log.exception("the sending engine stopped with an error")
            self.error = exc
        finally:
            self._ready.set()

    def stop(self, timeout: float = 60.0) -> bool:
        """Ask the engine to finish what is in flight; True when it stopped in time."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return True
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass  # the loop already ended
        thread.join(timeout)
        stopped = not thread.is_alive()
        if stopped:
            self._thread = None
        return stopped
