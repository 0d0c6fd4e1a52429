"""Language and time zone of a request (the user's choice, else the browser's, else
German), and text as the German reader expects it: plurals, sizes, sorting, and names
spelled in ASCII."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context, request, session
from flask_babel import Domain
from flask_login import current_user

from lms.config import SUPPORTED_LOCALES

# Where the JSON API lives (lms/api/): no session, no login, no pages.
API_PATH = "/api/"


def select_locale() -> str:
    if not has_request_context():  # command line, cron: the site's language
        return str(current_app.config["LMS_DEFAULT_LOCALE"])
    if request.path.startswith(API_PATH):  # the API knows no login: the caller's header
        return str(request.accept_languages.best_match(
            SUPPORTED_LOCALES, default=current_app.config["LMS_DEFAULT_LOCALE"]))
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return str(request.accept_languages.best_match(
        SUPPORTED_LOCALES, default=current_app.config["LMS_DEFAULT_LOCALE"]
    ))


def current_translations() -> Translations | NullTranslations:
    """Flask-Babel's translations for the locale of the moment, kept with that locale on
    Flask-Babel's own context: every text translated asks for them, and Flask-Babel would
    look them up anew each time. A forced locale (``force_locale``) is another locale
    object, so its own translations are looked up (and the request's again after it)."""
    context = g.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    if locale is None:  # not chosen yet: Flask-Babel chooses it (and looks them up)
        return _looked_up()
    known = getattr(context, "lms_translations", None)
    if known is None or known[0] is not locale:
        known = context.lms_translations = (locale, _looked_up())
    return known[1]


def _looked_up() -> Translations | NullTranslations:
    return Domain.get_translations(current_app.extensions["babel"].instance.domain_instance)


class KnownTranslations(Domain):
    """The message domain, with :func:`current_translations` (``gettext``, ``_l`` and the
    templates' ``_`` all ask it)."""

    def get_translations(self) -> Any:
        return current_translations()


def install_known_translations(app: Any) -> None:
    """After ``babel.init_app``: the app's domain is a :class:`KnownTranslations`."""
    config = app.extensions["babel"]
    config.instance.domain_instance = KnownTranslations(domain=config.default_domain)


def site_timezone() -> str:
    """The configured time zone (``LMS_TIMEZONE``): where nothing else is known, and the
    zone a new cohort starts with (its form, :func:`lms.cohorts.operations.create_cohort`
    and the model's default all ask here)."""
    return str(current_app.config["LMS_TIMEZONE"])


def select_timezone() -> str:
    return site_timezone()


def duration_text(delta: timedelta) -> str:
    """A duration in words, in the unit it is a whole number of: "14 days", "2 hours",
    "15 minutes", "1 minute"; hours and minutes where it is neither: "4 hours 3 minutes".
    Every text that states a window or a lifetime says it through here, from the constant
    that defines it."""
    from flask_babel import ngettext

    minutes = int(delta.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return str(ngettext("%(num)s day", "%(num)s days", minutes // (24 * 60)))
    hours, rest = divmod(minutes, 60)
    in_minutes = str(ngettext("%(num)s minute", "%(num)s minutes", rest))
    if not hours:
        return in_minutes
    in_hours = str(ngettext("%(num)s hour", "%(num)s hours", hours))
    # (more than an hour and not whole hours: "4 hours 3 minutes", never "243 minutes")
    return in_hours if not rest else f"{in_hours} {in_minutes}"


def plural_n(value: Decimal | int | float) -> int:
    """The number that chooses the plural form for ``value`` in ngettext: a whole number
    as it is, a fraction as 2 ("1,5 Stunden", "1.5 hours": German and English use the
    plural for every fraction)."""
    return int(value) if value == int(value) else 2


def filesize(size: int) -> str:
    """A file's size as people read it, in their number format: "300 Bytes", "1,5 KB",
    "25 MB" (1 KB = 1024 bytes). Every size shown goes through here."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale, ngettext

    if size < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", size)
    value, unit = size / 1024, "KB"
    for larger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    pattern = "#,##0.#" if value < 10 else "#,##0"
    return f"{format_decimal(value, format=pattern, locale=str(get_locale() or 'de'))} {unit}"


@lru_cache(maxsize=8192)  # names sort the same every time: rosters are sorted on every page
def sort_key(*parts: str) -> tuple[str, ...]:
    """Sort names as a German reader expects (DIN 5007-1): "Bäcker" before "Brückner",
    whatever the database's collation."""
    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

    return tuple(plain(part) for part in parts)


# The German convention for writing umlauts without them (DIN 5007-2, passports, e-mail
# addresses): "Köln Süd" is "Koeln Sued", never "Koln Sud".
_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe",
                                 "Ü": "Ue", "ß": "ss", "ẞ": "SS"})


def transliterate(text: str) -> str:
    """``text`` in ASCII: umlauts spelled out the German way, other letters by anyascii
    ("Zoë Łódź" → "Zoe Lodz", "Иван" → "Ivan"). The one transliteration for every name
    we produce (file names, keys) and compare (passwords against the person's name)."""
    return anyascii(text.translate(_GERMAN_LETTERS))


def file_name_part(text: str, fallback: str = "file") -> str:
    """A piece of a file name anyone's computer takes: transliterated, and every run of
    what is not a letter, digit, dot or hyphen one underscore ("Inhouse 2026/27 – Köln
    Süd" → "Inhouse_2026_27_-_Koeln_Sued"); ``fallback`` when nothing is left."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", transliterate(text)).strip("_.") or fallback
