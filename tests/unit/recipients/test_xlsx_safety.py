"""Hostile and broken files are refused before any XML parser reads them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import (
    MAX_XLSX_BYTES,
    OLE2_MAGIC,
    check_workbook_file,
    import_recipients,
    write_sample_xlsx,
)
from kootui.core.recipients.xlsx import safety as xlsx_safety

BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sample(tmp_path: Path) -> Path:
    return write_sample_xlsx(tmp_path / "sample.xlsx", [])


def _rewrite(
    source: Path, target: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None
):
    """Copy an xlsx zip, replacing some parts and adding others."""
    add = add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in add.items():
            new.writestr(name, data)
    return target


def _refusal(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_workbook_file(path)
    assert caught.value.field == "xlsx"
    return caught.value


def test_a_plain_sample_passes(tmp_path):
    check_workbook_file(_sample(tmp_path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert _refusal(path).code == "xlsx.empty"


def test_40_mb_plus_one_byte_is_refused_and_40_mb_is_not_too_large(tmp_path):
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(MAX_XLSX_BYTES + 1)
    error = _refusal(path)
    assert error.code == "xlsx.too_large" and "41,943,041" in error.message
    with path.open("r+b") as handle:
        handle.truncate(MAX_XLSX_BYTES)
    assert _refusal(path).code == "xlsx.corrupt"  # at the limit: judged as a zip, not by size


def test_renamed_xls_is_named_as_such(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(OLE2_MAGIC + b"\x00" * 4096 + "Workbook".encode("utf-16-le"))
    error = _refusal(path)
    assert error.code == "xlsx.xls" and ".xls" in error.message


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "secret.xlsx"
    body = b"\x00" * 2048 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    path.write_bytes(OLE2_MAGIC + body + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    error = _refusal(path)
    assert error.code == "xlsx.encrypted" and "password" in error.message


def test_zip_with_an_encrypted_entry(tmp_path):
    data = bytearray(_sample(tmp_path).read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # general purpose flag: encrypted
    path = tmp_path / "flagged.xlsx"
    path.write_bytes(bytes(data))
    assert _refusal(path).code == "xlsx.encrypted"


def test_corrupt_and_foreign_files(tmp_path):
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(_sample(tmp_path).read_bytes()[:300])
    assert _refusal(truncated).code == "xlsx.corrupt"
    csv = tmp_path / "list.xlsx"
    csv.write_text("email\nann@example.com\n")
    assert _refusal(csv).code == "xlsx.corrupt"
    other_zip = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    assert "xl/workbook.xml" in _refusal(other_zip).message


def test_macro_workbook_is_refused(tmp_path):
    sample = _sample(tmp_path)
    with_vba = _rewrite(sample, tmp_path / "macro.xlsx", {}, {"xl/vbaProject.bin": b"\x00" * 64})
    assert _refusal(with_vba).code == "xlsx.xlsm"
    with zipfile.ZipFile(sample) as archive:
        types = archive.read("[Content_Types].xml")
    macro_type = types.replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    relabelled = _rewrite(sample, tmp_path / "macro2.xlsx", {"[Content_Types].xml": macro_type})
    assert _refusal(relabelled).code == "xlsx.xlsm"


def test_zip_bomb_entry_is_refused_before_parsing(tmp_path):
    sheet = (
        f'<worksheet xmlns="{NS}"><sheetData>'.encode()
        + b" " * (30 * 1024 * 1024)
        + b"</sheetData></worksheet>"
    )
    bomb = _rewrite(_sample(tmp_path), tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert bomb.stat().st_size < 200_000
    error = _refusal(bomb)
    assert error.code == "xlsx.zip_bomb" and "100:1" in error.message


def test_total_expansion_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_safety, "MAX_DECOMPRESSED_BYTES", 4000)
    assert _refusal(_sample(tmp_path)).code == "xlsx.zip_bomb"


def test_too_many_entries(tmp_path):
    many = {f"xl/media/image{i}.png": b"x" for i in range(1001)}
    path = _rewrite(_sample(tmp_path), tmp_path / "many.xlsx", {}, many)
    error = _refusal(path)
    assert error.code == "xlsx.too_many_parts" and "1,000" in error.message


def _laughing_sheet(prefix: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + prefix
        + BILLION_LAUGHS_DTD
        + f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>email'
        + '</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>'
        + "</row></sheetData></worksheet>"
    ).encode()


def test_billion_laughs_is_refused_by_the_precheck(tmp_path):
    path = _rewrite(
        _sample(tmp_path), tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": _laughing_sheet()}
    )
    assert _refusal(path).code == "xlsx.entity_bomb"


def test_billion_laughs_past_the_precheck_is_stopped_by_defusedxml(tmp_path):
    """A long comment hides the DTD from the head check; the parser must still refuse it."""
    hiding = "<!--" + "x" * 20_000 + "-->"
    path = _rewrite(
        _sample(tmp_path),
        tmp_path / "lol2.xlsx",
        {"xl/worksheets/sheet1.xml": _laughing_sheet(hiding)},
    )
    check_workbook_file(path)  # the head check cannot see it...
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.entity_bomb"  # ...but defusedxml does


def test_defusedxml_is_required(monkeypatch, tmp_path):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    sample = _sample(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(openpyxl.xml, "DEFUSEDXML", False)
        with pytest.raises(xlsx_safety.UnsafeParserError):
            check_workbook_file(sample)
    import xml.etree.ElementTree

    import openpyxl.xml.functions

    # The flag alone is not trusted: the parser openpyxl bound must be defusedxml's.
    monkeypatch.setattr(openpyxl.xml.functions, "iterparse", xml.etree.ElementTree.iterparse)
    with pytest.raises(xlsx_safety.UnsafeParserError):
        import_recipients(sample, [])


def test_bytes_helper_roundtrip_is_a_real_zip(tmp_path):
    # Guard for the helpers above: a rewritten workbook stays a readable xlsx.
    path = _rewrite(_sample(tmp_path), tmp_path / "copy.xlsx", {})
    assert zipfile.is_zipfile(io.BytesIO(path.read_bytes()))
    check_workbook_file(path)


def test_broken_xml_inside_a_valid_zip_is_a_one_line_error(tmp_path):
    path = _rewrite(
        _sample(tmp_path),
        tmp_path / "broken.xlsx",
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c><v>1</broken"},
    )
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.corrupt"
    assert "\n" not in caught.value.message
