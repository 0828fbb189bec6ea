"""Task attachments: at most 4 MB together, safe names, no executables or scripts.

A name comes from the user's file system or an API body and ends up in a MIME
header and on the recipient's disk, so it is reduced to its base name and
cleaned of what could disguise it: path parts, NUL and control characters,
and invisible format characters such as U+202E (right-to-left override, which
shows ``invoice‮fdp.exe`` as ``invoiceexe.pdf``). Executable and script types
are refused by extension and, because an extension is only a claim, by
content as well (Windows PE, ELF, Mach-O, shebang scripts, Java archives,
Android packages, shortcuts, disc images, and archives that carry such files).
RFC 2231 encoding of the name is the compose step's job.
"""

from __future__ import annotations

import io
import mimetypes
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kootui.core.errors import LimitReached, ValidationError

MAX_TOTAL_BYTES = 4 * 1024 * 1024  # the seeds: "the maximum size of attachments is 4 MB"
MAX_NAME_CHARS = 255
FIELD = "attachments"

BLOCKED_EXTENSIONS = frozenset(
    """
    .ade .adp .apk .app .appx .appxbundle .application .bas .bat .cab .chm .cmd .com .cpl
    .dll .dmg .docm .dotm .exe .gadget .hlp .hta .htm .html .inf .ins .iso .isp .jar .jnlp
    .js .jse .ksh .lnk .mde .msc .msh .msh1 .msh2 .mshxml .msi .msix .msp .mst .ocx .pif
    .pkg .potm .ppam .ppsm .pptm .ps1 .ps1xml .ps2 .ps2xml .psc1 .psc2 .py .pyc .pyw .reg .scf
    .scr .sct .sh .shb .shs .sldm .svg .sys .url .vb .vbe .vbs .vhd .vhdx .vxd .wsc .wsf .wsh
    .xbap .xlam .xll .xlsm .xltm .xnk .bash .csh .command .desktop .elf .run .img .deb .rpm
    """.split()
)
BLOCKED_CONTENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/x-executable",
        "application/x-elf",
        "application/x-mach-binary",
        "application/x-sh",
        "application/x-csh",
        "application/x-shellscript",
        "application/x-bat",
        "application/javascript",
        "text/javascript",
        "application/x-javascript",
        "application/java-archive",
        "application/x-java-archive",
        "application/vnd.android.package-archive",
        "application/x-apple-diskimage",
        "application/x-iso9660-image",
        "application/hta",
        "text/html",
        "image/svg+xml",
        "application/x-python-code",
        "text/x-python",
        "text/x-sh",
    }
)
# Magic numbers at the start of executable formats.
_EXECUTABLE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (bytes.fromhex("FEEDFACE"), "a macOS program"),
    (bytes.fromhex("FEEDFACF"), "a macOS program"),
    (bytes.fromhex("CEFAEDFE"), "a macOS program"),
    (bytes.fromhex("CFFAEDFE"), "a macOS program"),
    (bytes.fromhex("CAFEBABE"), "a Java class or macOS program"),
    (b"#!", "a script"),
    (bytes.fromhex("4C0000000114020000000000C000000000000046"), "a Windows shortcut"),
    (b"ITSF", "a compiled help file"),
    (b"dex\n", "an Android program"),
)
_ISO_MARK_OFFSETS = (0x8001, 0x8801, 0x9001)  # "CD001" of an ISO 9660 image
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_ZIP_ENTRIES_SCANNED = 10_000


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def _is_invisible(character: str) -> bool:
    # Cc: NUL and other controls; Cf: bidi overrides/isolates, zero-width joiners, BOM.
    return unicodedata.category(character) in {"Cc", "Cf", "Zl", "Zp"}


def clean_filename(raw: str) -> str:
    """The base name to store and send, or a ValidationError when nothing usable is left."""
    text = "".join(ch for ch in raw if not _is_invisible(ch))
    text = unicodedata.normalize("NFC", text.replace("\\", "/"))
    name = PurePosixPath(text).name if "/" in text else text
    # Windows drops trailing dots and spaces ("run.exe. " opens as run.exe); so do we.
    name = name.strip().rstrip(". ").strip()
    if name in {"", ".", ".."} or set(name) <= {"."}:
        raise ValidationError(f"the file name {raw!r} has no usable name", field=FIELD)
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(
            f"the file name is longer than {MAX_NAME_CHARS} characters", field=FIELD
        )
    return name


def _extensions(name: str) -> list[str]:
    """Every dotted suffix, so 'report.pdf.exe' and 'x.tar.sh' are both seen."""
    parts = name.lower().split(".")[1:]
    return ["." + part.strip() for part in parts]


def _zip_verdict(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [info.filename for info in archive.infolist()[:_MAX_ZIP_ENTRIES_SCANNED]]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # not a readable zip: judged by its name and magic only
    lowered = [name.lower() for name in names]
    if "meta-inf/manifest.mf" in lowered or any(name.endswith(".class") for name in lowered):
        return "a Java archive"
    if "androidmanifest.xml" in lowered or "classes.dex" in lowered:
        return "an Android package"
    if any(name.endswith("vbaproject.bin") for name in lowered):
        return "an Office document with macros"
    for name in names:
        blocked = [
            ext for ext in _extensions(PurePosixPath(name).name) if ext in BLOCKED_EXTENSIONS
        ]
        if blocked:
            return f"an archive holding {PurePosixPath(name).name!r}"
    return None


def sniff_executable(content: bytes) -> str | None:
    """What executable kind ``content`` is, judged by its bytes; None when it looks harmless."""
    for magic, kind in _EXECUTABLE_MAGICS:
        if content.startswith(magic):
            return kind
    stripped = content.lstrip(b"\xef\xbb\xbf")  # a UTF-8 BOM before a shebang
    if stripped.startswith(b"#!"):
        return "a script"
    if any(content[offset : offset + 5] == b"CD001" for offset in _ISO_MARK_OFFSETS):
        return "a disc image"
    if content.startswith(_ZIP_MAGIC):
        return _zip_verdict(content)
    return None


def guess_content_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def prepare_attachment(raw_name: str, content: bytes) -> AttachmentFile:
    """Check one file and return it ready to store; a ValidationError says what is wrong."""
    name = clean_filename(raw_name)
    if not content:
        raise ValidationError(f"{name!r} is empty", field=FIELD)
    if len(content) > MAX_TOTAL_BYTES:
        raise LimitReached(
            f"{name!r} is {len(content):,} bytes; attachments may total at most "
            f"{MAX_TOTAL_BYTES:,} bytes (4 MB)",
            field=FIELD,
        )
    blocked = [ext for ext in _extensions(name) if ext in BLOCKED_EXTENSIONS]
    if blocked:
        raise ValidationError(
            f"{name!r} is refused: {blocked[-1]} files can run code on the recipient's computer",
            field=FIELD,
            code="attachment.blocked_type",
        )
    content_type = guess_content_type(name)
    if content_type in BLOCKED_CONTENT_TYPES:
        raise ValidationError(
            f"{name!r} is refused: its type {content_type} can run code",
            field=FIELD,
            code="attachment.blocked_type",
        )
    kind = sniff_executable(content)
    if kind is not None:
        raise ValidationError(
            f"{name!r} is refused: its content is {kind}, whatever its name says",
            field=FIELD,
            code="attachment.blocked_content",
        )
    return AttachmentFile(filename=name, content_type=content_type, content=content)


def load_attachment(path: Path) -> AttachmentFile:
    """Read and check a file from disk; its size is checked before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValidationError(f"{path.name!r} is not a regular file", field=FIELD)
        if size > MAX_TOTAL_BYTES:
            raise LimitReached(
                f"{path.name!r} is {size:,} bytes; attachments may total at most "
                f"{MAX_TOTAL_BYTES:,} bytes (4 MB)",
                field=FIELD,
            )
        content = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{str(path)!r} does not exist", field=FIELD) from None
    except OSError as exc:
        raise ValidationError(
            f"{str(path)!r} cannot be read ({exc.strerror})", field=FIELD
        ) from None
    return prepare_attachment(path.name, content)


def check_attachments(files: Sequence[AttachmentFile]) -> None:
    """The rules for the whole set: 4 MB in total and no name twice."""
    total = sum(item.size for item in files)
    if total > MAX_TOTAL_BYTES:
        raise LimitReached(
            f"the attachments total {total:,} bytes; at most {MAX_TOTAL_BYTES:,} bytes (4 MB)",
            field=FIELD,
        )
    seen: set[str] = set()
    for item in files:
        key = item.filename.casefold()
        if key in seen:
            raise ValidationError(f"two attachments are named {item.filename!r}", field=FIELD)
        seen.add(key)
