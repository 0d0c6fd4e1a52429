"""Blocks and meetings: add, edit, move, cancel, plan a series, assign lecturers."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_block_or_404, get_cohort_or_404, get_meeting_or_404
from lms.accounts.models import Role
from lms.accounts.queries import list_users, list_users_with_role
from lms.announcements.operations import announce_meeting_change
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.ical.notices import notice_is_due, queue_change_notice
from lms.jobs.models import BackgroundJob
from lms.jobs.queue import dispatch
from lms.localtime import LocalInstant, NonexistentTime, ambiguity_notice, local_instant
from lms.schedule.models import Block, Meeting
from lms.schedule.operations import (
    MeetingChange,
    cancel_meeting,
    create_block,
    schedule_meeting,
    schedule_series,
    update_block,
    update_meeting,
)
from lms.schedule.queries import list_cohort_meetings
from lms.schedule.series import plan_series
from lms.web import duration_text
from lms.web.coordinator import bp
from lms.web.coordinator.forms import BlockForm, CancelMeetingForm, MeetingForm, SeriesForm
from lms.web.fields import add_error, filled
from lms.web.saving import committing, say_refusal


def _fill(form: MeetingForm | SeriesForm, cohort: Cohort) -> None:
    form.module_id.choices = [(m.id, f"{m.number}. {m.title}") for m in cohort.course.modules]
    form.block_id.choices = [(0, "–")] + [(b.id, b.title) for b in cohort.blocks]
    form.lecturer_ids.choices = [(u.id, u.full_name)
                                 for u in list_users_with_role(Role.LECTURER)]


def _chosen(form: MeetingForm | SeriesForm, cohort: Cohort) -> dict[str, Any]:
    module = next((m for m in cohort.course.modules if m.id == form.module_id.data), None)
    block = next((b for b in cohort.blocks if b.id == form.block_id.data), None)
    return {"module": module, "block": block,
            "lecturers": list_users(form.lecturer_ids.data or [])}


def _notice(change: MeetingChange | None, note: str = "") -> BackgroundJob | None:
    """The job that tells participants and lecturers about a move, a cancellation or
    another place, with an .ics and the coordinator's note when the change is announced
    (queued with the change, in its transaction)."""
    if change is None or not notice_is_due(change):
        return None
    return queue_change_notice(change, by=current_user, note=note)


def _send(notice: BackgroundJob | None) -> None:
    """After the commit: the notices go out in the background (a failed one is retried
    and, if it keeps failing, reported on the jobs page)."""
    if notice is not None:
        dispatch(notice)


@bp.get("/cohorts/<int:cohort_id>/schedule")
def schedule(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/schedule.html", cohort=cohort,
                           meetings=list_cohort_meetings([cohort.id]), block_form=BlockForm())


@bp.post("/cohorts/<int:cohort_id>/blocks")
def block_new(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = BlockForm()
    if form.validate_on_submit():
        with committing(form, "ends_on") as saved:
            block = create_block(cohort, filled(form.title.data), filled(form.starts_on.data),
                                 filled(form.ends_on.data), by=current_user)
        if saved:
            flash(_("The block has been added."), "info")
            _warn_block_outside_cohort(block)
            return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    return render_template("coordinator/schedule.html", cohort=cohort,
                           meetings=list_cohort_meetings([cohort.id]), block_form=form), 422


@bp.route("/blocks/<int:block_id>/edit", methods=["GET", "POST"])
def block_edit(block_id: int) -> ResponseReturnValue:
    block = get_block_or_404(current_user, block_id)
    form = BlockForm(obj=block)
    if form.validate_on_submit():
        with committing(form, "ends_on") as saved:
            update_block(block, filled(form.title.data), filled(form.starts_on.data),
                         filled(form.ends_on.data), by=current_user)
        if saved:
            _warn_block_outside_cohort(block)
            return redirect(url_for("coordinator.schedule", cohort_id=block.cohort_id))
    return render_template("coordinator/block_form.html", form=form, block=block)


def _meeting_times(form: MeetingForm, cohort: Cohort,
                   meeting: Meeting | None = None) -> tuple[LocalInstant, LocalInstant] | None:
    """The form's day and times as instants; a time the clocks skip that day is an error
    on its field. Saving an unchanged time keeps the occurrence stored so far."""
    instants: list[LocalInstant] = []
    for field, keep in ((form.starts, meeting.starts_at if meeting else None),
                        (form.ends, meeting.ends_at if meeting else None)):
        # The end of a meeting that starts in the second occurrence of a doubled hour is
        # in the second occurrence too.
        second = bool(instants) and instants[0].is_second
        try:
            instants.append(local_instant(filled(form.day.data), filled(field.data),
                                          cohort.timezone,
                                          keep=keep, second=second))
        except NonexistentTime as error:
            add_error(field, str(error))
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
def meeting_new(cohort_id: int) -> ResponseReturnValue:
    return _meeting_form(get_cohort_or_404(current_user, cohort_id), None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def meeting_edit(meeting_id: int) -> ResponseReturnValue:
    meeting = get_meeting_or_404(current_user, meeting_id)
    return _meeting_form(meeting.cohort, meeting)


def _meeting_form(cohort: Cohort, meeting: Meeting | None) -> ResponseReturnValue:
    """Adding and editing a meeting share the form. A change of time, place or status
    is sent to those it concerns; a doubled hour or a day outside the cohort's is said."""
    if meeting is None:
        form = MeetingForm(location=cohort.location)
        del form.announce, form.announcement_note  # a new meeting changes nothing
    else:
        zone = ZoneInfo(cohort.timezone)
        local_start, local_end = (meeting.starts_at.astimezone(zone),
                                  meeting.ends_at.astimezone(zone))
        form = MeetingForm(obj=meeting, day=local_start.date(), starts=local_start.time(),
                           ends=local_end.time(), block_id=meeting.block_id or 0,
                           lecturer_ids=[u.id for u in meeting.lecturers])
    _fill(form, cohort)
    if form.validate_on_submit() and (times := _meeting_times(form, cohort, meeting)):
        start, end = times
        values = {"title": form.title.data or "", "starts_at": start.at, "ends_at": end.at,
                  "location": form.location.data or "",
                  "online_url": form.online_url.data or "", **_chosen(form, cohort)}
        note = "" if meeting is None else (form.announcement_note.data or "")
        announced = None
        with committing(form, "announcement_note") as saved:
            if meeting is None:
                saved_meeting, change = schedule_meeting(cohort, by=current_user, **values), None
            else:
                saved_meeting, change = meeting, update_meeting(meeting, by=current_user,
                                                                **values)
                if form.announce.data:
                    announced = announce_meeting_change(change, note, by=current_user,
                                                        now=utcnow())
            notice_job = _notice(change, note)
        if saved:
            if change is None:
                flash(_("The meeting has been added."), "info")
            else:
                _send(notice_job)
                flash(_("The meeting has been saved."), "info")
                if announced is not None:
                    flash(_("The new time or place is announced on the participants' start "
                            "page."), "info")
                elif form.announce.data:
                    flash(_("Neither time nor place changed: nothing was announced."), "info")
            if (change is None or change.moved) and (notice := time_notice(start, end)):
                flash(notice, "warning")
            _warn_outside_cohort(cohort, [saved_meeting])
            return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    if meeting is None:
        return render_template("coordinator/meeting_form.html", form=form, cohort=cohort,
                               meeting=None)
    notices = stored_time_notices(meeting) if request.method == "GET" else []
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
def meeting_cancel(meeting_id: int) -> ResponseReturnValue:
    meeting = get_meeting_or_404(current_user, meeting_id)
    form = CancelMeetingForm()
    if form.validate_on_submit():
        with committing() as saved:
            change = cancel_meeting(meeting, form.reason.data or "", by=current_user)
            notice_job = _notice(change)
        if saved:
            _send(notice_job)
            flash(_("The meeting has been cancelled. It stays in the schedule as cancelled."),
                  "info")
    return redirect(url_for("coordinator.schedule", cohort_id=meeting.cohort_id))


def _parse_dates(text: str) -> list[date]:
    dates: list[date] = []
    for line in text.replace(",", "\n").splitlines():
        if line.strip():
            dates.append(date.fromisoformat(line.strip()))
    return dates


@bp.route("/cohorts/<int:cohort_id>/meetings/series", methods=["GET", "POST"])
def meeting_series(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = SeriesForm(location=cohort.location)
    _fill(form, cohort)
    if form.validate_on_submit():
        try:
            skip = _parse_dates(form.skip.data or "")
        except ValueError:
            add_error(form.skip, _("Please write each date as YYYY-MM-DD, one per line."))
        else:
            with committing(report=False) as saved:
                slots = plan_series(filled(form.first_day.data), filled(form.last_day.data),
                                    filled(form.weekdays.data), filled(form.starts.data),
                                    filled(form.ends.data), cohort.timezone,
                                    every_weeks=filled(form.every_weeks.data), skip=skip)
                meetings = schedule_series(
                    cohort, slots=slots, location=form.location.data or "",
                    online_url=form.online_url.data or "", by=current_user,
                    **_chosen(form, cohort))
            if isinstance(saved.error, NonexistentTime):
                field = form.starts if saved.error.wall == form.starts.data else form.ends
                add_error(field, str(saved.error))
            elif saved.error is not None:
                say_refusal(saved.error)
            else:
                flash(ngettext("%(num)s meeting has been added.",
                               "%(num)s meetings have been added.", len(meetings)), "info")
                for slot in slots:
                    if notice := time_notice(slot.start, slot.end):
                        flash(notice, "warning")
                _warn_outside_cohort(cohort, meetings)
                return redirect(url_for("coordinator.schedule", cohort_id=cohort.id))
    return render_template("coordinator/series_form.html", form=form, cohort=cohort)
