"""The accounts area's refusals: one family, so that a view catches them as one."""

from __future__ import annotations

from lms.errors import DomainError


class AccountError(DomainError):
    """A request about an account cannot be carried out (a weak password and a link that
    cannot be used any more are account errors too)."""
