"""A/B: compose's own quoted-printable for printable ASCII against ``binascii.b2a_qp``.

    python bench/compose_qp.py [--rounds 7] [--messages 2000]

``compose_message`` sends a text part 7bit when it can; a part it cannot (typically
HTML from an editor: one ASCII line far over 998 octets) goes quoted-printable,
either by ``str`` operations (``compose._qp_ascii_lines``, variant A) or by
``binascii.b2a_qp`` (variant B, what non-ASCII text always uses). Each round
composes the same messages with A, then B (then B, A in the next round, so neither
always runs second), and prints the per-message cost; the medians of the rounds
come last. Costs are CPU time of this process (wall time on shared cores also
counts the waits for a core). Two messages, each personalised per recipient like the engine's: the
3 KB HTML of bench/dispatch.py and a 20 KB newsletter, both on one line, with a
text part of short lines (7bit either way). Results: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import binascii
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from kootui.core.mail import compose

PARAGRAPH = (
    "<p>Thank you for shopping with us. Parcels leave our warehouse within two working "
    "days and a tracking link follows by email as soon as the carrier scans yours.</p>"
)
# bench/dispatch.py's template, rendered: ~3 KB of HTML on one line.
HTML_3K = (
    "<html><body><h1>Hello {first_name},</h1><p>Your order <b>{order_id}</b> for "
    "{product} ships on {ship_date}.</p>" + PARAGRAPH * 17 + "<p>Questions? Write to "
    "{agent}.</p></body></html>"
)
# A newsletter with inline styles, tables and links (what editors emit): ~20 KB, one line.
HTML_20K = (
    '<html><body style="margin:0;padding:0"><table role="presentation" width="100%">'
    + (
        '<tr><td style="padding:12px 24px;font-family:Arial,sans-serif;font-size:15px;'
        'color:#333333"><h2 style="margin:0 0 8px">News for {first_name}</h2>'
        + PARAGRAPH
        + '<a href="https://shop.example.com/p/{order_id}?utm_source=mail&amp;utm_medium='
        'news" style="color:#1a73e8">See {product}</a></td></tr>'
    )
    * 37
    + "</table><p>Write to {agent}.</p></body></html>"
)
TEXT = (
    "Hello {first_name},\n\nYour order {order_id} for {product} ships on {ship_date}.\n\n"
    + "Thank you for shopping with us. Parcels leave our warehouse within two\n"
    "working days and a tracking link follows as soon as the carrier scans it.\n\n"
    * 5
    + "Questions? Write to {agent}.\n"
)


def qp_by_b2a_qp(normal: str) -> list[str]:
    """Variant B's ``compose._qp_ascii_lines``: the b2a_qp branch of ``_body``, as one "line"
    (``_body`` joins the lines with CRLF, so one already joined costs nothing more)."""
    encoded = binascii.b2a_qp(normal.encode("utf-8"), quotetabs=False, istext=True)
    return [encoded.decode("ascii").replace("\n", compose.CRLF)]


OWN_QP = compose._qp_ascii_lines


def messages(html: str, count: int) -> list[dict[str, str]]:
    values = [
        {
            "first_name": f"Person{i}",
            "order_id": f"A{i:08d}",
            "product": f"Widget model {i % 97}",
            "ship_date": f"2026-12-{1 + i % 28:02d}",
            "agent": f"agent{i % 7}@shop.example.com",
        }
        for i in range(count)
    ]
    return [
        {"text": TEXT.format(**value), "html": html.format(**value), "i": str(i)}
        for i, value in enumerate(values)
    ]


def compose_all(batch: list[dict[str, str]], date: datetime) -> float:
    # CPU time, not wall: on shared cores a wall clock also counts the waits for a core.
    started = time.process_time()
    for message in batch:
        compose.compose_message(
            from_header="Shop <news@shop.example.com>",
            to=f"user{message['i']}@example.com",
            subject="Your order ships soon",
            text=message["text"],
            html=message["html"],
            message_id=f"<{message['i']}@shop.example.com>",
            date=date,
        )
    return (time.process_time() - started) / len(batch) * 1e6  # CPU µs per message


def run_variant(variant: str, batch: list[dict[str, str]], date: datetime) -> float:
    compose._qp_ascii_lines = OWN_QP if variant == "A" else qp_by_b2a_qp
    try:
        return compose_all(batch, date)
    finally:
        compose._qp_ascii_lines = OWN_QP


def check_same_decoded(batch: list[dict[str, str]]) -> None:
    """Both variants must carry the same text: decode each and compare."""
    for message in batch[:50]:
        for part in (message["text"], message["html"]):
            normal = part.replace("\r\n", "\n")
            a = compose.CRLF.join(OWN_QP(normal)).encode()
            b = compose.CRLF.join(qp_by_b2a_qp(normal)).encode()
            assert binascii.a2b_qp(a) == binascii.a2b_qp(b), "the variants decode differently"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    date = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    for name, html in (("3 KB HTML", HTML_3K), ("20 KB HTML", HTML_20K)):
        batch = messages(html, args.messages)
        check_same_decoded(batch)
        transfer, _ = compose._body(batch[0]["html"])
        print(f"{name} ({len(batch[0]['html']):,} chars, one line, {transfer}), CPU µs a message:")
        compose_all(batch[:200], date)  # warm up caches and the allocator
        costs: dict[str, list[float]] = {"A": [], "B": []}
        for round_number in range(args.rounds):
            order = ("A", "B") if round_number % 2 == 0 else ("B", "A")
            for variant in order:
                costs[variant].append(run_variant(variant, batch, date))
            print(
                f"  round {round_number + 1} ({'/'.join(order)}): "
                f"A own qp {costs['A'][-1]:.1f} µs, B b2a_qp {costs['B'][-1]:.1f} µs"
            )
        a, b = statistics.median(costs["A"]), statistics.median(costs["B"])
        print(
            f"  median per message: A own qp {a:.1f} µs, B b2a_qp {b:.1f} µs; "
            f"B - A = {b - a:+.1f} µs ({(b - a) / a:+.1%} of A's compose)"
        )
        ratios = [later / earlier for earlier, later in zip(costs["A"], costs["B"], strict=True)]
        wins = sum(ratio > 1 for ratio in ratios)
        print(
            f"  paired: median B/A of the rounds {statistics.median(ratios):.2f}, "
            f"A faster in {wins} of {len(ratios)} rounds"
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
