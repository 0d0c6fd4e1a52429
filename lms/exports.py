"""Tables as files for spreadsheet programs: CSV in the reader's convention and XLSX.

A report builds one table (a header row, then rows of text, numbers or None) and hands it
to both writers, so that the page, the CSV and the XLSX cannot disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | float | int | None
Table = Sequence[Sequence[Cell]]


def csv_bytes(table: Table) -> bytes:
    """CSV as spreadsheet programs of the user's language open it: German uses a
    semicolon and a decimal comma. UTF-8 with a byte order mark for umlauts."""
    german = str(get_locale()) == "de"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if german else ",", lineterminator="\r\n")
    for row in table:
        writer.writerow(["" if cell is None else
                         (f"{cell:.2f}".replace(".", ",") if german else f"{cell:.2f}")
                         if isinstance(cell, float) else cell for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def first_sheet(workbook: Workbook) -> Worksheet:
    """A new workbook's one sheet (``Workbook.active``, which openpyxl types loosely)."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("the workbook has no worksheet")
    return sheet


def fill_sheet(sheet: Worksheet, title: str, table: Table, *, label_columns: int = 2,
               width: int = 14) -> None:
    """The table on a sheet: bold header, the name columns frozen, two decimals."""
    sheet.title = title[:31]
    for row in table:
        sheet.append(list(row))
    for header in sheet[1]:
        header.font = Font(bold=True)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = f"{get_column_letter(label_columns + 1)}2"
    for index, name_width in enumerate((22, 18)[:label_columns], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = name_width
    for index in range(label_columns + 1, len(table[0]) + 1 if table else 0):
        sheet.column_dimensions[get_column_letter(index)].width = width


def xlsx_bytes(title: str, table: Table) -> bytes:
    """A workbook of one sheet holding the table."""
    workbook = Workbook()
    fill_sheet(first_sheet(workbook), title, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
