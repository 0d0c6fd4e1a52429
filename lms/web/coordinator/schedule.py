"""Blocks and meetings: add, edit, move, cancel, plan a series, assign lecturers."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.accounts.models import Role, User, UserRole
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.ical.notices import notify_meeting_change
from lms.localtime import LocalInstant, NonexistentTime, ambiguity_notice, local_instant
from lms.mail import MailError
from lms.schedule.models import Block, Meeting
from lms.schedule.operations import (
    MeetingChange,
    ScheduleError,
    cancel_meeting,
    create_block,
    schedule_meeting,
    schedule_series,
    update_block,
    update_meeting,
)
from lms.schedule.queries import list_cohort_meetings
from lms.schedule.series import SeriesError, plan_series
from lms.web import duration_text
from lms.web.coordinator import bp
from lms.web.coordinator.forms import BlockForm, CancelMeetingForm, MeetingForm, SeriesForm


def _lecturer_choices() -> list[tuple[int, str]]:
    lecturers = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.LECTURER)
        .order_by(User.last_name, User.first_name))
    return [(u.id, u.full_name) for u in lecturers]


def _fill(form, cohort: Cohort) -> None:
    form.module_id.choices = [(m.id, f"{m.number}. {m.title}") for m in cohort.course.modules]
    form.block_id.choices = [(0, "–")] + [(b.id, b.title) for b in cohort.blocks]
    form.lecturer_ids.choices = _lecturer_choices()


def _chosen(form, cohort: Cohort) -> dict:
    module = next((m for m in cohort.course.modules if m.id == form.module_id.data), None)
    block = next((b for b in cohort.blocks if b.id == form.block_id.data), None)
    lecturers = list(db.session.scalars(
        sa.select(User).where(User.id.in_(form.lecturer_ids.data or []))))
    return {"module": module, "block": block, "lecturers": lecturers}


def _notify(change: MeetingChange) -> None:
    """Tell participants and lecturers about a move or cancellation, with an .ics."""
    if not (change.moved or change.cancelled or
            change.before["location"] != change.after["location"]):
        return
    try:
        notify_meeting_change(change)
    except MailError:
        flash(_("The change notice could not be sent to everyone."), "error")


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    get_cohort_or_404(current_user, meeting.cohort_id)
    return meeting


@bp.get("/cohorts/<int:cohort_id>/schedule")
def schedule(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/schedule.html", cohort=cohort,
                           meetings=list_cohort_meetings([cohort.id]), block_form=BlockForm())


@bp.post("/cohorts/<int:cohort_id>/blocks")
def block_new(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = BlockForm()
    if form.validate_on_submit():
        block = create_block(cohort, form.title.data, form.starts_on.data, form.ends_on.data,
                             by=current_user)
        db.session.commit()
        flash(_("The block has been added."), "info")
        _warn_block_outside_cohort(block)
        return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    return render_template("coordinator/schedule.html", cohort=cohort,
                           meetings=list_cohort_meetings([cohort.id]), block_form=form), 422


@bp.route("/blocks/<int:block_id>/edit", methods=["GET", "POST"])
def block_edit(block_id: int):
    block = db.session.get(Block, block_id) or abort(404)
    get_cohort_or_404(current_user, block.cohort_id)
    form = BlockForm(obj=block)
    if form.validate_on_submit():
        update_block(block, form.title.data, form.starts_on.data, form.ends_on.data,
                     by=current_user)
        db.session.commit()
        _warn_block_outside_cohort(block)
        return redirect(url_for("coordinator.schedule", cohort_id=block.cohort_id))
    return render_template("coordinator/block_form.html", form=form, block=block)


def _meeting_times(form, cohort: Cohort,
                   meeting: Meeting | None = None) -> tuple[LocalInstant, LocalInstant] | None:
    """The form's day and times as instants; a time the clocks skip that day is an error
    on its field. Saving an unchanged time keeps the occurrence stored so far."""
    instants = []
    for field, keep in ((form.starts, meeting.starts_at if meeting else None),
                        (form.ends, meeting.ends_at if meeting else None)):
        # The end of a meeting that starts in the second occurrence of a doubled hour is
        # in the second occurrence too.
        second = bool(instants) and instants[0].is_second
        try:
            instants.append(local_instant(form.day.data, field.data, cohort.timezone,
                                          keep=keep, second=second))
        except NonexistentTime as error:
            field.errors.append(error.message)
    if len(instants) < 2:
        return None
    return instants[0], instants[1]


def time_notice(start: LocalInstant, end: LocalInstant) -> str | None:
    """Which occurrence of a doubled wall-clock time was used, and how long that makes
    the meeting; None for ordinary times."""
    notices = [ambiguity_notice(i) for i in (start, end) if i.ambiguous]
    if not notices:
        return None
    minutes = int((end.at - start.at).total_seconds() // 60)
    return " ".join([*notices, _("The meeting lasts %(duration)s.",
                                 duration=duration_text(minutes))])


def _warn_block_outside_cohort(block: Block) -> None:
    if block.outside_cohort_dates:
        cohort = block.cohort
        flash(_("This block is not within the cohort's dates (%(first)s – %(last)s). It has "
                "been saved; change the cohort's dates if the course runs longer.",
                first=format_date(cohort.starts_on, "medium"),
                last=format_date(cohort.ends_on, "medium")), "warning")


def _warn_outside_cohort(cohort: Cohort, meetings: list[Meeting]) -> None:
    outside = [m for m in meetings if m.outside_cohort_dates]
    if not outside:
        return
    dates = dict(first=format_date(cohort.starts_on, "medium"),
                 last=format_date(cohort.ends_on, "medium"))
    if len(meetings) == 1:
        flash(_("This meeting (%(day)s) is outside the cohort's dates (%(first)s – %(last)s). "
                "It has been saved; change the cohort's dates if the course runs longer.",
                day=format_date(outside[0].local_day, "medium"), **dates), "warning")
    else:
        flash(ngettext(
            "%(num)s meeting of the series is outside the cohort's dates (%(first)s – "
            "%(last)s): %(days)s. It has been saved.",
            "%(num)s meetings of the series are outside the cohort's dates (%(first)s – "
            "%(last)s): %(days)s. They have been saved.", len(outside),
            days=", ".join(format_date(m.local_day, "medium") for m in outside), **dates),
            "warning")


@bp.route("/cohorts/<int:cohort_id>/meetings/new", methods=["GET", "POST"])
def meeting_new(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = MeetingForm(location=cohort.location)
    _fill(form, cohort)
    if form.validate_on_submit() and (times := _meeting_times(form, cohort)):
        start, end = times
        try:
            meeting = schedule_meeting(
                cohort, starts_at=start.at, ends_at=end.at, title=form.title.data or "",
                location=form.location.data or "", online_url=form.online_url.data or "",
                by=current_user, **_chosen(form, cohort))
            db.session.commit()
        except ScheduleError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The meeting has been added."), "info")
            if notice := time_notice(start, end):
                flash(notice, "warning")
            _warn_outside_cohort(cohort, [meeting])
            return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    return render_template("coordinator/meeting_form.html", form=form, cohort=cohort,
                           meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def meeting_edit(meeting_id: int):
    meeting = _meeting(meeting_id)
    cohort = meeting.cohort
    zone = ZoneInfo(cohort.timezone)
    local_start, local_end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    form = MeetingForm(obj=meeting, day=local_start.date(), starts=local_start.time(),
                       ends=local_end.time(), block_id=meeting.block_id or 0,
                       lecturer_ids=[u.id for u in meeting.lecturers])
    _fill(form, cohort)
    if form.validate_on_submit() and (times := _meeting_times(form, cohort, meeting)):
        start, end = times
        try:
            change = update_meeting(
                meeting, by=current_user, title=form.title.data or "",
                starts_at=start.at, ends_at=end.at,
                location=form.location.data or "", online_url=form.online_url.data or "",
                **_chosen(form, cohort))
            db.session.commit()
        except ScheduleError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            _notify(change)
            flash(_("The meeting has been saved."), "info")
            if change.moved and (notice := time_notice(start, end)):
                flash(notice, "warning")
            _warn_outside_cohort(cohort, [meeting])
            return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    notices = []
    if request.method == "GET":
        notices = stored_time_notices(meeting)
    return render_template("coordinator/meeting_form.html", form=form, cohort=cohort,
                           meeting=meeting, cancel_form=CancelMeetingForm(), notices=notices)


def stored_time_notices(meeting: Meeting) -> list[str]:
    """For the edit form: a stored time in a doubled hour, and a day outside the cohort's."""
    zone = ZoneInfo(meeting.cohort.timezone)
    times = [local_instant(value.astimezone(zone).date(), value.astimezone(zone).time(), zone,
                           keep=value) for value in (meeting.starts_at, meeting.ends_at)]
    notices = [notice] if (notice := time_notice(*times)) else []
    cohort = meeting.cohort
    if meeting.outside_cohort_dates:
        notices.append(_("This meeting is outside the cohort's dates (%(first)s – %(last)s).",
                         first=format_date(cohort.starts_on, "medium"),
                         last=format_date(cohort.ends_on, "medium")))
    return notices


@bp.post("/meetings/<int:meeting_id>/cancel")
def meeting_cancel(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = CancelMeetingForm()
    if form.validate_on_submit():
        try:
            change = cancel_meeting(meeting, form.reason.data or "", by=current_user)
            db.session.commit()
        except ScheduleError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            _notify(change)
            flash(_("The meeting has been cancelled. It stays in the schedule as cancelled."),
                  "info")
    return redirect(url_for("coordinator.schedule", cohort_id=meeting.cohort_id))


def _parse_dates(text: str) -> list[date]:
    dates = []
    for line in text.replace(",", "\n").splitlines():
        if line.strip():
            dates.append(date.fromisoformat(line.strip()))
    return dates


@bp.route("/cohorts/<int:cohort_id>/meetings/series", methods=["GET", "POST"])
def meeting_series(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = SeriesForm(location=cohort.location)
    _fill(form, cohort)
    if form.validate_on_submit():
        try:
            skip = _parse_dates(form.skip.data or "")
        except ValueError:
            form.skip.errors.append(_("Please write each date as YYYY-MM-DD, one per line."))
        else:
            try:
                slots = plan_series(form.first_day.data, form.last_day.data, form.weekdays.data,
                                    form.starts.data, form.ends.data, cohort.timezone,
                                    every_weeks=form.every_weeks.data, skip=skip)
                meetings = schedule_series(
                    cohort, slots=slots, location=form.location.data or "",
                    online_url=form.online_url.data or "", by=current_user,
                    **_chosen(form, cohort))
                db.session.commit()
            except NonexistentTime as error:
                db.session.rollback()
                field = form.starts if error.wall == form.starts.data else form.ends
                field.errors.append(error.message)
            except (SeriesError, ScheduleError) as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                flash(ngettext("%(num)s meeting has been added.",
                               "%(num)s meetings have been added.", len(meetings)), "info")
                for slot in slots:
                    if notice := time_notice(slot.start, slot.end):
                        flash(notice, "warning")
                _warn_outside_cohort(cohort, meetings)
                return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    return render_template("coordinator/series_form.html", form=form, cohort=cohort)
