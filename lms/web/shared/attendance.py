"""Marking a meeting's roster in one submit, and its printable sheet. Served to the
meeting's lecturers and to coordinators (see :mod:`lms.web.shared`); a coordinator may
change marks after the lecturers' window has closed, with a reason."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.access import get_meeting_to_mark_or_404
from lms.accounts.models import Role
from lms.attendance.operations import (
    NOTE_MAX,
    lecturer_may_mark,
    marking_closes_at,
    save_roster,
)
from lms.attendance.queries import roster_marks
from lms.attendance.sheet import render_attendance_sheet
from lms.db import utcnow
from lms.i18n import file_name_part
from lms.web.saving import committing
from lms.web.shared import add_role_rules
from lms.web.shared.forms import (
    MINUTES_MISSED_MIN,
    STATUS_CHOICES,
    RosterForm,
    initial_lines,
    submitted_roster,
)


def register(bp: Blueprint, role: Role) -> None:
    add_role_rules(bp, role, [
        ("/meetings/<int:meeting_id>/attendance", "attendance", attendance, ["GET", "POST"]),
        ("/meetings/<int:meeting_id>/sheet.pdf", "attendance_sheet", attendance_sheet,
         ["GET"]),
    ])


def attendance(meeting_id: int, role: Role) -> ResponseReturnValue:
    as_coordinator = role == Role.COORDINATOR
    meeting = get_meeting_to_mark_or_404(current_user, meeting_id, as_coordinator=as_coordinator)
    rows = roster_marks(meeting)
    now = utcnow()
    started = now >= meeting.starts_at and not meeting.is_cancelled
    window_open = lecturer_may_mark(meeting, now)
    can_save = started and (as_coordinator or window_open)
    form = RosterForm()
    if request.method == "POST":
        submitted = submitted_roster(request.form, meeting, rows)
        lines = submitted.lines
        if can_save and form.validate_on_submit() and submitted.ok:
            with committing(form, "reason") as saved:
                written = save_roster(meeting, submitted.entries, by=current_user,
                                      as_coordinator=as_coordinator,
                                      reason=form.reason.data or "", now=now)
            if saved:
                flash(ngettext("Attendance saved (%(num)s change).",
                               "Attendance saved (%(num)s changes).", written) if written
                      else _("Attendance saved; nothing had changed."), "info")
                return redirect(url_for(f"{role}.attendance", meeting_id=meeting.id))
        form.reason.errors = [*submitted.errors, *form.reason.errors]
    else:
        lines = initial_lines(meeting, rows)
    return render_template(
        "lecturer/attendance.html",
        meeting=meeting,
        form=form,
        lines=lines,
        choices=[(value, str(text)) for value, text in STATUS_CHOICES],
        roster_size=len(rows),
        marked=sum(1 for r in rows if r.status is not None),
        can_save=can_save,
        started=started,
        window_open=window_open,
        closes_at=marking_closes_at(meeting),
        reason_required=as_coordinator and not window_open,
        role=role,
        now_utc=now,
        note_max=NOTE_MAX,
        minutes_missed_min=MINUTES_MISSED_MIN,
    )


def attendance_sheet(meeting_id: int, role: Role) -> ResponseReturnValue:
    meeting = get_meeting_to_mark_or_404(current_user, meeting_id,
                                         as_coordinator=role == Role.COORDINATOR)
    pdf = render_attendance_sheet(meeting)
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.cohort.timezone))
    stem = file_name_part(_("attendance-sheet"))
    name = f"{stem}_{local:%Y-%m-%d_%H%M}_{meeting.module.number}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    })
