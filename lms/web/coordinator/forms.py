"""Forms of the coordinator's pages. Choices that come from the database are filled in
by the views (``form.field.choices = ...``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy.orm import QueryableAttribute
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.accounts.models import BIO_MAX, EXPERTISE_MAX, LecturerProfile, Locale, TitleForm, User
from lms.announcements.models import BODY_MAX as ANNOUNCEMENT_BODY_MAX
from lms.cohorts.models import DEFAULT_ATTENDANCE_EDIT_DAYS, Cohort, Company
from lms.cohorts.roster_import import MAX_BYTES as ROSTER_MAX_BYTES
from lms.db import max_length
from lms.i18n import site_timezone
from lms.labels import Label
from lms.privacy.erasure import REASON_MAX as ERASURE_REASON_MAX
from lms.schedule.models import Block, Meeting
from lms.web.choices import LANGUAGE_CHOICES, CourseTitleForms, title_form_choices
from lms.web.uploads import FileWithinLimit

REQUIRED = _l("Please fill in this field.")
# WTForms fills in the bounds of the NumberRange it belongs to: one source for both.
FROM_TO = _l("Enter a number from %(min)s to %(max)s.")
TIMEZONES = [(zone, zone) for zone in sorted(
    z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))]


def _email_field(label: Label, column: QueryableAttribute[str] = User.email,
                 required: bool = True, **kwargs: Any) -> EmailField:
    checks = [Email(_l("Please enter a valid email address."), check_deliverability=False),
              Length(max=max_length(column))]
    return EmailField(label, validators=[DataRequired(REQUIRED) if required else Optional(),
                                         *checks], **kwargs)


def _name_field(label: Label, column: QueryableAttribute[str], **kwargs: Any) -> StringField:
    return StringField(label, validators=[DataRequired(REQUIRED), Length(max=max_length(column))],
                       **kwargs)


class CompanyForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[DataRequired(REQUIRED),
                                                       Length(max=max_length(Company.name))])
    contact_name = StringField(_l("Contact person"), validators=[
        Optional(), Length(max=max_length(Company.contact_name))])
    contact_email = _email_field(_l("Contact email"), Company.contact_email, required=False)


class CohortForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[InputRequired(REQUIRED)])
    company_id = SelectField(_l("Company"), coerce=int, validators=[InputRequired(REQUIRED)])
    name = StringField(_l("Name of the cohort"),
                       validators=[DataRequired(REQUIRED), Length(max=max_length(Cohort.name))],
                       description=_l("e.g. “Inhouse 2026/27 – Company”"))
    starts_on = DateField(_l("First day"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(REQUIRED)])
    timezone = SelectField(_l("Time zone"), choices=TIMEZONES, default=site_timezone)
    location = StringField(_l("Usual place"),
                           validators=[Optional(), Length(max=max_length(Cohort.location))])
    coordinator_id = SelectField(_l("Responsible coordinator"), coerce=int)
    min_attendance_percent = IntegerField(
        _l("Minimum attendance (percent of the scheduled hours)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 100, FROM_TO)])
    excused_counts = BooleanField(_l("Excused absence counts as attended"))
    attendance_edit_days = IntegerField(
        _l("Lecturers may change attendance for this many days after a meeting"),
        default=DEFAULT_ATTENDANCE_EDIT_DAYS,
        validators=[InputRequired(REQUIRED), NumberRange(0, 365, FROM_TO)])
    required_keys = SelectMultipleField(
        _l("Required for the certificate"),
        description=_l("The assessments a participant must pass."))

    def validate_ends_on(self, field: Field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class InviteForm(CourseTitleForms):
    email = _email_field(_l("Email address"))
    first_name = _name_field(_l("First name"), User.first_name)
    last_name = _name_field(_l("Last name"), User.last_name)
    title_form = SelectField(_l("Title form"), default=TitleForm.NEUTRAL.value,
                             choices=title_form_choices())
    language = SelectField(_l("Language"), default=Locale.DE.value, choices=LANGUAGE_CHOICES)


class PersonForm(CourseTitleForms):
    """A participant's name and title form, as their certificate prints them."""

    first_name = _name_field(_l("First name"), User.first_name)
    last_name = _name_field(_l("Last name"), User.last_name)
    title_form = SelectField(_l("Title form"), choices=title_form_choices(),
                             description=_l("How the certificate names the person."))


class ContactForm(FlaskForm):
    # Shown on the roster page next to the InviteForm: own element ids (the same field
    # names), so that every label belongs to exactly one field.
    email = _email_field(_l("Email address"), id="contact-email")
    first_name = _name_field(_l("First name"), User.first_name, id="contact-first_name")
    last_name = _name_field(_l("Last name"), User.last_name, id="contact-last_name")


class RosterUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(_l("Please choose a file.")),
        FileAllowed(["csv", "txt"], _l("Please choose a .csv file.")),
        FileWithinLimit(ROSTER_MAX_BYTES)])


class RosterConfirmForm(FlaskForm):
    csv_text = TextAreaField(validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button that changes state: the form only carries the CSRF token."""


class CancelMeetingForm(FlaskForm):
    reason = StringField(_l("Reason (shown to participants)"), validators=[
        Optional(), Length(max=max_length(Meeting.cancelled_reason))])


class BlockForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED),
                                                 Length(max=max_length(Block.title))],
                        description=_l("e.g. “Präsenzblock 2”"))
    starts_on = DateField(_l("First day"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(REQUIRED)])

    def validate_ends_on(self, field: Field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class _MeetingFields(FlaskForm):
    module_id = SelectField(_l("Module"), coerce=int, validators=[InputRequired(REQUIRED)])
    block_id = SelectField(_l("Block"), coerce=int, default=0)
    starts = TimeField(_l("From"), validators=[InputRequired(REQUIRED)])
    ends = TimeField(_l("Until"), validators=[InputRequired(REQUIRED)])
    location = StringField(_l("Place"), validators=[
        Optional(), Length(max=max_length(Meeting.location))])
    online_url = URLField(_l("Online link"), validators=[
        Optional(), URL(message=_l("Please enter a full web address (https://…).")),
        Length(max=max_length(Meeting.online_url))])
    lecturer_ids = SelectMultipleField(_l("Lecturers"), coerce=int)

    def validate_ends(self, field: Field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The meeting must end after it starts."))


class MeetingForm(_MeetingFields):
    day = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Title (optional)"), validators=[
        Optional(), Length(max=max_length(Meeting.title))])
    # Only when a meeting is edited (the view removes them from a new one's form):
    announce = BooleanField(
        _l("Also announce a new time or place on the participants' start page"),
        description=_l("Until the meeting is over; the change notice by e-mail is sent "
                       "either way."))
    announcement_note = TextAreaField(
        _l("Note to the participants (optional)"),
        validators=[Optional(), Length(max=ANNOUNCEMENT_BODY_MAX)],
        description=_l("Sent with the change notice and shown with the announcement."))


WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")),
            (4, _l("Friday")), (5, _l("Saturday")), (6, _l("Sunday"))]


class SeriesForm(_MeetingFields):
    first_day = DateField(_l("From (date)"), validators=[InputRequired(REQUIRED)])
    last_day = DateField(_l("Until (date)"), validators=[InputRequired(REQUIRED)])
    weekdays = SelectMultipleField(_l("Weekdays"), coerce=int, choices=WEEKDAYS,
                                   validators=[DataRequired(_l("Choose at least one weekday."))])
    every_weeks = IntegerField(_l("Every … weeks"), default=1, validators=[
        InputRequired(REQUIRED), NumberRange(1, 8, FROM_TO)])
    skip = TextAreaField(_l("Leave out these dates"), validators=[Optional()],
                         description=_l("One date per line, e.g. 2026-12-25."))


class LecturerForm(FlaskForm):
    email = _email_field(_l("Email address"))
    first_name = _name_field(_l("First name"), User.first_name)
    last_name = _name_field(_l("Last name"), User.last_name)
    affiliation = StringField(_l("Organisation"), validators=[
        Optional(), Length(max=max_length(LecturerProfile.affiliation))])
    job_title = StringField(_l("Job title"), validators=[
        Optional(), Length(max=max_length(LecturerProfile.job_title))])
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=BIO_MAX)])
    expertise = StringField(_l("Fields of expertise"),
                            validators=[Optional(), Length(max=EXPERTISE_MAX)],
                            description=_l("Separated by commas."))


class LecturerProfileForm(LecturerForm):
    email = None  # type: ignore[assignment]  # (WTForms: None removes the field; the
    # address is the login, it is not changed here)


class ErasureForm(FlaskForm):
    """Erase a person's data: the reason goes into the audit trail."""

    reason = TextAreaField(
        _l("Reason"), description=_l("For the audit trail, e.g. “at the person's request” or "
                                     "“retention period over”. Please do not repeat the name."),
        validators=[DataRequired(REQUIRED), Length(max=ERASURE_REASON_MAX)])
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(_l("Please confirm that the erasure cannot be undone."))])


class RefuseErasureForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for refusing"),
        description=_l("The person reads it on their account page."),
        validators=[DataRequired(REQUIRED), Length(max=ERASURE_REASON_MAX)])


class FindPersonForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): it changes nothing

    email = _email_field(_l("Email address"))
