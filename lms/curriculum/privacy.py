"""The curriculum is course data: it holds nothing about a person."""

from __future__ import annotations

from lms.privacy.declare import table

TABLES = (
    table(
        "course",
        key=("id",),
        course=("slug", "title_neutral", "title_female", "title_male", "title_en", "provider",
                "provider_unit", "description", "total_hours", "credits",
                "default_min_attendance_percent", "default_excused_counts", "evaluation"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "module",
        key=("id", "course_id"),
        course=("number", "slug", "title", "title_en", "description", "learning_outcomes",
                "topics", "hours"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "course_assessment",
        key=("id", "course_id", "module_id"),
        course=("key", "title", "title_en", "kind", "grading", "max_points", "pass_points",
                "required"),
    ),
)
