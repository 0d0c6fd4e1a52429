"""A module's materials in a cohort, as its lecturers and the coordinator keep them: add
files and links (for the module or one of its meetings, released when chosen), replace a
file (the versions stay), withdraw, take over one's own materials of an earlier cohort.
Served to the module's lecturers (``lms.access.get_taught_module_or_404``) and to
coordinators, under each one's URLs (see :mod:`lms.web.shared`)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from lms.access import (
    get_course_material_or_404,
    get_material_to_manage_or_404,
    get_taught_module_or_404,
)
from lms.accounts.models import Role
from lms.assignments.files import ACCEPT_ATTRIBUTE, ALLOWED_LABELS
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.db import utcnow
from lms.extensions import db
from lms.localtime import NonexistentTime, local_instant
from lms.materials.models import MaterialKind, Release
from lms.materials.operations import (
    Placement,
    Upload,
    add_material,
    replace_file,
    reuse_materials,
    withdraw_material,
)
from lms.materials.queries import (
    course_materials,
    get_version,
    module_materials,
    reuse_offer,
)
from lms.schedule.models import Meeting
from lms.schedule.queries import list_cohort_meetings
from lms.web.coordinator.forms import ConfirmForm
from lms.web.saving import committing
from lms.web.shared import add_role_rules
from lms.web.shared.files import send_course_material, send_material_version
from lms.web.shared.forms import MaterialForm, ReplaceFileForm
from lms.web.uploads import upload_limit

MODULE = "/cohorts/<int:cohort_id>/modules/<int:module_id>/materials"


def register(bp: Blueprint, role: Role) -> None:
    add_role_rules(bp, role, [
        (MODULE, "materials", materials, ["GET", "POST"]),
        (f"{MODULE}/reuse", "materials_reuse", reuse, ["POST"]),
        ("/materials/<int:material_id>/replace", "material_replace", replace, ["POST"]),
        ("/materials/<int:material_id>/withdraw", "material_withdraw", withdraw, ["POST"]),
        ("/materials/<int:material_id>/versions/<int:version>", "material_version",
         download_version, ["GET"]),
        ("/course-materials/<int:course_material_id>", "course_material",
         download_course_material, ["GET"]),
    ])


def _meetings(cohort: Cohort, module: Module) -> list[Meeting]:
    return [m for m in list_cohort_meetings([cohort.id]) if m.module_id == module.id]


def _fill(form: MaterialForm, cohort: Cohort, module: Module) -> None:
    from lms.web import local_datetime

    form.meeting_id.choices = [(0, _("The whole module"))] + [
        (m.id, _("Meeting on %(when)s", when=local_datetime(m.starts_at, cohort.timezone)))
        for m in _meetings(cohort, module)]


def _placement(form: MaterialForm, cohort: Cohort, module: Module) -> Placement:
    meeting = next((m for m in _meetings(cohort, module) if m.id == form.meeting_id.data), None)
    release_at = None
    if form.release_at.data is not None:  # (a time the clocks skip: NonexistentTime)
        typed = form.release_at.data
        release_at = local_instant(typed.date(), typed.time(), cohort.timezone).at
    return Placement(cohort, module, meeting, Release(form.release.data), release_at)


def _page(cohort: Cohort, module: Module, role: Role, form: MaterialForm,
          status: int = 200) -> ResponseReturnValue:
    return render_template(
        "materials/manage.html", cohort=cohort, module=module, role=role, form=form,
        materials=module_materials(cohort, module), now=utcnow(),
        standing=course_materials(cohort.course_id, module.id),
        offer=reuse_offer(current_user, cohort, module), confirm=ConfirmForm(),
        replace_form=ReplaceFileForm(), accept=ACCEPT_ATTRIBUTE, allowed=ALLOWED_LABELS,
        limit=upload_limit()), status


def materials(cohort_id: int, module_id: int, role: Role) -> ResponseReturnValue:
    cohort, module = get_taught_module_or_404(current_user, cohort_id, module_id)
    form = MaterialForm()
    _fill(form, cohort, module)
    if form.validate_on_submit():
        upload = None
        if form.kind.data == MaterialKind.FILE and form.file.data:
            upload = Upload(form.file.data.filename or "", form.file.data.read())
        url = form.url.data or "" if form.kind.data == MaterialKind.LINK else ""
        try:
            placement = _placement(form, cohort, module)
        except NonexistentTime as error:
            form.release_at.errors = [*form.release_at.errors, str(error.message)]
            return _page(cohort, module, role, form, 422)
        try:
            with committing(form, "file") as saved:
                add_material(placement, form.title.data or "",
                             form.note.data or "", by=current_user, now=utcnow(),
                             upload=upload, url=url)
        except SQLAlchemyError:
            db.session.rollback()  # (the stored file goes with the row)
            current_app.logger.exception("material could not be saved")
            form.file.errors = [*form.file.errors, _("The material could not be saved. "
                                                     "Please try again.")]
        else:
            if saved:
                flash(_("The material has been added."), "info")
                return redirect(url_for(f"{role}.materials", cohort_id=cohort.id,
                                        module_id=module.id))
        return _page(cohort, module, role, form, 422)
    if request.method == "POST":
        return _page(cohort, module, role, form, 422)
    return _page(cohort, module, role, form)


def replace(material_id: int, role: Role) -> ResponseReturnValue:
    material = get_material_to_manage_or_404(current_user, material_id)
    form = ReplaceFileForm()
    back = url_for(f"{role}.materials", cohort_id=material.cohort_id,
                   module_id=material.module_id)
    if form.validate_on_submit():
        upload = Upload(form.file.data.filename or "", form.file.data.read())
        with committing() as saved:
            version = replace_file(material, upload, by=current_user, now=utcnow())
        if saved:
            flash(_("Version %(version)s of “%(title)s” is now given out.",
                    version=version.version, title=material.title), "info")
    else:
        for error in form.file.errors:
            flash(str(error), "error")
    return redirect(back)


def withdraw(material_id: int, role: Role) -> ResponseReturnValue:
    material = get_material_to_manage_or_404(current_user, material_id)
    if ConfirmForm().validate_on_submit():
        with committing() as saved:
            withdraw_material(material, by=current_user, now=utcnow())
        if saved:
            flash(_("“%(title)s” has been withdrawn: participants no longer see it.",
                    title=material.title), "info")
    return redirect(url_for(f"{role}.materials", cohort_id=material.cohort_id,
                            module_id=material.module_id))


def reuse(cohort_id: int, module_id: int, role: Role) -> ResponseReturnValue:
    cohort, module = get_taught_module_or_404(current_user, cohort_id, module_id)
    offer = reuse_offer(current_user, cohort, module)
    if offer is None:
        flash(_("There is nothing of yours to take over for this module."), "info")
    elif ConfirmForm().validate_on_submit():
        with committing() as saved:
            copies = reuse_materials(offer.materials, cohort, module, by=current_user,
                                     now=utcnow())
        if saved:
            flash(ngettext("%(num)s material has been taken over from %(cohort)s.",
                           "%(num)s materials have been taken over from %(cohort)s.",
                           len(copies), cohort=offer.cohort.name), "info")
    return redirect(url_for(f"{role}.materials", cohort_id=cohort.id, module_id=module.id))


def download_version(material_id: int, version: int, role: Role) -> ResponseReturnValue:
    material = get_material_to_manage_or_404(current_user, material_id)
    found = get_version(material, version)
    if found is None:
        abort(404)
    return send_material_version(found)


def download_course_material(course_material_id: int, role: Role) -> ResponseReturnValue:
    material = get_course_material_or_404(current_user, course_material_id)
    if material.stored_name is None:
        abort(404)
    return send_course_material(material)
