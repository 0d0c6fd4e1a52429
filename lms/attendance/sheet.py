"""The printable attendance sheet (Anwesenheitsliste) of one meeting, as an A4 PDF."""

from __future__ import annotations

from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from lms.attendance.queries import active_roster
from lms.db import utcnow
from lms.schedule.models import Meeting


def render_attendance_sheet(meeting: Meeting) -> bytes:
    """Rendered from templates kept as data; nothing is fetched from outside (only data:
    URIs may be loaded), so a name in the roster cannot make the renderer call out."""
    roster = active_roster(meeting.cohort_id)
    html = render_template("attendance/sheet.html", meeting=meeting, roster=roster,
                           printed_at=utcnow())
    css = render_template("attendance/sheet.css")
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)]
    )
