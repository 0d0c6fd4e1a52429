"""Every rate-limited route answers 429 with a page that fits it, in German and English.

The walk reaches every limit at once (the limiter is told that every count is used up)
and requests every route of the URL map as every kind of user: each route that answers
429 must be listed below with the words its page has to say, and no page may say what
belongs to another (an employer checking certificates is not asked whether they forgot
their password). Also here: how generous certificate checking is.
"""

from __future__ import annotations

import hashlib
import re
import time

import pytest
import sqlalchemy as sa
from limits import WindowStats

from lms.accounts.models import Locale, User
from lms.extensions import db, limiter
from tests.helpers import build_matrix_world, text_of
from tests.route_walk import clients_by_role, walk

VERIFY = ("Zertifikate geprüft", "certificates have been checked")
# (endpoint, method) -> words its 429 page says, in German and in English
THROTTLE_WORDS = {
    ("public.login", "POST"): ("Anmeldeversuche", "login attempts"),
    ("public.password_forgot", "POST"): ("2 Stunden gültig", "valid for 2 hours"),
    ("verify.show", "GET"): VERIFY,
    ("verify.check_file", "POST"): VERIFY,
    ("participant.check_in", "POST"): ("Check-in-Codes", "check-in codes"),
}
# Words that belong on some pages only: (German, English) -> the routes whose page may say them.
BELONGS_TO = {
    ("Passwort", "password"): {"public.login", "public.password_forgot"},
    ("Zertifikat", "certificate"): {"verify.show", "verify.check_file"},
    ("Check-in", "check-in"): {"participant.check_in"},
}
# What a login and a code check send (the other forms need nothing to reach their limit).
FORM = {"email": "someone@example.org", "password": "wrong password!", "code": "ABC123"}
# Every kind of user once (another cohort's people meet the same limits).
ROLES = ("anonymous", "participant", "lecturer", "contact", "coordinator")


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


def throttled_pages(app, world, headers=None) -> dict[tuple[str, str], list]:
    """Every 429 answer of a walk over all routes while every limit is reached."""
    people, _objects = world
    clients = clients_by_role(app, people)  # logged in before the limits are reached
    found: dict[tuple[str, str], list] = {}
    strategy = limiter.limiter
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strategy, "test", lambda *args, **kwargs: False)
        patch.setattr(strategy, "hit", lambda *args, **kwargs: False)
        patch.setattr(strategy, "get_window_stats",
                      lambda *args, **kwargs: WindowStats(time.time() + 600, 0))
        for visit, response, _client in walk(app, world, clients=clients, roles=ROLES,
                                             data=FORM, headers=headers):
            if response.status_code == 429:
                found.setdefault((visit.endpoint, visit.method), []).append(
                    (visit.role, response))
    return found


def everyone_speaks(locale: Locale) -> None:
    db.session.execute(sa.update(User).values(locale=locale))
    db.session.commit()


def test_every_limited_route_has_a_429_page_that_fits_it(app, world):
    everyone_speaks(Locale.DE)
    german = throttled_pages(app, world)
    everyone_speaks(Locale.EN)
    english = throttled_pages(app, world, headers={"Accept-Language": "en"})

    assert sorted(german) == sorted(THROTTLE_WORDS), "limited routes without a fitting page"
    assert sorted(english) == sorted(THROTTLE_WORDS)
    for language, pages in ((0, german), (1, english)):
        for (endpoint, method), answers in pages.items():
            for role, response in answers:
                where = f"{method} {endpoint} as {role}"
                text = text_of(response)
                assert THROTTLE_WORDS[(endpoint, method)][language] in text, where
                assert re.search(r"in 10 (Minuten|minutes)", text), where
                assert 590 < int(response.headers["Retry-After"]) <= 600, where
                assert response.mimetype == "text/html", where
                for words, owners in BELONGS_TO.items():
                    if endpoint not in owners:
                        assert words[language].lower() not in text.lower(), (where, words)


def test_an_hr_office_checks_a_batch_of_certificates(client, world):
    """A hundred and fifty certificates by their codes, through the form, in one go."""
    _people, objects = world
    code = objects["verification_code"]
    for _ in range(150):
        form = client.get("/verify", query_string={"code": code})
        assert form.status_code == 302
        found = client.get(form.headers["Location"])
        assert found.status_code == 200 and b"SMM-2026-9999" in found.data
    assert client.get("/verify").status_code == 200


def test_scraping_is_still_stopped_with_its_own_page(client, world):
    statuses = [client.get("/verify/AAAAAAAAAAAAAAAAAAAA").status_code for _ in range(201)]
    assert statuses[:200] == [404] * 200 and statuses[200] == 429
    page = client.get("/verify/AAAAAAAAAAAAAAAAAAAA", headers={"Accept-Language": "en"})
    assert "Very many certificates have been checked" in text_of(page)
    assert "password" not in text_of(page).lower()


def test_the_verify_page_shows_the_sha256_of_the_stored_file(client, world):
    from lms.certificates.models import Certificate
    from lms.storage import read_stored

    _people, objects = world
    certificate = db.session.get(Certificate, objects["certificate"])
    digest = hashlib.sha256(
        read_stored("certificates", certificate.stored_name)).hexdigest()
    page = client.get(f"/verify/{objects['verification_code']}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert re.search(rf"SHA-256 of the PDF file\s*</dt>\s*<dd><code[^>]*>{digest}</code>",
                     page.get_data(as_text=True))


def test_the_login_page_links_to_certificate_checking(client):
    for headers, words in ((None, "Zertifikat prüfen"), ({"Accept-Language": "en"},
                                                         "Verify a certificate")):
        html = client.get("/login", headers=headers).get_data(as_text=True)
        assert re.search(rf'<a href="/verify">{words}</a>', html), words
