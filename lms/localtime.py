"""Wall-clock times of a time zone as instants, across the changes of the clocks.

A date and a time typed into a form ("2027-03-28, 02:30", Europe/Berlin) name an instant
only on most days. On the night the clocks go forward, 02:00–03:00 does not exist: such
a time is refused, with the day and the jump in the message. On the night they go back,
02:00–03:00 happens twice: as RFC 5545 does for calendar times, the first occurrence is
meant (still summer time), and callers tell the user so (:func:`ambiguity_notice`).

Every place that turns a local date and time into an instant goes through
:func:`local_instant`; ``datetime.combine(day, time, zone)`` alone would silently pick
an offset for a time that does not exist, and compares and subtracts as wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from lms.errors import DomainError


class NonexistentTime(DomainError):
    """The wall-clock time is skipped that day: the clocks jump over it."""

    def __init__(self, message: object, *, day: date, wall: time) -> None:
        super().__init__(message)
        self.day, self.wall = day, wall


@dataclass(frozen=True)
class ClockChange:
    """The wall clock jumps from ``before`` to ``after`` (forward: a gap, back: a fold)."""

    before: time
    after: time


@dataclass(frozen=True)
class LocalInstant:
    at: datetime  # the instant, in UTC
    local: datetime  # the same instant as wall-clock time of the zone (fold set)
    change: ClockChange | None  # set when the wall-clock time occurs twice that day

    @property
    def ambiguous(self) -> bool:
        return self.change is not None

    @property
    def is_second(self) -> bool:
        """The later of the two occurrences (after the clocks went back)."""
        return self.ambiguous and self.local.fold == 1


@lru_cache(maxsize=64)
def _zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(timezone)


def _as_zone(timezone: str | ZoneInfo) -> ZoneInfo:
    return timezone if isinstance(timezone, ZoneInfo) else _zone(timezone)


def _clock_change(naive: datetime, zone: ZoneInfo) -> ClockChange | None:
    """The change of the clocks that makes ``naive`` skipped or doubled, if any."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    low, high = sorted((first.astimezone(UTC), second.astimezone(UTC)))
    before, after = low.astimezone(zone).utcoffset(), high.astimezone(zone).utcoffset()
    if before is None or after is None:  # (an aware time always has an offset)
        return None
    # The change lies between the two readings; find its second by bisection.
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    moment = high.replace(tzinfo=None)
    return ClockChange((moment + before).time(), (moment + after).time())


def local_instant(day: date, wall: time, timezone: str | ZoneInfo, *,
                  keep: datetime | None = None, second: bool = False) -> LocalInstant:
    """The instant of ``wall`` o'clock on ``day`` in ``timezone``.

    Raises NonexistentTime for a time the clocks skip that day. For a time that occurs
    twice, the first occurrence is used (``second``: the later one, e.g. for the end of
    a meeting that starts in it), unless ``keep`` (the instant stored so far, when a form
    is saved again) reads as the same wall-clock time: then ``keep`` stays, so that
    saving a form unchanged never moves anything.
    """
    zone = _as_zone(timezone)
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    change = _clock_change(naive, zone)
    candidate = naive.replace(tzinfo=zone)
    if change is not None:
        round_trip = candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise NonexistentTime(_l(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward from "
                "%(before)s to %(after)s that night. Please choose another time.",
                time=_hm(wall), date=format_date(day, "full"), zone=zone.key,
                before=_hm(change.before), after=_hm(change.after)), day=day, wall=wall)
    if keep is not None:
        kept = keep.astimezone(zone)
        if kept.replace(tzinfo=None, fold=0) == naive:
            return LocalInstant(keep.astimezone(UTC), kept, change)
    if change is not None and second:
        candidate = candidate.replace(fold=1)
    return LocalInstant(candidate.astimezone(UTC), candidate, change)


def is_ambiguous(value: datetime, timezone: str | ZoneInfo) -> bool:
    """Whether the wall-clock reading of ``value`` in ``timezone`` occurs twice that day."""
    local = value.astimezone(_as_zone(timezone))
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def calendar_time(value: datetime, timezone: str | ZoneInfo) -> datetime:
    """``value`` for an iCalendar DTSTART/DTEND: wall-clock time of the zone (with its
    TZID), except the second occurrence of a doubled hour, which a calendar program would
    read as the first (RFC 5545, 3.3.5): that one is written in UTC."""
    zone = _as_zone(timezone)
    local = value.astimezone(zone)
    if local.fold == 1 and is_ambiguous(local, zone):
        return value.astimezone(UTC)
    return local


def zone_label(local: datetime, *, long: bool = False) -> str:
    """The zone's name at that instant as people read it: "MESZ" / "CEST"; with ``long``
    "Mitteleuropäische Sommerzeit, MESZ"."""
    from babel.dates import get_timezone_name

    locale = str(get_locale() or "de")
    short = get_timezone_name(local, "short", locale=locale)
    if not short[:1].isalpha() or short.startswith("GMT"):  # "+0200": no local abbreviation
        abbreviation = local.tzname() or ""
        short = abbreviation if abbreviation[:1].isalpha() else short
    if not long:
        return short
    return f"{get_timezone_name(local, 'long', locale=locale)}, {short}"


def ambiguity_notice(instant: LocalInstant) -> str:
    """Which of the two occurrences of a doubled wall-clock time is meant, in words."""
    if instant.change is None:
        raise ValueError("the time occurs once that day")
    values = {"time": _hm(instant.local.time()),
              "date": format_date(instant.local.date(), "full"),
              "before": _hm(instant.change.before), "after": _hm(instant.change.after),
              "zone": zone_label(instant.local, long=True)}
    if instant.is_second:
        return str(_l("%(time)s occurs twice on %(date)s (the clocks go back from %(before)s to "
                      "%(after)s): the second %(time)s (%(zone)s) is used.", **values))
    return str(_l("%(time)s occurs twice on %(date)s (the clocks go back from %(before)s to "
                  "%(after)s): the first %(time)s (%(zone)s) is used.", **values))


def _hm(value: time) -> str:
    return value.strftime("%H:%M")
