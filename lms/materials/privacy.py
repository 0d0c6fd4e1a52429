"""Materials are course data; who added or uploaded one is a reference."""

from __future__ import annotations

from lms.privacy.declare import table

TABLES = (
    table(
        "material",
        key=("id", "cohort_id", "module_id", "meeting_id", "created_by_id", "reused_from_id"),
        course=("kind", "title", "note", "url", "release", "release_at"),
        bookkeeping=("created_at", "withdrawn_at"),
    ),
    table(
        "material_version",
        key=("id", "material_id", "uploaded_by_id"),
        course=("original_filename",),
        technical=("version", "content_type", "size_bytes", "stored_name", "sha256"),
        bookkeeping=("uploaded_at",),
    ),
    table(
        "course_material",
        key=("id", "course_id", "module_id"),
        course=("key", "position", "kind", "title", "note", "url", "original_filename"),
        technical=("content_type", "size_bytes", "stored_name", "sha256"),
    ),
)
