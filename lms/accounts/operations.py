"""Changes to accounts. Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from lms.accounts.errors import AccountError
from lms.accounts.models import (
    LecturerProfile,
    Locale,
    Role,
    TitleForm,
    TokenPurpose,
    User,
    UserRole,
)
from lms.accounts.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from lms.accounts.queries import get_user_by_email
from lms.accounts.sessions import end_all_sessions
from lms.accounts.tokens import count_recent_tokens, issue_token, use_token, withdraw_tokens
from lms.audit.operations import record_event
from lms.db import max_length, unique_or, utcnow
from lms.extensions import db

__all__ = ["AccountError", "PasswordPolicyError", "get_user_by_email"]

# Reset mails one account receives at most per hour, however many addresses ask.
RESET_MAILS_PER_HOUR = 5


def create_user(
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role] = (),
    *,
    password: str | None = None,
    title_form: TitleForm = TitleForm.NEUTRAL,
    locale: Locale = Locale.DE,
    by: User | None = None,
) -> User:
    taken = AccountError(_l("An account for %(email)s already exists.",
                            email=email.strip().lower()), field="email")
    if get_user_by_email(email) is not None:
        raise taken
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title_form=title_form,
        locale=locale,
    )
    user.roles = [UserRole(role=role) for role in dict.fromkeys(roles)]
    if password is not None:
        set_password(user, password)
    with unique_or(db.session, taken):
        db.session.add(user)
    record_event(by, "user.created", user,
                 after={"email": user.email, "roles": sorted(r.value for r in user.role_set)})
    return user


def grant_role(user: User, role: Role, *, by: User | None = None) -> None:
    if not user.has_role(role):
        user.roles.append(UserRole(role=role))
        db.session.flush()
        record_event(by, "user.role_granted", user, after={"role": role.value})
    if role == Role.LECTURER and user.lecturer_profile is None:
        user.lecturer_profile = LecturerProfile()
    db.session.flush()


def update_lecturer_profile(user: User, *, affiliation: str, job_title: str, bio: str,
                            expertise: list[str], by: User | None = None) -> LecturerProfile:
    """What participants and the coordinator read about a practitioner; audited when it
    changes. ``expertise``: the fields, blanks dropped."""
    profile = user.lecturer_profile or LecturerProfile(user=user)
    before = _profile_state(profile)
    profile.affiliation, profile.job_title = affiliation.strip(), job_title.strip()
    profile.bio = bio.strip()
    profile.expertise = [e.strip() for e in expertise if e.strip()]
    after = _profile_state(profile)
    db.session.flush()
    if before != after:
        record_event(by, "lecturer_profile.updated", user, before=before, after=after)
    return profile


def _profile_state(profile: LecturerProfile) -> dict[str, object]:
    return {"affiliation": profile.affiliation, "job_title": profile.job_title,
            "bio": profile.bio, "expertise": list(profile.expertise or [])}


# The longest first or last name: the columns' length.
NAME_MAX = min(max_length(User.first_name), max_length(User.last_name))


def rename_user(
    user: User, first_name: str, last_name: str, *, title_form: TitleForm | None = None,
    by: User | None = None,
) -> dict[str, tuple[str, str]]:
    """Correct a person's name (and, given, the title form their certificate names them
    with). Every change is audited, in the change log of each cohort the person belongs
    to, since each of those prints the name. Returns what changed: field → (before,
    after); empty when nothing did. Certificates already issued keep what they printed."""
    from lms.cohorts.models import Enrollment

    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first or not last:
        raise AccountError(_l("Please enter both the first and the last name."))
    if len(first) > NAME_MAX or len(last) > NAME_MAX:
        raise AccountError(lazy_ngettext("A name may have at most %(num)s character.",
                                         "A name may have at most %(num)s characters.", NAME_MAX))
    before = {"first_name": user.first_name, "last_name": user.last_name,
              "title_form": user.title_form.value}
    user.first_name, user.last_name = first, last
    if title_form is not None:
        user.title_form = title_form
    after = {"first_name": user.first_name, "last_name": user.last_name,
             "title_form": user.title_form.value}
    changed = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
    if not changed:
        return changed
    db.session.flush()
    cohort_ids = sorted(set(db.session.scalars(
        sa.select(Enrollment.cohort_id).where(Enrollment.user_id == user.id))))
    cohorts: list[int | None] = [*cohort_ids] or [None]  # (an event without a cohort if none)
    for cohort_id in cohorts:
        record_event(by, "user.renamed", user, cohort_id=cohort_id,
                     before={k: old for k, (old, _new) in changed.items()},
                     after={k: new for k, (_old, new) in changed.items()})
    return changed


def set_password(user: User, password: str) -> None:
    """Raises :class:`PasswordPolicyError` for a weak password."""
    check_password_policy(password, (user.email or "", user.first_name or "",
                                     user.last_name or ""))
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown address and wrong password look
    the same from outside, in answer and in time."""
    user = get_user_by_email(email)
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    db.session.flush()
    # A login is not a change to the person: updated_at (which dates names, e.g. a
    # lecturer's in calendar feeds) stays as it was.
    db.session.execute(
        sa.update(User).where(User.id == user.id)
        .values(last_login_at=utcnow(), updated_at=User.updated_at),
        execution_options={"synchronize_session": "fetch"},
    )
    return user


def request_password_reset(email: str) -> tuple[User, str] | None:
    """A reset link for an active account with this address, or None (the caller
    answers the same either way).

    Asking again does not withdraw the links sent before: otherwise whoever asks for the
    holder's address again and again would make every link useless before it is used.
    Instead the account receives at most ``RESET_MAILS_PER_HOUR`` links an hour; past that
    nothing more is sent, and the links already in the mailbox (valid for their
    ``LIFETIME``) still work."""
    user = get_user_by_email(email)
    if user is None or not user.is_active or user.password_hash is None:
        return None
    since = utcnow() - timedelta(hours=1)
    if count_recent_tokens(user, TokenPurpose.PASSWORD_RESET, since) >= RESET_MAILS_PER_HOUR:
        return None
    return user, issue_token(user, TokenPurpose.PASSWORD_RESET, keep_earlier=True)


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once, and every session of the
    account ends. Raises TokenError or PasswordPolicyError."""
    from lms.accounts.tokens import find_token

    user = find_token(token, TokenPurpose.PASSWORD_RESET).user
    set_password(user, password)
    use_token(token, TokenPurpose.PASSWORD_RESET)
    withdraw_tokens(user, TokenPurpose.PASSWORD_RESET)  # its other reset links
    end_all_sessions(user)
    record_event(None, "user.password_reset", user)
    db.session.flush()
    return user
