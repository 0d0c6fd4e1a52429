"""The registry of personal data: every area's declaration, checked against the schema,
and printed as the *Verzeichnis von Verarbeitungstätigkeiten* (Art. 30 GDPR).

An area declares its tables in ``lms/<area>/privacy.py`` (a module-level ``TABLES``);
the registry finds each such module itself, so a new area only adds its file.
"""

from __future__ import annotations

import csv
import importlib
import io
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import sqlalchemy as sa
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

import lms
from lms.i18n import plural_n
from lms.privacy.declare import (
    AUDIENCES,
    Category,
    PersonalColumn,
    TableDeclaration,
)
from lms.privacy.retention import RULES, Retention


@cache
def area_modules() -> tuple[ModuleType, ...]:
    """Every ``lms.<area>.privacy`` module, in the order of the areas' names."""
    found = []
    for info in sorted(pkgutil.iter_modules(lms.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        name = f"lms.{info.name}.privacy"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


def declarations() -> list[TableDeclaration]:
    return [declared for module in area_modules() for declared in module.TABLES]


def personal_columns() -> list[PersonalColumn]:
    return [column for declared in declarations() for column in declared.personal]


def personal_column(table: str, column: str) -> PersonalColumn | None:
    return next((p for p in personal_columns() if (p.table, p.column) == (table, column)),
                None)


@dataclass(frozen=True)
class Problem:
    table: str
    column: str
    what: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}: {self.what}"


def check_against(metadata: sa.MetaData) -> list[Problem]:
    """Every column of the schema that no area classified (personal or not), every
    declaration of a column that does not exist, and every table declared twice."""
    problems = []
    declared: dict[str, TableDeclaration] = {}
    for declaration in declarations():
        if declaration.table in declared:
            problems.append(Problem(declaration.table, "*", "table declared twice"))
        declared[declaration.table] = declaration
    for table in metadata.sorted_tables:
        classified = set(declared[table.name].columns) if table.name in declared else set()
        for schema_column in table.columns:
            if schema_column.name not in classified:
                problems.append(Problem(
                    table.name, schema_column.name,
                    "not classified: declare it personal (category, purpose, legal basis, "
                    "retention, erasure) or not personal in the area's privacy.py"))
    for name, declaration in declared.items():
        existing = set(metadata.tables[name].columns.keys()) if name in metadata.tables else None
        for column_name in declaration.columns:
            if existing is None or column_name not in existing:
                problems.append(Problem(name, column_name, "declared, but not in the schema"))
    return problems


# --------------------------------------------------------------------------- the record


def _rows() -> list[dict[str, str]]:
    rows = []
    for column in personal_columns():
        rule = RULES[column.retention]
        rows.append({
            "table": column.table,
            "column": column.column,
            "category": column.category.label,
            "purpose": str(column.purpose),
            "legal_basis": column.basis.label,
            "retention": column.retention.label,
            "erasure": column.erasure.label,
            "rule": rule.retention.value,
        })
    return rows


def registry_csv(periods: dict[str, int]) -> str:
    """One line per personal column (for a spreadsheet), the retention period in days."""
    buffer = io.StringIO()
    fields = ["table", "column", "category", "purpose", "legal_basis", "retention",
              "retention_days", "erasure"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in _rows():
        rule = row.pop("rule")
        writer.writerow({**row, "retention_days": periods[rule]})
    return buffer.getvalue()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def registry_markdown(periods: dict[str, int], controller: str) -> str:
    """The record of processing activities: by category, what is kept, why, on which
    legal basis, for how long, and who sees it; then the retention rules, then every
    column for the technically minded reader."""
    by_category: dict[Category, list[PersonalColumn]] = {}
    for column in personal_columns():
        by_category.setdefault(column.category, []).append(column)
    lines = [
        "# " + _("Record of processing activities (Art. 30 GDPR)"),
        "",
        _("Controller: %(controller)s. Processing: running closed in-house certificate "
          "courses for a company's employees, from the invitation to the verifiable "
          "certificate.", controller=controller),
        "",
        _("Generated from the declarations in the code (lms/<area>/privacy.py); a test "
          "fails for any column that is not declared. Retention periods as configured "
          "on this installation."),
        "",
        "## " + _("Data subjects, recipients, transfers"),
        "",
        "- " + _("Data subjects: the participants (a company's employees), the lecturers, the "
                 "company's contact persons and the coordination's staff."),
        "- " + _("Recipients: nobody outside the university receives personal data; the "
                 "company's contact person sees names and each participant's status (never "
                 "grades, attendance or work handed in); whoever holds a certificate's code "
                 "or file sees what the certificate shows."),
        "- " + _("Transfers to third countries: none (the service runs on the university's "
                 "servers; mail goes through the configured SMTP server)."),
        "- " + _("Technical and organisational measures: access by role, decided in one "
                 "place and tested for every page; passwords as argon2id hashes; links, "
                 "sessions and calendar addresses stored as SHA-256 hashes only; TLS; an "
                 "audit trail of changes; secrets kept out of the logs; exports, erasure "
                 "and retention as described below."),
        "",
        "## " + _("Categories of personal data"),
        "",
    ]
    rows = []
    for category in Category:
        columns = by_category.get(category, [])
        if not columns:
            continue
        purposes = sorted({str(c.purpose) for c in columns})
        bases = sorted({c.basis.label for c in columns})
        rules = sorted({c.retention for c in columns}, key=list(Retention).index)
        audience = [_("the coordination"), *sorted(a.label for a in AUDIENCES[category])]
        rows.append((
            category.label,
            ", ".join(sorted({f"{c.table}.{c.column}" for c in columns})),
            "; ".join(purposes),
            "; ".join(bases),
            "; ".join(f"{r.label} ({_days(periods[r.value])})" for r in rules),
            ", ".join(audience),
        ))
    lines += _table([_("Category"), _("Stored in"), _("Purpose"), _("Legal basis"),
                     _("Retention"), _("Who sees it")], rows)
    lines += ["", "## " + _("Retention rules"), "",
              _("Each period is set by an environment variable; the defaults are defaults, "
                "to be set by the data protection officer. `lms privacy purge` applies them "
                "(daily from cron). A rule marked as a duty to keep is kept through an "
                "erasure, without the name, until its period is over."), ""]
    lines += _table(
        [_("Rule"), _("Period"), _("Default"), _("Counted from"), _("Then"),
         _("Duty to keep"), _("Setting")],
        [(r.retention.label, _days(periods[r.retention.value]), _days(r.default_days),
          r.counted_from, r.then, _("yes") if r.legal_hold else _("no"),
          f"`{r.retention.setting}`") for r in RULES.values()])
    lines += ["", "## " + _("Every personal column"), ""]
    lines += _table(
        [_("Column"), _("Category"), _("Purpose"), _("Legal basis"), _("Retention"),
         _("On erasure")],
        [(f"`{c.table}.{c.column}`", c.category.label, c.purpose, c.basis.label,
          c.retention.label, c.erasure.label) for c in personal_columns()])
    return "\n".join(lines) + "\n"


def _days(days: int) -> str:
    """A period as days, with its length in years when it is that long."""
    text = ngettext("%(num)s day", "%(num)s days", days)
    if days < 365:
        return text
    years = round(days / 365.25, 1)
    return _("%(days)s (about %(years)s)", days=text, years=ngettext(
        "%(years)s year", "%(years)s years", plural_n(years),
        years=format_decimal(years, format="#,##0.#")))
