"""One mail when something new is released, not one per file: ``lms notify`` (run by
cron) sends each participant one digest of the materials released to their cohort since
the last one.

That a participant was told of a material is claimed per material and participant in
``notification_log`` (kind "material_released"), with INSERT … ON CONFLICT DO NOTHING: a
material is in one digest only, however often (or however many times at once) the command
runs. A digest whose mail fails is not claimed and is tried again next time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.db import insert_on_conflict
from lms.extensions import db
from lms.materials.models import Material
from lms.materials.queries import released_materials
from lms.notifications.models import NotificationLog

KIND = "material_released"
# Materials released longer ago than this are not announced any more (e.g. on a first run).
DIGEST_NEWS = timedelta(days=7)
TEMPLATE = "materials_digest"


@dataclass(frozen=True)
class Digest:
    user: User
    enrollment: Enrollment
    cohort: Cohort
    materials: list[Material]

    def keys(self) -> list[str]:
        return [_key(m, self.enrollment) for m in self.materials]


def _key(material: Material, enrollment: Enrollment) -> str:
    return f"material:{material.id}:enrollment:{enrollment.id}"


def due_digests(now: datetime) -> Iterator[Digest]:
    """For each participant, the materials released to their cohort lately that they have
    not been told of (whether or not another run is telling them right now)."""
    cohorts = db.session.scalars(
        sa.select(Cohort).where(Cohort.archived_at.is_(None))
        .options(selectinload(Cohort.course))).all()
    for cohort in cohorts:
        fresh = [m for m in released_materials([cohort.id], now)
                 if m.released_at > now - DIGEST_NEWS]
        if not fresh:
            continue
        enrollments = db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id,
                   Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)))
            .options(selectinload(Enrollment.user))).all()
        told = set(db.session.scalars(sa.select(NotificationLog.key).where(
            NotificationLog.kind == KIND,
            NotificationLog.key.in_([_key(m, e) for m in fresh for e in enrollments]))))
        for enrollment in enrollments:
            if not enrollment.user.is_active:
                continue
            new = [m for m in fresh if _key(m, enrollment) not in told]
            if new:
                yield Digest(enrollment.user, enrollment, cohort, new)


def claim(digest: Digest, now: datetime) -> Digest | None:
    """Record that the digest's materials are being told; the digest of those this run
    claimed, or None when another run has them all."""
    claimed = []
    for material in digest.materials:
        stmt = (insert_on_conflict(db.session, NotificationLog)
                .values(kind=KIND, key=_key(material, digest.enrollment),
                        user_id=digest.user.id, sent_at=now)
                .on_conflict_do_nothing(index_elements=["kind", "key"])
                .returning(NotificationLog.id))
        if db.session.scalar(stmt) is not None:
            claimed.append(material)
    if not claimed:
        return None
    return Digest(digest.user, digest.enrollment, digest.cohort, claimed)


def mail_context(digest: Digest) -> dict[str, Any]:
    base = current_app.config["LMS_BASE_URL"]
    return {"cohort": digest.cohort, "materials": digest.materials,
            "link": f"{base}/me/materials"}
