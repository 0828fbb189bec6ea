"""Checks an uploaded workbook as a file and as a zip before any XML parser sees it.

An .xlsx is a zip of XML parts. The dangerous ones are small on disk and huge
once read: a zip bomb (one entry inflating a thousandfold), a billion-laughs
entity bomb (a DTD whose entities expand exponentially), or thousands of
entries. The limits below are checked on the zip's central directory, whose
declared sizes Python's ``zipfile`` enforces while reading (it never returns
more than an entry declares), so they bound the work any parser can be made
to do. XML parts that declare a DTD in their first 8 KB are refused outright
(no real workbook has one); past that, ``safe_expat_parser`` — the parser
kootui reads sheets with — refuses any DTD or entity declaration as it meets
it, as defusedxml does. openpyxl remains in use (it writes the sample file),
and ``require_defused_xml`` still insists it is running with defusedxml.
"""

from __future__ import annotations

import mmap
import zipfile
import zlib
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat
from xml.parsers.expat import XMLParserType

from kootui.core.errors import KootuiError, ValidationError

MAX_XLSX_BYTES = 40 * 1024 * 1024  # the seeds: "the maximum size of .xlsx files imported is 40 MB"
MAX_ZIP_ENTRIES = 1000
MAX_EXPANSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 64 * 1024  # tiny parts cannot add up to a bomb; their ratio is noise
MAX_DECOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024  # all parts together, as declared
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
XML_HEAD_BYTES = 8192  # a DTD must come before the root element, so the head shows it

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_PACKAGE_NAME = "EncryptedPackage".encode("utf-16-le")
_MACRO_MARKERS = (b"macroEnabled", b"vbaProject", b"vnd.ms-office.vbaProject")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")

FIELD = "xlsx"
NAMESPACE_SEPARATOR = "}"  # element names arrive from expat as "namespace}local"


class EntityRefused(ValueError):
    """An XML part declared a DTD or an entity; nothing in it was expanded or fetched."""


def _refuse_dtd(*_args: object) -> NoReturn:
    raise EntityRefused("the part declares a DTD or XML entities")


def safe_expat_parser(*, namespaces: bool = True) -> XMLParserType:
    """The C expat parser, made safe the way defusedxml makes its parsers safe.

    Any DOCTYPE, entity declaration or external entity reference raises
    EntityRefused the moment the parser meets it, before anything is expanded;
    parameter entities and external DTDs are never read. Without a DTD the only
    entities XML knows are the five predefined ones and character references.
    """
    # Without namespace processing names arrive as written ("c", "x:c"): cheaper, for the
    # sheet reader, which resolves its one namespace's prefix itself.
    parser = expat.ParserCreate(namespace_separator=NAMESPACE_SEPARATOR if namespaces else None)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True  # one text node, one callback (mostly)
    parser.buffer_size = 64 * 1024
    return parser


class UnsafeParserError(KootuiError):
    """openpyxl would parse XML without defusedxml: importing is refused until it is installed."""

    code = "xlsx.unsafe_parser"
    http_status = 500


def require_defused_xml() -> None:
    """Refuse to read any workbook unless openpyxl parses through defusedxml."""
    import openpyxl.xml
    import openpyxl.xml.functions

    # The flag says defusedxml was importable; the module check says the worksheet
    # parser openpyxl bound at import time really is defusedxml's.
    parser_module = getattr(openpyxl.xml.functions.iterparse, "__module__", "") or ""
    if not openpyxl.xml.DEFUSEDXML or not parser_module.startswith("defusedxml"):
        raise UnsafeParserError(
            "openpyxl is not using defusedxml (is it installed, or is OPENPYXL_DEFUSEDXML "
            "set to False?); workbooks cannot be read safely",
            field=FIELD,
        )


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, field=FIELD, code=f"xlsx.{code}")


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE2 file holding an 'EncryptedPackage' stream."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(_ENCRYPTED_PACKAGE_NAME) != -1


def _check_magic(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise _refuse("the file is empty", "empty")
    if size > MAX_XLSX_BYTES:
        raise _refuse(
            f"the file is {size:,} bytes; at most {MAX_XLSX_BYTES:,} bytes (40 MB) can be imported",
            "too_large",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE2_MAGIC:
        if _is_encrypted_ooxml(path):
            raise _refuse(
                "the workbook is password-protected; save it without a password and try again",
                "encrypted",
            )
        raise _refuse(
            "this is an old Excel 97–2003 (.xls) file; save it as .xlsx and try again", "xls"
        )
    if not head.startswith(ZIP_MAGICS):
        raise _refuse(
            "this is not an .xlsx workbook (the file is corrupt or another format)", "corrupt"
        )


def _check_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse(
            f"the workbook has {len(entries):,} parts; at most {MAX_ZIP_ENTRIES:,} are accepted",
            "too_many_parts",
        )
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise _refuse(
                "the workbook has encrypted parts; save it without a password and try again",
                "encrypted",
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(
                f"the part {entry.filename!r} uses a compression Excel never writes", "corrupt"
            )
        if entry.file_size >= RATIO_CHECK_FROM_BYTES and (
            entry.file_size > MAX_EXPANSION_RATIO * max(entry.compress_size, 1)
        ):
            raise _refuse(
                f"the part {entry.filename!r} expands more than {MAX_EXPANSION_RATIO}:1 "
                "(a zip bomb?); the file was not read",
                "zip_bomb",
            )
        total += entry.file_size
        if total > MAX_DECOMPRESSED_BYTES:
            raise _refuse(
                f"the workbook expands to more than {MAX_DECOMPRESSED_BYTES // 2**20:,} MB "
                "(a zip bomb?); the file was not read",
                "zip_bomb",
            )
    return entries


def _check_contents(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise _refuse("this is not an Excel workbook (it has no xl/workbook.xml)", "corrupt")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("macro-enabled workbooks (.xlsm) are not accepted; save as .xlsx", "xlsm")
    content_types = (
        archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
    )
    if content_types is None:
        raise _refuse("this is not an Excel workbook (it has no [Content_Types].xml)", "corrupt")
    if content_types.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _refuse("the workbook's [Content_Types].xml is implausibly large", "corrupt")
    declared = archive.read(content_types)
    if any(marker in declared for marker in _MACRO_MARKERS):
        raise _refuse("macro-enabled workbooks (.xlsm) are not accepted; save as .xlsx", "xlsm")
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(entry) as part:
            head = part.read(XML_HEAD_BYTES)
        if any(marker in head for marker in _DTD_MARKERS):
            raise _refuse(
                f"the part {entry.filename!r} declares XML entities (an entity bomb?); "
                "the file was not read",
                "entity_bomb",
            )


def check_workbook_file(path: Path) -> None:
    """Raise a ValidationError (field 'xlsx') unless ``path`` is a plain, sane .xlsx zip."""
    require_defused_xml()
    _check_magic(path)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _check_entries(archive)
            _check_contents(archive, entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise _refuse(f"the workbook is corrupt ({exc})", "corrupt") from exc
