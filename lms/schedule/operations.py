"""Changes to the schedule. Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role, User
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.schedule.models import Block, Meeting, MeetingStatus


class ScheduleError(DomainError):
    """A schedule change cannot be made."""


def create_block(cohort: Cohort, title: str, starts_on: date, ends_on: date,
                 *, by: User | None = None) -> Block:
    if ends_on < starts_on:
        raise ScheduleError(_l("A block cannot end before it starts."))
    block = Block(cohort=cohort, title=title.strip(), starts_on=starts_on, ends_on=ends_on)
    db.session.add(block)
    db.session.flush()
    record_event(by, "block.created", block, cohort_id=cohort.id,
                 after={"title": block.title, "starts_on": str(starts_on), "ends_on": str(ends_on)})
    return block


def schedule_meeting(
    cohort: Cohort,
    module: Module,
    starts_at: datetime,
    ends_at: datetime,
    *,
    block: Block | None = None,
    location: str = "",
    online_url: str = "",
    lecturers: Sequence[User] = (),
    title: str = "",
    by: User | None = None,
) -> Meeting:
    if module.course_id != cohort.course_id:
        raise ScheduleError(_l("The module belongs to another course."))
    # Instants in UTC: two wall-clock times of one zone compare and subtract as wall-clock
    # times, which is wrong across a change of the clocks.
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if ends_at <= starts_at:
        raise ScheduleError(_l("A meeting must end after it starts."))
    if block is not None and block.cohort_id != cohort.id:
        raise ScheduleError(_l("The block belongs to another cohort."))
    for lecturer in lecturers:
        if not lecturer.has_role(Role.LECTURER):
            raise ScheduleError(_l("%(email)s is not a lecturer.", email=lecturer.email))
    meeting = Meeting(
        cohort=cohort,
        module=module,
        block=block,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location or cohort.location,
        online_url=online_url,
        lecturers=list(lecturers),
    )
    db.session.add(meeting)
    db.session.flush()
    record_event(
        by, "meeting.created", meeting, cohort_id=cohort.id,
        after={"module": module.number, "title": meeting.title,
               "starts_at": starts_at.isoformat(),
               "ends_at": ends_at.isoformat(), "lecturers": [u.email for u in lecturers]},
    )
    return meeting


@dataclass(frozen=True)
class MeetingChange:
    """What changed about a meeting, for the audit trail, calendars and change notices."""

    meeting: Meeting
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def moved(self) -> bool:
        return any(self.before.get(k) != self.after.get(k) for k in ("starts_at", "ends_at"))

    @property
    def cancelled(self) -> bool:
        return self.after.get("status") == MeetingStatus.CANCELLED.value


# Changes to these raise the iCalendar SEQUENCE, so that calendars apply them.
SEQUENCED_FIELDS = ("starts_at", "ends_at", "location", "online_url", "status")


def _meeting_state(meeting: Meeting) -> dict[str, Any]:
    return {
        "module_id": meeting.module_id,
        "block_id": meeting.block_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at.astimezone(UTC).isoformat(),
        "ends_at": meeting.ends_at.astimezone(UTC).isoformat(),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "status": meeting.status.value,
        "cancelled_reason": meeting.cancelled_reason,
        "lecturers": sorted(u.email for u in meeting.lecturers),
    }


def update_meeting(meeting: Meeting, *, by: User | None = None, **changes: Any) -> MeetingChange:
    """Edit or move a meeting. The UID stays; SEQUENCE rises when time, place or status
    change, so that calendar programs replace the event instead of adding one."""
    allowed = {"module", "block", "title", "starts_at", "ends_at", "location", "online_url",
               "lecturers"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    for key in ("starts_at", "ends_at"):
        if key in changes:
            changes[key] = changes[key].astimezone(UTC)
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    starts_at = changes.get("starts_at", meeting.starts_at).astimezone(UTC)
    ends_at = changes.get("ends_at", meeting.ends_at).astimezone(UTC)
    if ends_at <= starts_at:
        raise ScheduleError(_l("A meeting must end after it starts."))
    module = changes.get("module")
    if module is not None and module.course_id != meeting.cohort.course_id:
        raise ScheduleError(_l("The module belongs to another course."))
    block = changes.get("block")
    if block is not None and block.cohort_id != meeting.cohort_id:
        raise ScheduleError(_l("The block belongs to another cohort."))
    for lecturer in changes.get("lecturers", ()):
        if not lecturer.has_role(Role.LECTURER):
            raise ScheduleError(_l("%(email)s is not a lecturer.", email=lecturer.email))

    before = _meeting_state(meeting)
    for key, value in changes.items():
        setattr(meeting, key, list(value) if key == "lecturers" else value)
    db.session.flush()
    after = _meeting_state(meeting)
    if any(before[k] != after[k] for k in SEQUENCED_FIELDS):
        meeting.ical_sequence += 1
    if before != after:
        meeting.updated_at = utcnow()  # lecturer changes alone touch no column of the row
        db.session.flush()
        action = "meeting.moved" if before["starts_at"] != after["starts_at"] else "meeting.updated"
        record_event(by, action, meeting, cohort_id=meeting.cohort_id,
                     before=_diff(before, after), after=_diff(after, before))
    return MeetingChange(meeting, before, after)


def cancel_meeting(meeting: Meeting, reason: str = "", *, by: User | None = None) -> MeetingChange:
    """Cancel a meeting. It stays in the schedule and in every feed as cancelled."""
    if meeting.is_cancelled:
        raise ScheduleError(_l("The meeting is already cancelled."))
    before = _meeting_state(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    meeting.ical_sequence += 1
    db.session.flush()
    after = _meeting_state(meeting)
    record_event(by, "meeting.cancelled", meeting, cohort_id=meeting.cohort_id,
                 before=_diff(before, after), after=_diff(after, before))
    return MeetingChange(meeting, before, after)


def _diff(this: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in this.items() if other.get(k) != v}


def schedule_series(
    cohort: Cohort, module: Module, slots: Sequence[Any], *, block: Block | None = None,
    location: str = "", online_url: str = "", lecturers: Sequence[User] = (),
    by: User | None = None,
) -> list[Meeting]:
    """Create every meeting of a planned series (see :mod:`lms.schedule.series`)."""
    return [
        schedule_meeting(cohort, module, slot.starts_at, slot.ends_at, block=block,
                         location=location, online_url=online_url, lecturers=lecturers, by=by)
        for slot in slots
    ]


def update_block(block: Block, title: str, starts_on: date, ends_on: date,
                 *, by: User | None = None) -> None:
    if ends_on < starts_on:
        raise ScheduleError(_l("A block cannot end before it starts."))
    before = {"title": block.title, "starts_on": str(block.starts_on),
              "ends_on": str(block.ends_on)}
    block.title, block.starts_on, block.ends_on = title.strip(), starts_on, ends_on
    db.session.flush()
    after = {"title": block.title, "starts_on": str(starts_on), "ends_on": str(ends_on)}
    if before != after:
        record_event(by, "block.updated", block, cohort_id=block.cohort_id,
                     before=before, after=after)
