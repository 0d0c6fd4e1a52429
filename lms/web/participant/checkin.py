"""Self check-in, the participant's side: scan the QR code or type the code."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import check_in_with_code
from lms.web.fields import filled
from lms.web.participant import bp
from lms.web.participant.coursework_forms import CheckInForm
from lms.web.saving import committing
from lms.web.throttling import limited


@bp.route("/check-in", methods=["GET", "POST"])
@limited("30 per minute", page="check_in", methods=["POST"],
         key_func=lambda: f"check-in:{current_user.get_id()}")
def check_in() -> ResponseReturnValue:
    """GET with ?code= (from the QR code) fills the form in; the check-in itself is a POST."""
    form = CheckInForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:20]
    if form.validate_on_submit():
        with committing(form, "code") as saved:
            mark = check_in_with_code(current_user, filled(form.code.data))
        if saved:
            meeting = mark.meeting
            if mark.status == AttendanceStatus.LATE:
                flash(ngettext("You are checked in to %(module)s (late: %(num)s minute counts).",
                               "You are checked in to %(module)s (late: %(num)s minutes count).",
                               mark.minutes_attended or 0, module=meeting.module.title),
                      "info")
            else:
                flash(_("You are checked in to %(module)s.", module=meeting.module.title),
                      "info")
            return redirect(url_for("participant.my_attendance"))
    return render_template("participant/checkin.html", form=form)
