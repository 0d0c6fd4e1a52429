"""A person's own account (name, title form, language), password reset and invitations:
the ways into an account without self-registration."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import Locale, Role, TitleForm, TokenPurpose
from lms.accounts.operations import rename_user, request_password_reset, reset_password
from lms.accounts.passwords import PasswordPolicyError
from lms.accounts.tokens import LIFETIME, TokenError, find_token
from lms.addresses import request_client_network
from lms.certificates.models import CertificateStatus
from lms.certificates.queries import list_user_certificates
from lms.cohorts.invitations import accept_invitation, invitation_for
from lms.i18n import duration_text
from lms.mail import OneTimeLink, send_later
from lms.web.fields import add_error, filled
from lms.web.public import bp
from lms.web.public.forms import (
    AcceptInvitationForm,
    AccountForm,
    AccountInvitationForm,
    DataExportForm,
    ErasureRequestForm,
    InvitationForm,
    NewPasswordForm,
    PasswordForgotForm,
)
from lms.web.public.login_throttle import account_key, remember_device
from lms.web.public.views import log_in
from lms.web.saving import committing
from lms.web.throttling import limited


def _reset_place_key() -> str:
    """One address asking for one account's link: what an attacker elsewhere cannot use up."""
    return f"reset:{account_key(request.form.get('email', ''))}:{request_client_network()}"


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    """Everyone corrects their own name here; participants also the title form their
    certificate names them with. Changes are audited like a coordinator's."""
    user = current_user._get_current_object()
    participant = user.has_role(Role.PARTICIPANT)
    # The title forms as the course of the latest enrollment writes them.
    latest = max(user.enrollments, key=lambda e: e.id, default=None)
    form = AccountForm(data={"first_name": user.first_name, "last_name": user.last_name,
                             "title_form": user.title_form.value,
                             "language": user.locale.value},
                       course=latest.cohort.course if latest is not None else None)
    if not participant:
        del form.title_form
    if form.validate_on_submit():
        with committing(form, "first_name") as saved:
            changed = rename_user(
                user, filled(form.first_name.data), filled(form.last_name.data), by=user,
                title_form=TitleForm(form.title_form.data) if participant else None)
            user.locale = Locale(form.language.data)
        if saved:
            flash(_("Your details are saved."), "info")
            issued = [c for c in list_user_certificates(user)
                      if c.status == CertificateStatus.VALID]
            if changed and issued:
                flash(_("Documents already issued show your details as they were then. The "
                        "coordination can issue a corrected one; please ask them."), "info")
            return redirect(url_for("public.account"))
    from lms.privacy.queries import latest_request, list_exports

    return render_template("public/account.html", form=form, user=user,
                           participant=participant, erasure=latest_request(user),
                           erasure_form=ErasureRequestForm(), exports=list_exports(user),
                           export_form=DataExportForm())


@bp.route("/password/forgot", methods=["GET", "POST"])
@limited("5 per hour", page="password_reset", methods=["POST"], key_func=_reset_place_key)
@limited("100 per hour", page="password_reset", methods=["POST"])
def password_forgot() -> ResponseReturnValue:
    """Throttled per address and account, so that nobody elsewhere can use up anyone's
    resets; how many mails one account receives is capped by request_password_reset."""
    form = PasswordForgotForm()
    if form.validate_on_submit():
        with committing():
            found = request_password_reset(filled(form.email.data))
            if found is not None:
                user, token = found
                # Sent by a worker once this commits; a failed delivery is logged there:
                # the answer must not reveal whether the address has an account.
                send_later(user, "password_reset", link=OneTimeLink.of(
                    token, TokenPurpose.PASSWORD_RESET, "public.password_reset"))
        # The same answer whether or not the address has an account.
        flash(_("If an account exists for this address, a link to reset the password is "
                "on its way. It is valid for %(duration)s.",
                duration=duration_text(LIFETIME[TokenPurpose.PASSWORD_RESET])), "info")
        return redirect(url_for("public.login"))
    return render_template("public/password_forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> ResponseReturnValue:
    try:
        find_token(token, TokenPurpose.PASSWORD_RESET)
    except TokenError as error:
        return render_template("public/link_invalid.html", message=error.message), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        with committing(form, "password", report=False) as saved:
            user = reset_password(token, filled(form.password.data))
        if isinstance(saved.error, TokenError):
            return render_template("public/link_invalid.html", message=saved.message), 404
        if not saved:
            add_error(form.password, saved.message)
        else:
            # Whoever holds the mailbox may log in here, however the login is throttled.
            remember_device(user.email)
            flash(_("Your password has been changed. Please log in."), "info")
            return redirect(url_for("public.login"))
    return render_template("public/password_reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = invitation_for(token)
    except TokenError as error:
        return render_template("public/link_invalid.html", message=error.message), 404
    user, enrollment = invitation.user, invitation.enrollment
    new_account = user.password_hash is None
    form_class: type[AccountInvitationForm | InvitationForm | AcceptInvitationForm]
    if enrollment is None:
        form_class = AccountInvitationForm
    else:
        form_class = InvitationForm if new_account else AcceptInvitationForm
    form = form_class(data={"title_form": user.title_form.value, "language": user.locale.value},
                      course=enrollment.cohort.course if enrollment is not None else None)
    if form.validate_on_submit():
        title_form = (form.title_form.data if enrollment is not None
                      and not isinstance(form, AccountInvitationForm) else user.title_form)
        with committing(form, "password", report=False) as saved:
            accept_invitation(
                token, title_form=TitleForm(title_form),
                locale=Locale(form.language.data),
                password=(form.password.data if new_account
                          and not isinstance(form, AcceptInvitationForm) else None),
            )
            if new_account:
                log_in(user)
        if isinstance(saved.error, PasswordPolicyError) and isinstance(form, NewPasswordForm):
            add_error(form.password, saved.message)
        elif not saved:
            return render_template("public/link_invalid.html", message=saved.message), 404
        else:
            if enrollment is not None:
                flash(_("Welcome to %(cohort)s!", cohort=enrollment.cohort.name), "info")
            return redirect(url_for("public.index") if new_account else url_for("public.login"))
    return render_template("public/invitation.html", form=form, enrollment=enrollment,
                           user=user, new_account=new_account)
