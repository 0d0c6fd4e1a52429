"""What kind of file an upload really is, judged by its content.

The name a browser sends is only a claim. The first bytes (via the ``filetype``
library) decide, and Office files and ZIP archives, which all start like a ZIP, are
told apart by their table of contents. A name that promises another type than the
content is refused, so that nobody downloads a "PDF" that opens as something else.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from flask_babel import lazy_gettext as _l

from lms.assignments.errors import AssignmentError


@dataclass(frozen=True)
class FileKind:
    label: str  # shown to people
    mimetype: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
DOCX = FileKind(
    "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
PPTX = FileKind(
    "PowerPoint (PPTX)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
ZIP = FileKind("ZIP", "application/zip", (".zip",))
IMAGES = {
    "image/jpeg": FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg")),
    "image/png": FileKind("PNG", "image/png", (".png",)),
    "image/gif": FileKind("GIF", "image/gif", (".gif",)),
    "image/webp": FileKind("WebP", "image/webp", (".webp",)),
    "image/heic": FileKind("HEIC", "image/heic", (".heic", ".heif")),
}
ALLOWED = (PDF, DOCX, PPTX, *IMAGES.values(), ZIP)
ACCEPT_ATTRIBUTE = ",".join(ext for kind in ALLOWED for ext in kind.extensions)
ALLOWED_LABELS = "PDF, DOCX, PPTX, JPEG, PNG, GIF, WebP, HEIC, ZIP"
NOT_ACCEPTED = _l("This type of file is not accepted. Please upload one of: %(types)s.",
                  types=ALLOWED_LABELS)


class UploadRejected(AssignmentError):
    """The upload is not an accepted file; the message says why."""


def clean_filename(raw: str) -> str:
    """The last part of whatever path a browser sent, without control characters."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[-200:] or "upload"


def _zip_kind(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(_l("The file is damaged or not a complete archive.")) from None
    if "word/document.xml" in names:
        return DOCX
    if "ppt/presentation.xml" in names:
        return PPTX
    return ZIP


def detect_upload(filename: str, data: bytes) -> FileKind:
    """The accepted kind of ``data``, or UploadRejected with a reason a person understands."""
    if not data:
        raise UploadRejected(_l("The file is empty."))
    guess = filetype.guess(data)
    mime = guess.mime if guess is not None else ""
    if mime in ("application/zip", DOCX.mimetype, PPTX.mimetype,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/epub+zip", "application/vnd.oasis.opendocument.text"):
        kind = _zip_kind(data)
    elif mime == PDF.mimetype:
        kind = PDF
    elif mime in IMAGES:
        kind = IMAGES[mime]
    else:
        raise UploadRejected(NOT_ACCEPTED)
    suffix = PurePosixPath(clean_filename(filename).lower()).suffix
    if not any(suffix in k.extensions for k in ALLOWED):
        raise UploadRejected(NOT_ACCEPTED)
    if suffix not in kind.extensions:
        if kind is ZIP and suffix in (".docx", ".pptx"):
            raise UploadRejected(_l("The file is named %(suffix)s but is not a valid document "
                                    "of that type.", suffix=suffix))
        raise UploadRejected(_l(
            "The file is named %(suffix)s but its content is %(kind)s. Please check the file.",
            suffix=suffix or "…", kind=kind.label))
    return kind
