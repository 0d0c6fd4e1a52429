"""A participant's own attendance, and absences announced in advance."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_meeting_or_404, get_own_enrollment_or_404
from lms.attendance.absences import announce_absence, withdraw_absence
from lms.attendance.queries import find_absence_notice, participant_attendance
from lms.certificates.queries import enrollment_progress
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.web.fields import filled
from lms.web.participant import bp
from lms.web.participant.coursework_forms import AbsenceForm, WithdrawForm
from lms.web.saving import committing


@bp.get("/attendance")
def my_attendance() -> ResponseReturnValue:
    now = utcnow()
    enrollments = list_user_enrollments(current_user)
    views = [participant_attendance(e, now) for e in enrollments]
    return render_template("participant/attendance.html", views=views, now=now,
                           progress={e.id: enrollment_progress(e, now) for e in enrollments})


@bp.route("/meetings/<int:meeting_id>/absence", methods=["GET", "POST"])
def announce(meeting_id: int) -> ResponseReturnValue:
    meeting = get_meeting_or_404(current_user, meeting_id)
    enrollment = get_own_enrollment_or_404(current_user, meeting.cohort_id)
    notice = find_absence_notice(meeting.id, enrollment.id)
    form = AbsenceForm(obj=notice)
    if form.validate_on_submit():
        with committing(form, "reason") as saved:
            announce_absence(meeting, enrollment, filled(form.reason.data))
        if saved:
            flash(_("Your absence is announced. The coordination decides whether it is "
                    "excused."), "info")
            return redirect(url_for("participant.my_attendance"))
    return render_template("participant/absence.html", meeting=meeting, notice=notice,
                           form=form, withdraw=WithdrawForm(), now=utcnow())


@bp.post("/meetings/<int:meeting_id>/absence/withdraw")
def withdraw(meeting_id: int) -> ResponseReturnValue:
    meeting = get_meeting_or_404(current_user, meeting_id)
    enrollment = get_own_enrollment_or_404(current_user, meeting.cohort_id)
    notice = find_absence_notice(meeting.id, enrollment.id)
    if notice is None:
        abort(404)
    if WithdrawForm().validate_on_submit():
        with committing() as saved:
            withdraw_absence(notice)
        if saved:
            flash(_("Your absence notice is withdrawn."), "info")
    return redirect(url_for("participant.my_attendance"))
