"""What a participant is offered for an assignment, walked through every state.

States: the kind (paper or without upload) x what was handed in (nothing, a version) x
the grade (none, not yet published, published "passed", published "not passed") x the
due date (none, ahead, passed). For each, the page shows exactly the offered form and
words, and the server accepts an upload exactly when one is offered.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from itertools import product

import pytest
import sqlalchemy as sa

from lms.assignments.models import Assignment, Submission
from lms.assignments.operations import AssignmentError, grade, submit_file
from lms.assignments.queries import HandIn, get_grade, hand_in_offer
from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.demo import _tiny_pdf
from lms.extensions import db
from tests.helpers import build_world, text_of

PDF = _tiny_pdf("Hausarbeit")
HANDED_IN = ("nothing", "a version")
GRADES = ("none", "unpublished pass", "passed", "not passed")
DUE = ("none", "ahead", "passed")

# The expected offer for a paper, written out rather than computed.
EXPECTED = {
    ("nothing", "none", "none"): HandIn.FIRST,
    ("nothing", "none", "ahead"): HandIn.FIRST,
    ("nothing", "none", "passed"): HandIn.FIRST_LATE,
    ("nothing", "unpublished pass", "none"): HandIn.FIRST,
    ("nothing", "unpublished pass", "ahead"): HandIn.FIRST,
    ("nothing", "unpublished pass", "passed"): HandIn.FIRST_LATE,
    ("a version", "none", "none"): HandIn.NEW_VERSION,
    ("a version", "none", "ahead"): HandIn.NEW_VERSION,
    ("a version", "none", "passed"): HandIn.CLOSED_AFTER_DUE,
    ("a version", "unpublished pass", "none"): HandIn.NEW_VERSION,
    ("a version", "unpublished pass", "ahead"): HandIn.NEW_VERSION,
    ("a version", "unpublished pass", "passed"): HandIn.CLOSED_AFTER_DUE,
    **{(h, "passed", d): HandIn.CLOSED_PASSED for h in HANDED_IN for d in DUE},
    **{(h, "not passed", d): HandIn.REVISION for h in HANDED_IN for d in DUE},
}
HEADINGS = {
    HandIn.FIRST: "Hand in", HandIn.FIRST_LATE: "Hand in",
    HandIn.NEW_VERSION: "Hand in a new version", HandIn.REVISION: "Hand in a revised version",
    HandIn.CLOSED_AFTER_DUE: "Handed in", HandIn.CLOSED_PASSED: "Handed in",
}
WORDS = {
    HandIn.FIRST_LATE: "You can still hand in; the work will be marked as late.",
    HandIn.REVISION: "You may hand in a revised version",
    HandIn.CLOSED_AFTER_DUE: "version 1 is the one that is graded",
    HandIn.CLOSED_PASSED: "Passed: nothing more to hand in.",
}


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=1)


def make_state(world, index: int, handed_in: str, graded: str, due: str,
               kind: AssessmentKind = AssessmentKind.PAPER) -> Assignment:
    a = world.a
    now = world.now
    assignment = Assignment(
        cohort=a.cohort, key=f"state-{index}", title=f"Arbeit {index}", kind=kind,
        grading=GradingScheme.POINTS, max_points=Decimal(100), pass_points=Decimal(50),
        due_at={"none": None, "ahead": now + timedelta(days=7),
                "passed": now - timedelta(days=7)}[due])
    db.session.add(assignment)
    db.session.flush()
    enrollment = a.enrollments[0]
    if handed_in == "a version":
        submit_file(assignment, enrollment, "arbeit.pdf", PDF, now=now - timedelta(days=10))
    if graded != "none":
        grade(assignment, enrollment, points=Decimal(20 if graded == "not passed" else 80),
              by=a.lecturer, publish=graded != "unpublished pass")
    db.session.commit()
    return assignment


def versions(assignment, enrollment) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Submission).where(
        Submission.assignment_id == assignment.id, Submission.enrollment_id == enrollment.id))


def test_every_state_offers_what_it_should(client, auth, world):
    enrollment = world.a.enrollments[0]
    auth.login(world.a.participants[0])
    states = list(product(HANDED_IN, GRADES, DUE))
    assert len(states) == len(EXPECTED) == 24
    for index, (handed_in, graded, due) in enumerate(states):
        where = f"{handed_in}, grade {graded}, due {due}"
        expected = EXPECTED[(handed_in, graded, due)]
        assignment = make_state(world, index, handed_in, graded, due)
        offer = hand_in_offer(assignment, versions(assignment, enrollment),
                              get_grade(assignment, enrollment), world.now)
        assert offer == expected, where

        page = client.get(f"/me/assignments/{assignment.id}")
        html, text = page.get_data(as_text=True), text_of(page)
        assert f"<h2>{HEADINGS[expected]}</h2>" in html, where
        assert ('enctype="multipart/form-data"' in html) == expected.accepts_upload, where
        if expected in WORDS:
            assert WORDS[expected] in text, where
        assert "Hand in a new version" not in text or expected == HandIn.NEW_VERSION, where

        before = versions(assignment, enrollment)
        response = client.post(f"/me/assignments/{assignment.id}", data={
            "file": (io.BytesIO(PDF), "neu.pdf")}, content_type="multipart/form-data")
        after = versions(assignment, enrollment)
        if expected.accepts_upload:
            assert response.status_code == 302 and after == before + 1, where
        else:
            assert response.status_code == 200 and after == before, where
            assert 'role="alert"' in response.get_data(as_text=True), where


def test_an_assessment_without_upload_offers_nothing_in_any_state(client, auth, world):
    auth.login(world.a.participants[0])
    for index, (graded, due) in enumerate(product(("none", "passed", "not passed"), DUE)):
        assignment = make_state(world, 100 + index, "nothing", graded, due,
                                kind=AssessmentKind.ASSESSMENT)
        page = client.get(f"/me/assignments/{assignment.id}")
        assert 'enctype="multipart/form-data"' not in page.get_data(as_text=True)
        assert "Nothing is uploaded for this assessment" in text_of(page)
        with pytest.raises(AssignmentError):
            submit_file(assignment, world.a.enrollments[0], "x.pdf", PDF)
