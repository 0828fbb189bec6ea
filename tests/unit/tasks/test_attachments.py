"""Attachment rules: 4 MB in total, clean base names, no executables by name or content."""

from __future__ import annotations

import io
import zipfile

import pytest

from kootui.core.errors import LimitReached, ValidationError
from kootui.core.tasks import (
    MAX_TOTAL_BYTES,
    check_attachments,
    clean_filename,
    load_attachment,
    prepare_attachment,
)

PDF = b"%PDF-1.7\n" + b"0" * 100


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\report.pdf", "report.pdf"),
        ("/abs/path/to/plan.docx", "plan.docx"),
        ("in\x00voice.pdf", "invoice.pdf"),
        ("tab\tand\nnewline.txt", "tabandnewline.txt"),
        ("Cafe\u0301 menu.pdf", "Café menu.pdf"),  # NFC: e + combining accent -> é
        ("invoice\u202efdp.txt", "invoicefdp.txt"),  # right-to-left override removed
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("notes.txt. ", "notes.txt"),
    ],
)
def test_names_are_reduced_to_a_clean_base_name(raw, clean):
    assert clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", "..", "../", "\x00\u202e", "   ", "dir/.."])
def test_names_with_nothing_left_are_refused(raw):
    with pytest.raises(ValidationError) as caught:
        clean_filename(raw)
    assert caught.value.field == "attachments"


def test_rtl_override_cannot_hide_an_executable_extension():
    # Shown as "invoiceexe.pdf" by a bidi-aware viewer, but really ends in .exe.
    with pytest.raises(ValidationError) as caught:
        prepare_attachment("invoice\u202efdp.exe", PDF)
    assert caught.value.code == "attachment.blocked_type"


@pytest.mark.parametrize(
    "name",
    [
        "setup.exe",
        "run.BAT",
        "x.cmd",
        "a.com",
        "s.js",
        "v.vbs",
        "app.jar",
        "l.lnk",
        "s.scr",
        "i.msi",
        "d.iso",
        "p.ps1",
        "x.xll",
        "lib.dll",
        "s.sh",
        "h.hta",
        "report.pdf.exe",
        "sheet.xlsm",
        "a.apk",
        "b.dmg",
    ],
)
def test_blocked_types_by_name(name):
    with pytest.raises(ValidationError) as caught:
        prepare_attachment(name, PDF)
    assert caught.value.code == "attachment.blocked_type"
    assert name.split(".")[-1].lower() in caught.value.message.lower()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "Windows program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "Linux program"),
        (b"#!/bin/sh\nrm -rf ~\n", "script"),
        (b"\xef\xbb\xbf#!/usr/bin/env python\n", "script"),
        (bytes.fromhex("CFFAEDFE") + b"\x00" * 60, "macOS program"),
        (_zip({"META-INF/MANIFEST.MF": b"Main-Class: X\n", "X.class": b"\xca\xfe"}), "Java"),
        (_zip({"AndroidManifest.xml": b"", "classes.dex": b"dex\n"}), "Android"),
        (_zip({"docs/readme.txt": b"hi", "docs/setup.exe": b"MZ"}), "setup.exe"),
        (b"\x00" * 0x8001 + b"CD001" + b"\x00" * 100, "disc image"),
    ],
    ids=lambda value: value if isinstance(value, str) else "content",  # zip bytes hold a time
)
def test_blocked_types_by_content_whatever_the_name(content, kind):
    with pytest.raises(ValidationError) as caught:
        prepare_attachment("harmless.pdf", content)
    assert caught.value.code == "attachment.blocked_content"
    assert kind in caught.value.message


def test_ordinary_files_pass_with_their_content_type():
    pdf = prepare_attachment("../Report 2026.pdf", PDF)
    assert (pdf.filename, pdf.content_type, pdf.size) == (
        "Report 2026.pdf",
        "application/pdf",
        len(PDF),
    )
    zipped = prepare_attachment("photos.zip", _zip({"a.jpg": b"\xff\xd8\xff"}))
    assert zipped.content_type == "application/zip"
    odd = prepare_attachment("data.unknownext", b"abc")
    assert odd.content_type == "application/octet-stream"


def test_size_limits():
    prepare_attachment("exactly.pdf", b"%" * MAX_TOTAL_BYTES)
    with pytest.raises(LimitReached) as caught:
        prepare_attachment("big.pdf", b"%" * (MAX_TOTAL_BYTES + 1))
    assert caught.value.field == "attachments"
    half = prepare_attachment("a.pdf", b"%" * (MAX_TOTAL_BYTES // 2))
    other = prepare_attachment("b.pdf", b"%" * (MAX_TOTAL_BYTES // 2 + 1))
    with pytest.raises(LimitReached, match="4 MB"):
        check_attachments([half, other])
    check_attachments([half, prepare_attachment("c.pdf", b"%" * (MAX_TOTAL_BYTES // 2))])
    with pytest.raises(ValidationError, match="empty"):
        prepare_attachment("empty.pdf", b"")


def test_same_name_twice_is_refused():
    with pytest.raises(ValidationError, match="two attachments"):
        check_attachments([prepare_attachment("a.pdf", PDF), prepare_attachment("A.PDF", PDF)])


def test_load_from_disk(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("hello")
    loaded = load_attachment(path)
    assert (loaded.filename, loaded.content, loaded.content_type) == (
        "plan.txt",
        b"hello",
        "text/plain",
    )
    big = tmp_path / "big.bin.pdf"
    with big.open("wb") as handle:
        handle.truncate(MAX_TOTAL_BYTES + 1)
    with pytest.raises(LimitReached):
        load_attachment(big)
    with pytest.raises(ValidationError, match="does not exist"):
        load_attachment(tmp_path / "missing.pdf")
    with pytest.raises(ValidationError, match="not a regular file"):
        load_attachment(tmp_path)
