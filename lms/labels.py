"""The words people read for a stored state: one label per member, where it is defined.

Every enumeration that people see derives from :class:`LabelledEnum` and names each
member's label on the line that defines the member::

    class AbsenceDecision(LabelledEnum):
        PENDING = "pending", _l("decision pending")

The label is lazily translated, so that it is read in the language of the page, mail or
export being built. Nothing else spells it: pages use the ``label`` filter and the
``badge`` macro of ``_macros.html`` and compare with the members themselves (every
labelled enumeration is a template global, see :func:`lms.web.register_web`); forms
build their choices with :func:`choices`; exports, calendars and mails read ``.label``.
``tests/codebase/test_labels.py`` walks the templates and the code to keep it so.

Labels are written as they read inside a sentence or a table ("excused", "on track");
:func:`capitalised` gives the form that starts a line, a button or a choice.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Self, TypeAlias, TypeVar

from flask_babel import LazyString

# A label as defined: lazily translated (or, for a language's own name, a plain string).
Label: TypeAlias = str | LazyString


class LabelledEnum(enum.StrEnum):
    """A string enumeration whose members carry their human label.

    A member is still its value (``AbsenceDecision.PENDING == "pending"``), so that the
    database, JSON and URLs see only the value; the label is for people."""

    _value_: str
    _label: Label

    # Called once per member as the class is made. (Looking a member up by its value,
    # ``AbsenceDecision("pending")``, never comes here; the default only lets type
    # checkers read that call as the lookup it is.)
    def __new__(cls, value: str, label: Label | None = None) -> Self:
        if label is None:
            raise TypeError(f"{cls.__name__} member {value!r} needs a label")
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The member's words in the current language."""
        return str(self._label)

    @classmethod
    def css_name(cls) -> str:
        """The class name in CSS spelling (``AbsenceDecision`` → ``absence-decision``),
        for the badge macro's classes."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower()


E = TypeVar("E", bound=LabelledEnum)


def capitalised(text: Label) -> str:
    """``text`` with its first letter upper-case and the rest as it is ("late / left
    early" → "Late / left early"), for a label that starts a line, a button or a choice."""
    value = str(text)
    return value[:1].upper() + value[1:]


def label(member: LabelledEnum | None) -> str:
    """The ``label`` template filter: a member's words, nothing for None."""
    return "" if member is None else member.label


def choices(enum_cls: type[E], members: Iterable[E] | None = None, *,
            capitalise: bool = False) -> list[tuple[str, Label]]:
    """Choices for a SelectField or RadioField: each member's value with its label
    (lazy, so that a form class defined once shows the language of each request).
    ``members`` picks and orders a subset; ``capitalise`` makes the labels start with
    an upper-case letter, as radio buttons and menus do."""
    picked = list(enum_cls) if members is None else list(members)
    return [(member.value, lazy_label(member, capitalise=capitalise)) for member in picked]


def lazy_label(member: LabelledEnum, *, capitalise: bool = False) -> LazyString:
    """A member's label read when it is shown, for texts defined once at import time."""
    return LazyString(_label_now, member, capitalise)


def _label_now(member: LabelledEnum, capitalise: bool) -> str:
    return capitalised(member.label) if capitalise else member.label
