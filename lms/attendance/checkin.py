"""Self check-in codes: short, rotating every minute, derived from the secret key.

A code is an HMAC of the meeting's id and the current minute, so that every app server
computes the same code without storing it, and a code seen yesterday (or for another
meeting) is worth nothing today. The code of the previous minute is still accepted, so
that a participant who types while the code changes is not turned away.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app

from lms.schedule.models import Meeting

# Unambiguous characters: no 0/O, 1/I/L, so that a code read off a projector is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# What the check-in form takes: the code, with the spaces or dashes people type into it.
CODE_INPUT_MAX = 20
ROTATION = timedelta(minutes=1)
# Check-in opens a little before the start (people arrive early) and closes at the end.
OPENS_BEFORE_START = timedelta(minutes=15)
# Who checks in later than this after the start is recorded as late (partial minutes).
LATE_AFTER = timedelta(minutes=15)


def _minute(moment: datetime) -> int:
    return int(moment.timestamp() // ROTATION.total_seconds())


def code_for_minute(meeting_id: int, minute: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"check-in:{meeting_id}:{minute}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def current_code(meeting: Meeting, now: datetime) -> str:
    return code_for_minute(meeting.id, _minute(now))


def seconds_until_rotation(now: datetime) -> int:
    step = ROTATION.total_seconds()
    return max(1, int(step - now.timestamp() % step))


def normalise_code(raw: str) -> str:
    """What a person typed, as a code: spaces, dashes and case do not matter."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def code_matches(meeting_id: int, code: str, now: datetime) -> bool:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return False
    minute = _minute(now)
    return any(
        hmac.compare_digest(code, code_for_minute(meeting_id, m)) for m in (minute, minute - 1)
    )


def checkin_opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at - OPENS_BEFORE_START


def checkin_is_open(meeting: Meeting, now: datetime) -> bool:
    return not meeting.is_cancelled and checkin_opens_at(meeting) <= now <= meeting.ends_at
