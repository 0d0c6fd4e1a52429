"""The integrations' refusals (tokens, webhooks)."""

from __future__ import annotations

from lms.errors import DomainError


class IntegrationError(DomainError):
    """A token or a webhook subscription cannot be made or changed."""
