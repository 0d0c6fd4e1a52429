"""Forms of the shared roster and grading pages (lecturers' and coordinators')."""

from __future__ import annotations

import hashlib
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
    FieldList,
    Form,
    FormField,
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
from lms.attendance.queries import RosterRow
from lms.db import max_length
from lms.labels import choices, lazy_label
from lms.materials.models import NOTE_MAX as MATERIAL_NOTE_MAX
from lms.materials.models import Material, MaterialKind, Release
from lms.schedule.models import Meeting
from lms.web.uploads import FileWithinLimit

STATUS_CHOICES = choices(AttendanceStatus, capitalise=True)


class MarkForm(Form):
    """One participant's row. ``shown`` fingerprints what the page showed, so that the
    save can tell a change from a row that was left alone."""

    enrollment_id = HiddenField()
    shown = HiddenField()
    status = RadioField(_l("Attendance"), choices=STATUS_CHOICES,
                        validators=[InputRequired(_l("Please choose a mark."))])
    minutes_missed = IntegerField(
        _l("Minutes missed"),
        validators=[Optional(), NumberRange(
            min=1, message=_l("Enter the minutes missed: at least %(min)s."))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])


class RosterForm(FlaskForm):
    marks = FieldList(FormField(MarkForm))
    reason = TextAreaField(_l("Reason for the change"), validators=[Length(max=CHANGE_REASON_MAX)])


def fingerprint(status: str, minutes_missed: int | None, note: str) -> str:
    text = f"{status}|{minutes_missed if minutes_missed is not None else ''}|{note.strip()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_status(row: RosterRow) -> AttendanceStatus:
    """Everyone is present by default, except who announced an absence."""
    if row.notice is None:
        return AttendanceStatus.PRESENT
    if row.notice.decision == AbsenceDecision.EXCUSED:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.ABSENT


def initial_rows(meeting: Meeting, rows: list[RosterRow]) -> dict[str, list[dict[str, Any]]]:
    data = []
    for row in rows:
        if row.mark is not None:
            status = row.mark.status.value
            missed = (meeting.duration_minutes - (row.mark.minutes_attended or 0)
                      if row.mark.status == AttendanceStatus.LATE else None)
            note, prefix = row.mark.note, "m"
        else:
            status, missed, note, prefix = default_status(row).value, None, "", "n"
        data.append({"enrollment_id": str(row.enrollment.id), "status": status,
                     "minutes_missed": missed, "note": note,
                     "shown": prefix + fingerprint(status, missed, note)})
    return {"marks": data}


def roster_entries(form: RosterForm, meeting: Meeting) -> list[RosterEntry] | None:
    """The submitted rows as entries to save, or None after adding errors to the rows."""
    entries, ok = [], True
    for entry in form.marks:
        sub = entry.form
        raw_id = sub.enrollment_id.data or ""
        if not (raw_id.isascii() and raw_id.isdigit()):  # "²" is a digit int() refuses
            # Said above the button: a row the page does not know is not shown.
            form.reason.errors = [*form.reason.errors,
                                  _l("The roster has changed; please reload the page.")]
            ok = False
            continue
        status = AttendanceStatus(sub.status.data)
        missed = sub.minutes_missed.data if status == AttendanceStatus.LATE else None
        attended = None
        if status == AttendanceStatus.LATE:
            if missed is None:
                sub.minutes_missed.errors = [
                    *sub.minutes_missed.errors, _l("How many minutes were missed?")]
                ok = False
                continue
            if missed > meeting.duration_minutes:
                sub.minutes_missed.errors = [*sub.minutes_missed.errors, _ln(
                    "At most %(num)s minute (the whole meeting).",
                    "At most %(num)s minutes (the whole meeting).", meeting.duration_minutes)]
                ok = False
                continue
            attended = meeting.duration_minutes - missed
        note = (sub.note.data or "").strip()
        shown = sub.shown.data or ""
        changed = shown[1:] != fingerprint(status.value, missed, note)
        if not changed and shown.startswith("m"):
            continue  # marked before and left as it was: nothing to write
        entries.append(RosterEntry(int(raw_id), Mark(status, attended, note),
                                   changed=changed))
    return entries if ok else None


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
