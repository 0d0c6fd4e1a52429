"""Planning a series of meetings: a block Friday to Sunday, or every second Friday.

Times are wall-clock times of the cohort's time zone, so a 09:00 meeting stays at
09:00 across a change of the clocks (and moves in UTC). A time that does not exist on
one of the days (the night the clocks go forward) refuses the series, naming that day;
a time that occurs twice is its first occurrence (see :mod:`lms.localtime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.localtime import LocalInstant, local_instant
from lms.schedule.operations import ScheduleError

MAX_MEETINGS = 100


class SeriesError(ScheduleError):
    """The series cannot be planned."""


@dataclass(frozen=True)
class Slot:
    start: LocalInstant
    end: LocalInstant

    @property
    def starts_at(self) -> datetime:
        return self.start.at

    @property
    def ends_at(self) -> datetime:
        return self.end.at


def plan_series(
    first_day: date,
    last_day: date,
    weekdays: Iterable[int],
    starts: time,
    ends: time,
    timezone: str,
    *,
    every_weeks: int = 1,
    skip: Iterable[date] = (),
) -> list[Slot]:
    """The meetings of a series; ``weekdays`` as in ``date.weekday()`` (Monday = 0).

    Weeks are counted from the week of ``first_day``: with ``every_weeks=2`` the series
    meets in that week, skips one, and so on. Dates in ``skip`` (holidays) are left out.
    Raises NonexistentTime (with the day) when a time does not exist on one of the days.
    """
    days = set(weekdays)
    if not days:
        raise SeriesError(_l("Choose at least one weekday."))
    if last_day < first_day:
        raise SeriesError(_l("The series cannot end before it starts."))
    if ends <= starts:
        raise SeriesError(_l("A meeting must end after it starts."))
    if every_weeks < 1:
        raise SeriesError(_l("The interval must be at least one week."))
    skipped = set(skip)
    week_zero = first_day - timedelta(days=first_day.weekday())
    slots = []
    day = first_day
    while day <= last_day:
        week = (day - week_zero).days // 7
        if day.weekday() in days and week % every_weeks == 0 and day not in skipped:
            slots.append(Slot(local_instant(day, starts, timezone),
                              local_instant(day, ends, timezone)))
            if len(slots) > MAX_MEETINGS:
                raise SeriesError(_ln("A series can have at most %(num)s meeting.",
                                      "A series can have at most %(num)s meetings.",
                                      MAX_MEETINGS))
        day += timedelta(days=1)
    if not slots:
        raise SeriesError(_l("No day in this period matches the chosen weekdays."))
    return slots
