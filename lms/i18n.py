"""Language and time zone of a request: the user's choice, else the browser's, else German."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from lms.config import SUPPORTED_LOCALES


def select_locale() -> str:
    if not has_request_context():  # command line, cron: the site's language
        return current_app.config["LMS_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(
        SUPPORTED_LOCALES, default=current_app.config["LMS_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config["LMS_TIMEZONE"]


def local_time(value: datetime, timezone: str | None = None) -> datetime:
    """A stored UTC time as wall-clock time of a cohort (or the site's default zone)."""
    return value.astimezone(ZoneInfo(timezone or current_app.config["LMS_TIMEZONE"]))


def sort_key(*parts: str) -> tuple[str, ...]:
    """Sort names as a German reader expects (DIN 5007-1): "Bäcker" before "Brückner",
    whatever the database's collation."""
    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

    return tuple(plain(part) for part in parts)
