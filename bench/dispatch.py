"""Dispatch benchmark: the real engine into Postfix's smtp-sink, against smtp-source.

    python bench/dispatch.py [--messages 20000] [--processes 2]

Makes a temporary store with a real task of N personalised recipients (a 3 KB HTML
template with 5 parameters, text part derived), runs ``kootui worker --until-idle``
on it against ``smtp-sink`` on loopback, once with DKIM (a 2048-bit key) and once
without, then sends the same number of messages of the same average size with
``smtp-source`` (reused sessions) into the same sink. One line per run:

    signed: N msgs/s p50 X ms p99 Y ms rss Z MB
    unsigned: N msgs/s p50 X ms p99 Y ms rss Z MB
    smtp-source: N msgs/s

msgs/s counts from the first claim to the last "250" of the run (process start-up
excluded). The latency is per message, from the moment the engine claimed it (it
was due) to the sink's reply to its final "."; rss is the peak resident size of
the largest engine process. Needs postfix installed (/usr/sbin/smtp-sink).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

SINK = "/usr/sbin/smtp-sink"
SOURCE = "/usr/sbin/smtp-source"
# About 3 KB of HTML with 5 parameters, like the reference row of DESIGN.md's table.
HTML = (
    "<html><body><h1>Hello {{ first_name }},</h1>"
    "<p>Your order <b>{{ order_id }}</b> for {{ product }} ships on {{ ship_date }}.</p>"
    + "<p>Thank you for shopping with us. Parcels leave our warehouse within two working "
    "days and a tracking link follows by email as soon as the carrier scans yours.</p>"
    * 17
    + "<p>Questions? Write to {{ agent }}.</p></body></html>"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(home: Path, messages: int, *, signed: bool) -> None:
    os.environ["KOOTUI_HOME"] = str(home)
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import SystemClock
    from kootui.core.config import load_settings
    from kootui.core.domains import add_key
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
        if signed:
            add_key(session, context.settings, domain.id, "kootui1", now)
        address = SenderAddress(
            domain_id=domain.id, local_part="news", alias="Bench Shop", created_at=now
        )
        template = Template(
            title="Order shipped",
            subject="Your order {{ order_id }}",
            body=HTML,
            parameters=["first_name", "order_id", "product", "ship_date", "agent"],
            created_at=now,
            updated_at=now,
        )
        session.add_all([address, template])
        session.flush()
        assert address.id is not None and template.id is not None
        task = Task(
            name="Bench",
            subject="Your order {{ order_id }}",
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
            "params": {
                "first_name": f"Customer {i}",
                "order_id": f"A{i:08d}",
                "product": "a blue kettle",
                "ship_date": "2026-12-01",
                "agent": "help@bench.example.com",
            },
            "status": "pending",
            "next_attempt_at": now,
            "created_at": now,
        }
        for i in range(messages)
    ]
    with context.store.engine.begin() as connection:
        connection.execute(insert(Message.__table__), rows)  # type: ignore[arg-type]
    context.close()


def figures(home: Path) -> tuple[float, float, float, int]:
    """(msgs/s, p50 ms, p99 ms, delivered) from the recorded attempts."""
    os.environ["KOOTUI_HOME"] = str(home)
    from kootui.core.config import load_settings
    from kootui.core.store import DeliveryAttempt, Message, open_store

    store = open_store(load_settings().database_url, migrate=False)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(DeliveryAttempt.started_at, DeliveryAttempt.finished_at).where(
                DeliveryAttempt.outcome == "delivered"
            )
        ).all()
        delivered = connection.execute(
            select(func.count()).where(Message.status == "delivered")  # type: ignore[arg-type]
        ).scalar_one()
    store.close()
    latencies = sorted((finished - started).total_seconds() * 1000 for started, finished in rows)
    span = (max(f for _, f in rows) - min(s for s, _ in rows)).total_seconds()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(rows) / span, statistics.median(latencies), p99, int(delivered)


def run_engine(home: Path, port: int, args: argparse.Namespace) -> int:
    """Runs ``kootui worker --until-idle`` in a child and returns its peak RSS in KB."""
    env = dict(os.environ)
    env.update(
        {
            "KOOTUI_HOME": str(home),
            "KOOTUI_RELAY_HOST": "127.0.0.1",
            "KOOTUI_RELAY_PORT": str(port),
            "KOOTUI_RELAY_TLS": "none",
            "KOOTUI_RELAY_CONCURRENCY": str(args.concurrency),
            "KOOTUI_SENDING_BATCH_SIZE": str(args.batch),
            "KOOTUI_SENDING_IN_FLIGHT": str(args.in_flight),
        }
    )
    code = (
        "import resource, sys\n"
        "from kootui.cli import main\n"
        f"status = main(['worker', '--until-idle', '--processes', '{args.processes}'])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the engine failed with status {done.returncode}")
    children, own = (int(v) for v in done.stdout.split()[-2:])
    return max(children, own)


def run_source(port: int, messages: int, size: int, sessions: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            SOURCE,
            "-d",
            "-s",
            str(sessions),
            "-m",
            str(messages),
            "-l",
            str(size),
            "-f",
            "news@bench.example.com",
            "-t",
            "customer@example.org",
            f"127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
    )
    return messages / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--concurrency", type=int, default=8, help="connections per process")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=400, help="per process")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the figures are the only output
    for tool in (SINK, SOURCE):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install postfix (No configuration)")
    port = free_port()
    sink = subprocess.Popen(
        [SINK, "-u", "nobody", f"127.0.0.1:{port}", "1024"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = Path(tempfile.mkdtemp(prefix="kootui-bench-"))
    try:
        time.sleep(0.3)
        sizes = []
        for label, signed in (("signed", True), ("unsigned", False)):
            home = root / label
            seed(home, args.messages, signed=signed)
            rss_kb = run_engine(home, port, args)
            rate, p50, p99, delivered = figures(home)
            if delivered != args.messages:
                raise SystemExit(f"{label}: only {delivered} of {args.messages} delivered")
            sizes.append(_message_size(home))
            print(
                f"{label}: {rate:.0f} msgs/s p50 {p50:.0f} ms p99 {p99:.0f} ms "
                f"rss {rss_kb / 1024:.0f} MB",
                flush=True,
            )
        size = int(statistics.mean(sizes))
        source_rate = run_source(port, args.messages, size, args.processes * args.concurrency)
        print(f"smtp-source: {source_rate:.0f} msgs/s", flush=True)
    finally:
        sink.terminate()
        sink.wait(5)
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _message_size(home: Path) -> int:
    """Size of one message as the engine builds it, for smtp-source's -l."""
    os.environ["KOOTUI_HOME"] = str(home)
    from datetime import UTC, datetime

    from kootui.core.bootstrap import open_context
    from kootui.core.config import load_settings
    from kootui.core.dispatch import ClaimedMessage, build_message, load_task_kit
    from kootui.core.store import Message

    context = open_context(load_settings())
    with context.store.session() as session:
        row = session.scalars(select(Message).limit(1)).one()
    kit = load_task_kit(context, row.task_id)
    claimed = ClaimedMessage(
        row.id or 0, row.task_id, row.recipient, row.params, "", "", 1, datetime.now(UTC)
    )
    data = build_message(context, kit, claimed, "<size@bench>", "", datetime.now(UTC))
    context.close()
    return len(data)


if __name__ == "__main__":
    sys.exit(main())
