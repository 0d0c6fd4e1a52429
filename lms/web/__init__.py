"""Web layer: one blueprint per role, plus what every response shares."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    TooManyRequests,
)
from werkzeug.routing import IntegerConverter, Map

from lms.accounts.models import User
from lms.extensions import login_manager
from lms.i18n import current_translations, filesize, plural_n, site_timezone
from lms.i18n import duration_text as i18n_duration_text
from lms.labels import LabelledEnum, capitalised, label
from lms.storage import StorageError, StoredFileMissing

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# The largest id a URL can name: every primary key is an INTEGER column, 32 bits in
# PostgreSQL (SQLite's reach 64). A larger number names nothing and answers 404, instead
# of an error from the database ("integer out of range") or its driver (OverflowError).
MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regular expression for the whole numbers 0 to ``limit`` (no leading zeros)."""
    digits = str(limit)
    shorter = f"0|[1-9]\\d{{0,{len(digits) - 2}}}" if len(digits) > 1 else "0"
    same_length = []
    for i, digit in enumerate(digits):
        if digit == "0" or (i == 0 and digit == "1"):
            continue
        low = "1" if i == 0 else "0"
        rest = len(digits) - i - 1
        tail = f"\\d{{{rest}}}" if rest else ""
        same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{tail}")
    same_length.append(digits)
    return "|".join(filter(None, [shorter, *same_length]))


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative whole number of at most ``MAX_ID``.
    A larger number does not match the rule at all (rather than failing its conversion),
    so that a path served by two rules for two methods answers 404, not 405."""

    regex = f"(?:{_at_most(MAX_ID)})"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# Requests that only read (RFC 9110's safe methods): their statements run without a
# transaction until the first write (lms.db.install_connection_policy).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_alone() -> bool:
    return has_request_context() and request.method in SAFE_METHODS


def register_web(app: Flask) -> None:
    # Before the blueprints: each rule takes its converter when it is added.
    app.url_map.converters["int"] = IdConverter
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
    from lms.web.credentials import bp as credentials_bp  # DID document, status lists

    app.register_blueprint(credentials_bp)

    login_manager.login_view = "public.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)

    app.after_request(_security_headers)
    app.after_request(_commit_session_touch)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StorageError, _storage_error)
    app.jinja_env.filters.update(
        local_datetime=local_datetime, local_date=local_date, local_time=local_time_filter,
        hours=hours, hours_down=hours_down, points=points, plural_n=plural_n, hours_n=hours_n,
        filesize=filesize, label=label, capitalised=capitalised, duration=i18n_duration_text,
    )
    from lms.certificates.wording import standing_sentence

    _install_template_translations(app)
    app.jinja_env.globals.update(current_locale=lambda: str(current_locale()),
                                 standing_text=standing_sentence)
    # Templates compare with the members (``m.status == MeetingStatus.CANCELLED``), never
    # with their values spelled out.
    app.jinja_env.globals.update({cls.__name__: cls for cls in labelled_enums()})
    # A text that states how long a link works says it from the lifetime itself.
    from lms.accounts.models import TokenPurpose
    from lms.accounts.tokens import LIFETIME

    app.jinja_env.globals.update(TokenPurpose=TokenPurpose, LINK_LIFETIME=LIFETIME)


def labelled_enums() -> tuple[type[LabelledEnum], ...]:
    """Every enumeration people see, each a template global under its class name."""
    from lms.accounts.models import Locale, Role, TitleForm
    from lms.announcements.models import AnnouncementKind
    from lms.assignments.models import GradeState
    from lms.assignments.queries import HandIn
    from lms.attendance.models import AbsenceDecision, AttendanceStatus
    from lms.certificates.models import CertificateKind, CertificateStatus
    from lms.certificates.rules import Mark
    from lms.certificates.standing import Standing
    from lms.cohorts.models import EnrollmentStatus
    from lms.curriculum.models import AssessmentKind, GradingScheme
    from lms.evaluation.models import EvaluationWindow
    from lms.integrations.models import DeliveryState, TokenScope, WebhookEvent, WebhookScope
    from lms.jobs.models import JobKind, JobState
    from lms.materials.models import MaterialKind, Release
    from lms.privacy.declare import Audience, Category, Erasure, LegalBasis, NotPersonal
    from lms.privacy.models import ErasureDecision, ExportState
    from lms.privacy.retention import Retention
    from lms.schedule.models import MeetingStatus

    return (AbsenceDecision, AnnouncementKind, AssessmentKind, AttendanceStatus, Audience,
            Category, CertificateKind, CertificateStatus, DeliveryState, EnrollmentStatus,
            Erasure, ErasureDecision, EvaluationWindow, ExportState, GradeState, GradingScheme,
            HandIn, JobKind, JobState, LegalBasis, Locale, Mark, MaterialKind, MeetingStatus,
            NotPersonal, Release, Retention, Role, Standing, TitleForm, TokenScope,
            WebhookEvent, WebhookScope)


def _load_user(user_id: str) -> User | None:
    from flask import g, session

    from lms.accounts.sessions import user_for_session

    live = user_for_session(user_id, session.get("sid"))
    if live is None or not live.user.is_active:
        return None
    if live.touched:
        g.lms_session_touched = True
    return live.user


def _commit_session_touch(response: Response) -> Response:
    """The session's last use, moved on while the user was loaded, is committed with the
    request: a page that only reads commits nothing else. A failed or refused request
    leaves it (its transaction is rolled back); the next request moves it on again."""
    from flask import g

    from lms.extensions import db

    if g.pop("lms_session_touched", False) and response.status_code < 400:
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.warning("the session's last use could not be recorded",
                                       exc_info=True)
    return response


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
    _discard_failed_transaction()
    try:
        return render_template("errors/csrf.html"), 400
    except Exception:  # the error page must not fail in turn
        return _bare_error_page(400)


def _http_error(
    error: HTTPException,
) -> tuple[str, int] | tuple[str, int, dict[str, str]] | HTTPException | Response:
    """Every error page, also the 500 of an unhandled exception (Flask hands it here as
    InternalServerError)."""
    if error.code is None or error.code < 400:
        return error
    _discard_failed_transaction()
    from lms.api import api_error, is_api_request

    if is_api_request():  # the API answers problem details, never a page
        return api_error(error)
    try:
        if isinstance(error, TooManyRequests):  # error.code == 429
            from lms.web.throttling import throttled_response

            return throttled_response(error)
        return render_template("errors/http.html", error=error), error.code
    except Exception:  # the error page must not fail in turn
        return _bare_error_page(error.code)


def _storage_error(
    error: StorageError,
) -> tuple[str, int] | tuple[str, int, dict[str, str]] | HTTPException | Response:
    """The file store did not answer: 503, try again (what the request wrote is rolled
    back, and with it its files). A file that a row names but the store lacks is a 500:
    no retry brings it back (`lms doctor` lists such files)."""
    current_app.logger.error("file storage: %s", error, exc_info=error)
    if isinstance(error, StoredFileMissing):
        return _http_error(InternalServerError())
    return _http_error(ServiceUnavailable())


def _discard_failed_transaction() -> None:
    """After a database error the session refuses every query until it is rolled back,
    and the error page needs queries (the user, the language). What the failed request
    wrote is never kept: it did not commit. The language is noted first, as rolling back
    forgets what was loaded."""
    from flask import g

    from lms.extensions import db

    g.lms_error_locale = _locale_without_database()
    try:
        db.session.rollback()
    except Exception:  # a dead connection: the page is rendered without it
        current_app.logger.exception("rollback before the error page failed")


def _locale_without_database() -> str:
    """The request's language from what is known already: the language chosen for this
    request, the user loaded at its start, the session, the browser."""
    from flask import g, session

    from lms.config import SUPPORTED_LOCALES

    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)
    if chosen is not None:
        return str(chosen)
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        import sqlalchemy as sa

        loaded = sa.inspect(user).dict.get("locale")
        if loaded is not None:
            return str(loaded)
    if session.get("locale") in SUPPORTED_LOCALES:
        return str(session["locale"])
    return str(request.accept_languages.best_match(
        SUPPORTED_LOCALES, default=current_app.config["LMS_DEFAULT_LOCALE"]))


def _bare_error_page(code: int) -> tuple[str, int]:
    """The last resort when the error page itself fails (the database is unreachable):
    the app's own page, in the user's language, built from nothing that needs the
    database."""
    from flask import g
    from flask_babel import force_locale

    current_app.logger.exception("the error page failed; the bare one is sent")
    locale = g.get("lms_error_locale") or current_app.config["LMS_DEFAULT_LOCALE"]
    with force_locale(locale):
        # Straight from the environment: the context processors would load the user.
        page = current_app.jinja_env.get_template("errors/bare.html")
        return page.render(code=code, locale=locale), code


# --------------------------------------------------------------------------- formatting


def _zone(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or site_timezone())


# The date and time filters format wall-clock readings: the instant is turned into the
# zone's wall-clock time (cheap), and the text of a reading is Babel's, computed once per
# reading, pattern and language and kept (pages show the same meetings again and again;
# a year of meetings in a matrix is a few hundred readings).


def local_datetime(value: datetime, timezone: str | None = None, fmt: str = "medium") -> str:
    """A UTC timestamp as wall-clock time in ``timezone`` (a cohort's), in the user's language."""
    pattern = {"medium": "EEE d. MMM yyyy, HH:mm"}.get(fmt, fmt)
    locale = _locale()
    if locale == "en" and fmt == "medium":
        pattern = "EEE d MMM yyyy, HH:mm"
    zone = _zone(timezone)
    local = value.astimezone(zone)
    text = _wall_clock_text(local.replace(tzinfo=None, fold=0), pattern, locale)
    return text + _doubled_hour_suffix(local, zone) if fmt == "medium" else text


def local_date(value: date | datetime, timezone: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(_zone(timezone)).date()
    return _date_text(value, _locale())


def local_time_filter(value: datetime, timezone: str | None = None) -> str:
    zone = _zone(timezone)
    local = value.astimezone(zone)
    return (_wall_clock_text(local.replace(tzinfo=None, fold=0), "HH:mm", _locale())
            + _doubled_hour_suffix(local, zone))


@lru_cache(maxsize=8192)
def _wall_clock_text(reading: datetime, pattern: str, locale: str) -> str:
    """Babel's text of a wall-clock reading (naive: no zone is converted or shown)."""
    return format_datetime(reading, pattern, tzinfo=UTC, locale=locale)


@lru_cache(maxsize=4096)
def _date_text(day: date, locale: str) -> str:
    return format_date(day, "medium", locale=locale)


def _doubled_hour_suffix(local: datetime, zone: ZoneInfo) -> str:
    """" MESZ" for a time in the hour that occurs twice when the clocks go back: the
    wall-clock time alone would not say which one."""
    if local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset():
        return ""  # (what lms.localtime.is_ambiguous asks, on the reading at hand)
    from lms.localtime import zone_label

    return f" {zone_label(local)}"


def _locale() -> str:
    """The language values are formatted in: the request's, or the one a mail or calendar
    is being rendered in (``force_locale``)."""
    return str(current_locale())


def current_locale() -> Locale:
    """Flask-Babel's locale of the moment, asked for cheaply: the one it has already
    chosen for this request (or forced), else it chooses it now."""
    chosen: Locale | None = getattr(g.get("_flask_babel"), "babel_locale", None)
    return chosen or get_locale() or Locale.parse(current_app.config["LMS_DEFAULT_LOCALE"])


def _install_template_translations(app: Flask) -> None:
    """Templates translate with :func:`lms.i18n.current_translations` directly
    (Flask-Babel installs the same callables, through its domain lookup)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def hours(minutes: int) -> str:
    """Minutes as hours with at most one decimal, in the user's number format."""
    return _format_hours(minutes, _locale())


def hours_n(minutes: int) -> int:
    """:func:`plural_n` of the hours that :func:`hours` shows for ``minutes``."""
    return plural_n(round(minutes / 60, 1))


def duration_text(minutes: int) -> str:
    """A duration in words: "2 hours", "90 minutes" (:func:`lms.i18n.duration_text`)."""
    return i18n_duration_text(timedelta(minutes=minutes))


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
