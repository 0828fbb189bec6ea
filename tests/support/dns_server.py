"""A small authoritative DNS server on loopback, for tests: real packets over UDP and TCP.

The test controls the zone (``set``/``remove``/``load_bind``) and can make any
name misbehave (``misbehave``): no answer, SERVFAIL, NXDOMAIN, a truncated UDP
answer that forces TCP, an oversized answer, garbage bytes, or a record of the
wrong type. Both transports listen on the same free port of 127.0.0.1, each in
its own thread.
"""

from __future__ import annotations

import os
import socket
import socketserver
import struct
import threading
from collections.abc import Iterable
from enum import StrEnum
from types import TracebackType

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import dns.zone


class Misbehaviour(StrEnum):
    TIMEOUT = "timeout"  # never answer
    SERVFAIL = "servfail"
    NXDOMAIN = "nxdomain"
    TRUNCATE_UDP = "truncate_udp"  # TC bit over UDP, the real answer over TCP
    OVERSIZED = "oversized"  # a ~60 KB TXT answer, sent whole even over UDP
    GARBAGE = "garbage"  # bytes that are not a DNS message
    WRONG_TYPE = "wrong_type"  # an A record whatever was asked
    REFUSED = "refused"


def _key(name: str) -> str:
    return name.lower().rstrip(".")


class LoopbackDnsServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port  # 0: any free port
        self._records: dict[tuple[str, str], list[str]] = {}
        self._misbehaviour: dict[str, Misbehaviour] = {}
        self._lock = threading.Lock()
        self.queries: list[tuple[str, str, str]] = []  # (name, type, "udp" | "tcp")
        self.recursion_desired: list[bool] = []  # the RD flag of each query, in order
        self._udp: socketserver.ThreadingUDPServer | None = None
        self._tcp: socketserver.ThreadingTCPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- zone control -------------------------------------------------------

    def set(self, name: str, rtype: str, *values: str) -> None:
        """Serve exactly ``values`` (TXT: the joined text; others: rdata text) at name/type."""
        with self._lock:
            self._records[(_key(name), rtype.upper())] = list(values)

    def add(self, name: str, rtype: str, value: str) -> None:
        with self._lock:
            self._records.setdefault((_key(name), rtype.upper()), []).append(value)

    def remove(self, name: str, rtype: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._records if k[0] == _key(name)]:
                if rtype is None or key[1] == rtype.upper():
                    del self._records[key]

    def load_bind(self, text: str, origin: str) -> None:
        """Serve every record of a BIND snippet (what a user would paste into their zone)."""
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        for name, rdataset in zone.iterate_rdatasets():
            rtype = dns.rdatatype.to_text(rdataset.rdtype)
            for rdata in rdataset:
                if rdataset.rdtype == dns.rdatatype.TXT:
                    value = b"".join(rdata.strings).decode()
                else:
                    value = rdata.to_text()
                self.add(name.to_text(), rtype, value)

    def misbehave(self, name: str, how: Misbehaviour | None) -> None:
        with self._lock:
            if how is None:
                self._misbehaviour.pop(_key(name), None)
            else:
                self._misbehaviour[_key(name)] = how

    def asked(self, name: str, transport: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for qname, _type, via in self.queries
                if qname == _key(name) and (transport is None or via == transport)
            )

    # -- answering ----------------------------------------------------------

    def _name_exists(self, name: str) -> bool:
        return any(n == name or n.endswith("." + name) for n, _t in self._records)

    def _rrset(self, owner: dns.name.Name, rtype: str, values: Iterable[str]) -> dns.rrset.RRset:
        rdtype = dns.rdatatype.from_text(rtype)
        rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, rdtype)
        rrset.update_ttl(300)
        for value in values:
            if rdtype == dns.rdatatype.TXT:
                raw = value.encode()
                chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
                rrset.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, chunks))
            else:
                rrset.add(dns.rdata.from_text(dns.rdataclass.IN, rdtype, value))
        return rrset

    def answer(self, wire: bytes, transport: str) -> bytes | None:
        """The reply to one query, or None for no reply at all."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        if not query.question:
            return None
        question = query.question[0]
        qname = _key(question.name.to_text())
        rtype = dns.rdatatype.to_text(question.rdtype)
        with self._lock:
            self.queries.append((qname, rtype, transport))
            self.recursion_desired.append(bool(query.flags & dns.flags.RD))
            how = self._misbehaviour.get(qname)
            records = {k: list(v) for k, v in self._records.items()}
            exists = self._name_exists(qname)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if how == Misbehaviour.TIMEOUT:
            return None
        if how == Misbehaviour.GARBAGE:
            return wire[:2] + os.urandom(3) + b"\xff\xffnot a dns message"
        if how == Misbehaviour.SERVFAIL:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif how == Misbehaviour.REFUSED:
            response.set_rcode(dns.rcode.REFUSED)
        elif how == Misbehaviour.NXDOMAIN:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif how == Misbehaviour.TRUNCATE_UDP and transport == "udp":
            response.flags |= dns.flags.TC
        elif how == Misbehaviour.OVERSIZED:
            huge = "x" * 255 * 230  # ~59 KB in one TXT record
            response.answer.append(self._rrset(question.name, "TXT", [huge]))
            return response.to_wire(max_size=65535)
        elif how == Misbehaviour.WRONG_TYPE:
            response.answer.append(self._rrset(question.name, "A", ["192.0.2.99"]))
        else:
            self._fill(response, question.name, rtype, records, exists)
        max_size = 65535 if transport == "tcp" else max(512, query.payload or 512)
        try:
            return response.to_wire(max_size=max_size)
        except dns.exception.TooBig:
            small = dns.message.make_response(query)
            small.flags |= dns.flags.AA | dns.flags.TC
            return small.to_wire()

    def _fill(
        self,
        response: dns.message.Message,
        qname: dns.name.Name,
        rtype: str,
        records: dict[tuple[str, str], list[str]],
        exists: bool,
    ) -> None:
        owner = qname
        for _hop in range(8):
            key = _key(owner.to_text())
            values = records.get((key, rtype))
            if values:
                response.answer.append(self._rrset(owner, rtype, values))
                return
            cname = records.get((key, "CNAME"))
            if not cname or rtype == "CNAME":
                break
            response.answer.append(self._rrset(owner, "CNAME", cname[:1]))
            owner = dns.name.from_text(cname[0])
        if not exists and not response.answer:
            response.set_rcode(dns.rcode.NXDOMAIN)

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> LoopbackDnsServer:
        server = self

        class UdpHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                reply = server.answer(data, "udp")
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        class TcpHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(5)
                while True:
                    header = _read_exactly(conn, 2)
                    if header is None:
                        return
                    data = _read_exactly(conn, struct.unpack("!H", header)[0])
                    if data is None:
                        return
                    reply = server.answer(data, "tcp")
                    if reply is None:
                        return
                    conn.sendall(struct.pack("!H", len(reply)) + reply)

        for _attempt in range(50):
            udp = socketserver.ThreadingUDPServer((self.host, self.port), UdpHandler)
            port = udp.server_address[1]
            try:
                tcp = socketserver.ThreadingTCPServer((self.host, port), TcpHandler)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise RuntimeError("no free port for both UDP and TCP")
        udp.daemon_threads = True
        tcp.daemon_threads = True
        self._udp, self._tcp, self.port = udp, tcp, port
        for srv in (udp, tcp):
            thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for srv in (self._udp, self._tcp):
            if srv is not None:
                srv.shutdown()
                srv.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> LoopbackDnsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _read_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = conn.recv(size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data
