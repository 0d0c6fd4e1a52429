"""Settings from environment variables, with safe defaults.

Every setting is read in one place so that a wrong value stops start-up with one
clear sentence (:class:`ConfigError`) instead of a traceback deep inside a request.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("de", "en")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# Where nothing else is known (LMS_TIMEZONE unset); new cohorts start with the configured zone.
DEFAULT_TIMEZONE = "Europe/Berlin"
# The controller (Verantwortliche*r) named in the record of processing activities.
DEFAULT_CONTROLLER = "TH Köln (Technische Hochschule Köln), Claudiusstraße 1, 50678 Köln"
# Whom people write to about their data, named in the privacy notice.
DEFAULT_PRIVACY_CONTACT = "Datenschutzbeauftragte*r der TH Köln, datenschutz@th-koeln.de"


class ConfigError(click.ClickException):
    """A setting is wrong; the message is one sentence meant for the operator.

    A ``ClickException``, so that ``lms`` and ``flask`` print just that sentence."""


def load_settings(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Build the Flask config from ``LMS_*`` variables in ``environ``."""
    instance = Path(instance_path)
    _ensure_directory(instance, "instance folder")

    base_url = environ.get("LMS_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"LMS_BASE_URL must be an absolute http or https address, not {base_url!r}."
        )
    https = parts.scheme == "https"

    timezone = environ.get("LMS_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"LMS_TIMEZONE {timezone!r} is not a known time zone.") from None

    locale = environ.get("LMS_DEFAULT_LOCALE", "de")
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"LMS_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, not {locale!r}."
        )

    database_url = environ.get("LMS_DATABASE_URL") or f"sqlite:///{instance / 'lms.sqlite3'}"
    database_url, engine_options = database_settings(database_url)

    smtp = _smtp_settings(environ)
    redis_url = _redis_url(environ)
    return {
        **smtp,
        "LMS_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": environ.get("LMS_RATELIMIT_STORAGE_URL",
                                             redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SECRET_KEY": environ.get("LMS_SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "LMS_BASE_URL": base_url,
        **_storage_settings(environ, instance),
        # Certificate designs; unset: the checkout's certificates/ folder.
        "LMS_CERTIFICATE_DESIGNS_DIR": _existing_dir(environ, "LMS_CERTIFICATE_DESIGNS_DIR"),
        "LMS_TIMEZONE": timezone,
        "LMS_DEFAULT_LOCALE": locale,
        "BABEL_DEFAULT_LOCALE": locale,
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "PREFERRED_URL_SCHEME": parts.scheme,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "WTF_CSRF_TIME_LIMIT": None,
        **_upload_limits(environ),
        **_credential_keys(environ),
        **_job_settings(environ),
        **_privacy_settings(environ),
        # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed;
        # 0: none, the address a request comes from is the client's.
        "LMS_TRUSTED_PROXIES": _proxy_count(environ),
        **_log_settings(environ),
        "LMS_API_RATE_LIMIT": _rate_limit(environ, "LMS_API_RATE_LIMIT", "600/minute"),
        "LMS_EVALUATION_MIN_ANSWERS": _evaluation_minimum(environ),
    }


# Fewer answers than this would let a lecturer tell who answered what, whatever is set.
EVALUATION_MIN_ANSWERS_FLOOR = 3


def _evaluation_minimum(environ: Mapping[str, str]) -> int:
    """How many answers a module evaluation needs before its results are shown."""
    raw = environ.get("LMS_EVALUATION_MIN_ANSWERS", "5").strip()
    if not raw.isdigit() or int(raw) < EVALUATION_MIN_ANSWERS_FLOOR:
        raise ConfigError(f"LMS_EVALUATION_MIN_ANSWERS must be a whole number of at least "
                          f"{EVALUATION_MIN_ANSWERS_FLOOR} (fewer answers would not keep them "
                          f"anonymous), not {raw!r}.")
    return int(raw)


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit in Flask-Limiter's notation ("600/minute", "10 per second")."""
    from limits import parse_many

    raw = environ.get(name, default).strip()
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as 600/minute, not {raw!r}.") from None
    return raw


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """How the app's lines are written (lms.logs): ``LMS_LOG_FORMAT`` text (default) or
    json (one object per line), and ``LMS_LOG_LEVEL`` of the app's own lines (INFO)."""
    log_format = environ.get("LMS_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LMS_LOG_FORMAT must be text or json, not {log_format!r}.")
    raw_level = environ.get("LMS_LOG_LEVEL", "INFO").strip()
    level = raw_level.upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LMS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                          f"not {raw_level!r}.")
    return {"LMS_LOG_FORMAT": log_format, "LMS_LOG_LEVEL": level}


# The longest a presigned address may live (SigV4's own limit is 7 days; a download link
# that outlives a revoked access by more than minutes would be a leak, not a feature).
PRESIGNED_MAX_SECONDS = 3600


def _storage_settings(environ: Mapping[str, str], instance: Path) -> dict[str, Any]:
    """The file store: the folder (default), or S3-compatible object storage when
    ``LMS_STORAGE_URL`` names a bucket. With a bucket the folder is only what
    ``lms storage migrate`` copies from, so it is not made here."""
    from lms.storage.s3 import parse_s3_url

    url = environ.get("LMS_STORAGE_URL", "").strip()
    folder = Path(environ.get("LMS_STORAGE_DIR") or instance / "storage")
    if url:
        try:
            parse_s3_url(url)
        except ValueError:
            raise ConfigError(f"LMS_STORAGE_URL must be s3://bucket or s3://bucket/prefix, "
                              f"not {url!r}.") from None
    else:
        _ensure_directory(folder, "storage folder (LMS_STORAGE_DIR)")
    endpoint = environ.get("LMS_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"LMS_S3_ENDPOINT_URL must be an http or https address, "
                              f"not {endpoint!r}.")
    raw = environ.get("LMS_STORAGE_PRESIGNED", "0").strip() or "0"
    if not raw.isdigit() or int(raw) > PRESIGNED_MAX_SECONDS:
        raise ConfigError(f"LMS_STORAGE_PRESIGNED must be how many seconds a download address "
                          f"lives, from 0 (off) to {PRESIGNED_MAX_SECONDS}, not {raw!r}.")
    if int(raw) and not url:
        raise ConfigError("LMS_STORAGE_PRESIGNED needs object storage (LMS_STORAGE_URL): "
                          "files in a folder are always served by the app.")
    return {"LMS_STORAGE_DIR": str(folder), "LMS_STORAGE_URL": url,
            "LMS_S3_ENDPOINT_URL": endpoint, "LMS_STORAGE_PRESIGNED": int(raw)}


def _privacy_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The retention periods (``LMS_RETENTION_<RULE>_DAYS``, see lms.privacy.retention)
    and the controller named in the record of processing activities."""
    from lms.privacy.retention import RetentionSettingError, retention_settings

    try:
        periods = retention_settings(environ)
    except RetentionSettingError as exc:
        raise ConfigError(str(exc)) from None
    controller = environ.get("LMS_PRIVACY_CONTROLLER", "").strip() or DEFAULT_CONTROLLER
    contact = environ.get("LMS_PRIVACY_CONTACT", "").strip() or DEFAULT_PRIVACY_CONTACT
    return {"LMS_RETENTION": periods, "LMS_PRIVACY_CONTROLLER": controller,
            "LMS_PRIVACY_CONTACT": contact,
            # A deployment's own privacy notice: privacy.de.md / privacy.en.md (unset: the
            # default notice, built from the registry).
            "LMS_PRIVACY_NOTICE_DIR": _existing_dir(environ, "LMS_PRIVACY_NOTICE_DIR"),
            # Log files `lms privacy purge` deletes after LOG_FILES days (unset: none).
            "LMS_LOG_DIR": _existing_dir(environ, "LMS_LOG_DIR")}


def _proxy_count(environ: Mapping[str, str]) -> int:
    raw = environ.get("LMS_TRUSTED_PROXIES", "0").strip()
    if not raw.isdigit() or int(raw) > 5:
        raise ConfigError(f"LMS_TRUSTED_PROXIES must be the number of proxies in front of the "
                          f"app, from 0 to 5, not {raw!r}.")
    return int(raw)


def _credential_keys(environ: Mapping[str, str]) -> dict[str, Any]:
    """The credentials' signing key when given by configuration (several hosts share it
    so), and the public keys of earlier ones, which the DID document keeps listing."""
    from lms.credentials.keys import KeyError_, private_from_multibase, public_from_multibase

    secret = environ.get("LMS_CREDENTIALS_KEY", "").strip()
    previous = [k.strip() for k in environ.get("LMS_CREDENTIALS_PREVIOUS_KEYS", "").split(",")
                if k.strip()]
    try:
        if secret:
            private_from_multibase(secret)
        for key in previous:
            public_from_multibase(key)
    except KeyError_ as exc:
        name = "LMS_CREDENTIALS_KEY" if "signing" in str(exc) else "LMS_CREDENTIALS_PREVIOUS_KEYS"
        raise ConfigError(f"{name}: {exc} (see `lms credentials keys show`).") from None
    if previous and not secret:
        raise ConfigError("LMS_CREDENTIALS_PREVIOUS_KEYS is set without LMS_CREDENTIALS_KEY.")
    return {"LMS_CREDENTIALS_KEY": secret, "LMS_CREDENTIALS_PREVIOUS_KEYS": tuple(previous)}


MIB = 1024 * 1024


def _upload_limits(environ: Mapping[str, str]) -> dict[str, int]:
    """``LMS_MAX_UPLOAD_MB`` is the largest *file* (checked on the form's field). The
    request around it also carries the other fields and the multipart framing, so its
    limit leaves a megabyte above the file's; a file of exactly the limit is accepted.
    Fields without a file may hold up to 2 MB (Werkzeug's default is 500 kB): the roster
    import sends its checked CSV file (up to 512 KB, URL-encoded) back as text."""
    upload = _positive_int(environ, "LMS_MAX_UPLOAD_MB", 25) * MIB
    return {"LMS_MAX_UPLOAD_BYTES": upload, "MAX_CONTENT_LENGTH": upload + MIB,
            "MAX_FORM_MEMORY_SIZE": 2 * MIB}


def _job_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Retries of a failed job (the pauses before each, in seconds: as many retries as
    pauses; empty: none) and how long one attempt may run."""
    raw = environ.get("LMS_JOB_RETRY_INTERVALS", "10,60,300").strip()
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts) or len(parts) > 10:
        raise ConfigError(f"LMS_JOB_RETRY_INTERVALS must be up to ten pauses in seconds, "
                          f"separated by commas (e.g. 10,60,300), not {raw!r}.")
    from lms.jobs.scheduled import DEFAULT_SCHEDULE, parse_schedule

    schedule = environ.get("LMS_SCHEDULE", DEFAULT_SCHEDULE)
    try:
        entries = parse_schedule(schedule)
    except ValueError as exc:
        raise ConfigError(f"LMS_SCHEDULE: {str(exc)!r} is not five cron fields followed by "
                          f"an lms command (entries are separated by ';').") from None
    return {"LMS_JOB_RETRY_INTERVALS": tuple(int(p) for p in parts),
            "LMS_JOB_TIMEOUT": _positive_int(environ, "LMS_JOB_TIMEOUT", 600),
            "LMS_SCHEDULE": entries}


def _redis_url(environ: Mapping[str, str]) -> str:
    """Redis shared by the workers (login throttling, feed freshness); empty: none."""
    url = environ.get("LMS_REDIS_URL", "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"LMS_REDIS_URL must start with redis://, rediss:// or unix://, "
                          f"not {url!r}.")
    return url


def _smtp_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """SMTP when ``LMS_SMTP_HOST`` is set; otherwise mail goes to the instance outbox."""
    tls = environ.get("LMS_SMTP_TLS", "starttls" if environ.get("LMS_SMTP_HOST") else "none")
    if tls not in ("none", "starttls", "ssl"):
        raise ConfigError(f"LMS_SMTP_TLS must be none, starttls or ssl, not {tls!r}.")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
    sender = environ.get("LMS_MAIL_SENDER", "TH Köln Weiterbildung <weiterbildung@localhost>")
    if "@" not in sender:
        raise ConfigError(f"LMS_MAIL_SENDER must be an email address, not {sender!r}.")
    return {
        "LMS_SMTP_HOST": environ.get("LMS_SMTP_HOST", ""),
        "LMS_SMTP_PORT": _positive_int(environ, "LMS_SMTP_PORT", default_port),
        "LMS_SMTP_USER": environ.get("LMS_SMTP_USER", ""),
        "LMS_SMTP_PASSWORD": environ.get("LMS_SMTP_PASSWORD", ""),
        "LMS_SMTP_TLS": tls,
        "LMS_MAIL_SENDER": sender,
    }


def _existing_dir(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value and not Path(value).is_dir():
        raise ConfigError(f"{name} {value!r} is not a folder.")
    return value or None


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, str(default))
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a whole number above 0, not {raw!r}.")
    return int(raw)


def database_settings(url: str) -> tuple[str, dict[str, Any]]:
    """Normalise a database URL and choose engine options for its backend.

    PostgreSQL always goes through psycopg 3; SQLite waits for a busy database
    instead of failing at once (WAL and the pragmas are set per connection in
    :mod:`lms.db`).
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"LMS_DATABASE_URL {url!r} is not a database address.") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
        # No pool_pre_ping: a pooled connection's socket says whether the server has
        # closed it, without a round trip (lms.db.install_connection_policy).
        return parsed.render_as_string(hide_password=False), {}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _ensure_directory(Path(parsed.database).parent, "folder of the SQLite database")
        return url, {"connect_args": {"timeout": 15}}
    raise ConfigError(
        f"LMS_DATABASE_URL uses the unsupported database {backend!r}; "
        "use sqlite:///path or postgresql://user@host/name."
    )


def _ensure_directory(path: Path, what: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(
            f"The {what} {str(path)!r} cannot be written ({exc.strerror or exc})."
        ) from None


def _instance_secret(instance: Path) -> str:
    """Generate a secret key once and keep it in the instance folder.

    Sessions survive restarts and all workers on one host share it; several hosts
    set ``LMS_SECRET_KEY`` instead.
    """
    path = instance / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker was quicker
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
