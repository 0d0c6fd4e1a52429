"""The words an area uses to declare the columns of its tables (``lms/<area>/privacy.py``).

Every column of every table is classified: :func:`personal` with its category, purpose,
legal basis, retention rule and what an erasure does to it; or not personal, grouped by
the reason (a key, bookkeeping, course data…). ``tests/privacy/test_registry.py`` fails
for a column that is neither, so a new column cannot go unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.labels import Label, LabelledEnum
from lms.privacy.retention import Retention


class Category(LabelledEnum):
    """Kinds of personal data, as the record of processing activities lists them."""

    IDENTITY = "identity", _l("name and form of address")
    CONTACT = "contact", _l("e-mail address")
    ACCOUNT = "account", _l("account and log-in data")
    PROFILE = "profile", _l("professional profile")
    PARTICIPATION = "participation", _l("participation in a cohort and its status")
    ATTENDANCE = "attendance", _l("attendance at meetings")
    SUBMISSION = "submission", _l("work handed in (files)")
    RESULT = "result", _l("assessment results and feedback")
    CERTIFICATE = "certificate", _l("certificates and credentials")
    FREE_TEXT = "free_text", _l("free text about a person")
    ACTIVITY = "activity", _l("records of activity (audit trail, reminders sent)")
    COPY = "copy", _l("copies of a person's data they asked for")


class Audience(LabelledEnum):
    """Who sees a category (besides the coordination, which sees everything)."""

    SELF = "self", _l("the person themself")
    LECTURERS = "lecturers", _l("lecturers of their meetings and modules")
    PARTICIPANTS = "participants", _l("participants of the lecturer's cohorts")
    COMPANY = "company", _l("the company's contact person")
    PUBLIC = "public", _l("anyone holding the certificate's code or file")


# Who sees what (tested: tests/privacy/test_visibility.py). The company's contact person
# sees names and each participant's status, never grades, attendance or work handed in.
AUDIENCES: dict[Category, frozenset[Audience]] = {
    Category.IDENTITY: frozenset({Audience.SELF, Audience.LECTURERS, Audience.PARTICIPANTS,
                                  Audience.COMPANY, Audience.PUBLIC}),
    Category.CONTACT: frozenset({Audience.SELF, Audience.LECTURERS}),
    Category.ACCOUNT: frozenset({Audience.SELF}),
    Category.PROFILE: frozenset({Audience.SELF, Audience.PARTICIPANTS}),
    Category.PARTICIPATION: frozenset({Audience.SELF, Audience.LECTURERS, Audience.COMPANY}),
    Category.ATTENDANCE: frozenset({Audience.SELF, Audience.LECTURERS}),
    Category.SUBMISSION: frozenset({Audience.SELF, Audience.LECTURERS}),
    Category.RESULT: frozenset({Audience.SELF, Audience.LECTURERS}),
    Category.CERTIFICATE: frozenset({Audience.SELF, Audience.PUBLIC}),
    Category.FREE_TEXT: frozenset({Audience.SELF, Audience.LECTURERS}),
    Category.ACTIVITY: frozenset(),
    Category.COPY: frozenset({Audience.SELF}),
}

# The role whose pages show what each audience may see.
AUDIENCE_ROLES = {Audience.COMPANY: Role.COMPANY_CONTACT}


class LegalBasis(LabelledEnum):
    """Art. 6(1) GDPR; the choice per column is a default for the data protection officer
    to confirm (a university may rest continuing education on its public task)."""

    CONTRACT = "art_6_1_b", _l("Art. 6(1)(b) GDPR: the contract for the course")
    LEGAL_OBLIGATION = "art_6_1_c", _l(
        "Art. 6(1)(c) GDPR: a legal obligation (examination regulations; the duties the GDPR "
        "itself sets)")
    PUBLIC_TASK = "art_6_1_e", _l(
        "Art. 6(1)(e) GDPR: the university's task of continuing education and certification")
    LEGITIMATE_INTEREST = "art_6_1_f", _l(
        "Art. 6(1)(f) GDPR: legitimate interest (security and accountability)")


class Erasure(LabelledEnum):
    """What an erasure (Art. 17) does to a column's values of the erased person."""

    DELETE = "delete", _l("deleted")
    PSEUDONYMISE = "pseudonymise", _l("replaced by a pseudonym")
    KEEP = "keep", _l("kept while its retention rule requires it, without the name")
    KEEP_AS_PRINTED = "keep_as_printed", _l(
        "kept as printed on the certificate, so that it can still be verified")


class NotPersonal(LabelledEnum):
    """Why a column holds no personal data."""

    KEY = "key", _l("a key or a reference to another record")
    BOOKKEEPING = "bookkeeping", _l("when the record was written")
    COURSE = "course", _l("course, schedule or organisation data")
    TECHNICAL = "technical", _l("technical state (hashes, counters, signatures)")
    ANONYMOUS = "anonymous", _l("anonymous: stored without the person and linked to no one")


@dataclass(frozen=True)
class PersonalColumn:
    table: str
    column: str
    category: Category
    purpose: Label
    basis: LegalBasis
    retention: Retention
    erasure: Erasure


@dataclass(frozen=True)
class TableDeclaration:
    table: str
    personal: tuple[PersonalColumn, ...]
    not_personal: dict[str, NotPersonal]  # column -> why not

    @property
    def columns(self) -> list[str]:
        return [p.column for p in self.personal] + list(self.not_personal)


@dataclass(frozen=True)
class _Personal:
    column: str
    category: Category
    purpose: Label
    basis: LegalBasis
    retention: Retention
    erasure: Erasure


def personal(column: str, category: Category, purpose: Label, basis: LegalBasis,
             retention: Retention, erasure: Erasure) -> _Personal:
    return _Personal(column, category, purpose, basis, retention, erasure)


def table(name: str, *personal_columns: _Personal, key: tuple[str, ...] = (),
          bookkeeping: tuple[str, ...] = (), course: tuple[str, ...] = (),
          technical: tuple[str, ...] = (), anonymous: tuple[str, ...] = ()) -> TableDeclaration:
    """Declare every column of the table ``name``: the personal ones, then the others by
    the reason they hold nothing personal."""
    others: dict[str, NotPersonal] = {}
    for reason, columns in ((NotPersonal.KEY, key), (NotPersonal.BOOKKEEPING, bookkeeping),
                            (NotPersonal.COURSE, course), (NotPersonal.TECHNICAL, technical),
                            (NotPersonal.ANONYMOUS, anonymous)):
        for column in columns:
            if column in others:
                raise ValueError(f"{name}.{column} is declared twice")
            others[column] = reason
    declared = [p.column for p in personal_columns]
    twice = {c for c in declared if declared.count(c) > 1 or c in others}
    if twice:
        raise ValueError(f"{name}: {', '.join(sorted(twice))} declared twice")
    return TableDeclaration(
        name,
        tuple(PersonalColumn(name, p.column, p.category, p.purpose, p.basis, p.retention,
                             p.erasure) for p in personal_columns),
        others,
    )
