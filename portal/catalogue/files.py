"""Uploaded files: an allow-list of types recognised by their content, and storage that follows the
database transaction.

Types are recognised by content, never by name: PDF, PNG and JPEG by their leading bytes; Word, Excel
and PowerPoint 97-2003 by the named streams inside the Compound File (read with ``olefile``); Office
Open XML (.docx, .xlsx, .pptx) by the main part that ``[Content_Types].xml`` declares and the package
holds; OpenDocument (.odt, .ods, .odp) by its ``mimetype`` entry and ``content.xml``. So an HTML page
named ``.pdf`` or an arbitrary zip named ``.docx`` is refused.

Files are stored under ``UPLOAD_DIR`` with generated names. A file stored in a transaction that is
rolled back is removed again, and a file replaced or deleted is removed only once the change commits.
"""

import logging
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import olefile
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from portal.catalogue import RuleViolation
from portal.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    extension: str  # without the dot; the extension a stored or downloaded file gets
    mime: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
PNG = FileType("png", "image/png", "PNG image")
JPEG = FileType("jpg", "image/jpeg", "JPEG image")
DOC = FileType("doc", "application/msword", "Word document")
XLS = FileType("xls", "application/vnd.ms-excel", "Excel workbook")
PPT = FileType("ppt", "application/vnd.ms-powerpoint", "PowerPoint presentation")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook")
PPTX = FileType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation"
)
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet")
ODP = FileType("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation")

ALLOWED_TYPES_TEXT = _l("PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Stream that identifies each 97-2003 Office format inside a Compound File.
_OLE_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS), ("PowerPoint Document", PPT))
# Content type of the main part of each (macro-free) Office Open XML document.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ODF = {file_type.mime: file_type for file_type in (ODT, ODS, ODP)}
_OVERRIDE = re.compile(r"<(?:\w+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAX_MANIFEST = 1024 * 1024  # a larger [Content_Types].xml or mimetype entry is not an office document


def detect(stream: BinaryIO) -> FileType | None:
    """The allowed type of the file in ``stream`` (seekable), or None. Leaves the stream at its start."""
    try:
        stream.seek(0)
        head = stream.read(16)
        stream.seek(0)
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(_OLE_MAGIC):
            return _detect_ole(stream)
        if head.startswith(_ZIP_MAGIC):
            return _detect_zip(stream)
        return None
    finally:
        stream.seek(0)


def _detect_ole(stream: BinaryIO) -> FileType | None:
    try:
        with olefile.OleFileIO(stream) as compound:
            for name, file_type in _OLE_STREAMS:
                if compound.exists(name) and compound.get_type(name) == olefile.STGTY_STREAM:
                    return file_type
    except Exception:  # a damaged or hostile file: whatever the parser trips on, it is not allowed
        log.info("Refused a Compound File that could not be read", exc_info=True)
    return None


def _detect_zip(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                file_type = _ODF.get(_read_small(archive, "mimetype").decode("ascii", "replace").strip())
                return file_type if file_type and "content.xml" in names else None
            if "[Content_Types].xml" in names:
                return _detect_ooxml(_read_small(archive, "[Content_Types].xml").decode("utf-8", "replace"), names)
    except Exception:  # a damaged, encrypted or hostile archive is not an allowed document
        log.info("Refused a zip archive that could not be read", exc_info=True)
    return None


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > _MAX_MANIFEST:
        raise ValueError(f"{name} is too large")
    with archive.open(name) as entry:
        return entry.read(_MAX_MANIFEST + 1)[:_MAX_MANIFEST]


def _detect_ooxml(content_types: str, names: set[str]) -> FileType | None:
    """The document type whose main part ``[Content_Types].xml`` declares and the package contains."""
    for match in _OVERRIDE.finditer(content_types):
        attributes = {key: double or single for key, double, single in _ATTRIBUTE.findall(match.group(1))}
        file_type = _OOXML_MAIN.get(attributes.get("ContentType", "").strip())
        if file_type and attributes.get("PartName", "").lstrip("/") in names:
            return file_type
    return None


def max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def check(stream: BinaryIO) -> FileType:
    """The file's type, or RuleViolation (field ``file``) when it is empty, too large or not allowed."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise RuleViolation(_("The file is empty. Choose the file again."), field="file")
    if size > max_bytes():
        limit = current_app.config["MAX_UPLOAD_MB"]
        raise RuleViolation(_("The file is larger than %(limit)s MB. Choose a smaller file, or give a link.",
                              limit=limit), "file")
    file_type = detect(stream)
    if file_type is None:
        raise RuleViolation(
            _("This file's content is not an allowed type, whatever its name says. Upload a file of one of "
              "these types: %(types)s.", types=ALLOWED_TYPES_TEXT),
            field="file",
        )
    return file_type


def download_name(original: str, file_type: FileType) -> str:
    """A safe display name: no folders or control characters, at most 255 characters, and the
    extension of the type the content really is."""
    name = PurePosixPath((original or "").replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    valid = {file_type.extension, "jpeg"} if file_type is JPEG else {file_type.extension}
    if extension.lower() not in valid:
        stem = name
    stem = stem.strip(" .") or "file"
    return f"{stem[: 250 - len(file_type.extension)]}.{file_type.extension}"


@dataclass(frozen=True)
class StoredFile:
    name: str  # the generated name under UPLOAD_DIR
    original_name: str
    mime: str
    size: int


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_of(name: str) -> Path:
    """The path of a stored file; ``name`` must be a generated name."""
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", name):
        raise ValueError(f"not a stored file name: {name!r}")
    return upload_dir() / name


def store(stream: BinaryIO, original_name: str) -> StoredFile:
    """Check the file and write it under a generated name; it is removed again if the transaction rolls back."""
    file_type = check(stream)
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{file_type.extension}"
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".upload-", delete=False) as temporary:
        while chunk := stream.read(1024 * 1024):
            temporary.write(chunk)
        size = temporary.tell()
    os.replace(temporary.name, directory / name)
    _pending()["stored"].append(directory / name)
    return StoredFile(name, download_name(original_name, file_type), file_type.mime, size)


def discard(name: str | None) -> None:
    """Remove a stored file once the current transaction commits (kept if it rolls back)."""
    if name:
        _pending()["discarded"].append(path_of(name))


def _pending() -> dict[str, list[Path]]:
    """Files stored and discarded in the current transaction (begun here if need be, so that its
    commit or rollback decides what happens to them)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session.info.setdefault("portal_files", {"stored": [], "discarded": []})


@event.listens_for(Session, "after_commit")
def _remove_discarded(session) -> None:
    pending = session.info.pop("portal_files", None)
    for path in pending["discarded"] if pending else ():
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _remove_stored(session, previous_transaction) -> None:
    if previous_transaction.nested:
        return
    pending = session.info.pop("portal_files", None)
    for path in pending["stored"] if pending else ():
        path.unlink(missing_ok=True)
