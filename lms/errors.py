"""The base of every refusal a domain operation can give."""

from __future__ import annotations


class DomainError(ValueError):
    """An operation cannot be carried out; ``message`` says why, in the user's language
    (usually a lazy gettext string, resolved when it is shown)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message
