"""The completion rules: outcomes and their reasons, on facts and on real cohort data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from lms.assignments.models import Assignment
from lms.assignments.operations import grade
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.attendance.queries import AttendanceSummary
from lms.certificates.models import CertificateKind
from lms.certificates.queries import (
    cohort_progress,
    enrollment_progress,
    list_completion_status,
)
from lms.certificates.rules import (
    AssessmentFacts,
    CompletionFacts,
    Mark,
    Outcome,
    Standing,
    assessment_passed,
    evaluate_completion,
)
from lms.cohorts.models import EnrollmentStatus
from lms.curriculum.models import GradingScheme
from lms.extensions import db
from lms.schedule.operations import cancel_meeting
from tests.factories import (
    berlin,
    enroll,
    make_cohort,
    make_finished_cohort,
    make_meeting,
)

AFTER = datetime(2026, 7, 1, 12, tzinfo=UTC)  # after the finished cohort's last day


def summary(attended: int, scheduled: int = 6000, held: int | None = None, missed: int = 0,
            percent: int = 80, margin: int = 0) -> AttendanceSummary:
    held = scheduled if held is None else held
    return AttendanceSummary(scheduled=scheduled, held=held, attended=attended, missed=missed,
                             required=-(-scheduled * percent // 100), min_percent=percent,
                             margin=margin)


PAPER = AssessmentFacts(title="Hausarbeit", title_en="Written paper", required=True,
                        grading=GradingScheme.POINTS, pass_points=Decimal(50))
EXAM = AssessmentFacts(title="Mündliche Prüfung", title_en="Oral examination", required=True,
                       grading=GradingScheme.PASS_FAIL, pass_points=None)


def passed(item: AssessmentFacts, points: int | None = None) -> AssessmentFacts:
    return AssessmentFacts(**{**item.__dict__, "graded": True, "passed": True,
                              "points": Decimal(points) if points is not None else None})


def evaluate(facts: CompletionFacts):
    with force_locale("en"):
        return evaluate_completion(facts)


def texts(result) -> list[str]:
    return [r.text for r in result.reasons]


def test_everything_met_gives_a_certificate(app):
    result = evaluate(CompletionFacts(False, summary(6000), (passed(PAPER, 70), passed(EXAM)),
                                      course_over=True))
    assert result.outcome == Outcome.CERTIFICATE
    assert result.kind.value == "certificate"
    assert "Attendance 100 % of 80 % required: met." in texts(result)
    assert "Written paper: passed." in texts(result)
    assert all(r.met for r in result.reasons)


def test_missing_hours_are_named_in_plain_words(app):
    # 72 % of 100 hours attended, 80 % required, the course is over: not reached.
    result = evaluate(CompletionFacts(False, summary(4320, missed=1680), (PAPER,),
                                      course_over=True))
    assert result.outcome == Outcome.NOT_YET
    assert result.standing == Standing.NOT_COMPLETED
    assert texts(result)[0] == ("Attendance 72 % of 80 % required: not reached "
                                "(72 of 100 hours attended).")
    assert "Written paper: no grade recorded." in texts(result)


def test_out_of_reach_when_the_minimum_cannot_be_reached_any_more(app):
    result = evaluate(CompletionFacts(False, summary(1000, held=2500, missed=1500), (),
                                      course_over=False))
    assert result.standing == Standing.OUT_OF_REACH
    assert texts(result)[0] == ("16.7 of 41.7 hours held so far attended, 25 hours missed: the "
                                "minimum (80 of 100 hours, 80 %) can no longer be reached.")


def test_attendance_met_but_assessment_failed_gives_a_confirmation_after_the_end(app):
    failed_paper = AssessmentFacts(**{**PAPER.__dict__, "graded": True, "passed": False,
                                      "points": Decimal(30)})
    during = evaluate(CompletionFacts(False, summary(5000), (failed_paper,), course_over=False))
    assert during.outcome == Outcome.NOT_YET
    assert during.standing == Standing.AT_RISK
    assert "Written paper: not passed (30 points, 50 needed)." in texts(during)
    assert any("once the course has ended" in t for t in texts(during))
    after = evaluate(CompletionFacts(False, summary(5000), (failed_paper,), course_over=True))
    assert after.outcome == Outcome.CONFIRMATION
    assert after.standing == Standing.CONFIRMATION
    assert after.kind.value == "confirmation"


def test_withdrawn_participants_get_nothing(app):
    result = evaluate(CompletionFacts(True, summary(6000), (passed(EXAM),), course_over=True))
    assert result.outcome == Outcome.NONE
    assert result.standing == Standing.WITHDRAWN
    assert result.kind is None
    assert "Withdrawn" in texts(result)[0]


def test_optional_assessments_do_not_block(app):
    optional = AssessmentFacts(title="Übung", title_en="", required=False,
                               grading=GradingScheme.PASS_FAIL, pass_points=None)
    result = evaluate(CompletionFacts(False, summary(6000), (optional, passed(EXAM)), True))
    assert result.outcome == Outcome.CERTIFICATE


def test_points_are_judged_by_the_current_pass_mark():
    graded = passed(PAPER, 55)
    assert assessment_passed(graded) is True
    raised = AssessmentFacts(**{**graded.__dict__, "pass_points": Decimal(60)})
    assert assessment_passed(raised) is False
    # Switched to points after a pass/fail grade: needs points before it counts.
    switched = AssessmentFacts(**{**passed(EXAM).__dict__, "grading": GradingScheme.POINTS,
                                  "pass_points": Decimal(50)})
    assert assessment_passed(switched) is None


def test_reasons_follow_the_language(app):
    facts = CompletionFacts(False, summary(4320, missed=1680), (PAPER,), course_over=False)
    with force_locale("de"):
        german = evaluate_completion(facts)
    # The German title of the assessment is used whatever the catalog's state.
    assert any(r.text.startswith("Hausarbeit") for r in german.reasons)
    assert any(t.startswith("Written paper") for t in texts(evaluate(facts)))


# --------------------------------------------------------------------------- on real data


def test_finished_cohort_gives_certificates(course):
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    with force_locale("en"):
        progress = enrollment_progress(enrollment, AFTER)
    assert progress.result.outcome == Outcome.CERTIFICATE
    assert progress.needs_issuing


def test_cancelled_meetings_never_count(course):
    cohort = make_cohort(course, starts_on=date(2026, 1, 5))
    held = make_meeting(cohort, berlin(2026, 1, 8), hours=4)
    dropped = make_meeting(cohort, berlin(2026, 1, 9), hours=4, module_number=2)
    enrollment = enroll(cohort)
    record_attendance(held, enrollment, AttendanceStatus.PRESENT)
    record_attendance(dropped, enrollment, AttendanceStatus.ABSENT)
    with force_locale("en"):
        before = enrollment_progress(enrollment, AFTER).result
    assert before.attendance_met is False
    assert texts(before)[0] == ("Attendance 50 % of 80 % required: not reached "
                                "(4 of 8 hours attended).")
    cancel_meeting(dropped, "Dozentin erkrankt")
    with force_locale("en"):
        after = enrollment_progress(enrollment, AFTER).result
    assert after.attendance_met is True  # 4 of 4 scheduled hours
    assert texts(after)[0] == "Attendance 100 % of 80 % required: met."


def test_excused_absence_follows_the_cohort_rule(course):
    cohort = make_cohort(course, starts_on=date(2026, 1, 5))
    first = make_meeting(cohort, berlin(2026, 1, 8), hours=4)
    second = make_meeting(cohort, berlin(2026, 1, 9), hours=4, module_number=2)
    enrollment = enroll(cohort)
    record_attendance(first, enrollment, AttendanceStatus.PRESENT)
    record_attendance(second, enrollment, AttendanceStatus.EXCUSED)
    cohort.excused_counts = False
    db.session.flush()
    assert enrollment_progress(enrollment, AFTER).result.attendance_met is False
    cohort.excused_counts = True  # the rule changed after the marks were recorded
    db.session.flush()
    assert enrollment_progress(enrollment, AFTER).result.attendance_met is True


def test_a_pass_mark_changed_after_grading_applies_as_it_is_now(course):
    cohort, (enrollment,) = make_finished_cohort(course)
    paper = db.session.scalar(db.select(Assignment).filter_by(cohort_id=cohort.id,
                                                              key="hausarbeit"))
    grade(paper, enrollment, points=Decimal(55))
    assert enrollment_progress(enrollment, AFTER).result.outcome == Outcome.CERTIFICATE
    paper.pass_points = Decimal(60)
    db.session.flush()
    with force_locale("en"):
        result = enrollment_progress(enrollment, AFTER).result
    assert result.outcome == Outcome.CONFIRMATION
    assert "Written paper: not passed (55 points, 60 needed)." in texts(result)


def test_a_minimum_raised_after_marks_applies_as_it_is_now(course):
    cohort, (enrollment,) = make_finished_cohort(course)
    meeting = cohort.meetings[1]
    record_attendance(meeting, enrollment, AttendanceStatus.LATE, minutes_attended=120)
    assert enrollment_progress(enrollment, AFTER).result.attendance_met is False  # 6 of 8 h
    cohort.min_attendance_percent = 75
    db.session.flush()
    assert enrollment_progress(enrollment, AFTER).result.attendance_met is True


def test_unpublished_grades_do_not_count_yet(course):
    cohort, (enrollment,) = make_finished_cohort(course)
    exam = db.session.scalar(db.select(Assignment).filter_by(cohort_id=cohort.id,
                                                             key="muendliche-pruefung"))
    grade(exam, enrollment, passed=True, publish=False)
    with force_locale("en"):
        result = enrollment_progress(enrollment, AFTER).result
    assert result.outcome == Outcome.CONFIRMATION
    assert "Oral examination: no grade recorded." in texts(result)


def test_withdrawn_enrollment_in_a_cohort(course):
    cohort, (stays, leaves) = make_finished_cohort(course, participants=2)
    leaves.status = EnrollmentStatus.WITHDRAWN
    db.session.flush()
    outcomes = {p.enrollment.id: p.result.outcome for p in cohort_progress(cohort, AFTER)}
    assert outcomes == {stays.id: Outcome.CERTIFICATE, leaves.id: Outcome.NONE}


def test_company_status_is_the_standing_and_nothing_more(course):
    from lms.certificates.operations import issue_certificate

    cohort, (certified, on_track, at_risk) = make_finished_cohort(course, participants=3)
    cohort.ends_on = date(2026, 12, 31)  # still running
    future = make_meeting(cohort, berlin(2026, 12, 10), hours=2, module_number=3)
    record_attendance(cohort.meetings[0], at_risk, AttendanceStatus.ABSENT)
    record_attendance(cohort.meetings[1], at_risk, AttendanceStatus.ABSENT)
    assert future.id
    db.session.commit()
    issue_certificate(certified, now=AFTER)
    db.session.commit()
    rows = dict((e.id, s) for e, s in list_completion_status(cohort, AFTER))
    assert rows == {certified.id: Standing.CERTIFIED, on_track.id: Standing.ON_TRACK,
                    at_risk.id: Standing.OUT_OF_REACH}


# --------------------------------------------------------------------------- the standing
#
# A course of 70 hours in 20 meetings of 3.5 hours (the demo's shape): 80 % = 56 hours
# required, so 14 hours may be missed in all; "at risk" once less than one meeting's
# worth of them is left.

HOURS_70, MEETING = 70 * 60, 210


def course70(attended: float, held: float, missed: float = 0) -> AttendanceSummary:
    return summary(int(attended * 60), scheduled=HOURS_70, held=int(held * 60),
                   missed=int(missed * 60), margin=MEETING)


FAILED_PAPER = AssessmentFacts(**{**PAPER.__dict__, "graded": True, "passed": False,
                                  "points": Decimal(30)})
BOTH_PASSED = (passed(PAPER, 70), passed(EXAM))
CERT = frozenset({CertificateKind.CERTIFICATE})
CONF = frozenset({CertificateKind.CONFIRMATION})

# (case, withdrawn, attendance, assessments, course over, issued,
#  standing, outcome, the attendance reason's mark, its English text)
STANDING_CASES = [
    ("all 21 hours held so far attended", False, course70(21, 21), (PAPER, EXAM), False, (),
     Standing.ON_TRACK, Outcome.NOT_YET, Mark.ON_TRACK,
     "21 of 21 hours held so far attended; up to 14 more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("nothing held yet", False, course70(0, 0), (PAPER, EXAM), False, (),
     Standing.ON_TRACK, Outcome.NOT_YET, Mark.ON_TRACK,
     "No meeting has been held yet; up to 14 more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("one meeting missed, plenty left", False, course70(17.5, 21, 3.5), (PAPER,), False, (),
     Standing.ON_TRACK, Outcome.NOT_YET, Mark.ON_TRACK,
     "17.5 of 21 hours held so far attended; up to 10.5 more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("less than a meeting's worth left to miss", False, course70(21.5, 35, 13.5), (PAPER,),
     False, (), Standing.AT_RISK, Outcome.NOT_YET, Mark.AT_RISK,
     "21.5 of 35 hours held so far attended; only 0.5 more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("the margin used up exactly", False, course70(21, 35, 14), (PAPER,), False, (),
     Standing.AT_RISK, Outcome.NOT_YET, Mark.AT_RISK,
     "21 of 35 hours held so far attended; no more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("one hour too many missed", False, course70(20, 35, 15), (PAPER,), False, (),
     Standing.OUT_OF_REACH, Outcome.NOT_YET, Mark.MISSING,
     "20 of 35 hours held so far attended, 15 hours missed: the minimum (56 of 70 hours, "
     "80 %) can no longer be reached."),
    ("attendance fine, a required paper failed", False, course70(35, 35), (FAILED_PAPER,),
     False, (), Standing.AT_RISK, Outcome.NOT_YET, Mark.ON_TRACK,
     "35 of 35 hours held so far attended; up to 14 more hours may be missed "
     "(required: 56 of 70 hours, 80 %)."),
    ("every rule met before the end, nothing issued", False, course70(60, 63), BOTH_PASSED,
     False, (), Standing.ON_TRACK, Outcome.CERTIFICATE, Mark.MET,
     "Attendance 85 % of 80 % required: met."),
    ("a certificate issued before the end", False, course70(60, 63), BOTH_PASSED, False, CERT,
     Standing.CERTIFIED, Outcome.CERTIFICATE, Mark.MET,
     "Attendance 85 % of 80 % required: met."),
    ("over: every rule met", False, course70(66.5, 70, 3.5), BOTH_PASSED, True, (),
     Standing.CERTIFIED, Outcome.CERTIFICATE, Mark.MET,
     "Attendance 95 % of 80 % required: met."),
    ("over: a certificate issued, the pass mark raised since", False, course70(70, 70),
     (FAILED_PAPER, passed(EXAM)), True, CERT,
     Standing.CERTIFIED, Outcome.CONFIRMATION, Mark.MET,
     "Attendance 100 % of 80 % required: met."),
    ("over: attendance met, the paper failed", False, course70(63, 70, 7),
     (FAILED_PAPER, passed(EXAM)), True, (), Standing.CONFIRMATION, Outcome.CONFIRMATION,
     Mark.MET, "Attendance 90 % of 80 % required: met."),
    ("over: attendance met, the exam never graded", False, course70(63, 70, 7),
     (passed(PAPER, 70), EXAM), True, CONF, Standing.CONFIRMATION, Outcome.CONFIRMATION,
     Mark.MET, "Attendance 90 % of 80 % required: met."),
    ("over: 0 of 70 hours", False, course70(0, 70, 70), (PAPER, EXAM), True, (),
     Standing.NOT_COMPLETED, Outcome.NOT_YET, Mark.MISSING,
     "Attendance 0 % of 80 % required: not reached (0 of 70 hours attended)."),
    ("over: 52.5 of 70 hours, the paper passed", False, course70(52.5, 70, 17.5), BOTH_PASSED,
     True, (), Standing.NOT_COMPLETED, Outcome.NOT_YET, Mark.MISSING,
     "Attendance 75 % of 80 % required: not reached (52.5 of 70 hours attended)."),
    ("withdrawn", True, course70(21, 21), (PAPER,), False, (),
     Standing.WITHDRAWN, Outcome.NONE, Mark.MISSING,
     "Withdrawn from the cohort: no certificate or confirmation of participation is issued."),
]


@pytest.mark.parametrize(
    "case, withdrawn, attendance, assessments, over, issued, standing, outcome, mark, text",
    STANDING_CASES, ids=[c[0] for c in STANDING_CASES])
def test_the_standing_from_the_facts(app, case, withdrawn, attendance, assessments, over,
                                     issued, standing, outcome, mark, text):
    result = evaluate(CompletionFacts(withdrawn, attendance, assessments, course_over=over,
                                      issued=frozenset(issued)))
    assert (result.standing, result.outcome) == (standing, outcome)
    assert result.standing.final == (standing in {Standing.CERTIFIED, Standing.CONFIRMATION,
                                                  Standing.NOT_COMPLETED, Standing.WITHDRAWN})
    first = result.reasons[0]
    assert (first.mark, first.text) == (mark, text)
    if not result.standing.final:  # nothing that is still possible is marked as failed
        assert all(r.mark != Mark.MISSING for r in result.reasons) or (
            standing == Standing.OUT_OF_REACH)


def test_the_standing_speaks_german(app):
    facts = CompletionFacts(False, course70(21, 21), (PAPER,), course_over=False)
    with force_locale("de"):
        result = evaluate_completion(facts)
    assert result.reasons[0].text == (
        "21 von 21 bisher gehaltenen Stunden besucht; bis zu 14 weitere Stunden dürfen "
        "noch fehlen (erforderlich: 56 von 70 Stunden, 80 %).")
    assert "Hausarbeit: noch nicht bewertet." in [r.text for r in result.reasons]
