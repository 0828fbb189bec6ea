"""``kootui domain …`` against the loopback DNS server: add, zone, verify, doctor, list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kootui.cli import main
from tests.support.dns_server import LoopbackDnsServer


@pytest.fixture
def dns_server(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackDnsServer]:
    with LoopbackDnsServer() as server:
        monkeypatch.setenv("KOOTUI_DNS_NAMESERVERS", "127.0.0.1")
        monkeypatch.setenv("KOOTUI_DNS_PORT", str(server.port))
        monkeypatch.setenv("KOOTUI_DNS_TIMEOUT", "2")
        monkeypatch.setenv("KOOTUI_SENDING_SPF_IP4", "192.0.2.10")
        yield server


def test_domain_commands(
    dns_server: LoopbackDnsServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["domain", "add", "Bücher.example"]) == 0
    added = capsys.readouterr().out
    assert "Added bücher.example" in added
    assert "SPF (required) TXT xn--bcher-kva.example: Not checked yet" in added
    assert "expected: v=spf1 ip4:192.0.2.10 ~all" in added

    assert main(["domain", "verify", "bücher.example"]) == 3
    assert "bücher.example: Verification failed — DKIM: no TXT record" in capsys.readouterr().out

    snippet_file = tmp_path / "zone.txt"
    assert main(["domain", "zone", "xn--bcher-kva.example", "-o", str(snippet_file)]) == 0
    capsys.readouterr()
    dns_server.load_bind(snippet_file.read_text(), origin="xn--bcher-kva.example")

    assert main(["domain", "verify", "BÜCHER.example"]) == 0
    verified = capsys.readouterr().out
    assert verified.startswith("bücher.example: Verification passed\n")
    assert "DKIM (required) TXT kootui1._domainkey.xn--bcher-kva.example: Successful" in verified

    assert main(["domain", "doctor", "bücher.example"]) == 0
    doctor = capsys.readouterr().out
    assert f"127.0.0.1:{dns_server.port}: v=spf1 ip4:192.0.2.10 ~all" in doctor
    assert "Successful" in doctor and ": passed\n" not in doctor  # words, not status codes

    assert main(["domain", "list", "--filter", "bücher"]) == 0
    listing = capsys.readouterr().out
    first = listing.splitlines()[0]
    assert first.split()[1:4] == ["bücher.example", "Verification", "passed"]
    assert first.endswith(" 2/2")
    assert listing.splitlines()[-1] == "rows 1–1 of 1"

    assert main(["domain", "verify", "nowhere.example"]) == 1
    assert "nowhere.example is not a sender domain" in capsys.readouterr().err


def test_doctor_and_list_say_when_dns_could_not_be_asked(
    dns_server: LoopbackDnsServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A nameserver that never answers: no internal codes, and the list's '0/2' says why
    (issue 17, item 15)."""
    assert main(["domain", "add", "quiet.example"]) == 0
    dns_server.stop()  # the port stays ours, but nothing answers it any more
    monkeypatch.setenv("KOOTUI_DNS_TIMEOUT", "0.2")
    capsys.readouterr()
    main(["domain", "doctor", "quiet.example"])
    doctor = capsys.readouterr().out
    assert "Could not check, will retry" in doctor
    assert "(no reply in time)" in doctor or "(could not be asked)" in doctor
    for code in ("not_found", "unknown\n", "timeout)", "! "):
        assert code not in doctor
    assert main(["domain", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()[0]
    assert "0/2 (DNS could not be asked about 2 required records)" in listing
