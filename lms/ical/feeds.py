"""Serving a feed: never rebuild one whose data has not changed.

The data version (one SQL statement, see :mod:`lms.ical.version`) decides the ETag;
the built bytes and their Last-Modified are kept per ETag in a small in-process LRU.
The cache is only a cache: every worker can build the same bytes from the database, and
a worker that restarts simply builds them again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import icalendar
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.db import utcnow
from lms.ical import build
from lms.ical.models import FeedScope
from lms.ical.queries import FeedContent, last_change, load_feed_content
from lms.ical.version import FeedState, read_feed_state

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime


class FeedCache:
    """A thread-safe LRU of built feeds, keyed by ETag."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, RenderedFeed] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.builds = 0

    def get(self, key: str) -> RenderedFeed | None:
        with self._lock:
            rendered = self._items.get(key)
            if rendered is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return rendered

    def put(self, key: str, rendered: RenderedFeed) -> None:
        with self._lock:
            self._items[key] = rendered
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def count_build(self) -> None:
        with self._lock:
            self.builds += 1

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.builds = 0


feed_cache = FeedCache()


@cache
def _code_stamp() -> str:
    """Changes when the builder, its library or the translations change, so that a new
    release never answers 304 with bytes an older release built."""
    digest = hashlib.sha256(icalendar.__version__.encode())
    digest.update(Path(build.__file__).read_bytes())
    for catalog in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo")):
        digest.update(catalog.read_bytes())
    return digest.hexdigest()


def feed_etag(state: FeedState, base_url: str) -> str:
    """A strong ETag: the same while the feed's data (and the code) stay the same."""
    key = repr((_code_stamp(), base_url, state.target, state.locale, state.title_form,
                state.version))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:40] + '"'


def render_feed(state: FeedState, etag: str) -> RenderedFeed:
    """The feed's bytes and Last-Modified, from the cache while its version is unchanged.

    On a miss the rows are read and the version is read again: only bytes that match
    the version the ETag names are cached (a change that landed in between is served
    now, and cached under its own version at the next poll)."""
    rendered = feed_cache.get(etag)
    if rendered is not None:
        return rendered
    config = current_app.config
    content = load_feed_content(state.scope, state.user_id, state.cohort_id, state.title_form)
    modified = last_change(state.scope, state.user_id, state.cohort_id) or utcnow()
    body = build_feed_body(state, content, config["LMS_BASE_URL"], config["LMS_TIMEZONE"])
    feed_cache.count_build()
    rendered = RenderedFeed(body, etag, modified.replace(microsecond=0))
    again = read_feed_state(state.token_hash, config["LMS_DEFAULT_LOCALE"])
    if again is not None and again.version == state.version:
        feed_cache.put(etag, rendered)
    return rendered


def build_feed_body(state: FeedState, content: FeedContent, base_url: str,
                    default_timezone: str) -> bytes:
    with force_locale(state.locale):
        if content.cohort is not None:
            timezone = content.cohort.timezone
        else:
            timezone = build.main_timezone(content.meetings, default_timezone)
        return build.build_feed(
            content.meetings, content.deadlines, name=feed_name(state, content),
            timezone=timezone, base_url=base_url, english=state.locale == "en",
        )


def feed_name(state: FeedState, content: FeedContent) -> str:
    """NAME / X-WR-CALNAME: "course – cohort" when the feed shows one cohort."""
    english = state.locale == "en"
    cohort = content.cohort
    if cohort is not None:
        course = cohort.course_title_en if english else cohort.course_title
        return f"{course} – {cohort.name}"
    cohorts = {(r.cohort_id, r.cohort_name, r.course_title_en if english else r.course_title)
               for r in (*content.meetings, *content.deadlines)}
    if state.scope == FeedScope.PERSONAL and len(cohorts) == 1:
        _id, name, course = next(iter(cohorts))
        return f"{course} – {name}"
    return _("TH Köln continuing education")
