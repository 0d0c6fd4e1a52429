"""The personal data of the audit trail: who changed what, from what to what. An erasure
pseudonymises what the trail recorded about the person; the trail itself stays."""

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

ACCOUNTABLE = _l("accountability: who changed what, when, from what to what")

TABLES = (
    table(
        "audit_event",
        personal("before", C.ACTIVITY, ACCOUNTABLE, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.PSEUDONYMISE),
        personal("after", C.ACTIVITY, ACCOUNTABLE, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.PSEUDONYMISE),
        key=("id", "actor_id", "object_id", "cohort_id"),
        technical=("action", "object_type"), bookkeeping=("occurred_at",),
    ),
)

# What an audit payload about the person's own record keeps: states and codes, which name
# nobody (every other text in it is replaced; numbers, flags and ids stay).
KEPT_IN_OWN_RECORDS = frozenset({"status", "kind", "decision", "serial", "language", "sha256",
                                 "scope", "role", "roles", "locale", "pseudonym"})


def erase(context: ErasureContext) -> None:
    """Last of all: the trail of the person's own records keeps what happened, not what
    was written about them; everywhere else their names and addresses become the
    pseudonym. The events stay (who changed what, when)."""
    from lms.audit.models import AuditEvent
    from lms.audit.queries import events_naming
    from lms.extensions import db
    from lms.privacy.erasure import blank

    own = {(table, object_id) for table, ids in context.objects.items() for object_id in ids}
    changed = 0
    for event in events_naming(context.names, own):
        if (event.object_type, event.object_id) in own:
            before = blank(event.before, KEPT_IN_OWN_RECORDS)
            after = blank(event.after, KEPT_IN_OWN_RECORDS)
        else:
            before, after = context.scrub_json(event.before), context.scrub_json(event.after)
        if (before, after) != (event.before, event.after):
            event.before, event.after = before, after
            changed += 1
    db.session.flush()
    context.count(AuditEvent.__tablename__, changed)


def export(person: User) -> AreaExport:
    """What the trail recorded about the person's own records, in full; of the changes
    they made to others' records only what and when (the rest is about others)."""
    from lms.audit.queries import events_of_person
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("The audit trail about you"))
    about, made = events_of_person(person)
    exported.add("audit_event", [
        record(e, ["occurred_at", "action", "object_type", "before", "after"],
               about_you=True, made_by_you=e.actor_id == person.id) for e in about])
    exported.add("audit_event", [
        record(e, ["occurred_at", "action", "object_type"], about_you=False,
               made_by_you=True) for e in made])
    return exported


def purge(context: PurgeContext) -> None:
    from flask_babel import lazy_gettext as _l

    from lms.audit.models import AuditEvent

    condition = AuditEvent.occurred_at < context.cutoff(R.AUDIT_TRAIL)
    context.delete_where(R.AUDIT_TRAIL, _l("audit events"), AuditEvent, condition)
