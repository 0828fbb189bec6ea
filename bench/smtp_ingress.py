"""SMTP ingress benchmark: Postfix's smtp-source into ``kootui serve``'s loopback SMTP
listener (durable accepts: every ``250`` after DATA follows the commit of its row and
bytes), beside smtp-source into Postfix's smtp-sink in the same run as the reference.

    smtp: N msgs/s (cpu X ms/msg, rows M)   20 sessions, reused, 2 KB messages
    smtp-sink: N msgs/s                       the same load into smtp-sink

``cpu`` is the server process's user+system time per accepted message. The server runs
with ``--no-engine``: ingress alone. smtp-source cannot AUTH, so it uses the loopback
listener with ``smtp.loopback_auth = "optional"`` (the opt-out). Needs postfix installed
(/usr/sbin/smtp-sink, /usr/sbin/smtp-source).
Run: python bench/smtp_ingress.py [--messages N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SINK = "/usr/sbin/smtp-sink"
SOURCE = "/usr/sbin/smtp-source"
REPO = Path(__file__).resolve().parents[1]
SENDER = "news@bench.example.com"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(home: Path) -> None:
    """A verified domain with a DKIM key and its sender address."""
    os.environ["KOOTUI_HOME"] = str(home)
    from kootui.core.bootstrap import open_context
    from kootui.core.clock import SystemClock
    from kootui.core.config import load_settings
    from kootui.core.domains import add_key
    from kootui.core.store import SenderAddress, SenderDomain

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
        session.add(SenderAddress(domain_id=domain.id, local_part="news", created_at=now))
    context.close()


def stored_rows(home: Path) -> int:
    os.environ["KOOTUI_HOME"] = str(home)
    from sqlalchemy import func, select

    from kootui.core.bootstrap import open_context
    from kootui.core.config import load_settings
    from kootui.core.store import SubmittedMime

    context = open_context(load_settings())
    with context.store.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(SubmittedMime)).scalar_one()
    context.close()
    return int(count)


def wait_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"kootui serve ended early with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def run_source(port: int, messages: int, sessions: int, size: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            SOURCE,
            "-d",  # sessions reused
            "-s",
            str(sessions),
            "-m",
            str(messages),
            "-l",
            str(size),
            "-f",
            SENDER,
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
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", type=int, default=2048)
    args = parser.parse_args()
    for tool in (SINK, SOURCE):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install postfix (No configuration)")
    root = Path(tempfile.mkdtemp(prefix="kootui-smtp-bench-"))
    smtp_port, http_port, sink_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "KOOTUI_HOME": str(root),
        "PYTHONPATH": str(REPO),
        "KOOTUI_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
        "KOOTUI_SMTP_LOOPBACK_AUTH": "optional",  # smtp-source cannot log in
        "KOOTUI_SMTP_MAX_SESSIONS_PER_CLIENT": str(args.sessions + 5),
        "KOOTUI_HTTP_LISTEN": f"127.0.0.1:{http_port}",
    }
    server: subprocess.Popen[bytes] | None = None
    sink: subprocess.Popen[bytes] | None = None
    try:
        seed(root)
        server = subprocess.Popen(
            [sys.executable, "-m", "kootui", "serve", "--no-engine"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(smtp_port, server)
        run_source(smtp_port, args.sessions, args.sessions, args.size)  # warm: template, caches
        before = cpu_seconds(server.pid)
        rate = run_source(smtp_port, args.messages, args.sessions, args.size)
        cpu_ms = (cpu_seconds(server.pid) - before) * 1000 / args.messages
        server.terminate()
        server.wait(60)
        rows = stored_rows(root)
        expected = args.messages + args.sessions
        if rows != expected:
            raise SystemExit(f"smtp: {rows} messages stored, {expected} were accepted")
        print(f"smtp: {rate:.0f} msgs/s (cpu {cpu_ms:.2f} ms/msg, rows {rows})", flush=True)
        sink = subprocess.Popen(
            [SINK, "-u", "nobody", f"127.0.0.1:{sink_port}", "1024"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        sink_rate = run_source(sink_port, args.messages, args.sessions, args.size)
        print(f"smtp-sink: {sink_rate:.0f} msgs/s", flush=True)
    finally:
        for process in (server, sink):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
