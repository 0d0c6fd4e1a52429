"""Completion rules and a participant's standing, in plain words.

One pure function, :func:`evaluate_completion`, decides for every page that shows how
a participant stands (their home, attendance and progress pages, the coordinator's
cohort and certificates pages, the company contact's list), for the reminder mails and
for issuing. It reads only the facts it is given (see ``lms.certificates.queries`` for
how they are gathered) and always applies the rules as they are *now*: a pass mark or a
minimum attendance changed after marks were recorded counts in its current form.

- Withdrawn participants get nothing.
- Certificate: the minimum attendance is met and every required assessment is passed.
- Confirmation of participation: the minimum attendance is met, an assessment is not
  passed, and the course is over (before that the certificate is still within reach).
- Cancelled meetings never count (the attendance summary leaves them out); whether an
  excused absence counts follows the cohort's rule.

The *standing* says where that leaves the participant. While the course runs: on track
(nothing missed that endangers the rules), at risk (still reachable, but the hours that
may be missed are used up or nearly, or a required assessment was not passed) or out of
reach (too many hours missed for the minimum). Once the course is over or a document
has been issued, it is final: certified, confirmation of participation, not completed,
or withdrawn.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.attendance.queries import AttendanceSummary
from lms.certificates import wording
from lms.certificates.models import CertificateKind
from lms.certificates.standing import Standing
from lms.curriculum.models import GradingScheme
from lms.i18n import plural_n
from lms.labels import LabelledEnum


class Outcome(enum.StrEnum):
    """What may be issued now (pages show the standing and the kind of document, never
    the outcome itself)."""

    CERTIFICATE = "certificate"
    CONFIRMATION = "confirmation"
    NOT_YET = "not_yet"
    NONE = "none"  # withdrawn: nothing is issued


class Mark(LabelledEnum):
    """How a reason is shown: its symbol, and its label said to screen readers."""

    MET = "met", _l("met")
    ON_TRACK = "on_track", _l("on track so far")
    AT_RISK = "at_risk", _l("at risk")
    MISSING = "missing", _l("missing")
    INFO = "info", _l("note")

    @property
    def symbol(self) -> str:
        return REASON_SYMBOLS[self]


REASON_SYMBOLS = {Mark.MET: "✓", Mark.ON_TRACK: "✓", Mark.AT_RISK: "!", Mark.MISSING: "✗",
                  Mark.INFO: "i"}


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
    # The course is over for this participant: the cohort's last day has passed, or every
    # meeting has been held and every required assessment has a grade.
    course_over: bool
    # Kinds of document issued to this enrollment and still valid (revoked ones are not).
    issued: frozenset[CertificateKind] = frozenset()


@dataclass(frozen=True)
class Reason:
    text: str
    mark: Mark

    @property
    def met(self) -> bool | None:
        """True when met, False when not (yet), None for a note."""
        if self.mark == Mark.INFO:
            return None
        return self.mark == Mark.MET


@dataclass(frozen=True)
class CompletionResult:
    outcome: Outcome
    standing: Standing
    reasons: tuple[Reason, ...]
    attendance_met: bool
    assessments_met: bool
    # The attendance part of the standing alone (on track, at risk, out of reach, or
    # met/not met once final): what the attendance reminders are about.
    attendance_standing: Standing

    @property
    def kind(self) -> CertificateKind | None:
        """What may be issued now, if anything."""
        return {
            Outcome.CERTIFICATE: CertificateKind.CERTIFICATE,
            Outcome.CONFIRMATION: CertificateKind.CONFIRMATION,
        }.get(self.outcome)


def evaluate_completion(facts: CompletionFacts) -> CompletionResult:
    """Outcome, standing and every reason for one enrollment, in the current language."""
    if facts.withdrawn:
        return CompletionResult(
            outcome=Outcome.NONE, standing=Standing.WITHDRAWN,
            reasons=(Reason(_("Withdrawn from the cohort: no certificate or confirmation of "
                              "participation is issued."), Mark.MISSING),),
            attendance_met=False, assessments_met=False,
            attendance_standing=Standing.WITHDRAWN,
        )
    # Final once the course is over, or once a document has been issued (a certificate
    # issued early is not "on track" any more: it is earned).
    final = facts.course_over or bool(facts.issued)
    summary = facts.attendance
    attendance = attendance_standing(summary, final)
    reasons = [*_attendance_reasons(summary, attendance)]
    assessments_met, assessment_failed = _assessment_reasons(facts.assessments, final, reasons)
    attendance_met = attendance == Standing.CERTIFIED

    if attendance_met and assessments_met:
        outcome = Outcome.CERTIFICATE
    elif attendance_met and facts.course_over:
        outcome = Outcome.CONFIRMATION
    else:
        outcome = Outcome.NOT_YET
        if attendance_met:
            reasons.append(Reason(_("A confirmation of participation can be issued once the "
                                    "course has ended."), Mark.INFO))

    if CertificateKind.CERTIFICATE in facts.issued or (final and outcome == Outcome.CERTIFICATE):
        standing = Standing.CERTIFIED
    elif final and (outcome == Outcome.CONFIRMATION
                    or CertificateKind.CONFIRMATION in facts.issued):
        standing = Standing.CONFIRMATION
    elif final:
        standing = Standing.NOT_COMPLETED
    elif attendance == Standing.OUT_OF_REACH:
        standing = Standing.OUT_OF_REACH
    elif attendance == Standing.AT_RISK or assessment_failed:
        standing = Standing.AT_RISK
    else:
        standing = Standing.ON_TRACK
    return CompletionResult(
        outcome=outcome, standing=standing, reasons=tuple(reasons),
        attendance_met=attendance_met, assessments_met=assessments_met,
        attendance_standing=attendance,
    )


def attendance_standing(summary: AttendanceSummary, final: bool) -> Standing:
    """The attendance rule alone: CERTIFIED when the minimum is met (or NOT_COMPLETED
    when it was not, once final); while the course runs ON_TRACK, AT_RISK (the hours
    that may still be missed are less than one average meeting) or OUT_OF_REACH."""
    if summary.scheduled > 0 and summary.attended >= summary.required:
        return Standing.CERTIFIED
    if final:
        return Standing.NOT_COMPLETED
    return summary.risk


def _attendance_reasons(summary: AttendanceSummary, standing: Standing) -> list[Reason]:
    if summary.scheduled == 0:
        return [Reason(_("No meetings are scheduled yet."), Mark.INFO)]
    percent = math.floor(100 * summary.attended / summary.scheduled)
    if standing == Standing.CERTIFIED:
        reasons = [Reason(_("Attendance %(percent)s %% of %(required)s %% required: met.",
                            percent=percent, required=summary.min_percent), Mark.MET)]
    elif standing == Standing.NOT_COMPLETED:
        reasons = [Reason(wording.not_reached(summary, percent), Mark.MISSING)]
    elif standing == Standing.OUT_OF_REACH:
        reasons = [Reason(wording.out_of_reach(summary), Mark.MISSING)]
    elif summary.held == 0:
        reasons = [Reason(wording.nothing_held(summary), Mark.ON_TRACK)]
    elif standing == Standing.AT_RISK and summary.may_still_miss < 6:
        reasons = [Reason(wording.none_to_spare(summary), Mark.AT_RISK)]
    elif standing == Standing.AT_RISK:
        reasons = [Reason(wording.little_to_spare(summary), Mark.AT_RISK)]
    else:
        reasons = [Reason(wording.on_track(summary), Mark.ON_TRACK)]
    unrecorded = summary.held - summary.attended - summary.missed
    if unrecorded > 0:
        reasons.append(Reason(wording.unrecorded(unrecorded), Mark.INFO))
    return reasons


def _assessment_reasons(
    assessments: tuple[AssessmentFacts, ...], final: bool, reasons: list[Reason]
) -> tuple[bool, bool]:
    """Every required assessment's reason; (all passed, any failed)."""
    all_passed = True
    any_failed = False
    english = str(get_locale()) == "en"
    failed_mark = Mark.MISSING if final else Mark.AT_RISK
    for item in assessments:
        if not item.required:
            continue
        title = item.title_en if english and item.title_en else item.title
        passed = assessment_passed(item)
        if passed:
            reasons.append(Reason(_("%(title)s: passed.", title=title), Mark.MET))
            continue
        all_passed = False
        if passed is None:
            if final:
                reasons.append(Reason(_("%(title)s: no grade recorded.", title=title),
                                      Mark.MISSING))
            else:
                reasons.append(Reason(_("%(title)s: not graded yet.", title=title), Mark.INFO))
        elif (item.grading == GradingScheme.POINTS and item.points is not None
              and item.pass_points is not None):
            any_failed = True
            reasons.append(Reason(
                ngettext("%(title)s: not passed (%(points)s point, %(needed)s needed).",
                         "%(title)s: not passed (%(points)s points, %(needed)s needed).",
                         plural_n(item.points), title=title, points=format_decimal(item.points),
                         needed=format_decimal(item.pass_points)), failed_mark))
        else:
            any_failed = True
            reasons.append(Reason(_("%(title)s: not passed.", title=title), failed_mark))
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
