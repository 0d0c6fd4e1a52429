"""The assignments area's refusals: one family, so that a view catches them as one."""

from __future__ import annotations

from lms.errors import DomainError


class AssignmentError(DomainError):
    """A submission, grade or assignment cannot be recorded; the message says why (an
    upload that is not an accepted file is an assignment error too)."""
