"""Changes to the schedule. Operations flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lms.accounts.models import Role, User
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.schedule.models import Block, Meeting


class ScheduleError(ValueError):
    """A schedule change cannot be made; the message says why."""


def create_block(cohort: Cohort, title: str, starts_on: date, ends_on: date,
                 *, by: User | None = None) -> Block:
    if ends_on < starts_on:
        raise ScheduleError("a block cannot end before it starts")
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
    by: User | None = None,
) -> Meeting:
    if module.course_id != cohort.course_id:
        raise ScheduleError("the module belongs to another course")
    if ends_at <= starts_at:
        raise ScheduleError("a meeting must end after it starts")
    if block is not None and block.cohort_id != cohort.id:
        raise ScheduleError("the block belongs to another cohort")
    for lecturer in lecturers:
        if not lecturer.has_role(Role.LECTURER):
            raise ScheduleError(f"{lecturer.email} is not a lecturer")
    meeting = Meeting(
        cohort=cohort,
        module=module,
        block=block,
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
        after={"module": module.number, "starts_at": starts_at.isoformat(),
               "ends_at": ends_at.isoformat(), "lecturers": [u.email for u in lecturers]},
    )
    return meeting
