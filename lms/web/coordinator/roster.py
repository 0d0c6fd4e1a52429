"""The roster of a closed cohort: invite, import, resend, withdraw; company contacts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.access import get_cohort_or_404, get_enrollment_or_404
from lms.accounts.models import Locale, Role, TitleForm, User
from lms.accounts.operations import rename_user
from lms.accounts.queries import get_user, get_user_by_email
from lms.certificates.models import CertificateStatus
from lms.certificates.queries import certificates_by_enrollment
from lms.cohorts.invitations import (
    Invitation,
    invite_account,
    invite_participant,
    resend_invitation,
    send_account_invitation,
    send_invitation,
    withdraw_enrollment,
)
from lms.cohorts.models import Enrollment
from lms.cohorts.operations import add_company_contact, remove_company_contact
from lms.cohorts.queries import list_roster
from lms.cohorts.roster_import import RosterImportError, import_roster, parse_roster
from lms.mail import Outgoing, Sending, tally
from lms.web.coordinator import bp
from lms.web.coordinator.forms import (
    ConfirmForm,
    ContactForm,
    InviteForm,
    PersonForm,
    RosterConfirmForm,
    RosterUploadForm,
)
from lms.web.fields import filled
from lms.web.saving import committing


def _send_all(invitations: list[Invitation]) -> list[Outgoing]:
    """Hand the invitations' mails over, inside the transaction that made them: they
    leave once it commits (by a worker, or at once without Redis)."""
    return [send_invitation(invitation) for invitation in invitations]


def _say_sent(invitations: list[Invitation], mails: list[Outgoing]) -> None:
    """After the commit: what became of the mails (queued, sent, refused by the mail
    server) and the names that an invitation changed on an existing account."""
    for invitation in invitations:
        say_renamed(invitation.enrollment.user, invitation.renamed_from)
    failed = [i.enrollment.user.email for i, mail in zip(invitations, mails, strict=True)
              if mail.state == Sending.FAILED]
    done = tally(mails)
    if failed:
        flash(_("The invitation could not be sent to: %(emails)s. Use “send again” later.",
                emails=", ".join(failed)), "error")
    if done.queued:
        flash(ngettext("%(num)s invitation is being sent.", "%(num)s invitations are being sent.",
                       done.queued), "info")
    if done.sent and not failed:
        flash(ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", done.sent),
              "info")


def say_renamed(user: User, old_name: str | None) -> None:
    """An existing account took the name the coordinator typed: say so."""
    if old_name is not None and old_name != user.full_name:
        flash(_("%(email)s already had an account as “%(old)s”; it now reads “%(new)s” "
                "(recorded in the change log).", email=user.email, old=old_name,
                new=user.full_name), "info")


def invite_account_and_tell(form: Any, role: Role, then: Callable[[User, Any], None]
                            ) -> tuple[User, bool] | None:
    """A lecturer's or company contact's account from ``form`` (email, first and last
    name), ``then`` the rest of the change, committed together; afterwards a changed name
    is said and a new person is sent the link to set a password. Returns the user and
    whether the account existed, or None after saying why nothing was saved."""
    before = get_user_by_email(form.email.data)
    old_name = before.full_name if before is not None else None
    with committing(form, "email") as saved:
        user, token = invite_account(form.email.data, form.first_name.data,
                                     form.last_name.data, role, by=current_user)
        then(user, form)
        mail = send_account_invitation(user, token, role) if token is not None else None
    if not saved:
        return None
    say_renamed(user, old_name)
    if mail is not None and mail.state == Sending.FAILED:
        flash(_("The invitation could not be sent to: %(emails)s. Use “send again” "
                "later.", emails=user.email), "error")
    elif mail is not None and mail.state == Sending.QUEUED:
        flash(_("The invitation to %(email)s is being sent.", email=user.email), "info")
    return user, before is not None


@bp.route("/cohorts/<int:cohort_id>/roster", methods=["GET", "POST"])
def roster(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = InviteForm(course=cohort.course)
    if form.validate_on_submit():
        with committing(form, "email") as saved:
            invitation = invite_participant(
                cohort, filled(form.email.data), filled(form.first_name.data),
                filled(form.last_name.data),
                title_form=TitleForm(form.title_form.data), locale=Locale(form.language.data),
                by=current_user)
            mails = _send_all([invitation])
        if saved:
            _say_sent([invitation], mails)
            return redirect(url_for("coordinator.roster", cohort_id=cohort.id))
    return render_template("coordinator/roster.html", cohort=cohort, form=form,
                           roster=list_roster(cohort), upload=RosterUploadForm(),
                           contact_form=ContactForm(), action=ConfirmForm())


@bp.route("/cohorts/<int:cohort_id>/enrollments/<int:enrollment_id>/edit",
          methods=["GET", "POST"])
def participant_edit(cohort_id: int, enrollment_id: int) -> ResponseReturnValue:
    """Correct a participant's name and title form (audited); a certificate issued with
    the old ones can then be replaced by a corrected one."""
    enrollment = get_enrollment_or_404(current_user, cohort_id, enrollment_id)
    user = enrollment.user
    form = PersonForm(obj=user, course=enrollment.cohort.course)
    if not form.is_submitted():
        form.title_form.data = user.title_form.value
    if form.validate_on_submit():
        with committing(form, "first_name") as saved:
            changed = rename_user(user, filled(form.first_name.data), filled(form.last_name.data),
                                  title_form=TitleForm(form.title_form.data), by=current_user)
        if saved:
            if not changed:
                flash(_("Nothing was changed."), "info")
            else:
                flash(_("Saved: %(name)s.", name=user.full_name), "info")
                if _has_valid_certificate(enrollment):
                    flash(_("An issued certificate still shows the old data: the certificates "
                            "page offers a corrected one."), "info")
                    return redirect(url_for("coordinator.cohort_certificates",
                                            cohort_id=cohort_id))
            return redirect(url_for("coordinator.roster", cohort_id=cohort_id))
    return render_template("coordinator/person_form.html", cohort=enrollment.cohort,
                           enrollment=enrollment, form=form)


def _has_valid_certificate(enrollment: Enrollment) -> bool:
    return any(c.status == CertificateStatus.VALID
               for c in certificates_by_enrollment([enrollment.id])[enrollment.id])


@bp.post("/cohorts/<int:cohort_id>/enrollments/<int:enrollment_id>/resend")
def resend(cohort_id: int, enrollment_id: int) -> ResponseReturnValue:
    enrollment = get_enrollment_or_404(current_user, cohort_id, enrollment_id)
    if ConfirmForm().validate_on_submit():
        with committing() as saved:
            invitation = resend_invitation(enrollment, by=current_user)
            mails = _send_all([invitation])
        if saved:
            _say_sent([invitation], mails)
    return redirect(url_for("coordinator.roster", cohort_id=cohort_id))


@bp.post("/cohorts/<int:cohort_id>/enrollments/<int:enrollment_id>/withdraw")
def withdraw(cohort_id: int, enrollment_id: int) -> ResponseReturnValue:
    enrollment = get_enrollment_or_404(current_user, cohort_id, enrollment_id)
    if ConfirmForm().validate_on_submit():
        with committing() as saved:
            withdraw_enrollment(enrollment, by=current_user)
        if saved:
            flash(_("%(name)s has been withdrawn from the cohort.",
                    name=enrollment.user.full_name), "info")
    return redirect(url_for("coordinator.roster", cohort_id=cohort_id))


@bp.route("/cohorts/<int:cohort_id>/roster/import", methods=["GET", "POST"])
def roster_import(cohort_id: int) -> ResponseReturnValue:
    """Step 1: upload and check; a good file shows a preview, a bad one every problem."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = RosterUploadForm()
    parsed = csv_text = None
    if form.validate_on_submit():
        data = form.file.data.read()
        parsed = parse_roster(data, cohort)
        if parsed.ok:
            csv_text = data.decode("utf-8-sig")
    return render_template("coordinator/roster_import.html", cohort=cohort, form=form,
                           parsed=parsed, confirm=RosterConfirmForm(csv_text=csv_text))


@bp.post("/cohorts/<int:cohort_id>/roster/import/confirm")
def roster_import_confirm(cohort_id: int) -> ResponseReturnValue:
    """Step 2: the same file, checked again, is imported whole or not at all."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import. Please upload the file again."), "error")
        return redirect(url_for("coordinator.roster_import", cohort_id=cohort.id))
    with committing(report=False) as saved:
        invitations = import_roster(cohort, filled(form.csv_text.data).encode("utf-8"),
                                    by=current_user)
        mails = _send_all(invitations)
    if not saved:
        problems = saved.error.problems if isinstance(saved.error, RosterImportError) else None
        return render_template("coordinator/roster_import.html", cohort=cohort,
                               form=RosterUploadForm(), parsed=None, problems=problems,
                               confirm=None), 422
    _say_sent(invitations, mails)
    return redirect(url_for("coordinator.roster", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/contacts")
def contact_add(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = ContactForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("coordinator.roster", cohort_id=cohort.id))

    def follow(user: User, _form: FlaskForm) -> None:
        add_company_contact(cohort, user, by=current_user)

    invited = invite_account_and_tell(form, Role.COMPANY_CONTACT, follow)
    if invited is None:  # the refusal is on the form, which this page does not show again
        for field in form:
            for error in field.errors:
                flash(error, "error")
    else:
        flash(_("%(name)s can now follow the cohort.", name=invited[0].full_name), "info")
    return redirect(url_for("coordinator.roster", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/contacts/<int:user_id>/remove")
def contact_remove(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    user = get_user(user_id)
    if user is None or user not in cohort.contacts:
        abort(404)
    if ConfirmForm().validate_on_submit():
        with committing():
            remove_company_contact(cohort, user, by=current_user)
    return redirect(url_for("coordinator.roster", cohort_id=cohort.id))
