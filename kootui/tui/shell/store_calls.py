"""Store and DNS calls from a screen, off the event loop, answered by a message.

``call_store(screen, call, then)`` runs ``call`` in a thread worker; ``then(result,
error)`` runs back on the event loop when the screen handles ``StoreReply`` (a
screen using this adds ``@on(StoreReply)`` calling ``reply.deliver()``). A core
rule refusal (``KootuiError``) reaches ``then`` as ``error``; anything else fails the
worker, which the page frame reports as a store problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from kootui.core.errors import KootuiError

Then = Callable[[Any, KootuiError | None], None]


class StoreReply(Message, bubble=False):
    def __init__(self, then: Then, result: Any, error: KootuiError | None) -> None:
        super().__init__()
        self.then, self.result, self.error = then, result, error

    def deliver(self) -> None:
        self.then(self.result, self.error)


def call_store(
    node: DOMNode, call: Callable[[], Any], then: Then, *, group: str = "store-calls"
) -> Worker[None]:
    def run() -> None:
        try:
            result = call()
        except KootuiError as error:
            node.post_message(StoreReply(then, None, error))
            return
        node.post_message(StoreReply(then, result, None))

    return node.run_worker(run, thread=True, group=group, exit_on_error=False)
