"""Self check-in, the lecturer's side: the rotating code, its QR code and who is in."""

from __future__ import annotations

from typing import Any

import segno
from flask import abort, current_app, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_meeting_to_mark_or_404
from lms.attendance import checkin
from lms.attendance.models import AttendanceStatus
from lms.attendance.queries import roster_marks
from lms.db import utcnow
from lms.web import local_time_filter
from lms.web.lecturer import bp


def _checkin_url(code: str) -> str:
    path = url_for("participant.check_in", code=code)
    base: str = current_app.config["LMS_BASE_URL"]
    return base + path


def _state(meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_to_mark_or_404(current_user, meeting_id, as_coordinator=False)
    now = utcnow()
    rows = roster_marks(meeting)
    tz = meeting.cohort.timezone
    # (a check-in is a mark: it has its time)
    checked_in = [(r, r.recorded_at) for r in rows
                  if r.checked_in_themselves and r.recorded_at is not None]
    checked_in.sort(key=lambda pair: pair[1])
    is_open = checkin.checkin_is_open(meeting, now)
    code = checkin.current_code(meeting, now) if is_open else ""
    return {
        "meeting": meeting,
        "open": is_open,
        "code": code,
        "url": _checkin_url(code) if code else "",
        "qr": segno.make(_checkin_url(code), error="m").svg_data_uri(scale=6, border=2)
        if code else "",
        "refresh_in": checkin.seconds_until_rotation(now),
        "opens_at": checkin.checkin_opens_at(meeting),
        "roster_size": len(rows),
        "checked_in": [
            {"name": r.full_name,
             "time": local_time_filter(at, tz),
             "late": r.status == AttendanceStatus.LATE}
            for r, at in checked_in
        ],
    }


@bp.get("/meetings/<int:meeting_id>/check-in")
def check_in_display(meeting_id: int) -> ResponseReturnValue:
    state = _state(meeting_id)
    if state["meeting"].is_cancelled:
        abort(404)
    return render_template("lecturer/checkin.html", **state,
                           rotation_minutes=int(checkin.ROTATION.total_seconds() // 60))


@bp.get("/meetings/<int:meeting_id>/check-in/status")
def check_in_status(meeting_id: int) -> ResponseReturnValue:
    """Polled by checkin.js: the current code and QR code, and who has checked in."""
    state = _state(meeting_id)
    state.pop("meeting")
    state["opens_at"] = state["opens_at"].isoformat()
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response
