"""No secret travels in a cookie.

Flask's session cookie is signed, not encrypted: whoever holds it (a shared computer, a
proxy's log, a browser extension) can read it. The walk requests every route as every
kind of user, with forms filled in so that whatever can be issued is issued (calendar
addresses, password-reset and invitation links), and decodes the cookies after every
answer: they hold only the keys listed below, and none of the secrets the walk saw.
"""

from __future__ import annotations

import json
import re

import pytest

from lms.web.public.login_throttle import DEVICE_COOKIE, DEVICE_COOKIE_PATH
from tests.helpers import build_matrix_world, login
from tests.route_walk import walk

# What the session may hold. "sid" is the session's own random key (the database keeps
# only its hash), the one thing a session cookie exists to carry.
SESSION_KEYS = {"_user_id", "_fresh", "_id", "sid", "locale", "_flashes", "csrf_token"}
FEED_TOKEN = re.compile(r"/calendar/feed/([A-Za-z0-9_-]{20,})\.ics")
LINK_TOKEN = re.compile(r"/(?:password/reset|invitation)/([A-Za-z0-9_-]{20,})")


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


def cookie_contents(app, client) -> dict[str, object]:
    """The decoded session and device cookies the client holds."""
    from itsdangerous import URLSafeTimedSerializer

    found: dict[str, object] = {}
    session = client.get_cookie("session")
    if session is not None:
        found["session"] = app.session_interface.get_signing_serializer(app).loads(
            session.value)
    device = client.get_cookie(DEVICE_COOKIE, path=DEVICE_COOKIE_PATH)
    if device is not None:
        found[DEVICE_COOKIE] = URLSafeTimedSerializer(
            str(app.secret_key), salt="lms.device").loads(device.value)
    return found


def test_no_secret_ever_travels_in_a_cookie(app, world, smtp_server):
    people, objects = world

    def form(visit) -> dict[str, str]:
        """A reset for an existing account; a new person for the forms that invite one."""
        if visit.endpoint in ("coordinator.contact_add", "coordinator.roster"):
            email = f"new.{visit.endpoint.split('.')[1]}@example.org"
            return {"email": email, "first_name": "Karla", "last_name": "Neu"}
        return {"email": people["participant"].email, "password": "wrong password!"}

    seen, secrets = [], {objects["feed_token"]}
    for visit, response, client in walk(app, world, data=form):
        if response.mimetype.startswith("text/"):
            secrets |= set(FEED_TOKEN.findall(response.get_data(as_text=True)))
        seen.append((visit, cookie_contents(app, client)))
    for message in smtp_server.messages:
        secrets |= set(LINK_TOKEN.findall(message.get_body(("plain",)).get_content()))

    # the walk did issue: a calendar address for every role, the cohort's, and links
    assert len(secrets) >= 8, secrets
    assert any("/password/reset/" in m.get_body(("plain",)).get_content()
               for m in smtp_server.messages)
    assert any("/invitation/" in m.get_body(("plain",)).get_content()
               for m in smtp_server.messages)
    for visit, cookies in seen:
        where = f"{visit.method} {visit.endpoint} as {visit.role}"
        assert set(cookies.get("session", {})) <= SESSION_KEYS, where
        readable = json.dumps(cookies, default=str)
        for secret in secrets:
            assert secret not in readable, where


def test_a_new_calendar_address_is_shown_without_touching_the_session(app, world):
    """The field-test case: the new token was kept in the session for one page view."""
    people, _objects = world
    client = app.test_client()
    login(client, people["lecturer"])
    before = cookie_contents(app, client)["session"]
    before.pop("csrf_token", None)  # (added by the first page that shows a form)
    page = client.post("/calendar/personal")
    [token] = set(FEED_TOKEN.findall(page.get_data(as_text=True)))
    assert token not in json.dumps(cookie_contents(app, client), default=str)
    assert page.headers["Cache-Control"] == "no-store"
    after = cookie_contents(app, client)["session"]
    after.pop("csrf_token", None)
    assert after == before
