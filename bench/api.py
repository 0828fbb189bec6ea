"""API benchmark: ``kootui serve`` accepting durable sends while its engine delivers them
to Postfix's smtp-sink, driven by many keep-alive connections.

Prints, from one run on one server:

    health: N req/s                        GET /v1/health, the reference ceiling
    api: N msgs/s p50 X ms p99 Y ms        POST /v1/messages, one recipient, closed loop
    delivery saturated: p50 X ms p99 Y ms  202 -> the sink's 250 after the ".", for the
                                           closed loop's messages (offered > sending rate)
    api at 500/s: p50 X ms p99 Y ms        the same POSTs, paced at 500 requests a second
    delivery: p50 X ms p99 Y ms            202 -> the sink's 250, for the paced messages
    delivery at 5/s: p50 X ms p99 Y ms     the same for a trickle: the engine idles between

The closed loop offers more than one engine sends (it accepts ~1,900/s, an engine signs
and sends ~1,100/s), so its queue grows for as long as it runs and its delivery figure
measures the queue, not the path: it is printed, but the delivery goal (p50 < 500 ms, p99
< 2 s) is measured at the paced 500/s, below the sending rate, after the closed loop's
queue has drained. Each delivery line also splits the time at the claim: commit -> claim
is the wait for an engine to take the message (what an idle engine's poll adds, unless the
commit rings it), claim -> sink the building, signing and sending.

The client is a small raw HTTP/1.1 client on uvloop (pre-built requests, one coroutine
per connection) so that it, not the server, is never the bottleneck's main suspect.
Needs postfix installed (/usr/sbin/smtp-sink). Run: python bench/api.py
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SINK = "/usr/sbin/smtp-sink"
TRICKLE_RATE = 5.0  # requests a second of the last phase
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(home: Path) -> tuple[str, int]:
    """A verified, signed domain, a sender, a one-parameter template; an API key."""
    os.environ["KOOTUI_HOME"] = str(home)
    from kootui.core.apikeys import MAX_RATE_PER_SECOND, create_api_key
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import SystemClock
    from kootui.core.config import load_settings
    from kootui.core.domains import add_key
    from kootui.core.store import SenderAddress, SenderDomain, Template

    context = open_context(load_settings(), clock=SystemClock())
    now = context.clock.now()
    with context.store.session() as session:
        domain = SenderDomain(
            name="bench.example.com", status="passed", created_at=now, updated_at=now
        )
        session.add(domain)
        session.flush()
        assert domain.id is not None
        add_key(session, context.settings, domain.id, "kootui1", now)
        address = SenderAddress(domain_id=domain.id, local_part="news", created_at=now)
        template = Template(
            title="Sign-in code",
            subject="Your code {{ code }}",
            body="<p>Your sign-in code is <b>{{ code }}</b>. It expires in 10 minutes.</p>",
            parameters=["code"],
            created_at=now,
            updated_at=now,
        )
        session.add_all([address, template])
        session.flush()
        assert template.id is not None
        template_id = template.id
    # The bench measures the server, not the per-key limit (1,000/s by default): the most.
    secret = create_api_key(context, "bench", rate_per_second=MAX_RATE_PER_SECOND).secret
    context.close()
    return secret, template_id


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


def post(port: int, key: str, body: bytes) -> bytes:
    return (
        f"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def message_body(template_id: int, index: int) -> bytes:
    return json.dumps(
        {
            "sender": "news@bench.example.com",
            "to": [f"customer{index}@example.org"],
            "template_id": template_id,
            "params": {"code": f"{index % 1_000_000:06d}"},
        }
    ).encode()


class Sends:
    def __init__(self, port: int, key: str, template_id: int) -> None:
        self.port, self.key, self.template_id = port, key, template_id
        self.next_index = 0
        self.accepted: dict[int, float] = {}  # message id -> wall time of the 202
        self.latencies: list[float] = []
        self.refused = 0

    async def send(self, connection: Connection) -> None:
        index = self.next_index
        self.next_index += 1
        data = post(self.port, self.key, message_body(self.template_id, index))
        started = time.perf_counter()
        status, body = await connection.request(data)
        self.latencies.append((time.perf_counter() - started) * 1000)
        if status != 202:
            self.refused += 1
            if self.refused < 4:
                print(f"refused: {status} {body[:200]!r}", file=sys.stderr)
            return
        for message in json.loads(body)["messages"]:
            self.accepted[message["id"]] = time.time()


async def health(port: int, connections: int, seconds: float) -> float:
    request = f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    opened = [await Connection.open(port) for _ in range(connections)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop(connection: Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await connection.request(request)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in opened))
    took = time.perf_counter() - started
    for connection in opened:
        connection.close()
    return done / took


async def closed_loop(sends: Sends, connections: int, seconds: float) -> tuple[float, list[float]]:
    opened = [await Connection.open(sends.port) for _ in range(connections)]
    before_latencies = len(sends.latencies)
    before = len(sends.accepted)
    deadline = time.perf_counter() + seconds

    async def loop(connection: Connection) -> None:
        while time.perf_counter() < deadline:
            await sends.send(connection)

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in opened))
    took = time.perf_counter() - started
    for connection in opened:
        connection.close()
    return (len(sends.accepted) - before) / took, sends.latencies[before_latencies:]


async def paced(sends: Sends, rate: float, seconds: float, connections: int) -> list[float]:
    """Open loop: a request every 1/rate s, each on a free connection."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await Connection.open(sends.port))
    before = len(sends.latencies)
    start = time.perf_counter()
    tasks = []

    async def one() -> None:
        connection = await pool.get()
        try:
            await sends.send(connection)
        finally:
            pool.put_nowait(connection)

    for n in range(int(rate * seconds)):
        wait = start + n / rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.ensure_future(one()))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    return sends.latencies[before:]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def family_cpu(pid: int) -> tuple[float, float]:
    """(the server's own CPU seconds, its live children's), from /proc."""
    own = cpu_seconds(pid)
    children = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                children += cpu_seconds(int(child))
            except OSError:
                pass
    return own, children


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass
class Delivered:
    """Per delivered message, in ms: 202 -> the sink's reply to "." (the delivered attempt's
    finished_at); of which commit -> claim (the row's created_at -> the attempt's
    started_at: the wait an idle engine's poll adds) and claim -> the sink's reply."""

    latencies: list[float]
    claim_waits: list[float]
    sends: list[float]
    missing: int


def delivery(home: Path, accepted: dict[int, float], timeout: float) -> Delivered:
    """Waits until every message of ``accepted`` is delivered (or ``timeout``)."""
    os.environ["KOOTUI_HOME"] = str(home)
    from sqlalchemy import select

    from kootui.core.config import load_settings
    from kootui.core.store import DeliveryAttempt, Message, open_store

    store = open_store(load_settings().database_url, migrate=False)
    table, message = DeliveryAttempt.__table__, Message.__table__
    deadline = time.monotonic() + timeout
    found: dict[int, tuple[datetime, datetime, datetime]] = {}
    while time.monotonic() < deadline:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(
                    table.c.message_id,
                    message.c.created_at,
                    table.c.started_at,
                    table.c.finished_at,
                )
                .join(message, message.c.id == table.c.message_id)
                .where(table.c.outcome == "delivered", table.c.message_id >= min(accepted))
            ).all()
        found = {row[0]: (row[1], row[2], row[3]) for row in rows if row[0] in accepted}
        if len(found) >= len(accepted):
            break
        time.sleep(0.2)
    store.close()

    def ms(later: datetime, earlier: datetime) -> float:
        return (later - earlier).total_seconds() * 1000

    return Delivered(
        [(found[mid][2].replace(tzinfo=UTC).timestamp() - at) * 1000 for mid, at in
         accepted.items() if mid in found],
        [ms(started, created) for created, started, _ in found.values()],
        [ms(finished, started) for _, started, finished in found.values()],
        len(accepted) - len(found),
    )  # fmt: skip


def start_server(home: Path, http_port: int, sink_port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "KOOTUI_HOME": str(home),
            "KOOTUI_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "KOOTUI_RELAY_HOST": "127.0.0.1",
            "KOOTUI_RELAY_PORT": str(sink_port),
            "KOOTUI_RELAY_TLS": "none",
            "PYTHONPATH": str(REPO),
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "kootui", "serve", "--processes", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(home / "serve.log", "wb"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", http_port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("kootui serve did not start; see serve.log")


def print_delivery(label: str, home: Path, sends: Sends, ids: set[int]) -> None:
    accepted = {mid: at for mid, at in sends.accepted.items() if mid in ids}
    found = delivery(home, accepted, timeout=120)

    def p(values: list[float], share: float) -> float:
        return statistics.median(values) if share == 0.5 else percentile(values, share)

    print(
        f"{label}: p50 {p(found.latencies, 0.5):.0f} ms p99 {p(found.latencies, 0.99):.0f} ms "
        f"({len(found.latencies)} delivered, {found.missing} not yet; commit -> claim p50 "
        f"{p(found.claim_waits, 0.5):.0f} ms p99 {p(found.claim_waits, 0.99):.0f} ms, claim -> "
        f"sink p50 {p(found.sends, 0.5):.0f} ms p99 {p(found.sends, 0.99):.0f} ms)",
        flush=True,
    )


async def drive(
    args: argparse.Namespace, home: Path, port: int, key: str, template_id: int, server_pid: int
) -> Sends:
    import uvloop  # noqa: F401 - the loop is set by the caller

    sends = Sends(port, key, template_id)
    warm = await Connection.open(port)
    for _ in range(50):
        await sends.send(warm)
    warm.close()
    rate = await health(port, args.connections, args.seconds)
    print(f"health: {rate:.0f} req/s", flush=True)
    before_count = len(sends.accepted)
    before_ids = set(sends.accepted)
    server_before, engine_before = family_cpu(server_pid)
    accepted_rate, latencies = await closed_loop(sends, args.connections, args.seconds)
    server_after, engine_after = family_cpu(server_pid)
    closed_ids = set(sends.accepted) - before_ids
    count = max(1, len(sends.accepted) - before_count)
    print(
        f"api: {accepted_rate:.0f} msgs/s p50 {statistics.median(latencies):.1f} ms "
        f"p99 {percentile(latencies, 0.99):.1f} ms ({args.connections} connections; "
        f"server CPU {(server_after - server_before) * 1000 / count:.2f} ms/msg, engine "
        f"{(engine_after - engine_before) * 1000 / count:.2f} ms/msg, load "
        f"{os.getloadavg()[0]:.1f})",
        flush=True,
    )
    # Waits until the closed loop's queue has drained, so the paced run starts empty.
    await asyncio.to_thread(print_delivery, "delivery saturated", home, sends, closed_ids)
    before_ids = set(sends.accepted)
    latencies = await paced(sends, args.rate, args.seconds, args.connections)
    print(
        f"api at {args.rate:.0f}/s: p50 {statistics.median(latencies):.1f} ms "
        f"p99 {percentile(latencies, 0.99):.1f} ms",
        flush=True,
    )
    paced_ids = set(sends.accepted) - before_ids
    await asyncio.to_thread(print_delivery, "delivery", home, sends, paced_ids)
    # A trickle (sign-in codes one at a time): the engine is idle between two messages.
    before_ids = set(sends.accepted)
    await paced(sends, TRICKLE_RATE, args.seconds, 4)
    trickle_ids = set(sends.accepted) - before_ids
    label = f"delivery at {TRICKLE_RATE:.0f}/s"
    await asyncio.to_thread(print_delivery, label, home, sends, trickle_ids)
    return sends


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument(
        "--rate", type=float, default=500.0, help="paced requests a second (below sending)"
    )
    args = parser.parse_args()
    if not Path(SINK).exists():
        raise SystemExit(f"{SINK} is missing: apt-get install postfix (No configuration)")
    import uvloop

    root = Path(tempfile.mkdtemp(prefix="kootui-bench-api-"))
    sink_port, http_port = free_port(), free_port()
    sink = subprocess.Popen(
        [SINK, "-u", "nobody", f"127.0.0.1:{sink_port}", "1024"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = None
    try:
        key, template_id = seed(root)
        server = start_server(root, http_port, sink_port)
        # The client's own full collections (the seed loaded kootui here: ~150,000
        # objects, 60 ms a walk) would count as the server's latency.
        gc.collect()
        gc.freeze()
        sends = uvloop.run(drive(args, root, http_port, key, template_id, server.pid))
        print(f"refused: {sends.refused}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(60)
        sink.terminate()
        sink.wait(5)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
