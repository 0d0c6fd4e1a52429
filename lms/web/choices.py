"""Choices shared by the forms of several roles, built from the enumerations' labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import SelectField

from lms.accounts.models import Locale, TitleForm
from lms.labels import Label, choices

if TYPE_CHECKING:
    from lms.curriculum.models import Course

LANGUAGE_CHOICES = choices(Locale)


def title_form_choices(course: Course | None = None) -> list[tuple[str, Label]]:
    """Each title form as the course writes it ("Social Media Manager*in", "Social Media
    Managerin", "Social Media Manager"): what the certificate will print. Without a
    course, the forms' own labels."""
    if course is None:
        return choices(TitleForm)
    return [(form.value, course.title_for(form)) for form in TitleForm]


class CourseTitleForms(FlaskForm):
    """A form with a ``title_form`` field that offers the title of ``course`` in each
    form (the course the person is invited to or enrolled in)."""

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "title_form" in self._fields:
            field = self._fields["title_form"]
            if not isinstance(field, SelectField):  # (RadioField is one)
                raise TypeError("title_form must be a choice of the title forms")
            field.choices = title_form_choices(course)
