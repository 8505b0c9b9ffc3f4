"""What an applicant or a handler may upload to a case: checked by content, not by name.

The type is read from the first bytes (and, for OOXML/OFD, the archive's table of contents);
the file's extension must agree with it. Size limit: CASEWORK_MAX_UPLOAD_SIZE.
"""

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .errors import UploadRejected


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
OFD = FileType("ofd", "application/ofd")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
# Extensions that name the same content.
ALIASES = {"jpeg": "jpg", "wps": "doc", "et": "xls"}
ALLOWED_NAMES = "PDF、OFD、JPG、PNG、Word（doc/docx）、Excel（xls/xlsx）"


def _sniff(head: bytes, upload) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: doc, xls (and wps, et)
        return None  # the extension decides between them (below)
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            names = zipfile.ZipFile(io.BytesIO(upload.read())).namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
        if any(name.lower().endswith("ofd.xml") for name in names):
            return OFD
    return None


def check_upload(upload) -> FileType:
    """The type of an uploaded file, or UploadRejected saying what to do."""
    name = getattr(upload, "name", "") or ""
    limit = settings.CASEWORK_MAX_UPLOAD_SIZE
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if not size:
        raise UploadRejected(f"“{name}”是空文件，请重新选择。")
    if size > limit:
        raise UploadRejected(
            f"“{name}”过大（{filesizeformat(size)}），每个文件不超过 {filesizeformat(limit)}。"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = ALIASES.get(extension, extension)
    upload.seek(0)
    head = upload.read(8)
    found = _sniff(head, upload)
    upload.seek(0)
    if found is None and head.startswith(b"\xd0\xcf\x11\xe0") and extension in ("doc", "xls"):
        found = DOC if extension == "doc" else XLS
    if found is None:
        raise UploadRejected(f"“{name}”不是可接受的文件类型。请上传 {ALLOWED_NAMES} 文件。")
    if extension != found.extension:
        raise UploadRejected(
            f"“{name}”的扩展名与内容不符（内容是 {found.extension.upper()} 文件），"
            "请改用正确的扩展名后重新上传。"
        )
    return found
