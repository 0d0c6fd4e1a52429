"""Roster import: all or nothing, with every bad row's number and reason."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import Locale, Role, TitleForm, User
from lms.cohorts.models import Enrollment
from lms.cohorts.roster_import import parse_roster
from lms.extensions import db
from tests.factories import enroll, load_test_course, make_cohort, make_user
from tests.helpers import text_of

GOOD = (
    "E-Mail;Vorname;Nachname;Titelform;Sprache\n"
    "jürgen.müller@detecon.example;Jürgen;Müller;Social Media Manager;de\n"
    "ANNE.SCHAEFER@detecon.example;Änne;Schäfer;Social Media Managerin;en\n"
    "kim.loeffler@detecon.example;Kim;Löffler;Social Media Manager*in;Deutsch\n"
)


@pytest.fixture
def cohort(app, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    return cohort


def counts() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)))


def reasons(parsed) -> list[tuple[int, str]]:
    with force_locale("en"):
        return [(p.line, str(p.reason)) for p in parsed.problems]


def test_good_file_with_bom_and_semicolons(cohort):
    parsed = parse_roster(("\ufeff" + GOOD).encode("utf-8"), cohort)
    assert parsed.ok
    assert [(r.line, r.email, r.title_form, r.locale) for r in parsed.rows] == [
        (2, "jürgen.müller@detecon.example", TitleForm.MALE, Locale.DE),
        (3, "anne.schaefer@detecon.example", TitleForm.FEMALE, Locale.EN),
        (4, "kim.loeffler@detecon.example", TitleForm.NEUTRAL, Locale.DE),
    ]


def test_english_headers_commas_and_quoted_fields(cohort):
    data = ('email,first name,last name,title form,language\r\n'
            'a@example.org,"Anna Maria","von der Heide",female,en\r\n')
    parsed = parse_roster(data.encode(), cohort)
    assert parsed.ok and parsed.rows[0].last_name == "von der Heide"


def test_optional_columns_default_to_neutral_and_german(cohort):
    parsed = parse_roster(b"Vorname;Nachname;E-Mail\nAli;Yilmaz;ali@example.org\n", cohort)
    assert parsed.ok
    assert (parsed.rows[0].title_form, parsed.rows[0].locale) == (TitleForm.NEUTRAL, Locale.DE)


BAD_ROWS = [
    ("a@example.org;Anna;Alt;;\n;Bert;Berg;;\n", 3, "email address is missing"),
    ("a@example.org;Anna;Alt;;\nkein-at-zeichen;Bert;Berg;;\n", 3, "not a valid email address"),
    ("a@example.org;Anna;Alt;;\nA@Example.org;Bert;Berg;;\n", 3, "appears twice in the file"),
    ("a@example.org;Anna;Alt;Chefin;\n", 2, "unknown title form"),
    ("a@example.org;;Alt;;\n", 2, "first name is empty"),
    ("a@example.org;Anna;;;\n", 2, "last name is empty"),
    ("a@example.org;Anna;Alt;;fr\n", 2, "unknown language"),
]


@pytest.mark.parametrize(("rows", "line", "words"), BAD_ROWS)
def test_each_bad_row_is_named_with_line_and_reason(cohort, rows, line, words):
    data = ("E-Mail;Vorname;Nachname;Titelform;Sprache\n" + rows).encode()
    parsed = parse_roster(data, cohort)
    assert not parsed.ok
    assert any(found_line == line and words in reason for found_line, reason in reasons(parsed))


def test_already_in_the_cohort(cohort):
    enroll(cohort, make_user(Role.PARTICIPANT, email="dabei@example.org"))
    db.session.commit()
    parsed = parse_roster(b"E-Mail;Vorname;Nachname\nDABEI@example.org;Da;Bei\n", cohort)
    assert reasons(parsed) == [(2, "dabei@example.org is already in this cohort")]


def test_every_bad_row_is_reported_not_just_the_first(cohort):
    data = (b"E-Mail;Vorname;Nachname\n" b"ok@example.org;O;K\n" b"falsch;A;B\n"
            b"x@example.org;;C\n" b"ok@example.org;O;K\n")
    lines = sorted({line for line, _ in reasons(parse_roster(data, cohort))})
    assert lines == [3, 4, 5]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"E-Mail;Vorname;Nachname;Abteilung\na@example.org;A;B;IT\n", "Unknown column"),
        (b"Vorname;Nachname\nA;B\n", "is missing"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not a CSV file"),
        ("E-Mail;Vorname;Nachname\na@example.org;Jürgen;B\n".encode("latin-1"), "not a CSV file"),
        (b"", "empty"),
        (b"E-Mail;Vorname;Nachname\n", "holds no participants"),
    ],
)
def test_files_that_cannot_be_read_are_refused(cohort, data, words):
    parsed = parse_roster(data, cohort)
    assert not parsed.ok
    assert any(words in reason for _, reason in reasons(parsed))


def _upload(client, cohort, data: bytes, name="teilnehmende.csv"):
    return client.post(f"/coordination/cohorts/{cohort.id}/roster/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def coordinator(app):
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    return user


def test_bad_file_in_the_browser_lists_rows_and_stores_nothing(cohort, client, auth, coordinator,
                                                               smtp_server):
    auth.login(coordinator)
    before = counts()
    data = (GOOD + "kaputt;A;B;;\n").encode()
    page = _upload(client, cohort, data)
    text = text_of(page)
    assert "Zeile 5" in text and "keine gültige E-Mail-Adresse" in text
    assert "Es wurde nichts gespeichert" in text
    assert "Alle" not in text  # no confirm button
    # A hand-made confirm of the bad text is refused as well.
    confirm = client.post(f"/coordination/cohorts/{cohort.id}/roster/import/confirm",
                          data={"csv_text": data.decode()})
    assert confirm.status_code == 422
    assert counts() == before and smtp_server.messages == []


def test_good_file_shows_a_preview_then_invites_everyone(cohort, client, auth, coordinator,
                                                         smtp_server):
    auth.login(coordinator)
    before = counts()
    page = _upload(client, cohort, GOOD.encode())
    text = text_of(page)
    assert "Vorschau: 3 Personen werden eingeladen" in text
    assert counts() == before  # nothing yet
    csv_text = re.search(r'<textarea hidden id="csv_text" name="csv_text"[^>]*>\s*(.*?)</textarea>',
                         page.get_data(as_text=True), re.S).group(1)
    import html
    response = client.post(f"/coordination/cohorts/{cohort.id}/roster/import/confirm",
                           data={"csv_text": html.unescape(csv_text)})
    assert response.status_code == 302
    assert counts() == (before[0] + 3, before[1] + 3)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "anne.schaefer@detecon.example", "jürgen.müller@detecon.example",
        "kim.loeffler@detecon.example"]
    english = next(m for m in smtp_server.messages if m["To"].startswith("anne"))
    assert english["Subject"].startswith("Invitation:")
