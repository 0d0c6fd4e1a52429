"""Forms of the shared roster and grading pages (lecturers' and coordinators')."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.announcements.models import BODY_MAX, Announcement
from lms.assignments.models import GradeState
from lms.assignments.operations import FEEDBACK_MAX
from lms.attendance.models import AbsenceDecision, AttendanceStatus
from lms.attendance.operations import CHANGE_REASON_MAX, NOTE_MAX, Mark, RosterEntry
from lms.attendance.queries import RosterMark
from lms.db import max_length
from lms.labels import choices, lazy_label
from lms.materials.models import NOTE_MAX as MATERIAL_NOTE_MAX
from lms.materials.models import Material, MaterialKind, Release
from lms.schedule.models import Meeting
from lms.web.uploads import FileWithinLimit

STATUS_CHOICES = choices(AttendanceStatus, capitalise=True)
MINUTES_MISSED_MIN = 1


class MarkForm(Form):
    """One participant's row, named ``marks-<n>-<field>`` (:func:`row_prefix`): what the
    page offers and how a submitted row is validated. The page itself is rendered from
    :class:`RosterLine` rows, plain values: a roster of 200 renders without 200 forms.
    ``shown`` fingerprints what the page showed, so that the save can tell a change
    from a row that was left alone."""

    enrollment_id = HiddenField()
    shown = HiddenField()
    status = RadioField(_l("Attendance"), choices=STATUS_CHOICES,
                        validators=[InputRequired(_l("Please choose a mark."))])
    minutes_missed = IntegerField(
        _l("Minutes missed"),
        validators=[Optional(), NumberRange(
            min=MINUTES_MISSED_MIN, message=_l("Enter the minutes missed: at least %(min)s."))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])


class RosterForm(FlaskForm):
    """The roster page's own fields: its CSRF token and the coordinator's reason (the
    rows are :class:`MarkForm` rows)."""

    reason = TextAreaField(_l("Reason for the change"), validators=[Length(max=CHANGE_REASON_MAX)])


def row_prefix(index: int) -> str:
    return f"marks-{index}"


_ROW = re.compile(r"marks-(\d+)-")


@dataclass(frozen=True, slots=True)
class RosterLine:
    """One participant's row as the page shows it: stored, or as submitted (with its
    errors)."""

    prefix: str  # the fields' names start with it: "marks-3-"
    enrollment_id: str
    shown: str
    person: RosterMark
    status: str  # the value chosen ("" for none)
    minutes_missed: str  # as stored or typed
    note: str
    status_errors: tuple[str, ...] = ()
    minutes_errors: tuple[str, ...] = ()
    note_errors: tuple[str, ...] = ()


def fingerprint(status: str, minutes_missed: int | None, note: str) -> str:
    text = f"{status}|{minutes_missed if minutes_missed is not None else ''}|{note.strip()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_status(row: RosterMark) -> AttendanceStatus:
    """Everyone is present by default, except who announced an absence."""
    if row.notice_decision is None:
        return AttendanceStatus.PRESENT
    if row.notice_decision == AbsenceDecision.EXCUSED:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.ABSENT


def initial_lines(meeting: Meeting, rows: list[RosterMark]) -> list[RosterLine]:
    """Each participant's stored mark, or the default, with the fingerprint of it."""
    duration = meeting.duration_minutes
    lines = []
    for index, row in enumerate(rows):
        if row.status is not None:
            status = row.status.value
            missed = (duration - (row.minutes_attended or 0)
                      if row.status == AttendanceStatus.LATE else None)
            note, prefix = row.note, "m"
        else:
            status, missed, note, prefix = default_status(row).value, None, "", "n"
        lines.append(RosterLine(
            f"{row_prefix(index)}-", str(row.enrollment_id),
            prefix + fingerprint(status, missed, note), row, status,
            "" if missed is None else str(missed), note))
    return lines


@dataclass
class SubmittedRoster:
    lines: list[RosterLine]  # the rows of the roster, as submitted, with their errors
    entries: list[RosterEntry]  # what to save (complete only when ``ok``)
    ok: bool
    errors: list[str]  # for the whole form (said above the button)


def submitted_roster(formdata: Any, meeting: Meeting, rows: list[RosterMark]
                     ) -> SubmittedRoster:
    """The submitted rows, each validated by :class:`MarkForm` and the rules of a late
    mark; rows of participants the page does not know are not shown (and refused)."""
    people = {str(row.enrollment_id): row for row in rows}
    result = SubmittedRoster([], [], True, [])
    indices = sorted({int(m.group(1)) for key in formdata
                      if (m := _ROW.match(key)) is not None})
    for index in indices:
        sub = MarkForm(formdata, prefix=row_prefix(index))
        valid = sub.validate()
        raw_id = sub.enrollment_id.data or ""
        if not (raw_id.isascii() and raw_id.isdigit()):  # "²" is a digit int() refuses
            result.errors.append(str(_l("The roster has changed; please reload the page.")))
            result.ok = False
            continue
        entry = _entry(sub, meeting) if valid else None
        if entry is None:
            result.ok = False
        elif entry is not _UNCHANGED:
            result.entries.append(entry)
        person = people.get(raw_id)
        if person is not None:
            result.lines.append(RosterLine(
                f"{row_prefix(index)}-", raw_id, sub.shown.data or "", person,
                sub.status.data or "", _typed(sub.minutes_missed), sub.note.data or "",
                tuple(map(str, sub.status.errors)), tuple(map(str, sub.minutes_missed.errors)),
                tuple(map(str, sub.note.errors))))
    return result


_UNCHANGED = RosterEntry(0, Mark(AttendanceStatus.PRESENT), changed=False)


def _typed(field: IntegerField) -> str:
    """The number as typed (as WTForms shows it again: "abc" stays "abc")."""
    if field.raw_data:
        return str(field.raw_data[0])
    return "" if field.data is None else str(field.data)


def _entry(sub: MarkForm, meeting: Meeting) -> RosterEntry | None:
    """The row's entry (``_UNCHANGED`` for a mark left as it was), or None after adding
    its error to the row."""
    status = AttendanceStatus(sub.status.data)
    missed = sub.minutes_missed.data if status == AttendanceStatus.LATE else None
    attended = None
    if status == AttendanceStatus.LATE:
        if missed is None:
            sub.minutes_missed.errors = [*sub.minutes_missed.errors,
                                         _l("How many minutes were missed?")]
            return None
        if missed > meeting.duration_minutes:
            sub.minutes_missed.errors = [*sub.minutes_missed.errors, _ln(
                "At most %(num)s minute (the whole meeting).",
                "At most %(num)s minutes (the whole meeting).", meeting.duration_minutes)]
            return None
        attended = meeting.duration_minutes - missed
    note = (sub.note.data or "").strip()
    shown = sub.shown.data or ""
    changed = shown[1:] != fingerprint(status.value, missed, note)
    if not changed and shown.startswith("m"):
        return _UNCHANGED  # marked before and left as it was: nothing to write
    return RosterEntry(int(sub.enrollment_id.data or ""), Mark(status, attended, note),
                       changed=changed)


class GradeForm(FlaskForm):
    points = DecimalField(_l("Points"), places=2,
                          validators=[Optional(), NumberRange(min=0)])
    passed = RadioField(_l("Result"), choices=[
        ("yes", lazy_label(GradeState.PASSED, capitalise=True)),
        ("no", lazy_label(GradeState.FAILED, capitalise=True))], validators=[Optional()])
    feedback = TextAreaField(_l("Feedback"), validators=[Length(max=FEEDBACK_MAX)])
    publish = BooleanField(_l("Show the grade and feedback to the participant now"),
                           default=True)


class AnnouncementForm(FlaskForm):
    """A coordinator's (for the cohort of the page) or a lecturer's (``cohort_id``: one of
    the cohorts they teach) announcement."""

    cohort_id = SelectField(_l("To the cohort"), coerce=int,
                            validators=[InputRequired(_l("Please choose a cohort."))])
    title = StringField(_l("Title"), validators=[
        InputRequired(_l("Please give the announcement a title.")),
        Length(max=max_length(Announcement.title))])
    body = TextAreaField(_l("Text"), validators=[
        InputRequired(_l("Please write the announcement.")), Length(max=BODY_MAX)],
        description=_l("Sent by e-mail to every participant of the cohort, and shown on "
                       "their start page."))
    shown_until = DateField(_l("Shown on the start page until"), validators=[
        InputRequired(_l("Please give the last day it is shown."))])


class MaterialForm(FlaskForm):
    """A file or a link for a module or one of its meetings, released when chosen. The
    meetings to choose from are filled in by the view."""

    title = StringField(_l("Title"), validators=[
        InputRequired(_l("Please give the material a title.")),
        Length(max=max_length(Material.title))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(),
                                                           Length(max=MATERIAL_NOTE_MAX)])
    kind = RadioField(_l("What"), choices=choices(MaterialKind, capitalise=True),
                      default=MaterialKind.FILE.value)
    file = FileField(_l("File"), validators=[FileWithinLimit()])
    url = URLField(_l("Web address"), validators=[Optional(), Length(
        max=max_length(Material.url))], description=_l("For a link: https://…"))
    meeting_id = SelectField(_l("For"), coerce=int, default=0)
    release = RadioField(_l("Participants get it"), choices=choices(Release, capitalise=True),
                         default=Release.NOW.value)
    release_at = DateTimeLocalField(_l("Release on (date and time)"), validators=[Optional()],
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


class ReplaceFileForm(FlaskForm):
    file = FileField(_l("New version"), validators=[
        FileRequired(_l("Please choose a file.")), FileWithinLimit()])
