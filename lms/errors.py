"""The base of every refusal a domain operation can give.

Each area has one family: its error (``CohortError``, ``CertificateError``, …) derives
from :class:`DomainError`, and so does every more particular refusal of the area
(``PasswordPolicyError`` is an ``AccountError``). A view catches the family, rolls back
and shows the message (:func:`lms.web.saving.committing`).
"""

from __future__ import annotations


class DomainError(ValueError):
    """An operation cannot be carried out; ``message`` says why, in the user's language
    (usually a lazy gettext string, resolved when it is shown). ``field`` names the form
    field the refusal is about, when it is about one ("name" for a name already taken)."""

    def __init__(self, message: object, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        """The message in the language of the moment it is shown (a lazy string is
        resolved now, not when the error was raised)."""
        return str(self.message)
