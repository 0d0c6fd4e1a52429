"""What a validated form holds, as the operations take it."""

from __future__ import annotations

from typing import TypeVar

from wtforms import Field

T = TypeVar("T")


def filled(data: T | None) -> T:
    """The data of a field that its validators require (DataRequired, InputRequired):
    once ``validate_on_submit()`` is true it is never None, and the operation gets the
    type it takes."""
    if data is None:
        raise ValueError("a required field has no data: was the form validated?")
    return data


def add_error(field: Field, message: str) -> None:
    """An error on ``field``, shown beside it (its errors may still be the empty tuple
    WTForms starts with)."""
    field.errors = [*field.errors, message]
