"""Retention rules: how long each kind of personal data is kept, as configuration.

Every personal column names one rule (see :mod:`lms.privacy.declare`). A rule's period
comes from ``LMS_RETENTION_<RULE>_DAYS`` (e.g. ``LMS_RETENTION_ATTENDANCE_DETAIL_DAYS``);
the defaults below are defaults, to be set by the data protection officer to the
university's rules. ``lms privacy purge`` applies them (:mod:`lms.privacy.purge`).

A rule with a *legal hold* (exam records, certificate stubs) is a duty to keep, not only
a limit: while its period runs, an erasure keeps that data, without the person's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.labels import Label, LabelledEnum


class Retention(LabelledEnum):
    ACCOUNT = "account", _l("accounts and profiles")
    LOGIN_RECORDS = "login_records", _l("log-in sessions, e-mailed links and calendar addresses")
    ATTENDANCE_DETAIL = "attendance_detail", _l("attendance marks and absence notices")
    SUBMISSIONS = "submissions", _l("work handed in")
    EXAM_RECORDS = "exam_records", _l("exam records (grades)")
    CERTIFICATE_STUBS = "certificate_stubs", _l("verification records of issued certificates")
    AUDIT_TRAIL = "audit_trail", _l("audit trail and erasure requests")
    NOTIFICATION_LOG = "notification_log", _l("record of reminders sent")
    EXPORTS = "exports", _l("data exports (“my data”)")
    LOG_FILES = "log_files", _l("log files of the web server")

    @property
    def rule(self) -> RetentionRule:
        return RULES[self]

    @property
    def setting(self) -> str:
        """The environment variable that sets the period."""
        return f"LMS_RETENTION_{self.value.upper()}_DAYS"


@dataclass(frozen=True)
class RetentionRule:
    retention: Retention
    default_days: int
    counted_from: Label  # the moment the period starts
    then: Label  # what happens when it is over
    legal_hold: bool = False  # a duty to keep: an erasure keeps it (without the name)


YEAR = 365
RULES: dict[Retention, RetentionRule] = {rule.retention: rule for rule in (
    RetentionRule(Retention.ACCOUNT, 2 * YEAR,
                  _l("the end of the person's last cohort (for a company's contact person: "
                     "of the company's last cohort)"),
                  _l("the account is erased as on request (lecturers and coordinators are "
                     "erased by the coordination when they leave)")),
    RetentionRule(Retention.LOGIN_RECORDS, 30,
                  _l("the end of the session, or the link's use, expiry or withdrawal"),
                  _l("the records are deleted")),
    RetentionRule(Retention.ATTENDANCE_DETAIL, YEAR, _l("the end of the cohort"),
                  _l("deleted (the hours stay on the certificate's verification record)")),
    RetentionRule(Retention.SUBMISSIONS, YEAR,
                  _l("the grade (without one: the end of the cohort)"),
                  _l("the file and its record are deleted (the grade stays)")),
    RetentionRule(Retention.EXAM_RECORDS, 5 * YEAR + 1, _l("the end of the cohort"),
                  _l("the records are deleted"), legal_hold=True),
    RetentionRule(Retention.CERTIFICATE_STUBS, 50 * YEAR + 12, _l("the day of issue"),
                  _l("the name is removed from the verification record"), legal_hold=True),
    RetentionRule(Retention.AUDIT_TRAIL, 3 * YEAR, _l("the recorded change"),
                  _l("the records are deleted")),
    RetentionRule(Retention.NOTIFICATION_LOG, YEAR, _l("the sending"),
                  _l("the records are deleted")),
    RetentionRule(Retention.EXPORTS, 7, _l("the export's creation"),
                  _l("the file and its record are deleted")),
    RetentionRule(Retention.LOG_FILES, 7, _l("the file's last change"),
                  _l("deleted from LMS_LOG_DIR")),
)}

MAX_DAYS = 100 * YEAR


class RetentionSettingError(ValueError):
    """A retention period is not a whole number of days from 1 to 36500."""


def retention_settings(environ: Mapping[str, str]) -> dict[str, int]:
    """The period of every rule in days, from ``LMS_RETENTION_<RULE>_DAYS`` or the default
    (for :func:`lms.config.load_settings`)."""
    periods = {}
    for retention, rule in RULES.items():
        raw = environ.get(retention.setting, "").strip() or str(rule.default_days)
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
            raise RetentionSettingError(
                f"{retention.setting} must be a whole number of days from 1 to {MAX_DAYS}, "
                f"not {raw!r}.")
        periods[retention.value] = int(raw)
    return periods
