"""The module evaluation as a participant answers it: once, anonymously, while it is open."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from lms.access import get_own_enrollment_or_404, module_of_cohort_or_404
from lms.db import utcnow
from lms.evaluation.operations import submit_response
from lms.evaluation.queries import evaluation_status, has_answered, minimum_answers
from lms.evaluation.questionnaire import TEXT_ANSWER_LIMIT, Questionnaire
from lms.web.participant import bp
from lms.web.saving import committing, say_refusal

FIELD_PREFIX = "q_"


def _position(value: object) -> int | None:
    """A radio button's value as a scale position; "" (no answer) as nothing; anything
    else as 0, which the evaluation refuses in the user's words."""
    if value in (None, ""):
        return None
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 3 else 0


class EvaluationForm(FlaskForm):
    """One field per question of the questionnaire (made per request, see
    :func:`evaluation_form`), each named ``q_<key>``."""

    def answers(self) -> dict[str, Any]:
        return {name.removeprefix(FIELD_PREFIX): field.data for name, field in self._fields.items()
                if name.startswith(FIELD_PREFIX)}


def evaluation_form(questionnaire: Questionnaire) -> EvaluationForm:
    scale = questionnaire.scale_for()
    fields: dict[str, Any] = {}
    for question in questionnaire.questions:
        if question.is_scale:
            fields[FIELD_PREFIX + question.key] = RadioField(
                question.text_for(), default="", coerce=_position, validate_choice=False,
                choices=[*((i, text) for i, text in enumerate(scale, start=1)),
                         ("", _l("no answer"))],
                validators=[Optional()])
        else:
            fields[FIELD_PREFIX + question.key] = TextAreaField(
                question.text_for(), validators=[Optional(), Length(max=TEXT_ANSWER_LIMIT)],
                description=_ln("Optional, at most %(num)s character. The lecturers read it "
                                "as you write it.", "Optional, at most %(num)s characters. The "
                                "lecturers read it as you write it.", TEXT_ANSWER_LIMIT))
    form_class: type[EvaluationForm] = type("QuestionnaireForm", (EvaluationForm,), fields)
    return form_class()


@bp.route("/cohorts/<int:cohort_id>/modules/<int:module_id>/evaluation",
          methods=["GET", "POST"])
def evaluation(cohort_id: int, module_id: int) -> ResponseReturnValue:
    enrollment = get_own_enrollment_or_404(current_user, cohort_id)
    module = module_of_cohort_or_404(enrollment.cohort, module_id)
    status = evaluation_status(enrollment.cohort, module, utcnow())
    if status is None:
        abort(404)
    answered = has_answered(status.evaluation, enrollment)
    form = evaluation_form(status.questionnaire) if status.is_open and not answered else None
    if form is not None and form.validate_on_submit():
        with committing(report=False) as saved:
            submit_response(status, enrollment, form.answers())
        if saved:
            flash(_("Thank you! Your answers are stored, without your name."), "info")
            return redirect(url_for("participant.home"))
        error = saved.error
        if error is not None:
            say_refusal(error, form, FIELD_PREFIX + error.field if error.field else None)
    return render_template("participant/evaluation.html", status=status, form=form,
                           answered=answered, minimum=minimum_answers())
