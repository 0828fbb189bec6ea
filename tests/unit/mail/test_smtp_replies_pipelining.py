"""The pipelined reply reader against a real loopback socket that sends replies in pieces."""

from __future__ import annotations

import asyncio

import pytest
from aiosmtplib.errors import SMTPReadTimeoutError, SMTPResponseException, SMTPServerDisconnected

from kootui.core.dispatch import PipelinedWire


async def _wire_to(
    chunks: list[bytes], *, close: bool = False
) -> tuple[PipelinedWire, list[bytes]]:
    heard: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heard.append(await reader.readline())
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.01)
        if close:
            writer.close()
        else:
            await asyncio.sleep(5)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await asyncio.get_running_loop().create_connection(
        asyncio.Protocol, "127.0.0.1", port
    )
    wire = PipelinedWire(transport)
    wire.write(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
    return wire, heard


async def test_replies_split_across_packets_and_joined_in_one_are_read_in_order() -> None:
    wire, heard = await _wire_to(
        [b"250 2.1.0 Ok\r\n250-2.1.5 first\r\n250-sec", b"ond\r\n250 last\r\n354 go\r\n"]
    )
    assert await wire.reply(2) == (250, "2.1.0 Ok")
    assert await wire.reply(2) == (250, "2.1.5 first\nsecond\nlast")
    assert await wire.reply(2) == (354, "go")
    assert heard == [b"MAIL FROM:<a@example.com>\r\n"]
    wire.close()


async def test_a_reply_that_never_comes_times_out() -> None:
    wire, _ = await _wire_to([b"250 Ok\r\n"])
    assert (await wire.reply(2))[0] == 250
    with pytest.raises(SMTPReadTimeoutError):
        await wire.reply(0.2)
    wire.close()


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ([b"hello there\r\n"], "Malformed"),
        ([b"250 " + b"x" * 20000], "too long"),
        ([b"250-" + b"y" * 4000 + b"\r\n"] * 20, "too long"),
    ],
)
async def test_garbage_and_oversized_replies_break_the_session(
    chunks: list[bytes], message: str
) -> None:
    wire, _ = await _wire_to(chunks)
    with pytest.raises(SMTPResponseException) as caught:
        await wire.reply(2)
    assert message in caught.value.message
    assert not wire.is_open


async def test_a_hang_up_is_reported_as_a_disconnect() -> None:
    wire, _ = await _wire_to([b"250 Ok\r\n"], close=True)
    assert (await wire.reply(2))[0] == 250
    with pytest.raises(SMTPServerDisconnected):
        await wire.reply(2)
