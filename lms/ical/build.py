"""iCalendar documents, built with the icalendar library (RFC 5545, RFC 7986, RFC 5546).

Everything here is a pure function of the rows it gets (no "now", nothing random), so
that the same data always gives the same bytes: the ETag may be strong, and every worker
builds what the others built.

Rules that make calendar programs get moves and cancellations right:
- UID fixed when the meeting was created; SEQUENCE raised on every change of time,
  place or status (by the schedule operations); DTSTAMP and LAST-MODIFIED are the
  meeting's last change, so they stay the same while nothing changes.
- A cancelled meeting stays, with STATUS:CANCELLED, so that calendars remove it.
- DTSTART/DTEND in the cohort's time zone, with a VTIMEZONE before the events that
  only covers the feed's dates (long VTIMEZONEs break Google Calendar).
- A deadline is never a zero-length event: calendar programs that cannot show one
  (khal, some Outlook and Thunderbird views) stretch it to an hour *after* the due
  time, so that a deadline at 23:59 spills into the next day. See ``deadline_span``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from lms.ical.queries import DeadlineRow, MeetingRow
from lms.labels import capitalised
from lms.localtime import calendar_time, local_instant
from lms.schedule.models import MeetingStatus

PRODID = "-//TH Köln//lms Weiterbildung//DE"
# How often calendar programs should poll (RFC 7986 REFRESH-INTERVAL and its older
# Microsoft/Apple spelling X-PUBLISHED-TTL). Google decides for itself.
REFRESH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class _Texts:
    """Translated labels, looked up once per document instead of once per event."""

    cancelled: str
    lecturers: str
    details: str
    online: str
    reason: str
    cohort: str
    module: str
    deadline: str
    due_by: str  # with a placeholder for the time: "Abgabe bis %(time)s Uhr"

    @classmethod
    def current(cls) -> _Texts:
        return cls(
            cancelled=capitalised(MeetingStatus.CANCELLED.label), lecturers=_("Lecturers"),
            details=_("Details"), online=_("Online"), reason=_("Reason"), cohort=_("Cohort"),
            module=_("Module"), deadline=_("Deadline"), due_by=_("Due by %(time)s"),
        )


class _Links:
    """Absolute links into the app, without needing a request (mails are built outside)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).hostname or "lms"

    def meeting(self, meeting_id: int) -> str:
        return f"{self.base_url}/meetings/{meeting_id}"


@lru_cache(maxsize=128)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE covering only ``first``..``last`` (the library computes the rules)."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


def _timezones(spans: Iterable[tuple[str, datetime, datetime]]) -> list[Timezone]:
    """One short VTIMEZONE per time zone used, bounded to the dates of its events
    (a day's margin on each side)."""
    ranges: dict[str, tuple[date, date]] = {}
    for tzid, start, end in spans:
        zone = _zone(tzid)
        first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        if tzid in ranges:
            first, last = min(first, ranges[tzid][0]), max(last, ranges[tzid][1])
        ranges[tzid] = (first, last)
    return [_vtimezone(tzid, first - timedelta(days=1), last + timedelta(days=1))
            for tzid, (first, last) in sorted(ranges.items())]


def _calendar(*, method: str, name: str | None, timezone: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name is not None:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if timezone is not None:
        calendar.add("x-wr-timezone", timezone)
    if name is not None:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    return calendar


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def meeting_summary(row: MeetingRow, *, english: bool, with_cohort: bool = False) -> str:
    """"module – course", e.g. "3. Content-Strategie – Social Media Manager*in"."""
    module = row.module_title_en if english and row.module_title_en else row.module_title
    course = row.course_title_en if english and row.course_title_en else row.course_title
    summary = f"{row.module_number}. {module}"
    if row.title:
        summary += f": {row.title}"
    summary += f" – {course}"
    if with_cohort:
        summary += f" ({row.cohort_name})"
    return summary


def _meeting_event(row: MeetingRow, texts: _Texts, links: _Links, *, english: bool,
                   with_cohort: bool) -> Event:
    zone = _zone(row.timezone)
    page = links.meeting(row.id)
    summary = meeting_summary(row, english=english, with_cohort=with_cohort)
    description = [f"{texts.cohort}: {row.cohort_name}"]
    if row.cancelled:
        summary = f"{texts.cancelled}: {summary}"
        if row.cancelled_reason:
            description.insert(0, f"{texts.cancelled} – {texts.reason}: {row.cancelled_reason}")
    if row.lecturers:
        description.append(f"{texts.lecturers}: {', '.join(row.lecturers)}")
    if row.online_url:
        description.append(f"{texts.online}: {row.online_url}")
    description.append(f"{texts.details}: {page}")

    event = Event()
    event.add("uid", row.uid)
    event.add("sequence", row.sequence)
    event.add("dtstamp", _utc(row.updated_at))
    event.add("created", _utc(row.created_at))
    event.add("last-modified", _utc(row.updated_at))
    event.add("dtstart", calendar_time(row.starts_at, zone))
    event.add("dtend", calendar_time(row.ends_at, zone))
    event.add("summary", summary)
    if row.location:
        event.add("location", row.location)
    event.add("url", row.online_url or page)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if row.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if row.cancelled else "OPAQUE")
    return event


# How long before its due time a timed deadline's event starts: long enough that every
# calendar program draws it with its title in the day view, short enough not to block a day.
DEADLINE_LEAD = timedelta(minutes=30)
# Raised whenever the shape of a deadline's event changes (2: whole day at 23:59, short
# event before any other due time, instead of a zero-length event), so that a program
# that compares SEQUENCE takes the new shape for an event it already has.
_DEADLINE_SHAPE = 1


def deadline_span(due_at: datetime, timezone: str) -> tuple[date, date] | tuple[datetime, datetime]:
    """DTSTART and DTEND of a deadline, so that calendar programs show it on the due day
    at the due time.

    Due at the end of a day (23:59 in the cohort's time zone, the default of the form):
    a whole-day event on that day, as Canvas exports its "due at 11:59 pm" assignments;
    every program shows it on that day, above the hours, and the summary says "until
    23:59". Due at any other time: a short event that ends at the due time, so that its
    end, the moment that matters, is the due time in every day and agenda view. It
    never starts on the day before (a deadline at 00:10 starts at midnight), except for
    one due at midnight sharp, which ends the day before."""
    due = due_at.astimezone(_zone(timezone))
    if (due.hour, due.minute) == (23, 59):
        return due.date(), due.date() + timedelta(days=1)
    zone = _zone(timezone)
    midnight = local_instant(due.date(), time(0), zone).at
    if due == midnight:
        midnight = local_instant(due.date() - timedelta(days=1), time(0), zone).at
    start = max(due_at - DEADLINE_LEAD, midnight)
    # calendar_time: the second occurrence of a doubled hour is written in UTC
    return calendar_time(start, zone), calendar_time(due_at, zone)


def deadline_uid(row: DeadlineRow, links: _Links) -> str:
    """Fixed for the assignment's lifetime: its id, never its date."""
    return f"deadline-{row.id}@{links.host}"


def _deadline_event(row: DeadlineRow, texts: _Texts, links: _Links, *, english: bool,
                    with_cohort: bool) -> Event:
    due = row.due_at.astimezone(_zone(row.timezone))
    start, end = deadline_span(row.due_at, row.timezone)
    course = row.course_title_en if english and row.course_title_en else row.course_title
    summary = f"{texts.due_by % {'time': due.strftime('%H:%M')}}: {row.title} – {course}"
    if with_cohort:
        summary += f" ({row.cohort_name})"
    description = [f"{texts.cohort}: {row.cohort_name}"]
    if row.module_number is not None:
        module = row.module_title_en if english and row.module_title_en else row.module_title
        description.append(f"{texts.module}: {row.module_number}. {module}")
    event = Event()
    event.add("uid", deadline_uid(row, links))
    # No column counts a deadline's changes; minutes since creation only ever rise, and
    # stay put while nothing changes, which is all SEQUENCE must do.
    event.add("sequence", _DEADLINE_SHAPE
              + max(0, int((row.updated_at - row.created_at).total_seconds() // 60)))
    event.add("dtstamp", _utc(row.updated_at))
    event.add("created", _utc(row.created_at))
    event.add("last-modified", _utc(row.updated_at))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", "\n".join(description))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("categories", [texts.deadline])
    return event


def main_timezone(meetings: Sequence[MeetingRow], default: str) -> str:
    """The time zone most of a feed's meetings are in (for X-WR-TIMEZONE)."""
    counts = Counter(row.timezone for row in meetings)
    return counts.most_common(1)[0][0] if counts else default


def build_feed(
    meetings: Sequence[MeetingRow],
    deadlines: Sequence[DeadlineRow],
    *,
    name: str,
    timezone: str,
    base_url: str,
    english: bool,
) -> bytes:
    """A subscription feed (METHOD:PUBLISH) of meetings and deadlines. Call it inside
    ``force_locale`` of the reader's language."""
    texts, links = _Texts.current(), _Links(base_url)
    with_cohort = len({r.cohort_id for r in meetings} | {r.cohort_id for r in deadlines}) > 1
    calendar = _calendar(method="PUBLISH", name=name, timezone=timezone)
    spans = [(r.timezone, r.starts_at, r.ends_at) for r in meetings]
    spans += [(r.timezone, r.due_at - DEADLINE_LEAD, r.due_at) for r in deadlines]
    for component in _timezones(spans):
        calendar.add_component(component)
    for row in meetings:
        calendar.add_component(
            _meeting_event(row, texts, links, english=english, with_cohort=with_cohort)
        )
    for deadline in deadlines:
        calendar.add_component(
            _deadline_event(deadline, texts, links, english=english, with_cohort=with_cohort)
        )
    return _ical_bytes(calendar)


def build_meeting_ics(
    row: MeetingRow,
    *,
    base_url: str,
    english: bool,
    method: str = "PUBLISH",
    organizer: Person | None = None,
    attendee: Person | None = None,
) -> bytes:
    """One meeting as a file: PUBLISH for a download; REQUEST (update) or CANCEL with
    ORGANIZER and the one recipient as ATTENDEE for a change notice (RFC 5546), so that
    mail programs apply it to the event they already have (same UID, higher SEQUENCE)."""
    if method not in ("PUBLISH", "REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method}")
    texts, links = _Texts.current(), _Links(base_url)
    calendar = _calendar(method=method, name=None, timezone=None)
    for component in _timezones([(row.timezone, row.starts_at, row.ends_at)]):
        calendar.add_component(component)
    event = _meeting_event(row, texts, links, english=english, with_cohort=False)
    if method == "CANCEL" and not row.cancelled:
        # Cancelled for this recipient only (e.g. a lecturer who no longer teaches it).
        event["status"] = vText("CANCELLED")
    if organizer is not None:
        event.add("organizer", _address(organizer))
    if attendee is not None and method != "PUBLISH":
        address = _address(attendee)
        address.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION",
                               "RSVP": "FALSE"})
        event.add("attendee", address)
    calendar.add_component(event)
    return _ical_bytes(calendar)


def _ical_bytes(calendar: Calendar) -> bytes:
    data: bytes = calendar.to_ical()  # (icalendar does not annotate it)
    return data


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    return address
