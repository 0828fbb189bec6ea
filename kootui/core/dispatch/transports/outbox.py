"""The offline outbox: every message becomes a file in a Maildir a mail client can open."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from pathlib import Path

from kootui.core.clock import Clock
from kootui.core.dispatch.transports.base import OutgoingMessage, Report, SendResult
from kootui.core.mail import Outcome, Stage
from kootui.core.private_files import make_private


class OutboxTransport:
    """Writes each message into a Maildir (tmp/ → new/), fsynced, with a unique name.

    A batch of files is written in a thread; the folder is fsynced once per batch so
    a renamed file survives a crash before the result is recorded as delivered.
    """

    name = "outbox"

    def __init__(self, folder: Path, clock: Clock, *, batch: int = 200) -> None:
        self.folder = folder
        self._clock = clock
        self._batch = batch
        self._queue: asyncio.Queue[OutgoingMessage | None] = asyncio.Queue(maxsize=batch * 2)
        self._runner: asyncio.Task[None] | None = None
        self._report: Report | None = None
        self._host = socket.gethostname().replace("/", "_").replace(":", "_")
        self._counter = 0

    async def start(self, report: Report) -> None:
        self._report = report
        for sub in ("tmp", "new", "cur"):
            (self.folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        # Every message in clear: an existing folder is tightened too (files are 0600).
        for folder in (self.folder, *(self.folder / sub for sub in ("tmp", "new", "cur"))):
            make_private(folder)
        self._runner = asyncio.create_task(self._run(), name="outbox-writer")

    async def submit(self, item: OutgoingMessage) -> None:
        await self._queue.put(item)

    async def close(self) -> None:
        if self._runner is not None:
            await self._queue.put(None)
            await self._runner
            self._runner = None

    def _unique_name(self) -> str:
        self._counter += 1
        return (
            f"{time.time_ns() // 1000}.P{os.getpid()}Q{self._counter}"
            f"R{secrets.token_hex(6)}.{self._host}"
        )

    def _write_batch(self, items: list[OutgoingMessage]) -> list[SendResult]:
        results: list[SendResult] = []
        new_dir = self.folder / "new"
        for item in items:
            name = self._unique_name()
            temp = self.folder / "tmp" / name
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    os.write(fd, item.data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.rename(temp, new_dir / name)
            except OSError as exc:
                temp.unlink(missing_ok=True)
                results.append(self._result(item, Outcome.DEFERRED, f"outbox: {exc.strerror}"))
                continue
            results.append(self._result(item, Outcome.DELIVERED, f"written to new/{name}"))
        dir_fd = os.open(new_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return results

    def _result(self, item: OutgoingMessage, outcome: Outcome, text: str) -> SendResult:
        return SendResult(
            row_id=item.row_id,
            outcome=outcome,
            stage=Stage.OUTBOX,
            reply_code=None,
            enhanced_code="",
            reply_text=text,
            remote_host="outbox",
            tls=False,
            hard=False,
            finished_at=self._clock.now(),
        )

    async def _run(self) -> None:
        assert self._report is not None
        finished = False
        while not finished:
            first = await self._queue.get()
            batch: list[OutgoingMessage] = []
            if first is None:
                finished = True
            else:
                batch.append(first)
            while not finished and len(batch) < self._batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    finished = True
                else:
                    batch.append(item)
            if batch:
                for result in await asyncio.to_thread(self._write_batch, batch):
                    self._report(result)
