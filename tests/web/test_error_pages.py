"""Error pages after a database error (issue #11, item 2).

A view that fails in the middle of a transaction leaves the session refusing every
query until it is rolled back; the error page needs queries (the user, the language).
Each error page must still be the app's own, in the user's language. The requests run
as production runs them: exceptions are handled, not re-raised to the test
(``PROPAGATE_EXCEPTIONS`` off), on a separate app with a test-only route.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import abort
from flask_wtf.csrf import CSRFError

from lms import create_app
from lms.accounts.models import Locale, Role
from lms.cohorts.models import Company
from lms.extensions import db
from tests.conftest import IsolatedClient
from tests.factories import make_user
from tests.helpers import login

# The heading of each error page, German and English.
HEADINGS = {
    400: ("Das Formular ist abgelaufen", "The form has expired"),
    403: ("Nicht erlaubt", "Not allowed"),
    404: ("Seite nicht gefunden", "Not found"),
    413: ("Datei zu groß", "File too large"),
    429: ("Zu viele Anfragen", "Too many requests"),
    500: ("Es ist ein Fehler aufgetreten", "Something went wrong"),
}


@pytest.fixture
def failing_app(app, app_config):
    """The app as production runs it, with one route that breaks its transaction (two
    companies of one name: the UNIQUE constraint refuses the flush) and then ends with
    the status asked for: an unhandled IntegrityError for 500."""
    failing = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})
    failing.test_client_class = IsolatedClient

    @failing.get("/test-only/fail/<int:status>")
    def fail(status: int):
        db.session.add(Company(name="Doppelt GmbH"))
        db.session.add(Company(name="Doppelt GmbH"))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            if status == 500:
                raise
            if status == 400:
                raise CSRFError() from None
            abort(status)
        return "not reached"

    with failing.app_context():
        yield failing
        db.session.remove()


@pytest.mark.parametrize("status", sorted(HEADINGS))
@pytest.mark.parametrize("locale", [Locale.DE, Locale.EN])
def test_every_error_page_after_a_database_error_is_ours_in_the_users_language(
        app, failing_app, status, locale):
    user = make_user(Role.COORDINATOR, first="Fehler", last="Seite")
    user.locale = locale
    db.session.commit()
    client = failing_app.test_client()
    login(client, user)
    response = client.get(f"/test-only/fail/{status}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    german, english = HEADINGS[status]
    assert f'<html lang="{locale.value}">' in html
    assert (german if locale == Locale.DE else english) in html, html
    assert "Fehler Seite" in html  # the full page, with the user's name in the header
    assert "Internal Server Error" not in html and "Werkzeug" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 0


@pytest.mark.parametrize(("accept", "heading"), [("de", "Es ist ein Fehler aufgetreten"),
                                                 ("en", "Something went wrong")])
def test_without_a_database_the_bare_page_is_still_ours_in_the_visitors_language(
        app, client, auth, app_config, tmp_path, accept, heading):
    """The database cannot be reached at all: loading the logged-in user fails, and so
    does the full error page; the bare page needs nothing from the database."""
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    auth.login(user)
    session_cookie = client.get_cookie("session")
    unreachable = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False,
                              "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3"})
    unreachable.test_client_class = IsolatedClient
    other = unreachable.test_client()
    other.set_cookie("session", session_cookie.value)
    response = other.get("/coordination/", headers={"Accept-Language": accept})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert f'<html lang="{accept}">' in html and heading in html
    assert "TH Köln" in html and "Internal Server Error" not in html
