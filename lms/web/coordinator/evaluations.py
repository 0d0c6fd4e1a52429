"""A cohort's module evaluations: response rates, results, the one reminder."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.access import get_cohort_or_404, module_of_cohort_or_404
from lms.db import utcnow
from lms.evaluation.notices import send_reminders
from lms.evaluation.operations import claim_reminder
from lms.evaluation.queries import cohort_evaluations, evaluation_status, minimum_answers
from lms.mail import tally
from lms.web.coordinator import bp
from lms.web.coordinator.forms import ConfirmForm
from lms.web.saving import committing


@bp.get("/cohorts/<int:cohort_id>/evaluations")
def evaluations(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/evaluations.html", cohort=cohort,
                           statuses=cohort_evaluations(cohort, utcnow()),
                           minimum=minimum_answers(), remind_form=ConfirmForm())


@bp.post("/cohorts/<int:cohort_id>/modules/<int:module_id>/evaluation/remind")
def evaluation_remind(cohort_id: int, module_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    module = module_of_cohort_or_404(cohort, module_id)
    status = evaluation_status(cohort, module, utcnow())
    if status is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        with committing() as saved:
            recipients = claim_reminder(status, by=current_user, now=utcnow())
            mails = send_reminders(status, recipients)
        if saved:
            done = tally(mails)
            if done.queued:
                flash(ngettext("A reminder is being sent to %(num)s participant.",
                               "A reminder is being sent to %(num)s participants.",
                               done.queued), "info")
            if done.sent or not done.queued:
                flash(ngettext("%(num)s participant has been reminded.",
                               "%(num)s participants have been reminded.", done.sent), "info")
            if done.failed:
                flash(_("The reminder could not be sent to everyone."), "error")
    return redirect(url_for("coordinator.evaluations", cohort_id=cohort.id))
