"""The first web shell: login, role start pages, isolation of cohorts, language, health."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import Role
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.extensions import db
from tests.factories import (
    PASSWORD,
    berlin,
    enroll,
    load_test_course,
    make_cohort,
    make_meeting,
    make_user,
)
from tests.helpers import attempt_login, build_two_companies, text_of
from tests.sql import statements_for_get


@pytest.fixture
def world(app, course_dir):
    return build_two_companies(course_dir)


def test_anonymous_is_sent_to_login(client, app):
    for path in ("/", "/me/", "/teaching/", "/coordination/", "/company/", "/meetings/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_login_and_logout(client, auth, world):
    participant = world["a"]["participant"]
    assert auth.login(participant).location == "/"
    start = client.get("/", follow_redirects=True)
    assert start.status_code == 200 and start.request.path == "/me/"
    assert participant.full_name in text_of(start)
    auth.logout()
    assert "/login" in client.get("/me/").headers["Location"]


def test_unknown_email_and_wrong_password_get_the_same_answer(client, world):
    wrong = attempt_login(client, world["a"]["participant"], "not the password")
    unknown = attempt_login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert text_of(wrong) == text_of(unknown)
    # German (the default language); the same words whichever of the two was wrong
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in text_of(wrong)
    assert "not correct" not in text_of(wrong)


def test_login_does_not_redirect_to_another_host(client, auth, world):
    email = world["a"]["participant"].email
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "next": target})
        assert response.headers["Location"] == "/"
        auth.logout()
    response = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/me/"})
    assert response.headers["Location"] == "/me/"


def test_participant_start_page_shows_own_cohort_only(client, auth, world):
    a, b = world["a"], world["b"]
    auth.login(a["participant"])
    page = client.get("/", follow_redirects=True)
    text = text_of(page)
    assert a["company"] in text and a["lecturer"].full_name in text
    assert b["company"] not in text and b["lecturer"].full_name not in text
    assert b["participant"].full_name not in text
    assert "3,5" in text  # 3.5 hours attended of the first meeting, German number format
    meeting = client.get(f"/meetings/{a['meeting'].id}")
    assert meeting.status_code == 200
    assert a["meeting"].module.title in text_of(meeting)
    assert client.get(f"/meetings/{b['meeting'].id}").status_code == 404
    assert client.get("/coordination/").status_code == 403
    assert client.get("/teaching/").status_code == 403


def test_lecturer_start_page_shows_own_meetings_only(client, auth, world):
    a, b = world["a"], world["b"]
    auth.login(a["lecturer"])
    text = text_of(client.get("/", follow_redirects=True))
    assert a["cohort"].name in text
    assert b["cohort"].name not in text and b["company"] not in text
    assert "7 " in text  # two meetings of 3.5 hours
    assert client.get(f"/meetings/{b['meeting'].id}").status_code == 404
    assert client.get(f"/coordination/cohorts/{a['cohort'].id}").status_code == 403


def test_company_contact_sees_own_cohort_schedule_only(client, auth, world):
    a, b = world["a"], world["b"]
    auth.login(a["contact"])
    text = text_of(client.get("/", follow_redirects=True))
    assert a["cohort"].name in text and b["cohort"].name not in text
    assert client.get(f"/meetings/{b['meeting'].id}").status_code == 404


def test_coordinator_sees_every_cohort(client, auth, world):
    auth.login(world["coordinator"])
    text = text_of(client.get("/", follow_redirects=True))
    assert world["a"]["cohort"].name in text and world["b"]["cohort"].name in text
    detail = text_of(client.get(f"/coordination/cohorts/{world['b']['cohort'].id}"))
    assert world["b"]["participant"].last_name in detail
    assert world["a"]["participant"].last_name not in detail
    assert client.get("/coordination/cohorts/999999").status_code == 404


def test_start_pages_run_a_fixed_number_of_queries(client, auth, world, course_dir):
    """Adding participants and meetings must not add queries (no N+1)."""
    a = world["a"]
    auth.login(world["coordinator"])
    paths = ("/coordination/", f"/coordination/cohorts/{a['cohort'].id}")
    before = [statements_for_get(client, p) for p in paths]
    for day in range(5):
        meeting = make_meeting(a["cohort"], berlin(2026, 11, 2 + day), lecturers=(a["lecturer"],))
        for _ in range(3):
            record_attendance(meeting, enroll(a["cohort"]), AttendanceStatus.PRESENT)
    db.session.commit()
    after = [statements_for_get(client, p) for p in paths]
    assert after == before


def test_healthz_says_the_process_is_alive_and_asks_nothing_else(client, app):
    """Liveness for the supervisor: no database, no Redis, no store (that is /readyz)."""
    assert statements_for_get(client, "/healthz") == 0
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_german_by_default_english_on_request(client, app):
    assert 'lang="de"' in client.get("/login").get_data(as_text=True)
    assert "Anmelden" in text_of(client.get("/login"))
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in english.get_data(as_text=True) and "Log in" in text_of(english)
    client.post("/language", data={"language": "en"})
    assert "Log in" in text_of(client.get("/login"))


def test_users_language_choice_is_kept_on_the_account(client, auth, world):
    participant = world["a"]["participant"]
    auth.login(participant)
    client.post("/language", data={"language": "en", "next": "/me/"})
    db.session.refresh(participant)
    assert participant.locale == "en"
    assert 'lang="en"' in client.get("/me/").get_data(as_text=True)


def test_security_headers_on_html(client, app):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_post_without_csrf_token_is_refused_with_a_friendly_page(csrf_app, world):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": world["a"]["participant"].email,
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True)
    assert client.get("/me/").status_code == 302  # not logged in


def test_login_with_csrf_token_works(csrf_app, world):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": world["a"]["participant"].email,
                                           "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    me = client.get("/me/")
    assert me.status_code == 200 and world["a"]["participant"].full_name in text_of(me)


def test_unknown_page_is_a_friendly_404(client, app):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_roster_is_in_german_alphabetical_order(client, auth, app, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    for last in ("Brückner", "Zander", "Bäcker", "Özdemir", "Ober"):
        enroll(cohort, make_user(Role.PARTICIPANT, last=last))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    auth.login(coordinator)
    text = text_of(client.get(f"/coordination/cohorts/{cohort.id}"))
    positions = [text.index(name) for name in ("Bäcker", "Brückner", "Ober", "Özdemir", "Zander")]
    assert positions == sorted(positions)


def test_company_contact_sees_status_but_no_attendance_details(client, auth, world):
    a = world["a"]
    auth.login(a["contact"])
    page = client.get("/company/")
    text = text_of(page)
    assert a["participant"].last_name in text and "auf Kurs" in text
    # No hours, no attendance figures (the legend of the statuses explains them in words).
    assert "Std." not in text and not re.search(r"\d[\d.,]* ?(?:Stunden|%)", text)
    assert "Anwesenheit" not in text.split("Was der Status bedeutet")[0]
    assert world["b"]["participant"].last_name not in text


def test_hsts_only_under_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://lms.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
