"""An evaluation to answer: the attendance world's cohort A with a held module (3) whose
last meeting ended four days ago, and participants enough to reach the minimum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lms.cohorts.models import Enrollment
from lms.curriculum.models import Module
from lms.db import utcnow
from lms.evaluation.operations import submit_response
from lms.evaluation.queries import EvaluationStatus, evaluation_status
from lms.extensions import db
from lms.schedule.models import Meeting
from tests.factories import make_meeting
from tests.helpers import World, build_world, whole_minute

HELD_MODULE = 3


@dataclass
class EvaluationWorld:
    world: World
    module: Module
    last_meeting: Meeting

    @property
    def cohort(self):
        return self.world.a.cohort

    def status(self, now=None) -> EvaluationStatus:
        status = evaluation_status(self.cohort, self.module, now or utcnow())
        assert status is not None
        return status


def build_evaluation_world(course_dir, participants: int = 6) -> EvaluationWorld:
    world = build_world(course_dir, participants=participants)
    a = world.a
    start = whole_minute(world.now)
    make_meeting(a.cohort, start - timedelta(days=12), module_number=HELD_MODULE,
                 lecturers=(a.lecturer,))
    last = make_meeting(a.cohort, start - timedelta(days=4), module_number=HELD_MODULE,
                        lecturers=(a.lecturer,))
    db.session.commit()
    module = last.module
    return EvaluationWorld(world, module, last)


def answer(ew: EvaluationWorld, enrollment: Enrollment, **answers) -> None:
    submit_response(ew.status(), enrollment, answers or {"inhalt": 4, "kommentar": "Gut."})
    db.session.commit()
