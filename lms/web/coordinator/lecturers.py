"""The lecturer directory: profiles and teaching hours across cohorts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.models import LecturerProfile, Role, User
from lms.accounts.operations import get_user_by_email, rename_user
from lms.audit.operations import record_event
from lms.cohorts.invitations import invite_account, send_account_invitation
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.mail import MailError
from lms.schedule.models import Meeting, meeting_lecturer
from lms.schedule.queries import list_lecturer_loads, teaching_minutes
from lms.web.coordinator import bp
from lms.web.coordinator.forms import LecturerForm, LecturerProfileForm
from lms.web.coordinator.roster import say_renamed


def _lecturer(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(Role.LECTURER):
        abort(404)
    return user


def _save_profile(user: User, form) -> None:
    profile = user.lecturer_profile or LecturerProfile(user=user)
    before = {"affiliation": profile.affiliation, "job_title": profile.job_title,
              "bio": profile.bio, "expertise": list(profile.expertise or [])}
    profile.affiliation = (form.affiliation.data or "").strip()
    profile.job_title = (form.job_title.data or "").strip()
    profile.bio = (form.bio.data or "").strip()
    profile.expertise = [e.strip() for e in (form.expertise.data or "").split(",") if e.strip()]
    after = {"affiliation": profile.affiliation, "job_title": profile.job_title,
             "bio": profile.bio, "expertise": profile.expertise}
    db.session.flush()
    if before != after:
        record_event(current_user, "lecturer_profile.updated", user, before=before, after=after)


@bp.get("/lecturers")
def lecturers():
    return render_template("coordinator/lecturers.html", loads=list_lecturer_loads())


@bp.route("/lecturers/new", methods=["GET", "POST"])
def lecturer_new():
    form = LecturerForm()
    if form.validate_on_submit():
        before = get_user_by_email(form.email.data)
        existed = before is not None
        old_name = before.full_name if before is not None else None
        user, token = invite_account(form.email.data, form.first_name.data, form.last_name.data,
                                     Role.LECTURER, by=current_user)
        _save_profile(user, form)
        db.session.commit()
        say_renamed(user, old_name)
        if token is not None:
            try:
                send_account_invitation(user, token, Role.LECTURER)
            except MailError:
                flash(_("The invitation could not be sent to: %(emails)s. Use “send again” "
                        "later.", emails=user.email), "error")
        flash(_("%(name)s is now a lecturer.", name=user.full_name) if existed else
              _("%(name)s has been invited as a lecturer.", name=user.full_name), "info")
        return redirect(url_for("coordinator.lecturer", user_id=user.id))
    return render_template("coordinator/lecturer_form.html", form=form, lecturer=None)


@bp.get("/lecturers/<int:user_id>")
def lecturer(user_id: int):
    user = _lecturer(user_id)
    meetings = db.session.scalars(
        sa.select(Meeting)
        .join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
        .where(meeting_lecturer.c.user_id == user.id)
        .options(selectinload(Meeting.module),
                 selectinload(Meeting.cohort).selectinload(Cohort.company),
                 selectinload(Meeting.lecturers))
        .order_by(Meeting.starts_at)
    ).all()
    return render_template("coordinator/lecturer.html", lecturer=user, meetings=meetings,
                           total_minutes=teaching_minutes(list(meetings)))


@bp.route("/lecturers/<int:user_id>/edit", methods=["GET", "POST"])
def lecturer_edit(user_id: int):
    user = _lecturer(user_id)
    profile = user.lecturer_profile or LecturerProfile()
    form = LecturerProfileForm(
        first_name=user.first_name, last_name=user.last_name, affiliation=profile.affiliation,
        job_title=profile.job_title, bio=profile.bio, expertise=", ".join(profile.expertise or []))
    if form.validate_on_submit():
        rename_user(user, form.first_name.data, form.last_name.data, by=current_user)
        _save_profile(user, form)
        db.session.commit()
        flash(_("The profile has been saved."), "info")
        return redirect(url_for("coordinator.lecturer", user_id=user.id))
    return render_template("coordinator/lecturer_form.html", form=form, lecturer=user)
