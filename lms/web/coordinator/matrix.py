"""The coordinator's attendance matrix, rendered once per cohort and data version.

A year of meetings for a cohort is thousands of cells, and a coordinator opens the page
again and again while nothing in it changes. So the rendered matrix (everything below
the page's heading: the risk lists and the table) is kept per worker, keyed by what it
shows: the cohort, its **data version** (moved on by the database whenever the cohort's
marks, meetings or roster change: migration 0006), the cohort's own settings, the
language and the page. The version is read with the cohort before anything else, so a
kept matrix is never older than the version it is kept under. A kept matrix also
expires when the next meeting starts (it then shows another meeting as held).

Large cohorts are split into pages of participants, so that a page stays well under a
megabyte of HTML; the risk lists and the totals per meeting are the whole cohort's on
every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from markupsafe import Markup

from lms.attendance.models import AttendanceStatus
from lms.attendance.queries import AttendanceMatrix, MatrixPerson, attendance_matrix
from lms.cohorts.models import Cohort
from lms.lru import LRU
from lms.web import current_locale, hours

# At most this many cells on a page (about 110 bytes of HTML each): a participant's row
# is never split, and a page shows at least MIN_PEOPLE_PER_PAGE participants.
CELLS_PER_PAGE = 6000
MIN_PEOPLE_PER_PAGE = 10


@dataclass(frozen=True)
class MatrixFragment:
    html: Markup
    valid_until: datetime | None  # the next meeting's start (None: every meeting held)


# Per worker: a few cohorts' pages in a few languages.
fragments: LRU[tuple[object, ...], MatrixFragment] = LRU(64)


def people_per_page(meetings: int) -> int:
    return max(MIN_PEOPLE_PER_PAGE, CELLS_PER_PAGE // max(1, meetings))


def matrix_fragment(cohort: Cohort, page: int, now: datetime) -> MatrixFragment:
    """The rendered matrix of ``cohort`` (page ``page``, counted from 1; out of range:
    the nearest page), kept while its data version and the held meetings stay the same."""
    locale = str(current_locale())
    key = (cohort.id, cohort.data_version, cohort.timezone, cohort.min_attendance_percent,
           cohort.excused_counts, locale, page)
    kept = fragments.get(key, lambda f: f.valid_until is None or now < f.valid_until)
    if kept is not None:
        return kept
    fragment = render_matrix(attendance_matrix(cohort, now), page)
    fragments.put(key, fragment)
    return fragment


def render_matrix(matrix: AttendanceMatrix, page: int) -> MatrixFragment:
    size = people_per_page(len(matrix.meetings))
    pages = max(1, -(-len(matrix.roster) // size))
    page = min(max(page, 1), pages)
    people = matrix.roster[(page - 1) * size: page * size]
    html = render_template(
        "coordinator/_attendance_matrix.html", cohort=matrix.cohort, matrix=matrix,
        people=people, page=page, pages=pages, first=(page - 1) * size + 1,
        row_cells=Cells(matrix))
    # B704 is a false positive: the HTML of our own template, which escaped every value.
    return MatrixFragment(Markup(html), matrix.next_start)  # noqa: S704  # nosec B704


class Cells:
    """A participant's cells of the matrix as one piece of HTML. A cell shows a state
    (not yet held, not marked, or a mark with the hours it counts), and a matrix has few
    distinct states: each state's HTML is made once per matrix, in the language of the
    page, and every cell is a look-up."""

    def __init__(self, matrix: AttendanceMatrix) -> None:
        from flask_babel import gettext

        from lms.labels import label

        self.matrix = matrix
        self.held = [(m.id, matrix.held(m)) for m in matrix.meetings]
        self.labels = {status: label(status) for status in AttendanceStatus}
        self.open = Markup('<td class="att-cell att-st-open">? <span class="att-vh">{}</span>'
                           '</td>').format(gettext("not marked"))
        self.future = Markup('<td class="att-cell att-st-future">–</td>')
        self.known: dict[tuple[AttendanceStatus, int], Markup] = {}

    def __call__(self, person: MatrixPerson) -> Markup:
        marks, minutes, known = self.matrix.marks, self.matrix.minutes, self.known
        cells = []
        for meeting_id, held in self.held:
            key = (person.id, meeting_id)
            if not held:
                cells.append(self.future)
            elif (counted := minutes.get(key)) is None:
                cells.append(self.open)
            else:
                status = marks[key].status
                cell = known.get((status, counted))
                if cell is None:
                    cell = known[(status, counted)] = self._marked(status, counted)
                cells.append(cell)
        # B704 is a false positive: every cell is Markup already (made by Markup.format,
        # which escapes the values), joined as text rather than escaped once more each.
        return Markup("\n    ".join(cells))  # noqa: S704  # nosec B704

    def _marked(self, status: AttendanceStatus, counted: int) -> Markup:
        return Markup('<td class="att-cell att-st-{}"><span aria-hidden="true">{}</span> '
                      '<span class="att-vh">{}</span> {}</td>').format(
            status.value, status.symbol, self.labels[status], hours(counted))
