"""A small typed client for ``kootui serve``'s ``/v1`` API, sync and async, on httpx.

    from kootui.client import KootuiClient

    with KootuiClient("http://127.0.0.1:8025", api_key) as client:
        accepted = client.send_message(
            sender="news@mail.example.com",
            to=["ann@example.org"],
            template_id=3,
            params={"code": "123456"},
        )
        print(accepted.message_ids)

Every refusal is an ``ApiError`` carrying the server's problem details (``status``,
``code``, ``field``, ``detail``, and ``retry_after`` for a 429).
"""

from __future__ import annotations

from kootui.client.client import (
    Accepted,
    AcceptedMessage,
    ApiError,
    AsyncKootuiClient,
    KootuiClient,
    Recipient,
)

__all__ = [
    "Accepted",
    "AcceptedMessage",
    "ApiError",
    "AsyncKootuiClient",
    "KootuiClient",
    "Recipient",
]
