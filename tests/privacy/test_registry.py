"""The registry of personal data: every column of the schema is classified by an area,
and ``lms privacy registry`` prints the record for the data protection officer."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from lms import ConfigError, create_app
from lms.extensions import db
from lms.privacy.declare import Erasure
from lms.privacy.registry import check_against, declarations, personal_columns
from lms.privacy.retention import RULES, Retention


def test_every_column_is_classified_as_personal_or_not(app):
    """Like the access matrix for routes: a column nobody declared fails here, so a new
    column that holds a name, an address or free text cannot slip in unnoticed."""
    problems = check_against(db.metadata)
    assert not problems, "\n".join(str(p) for p in problems)


def _copy_of_schema() -> sa.MetaData:
    metadata = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(metadata)
    return metadata


def test_a_new_column_fails_until_it_is_classified(app):
    metadata = _copy_of_schema()
    metadata.tables["user_account"].append_column(sa.Column("phone", sa.String(40)))
    metadata.tables["attendance"].append_column(sa.Column("client_ip", sa.String(45)))
    problems = {(p.table, p.column) for p in check_against(metadata)}
    assert problems == {("user_account", "phone"), ("attendance", "client_ip")}


def test_a_new_table_fails_until_it_is_declared(app):
    metadata = _copy_of_schema()
    sa.Table("chat_message", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("text", sa.Text))
    problems = {(p.table, p.column) for p in check_against(metadata)}
    assert problems == {("chat_message", "id"), ("chat_message", "text")}


def test_a_declaration_of_a_column_that_is_gone_fails(app):
    metadata = _copy_of_schema()
    notice = metadata.tables["absence_notice"]
    notice._columns.remove(notice.c.reason)  # (as if a migration had dropped it)
    problems = [(p.table, p.column, p.what) for p in check_against(metadata)]
    assert problems == [("absence_notice", "reason", "declared, but not in the schema")]


def test_each_table_is_declared_by_exactly_one_area(app):
    names = [d.table for d in declarations()]
    assert len(names) == len(set(names))
    assert set(names) == set(db.metadata.tables)


def test_the_data_the_issue_names_is_declared_personal(app):
    """Names, addresses, free text about a person, file uploads and audit payloads."""
    declared = {(c.table, c.column): c for c in personal_columns()}
    for column in [("user_account", "first_name"), ("user_account", "last_name"),
                   ("user_account", "email"), ("company", "contact_email"),
                   ("attendance", "note"), ("absence_notice", "reason"),
                   ("grade", "feedback"), ("lecturer_profile", "bio"),
                   ("submission", "stored_name"), ("certificate", "stored_name"),
                   ("audit_event", "before"), ("audit_event", "after"),
                   ("certificate_credential", "document")]:
        assert column in declared, column
    # Only the name as printed on a certificate is kept through an erasure as it is.
    kept = {k for k, c in declared.items() if c.erasure == Erasure.KEEP_AS_PRINTED
            and c.table != "certificate"}
    assert kept == set()


def test_the_registry_in_markdown_names_every_personal_column_and_rule(app, runner):
    result = runner.invoke(args=["privacy", "registry", "--language", "en"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Record of processing activities (Art. 30 GDPR)")
    for column in personal_columns():
        assert f"`{column.table}.{column.column}`" in text
    for retention in Retention:
        assert f"`{retention.setting}`" in text


def test_the_registry_speaks_german_by_default(app, runner):
    result = runner.invoke(args=["privacy", "registry"])
    assert result.exit_code == 0, result.output
    assert "Verzeichnis von Verarbeitungstätigkeiten" in result.output
    assert "Rechtsgrundlage" in result.output


def test_the_registry_as_csv_has_one_row_per_personal_column(app, runner):
    app.config["LMS_RETENTION"] = {**app.config["LMS_RETENTION"], "exam_records": 3650}
    try:
        result = runner.invoke(args=["privacy", "registry", "--format", "csv",
                                     "--language", "en"])
    finally:
        app.config["LMS_RETENTION"] = {**app.config["LMS_RETENTION"],
                                       "exam_records": RULES[Retention.EXAM_RECORDS]
                                       .default_days}
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["table"], r["column"]) for r in rows] == [
        (c.table, c.column) for c in personal_columns()]
    grades = next(r for r in rows if (r["table"], r["column"]) == ("grade", "points"))
    assert grades["retention_days"] == "3650"  # as configured, not the default


def test_retention_periods_come_from_the_environment(tmp_path):
    app = create_app({"LMS_INSTANCE_PATH": str(tmp_path),
                      "LMS_RETENTION_ATTENDANCE_DETAIL_DAYS": "90"})
    assert app.config["LMS_RETENTION"]["attendance_detail"] == 90
    assert app.config["LMS_RETENTION"]["exports"] == RULES[Retention.EXPORTS].default_days


@pytest.mark.parametrize("value", ["0", "-5", "ein Jahr", "99999999"])
def test_a_wrong_retention_period_stops_start_up_naming_the_variable(tmp_path, value):
    with pytest.raises(ConfigError, match="LMS_RETENTION_EXPORTS_DAYS"):
        create_app({"LMS_INSTANCE_PATH": str(tmp_path), "LMS_RETENTION_EXPORTS_DAYS": value})
