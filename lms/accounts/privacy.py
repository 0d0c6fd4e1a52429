"""The personal data of accounts: who a person is, how they log in, a lecturer's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.privacy.erasure import ErasureContext
    from lms.privacy.export import AreaExport
    from lms.privacy.purge import PurgeContext

NAMING = _l("naming the person on pages, in lists, mails and certificates")

TABLES = (
    table(
        "user_account",
        personal("email", C.CONTACT,
                 _l("logging in; invitations, password resets and notices by e-mail"),
                 B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("first_name", C.IDENTITY, NAMING, B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("last_name", C.IDENTITY, NAMING, B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("title_form", C.IDENTITY,
                 _l("the form of the course title their certificate names them with "
                    "(their choice)"), B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("locale", C.ACCOUNT, _l("the language of pages and mails (their choice)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("password_hash", C.ACCOUNT,
                 _l("logging in (an argon2id hash; the password itself is never stored)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("is_active_account", C.ACCOUNT, _l("whether the account may log in"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("last_login_at", C.ACCOUNT, _l("security: when the account was last used"),
                 B.LEGITIMATE_INTEREST, R.ACCOUNT, E.DELETE),
        key=("id",), bookkeeping=("created_at", "updated_at", "erased_at"),
    ),
    table(
        "user_role",
        personal("role", C.ACCOUNT, _l("what the person may see and do"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("user_id",),
    ),
    table(
        "lecturer_profile",
        *(personal(column, C.PROFILE,
                   _l("introducing the lecturer to participants and the coordination"),
                   B.CONTRACT, R.ACCOUNT, E.DELETE)
          for column in ("affiliation", "job_title", "bio", "expertise")),
        key=("user_id",), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "one_time_token",
        personal("token_hash", C.ACCOUNT,
                 _l("the e-mailed link of an invitation or a password reset (only its "
                    "SHA-256 is stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("used_at", C.ACCOUNT, _l("using each link once only"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "enrollment_id", "created_by_id"),
        bookkeeping=("created_at", "expires_at", "withdrawn_at"),
        technical=("purpose",),
    ),
    table(
        "user_session",
        personal("token_hash", C.ACCOUNT,
                 _l("a log-in that logging out really ends (only its SHA-256 is stored)"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("created_at", C.ACCOUNT, _l("security: when a session began"),
                 B.LEGITIMATE_INTEREST, R.LOGIN_RECORDS, E.DELETE),
        personal("last_seen_at", C.ACCOUNT,
                 _l("ending a session after a time without use"),
                 B.LEGITIMATE_INTEREST, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id"), bookkeeping=("revoked_at",),
    ),
)


def erase(context: ErasureContext) -> None:
    """The account stays as the pseudonymous anchor of what must be kept: its name becomes
    the pseudonym, its address an unusable one; everything else about it goes."""
    import secrets

    import sqlalchemy as sa

    from lms.accounts.models import Locale, OneTimeToken, TitleForm, UserSession
    from lms.extensions import db
    from lms.privacy.erasure import delete_rows

    user = context.user
    context.note(user)
    for model in (OneTimeToken, UserSession):
        gone = delete_rows(sa.delete(model).where(model.user_id == user.id))
        context.count(model.__tablename__, gone)
    if user.lecturer_profile is not None:
        db.session.delete(user.lecturer_profile)
        user.lecturer_profile = None
    user.roles.clear()
    user.first_name, user.last_name = "–", context.pseudonym
    user.email = f"erased-{secrets.token_hex(8)}@erased.invalid"
    user.title_form, user.locale = TitleForm.NEUTRAL, Locale.DE
    user.password_hash, user.is_active_account, user.last_login_at = None, False, None
    user.erased_at = context.now


def export(person: User) -> AreaExport:
    """The account, its roles, a lecturer's profile, sessions and links (their secret
    hashes withheld)."""
    import sqlalchemy as sa

    from lms.accounts.models import OneTimeToken, UserSession
    from lms.extensions import db
    from lms.privacy.export import AreaExport, personal, record

    exported = AreaExport(_l("Your account"))
    exported.add("user_account", [personal(person, full_name=person.full_name)])
    exported.add("user_role", [{"role": role} for role in sorted(person.role_set)])
    if person.lecturer_profile is not None:
        exported.add("lecturer_profile", [personal(person.lecturer_profile)])
    exported.add("user_session", [
        record(s, ["created_at", "last_seen_at", "revoked_at"])
        for s in db.session.scalars(sa.select(UserSession).where(
            UserSession.user_id == person.id).order_by(UserSession.id))])
    exported.add("one_time_token", [
        record(t, ["purpose", "created_at", "expires_at", "used_at", "withdrawn_at"])
        for t in db.session.scalars(sa.select(OneTimeToken).where(
            OneTimeToken.user_id == person.id).order_by(OneTimeToken.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """Sessions and e-mailed links past LOGIN_RECORDS; accounts of participants and
    company contacts past ACCOUNT (their last cohort over): erased as on request."""
    from datetime import date
    from typing import cast

    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.accounts.models import OneTimeToken, Role, User, UserRole, UserSession
    from lms.cohorts.models import Cohort, Enrollment, cohort_contact
    from lms.extensions import db
    from lms.privacy.erasure import erase_person

    cutoff = context.cutoff(R.LOGIN_RECORDS)
    ended = [
        (UserSession, sa.or_(UserSession.revoked_at < cutoff, UserSession.last_seen_at < cutoff),
         _l("log-in sessions")),
        (OneTimeToken, sa.or_(OneTimeToken.expires_at < cutoff, OneTimeToken.used_at < cutoff,
                              OneTimeToken.withdrawn_at < cutoff), _l("e-mailed links")),
    ]
    for model, condition, what in ended:
        context.delete_where(R.LOGIN_RECORDS, what, model, condition)

    over = context.ended_before(R.ACCOUNT)
    staff = sa.exists().where(UserRole.user_id == User.id,
                              UserRole.role.in_([Role.COORDINATOR, Role.LECTURER]))
    last_enrolled = (sa.select(sa.func.max(Cohort.ends_on)).join(Enrollment)
                     .where(Enrollment.user_id == User.id).scalar_subquery())
    last_followed = (sa.select(sa.func.max(Cohort.ends_on))
                     .join(cohort_contact, cohort_contact.c.cohort_id == Cohort.id)
                     .where(cohort_contact.c.user_id == User.id).scalar_subquery())
    # The latest end of a cohort the person took part in, and of one they followed (None:
    # none at all).
    rows = cast("list[tuple[User, date | None, date | None]]", db.session.execute(
        sa.select(User, last_enrolled, last_followed).where(
            User.erased_at.is_(None), ~staff)).all())
    due = []
    for user, enrolled, followed in rows:
        ends = [d for d in (enrolled, followed) if d is not None]
        if (max(ends) < over) if ends else user.created_at < context.cutoff(R.ACCOUNT):
            due.append(user)
    context.found(R.ACCOUNT, _l("accounts erased"), len(due))
    if context.apply:
        for user in due:
            erase_person(user, reason=str(_l("retention period of the account over")),
                         by=None, periods=context.periods, now=context.now)
