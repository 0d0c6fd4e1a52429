from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import parse_date, parse_etags

from lms.access import get_cohort_or_404, get_meeting_or_404, is_coordinator
from lms.cohorts.models import Cohort
from lms.i18n import file_name_part
from lms.ical.build import build_meeting_ics
from lms.ical.feeds import feed_answer
from lms.ical.operations import (
    issue_cohort_feed,
    issue_personal_feed,
    revoke_cohort_feed,
    revoke_personal_feed,
)
from lms.ical.queries import (
    describe_personal_feed,
    list_active_feeds,
    list_cohort_feeds,
    load_single_meeting,
)
from lms.web.feeds import bp
from lms.web.feeds.forms import FeedActionForm
from lms.web.saving import committing

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# A new token is shown once, in the answer to the POST that created it (not stored by any
# cache: no-store), and kept nowhere else: not in the session cookie, which is signed but
# readable by whoever holds it, and in the database only as its hash.


# --------------------------------------------------------------------------- public feed


@bp.get("/feed/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """What calendar programs poll. No login: the token is the key; anything but a live
    token answers 404. An unchanged feed answers 304 (or its cached bytes) without SQL
    while the shared generation is unchanged, or after one query; it is built again only
    when its data changed."""
    if_none_match = request.environ.get("HTTP_IF_NONE_MATCH")
    # RFC 9110: If-None-Match, when sent, decides alone (with the weak comparison).
    client_etags = parse_etags(if_none_match) if if_none_match is not None else None

    def matches(etag: str) -> bool:
        return client_etags is not None and client_etags.contains_weak(etag[1:-1])

    rendered = feed_answer(token, matches)
    if rendered is None:
        abort(404)
    if isinstance(rendered, str):  # the client's copy is current; no bytes were needed
        return _calendar_response(b"", rendered, None, status=304)
    etag = rendered.etag
    if matches(etag):
        return _calendar_response(b"", etag, None, status=304)
    if if_none_match is None and _not_modified_since(rendered.last_modified):
        return _calendar_response(b"", etag, rendered.last_modified_http, status=304)
    return _calendar_response(rendered.body, etag, rendered.last_modified_http)


def _not_modified_since(last_modified: datetime) -> bool:
    """If-Modified-Since not older than the data; an unparseable date, or one in the
    future (a client's wrong clock), is ignored."""
    since = parse_date(request.environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is None or since > datetime.now(UTC):
        return False
    return last_modified <= since


# Secret URLs: no shared cache keeps a copy, and clients ask again (cheaply) each time.
_FEED_HEADERS = (
    ("Cache-Control", "private, no-cache"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Robots-Tag", "noindex, nofollow"),
)
# (a 304 carries no body: werkzeug drops its entity headers, so none are set for it)
_BODY_HEADERS = (
    ("Content-Type", CALENDAR_TYPE),
    ("Content-Disposition", 'inline; filename="calendar.ics"'),
)


def _calendar_response(body: bytes, etag: str, last_modified: str | None,
                       status: int = 200) -> Response:
    headers = [*_FEED_HEADERS, ("ETag", etag)]
    if last_modified is not None:
        headers.append(("Last-Modified", last_modified))
    if status != 304:
        headers += _BODY_HEADERS
    return current_app.response_class(body, status=status, headers=headers)


# --------------------------------------------------------------------------- single meeting


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def meeting_ics(meeting_id: int) -> ResponseReturnValue:
    """One meeting as a file, for everyone who may see the meeting."""
    meeting = get_meeting_or_404(current_user, meeting_id)
    row = load_single_meeting(meeting.id, str(current_user.title_form))
    if row is None:
        abort(404)
    body = build_meeting_ics(row, base_url=current_app.config["LMS_BASE_URL"],
                             english=str(get_locale()) == "en")
    day = row.starts_at.astimezone(ZoneInfo(row.timezone)).date()
    response = current_app.response_class(body, content_type=CALENDAR_TYPE)
    label = file_name_part(_("meeting"))  # a file name: "termin-2026-12-04.ics"
    filename = f"{label}-{day.isoformat()}.ics"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --------------------------------------------------------------------------- personal feed


def _require_role() -> None:
    if not current_user.role_set:
        abort(403)


def feed_links(token: str, name: str) -> dict[str, str]:
    """The https address, its webcal:// twin, and one-click links for Google and Outlook."""
    address = current_app.config["LMS_BASE_URL"] + url_for("feeds.feed", token=token)
    webcal = "webcal://" + address.split("://", 1)[1]
    return {
        "https": address,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.office.com/calendar/0/addfromweb?"
                   + urlencode({"url": address, "name": name}),
    }


def _no_store(html: str) -> Response:
    response = current_app.response_class(html, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _subscribe_page(token: str | None = None) -> Response:
    """The personal calendar page; with ``token``, the address just created, shown once."""
    active = list_active_feeds(user=current_user)
    html = render_template(
        "feeds/subscribe.html",
        active=active[0] if active else None,
        links=feed_links(token, _("TH Köln continuing education")) if token else None,
        counts=describe_personal_feed(current_user),
        cohort_feeds=list_cohort_feeds() if is_coordinator(current_user) else None,
        form=FeedActionForm(),
        page_url=url_for("feeds.subscribe"),
    )
    return _no_store(html)


@bp.get("/")
@login_required
def subscribe() -> ResponseReturnValue:
    _require_role()
    return _subscribe_page()


@bp.post("/personal")
@login_required
def issue_personal() -> ResponseReturnValue:
    _require_role()
    if not FeedActionForm().validate_on_submit():
        return redirect(url_for("feeds.subscribe"))
    with committing():
        _feed, token = issue_personal_feed(current_user)
    return _subscribe_page(token)


@bp.post("/personal/revoke")
@login_required
def revoke_personal() -> ResponseReturnValue:
    _require_role()
    if FeedActionForm().validate_on_submit():
        with committing():
            revoked = revoke_personal_feed(current_user)
        if revoked:
            flash(_("Your calendar address has been switched off. Calendars subscribed to it "
                    "no longer receive updates."), "info")
    return redirect(url_for("feeds.subscribe"))


# --------------------------------------------------------------------------- cohort feed


def _coordinator_cohort(cohort_id: int) -> Cohort:
    """Wrong role: 403; a cohort that does not exist: 404."""
    if not is_coordinator(current_user):
        abort(403)
    return get_cohort_or_404(current_user, cohort_id)


def _cohort_page(cohort: Cohort, token: str | None = None) -> Response:
    active = list_active_feeds(cohort_ids=[cohort.id])
    name = f"{cohort.course.title_neutral} – {cohort.name}"
    html = render_template(
        "feeds/cohort.html", cohort=cohort, active=active[0] if active else None,
        links=feed_links(token, name) if token else None, form=FeedActionForm(),
        page_url=url_for("feeds.cohort_feed", cohort_id=cohort.id),
    )
    return _no_store(html)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort_feed(cohort_id: int) -> ResponseReturnValue:
    return _cohort_page(_coordinator_cohort(cohort_id))


@bp.post("/cohorts/<int:cohort_id>/issue")
@login_required
def issue_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = _coordinator_cohort(cohort_id)
    if not FeedActionForm().validate_on_submit():
        return redirect(url_for("feeds.cohort_feed", cohort_id=cohort.id))
    with committing():
        _feed, token = issue_cohort_feed(cohort, by=current_user)
    return _cohort_page(cohort, token)


@bp.post("/cohorts/<int:cohort_id>/revoke")
@login_required
def revoke_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = _coordinator_cohort(cohort_id)
    if FeedActionForm().validate_on_submit():
        with committing():
            revoked = revoke_cohort_feed(cohort, by=current_user)
        if revoked:
            flash(_("The cohort's calendar address has been switched off."), "info")
    return redirect(url_for("feeds.cohort_feed", cohort_id=cohort.id))
