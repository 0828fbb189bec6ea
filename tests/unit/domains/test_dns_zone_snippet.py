"""The BIND zone snippet: parses as a zone, long TXT split in 255-byte strings, saved to a file."""

from __future__ import annotations

from pathlib import Path

import dns.rdatatype
import dns.zone
import pytest

from kootui.core.context import Context
from kootui.core.domains import (
    create_domain,
    domain_records,
    save_zone_snippet,
    txt_strings,
    zone_snippet,
)
from kootui.core.errors import ValidationError

SENDING = {
    "sending__spf_include": "_spf.sender.example",
    "sending__spf_ip4": "192.0.2.10",
    "sending__dmarc_rua": "dmarc@reports.example",
    "sending__tracking_host": "track.sender.example",
    "sending__mx_host": "mx.sender.example",
}


def test_long_values_split_into_quoted_255_byte_strings() -> None:
    value = "v=DKIM1; p=" + "A" * 600
    strings = txt_strings(value)
    assert [len(s) for s in strings] == [257, 257, 103]  # with the quotes
    assert "".join(s.strip('"') for s in strings) == value
    assert txt_strings('say "hi" \\ ') == ['"say \\"hi\\" \\\\ "']


def test_snippet_is_a_valid_zone_with_every_record(context: Context) -> None:
    context.settings = context.settings.with_values(**SENDING)
    domain = create_domain(context, "Bücher.example")
    snippet = zone_snippet(context, domain.id)
    assert "$ORIGIN" not in snippet
    assert "bücher.example" in snippet.splitlines()[0]
    # Parsed with the parent as origin: a relative owner name would come out as
    # "….example.example." and miss the expected names.
    zone = dns.zone.from_text(snippet, origin="example", relativize=False, check_origin=False)
    published = {
        (name.to_text(), dns.rdatatype.to_text(rdataset.rdtype)): rdataset
        for name, rdataset in zone.iterate_rdatasets()
    }
    expected = {(r.name + ".", r.rtype): r.expected for r in domain_records(context, domain.id)}
    assert set(published) == set(expected)
    for key, rdataset in published.items():
        (rdata,) = list(rdataset)
        if key[1] == "TXT":
            assert all(len(part) <= 255 for part in rdata.strings)
            assert b"".join(rdata.strings).decode() == expected[key]
        elif key[1] == "MX":
            assert rdata.to_text() == "10 mx.sender.example."
        else:
            assert rdata.to_text() == "track.sender.example."
    dkim_key = ("kootui1._domainkey.xn--bcher-kva.example.", "TXT")
    assert len(next(iter(published[dkim_key])).strings) > 1  # a 2048-bit key needs two strings


def test_records_without_settings_are_comments_saying_what_to_set(context: Context) -> None:
    domain = create_domain(context, "example.com")
    snippet = zone_snippet(context, domain.id)
    assert "; SPF (required): not generated — set sending.spf_include or sending.spf_ip4" in snippet
    assert "set sending.mx_host in config.toml" in snippet
    zone = dns.zone.from_text(snippet, origin="example.com", relativize=False, check_origin=False)
    assert [name.to_text() for name, _ in zone.iterate_rdatasets()] == [
        "kootui1._domainkey.example.com."
    ]


def test_save_zone_snippet(context: Context, tmp_path: Path) -> None:
    domain = create_domain(context, "example.com")
    saved = save_zone_snippet(context, domain.id, tmp_path / "example.zone")
    assert saved.read_text() == zone_snippet(context, domain.id)
    into_folder = save_zone_snippet(context, domain.id, tmp_path)
    assert into_folder.name == "example.com.zone"
    with pytest.raises(ValidationError) as caught:
        save_zone_snippet(context, domain.id, tmp_path / "missing" / "x.zone")
    assert caught.value.field == "path"
    assert list(tmp_path.glob(".*")) == []
