"""The credential issued with each certificate, and the status lists that revoke them.

A credential is signed once, at issue, and stored exactly as its PDF embeds it (frozen
like the PDF). Whether it is revoked is not stored here: it is the certificate's status,
which the status list shows as one bit at the credential's index.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import utcnow
from lms.extensions import Model

if TYPE_CHECKING:
    from lms.certificates.models import Certificate

# The Bitstring Status List specification's minimum length (16 KB): a list this long
# hides who a verifier asks about among many (herd privacy).
MIN_LIST_SIZE = 131_072


class CredentialStatusList(Model):
    """One Bitstring Status List: its signed credential is served at a stable address and
    re-signed whenever one of its bits changes."""

    __tablename__ = "credential_status_list"
    __table_args__ = (
        sa.CheckConstraint(f"size >= {MIN_LIST_SIZE} AND size % 8 = 0", name="size_minimum"),
        sa.CheckConstraint("purpose IN ('revocation')", name="purpose_known"),
        sa.CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="revocation")
    size: Mapped[int] = mapped_column(default=MIN_LIST_SIZE)
    # Raised in the transaction that changes a bit: concurrent revokers wait on this row.
    version: Mapped[int] = mapped_column(default=0)
    # The signed BitstringStatusListCredential as served (JSON text).
    document: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateCredential(Model):
    __tablename__ = "certificate_credential"
    __table_args__ = (
        # Each index of a list belongs to one credential only.
        sa.UniqueConstraint("status_list_id", "status_index"),
        sa.CheckConstraint("status_index >= 0", name="status_index_not_negative"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate.id", ondelete="RESTRICT"), unique=True)
    # The credential's "id" (urn:uuid:…).
    credential_uri: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # The signed credential exactly as issued and embedded in the PDF (JSON text); empty
    # once an erasure removed it, when content_sha256 still recognises its content.
    document: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # SHA-256 of the credential's JSON with sorted keys and no spaces (set by an erasure):
    # a copy formatted differently is still recognised as the credential issued.
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    verification_method: Mapped[str] = mapped_column(sa.String(300))
    status_list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_status_list.id", ondelete="RESTRICT"))
    status_index: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate] = relationship(
        backref=sa.orm.backref("credential", uselist=False))
    status_list: Mapped[CredentialStatusList] = relationship()
