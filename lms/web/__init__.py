"""Web layer: one blueprint per role, plus what every response shares."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import Flask, Response, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.accounts.models import User
from lms.extensions import login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def register_web(app: Flask) -> None:
    from lms.web.company import bp as company_bp
    from lms.web.coordinator import bp as coordinator_bp
    from lms.web.lecturer import bp as lecturer_bp
    from lms.web.participant import bp as participant_bp
    from lms.web.public import bp as public_bp

    for blueprint in (public_bp, participant_bp, lecturer_bp, coordinator_bp, company_bp):
        app.register_blueprint(blueprint)
    from lms.web.verify import bp as verify_bp  # public certificate verification

    app.register_blueprint(verify_bp)
    from lms.web.feeds import bp as feeds_bp  # calendars: feed URLs, subscribe pages, .ics

    app.register_blueprint(feeds_bp)

    login_manager.login_view = "public.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)

    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.jinja_env.filters.update(
        local_datetime=local_datetime, local_date=local_date, local_time=local_time_filter,
        hours=hours, hours_down=hours_down, points=points,
    )
    from lms.certificates.rules import standing_label

    app.jinja_env.globals.update(current_locale=lambda: str(get_locale()),
                                 standing_label=standing_label)


def _load_user(user_id: str) -> User | None:
    from flask import session

    from lms.accounts.sessions import user_for_session

    user = user_for_session(user_id, session.get("sid"))
    return user if user is not None and user.is_active else None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure or request.url_root.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("errors/csrf.html"), 400


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    if error.code == 429:
        return _too_many_requests(error)
    return render_template("errors/http.html", error=error), error.code


def _too_many_requests(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Throttled: say how long to wait, in whole minutes."""
    import math
    import time

    from lms.extensions import limiter

    limit = limiter.current_limit
    seconds = max(1, int(limit.reset_at - time.time())) if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    headers = {"Retry-After": str(seconds)}
    return render_template("errors/throttled.html", minutes=minutes), 429, headers


# --------------------------------------------------------------------------- formatting


def _zone(timezone: str | None) -> ZoneInfo:
    from flask import current_app

    return ZoneInfo(timezone or current_app.config["LMS_TIMEZONE"])


def local_datetime(value: datetime, timezone: str | None = None, fmt: str = "medium") -> str:
    """A UTC timestamp as wall-clock time in ``timezone`` (a cohort's), in the user's language."""
    pattern = {"medium": "EEE d. MMM yyyy, HH:mm"}.get(fmt, fmt)
    if _locale() == "en" and fmt == "medium":
        pattern = "EEE d MMM yyyy, HH:mm"
    return format_datetime(value, pattern, tzinfo=_zone(timezone), locale=_locale())


def local_date(value: date | datetime, timezone: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(_zone(timezone)).date()
    return format_date(value, "medium", locale=_locale())


def local_time_filter(value: datetime, timezone: str | None = None) -> str:
    return format_time(value, "HH:mm", tzinfo=_zone(timezone), locale=_locale())


def _locale() -> str:
    """The language values are formatted in: the request's, or the one a mail or calendar
    is being rendered in (``force_locale``)."""
    return str(get_locale())


def hours(minutes: int) -> str:
    """Minutes as hours with at most one decimal, in the user's number format."""
    return _format_hours(minutes, _locale())


def hours_down(minutes: int) -> str:
    """Hours that may still be missed: rounded down to a tenth, never promising more."""
    return _format_hours(minutes // 6 * 6, _locale())


def points(value: Decimal | int | float | None) -> str:
    """Points as the user writes numbers: "62", "62,5" in German, "62.5" in English."""
    if value is None:
        return "–"
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.##", locale=_locale())


@lru_cache(maxsize=4096)
def _format_hours(minutes: int, locale: str) -> str:
    # Babel's number formatting is slow, and a matrix page formats the same few values
    # thousands of times.
    from babel.numbers import format_decimal

    return format_decimal(round(minutes / 60, 1), format="#,##0.#", locale=locale)
