"""API tokens: a system's key to /api/v1, scoped by the role of whoever made it.

A token is shown once, when it is made; only its SHA-256 is stored (a leaked database
lists no working key), beside a short public key id that finds the row without comparing
secrets in the database. Tokens expire and can be revoked; a revoked one stays, for the
audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.certificates.standing import Standing
from lms.db import enum_type, utcnow
from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User


class TokenScope(LabelledEnum):
    """What a token may do. A company contact's token reads their cohorts' status (what
    their page shows); a coordinator's reads everything, and may also write."""

    COMPANY = "company", _l("company: cohorts, schedule and status")
    READ = "read", _l("university: read")
    WRITE = "write", _l("university: read and write")


# Scopes a coordinator chooses from; a company contact's token is always COMPANY.
UNIVERSITY_SCOPES = (TokenScope.READ, TokenScope.WRITE)


class ApiToken(Model):
    __tablename__ = "api_token"
    __table_args__ = (
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public part of the token ("lms_<key_id>_<secret>"), to find its row.
    key_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, "scope"))
    # The token acts for its owner: a company contact's reach, or a coordinator's. It
    # stops working when the owner loses the role or the account.
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def writes(self) -> bool:
        return self.scope == TokenScope.WRITE

    @property
    def university(self) -> bool:
        return self.scope in UNIVERSITY_SCOPES

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.key_id} {self.scope.value}>"


# --------------------------------------------------------------------------- webhooks


class WebhookScope(LabelledEnum):
    """Whose events a subscription hears, and how much of them: a company contact's
    hears their cohorts' events with the status only (what their token reads); a
    coordinator's hears every cohort's, with what a university token reads."""

    COMPANY = "company", _l("company: their cohorts, status only")
    UNIVERSITY = "university", _l("university: every cohort")


class WebhookEvent(LabelledEnum):
    """What a subscription can be told; the value is the payload's ``type``."""

    CERTIFICATE_ISSUED = "certificate.issued", _l("certificate issued")
    CERTIFICATE_REVOKED = "certificate.revoked", _l("certificate revoked")
    PARTICIPANT_AT_RISK = "participant.at_risk", _l("participant at risk")


class DeliveryState(LabelledEnum):
    PENDING = "pending", _l("waiting")
    SENDING = "sending", _l("being sent")
    DELIVERED = "delivered", _l("delivered")
    FAILED = "failed", _l("failed")
    # Not sent: the subscription's owner may no longer receive it (role or account gone).
    STOPPED = "stopped", _l("stopped")

    @property
    def final(self) -> bool:
        return self in (DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.STOPPED)


class WebhookSubscription(Model):
    """An endpoint another system listens on. Its secret signs every delivery (Standard
    Webhooks); it is shown once, when the subscription is made. Unlike a token it is kept
    as it is: the sender needs it to sign."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("url LIKE 'http%'", name="url_is_http"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    url: Mapped[str] = mapped_column(sa.String(500))
    # The chosen WebhookEvent values, as a JSON list.
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    scope: Mapped[WebhookScope] = mapped_column(enum_type(WebhookScope, "scope"))
    secret: Mapped[str] = mapped_column(sa.String(60))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", passive_deletes=True,
        order_by="WebhookDelivery.id.desc()")

    def wants(self, event: WebhookEvent) -> bool:
        return event.value in (self.events or ())

    @property
    def event_members(self) -> list[WebhookEvent]:
        return [e for e in WebhookEvent if self.wants(e)]

    def __repr__(self) -> str:
        return f"<WebhookSubscription {self.id} {self.scope.value}>"


class WebhookDelivery(Model):
    """One event for one subscription, through its attempts. ``next_attempt_at`` is when
    the next attempt is due while the delivery waits (pending), and None once it ended."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("state != 'pending' OR next_attempt_at IS NOT NULL",
                           name="pending_has_next_attempt"),
        sa.Index("ix_webhook_delivery_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True)
    # The message's id (the webhook-id header): the same for every attempt, so that the
    # receiver can tell a retry from a new event.
    event_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event: Mapped[WebhookEvent] = mapped_column(enum_type(WebhookEvent, "event"))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    state: Mapped[DeliveryState] = mapped_column(enum_type(DeliveryState, "state"),
                                                 default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    # The start of the last answer's body, or why there was none.
    last_response: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event.value} {self.state.value}>"


class WebhookStanding(Model):
    """The standing a participant was last seen with by ``lms notify``, so that
    "participant at risk" is told once when they become so (and again only after they
    were out of it)."""

    __tablename__ = "webhook_standing"

    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True)
    standing: Mapped[Standing] = mapped_column(enum_type(Standing, "standing"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
