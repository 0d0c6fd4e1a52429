"""Downloads of reports: file names and the response that makes them attachments."""

from __future__ import annotations

from flask import Response

from lms.db import utcnow
from lms.i18n import file_name_part

MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_name(stem: str, label: str, suffix: str) -> str:
    """"anwesenheit_Koeln_Sued_2026_2026-11-29.csv": ASCII only (umlauts spelled out),
    dated."""
    return (f"{file_name_part(stem)}_{file_name_part(label, 'cohort')}_"
            f"{utcnow():%Y-%m-%d}.{suffix}")


def report_download(data: bytes, filename: str) -> Response:
    suffix = filename.rsplit(".", 1)[-1]
    return Response(data, mimetype=MIMETYPES[suffix], headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})
