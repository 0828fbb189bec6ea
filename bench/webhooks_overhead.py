"""What webhooks cost the send path: ``record_results``' time per result, with no endpoint
(the cost every workspace pays) and with one endpoint subscribed to ``delivered``.

    python bench/webhooks_overhead.py [--messages 20000] [--rounds 3]

Seeds a task of N pending messages in a fresh SQLite store, then claims and records them
in batches of 200 (every result "delivered"), timing ``record_results`` alone. Run from a
checkout without core/webhooks it measures only the first line, as the "before".
Prints one line per mode, the best of the rounds:

    no endpoint: X µs per result (record_results, batches of 200)
    one endpoint: Y µs per result (...), Z outbox rows
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

BATCH = 200


def _context(home: Path, messages: int) -> object:
    os.environ["KOOTUI_HOME"] = str(home)
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import SystemClock
    from kootui.core.config import load_settings
    from kootui.core.store import Message, SenderAddress, SenderDomain, Task, Template

    context = open_context(load_settings(), clock=SystemClock())
    now = context.clock.now()
    with context.store.session() as session:
        domain = SenderDomain(
            name="bench.example.com", status="passed", created_at=now, updated_at=now
        )
        session.add(domain)
        session.flush()
        assert domain.id is not None
        address = SenderAddress(domain_id=domain.id, local_part="news", created_at=now)
        template = Template(title="T", subject="S", body="<p>x</p>", created_at=now, updated_at=now)
        session.add_all([address, template])
        session.flush()
        assert address.id is not None and template.id is not None
        task = Task(
            name="Bench",
            subject="S",
            template_id=template.id,
            address_id=address.id,
            scheduled_at=now,
            recipient_count=messages,
            created_at=now,
        )
        session.add(task)
        session.flush()
        task_id = task.id
    rows = [
        {
            "task_id": task_id,
            "recipient": f"customer{i}@example.org",
            "params": {},
            "status": "pending",
            "next_attempt_at": now,
            "created_at": now,
        }
        for i in range(messages)
    ]
    with context.store.engine.begin() as connection:
        connection.execute(insert(Message.__table__), rows)
    return context


def _run(messages: int, with_endpoint: bool) -> tuple[float, int]:
    from kootui.core.dispatch import Recorded, RetryPolicy, SendResult, claim_batch, record_results
    from kootui.core.mail import Outcome, Stage

    with tempfile.TemporaryDirectory(prefix="kootui-bench-hooks-") as folder:
        context = _context(Path(folder), messages)
        outbox = 0
        if with_endpoint:
            from kootui.core.store import WebhookOutbox
            from kootui.core.webhooks import create_endpoint

            hooks = context.settings.with_values(webhooks__allow_private=True)  # type: ignore[attr-defined]
            context.settings = hooks  # type: ignore[attr-defined]
            create_endpoint(context, "http://127.0.0.1:9/hooks", ["delivered"])  # type: ignore[arg-type]
        policy = RetryPolicy.from_settings(context.settings)  # type: ignore[attr-defined]
        spent = 0.0
        recorded = 0
        while True:
            now = context.clock.now()  # type: ignore[attr-defined]
            claimed = claim_batch(
                context.store,
                "bench",
                now,
                limit=BATCH,
                lease=timedelta(minutes=5),  # type: ignore[attr-defined]
            )
            if not claimed:
                break
            batch = [
                Recorded(
                    SendResult(
                        item.row_id,
                        Outcome.DELIVERED,
                        Stage.DOT,
                        250,
                        "2.0.0",
                        "250 ok",
                        "sink",
                        False,
                        False,
                        now,
                    ),
                    1,
                    now,
                )
                for item in claimed
            ]
            began = time.perf_counter()
            record_results(context.store, "bench", batch, policy, now)  # type: ignore[attr-defined]
            spent += time.perf_counter() - began
            recorded += len(batch)
        if with_endpoint:
            with context.store.engine.connect() as connection:  # type: ignore[attr-defined]
                outbox = connection.execute(
                    select(func.count()).select_from(WebhookOutbox.__table__)
                ).scalar_one()
        context.close()  # type: ignore[attr-defined]
    return spent / recorded * 1e6, outbox


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        import kootui.core.webhooks  # noqa: F401
    except ImportError:
        has_hooks = False
    else:
        has_hooks = True
    modes = [False, True] if has_hooks else [False]
    best: dict[bool, tuple[float, int]] = {}
    for _ in range(args.rounds):
        for mode in modes:  # interleaved, so a busy moment hits both
            figure = _run(args.messages, mode)
            if mode not in best or figure[0] < best[mode][0]:
                best[mode] = figure
    print(f"no endpoint: {best[False][0]:.1f} µs per result (record_results, batches of {BATCH})")
    if has_hooks:
        micro, rows = best[True]
        print(
            f"one endpoint: {micro:.1f} µs per result (record_results, batches of {BATCH}), "
            f"{rows} outbox rows"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
