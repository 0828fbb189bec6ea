"""The HTTP face's own rules: where it may listen, JSON depth, the access log's redaction,
problem fields; and `kootui apikey` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kootui.cli import main
from kootui.core.config import HttpSection
from kootui.core.errors import SettingsError
from kootui.serve import check_listen, is_loopback
from kootui.serve.access_log import redacted_query
from kootui.serve.bodies import json_depth
from kootui.serve.problems import field_of


@pytest.mark.parametrize("listen", ["127.0.0.1:8025", "[::1]:8025", "localhost:80"])
def test_loopback_needs_nothing_more(listen: str) -> None:
    check_listen(HttpSection(listen=listen))


def test_a_public_address_in_clear_is_refused_unless_behind_a_proxy_or_tls(
    tmp_path: Path,
) -> None:
    with pytest.raises(SettingsError) as refused:
        check_listen(HttpSection(listen="0.0.0.0:8025"))
    assert refused.value.field == "http.listen" and "tls_cert" in refused.value.message
    check_listen(HttpSection(listen="0.0.0.0:8025", behind_proxy=True))
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    check_listen(HttpSection(listen="192.0.2.7:443", tls_cert=str(cert), tls_key=str(key)))
    with pytest.raises(SettingsError) as half:
        check_listen(HttpSection(listen="127.0.0.1:8025", tls_cert=str(cert)))
    assert half.value.field == "http.tls_key"
    with pytest.raises(SettingsError):
        check_listen(HttpSection(listen="0.0.0.0:1", tls_cert="/nope", tls_key=str(key)))
    assert not is_loopback("example.com") and is_loopback("127.8.0.1")


@pytest.mark.parametrize("listen", ["8025", "host:", "host:99999", "[zz]:1", "a b:1"])
def test_a_listen_value_must_be_host_and_port(listen: str) -> None:
    with pytest.raises(ValueError):
        HttpSection(listen=listen)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"1", 0),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[{{{{"}', 1),
        (b'{"a": "\\\\", "b": [[1]]}', 3),
        (b'{"a": "\\"[[[["}', 1),
        (b"[" * 10_000, 10_000),
    ],
)
def test_json_depth_counts_brackets_outside_strings(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def test_the_access_log_keeps_parameter_names_and_drops_values() -> None:
    assert redacted_query(b"recipient=ann%40example.org&status=failed") == ("?recipient=…&status=…")
    assert redacted_query(b"") == ""


def test_a_problem_field_is_written_like_the_core_names_fields() -> None:
    assert field_of(("body", "to", 0, "email")) == "to[0].email"
    assert field_of(("query", "limit")) == "limit"


def test_apikey_create_prints_the_secret_alone_on_stdout_once(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikey", "create", "ci", "--reveal-recipients", "--rate", "5"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert secret.startswith("kt_") and "not shown again" in err and secret not in err
    assert main(["apikey", "list"]) == 0
    listed, _ = capsys.readouterr()
    assert secret[:11] in listed and secret not in listed and "5/s" in listed
    assert main(["apikey", "revoke", secret[:11]]) == 0
    assert main(["apikey", "list"]) == 0
    assert "0 key(s)" in capsys.readouterr()[0]
    assert main(["apikey", "revoke", "kt_00000000"]) == 1
