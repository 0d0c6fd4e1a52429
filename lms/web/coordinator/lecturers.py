"""The lecturer directory: profiles and teaching hours across cohorts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import LecturerProfile, Role, User
from lms.accounts.operations import rename_user, update_lecturer_profile
from lms.accounts.queries import get_user
from lms.schedule.queries import list_lecturer_loads, list_lecturer_meetings, teaching_minutes
from lms.web.coordinator import bp
from lms.web.coordinator.forms import LecturerForm, LecturerProfileForm
from lms.web.coordinator.roster import invite_account_and_tell
from lms.web.fields import filled
from lms.web.saving import committing


def _lecturer(user_id: int) -> User:
    user = get_user(user_id)
    if user is None or not user.has_role(Role.LECTURER):
        abort(404)
    return user


def _save_profile(user: User, form: LecturerForm) -> None:
    update_lecturer_profile(
        user, affiliation=form.affiliation.data or "", job_title=form.job_title.data or "",
        bio=form.bio.data or "", expertise=(form.expertise.data or "").split(","),
        by=current_user)


@bp.get("/lecturers")
def lecturers() -> ResponseReturnValue:
    return render_template("coordinator/lecturers.html", loads=list_lecturer_loads())


@bp.route("/lecturers/new", methods=["GET", "POST"])
def lecturer_new() -> ResponseReturnValue:
    form = LecturerForm()
    if form.validate_on_submit():
        invited = invite_account_and_tell(form, Role.LECTURER, _save_profile)
        if invited is not None:
            user, existed = invited
            flash(_("%(name)s is now a lecturer.", name=user.full_name) if existed else
                  _("%(name)s has been invited as a lecturer.", name=user.full_name), "info")
            return redirect(url_for("coordinator.lecturer", user_id=user.id))
    return render_template("coordinator/lecturer_form.html", form=form, lecturer=None)


@bp.get("/lecturers/<int:user_id>")
def lecturer(user_id: int) -> ResponseReturnValue:
    user = _lecturer(user_id)
    meetings = list_lecturer_meetings(user)
    return render_template("coordinator/lecturer.html", lecturer=user, meetings=meetings,
                           total_minutes=teaching_minutes(meetings))


@bp.route("/lecturers/<int:user_id>/edit", methods=["GET", "POST"])
def lecturer_edit(user_id: int) -> ResponseReturnValue:
    user = _lecturer(user_id)
    profile = user.lecturer_profile or LecturerProfile()
    form = LecturerProfileForm(
        first_name=user.first_name, last_name=user.last_name, affiliation=profile.affiliation,
        job_title=profile.job_title, bio=profile.bio, expertise=", ".join(profile.expertise or []))
    if form.validate_on_submit():
        with committing(form, "first_name") as saved:
            rename_user(user, filled(form.first_name.data), filled(form.last_name.data),
                        by=current_user)
            _save_profile(user, form)
        if saved:
            flash(_("The profile has been saved."), "info")
            return redirect(url_for("coordinator.lecturer", user_id=user.id))
    return render_template("coordinator/lecturer_form.html", form=form, lecturer=user)
