"""Completion rules: what an enrollment has earned so far, and every reason, in plain words.

One pure function, :func:`evaluate_completion`, decides for the participant's progress
page, the coordinator's cohort overview, the company contact's status and issuing
alike. It reads only the facts it is given (see ``lms.certificates.queries`` for how
they are gathered) and always applies the rules as they are *now*: a pass mark or a
minimum attendance changed after marks were recorded counts in its current form.

- Withdrawn participants get nothing.
- Certificate: the minimum attendance is met and every required assessment is passed.
- Confirmation of participation: the minimum attendance is met, an assessment is not
  passed, and the course is over (before that the certificate is still within reach).
- Cancelled meetings never count (the attendance summary leaves them out); whether an
  excused absence counts follows the cohort's rule.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from lms.attendance.queries import AttendanceSummary
from lms.certificates.models import CertificateKind
from lms.curriculum.models import GradingScheme
from lms.i18n import plural_n


class Outcome(enum.StrEnum):
    CERTIFICATE = "certificate"
    CONFIRMATION = "confirmation"
    NOT_YET = "not_yet"
    NONE = "none"  # withdrawn: nothing is issued


@dataclass(frozen=True)
class AssessmentFacts:
    """One of the cohort's assignments and this participant's published grade, if any."""

    title: str
    title_en: str
    required: bool
    grading: GradingScheme
    pass_points: Decimal | None
    graded: bool = False  # a published grade exists
    passed: bool | None = None  # as recorded when graded
    points: Decimal | None = None


@dataclass(frozen=True)
class CompletionFacts:
    withdrawn: bool
    attendance: AttendanceSummary
    assessments: tuple[AssessmentFacts, ...]
    course_over: bool  # the cohort's last day has passed, or every meeting has been held


@dataclass(frozen=True)
class Reason:
    text: str
    met: bool | None  # None: information, neither met nor missing


@dataclass(frozen=True)
class CompletionResult:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    attendance_met: bool
    assessments_met: bool
    at_risk: bool  # the certificate can no longer be reached as things stand

    @property
    def kind(self) -> CertificateKind | None:
        """What may be issued now, if anything."""
        return {
            Outcome.CERTIFICATE: CertificateKind.CERTIFICATE,
            Outcome.CONFIRMATION: CertificateKind.CONFIRMATION,
        }.get(self.outcome)


def evaluate_completion(facts: CompletionFacts) -> CompletionResult:
    """The outcome for one enrollment and every reason for it, in the current language."""
    if facts.withdrawn:
        return CompletionResult(
            outcome=Outcome.NONE,
            reasons=(Reason(_("Withdrawn from the cohort: no certificate or confirmation of "
                              "participation is issued."), False),),
            attendance_met=False, assessments_met=False, at_risk=False,
        )
    reasons: list[Reason] = []
    attendance_met, attendance_at_risk = _attendance_reasons(facts.attendance, reasons)
    assessments_met, assessment_failed = _assessment_reasons(facts.assessments, reasons)

    if attendance_met and assessments_met:
        outcome = Outcome.CERTIFICATE
    elif attendance_met and facts.course_over:
        outcome = Outcome.CONFIRMATION
    else:
        outcome = Outcome.NOT_YET
        if attendance_met:
            reasons.append(Reason(_("A confirmation of participation can be issued once the "
                                    "course has ended."), None))
    return CompletionResult(
        outcome=outcome,
        reasons=tuple(reasons),
        attendance_met=attendance_met,
        assessments_met=assessments_met,
        at_risk=not (attendance_met and assessments_met)
        and (attendance_at_risk or assessment_failed or facts.course_over),
    )


def _attendance_reasons(summary: AttendanceSummary, reasons: list[Reason]) -> tuple[bool, bool]:
    if summary.scheduled == 0:
        reasons.append(Reason(_("No meetings are scheduled yet."), False))
        return False, False
    percent = math.floor(100 * summary.attended / summary.scheduled)
    met = summary.attended >= summary.required
    if met:
        reasons.append(Reason(
            _("Attendance %(percent)s %% of %(required)s %% required: met.",
              percent=percent, required=summary.min_percent), True))
    else:
        missing = summary.required - summary.attended
        text = ngettext(
            "Attendance %(percent)s %% of %(required)s %% required: %(hours)s more hour needed.",
            "Attendance %(percent)s %% of %(required)s %% required: %(hours)s more hours "
            "needed.", _hours_n(missing), percent=percent, required=summary.min_percent,
            hours=_hours(missing))
        if summary.at_risk:
            text += " " + _("Not enough scheduled hours remain to reach the minimum.")
        reasons.append(Reason(text, False))
    unrecorded = summary.held - summary.attended - summary.missed
    if unrecorded > 0:
        reasons.append(Reason(
            ngettext("Attendance of %(hours)s hour held is not recorded yet.",
                     "Attendance of %(hours)s hours held is not recorded yet.",
                     _hours_n(unrecorded), hours=_hours(unrecorded)), None))
    return met, summary.at_risk


def _assessment_reasons(
    assessments: tuple[AssessmentFacts, ...], reasons: list[Reason]
) -> tuple[bool, bool]:
    all_passed = True
    any_failed = False
    english = str(get_locale()) == "en"
    for item in assessments:
        if not item.required:
            continue
        title = item.title_en if english and item.title_en else item.title
        passed = assessment_passed(item)
        if passed:
            reasons.append(Reason(_("%(title)s: passed.", title=title), True))
            continue
        all_passed = False
        if passed is None:
            reasons.append(Reason(_("%(title)s: not yet passed.", title=title), False))
        elif item.grading == GradingScheme.POINTS and item.points is not None:
            any_failed = True
            reasons.append(Reason(
                ngettext("%(title)s: not passed (%(points)s point, %(needed)s needed).",
                         "%(title)s: not passed (%(points)s points, %(needed)s needed).",
                         plural_n(item.points), title=title, points=format_decimal(item.points),
                         needed=format_decimal(item.pass_points)), False))
        else:
            any_failed = True
            reasons.append(Reason(_("%(title)s: not passed.", title=title), False))
    return all_passed, any_failed


def assessment_passed(item: AssessmentFacts) -> bool | None:
    """Passed under the assignment's *current* rule; None while there is no usable grade.

    Points are compared with today's pass mark, so raising or lowering it after grading
    takes effect. A pass/fail grade counts as recorded. An assignment switched to points
    after a pass/fail grade needs points before it counts.
    """
    if not item.graded:
        return None
    if item.grading == GradingScheme.POINTS:
        if item.points is None or item.pass_points is None:
            return None
        return item.points >= item.pass_points
    return bool(item.passed)


def _hours(minutes: int) -> str:
    """Minutes as hours, rounded up to a tenth, so that "more hours needed" is enough."""
    return format_decimal(math.ceil(minutes / 6) / 10, format="#,##0.#")


def _hours_n(minutes: int) -> int:
    """The plural form's number for :func:`_hours`."""
    return plural_n(math.ceil(minutes / 6) / 10)
