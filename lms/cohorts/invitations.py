"""Invitations into a closed cohort: nobody joins without one from a coordinator.

Operations flush, never commit; the caller hands the email over (``send_invitation``)
before the commit, and it leaves only once the transaction has committed, so that no
message announces what was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Locale, Role, TitleForm, TokenPurpose, User
from lms.accounts.operations import (
    AccountError,
    create_user,
    get_user_by_email,
    grant_role,
    rename_user,
    set_password,
)
from lms.accounts.tokens import find_token, issue_token, use_token, withdraw_tokens
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.cohorts.operations import CohortError
from lms.db import utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.mail import Outgoing


@dataclass(frozen=True)
class Invitation:
    enrollment: Enrollment
    token: str  # the secret of the emailed link; never stored
    # The name the existing account had, when the invitation gave it another one (the
    # account now carries the name the coordinator typed; the caller says so).
    renamed_from: str | None = None


def invite_participant(
    cohort: Cohort, email: str, first_name: str, last_name: str, *,
    title_form: TitleForm = TitleForm.NEUTRAL, locale: Locale = Locale.DE,
    by: User | None = None,
) -> Invitation:
    """Invite a person into a closed cohort. Someone who has an account already keeps it
    (one account per person); a different name typed here replaces the account's name,
    audited and reported back in ``renamed_from``: the coordinator's list is the newer
    word, and nothing is kept silently. The title form is the invitee's to confirm."""
    user = get_user_by_email(email)
    known = user is not None
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
    renamed_from = None
    if known:  # after the enrollment exists, so that this cohort's change log shows it too
        old_name = user.full_name
        try:
            if rename_user(user, first_name, last_name, by=by):
                renamed_from = old_name
        except AccountError as error:
            raise CohortError(error.message) from error
    token = issue_token(user, TokenPurpose.INVITATION, enrollment_id=enrollment.id, by=by)
    record_event(by, "enrollment.invited", enrollment, cohort_id=cohort.id,
                 after={"email": user.email, "name": user.full_name})
    return Invitation(enrollment, token, renamed_from)


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


@dataclass(frozen=True)
class OpenInvitation:
    """What an unused, unexpired invitation link leads to: a place in a cohort, or (for
    lecturers and company contacts) just the account."""

    user: User
    enrollment: Enrollment | None


def invitation_for(token: str) -> OpenInvitation:
    """Raises TokenError for a link that cannot be used (any more)."""
    from lms.accounts.tokens import TokenError

    record = find_token(token, TokenPurpose.INVITATION)
    if record.enrollment_id is None:
        return OpenInvitation(record.user, None)
    enrollment = db.session.get(Enrollment, record.enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.INVITED:
        raise TokenError(_l("This invitation is no longer open."))
    return OpenInvitation(enrollment.user, enrollment)


def accept_invitation(
    token: str, *, title_form: TitleForm, locale: Locale, password: str | None = None,
) -> OpenInvitation:
    """Join from the emailed link: set the first password (a new account), the title form
    and the language. The link works once."""
    invitation = invitation_for(token)
    user, enrollment = invitation.user, invitation.enrollment
    if user.password_hash is None:
        if not password:
            raise CohortError(_l("Please choose a password."))
        set_password(user, password)
    use_token(token, TokenPurpose.INVITATION)
    user.title_form, user.locale = title_form, locale
    if enrollment is not None:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.activated_at = utcnow()
    db.session.flush()
    record_event(user, "invitation.accepted", enrollment or user,
                 cohort_id=enrollment.cohort_id if enrollment else None,
                 after={"title_form": title_form.value, "locale": locale.value})
    return invitation


def invite_account(
    email: str, first_name: str, last_name: str, role: Role, *, locale: Locale = Locale.DE,
    by: User | None = None,
) -> tuple[User, str | None]:
    """An account for a lecturer or company contact. A new person gets a link to set a
    password (the token); someone with an account already gets the role only (None), and
    the name typed here if it differs (audited; the caller says so, as for participants)."""
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, first_name, last_name, [role], locale=locale, by=by)
    else:
        try:
            rename_user(user, first_name, last_name, by=by)
        except AccountError as error:
            raise CohortError(error.message) from error
    grant_role(user, role, by=by)
    if user.password_hash is not None:
        return user, None
    return user, issue_token(user, TokenPurpose.INVITATION, by=by)


def send_account_invitation(user: User, token: str, role: Role) -> Outgoing:
    """Mail the link to set a password, in the person's language, once the transaction
    commits (call it before the commit)."""
    from lms.mail import OneTimeLink, send_later

    record = find_token(token, TokenPurpose.INVITATION)
    return send_later(user, "account_invitation", role=role,
                      link=OneTimeLink(record.id, "public.invitation"),
                      expires=_long_date(record.expires_at, user))


def send_invitation(invitation: Invitation) -> Outgoing:
    """Mail the link, in the invitee's language, once the transaction commits (call it
    before the commit): by a worker, or at once without Redis. The mail carries the
    token's row, never its secret (:class:`lms.mail.OneTimeLink`)."""
    from lms.mail import OneTimeLink, send_later

    enrollment = invitation.enrollment
    user = enrollment.user
    record = find_token(invitation.token, TokenPurpose.INVITATION)
    return send_later(user, "invitation", cohort=enrollment.cohort,
                      link=OneTimeLink(record.id, "public.invitation"),
                      expires=_long_date(record.expires_at, user))


def _long_date(instant: datetime, user: User) -> str:
    from babel.dates import format_date

    return format_date(instant.date(), "long", locale=str(user.locale))
