"""Forms of the coordinator's attendance and assignment pages."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.assignments.models import DESCRIPTION_MAX, Assignment
from lms.attendance.models import AbsenceDecision
from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.db import max_length
from lms.labels import choices


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices(AbsenceDecision, [AbsenceDecision.EXCUSED, AbsenceDecision.NOT_EXCUSED],
                        capitalise=True),
        validators=[InputRequired(_l("Please decide: excused or not excused."))],
    )


class AssignmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")),
                                                 Length(max=max_length(Assignment.title))])
    description = TextAreaField(_l("Description"), validators=[Length(max=DESCRIPTION_MAX)])
    module_id = SelectField(_l("Module"), coerce=int)
    kind = RadioField(_l("Kind"), choices=choices(AssessmentKind, capitalise=True),
                      validators=[InputRequired()], default=AssessmentKind.PAPER.value,
                      description=_l("An assessment without upload is, for example, an oral "
                                     "exam or a presentation."))
    grading = RadioField(_l("Grading"), choices=choices(GradingScheme, capitalise=True),
                         validators=[InputRequired()], default=GradingScheme.PASS_FAIL.value)
    max_points = DecimalField(_l("Maximum points"), places=2,
                              validators=[Optional(), NumberRange(min=0.01, max=9999)])
    pass_points = DecimalField(_l("Points to pass"), places=2,
                               validators=[Optional(), NumberRange(min=0.01, max=9999)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    due_time = TimeField(_l("Due time"), validators=[Optional()], default=time(23, 59))
    required = BooleanField(_l("Required for the certificate"), default=True)
