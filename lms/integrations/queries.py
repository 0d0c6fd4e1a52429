"""Reads for API tokens: finding the token a request presents, and listing one's own."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.integrations.models import (
    ApiToken,
    DeliveryState,
    TokenScope,
    WebhookDelivery,
    WebhookEvent,
    WebhookScope,
    WebhookStanding,
    WebhookSubscription,
)

TOKEN_PREFIX = "lms_"  # noqa: S105 (the shape of a token, no secret)
KEY_ID_LENGTH = 8  # secrets.token_urlsafe(6)


def hash_api_token(token: str) -> str:
    """SHA-256 of the token: the token has 256 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_api_token(token: str, now: datetime) -> ApiToken | None:
    """The active token ``token`` is, or None (unknown, wrong secret, expired, revoked, or
    its owner may no longer act so). The stored hash is compared in constant time."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    body = token[len(TOKEN_PREFIX):]
    # "<key id>_<secret>": the key id has KEY_ID_LENGTH characters (it may hold "_" itself)
    if len(body) <= KEY_ID_LENGTH + 1 or body[KEY_ID_LENGTH] != "_":
        return None
    row: ApiToken | None = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.key_id == body[:KEY_ID_LENGTH]))
    if row is None:
        hmac.compare_digest(hash_api_token(token), "0" * 64)  # the same work either way
        return None
    if not hmac.compare_digest(hash_api_token(token), row.token_hash):
        return None
    if not row.active(now) or not owner_may_act(row):
        return None
    return row


def owner_may_act(token: ApiToken) -> bool:
    """The owner still has the role the token's scope needs, and an active account."""
    return may_act_for(token.user, university=token.university)


def may_act_for(user: User, *, university: bool) -> bool:
    """Whether ``user`` may still make (and so hold) tokens and subscriptions of that
    reach: an active account with the coordinator's role (university) or the company
    contact's."""
    if not user.is_active_account:
        return False
    return user.has_role(Role.COORDINATOR if university else Role.COMPANY_CONTACT)


def list_api_tokens(user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones too, as the record)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_api_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def list_university_tokens() -> list[ApiToken]:
    """Every coordinator's token (they manage the university's systems together)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.scope != TokenScope.COMPANY)
        .options(selectinload(ApiToken.user))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


# --------------------------------------------------------------------------- webhooks


def subscription_may_receive(subscription: WebhookSubscription) -> bool:
    """A subscription's deliveries go out while its owner may still make it."""
    return may_act_for(subscription.user,
                       university=subscription.scope == WebhookScope.UNIVERSITY)


def list_webhook_subscriptions(user: User, *, university: bool) -> list[WebhookSubscription]:
    """What the token page lists: to a coordinator every university subscription (they
    keep the university's systems together), to a company contact their own."""
    query = sa.select(WebhookSubscription).options(selectinload(WebhookSubscription.user))
    if university:
        query = query.where(WebhookSubscription.scope == WebhookScope.UNIVERSITY)
    else:
        query = query.where(WebhookSubscription.user_id == user.id,
                            WebhookSubscription.scope == WebhookScope.COMPANY)
    return list(db.session.scalars(query.order_by(WebhookSubscription.id.desc())))


def subscriptions_for(event: WebhookEvent, cohort_id: int) -> list[WebhookSubscription]:
    """The subscriptions that hear ``event`` of the cohort ``cohort_id``: every university
    one, and the company ones whose owner is a contact of the cohort; those whose owner
    may no longer make them are left out."""
    from lms.cohorts.models import cohort_contact

    company_reach = WebhookSubscription.user_id.in_(
        sa.select(cohort_contact.c.user_id).where(cohort_contact.c.cohort_id == cohort_id))
    found = db.session.scalars(
        sa.select(WebhookSubscription)
        .where(sa.or_(WebhookSubscription.scope == WebhookScope.UNIVERSITY,
                      sa.and_(WebhookSubscription.scope == WebhookScope.COMPANY,
                              company_reach)))
        .options(selectinload(WebhookSubscription.user))
        .order_by(WebhookSubscription.id))
    return [s for s in found if s.wants(event) and subscription_may_receive(s)]


def any_subscription_for(event: WebhookEvent) -> bool:
    """Whether anyone listens for ``event`` at all (the standing check is skipped if not)."""
    return any(s.wants(event) for s in db.session.scalars(sa.select(WebhookSubscription)))


def list_deliveries(subscription: WebhookSubscription, limit: int = 100
                    ) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


def due_deliveries(now: datetime) -> list[tuple[int, int]]:
    """(delivery id, the attempt to make) of every delivery whose next attempt is due."""
    rows = db.session.execute(
        sa.select(WebhookDelivery.id, WebhookDelivery.attempts)
        .where(WebhookDelivery.state == DeliveryState.PENDING,
               WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id))
    return [(row.id, row.attempts + 1) for row in rows]


def get_webhook_subscription(subscription_id: int) -> WebhookSubscription | None:
    return db.session.get(WebhookSubscription, subscription_id)


def get_webhook_delivery(delivery_id: int) -> WebhookDelivery | None:
    return db.session.get(WebhookDelivery, delivery_id)


def last_seen_standings(enrollment_ids: list[int]) -> dict[int, WebhookStanding]:
    if not enrollment_ids:
        return {}
    return {row.enrollment_id: row for row in db.session.scalars(
        sa.select(WebhookStanding).where(WebhookStanding.enrollment_id.in_(enrollment_ids)))}
