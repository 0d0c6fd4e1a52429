"""The personal data of API tokens (a staff member's key for another system, as a hash,
and when it was last used) and of webhooks (a staff member's endpoint and its secret;
what other systems were told about a participant; a participant's standing last seen)."""

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

TABLES = (
    table(
        "api_token",
        personal("token_hash", C.ACCOUNT,
                 _l("the key another system uses the API with, for its owner (only its "
                    "SHA-256 is stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("last_used_at", C.ACCOUNT,
                 _l("when an API token was last used, so that its owner sees unused ones"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "revoked_by_id"),
        technical=("key_id", "name", "scope"),
        bookkeeping=("created_at", "expires_at", "revoked_at"),
    ),
    table(
        "webhook_subscription",
        personal("secret", C.ACCOUNT,
                 _l("the key that signs what is sent to the owner's system (kept to sign)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("id", "user_id"),
        # the address of a system (the company's HR system, the university's), no person's
        technical=("name", "url", "events", "scope"),
        bookkeeping=("created_at",),
    ),
    table(
        "webhook_delivery",
        personal("payload", C.PARTICIPATION,
                 _l("what another system was told about a participant (certificate issued "
                    "or revoked, at risk): name, standing, for the university also the "
                    "e-mail address, attendance figures and the certificate"),
                 B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        key=("id", "subscription_id"),
        technical=("event_id", "event", "state", "attempts", "last_status_code",
                   "last_response"),
        bookkeeping=("created_at", "last_attempt_at", "next_attempt_at", "delivered_at"),
    ),
    table(
        "webhook_standing",
        personal("standing", C.PARTICIPATION,
                 _l("a participant's standing as last checked, so that other systems are "
                    "told once when they become at risk"),
                 B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        key=("enrollment_id",),
        bookkeeping=("seen_at",),
    ),
)


def _deliveries_about(enrollment_ids: set[int]) -> list[int]:
    """The deliveries whose payload is about one of these participations."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.integrations.models import WebhookDelivery

    if not enrollment_ids:
        return []
    rows = db.session.execute(sa.select(WebhookDelivery.id, WebhookDelivery.payload))
    return [row.id for row in rows
            if ((row.payload or {}).get("data", {}).get("participant") or {})
            .get("enrollment_id") in enrollment_ids]


def erase(context: ErasureContext) -> None:
    """The person's API tokens and webhook subscriptions stop working and are forgotten,
    and so is what other systems were told about them."""
    import sqlalchemy as sa

    from lms.cohorts.models import Enrollment
    from lms.extensions import db
    from lms.integrations.models import (
        ApiToken,
        WebhookDelivery,
        WebhookStanding,
        WebhookSubscription,
    )
    from lms.privacy.erasure import delete_rows

    context.count("api_token", delete_rows(sa.delete(ApiToken).where(
        ApiToken.user_id == context.user.id)))
    context.count("webhook_subscription", delete_rows(sa.delete(WebhookSubscription).where(
        WebhookSubscription.user_id == context.user.id)))
    enrollments = set(db.session.scalars(sa.select(Enrollment.id).where(
        Enrollment.user_id == context.user.id)))
    about = _deliveries_about(enrollments)
    if about:
        context.count("webhook_delivery", delete_rows(sa.delete(WebhookDelivery).where(
            WebhookDelivery.id.in_(about))))
    if enrollments:
        context.count("webhook_standing", delete_rows(sa.delete(WebhookStanding).where(
            WebhookStanding.enrollment_id.in_(enrollments))))


def export(person: User) -> AreaExport:
    """The person's API tokens (their secret hashes withheld) and webhook subscriptions
    (their secrets withheld)."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.integrations.models import ApiToken, WebhookSubscription
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("Your API tokens"))
    exported.add("api_token", [
        record(t, ["name", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"])
        for t in db.session.scalars(sa.select(ApiToken).where(
            ApiToken.user_id == person.id).order_by(ApiToken.id))])
    exported.add("webhook_subscription", [
        record(w, ["name", "url", "scope", "events", "created_at"])
        for w in db.session.scalars(sa.select(WebhookSubscription).where(
            WebhookSubscription.user_id == person.id).order_by(WebhookSubscription.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """API tokens revoked or expired longer ago than LOGIN_RECORDS; webhook deliveries
    made and standings seen longer ago than NOTIFICATION_LOG."""
    import sqlalchemy as sa

    from lms.integrations.models import ApiToken, WebhookDelivery, WebhookStanding

    cutoff = context.cutoff(R.LOGIN_RECORDS)
    condition = sa.or_(ApiToken.revoked_at < cutoff, ApiToken.expires_at < cutoff)
    context.delete_where(R.LOGIN_RECORDS, _l("ended API tokens"), ApiToken, condition)

    cutoff = context.cutoff(R.NOTIFICATION_LOG)
    context.delete_where(R.NOTIFICATION_LOG, _l("webhook deliveries"), WebhookDelivery,
                         WebhookDelivery.created_at < cutoff)
    context.delete_where(R.NOTIFICATION_LOG, _l("standings seen for webhooks"),
                         WebhookStanding, WebhookStanding.seen_at < cutoff)
