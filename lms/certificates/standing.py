"""Where a participant stands, in the one word every page, export and mail uses.

Its own module, so that the attendance summary can name the attendance part of it
(:attr:`lms.attendance.queries.AttendanceSummary.risk`) without importing the rules;
:func:`lms.certificates.rules.evaluate_completion` decides it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.labels import LabelledEnum


class Standing(LabelledEnum):
    """Where a participant stands; the last four are final."""

    ON_TRACK = "on_track", _l("on track")
    AT_RISK = "at_risk", _l("at risk")
    OUT_OF_REACH = "out_of_reach", _l("minimum out of reach")
    CERTIFIED = "certified", _l("certificate earned")
    CONFIRMATION = "confirmation", _l("confirmation of participation")
    NOT_COMPLETED = "not_completed", _l("not completed")
    WITHDRAWN = "withdrawn", _l("withdrawn")

    @property
    def final(self) -> bool:
        return self in FINAL_STANDINGS


FINAL_STANDINGS = frozenset({Standing.CERTIFIED, Standing.CONFIRMATION,
                             Standing.NOT_COMPLETED, Standing.WITHDRAWN})
