"""Invitations into a closed cohort: nobody joins without one from a coordinator.

Operations flush, never commit; the caller sends the email after the commit, so that
no message announces what was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Locale, Role, TitleForm, TokenPurpose, User
from lms.accounts.operations import create_user, get_user_by_email, grant_role, set_password
from lms.accounts.tokens import find_token, issue_token, use_token, withdraw_tokens
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.cohorts.operations import CohortError
from lms.db import utcnow
from lms.extensions import db


@dataclass(frozen=True)
class Invitation:
    enrollment: Enrollment
    token: str  # the secret of the emailed link; never stored


def invite_participant(
    cohort: Cohort, email: str, first_name: str, last_name: str, *,
    title_form: TitleForm = TitleForm.NEUTRAL, locale: Locale = Locale.DE,
    by: User | None = None,
) -> Invitation:
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, first_name, last_name, [Role.PARTICIPANT],
                           title_form=title_form, locale=locale, by=by)
    else:
        grant_role(user, Role.PARTICIPANT, by=by)
    existing = db.session.scalar(
        db.select(Enrollment).filter_by(cohort_id=cohort.id, user_id=user.id)
    )
    if existing is not None and existing.status != EnrollmentStatus.WITHDRAWN:
        raise CohortError(_l("%(email)s is already in this cohort.", email=user.email))
    now = utcnow()
    if existing is None:
        enrollment = Enrollment(cohort=cohort, user=user, status=EnrollmentStatus.INVITED,
                                invited_at=now)
        db.session.add(enrollment)
    else:  # invited again after a withdrawal
        enrollment = existing
        enrollment.status, enrollment.invited_at, enrollment.withdrawn_at = (
            EnrollmentStatus.INVITED, now, None)
    db.session.flush()
    token = issue_token(user, TokenPurpose.INVITATION, enrollment_id=enrollment.id, by=by)
    record_event(by, "enrollment.invited", enrollment, cohort_id=cohort.id,
                 after={"email": user.email, "name": user.full_name})
    return Invitation(enrollment, token)


def resend_invitation(enrollment: Enrollment, *, by: User | None = None) -> Invitation:
    """A fresh link; the earlier one stops working."""
    if enrollment.status != EnrollmentStatus.INVITED:
        raise CohortError(_l("Only open invitations can be sent again."))
    token = issue_token(enrollment.user, TokenPurpose.INVITATION,
                        enrollment_id=enrollment.id, by=by)
    enrollment.invited_at = utcnow()
    record_event(by, "enrollment.invitation_resent", enrollment, cohort_id=enrollment.cohort_id,
                 after={"email": enrollment.user.email})
    db.session.flush()
    return Invitation(enrollment, token)


def withdraw_enrollment(enrollment: Enrollment, *, by: User | None = None) -> None:
    """Withdraw an invitation or a participant. Records stay; the person no longer sees
    the cohort and an open link stops working."""
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise CohortError(_l("This person has already been withdrawn."))
    before = enrollment.status.value
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = utcnow()
    withdraw_tokens(enrollment.user, TokenPurpose.INVITATION, enrollment_id=enrollment.id)
    db.session.flush()
    record_event(by, "enrollment.withdrawn", enrollment, cohort_id=enrollment.cohort_id,
                 before={"status": before}, after={"status": "withdrawn"})


def invitation_for(token: str) -> Enrollment:
    """The enrollment an unused, unexpired invitation link is for (raises TokenError)."""
    record = find_token(token, TokenPurpose.INVITATION)
    enrollment = db.session.get(Enrollment, record.enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.INVITED:
        from lms.accounts.tokens import TokenError

        raise TokenError(_l("This invitation is no longer open."))
    return enrollment


def accept_invitation(
    token: str, *, title_form: TitleForm, locale: Locale, password: str | None = None,
) -> Enrollment:
    """Join the cohort from the emailed link: set the first password (a new account), the
    title form and the language. The link works once."""
    enrollment = invitation_for(token)
    user = enrollment.user
    if user.password_hash is None:
        if not password:
            raise CohortError(_l("Please choose a password."))
        set_password(user, password)
    use_token(token, TokenPurpose.INVITATION)
    user.title_form, user.locale = title_form, locale
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.activated_at = utcnow()
    db.session.flush()
    record_event(user, "enrollment.accepted", enrollment, cohort_id=enrollment.cohort_id,
                 after={"title_form": title_form.value, "locale": locale.value})
    return enrollment


def send_invitation(invitation: Invitation) -> None:
    """Email the link, in the invitee's language (raises MailError)."""
    from babel.dates import format_date

    from lms.mail import send_to_user
    from lms.urls import external_url

    enrollment = invitation.enrollment
    user = enrollment.user
    expires = find_token(invitation.token, TokenPurpose.INVITATION).expires_at
    send_to_user(
        user, "invitation", cohort=enrollment.cohort,
        link=external_url("public.invitation", token=invitation.token),
        expires=format_date(expires.date(), "long", locale=str(user.locale)),
    )
