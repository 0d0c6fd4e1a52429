"""Creating, rotating and revoking calendar feed tokens. Operations flush, never commit.

A feed URL carries a secret random token; calendar programs cannot log in, so the
token is the only key. Only its SHA-256 is stored, so the token can be shown once,
right after it was made; whoever loses it makes a new one, and the old URL answers 404.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort
from lms.db import utcnow
from lms.extensions import db
from lms.ical.models import CalendarFeed, FeedScope
from lms.ical.queries import hash_feed_token

TOKEN_BYTES = 32  # 256 bits of randomness, url-safe base64: 43 characters


def _active(scope: FeedScope, *, user_id: int | None = None,
            cohort_id: int | None = None) -> list[CalendarFeed]:
    query = sa.select(CalendarFeed).where(
        CalendarFeed.scope == scope, CalendarFeed.revoked_at.is_(None)
    )
    if scope == FeedScope.PERSONAL:
        query = query.where(CalendarFeed.user_id == user_id)
    else:
        query = query.where(CalendarFeed.cohort_id == cohort_id)
    return list(db.session.scalars(query.with_for_update()))


def _issue(scope: FeedScope, *, user: User | None, cohort: Cohort | None,
           by: User | None) -> tuple[CalendarFeed, str]:
    user_id = user.id if user is not None else None
    cohort_id = cohort.id if cohort is not None else None
    previous = _active(scope, user_id=user_id, cohort_id=cohort_id)
    now = utcnow()
    for feed in previous:
        feed.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(
        scope=scope, token_hash=hash_feed_token(token), user_id=user_id, cohort_id=cohort_id,
        created_at=now, created_by_id=by.id if by is not None else None,
    )
    db.session.add(feed)
    db.session.flush()
    record_event(
        by, "calendar_feed.rotated" if previous else "calendar_feed.created", feed,
        cohort_id=cohort_id,
        before={"revoked_feeds": [f.id for f in previous]} if previous else None,
        after={"scope": scope.value, "user_id": user_id, "cohort_id": cohort_id},
    )
    return feed, token


def issue_personal_feed(user: User, *, by: User | None = None) -> tuple[CalendarFeed, str]:
    """A new personal feed URL for ``user``; their earlier one stops working.
    Returns the feed and its token, which exists nowhere else after this call."""
    return _issue(FeedScope.PERSONAL, user=user, cohort=None, by=by or user)


def issue_cohort_feed(cohort: Cohort, *, by: User) -> tuple[CalendarFeed, str]:
    """A new feed URL of a cohort's schedule, for the company; the earlier one stops working."""
    return _issue(FeedScope.COHORT, user=None, cohort=cohort, by=by)


def revoke_personal_feed(user: User, *, by: User | None = None) -> int:
    """Stop ``user``'s personal feed URL; returns how many URLs were revoked (0 or 1)."""
    return _revoke(_active(FeedScope.PERSONAL, user_id=user.id), by=by or user, cohort_id=None)


def revoke_cohort_feed(cohort: Cohort, *, by: User) -> int:
    return _revoke(_active(FeedScope.COHORT, cohort_id=cohort.id), by=by, cohort_id=cohort.id)


def _revoke(feeds: list[CalendarFeed], *, by: User | None, cohort_id: int | None) -> int:
    now = utcnow()
    for feed in feeds:
        feed.revoked_at = now
        record_event(by, "calendar_feed.revoked", feed, cohort_id=cohort_id,
                     after={"scope": feed.scope.value})
    db.session.flush()
    return len(feeds)
