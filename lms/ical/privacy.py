"""The personal data of calendars: a person's secret feed address (as a hash)."""

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
        "calendar_feed",
        personal("token_hash", C.ACCOUNT,
                 _l("the secret address of a calendar subscription (only its SHA-256 is "
                    "stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "cohort_id", "created_by_id"),
        technical=("scope",), bookkeeping=("created_at", "revoked_at"),
    ),
)


def erase(context: ErasureContext) -> None:
    """The person's calendar addresses stop working and are forgotten."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.ical.models import CalendarFeed

    feeds = db.session.scalars(sa.select(CalendarFeed).where(
        CalendarFeed.user_id == context.user.id)).all()
    context.note(*feeds)
    for feed in feeds:
        db.session.delete(feed)
    context.count("calendar_feed", len(feeds))


def export(person: User) -> AreaExport:
    """The person's calendar subscriptions (their secret addresses withheld)."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.ical.models import CalendarFeed
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("Your calendar subscriptions"))
    exported.add("calendar_feed", [
        record(f, ["scope", "created_at", "revoked_at"])
        for f in db.session.scalars(sa.select(CalendarFeed).where(
            CalendarFeed.user_id == person.id).order_by(CalendarFeed.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """Calendar addresses revoked longer ago than LOGIN_RECORDS."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.extensions import db
    from lms.ical.models import CalendarFeed

    feeds = db.session.scalars(sa.select(CalendarFeed).where(
        CalendarFeed.revoked_at < context.cutoff(R.LOGIN_RECORDS))).all()
    context.found(R.LOGIN_RECORDS, _l("revoked calendar addresses"), len(feeds))
    if context.apply:
        for feed in feeds:
            db.session.delete(feed)
