"""One source for every limit and default (issue #12, item 4).

A length limit comes from its column (``lms.db.max_length``) or one named constant; the
form, the operation and every sentence that states it read it there. These tests walk
every form, every UI text and every template for a limit written out by hand.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.orm import QueryableAttribute
from wtforms import HiddenField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import lms
from lms.accounts.models import BIO_MAX, EXPERTISE_MAX, LecturerProfile, Role, User
from lms.announcements.models import BODY_MAX as ANNOUNCEMENT_BODY_MAX
from lms.announcements.models import Announcement
from lms.assignments.models import DESCRIPTION_MAX, Assignment
from lms.assignments.operations import FEEDBACK_MAX
from lms.attendance.checkin import CODE_INPUT_MAX
from lms.attendance.models import AbsenceNotice, Attendance
from lms.attendance.operations import CHANGE_REASON_MAX
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Company
from lms.extensions import db
from lms.integrations.models import ApiToken, WebhookSubscription
from lms.materials.models import NOTE_MAX as MATERIAL_NOTE_MAX
from lms.materials.models import Material
from lms.privacy.models import ErasureRequest
from lms.schedule.models import Block, Meeting
from tests.codebase.test_labels import _forms, _import_everything
from tests.factories import load_test_course, make_cohort, make_finished_cohort, make_user

ROOT = Path(lms.__file__).resolve().parent

# Every text field of every form, and what bounds it: the column it fills (its length
# is the limit), a named constant, or nothing, with the reason. A new field must be added.
NO_COLUMN = "no column"
FIELDS: dict[tuple[str, str], QueryableAttribute | int | tuple[None, str]] = {
    ("CompanyForm", "name"): Company.name,
    ("CompanyForm", "contact_name"): Company.contact_name,
    ("CompanyForm", "contact_email"): Company.contact_email,
    ("CohortForm", "name"): Cohort.name,
    ("CohortForm", "location"): Cohort.location,
    ("InviteForm", "email"): User.email,
    ("InviteForm", "first_name"): User.first_name,
    ("InviteForm", "last_name"): User.last_name,
    ("PersonForm", "first_name"): User.first_name,
    ("PersonForm", "last_name"): User.last_name,
    ("ContactForm", "email"): User.email,
    ("ContactForm", "first_name"): User.first_name,
    ("ContactForm", "last_name"): User.last_name,
    ("CancelMeetingForm", "reason"): Meeting.cancelled_reason,
    ("BlockForm", "title"): Block.title,
    ("_MeetingFields", "location"): Meeting.location,
    ("_MeetingFields", "online_url"): Meeting.online_url,
    ("MeetingForm", "title"): Meeting.title,
    ("SeriesForm", "skip"): (None, "dates, one per line: each is parsed, and a series has "
                                   "at most MAX_MEETINGS meetings"),
    ("LecturerForm", "email"): User.email,
    ("LecturerForm", "first_name"): User.first_name,
    ("LecturerForm", "last_name"): User.last_name,
    ("LecturerForm", "affiliation"): LecturerProfile.affiliation,
    ("LecturerForm", "job_title"): LecturerProfile.job_title,
    ("LecturerForm", "bio"): BIO_MAX,
    ("LecturerForm", "expertise"): EXPERTISE_MAX,
    ("RosterConfirmForm", "csv_text"): (None, "the checked file sent back; parsed again "
                                              "with the import's MAX_BYTES and MAX_ROWS"),
    ("AssignmentForm", "title"): Assignment.title,
    ("AssignmentForm", "description"): DESCRIPTION_MAX,
    ("ReasonForm", "reason"): Certificate.revoked_reason,
    ("MarkForm", "note"): Attendance.note,
    ("RosterForm", "reason"): CHANGE_REASON_MAX,
    ("GradeForm", "feedback"): FEEDBACK_MAX,
    ("AbsenceForm", "reason"): AbsenceNotice.reason,
    ("CheckInForm", "code"): CODE_INPUT_MAX,
    ("LoginForm", "email"): User.email,
    ("LoginForm", "password"): (None, "compared with the stored hash, never stored"),
    ("LanguageForm", "language"): (None, "one of the locales (AnyOf)"),
    ("PasswordForgotForm", "email"): User.email,
    ("NewPasswordForm", "password"): (None, "the password policy states its own limits "
                                            "(MIN_ and MAX_PASSWORD_LENGTH)"),
    ("NewPasswordForm", "confirm"): (None, "must equal the password"),
    ("AccountForm", "first_name"): User.first_name,
    ("AccountForm", "last_name"): User.last_name,
    ("AnnouncementForm", "title"): Announcement.title,
    ("AnnouncementForm", "body"): ANNOUNCEMENT_BODY_MAX,
    ("MeetingForm", "announcement_note"): ANNOUNCEMENT_BODY_MAX,
    ("ApiTokenForm", "name"): ApiToken.name,
    ("WebhookForm", "name"): WebhookSubscription.name,
    ("WebhookForm", "url"): WebhookSubscription.url,
    ("MaterialForm", "title"): Material.title,
    ("MaterialForm", "note"): MATERIAL_NOTE_MAX,
    ("MaterialForm", "url"): Material.url,
    ("ErasureRequestForm", "message"): ErasureRequest.message,
    ("ErasureForm", "reason"): ErasureRequest.reason,
    ("RefuseErasureForm", "reason"): ErasureRequest.reason,
    ("FindPersonForm", "email"): User.email,
}


def _column_length(attribute: QueryableAttribute) -> int:
    column = attribute.class_.__table__.c[attribute.key]
    return column.type.length


def text_fields() -> Iterator[tuple[str, str, UnboundField]]:
    """(form, field, unbound field) for every text input of every form, named by the
    class that declares it."""
    seen = set()
    for form in _forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField) or id(unbound) in seen:
                continue
            if not issubclass(unbound.field_class, StringField) or issubclass(
                    unbound.field_class, HiddenField):
                continue
            seen.add(id(unbound))
            owner = next(c for c in form.__mro__ if name in vars(c))
            yield owner.__name__, name, unbound


def _length(unbound: UnboundField) -> int | None:
    limits = [v.max for v in unbound.kwargs.get("validators") or () if isinstance(v, Length)]
    return limits[0] if limits else None


def test_every_text_field_takes_what_its_column_holds():
    """A field that fills a column takes exactly the column's length (longer would fail in
    PostgreSQL instead of saying so on the form; shorter would refuse what the database
    holds); one without a column has its named constant."""
    wrong = []
    found = set()
    for form, name, unbound in text_fields():
        found.add((form, name))
        if (form, name) not in FIELDS:
            wrong.append(f"{form}.{name}: not in FIELDS (which column or limit bounds it?)")
            continue
        bound = FIELDS[(form, name)]
        if isinstance(bound, tuple):
            continue
        expected = bound if isinstance(bound, int) else _column_length(bound)
        if _length(unbound) != expected:
            wrong.append(f"{form}.{name}: Length(max={_length(unbound)}), the limit is "
                         f"{expected}")
    assert not wrong, "\n".join(wrong)
    assert set(FIELDS) <= found, f"FIELDS names fields that are gone: {set(FIELDS) - found}"


def _form_modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text("utf-8")
        if "wtforms" in text:
            yield path.relative_to(ROOT).as_posix(), ast.parse(text)


def written_out_limits(tree: ast.Module) -> list[int]:
    """Lines where a Length validator is given a number instead of a column's length or a
    named constant."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Length":
            values = [*node.args, *(k.value for k in node.keywords if k.arg in ("min", "max"))]
            if any(isinstance(v, ast.Constant) and isinstance(v.value, int) for v in values):
                lines.append(node.lineno)
    return lines


def test_no_form_writes_a_length_limit_out():
    """``Length(max=500)`` next to ``String(500)`` is two places for one limit."""
    found = [f"lms/{name}:{line}" for name, tree in _form_modules()
             for line in written_out_limits(tree)]
    assert not found, f"limits written out by hand: {found}"
    assert written_out_limits(ast.parse("Length(max=500)\nLength(max=LIMIT)")) == [1]


# Texts with numbers that state no limit: examples of input, product, program and format
# names, zero as the natural bound of points, and the two passwords typed in a form.
NOT_A_LIMIT = re.compile(r"2026/27|Präsenzblock 2|2026-12-25|09:00–17:00|Microsoft 365|"
                         r"SHA-256|sha256sum|UTF-8|Open Badges 3.0|W3C|https://|\b0\b|"
                         r"two passwords|"
                         # the articles of the GDPR a privacy text names, a hash's name
                         r"Art\. \d+(\(\d\))?(\([a-f]\))?( and \d+)?|argon2id|"
                         # a standard's name, an example offset, a Likert scale's start,
                         # an estimate of a questionnaire's length
                         r"ISO 8601|\+01:00|\(1 to |about two minutes")
NUMBER_WORDS = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"fifteen|twenty|thirty|forty|fifty|hundred|thousand)\b", re.I)


def ui_messages() -> Iterator[tuple[str, str]]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2"),
                  ("**/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                "ngettext": (1, 2), "_ln": (1, 2), "lazy_ngettext": (1, 2)}
    for filename, line, message, _comments, _context in extract_from_dir(
            ROOT, method_map=method_map, keywords=keywords):
        for text in (message,) if isinstance(message, str) else message:
            yield f"lms/{filename}:{line}", text


def test_no_ui_text_writes_a_limit_out():
    """"valid for two hours", "at most 500 characters", "15 minutes before the start":
    a text that states a limit, a window or a lifetime formats it from the constant."""
    found = []
    for where, text in ui_messages():
        plain = NOT_A_LIMIT.sub("", re.sub(r"%\(\w+\)[sd]|%%", "", text))
        if re.search(r"\d", plain) or NUMBER_WORDS.search(plain):
            found.append(f"{where}: {text!r}")
    assert not found, "texts that write a number out:\n" + "\n".join(found)


def test_no_template_writes_a_limit_into_an_attribute():
    """maxlength, min and max come from the field's validators (WTForms renders them)."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.search(r"\b(maxlength|minlength|min|max)\s*=\s*[\"']?\d", line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, f"limits written into templates: {found}"


def test_limits_stated_in_texts_follow_their_constants(app: Flask, client, auth, monkeypatch):
    """Change a lifetime or a window and every sentence about it changes too."""
    from lms.accounts import tokens
    from lms.accounts.models import TokenPurpose
    from lms.attendance import checkin
    from lms.attendance.operations import AttendanceError, check_in_with_code
    from lms.mail import render_mail
    from lms.web.throttling import Throttled

    monkeypatch.setitem(tokens.LIFETIME, TokenPurpose.PASSWORD_RESET, timedelta(hours=3))
    monkeypatch.setitem(tokens.LIFETIME, TokenPurpose.INVITATION, timedelta(days=10))
    monkeypatch.setattr(checkin, "OPENS_BEFORE_START", timedelta(minutes=20))
    user = make_user(Role.PARTICIPANT)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()

    _subject, text, _html = render_mail(user, "password_reset", link="https://x.test/r")
    assert "3 Stunden" in text
    with app.test_request_context(), force_locale("de"):
        page = Throttled("password_reset", 60)
        from lms.web.throttling import throttled_response

        assert "3 Stunden" in throttled_response(page)[0]
        with pytest.raises(AttendanceError) as refused:
            check_in_with_code(user, "ABCDEF")
        assert "20 Minuten" in str(refused.value)
    forgot = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    assert "3 Stunden" in forgot.get_data(as_text=True)

    course = load_test_course(Path(__file__).resolve().parents[2] / "course_content"
                              / "social-media-manager")
    cohort = make_cohort(course)
    db.session.commit()
    auth.login(coordinator)
    roster = client.get(f"/coordination/cohorts/{cohort.id}/roster").get_data(as_text=True)
    assert "und 10 Tage gültig" in roster


def test_new_cohorts_start_in_the_configured_time_zone(app: Flask, client, auth, course_dir,
                                                      monkeypatch):
    """LMS_TIMEZONE is the one default: the cohort form's, create_cohort's and the
    model's."""
    from lms.cohorts.operations import create_company

    monkeypatch.setitem(app.config, "LMS_TIMEZONE", "America/New_York")
    course = load_test_course(course_dir)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/coordination/cohorts/new").get_data(as_text=True)
    assert re.search(r'<option selected value="America/New_York">|'
                     r'<option value="America/New_York" selected>', page), "form default"
    assert make_cohort(course).timezone == "America/New_York"  # create_cohort's default
    bare = Cohort(course=course, company=create_company("Bare GmbH"), name="Bare",
                  starts_on=date(2027, 1, 4), ends_on=date(2027, 2, 4))
    db.session.add(bare)
    db.session.flush()
    assert bare.timezone == "America/New_York"  # the model's default


def test_no_time_zone_is_written_out_outside_the_settings_and_the_demo():
    allowed = {"config.py", "demo.py"}
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in allowed or name.startswith("migrations/"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"[A-Z][a-z]+/[A-Za-z_]+", node.value)
                    and id(node) not in docstrings):
                found.append(f"lms/{name}:{node.lineno}: {node.value}")
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and "Europe/" in path.read_text("utf-8"):
            found.append(str(path.relative_to(ROOT)))
    assert not found, f"time zones written out: {found}"


def test_the_certificate_page_renders_the_reason_form(app: Flask, client, auth, course_dir):
    """Revoking and correcting on the certificates page use ReasonForm itself: its label,
    its hint and its limit, not a hand-written copy."""
    from lms.certificates.operations import REASON_MAX, issue_certificate

    cohort, (enrollment,) = make_finished_cohort(load_test_course(course_dir))
    coordinator = make_user(Role.COORDINATOR)
    issue_certificate(enrollment, by=coordinator)
    db.session.commit()
    auth.login(coordinator)
    page = client.get(f"/coordination/cohorts/{cohort.id}/certificates").get_data(
        as_text=True)
    certificate = db.session.scalar(sa.select(Certificate))
    for action in ("revoke", "correct"):
        field_id = f"{action}-{certificate.id}"
        area = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>', page)
        assert area, action
        assert f'maxlength="{REASON_MAX}"' in area.group(0)
        assert f'aria-describedby="{field_id}-hint"' in area.group(0)
        assert f'<label for="{field_id}">Grund</label>' in page
        assert (f'<p class="hint" id="{field_id}-hint">Wird beim Zertifikat gespeichert'
                in page)
    assert _column_length(Certificate.revoked_reason) == REASON_MAX


def test_the_reason_limit_is_the_columns_everywhere(app: Flask, course_dir):
    """A revocation reason one character too long is refused by the operation, in words
    that state the column's length."""
    from lms.certificates.operations import (
        REASON_MAX,
        CertificateError,
        issue_certificate,
        revoke_certificate,
    )

    _cohort, (enrollment,) = make_finished_cohort(load_test_course(course_dir))
    certificate = issue_certificate(enrollment).certificate
    with force_locale("en"), pytest.raises(CertificateError) as refused:
        revoke_certificate(certificate, "x" * (REASON_MAX + 1))
    assert f"at most {REASON_MAX} characters" in str(refused.value)
    revoke_certificate(certificate, "x" * REASON_MAX)
    db.session.flush()


def test_the_form_walk_reaches_every_form():
    _import_everything()
    names = {form for form, _name, _unbound in text_fields()}
    assert {"CompanyForm", "ReasonForm", "MarkForm", "AbsenceForm", "AccountForm"} <= names


def test_the_verification_form_shows_the_shape_of_a_code(app: Flask, client, monkeypatch):
    """The placeholder of the code field is a code's length, grouped as codes are printed,
    read from the codes' constants (a shorter code would show a shorter shape)."""
    from lms.certificates.queries import CODE_GROUP, CODE_LENGTH
    from lms.web.verify import views

    for length in (CODE_LENGTH, 16):
        monkeypatch.setattr(views, "CODE_LENGTH", length)
        page = client.get("/verify").get_data(as_text=True)
        shape = re.search(r'placeholder="([X-]+)"', page).group(1)
        assert shape.replace("-", "") == "X" * length
        assert {len(group) for group in shape.split("-")} == {CODE_GROUP}
