"""The privacy notice: the default one says what the registry declares and the periods
configured; a deployment's own text replaces it; every page and every mail links to it."""

from __future__ import annotations

import pytest

from lms.privacy.declare import Category
from lms.privacy.notice import notice_facts
from tests.helpers import build_matrix_world, text_of
from tests.route_walk import walk


def test_the_default_notice_states_the_registry_and_the_periods(app, client):
    app.config["LMS_RETENTION"] = {**app.config["LMS_RETENTION"], "attendance_detail": 90}
    try:
        page = client.get("/privacy")
    finally:
        app.config["LMS_RETENTION"] = {**app.config["LMS_RETENTION"], "attendance_detail": 365}
    text = text_of(page)
    assert page.status_code == 200 and "Datenschutzhinweise" in text
    assert app.config["LMS_PRIVACY_CONTROLLER"] in text
    assert app.config["LMS_PRIVACY_CONTACT"] in text
    from flask_babel import force_locale

    with force_locale("de"):
        for facts in notice_facts(app.config["LMS_RETENTION"]):
            assert facts.category.label[:1].upper() + facts.category.label[1:] in text
    assert "90 Tage nach dem Ende der Gruppe" in text  # as configured
    assert "nie Bewertungen" in text


def test_the_notice_in_english(app, client):
    client.post("/language", data={"language": "en", "next": "/privacy"})
    text = text_of(client.get("/privacy"))
    assert "Privacy notice" in text and "Your rights" in text
    assert "365 days after the end of the cohort" in text


def test_a_deployments_own_notice_replaces_the_default(app, client, tmp_path):
    (tmp_path / "privacy.de.md").write_text(
        "# Unsere Datenschutzhinweise\n\nFragen an [Datenschutz](https://example.org/ds).\n\n"
        "<script>alert(1)</script>\n", encoding="utf-8")
    app.config["LMS_PRIVACY_NOTICE_DIR"] = str(tmp_path)
    try:
        german = client.get("/privacy").get_data(as_text=True)
        client.post("/language", data={"language": "en", "next": "/privacy"})
        english = client.get("/privacy").get_data(as_text=True)  # only German is written
    finally:
        app.config["LMS_PRIVACY_NOTICE_DIR"] = None
    for html in (german, english):
        assert "<h1>Unsere Datenschutzhinweise</h1>" in html
        assert '<a href="https://example.org/ds">Datenschutz</a>' in html
        assert "<script>alert" not in html and "&lt;script&gt;" in html
        assert "Wer verantwortlich ist" not in html


@pytest.mark.parametrize("role", ["anonymous", "participant", "contact", "coordinator"])
def test_every_page_links_to_the_notice(app, course_dir, role):
    world = build_matrix_world(course_dir)
    pages = 0
    for visit, response, _client in walk(app, world, roles=[role]):
        if (visit.method != "GET" or response.mimetype != "text/html"
                or 300 <= response.status_code < 400):
            continue
        pages += 1
        assert 'href="/privacy"' in response.get_data(as_text=True), visit.url
    assert pages >= 5


def test_the_invitation_mail_links_to_the_notice(app, course, smtp_server):
    from lms.cohorts.invitations import invite_participant, send_invitation
    from lms.extensions import db
    from tests.factories import make_cohort

    invitation = invite_participant(make_cohort(course), "neu@example.org", "Nora", "Neu")
    send_invitation(invitation)  # (sent once the transaction commits)
    db.session.commit()
    [message] = smtp_server.messages
    assert "http://lms.test/privacy" in message.get_body(("plain",)).get_content()


def test_the_company_contacts_category_list_is_the_minimum():
    """(What the visibility test holds the pages to.)"""
    from lms.privacy.declare import AUDIENCES, Audience

    seen = {c for c, audiences in AUDIENCES.items() if Audience.COMPANY in audiences}
    assert seen == {Category.IDENTITY, Category.PARTICIPATION}
