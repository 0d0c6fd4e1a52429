"""Making and revoking API tokens and webhook subscriptions, and the life of a delivery.
Operations flush, never commit; the changes people make are audited."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from lms.accounts.models import Role, User
from lms.audit.operations import record_event
from lms.certificates.standing import Standing
from lms.db import max_length, rowcount, utcnow
from lms.extensions import db
from lms.integrations.dispatch import send_after_commit
from lms.integrations.errors import IntegrationError
from lms.integrations.models import (
    UNIVERSITY_SCOPES,
    ApiToken,
    DeliveryState,
    TokenScope,
    WebhookDelivery,
    WebhookEvent,
    WebhookScope,
    WebhookStanding,
    WebhookSubscription,
)
from lms.integrations.queries import TOKEN_PREFIX, hash_api_token, may_act_for
from lms.integrations.signing import new_message_id, new_secret

# How long a new token works, in days; the form offers these, the operation checks them.
LIFETIMES_DAYS = (30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
KEY_ID_BYTES = 6  # KEY_ID_LENGTH (8) url-safe characters: finds the row, proves nothing
SECRET_BYTES = 32  # 256 bits
NAME_MAX = max_length(ApiToken.name)
# A token's last use is written at most this often (a busy system would otherwise write
# on every read).
USE_NOTED_EVERY = timedelta(minutes=5)


def create_api_token(owner: User, name: str, scope: TokenScope, lifetime_days: int,
                     *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``owner``'s systems. Returns the row and the token itself, which
    exists nowhere else after this call (only its hash is stored)."""
    name = name.strip()
    if not name:
        raise IntegrationError(_l("Give the token a name."), field="name")
    if len(name) > NAME_MAX:
        raise IntegrationError(lazy_ngettext("At most %(num)s character.",
                                             "At most %(num)s characters.", NAME_MAX),
                               field="name")
    if lifetime_days not in LIFETIMES_DAYS:
        raise IntegrationError(_l("Choose one of the offered lifetimes."), field="lifetime")
    if scope in UNIVERSITY_SCOPES and not owner.has_role(Role.COORDINATOR):
        raise IntegrationError(_l("Only coordinators make tokens for the university."),
                               field="scope")
    if scope == TokenScope.COMPANY and not owner.has_role(Role.COMPANY_CONTACT):
        raise IntegrationError(_l("Only company contacts make company tokens."), field="scope")
    now = now or utcnow()
    key_id = secrets.token_urlsafe(KEY_ID_BYTES)
    token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    row = ApiToken(key_id=key_id, token_hash=hash_api_token(token), name=name, scope=scope,
                   user=owner, created_at=now, expires_at=now + timedelta(days=lifetime_days))
    db.session.add(row)
    db.session.flush()
    record_event(owner, "api_token.created", row,
                 after={"name": name, "scope": scope.value, "key_id": key_id,
                        "expires_at": row.expires_at.isoformat()})
    return row, token


def revoke_api_token(token: ApiToken, *, by: User, now: datetime | None = None) -> bool:
    """Stop ``token`` now; False when it had been revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    token.revoked_by_id = by.id
    db.session.flush()
    record_event(by, "api_token.revoked", token,
                 after={"name": token.name, "scope": token.scope.value, "key_id": token.key_id})
    return True


def note_token_use(token: ApiToken, now: datetime) -> bool:
    """Move the token's last use on (at most every USE_NOTED_EVERY); True when it moved."""
    if token.last_used_at is not None and now - token.last_used_at < USE_NOTED_EVERY:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def record_api_write(token: ApiToken, action: str, obj: object, *, cohort_id: int | None,
                     after: dict[str, Any]) -> None:
    """The audit trail of a change made through the API names the token it came with
    (the change itself is recorded by its operation, with the token's owner as actor)."""
    record_event(token.user, f"api.{action}", obj, cohort_id=cohort_id,
                 after={"token_id": token.id, "key_id": token.key_id, **after})


# --------------------------------------------------------------------------- webhooks

WEBHOOK_NAME_MAX = max_length(WebhookSubscription.name)
URL_MAX = max_length(WebhookSubscription.url)
RESPONSE_MAX = max_length(WebhookDelivery.last_response)
# Retries: the pause after the n-th failed attempt is RETRY_BASE × RETRY_FACTOR^(n−1)
# (1, 3, 9, 27, 81 minutes, 4 h 3 min, 12 h 9 min); after MAX_ATTEMPTS attempts (about
# 18 hours) the delivery has failed, and a person may send it again.
RETRY_BASE = timedelta(minutes=1)
RETRY_FACTOR = 3
MAX_ATTEMPTS = 8
# An attempt still "being sent" this long after it began was lost with its worker.
ATTEMPT_LOST_AFTER = timedelta(minutes=15)


# Up to this part of a pause more, at random, so that the deliveries that failed together
# (a receiver that was down) do not all come back in the same second.
RETRY_JITTER = 0.1


def retry_pause(attempts: int) -> timedelta:
    """The pause after ``attempts`` failed attempts, before the next one (its least)."""
    return RETRY_BASE * int(RETRY_FACTOR ** (attempts - 1))


def retry_delay(attempts: int, fraction: float) -> timedelta:
    """The pause made longer by ``fraction`` (0 to 1) of its jitter, in whole seconds."""
    seconds = retry_pause(attempts).total_seconds() * (1 + RETRY_JITTER * fraction)
    return timedelta(seconds=round(seconds))


def random_fraction() -> float:
    return secrets.randbelow(1000) / 1000


def create_webhook_subscription(owner: User, name: str, url: str,
                                events: Sequence[WebhookEvent], scope: WebhookScope,
                                *, now: datetime | None = None
                                ) -> tuple[WebhookSubscription, str]:
    """A new subscription of ``owner``'s system. Returns the row and its signing secret,
    to be shown once."""
    from lms.integrations.sending import check_url

    name, url = name.strip(), url.strip()
    if not name:
        raise IntegrationError(_l("Give the subscription a name."), field="name")
    if len(name) > WEBHOOK_NAME_MAX:
        raise IntegrationError(lazy_ngettext("At most %(num)s character.",
                                             "At most %(num)s characters.",
                                             WEBHOOK_NAME_MAX), field="name")
    if len(url) > URL_MAX:
        raise IntegrationError(lazy_ngettext("At most %(num)s character.",
                                             "At most %(num)s characters.", URL_MAX),
                               field="url")
    url = check_url(url)
    chosen = [e for e in WebhookEvent if e in set(events)]
    if not chosen:
        raise IntegrationError(_l("Choose at least one event."), field="events")
    if not may_act_for(owner, university=scope == WebhookScope.UNIVERSITY):
        raise IntegrationError(
            _l("Only coordinators subscribe for the university.")
            if scope == WebhookScope.UNIVERSITY
            else _l("Only company contacts subscribe for their company."), field="name")
    secret = new_secret()
    row = WebhookSubscription(name=name, url=url, events=[e.value for e in chosen],
                              scope=scope, secret=secret, user=owner,
                              created_at=now or utcnow())
    db.session.add(row)
    db.session.flush()
    record_event(owner, "webhook.created", row,
                 after={"name": name, "url": url, "scope": scope.value,
                        "events": row.events})
    return row, secret


def delete_webhook_subscription(subscription: WebhookSubscription, *, by: User) -> None:
    """Remove the subscription and its deliveries: nothing more is sent to it (an
    attempt already under way finds nothing to record)."""
    record_event(by, "webhook.deleted", subscription,
                 before={"name": subscription.name, "url": subscription.url,
                         "scope": subscription.scope.value})
    db.session.delete(subscription)
    db.session.flush()


def add_delivery(subscription: WebhookSubscription, event: WebhookEvent,
                 data: dict[str, Any], now: datetime) -> WebhookDelivery:
    """The event for one subscription, due now; it is sent after the commit."""
    message_id = new_message_id()
    delivery = WebhookDelivery(
        subscription=subscription, event_id=message_id, event=event,
        payload={"type": event.value, "timestamp": now.isoformat(), "data": data},
        state=DeliveryState.PENDING, attempts=0, last_response="", created_at=now,
        next_attempt_at=now)
    db.session.add(delivery)
    db.session.flush()
    send_after_commit(db.session, delivery.id, 1)
    return delivery


def claim_attempt(delivery_id: int, attempt: int, now: datetime) -> WebhookDelivery | None:
    """Take attempt number ``attempt`` of a waiting delivery (one UPDATE, so that two
    workers given the same attempt cannot both make it); None when it is not this
    attempt's turn (made already, ended, or deleted)."""
    taken = rowcount(db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id,
               WebhookDelivery.state == DeliveryState.PENDING,
               WebhookDelivery.attempts == attempt - 1)
        .values(state=DeliveryState.SENDING, attempts=attempt, last_attempt_at=now)
        .execution_options(synchronize_session=False)))
    if not taken:
        return None
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True)


def record_answer(delivery: WebhookDelivery, status: int | None, excerpt: str,
                  now: datetime, *, jitter: float | None = None) -> None:
    """The outcome of the attempt just made: delivered on a 2xx, else waiting for the
    next attempt after its pause (longer by ``jitter``, 0 to 1, of RETRY_JITTER; at
    random unless given), or failed when none is left."""
    delivery.last_status_code = status
    delivery.last_response = clip_response(excerpt)
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    else:
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = (delivery.last_attempt_at or now) + retry_delay(
            delivery.attempts, random_fraction() if jitter is None else jitter)
    db.session.flush()


def stop_delivery(delivery: WebhookDelivery) -> None:
    """Not sent: the subscription's owner may no longer receive it."""
    delivery.state, delivery.next_attempt_at = DeliveryState.STOPPED, None
    db.session.flush()


def resend_delivery(delivery: WebhookDelivery, *, by: User, now: datetime | None = None
                    ) -> bool:
    """Send a failed delivery once more, now (same id and payload); False when it has not
    failed. It is sent after the commit."""
    if delivery.state != DeliveryState.FAILED:
        return False
    delivery.state, delivery.next_attempt_at = DeliveryState.PENDING, now or utcnow()
    db.session.flush()
    record_event(by, "webhook.resent", delivery.subscription,
                 after={"delivery": delivery.id, "event_id": delivery.event_id})
    send_after_commit(db.session, delivery.id, delivery.attempts + 1)
    return True


def recover_lost_attempts(now: datetime) -> int:
    """Attempts whose worker vanished (still "being sent" after ATTEMPT_LOST_AFTER) count
    as failed: the delivery waits for its next attempt."""
    lost = list(db.session.scalars(sa.select(WebhookDelivery).where(
        WebhookDelivery.state == DeliveryState.SENDING,
        WebhookDelivery.last_attempt_at < now - ATTEMPT_LOST_AFTER)))
    for delivery in lost:
        record_answer(delivery, None, "The attempt did not finish.", now)
    return len(lost)


def note_standing(enrollment_id: int, standing: Standing, seen: WebhookStanding | None,
                  now: datetime) -> bool:
    """Remember the participant's standing; True when they have just become at risk."""
    became = standing == Standing.AT_RISK and (seen is None
                                               or seen.standing != Standing.AT_RISK)
    if seen is None:
        db.session.add(WebhookStanding(enrollment_id=enrollment_id, standing=standing,
                                       seen_at=now))
    elif seen.standing != standing:
        seen.standing, seen.seen_at = standing, now
    db.session.flush()
    return became


def clip_response(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= RESPONSE_MAX else text[:RESPONSE_MAX - 1] + "…"
