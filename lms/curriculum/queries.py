"""Reads of courses and modules."""

from __future__ import annotations

import sqlalchemy as sa

from lms.curriculum.models import Course, Module
from lms.extensions import db


def list_courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.title_neutral)))


def get_course(course_id: int) -> Course | None:
    return db.session.get(Course, course_id)


def first_course() -> Course | None:
    """The course loaded first: the one a new cohort starts from (its rules' defaults)."""
    return db.session.scalar(sa.select(Course).order_by(Course.id).limit(1))


def list_modules(course_id: int) -> list[Module]:
    return list(db.session.scalars(
        sa.select(Module).where(Module.course_id == course_id).order_by(Module.number)))


def get_module(module_id: int) -> Module | None:
    return db.session.get(Module, module_id)
