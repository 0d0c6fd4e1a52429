"""Reads of materials: a module's for its lecturers and the coordinator, the released ones
for participants, the course's standing ones, and what a lecturer may take over."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.materials.models import CourseMaterial, Material, MaterialVersion
from lms.schedule.models import Meeting, meeting_lecturer


def _materials(*conditions: sa.ColumnElement[bool]) -> list[Material]:
    return list(db.session.scalars(
        sa.select(Material).where(*conditions)
        .options(selectinload(Material.versions), selectinload(Material.meeting),
                 selectinload(Material.module), selectinload(Material.created_by),
                 selectinload(Material.cohort))
        .order_by(Material.created_at, Material.id)))


def module_materials(cohort: Cohort, module: Module) -> list[Material]:
    """Every material of the module in the cohort, withdrawn and unreleased ones too (for
    its lecturers and the coordinator), in the order they were added."""
    return _materials(Material.cohort_id == cohort.id, Material.module_id == module.id)


def get_material(material_id: int) -> Material | None:
    return db.session.get(Material, material_id)


def get_version(material: Material, version: int) -> MaterialVersion | None:
    return db.session.scalar(sa.select(MaterialVersion).where(
        MaterialVersion.material_id == material.id, MaterialVersion.version == version))


def released_materials(cohort_ids: Iterable[int], now: datetime, *, module_id: int | None = None,
                       meeting_id: int | None = None) -> list[Material]:
    """What participants of these cohorts get now: released and not withdrawn, in the order
    they were released."""
    conditions: list[sa.ColumnElement[bool]] = [Material.cohort_id.in_(list(cohort_ids)),
                                                Material.withdrawn_at.is_(None)]
    if module_id is not None:
        conditions.append(Material.module_id == module_id)
    if meeting_id is not None:
        conditions.append(Material.meeting_id == meeting_id)
    found = [m for m in _materials(*conditions) if m.released_at <= now]
    return sorted(found, key=lambda m: (m.released_at, m.id))


def course_materials(course_id: int, module_id: int | None = None) -> list[CourseMaterial]:
    """The course's standing materials (of one module, or all), in the course's order."""
    conditions: list[sa.ColumnElement[bool]] = [CourseMaterial.course_id == course_id]
    if module_id is not None:
        conditions.append(CourseMaterial.module_id == module_id)
    return list(db.session.scalars(
        sa.select(CourseMaterial).where(*conditions)
        .options(selectinload(CourseMaterial.module))
        .order_by(CourseMaterial.position, CourseMaterial.id)))


def get_course_material(material_id: int) -> CourseMaterial | None:
    return db.session.get(CourseMaterial, material_id)


@dataclass(frozen=True)
class ModuleShelf:
    """One module's materials of one cohort, as a participant's "Materials" page shows
    them (module None: the course's materials that belong to no module)."""

    cohort: Cohort
    module: Module | None
    materials: list[Material] = field(default_factory=list)
    standing: list[CourseMaterial] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(1 for m in self.materials if m.latest is not None) + sum(
            1 for c in self.standing if c.stored_name)


def shelves(cohorts: list[Cohort], now: datetime) -> list[ModuleShelf]:
    """Per cohort and module (in module order), the released materials and the course's
    standing ones; modules with neither are left out."""
    released = released_materials([c.id for c in cohorts], now)
    result = []
    for cohort in cohorts:
        standing = course_materials(cohort.course_id)
        for module in cohort.course.modules:
            mine = [m for m in released if m.cohort_id == cohort.id and m.module_id == module.id]
            theirs = [c for c in standing if c.module_id == module.id]
            if mine or theirs:
                result.append(ModuleShelf(cohort, module, mine, theirs))
        general = [c for c in standing if c.module_id is None]
        if general:
            result.insert(0, ModuleShelf(cohort, None, [], general))
    return result


@dataclass(frozen=True)
class TaughtModule:
    cohort: Cohort
    module: Module
    materials: int
    released: int


def taught_modules(user: User, now: datetime) -> list[TaughtModule]:
    """The modules ``user`` teaches in each cohort, with how many materials they have."""
    pairs = db.session.execute(
        sa.select(Meeting.cohort_id, Meeting.module_id).distinct()
        .join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
        .where(meeting_lecturer.c.user_id == user.id)).all()
    return _counted([(cohort_id, module_id) for cohort_id, module_id in pairs], now)


def cohort_modules(cohort: Cohort, now: datetime) -> list[TaughtModule]:
    """Every module the cohort meets for, with its materials counted (the coordinator's
    overview)."""
    pairs = db.session.execute(
        sa.select(Meeting.cohort_id, Meeting.module_id).distinct()
        .where(Meeting.cohort_id == cohort.id)).all()
    return _counted([(cohort_id, module_id) for cohort_id, module_id in pairs], now)


def _counted(pairs: list[tuple[int, int]], now: datetime) -> list[TaughtModule]:
    if not pairs:
        return []
    cohort_ids = {c for c, _m in pairs}
    cohorts = {c.id: c for c in db.session.scalars(
        sa.select(Cohort).where(Cohort.id.in_(cohort_ids))
        .options(selectinload(Cohort.course), selectinload(Cohort.company)))}
    modules = {m.id: m for c in cohorts.values() for m in c.course.modules}
    materials = _materials(Material.cohort_id.in_(cohort_ids), Material.withdrawn_at.is_(None))
    rows = []
    for cohort_id, module_id in pairs:
        mine = [m for m in materials if m.cohort_id == cohort_id and m.module_id == module_id]
        rows.append(TaughtModule(cohorts[cohort_id], modules[module_id], len(mine),
                                 sum(1 for m in mine if m.released_at <= now)))
    return sorted(rows, key=lambda r: (-r.cohort.starts_on.toordinal(), -r.cohort.id,
                                       r.module.number))


@dataclass(frozen=True)
class ReuseOffer:
    """The materials ``user`` added to the module in an earlier cohort of the course."""

    cohort: Cohort
    materials: list[Material]


def reuse_offer(user: User, cohort: Cohort, module: Module) -> ReuseOffer | None:
    """The latest other cohort of the course in which ``user`` added materials to the
    module (not withdrawn), while they have none of their own in it in ``cohort``."""
    own = db.session.scalar(sa.select(sa.exists().where(
        Material.cohort_id == cohort.id, Material.module_id == module.id,
        Material.created_by_id == user.id, Material.withdrawn_at.is_(None))))
    if own:
        return None
    source = db.session.scalar(
        sa.select(Cohort).join(Material, Material.cohort_id == Cohort.id)
        .where(Cohort.course_id == cohort.course_id, Cohort.id != cohort.id,
               Material.module_id == module.id, Material.created_by_id == user.id,
               Material.withdrawn_at.is_(None))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc()).limit(1))
    if source is None:
        return None
    return ReuseOffer(source, _materials(Material.cohort_id == source.id,
                                         Material.module_id == module.id,
                                         Material.created_by_id == user.id,
                                         Material.withdrawn_at.is_(None)))
