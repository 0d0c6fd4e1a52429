"""Forms of the coordinator's pages. Choices that come from the database are filled in
by the views (``form.field.choices = ...``)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
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

from lms.cohorts.roster_import import MAX_BYTES as ROSTER_MAX_BYTES
from lms.web.uploads import FileWithinLimit

REQUIRED = _l("Please fill in this field.")
TIMEZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def _email_field(label, required=True, **kwargs):
    checks = [Email(_l("Please enter a valid email address."), check_deliverability=False),
              Length(max=254)]
    return EmailField(label, validators=[DataRequired(REQUIRED) if required else Optional(),
                                         *checks], **kwargs)


class CompanyForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = _email_field(_l("Contact email"), required=False)


class CohortForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[InputRequired(REQUIRED)])
    company_id = SelectField(_l("Company"), coerce=int, validators=[InputRequired(REQUIRED)])
    name = StringField(_l("Name of the cohort"),
                       validators=[DataRequired(REQUIRED), Length(max=200)],
                       description=_l("e.g. “Inhouse 2026/27 – Company”"))
    starts_on = DateField(_l("First day"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(REQUIRED)])
    timezone = SelectField(_l("Time zone"), choices=TIMEZONES, default="Europe/Berlin")
    location = StringField(_l("Usual place"), validators=[Optional(), Length(max=300)])
    coordinator_id = SelectField(_l("Responsible coordinator"), coerce=int)
    min_attendance_percent = IntegerField(
        _l("Minimum attendance (percent of the scheduled hours)"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(0, 100, _l("Enter a number from 0 to 100."))])
    excused_counts = BooleanField(_l("Excused absence counts as attended"))
    attendance_edit_days = IntegerField(
        _l("Lecturers may change attendance for this many days after a meeting"),
        default=14, validators=[InputRequired(REQUIRED),
                                NumberRange(0, 365, _l("Enter a number from 0 to 365."))])
    required_keys = SelectMultipleField(
        _l("Required for the certificate"),
        description=_l("The assessments a participant must pass."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class InviteForm(FlaskForm):
    email = _email_field(_l("Email address"))
    first_name = StringField(_l("First name"), validators=[DataRequired(REQUIRED),
                                                           Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=120)])
    title_form = SelectField(
        _l("Title form"), default="neutral",
        choices=[("neutral", "Social Media Manager*in"), ("female", "Social Media Managerin"),
                 ("male", "Social Media Manager")])
    language = SelectField(_l("Language"), default="de",
                           choices=[("de", "Deutsch"), ("en", "English")])


TITLE_FORM_CHOICES = [("neutral", "Social Media Manager*in"), ("female", "Social Media Managerin"),
                      ("male", "Social Media Manager")]


class PersonForm(FlaskForm):
    """A participant's name and title form, as their certificate prints them."""

    first_name = StringField(_l("First name"), validators=[DataRequired(REQUIRED),
                                                           Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=120)])
    title_form = SelectField(_l("Title form"), choices=TITLE_FORM_CHOICES,
                             description=_l("How the certificate names the person."))


class ContactForm(FlaskForm):
    # Shown on the roster page next to the InviteForm: own element ids (the same field
    # names), so that every label belongs to exactly one field.
    email = _email_field(_l("Email address"), id="contact-email")
    first_name = StringField(_l("First name"), id="contact-first_name",
                             validators=[DataRequired(REQUIRED), Length(max=120)])
    last_name = StringField(_l("Last name"), id="contact-last_name",
                            validators=[DataRequired(REQUIRED), Length(max=120)])


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
    reason = StringField(_l("Reason (shown to participants)"),
                         validators=[Optional(), Length(max=500)])


class BlockForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)],
                        description=_l("e.g. “Präsenzblock 2”"))
    starts_on = DateField(_l("First day"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(REQUIRED)])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class _MeetingFields(FlaskForm):
    module_id = SelectField(_l("Module"), coerce=int, validators=[InputRequired(REQUIRED)])
    block_id = SelectField(_l("Block"), coerce=int, default=0)
    starts = TimeField(_l("From"), validators=[InputRequired(REQUIRED)])
    ends = TimeField(_l("Until"), validators=[InputRequired(REQUIRED)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online link"), validators=[
        Optional(), URL(message=_l("Please enter a full web address (https://…).")),
        Length(max=500)])
    lecturer_ids = SelectMultipleField(_l("Lecturers"), coerce=int)

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The meeting must end after it starts."))


class MeetingForm(_MeetingFields):
    day = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200)])


WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")),
            (4, _l("Friday")), (5, _l("Saturday")), (6, _l("Sunday"))]


class SeriesForm(_MeetingFields):
    first_day = DateField(_l("From (date)"), validators=[InputRequired(REQUIRED)])
    last_day = DateField(_l("Until (date)"), validators=[InputRequired(REQUIRED)])
    weekdays = SelectMultipleField(_l("Weekdays"), coerce=int, choices=WEEKDAYS,
                                   validators=[DataRequired(_l("Choose at least one weekday."))])
    every_weeks = IntegerField(_l("Every … weeks"), default=1, validators=[
        InputRequired(REQUIRED), NumberRange(1, 8, _l("Enter a number from 1 to 8."))])
    skip = TextAreaField(_l("Leave out these dates"), validators=[Optional()],
                         description=_l("One date per line, e.g. 2026-12-25."))


class LecturerForm(FlaskForm):
    email = _email_field(_l("Email address"))
    first_name = StringField(_l("First name"), validators=[DataRequired(REQUIRED),
                                                           Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=120)])
    affiliation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=3000)])
    expertise = StringField(_l("Fields of expertise"), validators=[Optional(), Length(max=500)],
                            description=_l("Separated by commas."))


class LecturerProfileForm(LecturerForm):
    email = None  # the address is the login; it is not changed here
