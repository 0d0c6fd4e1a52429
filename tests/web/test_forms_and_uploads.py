"""Smaller things a user notices in forms and uploads (issue #11, item 12): the upload
limit is the file's, sizes are shown one way, counts in sentences are plural-aware, the
roster import tells a file's problem from a line's and reads Excel's ``sep=`` line, and
a meeting outside the cohort's dates is saved with a warning."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from lms.accounts.models import Role, User
from lms.assignments.models import Assignment, Submission
from lms.cohorts.models import Enrollment
from lms.cohorts.roster_import import MAX_BYTES as ROSTER_MAX_BYTES
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.i18n import duration_text, filesize
from lms.schedule.models import Meeting
from lms.storage import storage
from lms.web.uploads import FileWithinLimit
from tests.factories import load_test_course, make_cohort, make_user
from tests.helpers import build_world, login, text_of

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


# --------------------------------------------------------------------------- upload limits


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_upload_form_checks_the_file_itself_against_its_limit(app):
    """The request limit counts the whole request; each file field checks the file."""
    forms = {f for f in _all_subclasses(FlaskForm) if f.__module__.startswith("lms.")}
    with app.test_request_context():
        checked = []
        for form_class in sorted(forms, key=lambda f: f.__qualname__):
            for name, unbound in vars(form_class).items():
                if getattr(unbound, "field_class", None) is not FileField:
                    continue
                validators = unbound.kwargs.get("validators") or []
                assert any(isinstance(v, FileWithinLimit) for v in validators), (
                    f"{form_class.__module__}.{form_class.__qualname__}.{name}")
                checked.append(form_class.__qualname__)
    assert len(checked) >= 3  # the assignment upload, the roster import, the verify page


def test_the_request_limit_leaves_room_above_the_file_limit(app):
    assert app.config["LMS_MAX_UPLOAD_BYTES"] == 25 * MIB
    assert app.config["MAX_CONTENT_LENGTH"] >= app.config["LMS_MAX_UPLOAD_BYTES"] + 64 * 1024
    # The roster import sends the checked file back as a text field, URL-encoded.
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 3 * ROSTER_MAX_BYTES


def _pdf_of(size: int) -> bytes:
    pdf = _tiny_pdf("Hausarbeit")
    return pdf + b"%" * (size - len(pdf))


@pytest.fixture
def upload_world(app, course_dir):
    for leftover in list(storage(app).names("submissions")):
        storage(app).remove("submissions", leftover)
    world = build_world(course_dir, participants=1)
    paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=world.a.cohort.id,
                                                              key="hausarbeit"))
    return world, paper


def _submissions() -> list[Submission]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Submission)).all()


def test_a_file_of_exactly_the_limit_is_handed_in_and_one_byte_more_is_refused(
        app, client, auth, upload_world):
    world, paper = upload_world
    limit = app.config["LMS_MAX_UPLOAD_BYTES"]
    auth.login(world.a.participants[0])
    too_large = client.post(f"/me/assignments/{paper.id}", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(_pdf_of(limit + 1)), "gross.pdf")})
    assert too_large.status_code == 200  # the form, with the reason on its field
    # (the participants of this world read English)
    assert "The file is larger than 25 MB. Nothing was stored." in text_of(too_large)
    assert 'id="file-error"' in too_large.get_data(as_text=True)
    assert _submissions() == []
    exact = client.post(f"/me/assignments/{paper.id}", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(_pdf_of(limit)), "genau.pdf")})
    assert exact.status_code == 302, text_of(exact)[:300]
    [submission] = _submissions()
    assert submission.size_bytes == limit
    page = text_of(client.get(f"/me/assignments/{paper.id}"))
    assert "at most 25 MB" in page and "genau.pdf" in page and "· 25 MB" in page


def test_a_file_of_exactly_the_limit_reaches_the_verify_check(app, client):
    response = client.post("/verify/file", content_type="multipart/form-data", data={
        "file": (io.BytesIO(_pdf_of(app.config["LMS_MAX_UPLOAD_BYTES"])), "zertifikat.pdf")})
    assert response.status_code == 404  # read and looked up: no certificate has this file


def _padded_roster(size: int) -> bytes:
    """One participant, then blank lines (which the import skips) up to ``size`` bytes."""
    data = "E-Mail;Vorname;Nachname\nlena.gross@detecon.example;Lena;Groß\n".encode()
    blank = b" " * 1023 + b"\n"
    padding = size - len(data)
    return data + blank * (padding // len(blank)) + b" " * (padding % len(blank))


def test_a_roster_of_exactly_its_limit_is_previewed_and_imported(app, client, auth, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    auth.login(coordinator)
    url = f"/coordination/cohorts/{cohort.id}/roster/import"
    too_large = client.post(url, content_type="multipart/form-data", data={
        "file": (io.BytesIO(_padded_roster(ROSTER_MAX_BYTES + 1)), "liste.csv")})
    assert "Die Datei ist größer als 512 KB" in text_of(too_large)
    exact = client.post(url, content_type="multipart/form-data", data={
        "file": (io.BytesIO(_padded_roster(ROSTER_MAX_BYTES)), "liste.csv")})
    assert "Vorschau: 1 Person wird eingeladen" in text_of(exact)
    csv_text = re.search(r'<textarea hidden id="csv_text" name="csv_text"[^>]*>\s*(.*?)</textarea>',
                         exact.get_data(as_text=True), re.S).group(1)
    confirm = client.post(f"{url}/confirm", data={"csv_text": html.unescape(csv_text)})
    assert confirm.status_code == 302, confirm.status_code
    assert db.session.scalar(sa.select(User).where(User.email == "lena.gross@detecon.example"))


# --------------------------------------------------------------------------- file sizes


@pytest.mark.parametrize(("size", "german", "english"), [
    (0, "0 Byte", "0 bytes"), (1, "1 Byte", "1 byte"), (300, "300 Byte", "300 bytes"),
    (1023, "1023 Byte", "1023 bytes"), (1024, "1 KB", "1 KB"), (1536, "1,5 KB", "1.5 KB"),
    (512 * 1024, "512 KB", "512 KB"), (25 * MIB, "25 MB", "25 MB"),
    (int(2.5 * MIB), "2,5 MB", "2.5 MB"), (3 * 1024 * MIB, "3 GB", "3 GB"),
])
def test_one_file_size_filter_for_people(app, size, german, english):
    with app.test_request_context():
        with force_locale("de"):
            assert filesize(size) == german
        with force_locale("en"):
            assert filesize(size) == english


@pytest.mark.parametrize(("minutes", "german", "english"), [
    (1, "1 Minute", "1 minute"), (15, "15 Minuten", "15 minutes"), (60, "1 Stunde", "1 hour"),
    (90, "1 Stunde 30 Minuten", "1 hour 30 minutes"),
    (243, "4 Stunden 3 Minuten", "4 hours 3 minutes"), (24 * 60, "1 Tag", "1 day"),
    (14 * 24 * 60, "14 Tage", "14 days"),
])
def test_one_duration_wording(app, minutes, german, english):
    """A window or pause in words: whole days, whole hours, or hours and minutes (a
    webhook's pause of 243 minutes read "243 Minuten")."""
    with app.test_request_context():
        with force_locale("de"):
            assert duration_text(timedelta(minutes=minutes)) == german
        with force_locale("en"):
            assert duration_text(timedelta(minutes=minutes)) == english


def test_no_page_shows_a_size_but_through_the_filter():
    """A size in a template goes through ``|filesize``; no hand-made "KB" or "MB"."""
    offenders = []
    for path in sorted((ROOT / "lms" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            shown = re.findall(r"size_bytes(?!\|filesize)|\bKB\b|\bMB\b", line)
            if shown and "{#" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders


def test_a_small_file_is_not_shown_as_0_kb(app, client, upload_world):
    world, paper = upload_world
    from lms.assignments.operations import submit_file

    submit_file(paper, world.a.enrollments[0], "kurz.pdf", _tiny_pdf("x"), "application/pdf")
    db.session.commit()
    size = _submissions()[0].size_bytes
    assert size < 1024
    for who, url in ((world.a.participants[0], f"/me/assignments/{paper.id}"),
                     (world.coordinator, f"/coordination/assignments/{paper.id}/participants/"
                                         f"{world.a.enrollments[0].id}")):
        other = app.test_client()
        login(other, who)
        page = text_of(other.get(url))
        assert re.search(rf"\b{size} (Byte|bytes)\b", page) and "0 KB" not in page, url


# --------------------------------------------------------------------------- counts


PLURAL_NOUNS = (
    r"(?:(?:more|scheduled|teaching|required|eligible) )?"
    r"(?:hours?|minutes?|points?|meetings?|people|persons?|participants?|modules?"
    r"|characters?|rows?|lines?|changes?|invitations?|days?|weeks?|assessments?"
    r"|certificates?|documents?|cohorts?|deadlines?|lecturers?|files?|versions?|bytes?)\b")


def _messages():
    from babel.messages.extract import extract_from_dir

    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2"),
                  ("**/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                "ngettext": (1, 2), "_ln": (1, 2), "lazy_ngettext": (1, 2)}
    for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / "lms", method_map=method_map, keywords=keywords):
        yield f"lms/{filename}:{line}", message


def test_every_count_in_a_sentence_goes_through_ngettext():
    """"1 Personen werden eingeladen": a number put before a noun needs the plural form
    chosen by the number. In a message without plural forms, no placeholder may stand
    before such a noun, none may be named like a count (``n``, ``num``), and no "(s)"."""
    wrong = []
    for where, message in _messages():
        if not isinstance(message, str):
            continue
        reasons = []
        if re.search(r"%\((n|num)\)s", message):
            reasons.append("a count placeholder")
        if re.search(r"%\(\w+\)s " + PLURAL_NOUNS, message):
            reasons.append("a number before a noun")
        if "(s)" in message or "(en)" in message:
            reasons.append("a plural in brackets")
        if reasons:
            wrong.append(f"{where}: {message!r}: {', '.join(reasons)}")
    assert not wrong, "\n".join(wrong)


def test_plural_forms_are_chosen_by_the_number(app, client, auth, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    auth.login(coordinator)
    one = "E-Mail;Vorname;Nachname\nlena@example.org;Lena;Groß\n"
    page = text_of(client.post(f"/coordination/cohorts/{cohort.id}/roster/import",
                               content_type="multipart/form-data",
                               data={"file": (io.BytesIO(one.encode()), "eine.csv")}))
    assert "Vorschau: 1 Person wird eingeladen" in page and "1 Person einladen" in page
    course = text_of(client.get(f"/coordination/courses/{cohort.course_id}"))
    assert "Stunden" in course and "1 Stunden" not in course


# --------------------------------------------------------------------------- roster import


@pytest.fixture
def importer(app, client, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(client, coordinator)

    def upload(data: bytes):
        return client.post(f"/coordination/cohorts/{cohort.id}/roster/import",
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "liste.csv")})
    return cohort, upload


ROWS_TO_CORRECT = "Bitte korrigieren Sie diese Zeilen"


@pytest.mark.parametrize(("data", "reason"), [
    ("E-Mail;Vorname;Nachname\nlena@example.org;Lena;Groß\n".encode("cp1252"),
     "keine CSV-Datei in UTF-8"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "keine CSV-Datei in UTF-8"),
    (b"   \n", "Die Datei ist leer"),
    (b"sep=;\n", "Die Datei ist leer"),
    (b"E-Mail;Vorname;Nachname\n", "keine Teilnehmer"),
])
def test_a_problem_of_the_whole_file_is_not_a_line_to_correct(importer, data, reason):
    _cohort, upload = importer
    page = text_of(upload(data))
    assert "nicht importiert" in page and reason in page, page[:800]
    assert ROWS_TO_CORRECT not in page and "Zeile 0" not in page


def test_a_problem_of_a_line_is_listed_with_its_number(importer):
    _cohort, upload = importer
    page = text_of(upload(b"E-Mail;Vorname;Nachname\nkaputt;Lena;Gross\n"))
    assert ROWS_TO_CORRECT in page and "Zeile 2" in page


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_line_excel_writes_is_read(importer, separator):
    _cohort, upload = importer
    rows = [["E-Mail", "Vorname", "Nachname"], ["lena@example.org", "Lena", "Groß"],
            ["kaputt", "Kim", "Löffler"]]
    text = f"sep={separator}\r\n" + "\r\n".join(separator.join(r) for r in rows) + "\r\n"
    page = text_of(upload(text.encode("utf-8-sig")))
    assert "Unbekannte Spalte" not in page, page[:800]
    assert "Zeile 4" in page  # the bad address, counted from the top of the file
    good = text.replace("kaputt", "kim@example.org")
    page = text_of(upload(good.encode()))
    assert "Vorschau: 2 Personen werden eingeladen" in page


# --------------------------------------------------------------------------- cohort dates


@pytest.fixture
def scheduling(app, client, course_dir):
    cohort = make_cohort(load_test_course(course_dir), starts_on=date(2026, 10, 1))
    cohort.ends_on = date(2027, 3, 31)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(client, coordinator)
    return cohort


def _meeting(cohort, day: str) -> dict:
    return {"module_id": cohort.course.modules[0].id, "block_id": 0, "day": day,
            "starts": "09:00", "ends": "12:00"}


OUTSIDE = "außerhalb des Zeitraums der Gruppe"


@pytest.mark.parametrize(("form", "day"), [
    ("meeting_new", "2027-04-02"), ("meeting_new", "2026-09-25"), ("meeting_edit", "2027-04-02"),
    ("meeting_series", "2027-04-02"), ("block_new", "2027-04-02"), ("block_edit", "2027-04-02"),
])
def test_a_date_outside_the_cohort_is_saved_with_a_warning_and_marked(client, scheduling,
                                                                      form, day):
    cohort = scheduling
    base = f"/coordination/cohorts/{cohort.id}"
    if form == "meeting_new":
        response = client.post(f"{base}/meetings/new", data=_meeting(cohort, day))
    elif form == "meeting_edit":
        client.post(f"{base}/meetings/new", data=_meeting(cohort, "2027-01-15"))
        meeting = db.session.scalar(sa.select(Meeting))
        response = client.post(f"/coordination/meetings/{meeting.id}/edit",
                               data=_meeting(cohort, day))
    elif form == "meeting_series":
        response = client.post(f"{base}/meetings/series", data={
            **_meeting(cohort, day), "first_day": "2027-03-26", "last_day": day,
            "weekdays": [4], "every_weeks": 1})
    else:
        data = {"title": "Block nach Ende", "starts_on": day, "ends_on": day}
        if form == "block_new":
            response = client.post(f"{base}/blocks", data=data)
        else:
            client.post(f"{base}/blocks", data={**data, "starts_on": "2027-01-15",
                                                "ends_on": "2027-01-16"})
            block = db.session.scalar(sa.text("SELECT id FROM block"))
            response = client.post(f"/coordination/blocks/{block}/edit", data=data)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert OUTSIDE in page and "gespeichert" in page, page[:600]
    schedule = text_of(client.get(f"{base}/schedule"))
    assert OUTSIDE in schedule  # the schedule marks it too


def test_a_date_inside_the_cohort_gets_no_warning(client, scheduling):
    cohort = scheduling
    response = client.post(f"/coordination/cohorts/{cohort.id}/meetings/new",
                           data=_meeting(cohort, "2027-03-31"))
    page = text_of(client.get(response.headers["Location"]))
    assert OUTSIDE not in page


def test_the_edit_form_says_the_meeting_is_outside(client, scheduling):
    cohort = scheduling
    client.post(f"/coordination/cohorts/{cohort.id}/meetings/new",
                data=_meeting(cohort, "2027-04-02"))
    meeting = db.session.scalar(sa.select(Meeting))
    assert OUTSIDE in text_of(client.get(f"/coordination/meetings/{meeting.id}/edit"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0
