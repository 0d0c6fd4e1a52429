"""The personal data of reminders: which reminder went to whom, so that each goes once."""

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

ONCE = _l("sending each reminder once only")

TABLES = (
    table(
        "notification_log",
        personal("kind", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        personal("key", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        personal("sent_at", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        key=("id", "user_id"),
    ),
)


def erase(context: ErasureContext) -> None:
    import sqlalchemy as sa

    from lms.notifications.models import NotificationLog
    from lms.privacy.erasure import delete_rows

    gone = delete_rows(sa.delete(NotificationLog).where(
        NotificationLog.user_id == context.user.id))
    context.count("notification_log", gone)


def export(person: User) -> AreaExport:
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.notifications.models import NotificationLog
    from lms.privacy.export import AreaExport, personal

    exported = AreaExport(_l("Reminders sent to you"))
    exported.add("notification_log", [
        personal(n) for n in db.session.scalars(sa.select(NotificationLog).where(
            NotificationLog.user_id == person.id).order_by(NotificationLog.id))])
    return exported


def purge(context: PurgeContext) -> None:
    from flask_babel import lazy_gettext as _l

    from lms.notifications.models import NotificationLog

    condition = NotificationLog.sent_at < context.cutoff(R.NOTIFICATION_LOG)
    context.delete_where(R.NOTIFICATION_LOG, _l("reminders sent"), NotificationLog, condition)
