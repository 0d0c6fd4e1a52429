"""Erasure (Art. 17 GDPR), area by area, keeping what must be kept.

Each area's ``privacy.py`` has an ``erase(context)`` that removes or pseudonymises the
person's data in its tables, as its declarations say (:mod:`lms.privacy.declare`). What a
retention rule with a duty to keep still holds (exam records, the verification records
of certificates) stays, without the name: the account row stays as its pseudonymous
anchor (``erased_at`` set, the last name replaced by a pseudonym). Files are removed once
the transaction commits; the audit trail is pseudonymised last, after every area has said
which of its records were the person's.

A person asks (:func:`request_erasure`); the coordination decides, with a reason
(:func:`erase_person` or :func:`refuse_erasure`), and the decision is in the audit trail.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from lms.accounts.models import User
from lms.audit.operations import record_event
from lms.db import SessionLike, after_commit, max_length, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import site_timezone
from lms.localtime import local_instant
from lms.privacy.models import ErasureDecision, ErasureRequest
from lms.privacy.registry import area_modules
from lms.privacy.retention import Retention

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

# The order in which the areas erase: certificates first (their verification record is
# completed from attendance and names that the others remove), the account last but one
# (the others read its name), the audit trail last (it pseudonymises what the others noted).
FIRST = ("certificates", "credentials", "assignments", "attendance")
LAST = ("accounts", "audit")

REASON_MAX = max_length(ErasureRequest.reason)
MESSAGE_MAX = max_length(ErasureRequest.message)
ERASED_TEXT = "[…]"  # what stands where erased free text stood


class ErasureError(DomainError):
    """An erasure, request or decision is refused; the message says why."""


@dataclass
class ErasureContext:
    """One erasure: whom, when, under which periods, and what the areas noted."""

    user: User
    now: datetime
    periods: Mapping[str, int]
    pseudonym: str
    # Full names and addresses the person had: scrubbed from every text that names them.
    names: tuple[str, ...]
    # Also the first and last name alone: scrubbed only from the person's own records.
    own_words: tuple[str, ...]
    # The person's records by table (tablename -> ids), for the audit trail.
    objects: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def holds(self, retention: Retention, since: date | datetime) -> bool:
        """Whether ``retention``'s period, counted from ``since``, is still running (a
        day counts from its end)."""
        if not isinstance(since, datetime):  # the midnight after the day, on the site's clock
            since = local_instant(since + timedelta(days=1), time(), site_timezone()).at
        return self.now < since + timedelta(days=self.periods[retention.value])

    def note(self, *records: Any) -> None:
        """These records are the person's (their trail is pseudonymised in full)."""
        for record in records:
            self.objects[record.__tablename__].add(str(record.id))

    def count(self, what: str, number: int = 1) -> None:
        self.counts[what] += number

    def scrub(self, text: str, *, own: bool = False) -> str:
        """``text`` with the person's names and addresses replaced by the pseudonym
        (``own``: the person's own record, where the first or last name alone is them)."""
        for word in self.names + (self.own_words if own else ()):
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", self.pseudonym, text,
                          flags=re.IGNORECASE)
        return text

    def scrub_json(self, value: Any, *, own: bool = False) -> Any:
        if isinstance(value, str):
            return self.scrub(value, own=own)
        if isinstance(value, list):
            return [self.scrub_json(v, own=own) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v, own=own) for k, v in value.items()}
        return value

    def remove_file(self, area: str, name: str | None) -> None:
        if name:
            remove_after_commit(db.session, area, name)
            self.count("files")


@dataclass(frozen=True)
class ErasureReport:
    user: User
    pseudonym: str
    counts: dict[str, int]


def erasure_stages() -> list[tuple[str, Any]]:
    """Every area's ``erase``, in the order they run."""
    found = {module.__name__.split(".")[1]: module.erase for module in area_modules()
             if hasattr(module, "erase")}
    middle = sorted(set(found) - set(FIRST) - set(LAST))
    return [(name, found[name]) for name in (*FIRST, *middle, *LAST) if name in found]


def erase_person(user: User, *, reason: str, by: User | None, periods: Mapping[str, int],
                 now: datetime | None = None) -> ErasureReport:
    """Erase ``user``'s personal data in every area (flushes; the caller commits, and only
    then are the files removed). ``reason`` is recorded in the audit trail (any name in it
    pseudonymised); an open request of the person is decided with it."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ErasureError(_l("Please give the reason for the erasure."), field="reason")
    if len(reason) > REASON_MAX:
        raise ErasureError(lazy_ngettext("The reason may have at most %(num)s character.",
                                         "The reason may have at most %(num)s characters.",
                                         REASON_MAX), field="reason")
    if user.is_erased:
        raise ErasureError(_l("This person's data has already been erased."))
    if by is not None and by.id == user.id:
        raise ErasureError(_l("Nobody can erase their own account here; another "
                              "coordinator decides."))
    context = _context(user, now, periods)
    request = pending_request(user)
    for _area, erase in erasure_stages():
        erase(context)
        db.session.flush()
    reason = context.scrub(reason)
    if request is not None:
        request.decision, request.decided_at = ErasureDecision.ERASED, now
        request.decided_by, request.reason = by, reason
    record_event(by, "user.erased", user, after={
        "reason": reason, "pseudonym": context.pseudonym,
        "request": request.id if request is not None else None,
        "counts": dict(sorted(context.counts.items()))})
    db.session.flush()
    return ErasureReport(user, context.pseudonym, dict(context.counts))


def _context(user: User, now: datetime, periods: Mapping[str, int]) -> ErasureContext:
    from lms.privacy.queries import earlier_identities

    names: set[str] = {user.email, f"{user.first_name} {user.last_name}"}
    words: set[str] = {user.first_name, user.last_name}
    earlier = earlier_identities(user)
    names |= earlier.names
    words |= earlier.words
    return ErasureContext(
        user=user, now=now, periods=periods,
        pseudonym=f"P-{secrets.token_hex(4).upper()}",
        names=_longest_first(names), own_words=_longest_first(words - names))


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({w.strip() for w in words if w and w.strip()}, key=lambda w: (-len(w), w)))


# --------------------------------------------------------------------------- requests


def pending_request(user: User) -> ErasureRequest | None:
    from lms.privacy.queries import get_pending_request

    return get_pending_request(user)


def request_erasure(user: User, message: str = "", *,
                    now: datetime | None = None) -> ErasureRequest:
    """The person asks for the erasure of their data; the coordination decides."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ErasureError(lazy_ngettext("The message may have at most %(num)s character.",
                                         "The message may have at most %(num)s characters.",
                                         MESSAGE_MAX), field="message")
    if user.is_erased:
        raise ErasureError(_l("This person's data has already been erased."))
    if pending_request(user) is not None:
        raise ErasureError(_l("Your request is already with the coordination."))
    request = ErasureRequest(user=user, message=message, requested_at=now or utcnow())
    db.session.add(request)
    db.session.flush()
    record_event(user, "privacy.erasure_requested", request)
    return request


def refuse_erasure(request: ErasureRequest, *, reason: str, by: User,
                   now: datetime | None = None) -> ErasureRequest:
    """The coordination refuses a request (e.g. a running course); the reason is given."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ErasureError(_l("Please give the reason for the decision."), field="reason")
    if len(reason) > REASON_MAX:
        raise ErasureError(lazy_ngettext("The reason may have at most %(num)s character.",
                                         "The reason may have at most %(num)s characters.",
                                         REASON_MAX), field="reason")
    if request.decision != ErasureDecision.PENDING:
        raise ErasureError(_l("This request has been decided already."))
    request.decision, request.decided_at = ErasureDecision.REFUSED, now or utcnow()
    request.decided_by, request.reason = by, reason
    db.session.flush()
    record_event(by, "privacy.erasure_refused", request, after={"reason": reason})
    return request


# --------------------------------------------------------------------------- files


def remove_after_commit(session: SessionLike, area: str, name: str) -> None:
    """A stored file whose row this transaction deletes or forgets: removed once the
    transaction commits (a rollback keeps it, as the rows that name it come back)."""
    from lms.storage import remove_stored

    after_commit(session, lambda: remove_stored(area, name))


def delete_rows(statement: Any) -> int:
    """Run a DELETE; how many rows it removed."""
    result = db.session.execute(statement)
    return int(cast("CursorResult[Any]", result).rowcount)


def blank(payload: dict[str, Any] | None, keep: frozenset[str]) -> dict[str, Any] | None:
    """An audit payload about the person's own record: every text but the states named in
    ``keep`` replaced (numbers, flags and ids stay; they name nobody)."""
    if payload is None:
        return None
    return {key: value if key in keep else _blank_value(value) for key, value in payload.items()}


def _blank_value(value: Any) -> Any:
    if isinstance(value, str):
        return ERASED_TEXT if value else value
    if isinstance(value, list):
        return [_blank_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _blank_value(v) for k, v in value.items()}
    return value
