"""Announcements are the course's messages to a cohort; who wrote one is a reference."""

from __future__ import annotations

from lms.privacy.declare import table

TABLES = (
    table(
        "announcement",
        key=("id", "cohort_id", "author_id", "meeting_id"),
        course=("kind", "title", "body", "expires_at", "change"),
        bookkeeping=("created_at",),
    ),
)
