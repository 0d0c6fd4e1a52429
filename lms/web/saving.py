"""Saving what a request changed: commit once, or roll back and say why.

A view loads, asks ``access``, validates, then calls one operation inside
:func:`committing`::

    with committing(form, "title") as saved:
        create_assignment(cohort, by=current_user, **fields)
    if saved:
        flash(_("The assignment is created."), "info")
        return redirect(...)
    return render_template(...)  # the form, with the refusal on its field

Operations flush and never commit; a refusal is a :class:`~lms.errors.DomainError` of the
operation's area, and nothing of it may be kept: the whole transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm

from lms.errors import DomainError
from lms.extensions import db


@dataclass
class Outcome:
    """How the block ended: true when it was committed; ``error`` when it was refused."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else ""


@contextmanager
def committing(form: FlaskForm | None = None, field: str | None = None, *,
               report: bool = True) -> Iterator[Outcome]:
    """Commit what the block changed. A DomainError raised in it rolls everything back
    and is reported: on the form field the error names (``error.field``), else on
    ``field``, else (no such field, or no form) as a flashed error. With
    ``report=False`` the caller says it itself, from ``outcome.error``. Any other
    exception passes through (the error page rolls back)."""
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if report:
            say_refusal(error, form, field)
    else:
        db.session.commit()


def say_refusal(error: DomainError, form: FlaskForm | None = None,
                field: str | None = None) -> None:
    """Put the refusal where the user looks: beside the field it is about, else above
    the page."""
    for name in (error.field, field):
        if form is not None and name is not None and name in form:
            target = form[name]
            target.errors = [*target.errors, str(error)]
            return
    flash(str(error), "error")
