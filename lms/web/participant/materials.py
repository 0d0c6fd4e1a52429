"""The participant's materials: one page with everything released to their cohorts, a
page per module (its meetings and materials), single files and a module's ZIP."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import (
    get_course_material_or_404,
    get_own_enrollment_or_404,
    get_released_material_or_404,
    module_of_cohort_or_404,
)
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.i18n import file_name_part
from lms.materials.bundle import entries, opened, zip_chunks
from lms.materials.queries import course_materials, released_materials, shelves
from lms.schedule.queries import list_cohort_meetings
from lms.web.participant import bp
from lms.web.shared.files import send_course_material, send_material_version


@bp.get("/materials")
def materials() -> ResponseReturnValue:
    enrollments = list_user_enrollments(current_user)
    return render_template("participant/materials.html",
                           shelves=shelves([e.cohort for e in enrollments], utcnow()))


@bp.get("/cohorts/<int:cohort_id>/modules/<int:module_id>")
def module(cohort_id: int, module_id: int) -> ResponseReturnValue:
    enrollment = get_own_enrollment_or_404(current_user, cohort_id)
    cohort = enrollment.cohort
    found = module_of_cohort_or_404(cohort, module_id)
    now = utcnow()
    from lms.evaluation.queries import evaluation_status, has_answered

    evaluation = evaluation_status(cohort, found, now)
    return render_template(
        "participant/module.html", cohort=cohort, module=found, now=now,
        meetings=[m for m in list_cohort_meetings([cohort.id]) if m.module_id == found.id],
        materials=released_materials([cohort.id], now, module_id=found.id),
        standing=course_materials(cohort.course_id, found.id), evaluation=evaluation,
        answered=has_answered(evaluation.evaluation, enrollment) if evaluation else False)


@bp.get("/materials/<int:material_id>/download")
def material_download(material_id: int) -> ResponseReturnValue:
    material = get_released_material_or_404(current_user, material_id, utcnow())
    if material.latest is None:
        abort(404)  # a link: nothing to download
    return send_material_version(material.latest)


@bp.get("/course-materials/<int:course_material_id>")
def course_material_download(course_material_id: int) -> ResponseReturnValue:
    return send_course_material(get_course_material_or_404(current_user, course_material_id))


@bp.get("/cohorts/<int:cohort_id>/modules/<int:module_id>/materials.zip")
def module_zip(cohort_id: int, module_id: int) -> ResponseReturnValue:
    """Every released file of the module (the newest version of each) and the course's
    files for it, as one ZIP, streamed."""
    enrollment = get_own_enrollment_or_404(current_user, cohort_id)
    cohort = enrollment.cohort
    found = module_of_cohort_or_404(cohort, module_id)
    files = entries(released_materials([cohort.id], utcnow(), module_id=found.id),
                    course_materials(cohort.course_id, found.id))
    if not files:
        abort(404)
    name = f"Modul_{found.number:02d}_{file_name_part(found.title, 'materialien')}.zip"
    return Response(zip_chunks(opened(files)), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store",
                             "X-Content-Type-Options": "nosniff"})
