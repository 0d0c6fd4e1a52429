"""People: one account per person, whatever roles they hold."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.cohorts.models import Enrollment


class Role(LabelledEnum):
    COORDINATOR = "coordinator", _l("coordinator")
    LECTURER = "lecturer", _l("lecturer")
    PARTICIPANT = "participant", _l("participant")
    COMPANY_CONTACT = "company_contact", _l("company contact")


class TitleForm(LabelledEnum):
    """The form of the course title a person is named with on their certificate. Where a
    course is known, a choice shows its title in that form (``Course.title_for``); the
    label names the form without a course."""

    NEUTRAL = "neutral", _l("gender-neutral form (with the gender star)")  # Manager*in
    FEMALE = "female", _l("female form")  # Social Media Managerin
    MALE = "male", _l("male form")  # Social Media Manager


class Locale(LabelledEnum):
    """A language of the site, mails and certificates, named in itself (never translated:
    whoever looks for their language finds it in the words they read)."""

    DE = "de", "Deutsch"
    EN = "en", "English"


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user_account"
    __table_args__ = (
        # Stored lower-case, so the unique constraint is case-insensitive on every backend.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("length(trim(first_name)) > 0", name="first_name_not_blank"),
        sa.CheckConstraint("length(trim(last_name)) > 0", name="last_name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(120))
    last_name: Mapped[str] = mapped_column(sa.String(120))
    title_form: Mapped[TitleForm] = mapped_column(
        enum_type(TitleForm, "title_form"), default=TitleForm.NEUTRAL
    )
    locale: Mapped[Locale] = mapped_column(enum_type(Locale, "locale"), default=Locale.DE)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Set by an erasure (lms.privacy.erasure): the row stays as the pseudonymous anchor of
    # what must be kept (exam records, certificate stubs); its last name is the pseudonym.
    erased_at: Mapped[datetime | None]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    lecturer_profile: Mapped[LecturerProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="user")

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(_l("erased person %(pseudonym)s", pseudonym=self.last_name))
        return f"{self.first_name} {self.last_name}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.is_active_account

    def has_role(self, role: Role) -> bool:
        return role in self.role_set

    @property
    def role_set(self) -> frozenset[Role]:
        known: frozenset[Role] | None = self.__dict__.get(_ROLES_READ)
        return known if known is not None else frozenset(r.role for r in self.roles)

    def remember_roles(self, roles: frozenset[Role]) -> None:
        """The roles as read together with the user (the session lookup reads both in one
        statement): asked for again without loading :attr:`roles`. Forgotten when the
        collection changes or the user is expired or refreshed."""
        self.__dict__[_ROLES_READ] = roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


_ROLES_READ = "_lms_roles_read"


def _forget_roles(target: User | None, *_args: object) -> None:
    if target is not None:  # (None: an instance already collected)
        target.__dict__.pop(_ROLES_READ, None)


for _event in ("append", "remove", "bulk_replace"):
    sa.event.listen(User.roles, _event, _forget_roles)
for _event in ("expire", "refresh"):
    sa.event.listen(User, _event, _forget_roles)


def normalise_email(value: str) -> str:
    return value.strip().lower()


class UserRole(Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


# A lecturer's short biography (a TEXT column) and fields of expertise (a JSON list): the
# longest the profile form takes.
BIO_MAX = 3000
EXPERTISE_MAX = 500


class LecturerProfile(TimestampMixin, Model):
    """What participants and the coordinator should know about a practitioner."""

    __tablename__ = "lecturer_profile"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    expertise: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    user: Mapped[User] = relationship(back_populates="lecturer_profile")


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"  # set a first password and confirm name form and language
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)


class OneTimeToken(Model):
    """A single-use, expiring link sent by email. Only the token's SHA-256 is stored."""

    __tablename__ = "one_time_token"
    __table_args__ = (
        sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose, "purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # The cohort an invitation is for (None for a password reset).
    enrollment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserSession(Model):
    """A server-side record of a login, so that logging out really ends it: a copied
    session cookie names a revoked row and no longer works."""

    __tablename__ = "user_session"
    __table_args__ = (sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
