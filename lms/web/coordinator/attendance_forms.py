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


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("excused", _l("Excused")), ("not_excused", _l("Not excused"))],
        validators=[InputRequired(_l("Please decide: excused or not excused."))],
    )


class AssignmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")),
                                                 Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    module_id = SelectField(_l("Module"), coerce=int)
    kind = RadioField(_l("Kind"), choices=[
        ("paper", _l("Written paper (upload)")),
        ("assessment", _l("Assessment without upload (e.g. oral exam, presentation)")),
    ], validators=[InputRequired()], default="paper")
    grading = RadioField(_l("Grading"), choices=[
        ("pass_fail", _l("passed / not passed")), ("points", _l("Points with a pass mark")),
    ], validators=[InputRequired()], default="pass_fail")
    max_points = DecimalField(_l("Maximum points"), places=2,
                              validators=[Optional(), NumberRange(min=0.01, max=9999)])
    pass_points = DecimalField(_l("Points to pass"), places=2,
                               validators=[Optional(), NumberRange(min=0.01, max=9999)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    due_time = TimeField(_l("Due time"), validators=[Optional()], default=time(23, 59))
    required = BooleanField(_l("Required for the certificate"), default=True)
