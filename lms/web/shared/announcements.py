"""Writing announcements: the coordinator to the cohort of the page, a lecturer to one of
the cohorts they teach (:func:`lms.access.get_cohort_to_announce_or_404`). Both pages list
what was announced; the participants see it on their start page and by mail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from lms.accounts.models import User
from lms.announcements.notices import send_announcement
from lms.announcements.operations import post_announcement
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.localtime import local_instant
from lms.mail import tally
from lms.web.saving import committing
from lms.web.shared.forms import AnnouncementForm

# What the form proposes as the last day an announcement is shown.
DEFAULT_SHOWN = timedelta(days=14)


def announcement_form() -> AnnouncementForm:
    return AnnouncementForm(shown_until=utcnow().date() + DEFAULT_SHOWN)


def end_of_day(day: date, cohort: Cohort) -> datetime:
    """The end of ``day`` in the cohort's time zone (the start of the next)."""
    return local_instant(day + timedelta(days=1), time(0), cohort.timezone).at


def post(form: AnnouncementForm, cohort: Cohort, author: User,
         back: str) -> Response | None:
    """Post the form's announcement to ``cohort`` and mail it; the redirect to ``back``, or
    None when it was refused (the reason is on its field)."""
    with committing(form, "body") as saved:
        announcement = post_announcement(
            cohort, form.title.data or "", form.body.data or "",
            end_of_day(form.shown_until.data or utcnow().date(), cohort), by=author,
            now=utcnow())
        mails = send_announcement(announcement)
    if not saved:
        return None
    done = tally(mails)
    if done.queued:
        flash(ngettext("The announcement is posted and is being sent to %(num)s participant.",
                       "The announcement is posted and is being sent to %(num)s participants.",
                       done.queued), "info")
    else:
        flash(ngettext("The announcement is posted and has been sent to %(num)s participant.",
                       "The announcement is posted and has been sent to %(num)s participants.",
                       done.sent), "info")
    if done.failed:
        flash(_("The announcement could not be sent to everyone by e-mail."), "error")
    return redirect(back)

