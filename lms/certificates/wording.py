"""The sentences that state a participant's attendance, in one place.

Every number of hours that stands before a noun chooses its plural form (ngettext), so
a sentence is put together from parts that each carry one count: "1 Stunde",
"21 Stunden", "1,5 Stunden". The same parts serve the reasons listed under the rules
(third person, for every page) and the sentence addressed to the participant.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from lms.certificates.standing import Standing
from lms.i18n import plural_n

if TYPE_CHECKING:
    from lms.attendance.queries import AttendanceSummary
    from lms.certificates.rules import CompletionResult


def hours_value(minutes: int, rounding: str = "nearest") -> float:
    """Minutes as hours to a tenth: "down" for what may still be missed (never promising
    more than there is), "up" for what is required or missing."""
    tenths = {"down": minutes // 6, "up": math.ceil(minutes / 6)}.get(rounding)
    if tenths is None:
        tenths = round(minutes / 6)
    return tenths / 10


def hours_text(minutes: int, rounding: str = "nearest") -> str:
    return format_decimal(hours_value(minutes, rounding), format="#,##0.#")


def _n(minutes: int, rounding: str = "nearest") -> int:
    return plural_n(hours_value(minutes, rounding))


def held_attended(s: AttendanceSummary) -> str:
    """"21 of 21 hours held so far attended"."""
    return ngettext("%(attended)s of %(held)s hour held so far attended",
                    "%(attended)s of %(held)s hours held so far attended", _n(s.held),
                    attended=hours_text(s.attended), held=hours_text(s.held))


def required_of_scheduled(s: AttendanceSummary) -> str:
    """"56 of 70 hours, 80 %"."""
    return ngettext("%(required)s of %(scheduled)s hour, %(percent)s %%",
                    "%(required)s of %(scheduled)s hours, %(percent)s %%", _n(s.scheduled),
                    required=hours_text(s.required, "up"), scheduled=hours_text(s.scheduled),
                    percent=s.min_percent)


def may_still_miss(s: AttendanceSummary) -> str:
    """"up to 14 more hours may be missed"."""
    return ngettext("up to %(hours)s more hour may be missed",
                    "up to %(hours)s more hours may be missed", _n(s.may_still_miss, "down"),
                    hours=hours_text(s.may_still_miss, "down"))


def may_only_miss(s: AttendanceSummary) -> str:
    """"only 3 more hours may be missed"."""
    return ngettext("only %(hours)s more hour may be missed",
                    "only %(hours)s more hours may be missed", _n(s.may_still_miss, "down"),
                    hours=hours_text(s.may_still_miss, "down"))


def you_may_still_miss(s: AttendanceSummary) -> str:
    """Addressed to the participant: "you may still miss up to 14 hours"."""
    return ngettext("you may still miss up to %(hours)s hour",
                    "you may still miss up to %(hours)s hours", _n(s.may_still_miss, "down"),
                    hours=hours_text(s.may_still_miss, "down"))


def you_may_only_miss(s: AttendanceSummary) -> str:
    """Addressed to the participant: "you may miss only 1.5 more hours"."""
    return ngettext("you may miss only %(hours)s more hour",
                    "you may miss only %(hours)s more hours", _n(s.may_still_miss, "down"),
                    hours=hours_text(s.may_still_miss, "down"))


def missed(s: AttendanceSummary) -> str:
    return ngettext("%(hours)s hour missed", "%(hours)s hours missed", _n(s.missed, "up"),
                    hours=hours_text(s.missed, "up"))


def attended_of_scheduled(s: AttendanceSummary) -> str:
    return ngettext("%(attended)s of %(scheduled)s hour attended",
                    "%(attended)s of %(scheduled)s hours attended", _n(s.scheduled),
                    attended=hours_text(s.attended), scheduled=hours_text(s.scheduled))


def unrecorded(minutes: int) -> str:
    return ngettext("Attendance of %(hours)s hour held is not recorded yet.",
                    "Attendance of %(hours)s hours held is not recorded yet.",
                    _n(minutes, "up"), hours=hours_text(minutes, "up"))


# --------------------------------------------------------------------------- the reasons


def not_reached(s: AttendanceSummary, percent: int) -> str:
    return _("Attendance %(percent)s %% of %(required)s %% required: not reached "
             "(%(attended_part)s).", percent=percent, required=s.min_percent,
             attended_part=attended_of_scheduled(s))


def out_of_reach(s: AttendanceSummary) -> str:
    return _("%(held_part)s, %(missed_part)s: the minimum (%(required_part)s) can no longer "
             "be reached.", held_part=held_attended(s), missed_part=missed(s),
             required_part=required_of_scheduled(s))


def nothing_held(s: AttendanceSummary) -> str:
    return _("No meeting has been held yet; %(may_miss_part)s (required: %(required_part)s).",
             may_miss_part=may_still_miss(s), required_part=required_of_scheduled(s))


def none_to_spare(s: AttendanceSummary) -> str:
    return _("%(held_part)s; no more hours may be missed (required: %(required_part)s).",
             held_part=held_attended(s), required_part=required_of_scheduled(s))


def little_to_spare(s: AttendanceSummary) -> str:
    return _("%(held_part)s; %(may_miss_part)s (required: %(required_part)s).",
             held_part=held_attended(s), may_miss_part=may_only_miss(s),
             required_part=required_of_scheduled(s))


def on_track(s: AttendanceSummary) -> str:
    return _("%(held_part)s; %(may_miss_part)s (required: %(required_part)s).",
             held_part=held_attended(s), may_miss_part=may_still_miss(s),
             required_part=required_of_scheduled(s))


# --------------------------------------------------------------------------- to the participant


def standing_sentence(result: CompletionResult, s: AttendanceSummary) -> str:
    """The participant's own summary of their standing, addressed to them."""
    standing, attendance = result.standing, result.attendance_standing
    if standing == Standing.ON_TRACK:
        if s.held:
            return _("You are on track: %(held_part)s; %(may_miss_part)s.",
                     held_part=held_attended(s), may_miss_part=you_may_still_miss(s))
        return _("You are on track: no meeting has been held yet; %(may_miss_part)s.",
                 may_miss_part=you_may_still_miss(s))
    if standing == Standing.AT_RISK:
        if attendance == Standing.AT_RISK and s.may_still_miss < 6:
            return _("At risk: %(held_part)s; you may not miss any more hours. Please talk to "
                     "the coordination if you cannot attend.", held_part=held_attended(s))
        if attendance == Standing.AT_RISK:
            return _("At risk: %(held_part)s; %(may_miss_part)s. Please talk to the "
                     "coordination if you cannot attend.", held_part=held_attended(s),
                     may_miss_part=you_may_only_miss(s))
        return _("At risk: a required assessment is not passed yet (see My progress).")
    if standing == Standing.OUT_OF_REACH:
        allowed = s.scheduled - s.required
        return _("The minimum attendance can no longer be reached: %(missed_part)s, "
                 "%(allowed_part)s. Please talk to the coordination about what is possible.",
                 missed_part=missed(s), allowed_part=ngettext(
                     "at most %(hours)s hour may be missed",
                     "at most %(hours)s hours may be missed", _n(allowed, "down"),
                     hours=hours_text(allowed, "down")))
    if standing == Standing.CERTIFIED:
        return _("Completed: you have earned the certificate.")
    if standing == Standing.CONFIRMATION:
        return _("Completed: you receive a confirmation of participation.")
    if standing == Standing.NOT_COMPLETED:
        return _("The course is over; the minimum attendance was not reached (%(part)s).",
                 part=ngettext("%(attended)s of %(required)s hour",
                               "%(attended)s of %(required)s hours", _n(s.required, "up"),
                               attended=hours_text(s.attended),
                               required=hours_text(s.required, "up")))
    return _("You have withdrawn from this cohort.")
