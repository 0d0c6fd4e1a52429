"""A person's request to have their data erased, the coordination's decision, and the
copies of a person's data they asked for."""

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


class ErasureDecision(LabelledEnum):
    PENDING = "pending", _l("waiting for a decision")
    ERASED = "erased", _l("carried out")
    REFUSED = "refused", _l("refused")


class ErasureRequest(Model):
    """Art. 17: a person asks, the coordination decides, with a reason, in the audit trail."""

    __tablename__ = "erasure_request"
    __table_args__ = (
        sa.CheckConstraint("decision = 'pending' OR (decided_at IS NOT NULL AND "
                           "length(trim(reason)) > 0)", name="decision_complete"),
        # One open request per person at a time.
        sa.Index("uq_erasure_request_one_pending", "user_id", unique=True,
                 sqlite_where=sa.text("decision = 'pending'"),
                 postgresql_where=sa.text("decision = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the person wrote with their request (optional).
    message: Mapped[str] = mapped_column(sa.String(1000), default="")
    decision: Mapped[ErasureDecision] = mapped_column(
        enum_type(ErasureDecision, "decision"), default=ErasureDecision.PENDING)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # The coordination's reason for its decision.
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ExportState(LabelledEnum):
    PENDING = "pending", _l("being prepared")
    READY = "ready", _l("ready")
    FAILED = "failed", _l("failed")


class DataExport(Model):
    """A copy of a person's data (Art. 15/20): one ZIP in the storage's exports area,
    kept for the EXPORTS retention period."""

    __tablename__ = "data_export"
    storage_area: ClassVar[str] = "data-exports"  # (a cohort export job's ZIP: "exports")
    __table_args__ = (
        sa.CheckConstraint("state != 'ready' OR (stored_name IS NOT NULL AND "
                           "finished_at IS NOT NULL)", name="ready_has_file"),
        sa.CheckConstraint("sha256 IS NULL OR length(sha256) = 64", name="sha256_length"),
        sa.CheckConstraint("done >= 0 AND (total IS NULL OR done <= total)",
                           name="progress_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    # The person themself, or the coordinator who made it for them.
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[ExportState] = mapped_column(enum_type(ExportState, "state"),
                                               default=ExportState.PENDING)
    finished_at: Mapped[datetime | None]
    stored_name: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    size_bytes: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    # Progress while it is prepared: steps done of the total (None: not known yet).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
