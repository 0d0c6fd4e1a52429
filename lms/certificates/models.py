"""Issued certificates: frozen files, verifiable by code, revoked but never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Enrollment


class CertificateKind(LabelledEnum):
    CERTIFICATE = "certificate", _l("certificate")  # Zertifikat: every rule met
    # Teilnahmebescheinigung: attendance met, assessment not.
    CONFIRMATION = "confirmation", _l("confirmation of participation")


class CertificateStatus(LabelledEnum):
    # Reserved with its serial and code, not rendered yet (a job renders it): not valid
    # until its PDF is stored. It keeps its serial whatever happens, so no gap can arise.
    PENDING = "pending", _l("being issued")
    VALID = "valid", _l("valid")
    REVOKED = "revoked", _l("revoked")


class Certificate(Model):
    __tablename__ = "certificate"
    # The issued PDF is in this storage area under ``stored_name``, with ``sha256``.
    storage_area: ClassVar[str] = "certificates"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'valid') "
            "OR (revoked_at IS NOT NULL AND length(trim(revoked_reason)) > 0)",
            name="revocation_complete",
        ),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        # Only a reserved certificate has no file yet; every other one has its PDF.
        # Rendered unless pending: its fingerprint is known (the file too, unless an erasure
        # removed it: the verification record keeps the SHA-256, not the PDF).
        sa.CheckConstraint("status = 'pending' OR sha256 IS NOT NULL",
                           name="hashed_unless_pending"),
        sa.CheckConstraint("stored_name IS NULL OR sha256 IS NOT NULL",
                           name="stored_file_hashed"),
        # Only a revoked document can have been replaced by a corrected one.
        sa.CheckConstraint("replaced_by_id IS NULL OR status = 'revoked'",
                           name="replaced_only_when_revoked"),
        # At most one valid (or reserved) certificate of each kind per enrollment;
        # revoked ones stay.
        sa.Index(
            "uq_certificate_one_valid",
            "enrollment_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'valid')"),
            postgresql_where=sa.text("status IN ('pending', 'valid')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind, "kind"))
    serial: Mapped[str] = mapped_column(sa.String(40), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Both None while the certificate is pending (reserved, not rendered yet); the file
    # (only) None again once an erasure removed it: its SHA-256 stays, so that a copy held
    # by anyone is still recognised.
    stored_name: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    design: Mapped[str] = mapped_column(sa.String(80))
    language: Mapped[str] = mapped_column(sa.String(5))
    # As printed on the PDF, for the verification page: a later change of name or of the
    # course title must not make the page disagree with the paper. (None: issued before
    # these were kept; the page then shows the current values.)
    holder_name: Mapped[str | None] = mapped_column(sa.String(241))
    course_title: Mapped[str | None] = mapped_column(sa.String(200))
    provider: Mapped[str | None] = mapped_column(sa.String(200))
    # The hours as printed: the course's, and (for a confirmation of participation) those
    # attended, in minutes. Part of the verification record that outlives an erasure.
    course_hours: Mapped[int | None]
    attended_minutes: Mapped[int | None]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[CertificateStatus] = mapped_column(
        enum_type(CertificateStatus, "status"), default=CertificateStatus.VALID
    )
    # The job that renders a pending certificate (its batch), for the progress page.
    job_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("background_job.id", ondelete="SET NULL"), index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The corrected document that superseded this one (issue_corrected_certificate).
    replaced_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate.id", ondelete="RESTRICT")
    )

    enrollment: Mapped[Enrollment] = relationship()
    replaced_by: Mapped[Certificate | None] = relationship(remote_side=[id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class CertificateCounter(Model):
    """The last serial number given per course and year: updated in the issuing transaction
    so that serials stay gap-free, with the unique serial as the final guard."""

    __tablename__ = "certificate_counter"
    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="not_negative"),)

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="RESTRICT"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
