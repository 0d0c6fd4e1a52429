"""Forms of the participant's attendance, check-in and assignment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.attendance.absences import REASON_MAX
from lms.attendance.checkin import CODE_INPUT_MAX
from lms.web.uploads import FileWithinLimit


class AbsenceForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Please give a reason.")), Length(max=REASON_MAX)],
    )


class WithdrawForm(FlaskForm):
    """Only the CSRF token: withdrawing a notice changes state."""


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Check-in code"),
        validators=[DataRequired(_l("Please type the code shown in the room.")),
                    Length(max=CODE_INPUT_MAX)],
    )


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Please choose a file.")),
                                             FileWithinLimit()])
