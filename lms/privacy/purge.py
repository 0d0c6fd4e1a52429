"""Applying the retention rules: what is kept longer than its rule allows goes.

Each area's ``privacy.py`` has a ``purge(context)`` for the rules of its tables: it
counts what is past its period and, when the context applies, deletes it (or, for an
account, erases it as on request). A dry run (the default of ``lms privacy purge``)
changes nothing and says what would go; a second run right after the first finds nothing
(idempotent), so cron may run it daily. Time is the caller's ``now`` (the clock of
:func:`lms.db.utcnow`), so that tests move it forward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db
from lms.i18n import site_timezone
from lms.labels import Label
from lms.privacy.registry import area_modules
from lms.privacy.retention import Retention


@dataclass(frozen=True)
class PurgeLine:
    retention: Retention
    what: Label
    count: int


@dataclass
class PurgeContext:
    now: datetime
    periods: Mapping[str, int]
    apply: bool
    lines: list[PurgeLine] = field(default_factory=list)

    def cutoff(self, retention: Retention) -> datetime:
        """What happened before this instant is past ``retention``'s period."""
        return self.now - timedelta(days=self.periods[retention.value])

    def ended_before(self, retention: Retention) -> date:
        """A cohort that ended before this day (the site's) is past the period (a day
        counts from its end, as the erasure counts it)."""
        today = self.now.astimezone(ZoneInfo(site_timezone())).date()
        return today - timedelta(days=self.periods[retention.value])

    def found(self, retention: Retention, what: Label, count: int) -> None:
        if count:
            self.lines.append(PurgeLine(retention, what, count))

    def delete_where(self, retention: Retention, what: Label, model: Any,
                     condition: Any) -> None:
        """The rows of ``model`` that ``condition`` finds are past ``retention``: counted
        as ``what``, and deleted when applying."""
        count = db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                  .where(condition)) or 0
        self.found(retention, what, count)
        if self.apply and count:
            db.session.execute(sa.delete(model).where(condition))


@dataclass(frozen=True)
class PurgeReport:
    applied: bool
    lines: list[PurgeLine]

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


def purge(now: datetime, periods: Mapping[str, int], *, apply: bool = False) -> PurgeReport:
    """Every area's retention rules at ``now`` (flushes when applying; the caller
    commits). An account erased for its rule is in the audit trail as any erasure."""
    context = PurgeContext(now, periods, apply)
    for module in area_modules():
        if hasattr(module, "purge"):
            module.purge(context)
            db.session.flush()
    purge_log_files(context)
    return PurgeReport(apply, context.lines)


def purge_log_files(context: PurgeContext) -> None:
    """Files older than ``LOG_FILES`` (by their last change) in ``LMS_LOG_DIR`` (the logs
    of the web server hold addresses and paths) and in the mail outbox (without SMTP, as in
    the demo, mails are written there, with names and addresses): kept only so long."""
    from flask_babel import lazy_gettext as _l

    from lms.mail import outbox_dir

    cutoff = context.cutoff(Retention.LOG_FILES).timestamp()
    for folder, what in ((current_app.config.get("LMS_LOG_DIR"), _l("log files")),
                         (outbox_dir(), _l("mails in the outbox"))):
        if not folder or not Path(folder).is_dir():
            continue
        old = [path for path in Path(folder).iterdir()
               if path.is_file() and path.stat().st_mtime < cutoff]
        context.found(Retention.LOG_FILES, what, len(old))
        if context.apply:
            for path in old:
                path.unlink(missing_ok=True)


def describe(report: PurgeReport) -> list[str]:
    """The report as lines for the command line."""
    return [f"{line.retention.value}: {line.count} {line.what}" for line in report.lines]
