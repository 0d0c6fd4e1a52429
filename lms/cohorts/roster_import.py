"""Roster import from CSV files as Excel and HR systems export them.

UTF-8 with or without BOM, comma or semicolon separated, German or English headers, with
or without the ``sep=;`` line that Excel reads as the separator.
The import is all or nothing: one bad row refuses the whole file, with every bad
row's number and reason, and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import Locale, TitleForm, User, normalise_email
from lms.accounts.operations import NAME_MAX
from lms.cohorts.invitations import Invitation, invite_participant
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.cohorts.operations import CohortError
from lms.extensions import db
from lms.i18n import filesize

T = TypeVar("T")

MAX_ROWS = 500
# "sep=;" (or another single character) as Excel writes and reads it above the header.
SEPARATOR_LINE = re.compile(r'"?sep=(.)"?[,;\t]*\s*', re.IGNORECASE)
MAX_BYTES = 512 * 1024

# Accepted header names (compared case-insensitively, spaces, "-" and "_" ignored).
HEADERS = {
    "email": ("email", "e-mail", "emailadresse", "e-mail-adresse", "mail", "emailaddress"),
    "first_name": ("firstname", "vorname", "givenname"),
    "last_name": ("lastname", "nachname", "name", "familienname", "surname"),
    "title_form": ("titleform", "titelform", "bezeichnung", "titel", "title",
                   "abschlussbezeichnung"),
    "language": ("language", "sprache", "lang", "locale"),
}
REQUIRED = ("email", "first_name", "last_name")

TITLE_FORMS = {
    TitleForm.NEUTRAL: ("neutral", "social media manager*in", "manager*in", "divers", "*"),
    TitleForm.FEMALE: ("female", "social media managerin", "managerin", "weiblich", "w", "f"),
    TitleForm.MALE: ("male", "social media manager", "manager", "männlich", "maennlich", "m"),
}
LANGUAGES = {
    Locale.DE: ("de", "deutsch", "german", "de-de"),
    Locale.EN: ("en", "englisch", "english", "en-gb", "en-us"),
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    first_name: str
    last_name: str
    title_form: TitleForm
    locale: Locale
    # The name of the person's existing account when the file names them differently:
    # the import replaces it (as a single invitation does), and the preview says so.
    current_name: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int  # 0 for a problem of the whole file
    reason: str


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _key(header: str) -> str:
    return "".join(ch for ch in header.strip().lower() if ch not in " -_.")


def _lookup(value: str, table: Mapping[T, Collection[str]]) -> T | None:
    wanted = value.strip().lower()
    for result, names in table.items():
        if wanted in names:
            return result
    return None


def _decode(data: bytes) -> str | None:
    if b"\x00" in data[:4096]:
        return None  # binary: a spreadsheet, a PDF, an image
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse_roster(data: bytes, cohort: Cohort) -> RosterParse:
    """Check every row of a CSV file against the cohort; store nothing."""
    result = RosterParse()
    if len(data) > MAX_BYTES:
        result.problems.append(RowProblem(0, _l("The file is larger than %(limit)s.",
                                                limit=filesize(MAX_BYTES))))
        return result
    text = _decode(data)
    if text is None:
        result.problems.append(RowProblem(0, _l(
            "This is not a CSV file in UTF-8. In Excel choose “Save as” → “CSV UTF-8”.")))
        return result
    if not text.strip():
        result.problems.append(RowProblem(0, _l("The file is empty.")))
        return result
    first_line = text.splitlines()[0]
    offset = 0  # lines above the header: numbers in messages count from the file's top
    excel_hint = SEPARATOR_LINE.fullmatch(first_line)
    if excel_hint:
        delimiter, offset = excel_hint.group(1), 1
        text = "".join(text.splitlines(keepends=True)[1:])
        if not text.strip():
            result.problems.append(RowProblem(0, _l("The file is empty.")))
            return result
    else:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_line = 1 + offset
    try:
        header = next(reader)
    except csv.Error:
        result.problems.append(RowProblem(header_line, _l("The header line cannot be read.")))
        return result

    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name.strip():
            continue
        field_name = next((f for f, names in HEADERS.items() if _key(name) in names), None)
        if field_name is None:
            result.problems.append(RowProblem(header_line, _l("Unknown column “%(name)s”.",
                                                              name=name)))
        elif field_name in columns:
            result.problems.append(RowProblem(header_line, _l(
                "The column “%(name)s” appears twice.", name=name)))
        else:
            columns[field_name] = index
    for required in REQUIRED:
        if required not in columns:
            result.problems.append(RowProblem(header_line, _l(
                "The column “%(name)s” is missing.",
                name={"email": "E-Mail", "first_name": "Vorname", "last_name": "Nachname"}[
                    required])))
    if result.problems:
        return result

    in_cohort = set(db.session.scalars(
        db.select(User.email).join(Enrollment, Enrollment.user_id == User.id).where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.status != EnrollmentStatus.WITHDRAWN,
        )
    ))
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num + offset
            if not any(cell.strip() for cell in record):
                continue
            if len(result.rows) + len(result.problems) >= MAX_ROWS:
                result.problems.append(RowProblem(line, _ln(
                    "More than %(num)s row; please split the file.",
                    "More than %(num)s rows; please split the file.", MAX_ROWS)))
                break
            _check_row(record, line, columns, in_cohort, seen, result)
    except csv.Error as exc:
        result.problems.append(RowProblem(reader.line_num + offset, _l(
            "The line cannot be read as CSV (%(error)s).", error=str(exc))))
    if not result.rows and not result.problems:
        result.problems.append(RowProblem(0, _l("The file holds no participants.")))
    _note_renames(result)
    return result


def _note_renames(result: RosterParse) -> None:
    """Mark the rows whose address has an account under another name."""
    emails = [row.email for row in result.rows]
    if not emails:
        return
    names = {user.email: user for user in db.session.scalars(
        db.select(User).where(User.email.in_(emails)))}
    for index, row in enumerate(result.rows):
        user = names.get(row.email)
        if user is not None and (user.first_name, user.last_name) != (
                " ".join(row.first_name.split()), " ".join(row.last_name.split())):
            result.rows[index] = replace(row, current_name=user.full_name)


def _check_row(record: list[str], line: int, columns: dict[str, int], in_cohort: set[str],
               seen: dict[str, int], result: RosterParse) -> None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    reasons = []
    raw_email = cell("email")
    email = ""
    if not raw_email:
        reasons.append(_l("the email address is missing"))
    else:
        try:
            email = normalise_email(
                validate_email(raw_email, check_deliverability=False).normalized)
        except EmailNotValidError:
            reasons.append(_l("“%(email)s” is not a valid email address", email=raw_email))
    if email and email in seen:
        reasons.append(_l("the address appears twice in the file (also in line %(line)s)",
                          line=seen[email]))
    elif email and email in in_cohort:
        reasons.append(_l("%(email)s is already in this cohort", email=email))
    first_name, last_name = cell("first_name"), cell("last_name")
    if not first_name:
        reasons.append(_l("the first name is empty"))
    if not last_name:
        reasons.append(_l("the last name is empty"))
    if len(first_name) > NAME_MAX or len(last_name) > NAME_MAX:
        reasons.append(_ln("a name is longer than %(num)s character",
                           "a name is longer than %(num)s characters", NAME_MAX))
    title_form: TitleForm | None = TitleForm.NEUTRAL
    if cell("title_form"):
        title_form = _lookup(cell("title_form"), TITLE_FORMS)
        if title_form is None:
            reasons.append(_l("unknown title form “%(value)s” (use Social Media Manager*in, "
                              "Managerin or Manager)", value=cell("title_form")))
    locale: Locale | None = Locale.DE
    if cell("language"):
        locale = _lookup(cell("language"), LANGUAGES)
        if locale is None:
            reasons.append(_l("unknown language “%(value)s” (use de or en)",
                              value=cell("language")))
    if email:
        seen.setdefault(email, line)
    if reasons or title_form is None or locale is None:  # (None has its reason)
        result.problems.extend(RowProblem(line, reason) for reason in reasons)
        return
    result.rows.append(RosterRow(line, email, first_name, last_name, title_form, locale))


def import_roster(cohort: Cohort, data: bytes, *, by: User | None = None) -> list[Invitation]:
    """Invite everyone in the file, or nobody: raises RosterImportError with the problems."""
    parsed = parse_roster(data, cohort)
    if not parsed.ok:
        raise RosterImportError(parsed.problems)
    return [
        invite_participant(cohort, row.email, row.first_name, row.last_name,
                           title_form=row.title_form, locale=row.locale, by=by)
        for row in parsed.rows
    ]


class RosterImportError(CohortError):
    """The file is refused whole; ``problems`` names each line and reason."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems
