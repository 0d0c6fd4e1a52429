"""A cohort's grades at a glance: every participant by every assignment, and how many of
the required assessments each has passed. One table behind the coordinator's page and
its CSV and XLSX exports, counted from the same work status as the grading pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from lms.assignments.models import Assignment, GradeState
from lms.assignments.queries import list_cohort_assignments, work_status
from lms.attendance.queries import active_roster
from lms.cohorts.models import Cohort, Enrollment
from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.exports import Cell


@dataclass(frozen=True, slots=True)
class GradeCell:
    """One participant's standing in one assignment."""

    state: GradeState
    points: Decimal | None = None
    late: bool = False
    published: bool = True


@dataclass(frozen=True)
class Gradebook:
    cohort: Cohort
    assignments: list[Assignment]
    roster: list[Enrollment]
    cells: dict[tuple[int, int], GradeCell]  # (enrollment id, assignment id)

    @property
    def required(self) -> list[Assignment]:
        return [a for a in self.assignments if a.required]

    def required_passed(self, enrollment: Enrollment) -> int:
        return sum(1 for a in self.required
                   if self.cells[(enrollment.id, a.id)].state == GradeState.PASSED)


def cohort_gradebook(cohort: Cohort, now: datetime) -> Gradebook:
    """In five queries, whatever the cohort's size."""
    assignments = list_cohort_assignments([cohort.id])
    roster = active_roster(cohort.id)
    status = work_status(assignments, roster)
    cells = {}
    for a in assignments:
        for e in roster:
            work = status[(a.id, e.id)]
            late = work.latest is not None and work.latest.is_late
            if work.grade is not None:
                cell = GradeCell(work.grade.state, work.grade.points,
                                 late, work.grade.published_at is not None)
            elif work.latest is not None:
                cell = GradeCell(GradeState.SUBMITTED, late=late)
            elif a.kind == AssessmentKind.PAPER and a.due_at is not None and a.due_at < now:
                cell = GradeCell(GradeState.MISSING)
            else:
                cell = GradeCell(GradeState.OPEN)
            cells[(e.id, a.id)] = cell
    return Gradebook(cohort, assignments, roster, cells)


def gradebook_table(book: Gradebook) -> list[list[Cell]]:
    """Header, then one row per participant: each assignment's result (and its points,
    for assignments graded in points), then the required assessments passed."""
    header: list[Cell] = [_("Last name"), _("First name")]
    for a in book.assignments:
        title = a.title + (" (" + _("required") + ")" if a.required else "")
        header.append(title)
        if a.grading == GradingScheme.POINTS:
            header.append(_("%(title)s: points of %(max)s", title=a.title,
                            max=_number(a.max_points)))
    header.append(_("Required assessments passed"))
    rows: list[list[Cell]] = [header]
    for e in book.roster:
        row: list[Cell] = [e.user.last_name, e.user.first_name]
        for a in book.assignments:
            cell = book.cells[(e.id, a.id)]
            # An open cell stays empty: nothing to grade yet.
            label = "" if cell.state == GradeState.OPEN else cell.state.label
            if label and not cell.published:
                label += " (" + _("not published") + ")"
            if label and cell.late:
                label += " (" + _("late") + ")"
            row.append(label or None)
            if a.grading == GradingScheme.POINTS:
                row.append(float(cell.points) if cell.points is not None else None)
        row.append(f"{book.required_passed(e)} / {len(book.required)}")
        rows.append(row)
    return rows


def _number(value: Decimal | None) -> str:
    return "–" if value is None else f"{value.normalize():f}"
