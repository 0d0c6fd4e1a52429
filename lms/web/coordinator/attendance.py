"""The coordinator's attendance: the matrix and its exports, and absence decisions (late
corrections of a meeting's marks are the shared roster page, :mod:`lms.web.shared`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_absence_notice_or_404, get_cohort_or_404
from lms.attendance.absences import decide_absence
from lms.attendance.export import matrix_csv, matrix_xlsx
from lms.attendance.models import AbsenceDecision
from lms.attendance.queries import attendance_matrix, list_absence_notices
from lms.db import utcnow
from lms.web.coordinator import bp
from lms.web.coordinator.attendance_forms import DecisionForm
from lms.web.coordinator.matrix import matrix_fragment
from lms.web.downloads import export_name, report_download
from lms.web.saving import committing


@bp.get("/cohorts/<int:cohort_id>/attendance", endpoint="attendance_matrix")
def attendance_matrix_page(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)  # (with its data version)
    page = request.args.get("page", 1, type=int) or 1
    fragment = matrix_fragment(cohort, page, utcnow())
    return render_template("coordinator/attendance_matrix.html", cohort=cohort,
                           fragment=fragment)


@bp.get("/cohorts/<int:cohort_id>/attendance.csv")
def attendance_csv(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return report_download(matrix_csv(attendance_matrix(cohort, utcnow())),
                           export_name(_("attendance"), cohort.name, "csv"))


@bp.get("/cohorts/<int:cohort_id>/attendance.xlsx")
def attendance_xlsx(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return report_download(matrix_xlsx(attendance_matrix(cohort, utcnow())),
                           export_name(_("attendance"), cohort.name, "xlsx"))


@bp.get("/cohorts/<int:cohort_id>/absences")
def absences(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    notices = list_absence_notices(cohort.id)
    return render_template("coordinator/absences.html", cohort=cohort, notices=notices,
                           forms={n.id: DecisionForm(prefix=f"n{n.id}") for n in notices})


@bp.post("/absences/<int:notice_id>/decision")
def absence_decision(notice_id: int) -> ResponseReturnValue:
    notice = get_absence_notice_or_404(current_user, notice_id)
    cohort_id = notice.meeting.cohort_id
    form = DecisionForm(prefix=f"n{notice.id}")
    if not form.validate_on_submit():
        flash(_("Please decide: excused or not excused."), "error")
        return redirect(url_for("coordinator.absences", cohort_id=cohort_id))
    with committing() as saved:
        decide_absence(notice, AbsenceDecision(form.decision.data), by=current_user)
    if saved:
        flash(_("Decision saved for %(name)s.", name=notice.enrollment.user.full_name), "info")
    return redirect(url_for("coordinator.absences", cohort_id=cohort_id))
