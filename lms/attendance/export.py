"""The attendance matrix as CSV and XLSX: one table, two formats, the same numbers.

Both are built from :func:`matrix_table`, which counts through the same summaries as
the coordinator's page and the participant's own view, and they say a mark and a status
in the words of the page (the members' labels).
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.attendance.queries import AttendanceMatrix
from lms.exports import Cell, csv_bytes, fill_sheet, first_sheet


def as_hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def matrix_table(matrix: AttendanceMatrix) -> list[list[Cell]]:
    """Header, one row per participant (hours counted per meeting, then totals), and a
    closing row with the hours counted per meeting."""
    zone = ZoneInfo(matrix.cohort.timezone)
    header: list[Cell] = [_("Last name"), _("First name")]
    for m in matrix.meetings:
        header.append(f"{m.starts_at.astimezone(zone):%Y-%m-%d %H:%M} · {m.module_number}")
    header += [_("Attended (h)"), _("Held (h)"), _("Scheduled (h)"), _("Required (h)"),
               _("May still miss (h)"), _("Status")]
    rows: list[list[Cell]] = [header]
    for e in matrix.roster:
        s = matrix.summaries[e.id]
        row: list[Cell] = [e.last_name, e.first_name]
        row += [as_hours(matrix.minutes.get((e.id, m.id))) for m in matrix.meetings]
        row += [as_hours(s.attended), as_hours(s.held), as_hours(s.scheduled),
                as_hours(s.required), as_hours(s.may_still_miss), s.risk.label]
        rows.append(row)
    footer: list[Cell] = [_("Hours counted per meeting"), ""]
    footer += [as_hours(matrix.meeting_totals[m.id].counted) if matrix.held(m) else None
               for m in matrix.meetings]
    footer += [None] * (len(header) - len(footer))
    rows.append(footer)
    return rows


def matrix_csv(matrix: AttendanceMatrix) -> bytes:
    return csv_bytes(matrix_table(matrix))


def matrix_xlsx(matrix: AttendanceMatrix) -> bytes:
    workbook = Workbook()
    table = matrix_table(matrix)
    fill_sheet(first_sheet(workbook), _("Attendance (hours)"), table)

    marks = workbook.create_sheet(_("Marks")[:31])
    marks.append(table[0][: 2 + len(matrix.meetings)])
    for e in matrix.roster:
        row: list[Cell] = [e.last_name, e.first_name]
        for m in matrix.meetings:
            mark = matrix.marks.get((e.id, m.id))
            row.append(mark.status.label if mark and matrix.held(m) else None)
        marks.append(row)
    for cell in marks[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
