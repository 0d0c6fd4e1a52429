"""Downloads of reports: file names and the response that makes them attachments."""

from __future__ import annotations

from flask import Response

from lms.db import utcnow

MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_name(stem: str, label: str, suffix: str) -> str:
    """"anwesenheit_Nordlicht_2026_2026-11-29.csv": ASCII only, dated."""
    safe = "".join(c if c.isalnum() else "_" for c in label.encode("ascii", "ignore")
                   .decode()).strip("_") or "cohort"
    return f"{stem}_{safe}_{utcnow():%Y-%m-%d}.{suffix}"


def report_download(data: bytes, filename: str) -> Response:
    suffix = filename.rsplit(".", 1)[-1]
    return Response(data, mimetype=MIMETYPES[suffix], headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})
