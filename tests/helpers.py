"""What tests share: logging in, the text of a page or a PDF, and the three worlds.

Logging in
    ``login(client, who)`` logs in as an account (or its email address) and fails the test
    unless it worked; ``attempt_login`` only posts the form, for the logins meant to fail;
    ``browser_login(page, base, email)`` does it in a browser (tests/browser/).
    Tests that use the ``client`` fixture say ``auth.login(who)`` and ``auth.logout()``
    (the ``auth`` fixture of tests/conftest.py, as in Flask's tutorial).

Text
    ``text_of(page)`` is what a reader sees of an HTML page (a response or markup);
    ``pdf_text(pdf)`` the text of every page of a PDF.

The worlds (test data a module builds in its own ``world`` fixture)
    ``build_two_companies``  two closed cohorts of two companies on fixed dates, each with
                             its own people (a dict: ``world["a"]["participant"]``);
    ``build_world``          two closed cohorts placed around the real present (the pages
                             use the clock), for attendance and assignments (a ``World``:
                             ``world.a.recent``, ``world.coordinator``);
    ``build_matrix_world``   ``build_world`` plus one of everything a route can name, for
                             the walks over the URL map (``people, objects``).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pypdf
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lms.accounts.models import Locale, Role, User
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrollment
from lms.cohorts.operations import add_company_contact
from lms.db import utcnow
from lms.extensions import db
from lms.schedule.models import Meeting
from lms.schedule.operations import create_block
from lms.storage import read_stored
from tests.factories import (
    PASSWORD,
    berlin,
    enroll,
    load_test_course,
    make_cohort,
    make_meeting,
    make_user,
)

# ------------------------------------------------------------------------------ logging in


def attempt_login(client: FlaskClient, who: User | str, password: str = PASSWORD
                  ) -> TestResponse:
    """Post the login form as ``who`` (an account or an email address); nothing checked."""
    email = who.email if isinstance(who, User) else who
    return client.post("/login", data={"email": email, "password": password})


def login(client: FlaskClient, who: User | str, password: str = PASSWORD) -> TestResponse:
    """Log in as ``who``; the test fails here unless the app let them in."""
    response = attempt_login(client, who, password)
    assert response.status_code == 302 and "/login" not in response.location, (
        f"login as {who} failed: {response.status_code} "
        f"{text_of(response)[:300] if response.status_code == 200 else response.location}")
    return response


class AuthActions:
    """Logging the test's client in and out (the ``auth`` fixture)."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, who: User | str, password: str = PASSWORD) -> TestResponse:
        return login(self._client, who, password)

    def logout(self) -> TestResponse:
        response = self._client.post("/logout")
        assert response.status_code == 302, f"logout failed: {response.status_code}"
        return response


def browser_login(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form in a Playwright page; fails unless it worked."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button.primary")
    assert "/login" not in page.url, f"login as {email} failed: {page.inner_text('body')[:500]}"


# ------------------------------------------------------------------------------------ text


def text_of(page: TestResponse | str) -> str:
    """The words of an HTML page or fragment as a reader sees them: tags dropped, entities
    decoded, white space collapsed to single spaces."""
    markup = page if isinstance(page, str) else page.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def pdf_text(pdf: bytes | Path | pypdf.PdfReader | Certificate) -> str:
    """The text of every page of a PDF (its bytes, its file, a reader, or a certificate's
    stored file), white space collapsed to single spaces."""
    if isinstance(pdf, Certificate):
        pdf = read_stored("certificates", pdf.stored_name)
    if isinstance(pdf, bytes):
        pdf = io.BytesIO(pdf)
    reader = pdf if isinstance(pdf, pypdf.PdfReader) else pypdf.PdfReader(pdf)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def whole_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def demo_counts() -> dict[str, int]:
    """Rows per table of what ``lms demo`` creates (to see that seeding again adds none)."""
    from lms.accounts.models import LecturerProfile, UserRole
    from lms.assignments.models import Grade, Submission
    from lms.attendance.models import Attendance
    from lms.cohorts.models import Company
    from lms.schedule.models import Block

    models = (User, UserRole, LecturerProfile, Company, Cohort, Enrollment, Block, Meeting,
              Attendance, Submission, Grade)
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in models}


# ------------------------------------------------------------- world 1: two companies, fixed


def build_two_companies(course_dir) -> dict:
    """Two closed cohorts of one course for two companies, each with its own people: a
    lecturer, a participant (present at the first of two meetings) and a company contact;
    and a coordinator. ``world["a"]`` / ``world["b"]`` hold each side's cohort, lecturer,
    participant, contact, meeting (the first) and company name."""
    course = load_test_course(course_dir)
    people = {}
    for key, company in (("a", "Alpha Versicherung AG"), ("b", "Beta Logistik GmbH")):
        cohort = make_cohort(course, company_name=company, name=f"Gruppe {company}")
        lecturer = make_user(Role.LECTURER, first=f"Lehrende{key.upper()}")
        participant = make_user(Role.PARTICIPANT, first=f"Teilnehmende{key.upper()}")
        contact = make_user(Role.COMPANY_CONTACT, first=f"Kontakt{key.upper()}")
        enrollment = enroll(cohort, participant)
        add_company_contact(cohort, contact)
        meeting = make_meeting(cohort, berlin(2026, 10, 16 if key == "a" else 23), module_number=1,
                               lecturers=(lecturer,))
        make_meeting(cohort, berlin(2027, 2, 5 if key == "a" else 12), module_number=2,
                     lecturers=(lecturer,))
        record_attendance(meeting, enrollment, AttendanceStatus.PRESENT, by=lecturer)
        people[key] = dict(cohort=cohort, lecturer=lecturer, participant=participant,
                           contact=contact, meeting=meeting, company=company)
    people["coordinator"] = make_user(Role.COORDINATOR, first="Koordinatorin")
    db.session.commit()
    return people


# ------------------------------------------------------- world 2: two sides around the present


@dataclass
class Side:
    cohort: Cohort
    lecturer: User
    participants: list[User]
    enrollments: list[Enrollment]
    contact: User
    ongoing: Meeting  # started an hour ago
    recent: Meeting  # three days ago, window open
    closed: Meeting  # thirty days ago, window closed
    tomorrow: Meeting
    final: Meeting  # module 10 (the paper's module), in three weeks
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    coordinator: User
    now: datetime


def _side(course, key: str, now: datetime, participants: int) -> Side:
    cohort = make_cohort(course, company_name=f"Firma {key.upper()} GmbH",
                         name=f"Gruppe {key.upper()}", starts_on=(now - timedelta(days=60)).date())
    lecturer = make_user(Role.LECTURER, first=f"Dozentin{key.upper()}")
    people = [make_user(Role.PARTICIPANT, first=f"Teilnehmer{key.upper()}{i}",
                        last=f"Nachname{key.upper()}{i:03d}") for i in range(participants)]
    enrollments = [enroll(cohort, person) for person in people]
    contact = make_user(Role.COMPANY_CONTACT, first=f"Kontakt{key.upper()}")
    add_company_contact(cohort, contact)
    start = whole_minute(now)
    ongoing = make_meeting(cohort, start - timedelta(hours=1), module_number=1,
                           lecturers=(lecturer,))
    recent = make_meeting(cohort, start - timedelta(days=3), module_number=1,
                          lecturers=(lecturer,))
    closed = make_meeting(cohort, start - timedelta(days=30), module_number=1,
                          lecturers=(lecturer,))
    tomorrow = make_meeting(cohort, start + timedelta(days=1), module_number=2,
                            lecturers=(lecturer,))
    final = make_meeting(cohort, start + timedelta(days=21), module_number=10,
                         lecturers=(lecturer,))
    return Side(cohort, lecturer, people, enrollments, contact, ongoing, recent, closed,
                tomorrow, final, [closed, recent, ongoing, tomorrow, final])


def build_world(course_dir, participants: int = 3) -> World:
    """Two closed cohorts (side ``a`` with ``participants`` people, side ``b`` with one),
    each with a lecturer, a company contact and five meetings around now; a coordinator
    of cohort A. Everybody reads the English UI."""
    now = utcnow()
    course = load_test_course(course_dir)
    world = World(_side(course, "a", now, participants), _side(course, "b", now, 1),
                  make_user(Role.COORDINATOR, first="Koordinatorin"), now)
    world.a.cohort.coordinator = world.coordinator
    for user in db.session.scalars(sa.select(User)):
        user.locale = Locale.EN
    db.session.commit()
    return world


# ------------------------------------------------ world 3: everything a route can name


def _failed_webhook(owner: User, university: bool) -> tuple[Any, Any]:
    """A webhook subscription of ``owner`` with one failed delivery (never sent)."""
    from lms.integrations.models import (
        DeliveryState,
        WebhookDelivery,
        WebhookEvent,
        WebhookScope,
    )
    from lms.integrations.operations import create_webhook_subscription
    from lms.integrations.signing import new_message_id

    subscription, _ = create_webhook_subscription(
        owner, "HR", "http://127.0.0.1:9/hook", list(WebhookEvent),
        WebhookScope.UNIVERSITY if university else WebhookScope.COMPANY)
    delivery = WebhookDelivery(subscription=subscription, event_id=new_message_id(),
                               event=WebhookEvent.CERTIFICATE_ISSUED, payload={},
                               state=DeliveryState.FAILED, attempts=8, last_status_code=500,
                               last_response="down")
    db.session.add(delivery)
    db.session.flush()
    return subscription, delivery


def build_matrix_world(course_dir) -> tuple[dict[str, User], dict[str, object]]:
    """Two closed cohorts around the real present (the pages use the clock): cohort A with
    everything a route can name, cohort B with its own participant and lecturer."""
    from lms.assignments.models import Assignment
    from lms.assignments.operations import submit_file
    from lms.attendance.absences import announce_absence
    from lms.certificates.models import Certificate, CertificateKind
    from lms.certificates.operations import new_verification_code
    from lms.demo import _tiny_pdf
    from lms.ical.operations import issue_personal_feed
    from lms.jobs.models import JobKind
    from lms.jobs.operations import create_job
    from lms.storage import store_bytes

    built = build_world(course_dir, participants=1)
    a, b = built.a, built.b
    enrollment = a.enrollments[0]
    record_attendance(a.ongoing, enrollment, AttendanceStatus.PRESENT)
    block = create_block(a.cohort, "Block 1", a.cohort.starts_on, a.cohort.starts_on)
    paper = db.session.scalar(db.select(Assignment).filter_by(cohort_id=a.cohort.id,
                                                              key="hausarbeit"))
    submission = submit_file(paper, enrollment, "arbeit.pdf", _tiny_pdf("Hausarbeit"))
    notice = announce_absence(a.tomorrow, enrollment, "Termin beim Amt")
    pdf = _tiny_pdf("Zertifikat")
    stored, digest = store_bytes("certificates", pdf, ".pdf")
    certificate = Certificate(
        enrollment=enrollment, kind=CertificateKind.CERTIFICATE, serial="SMM-2026-9999",
        verification_code=new_verification_code(), stored_name=stored, sha256=digest,
        design="thk", language="de")
    db.session.add(certificate)
    status_list = _credential_for(certificate)
    code = certificate.verification_code
    _feed, feed_token = issue_personal_feed(a.participants[0])
    job = create_job(JobKind.CERTIFICATE_BATCH, by=built.coordinator, cohort=a.cohort)
    export_job = _finished_export(built.coordinator, a.cohort)
    from lms.integrations.models import TokenScope
    from lms.integrations.operations import create_api_token

    university_token, _ = create_api_token(built.coordinator, "Campus", TokenScope.READ, 30)
    company_token, _ = create_api_token(a.contact, "HR", TokenScope.COMPANY, 30)
    university_webhook, university_delivery = _failed_webhook(built.coordinator, True)
    company_webhook, company_delivery = _failed_webhook(a.contact, False)
    spare_webhooks = (_failed_webhook(built.coordinator, True)[0],
                      _failed_webhook(a.contact, False)[0])
    evaluated = _evaluated_module(a)
    material, course_material = _materials(a, evaluated)
    from lms.privacy.erasure import request_erasure

    erasure_request = request_erasure(b.participants[0], "Bitte alles löschen.")
    from lms.privacy.export import build_export, start_export

    data_export = build_export(start_export(a.participants[0], by=a.participants[0]))
    db.session.commit()
    people = {"participant": a.participants[0], "other_participant": b.participants[0],
              "lecturer": a.lecturer, "other_lecturer": b.lecturer, "contact": a.contact,
              "coordinator": built.coordinator}
    objects = {
        "cohort": a.cohort.id, "meeting": a.ongoing.id, "tomorrow": a.tomorrow.id,
        "enrollment": enrollment.id, "block": block.id, "company": a.cohort.company_id,
        "course": a.cohort.course_id, "lecturer": a.lecturer.id, "contact": a.contact.id,
        "assignment": paper.id, "submission": submission.id, "notice": notice.id,
        "certificate": certificate.id, "verification_code": code, "feed_token": feed_token,
        "bogus": "not-a-token", "css": "lms.css", "csv": "csv", "xlsx": "xlsx",
        "status_list": status_list.id, "job": job.id, "export_job": export_job.id,
        "university_token": university_token.id,
        "company_token": company_token.id,
        "university_webhook": university_webhook.id,
        "university_delivery": university_delivery.id,
        "company_webhook": company_webhook.id, "company_delivery": company_delivery.id,
        "university_webhook_2": spare_webhooks[0].id, "company_webhook_2": spare_webhooks[1].id,
        "evaluated_module": evaluated.id,
        "open_module": evaluated.id, "material": material.id, "version": 1,
        "course_material": course_material.id,
        "erasure_request": erasure_request.id, "data_export": data_export.id,
    }
    return people, objects


def _finished_export(by, cohort):
    """An export job that has finished, with its ZIP in the storage."""
    import io
    import zipfile

    from lms.jobs.models import BackgroundJob, JobKind, JobState
    from lms.storage import store_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("attendance.xlsx", b"")
    stored, digest = store_bytes("exports", buffer.getvalue(), ".zip")
    job = BackgroundJob(kind=JobKind.COHORT_EXPORT, state=JobState.SUCCEEDED, started_by=by,
                        cohort=cohort, params={}, total=1, done=1, finished_at=utcnow(),
                        result={"stored_name": stored, "sha256": digest,
                                "size": len(buffer.getvalue()), "filename": "export.zip"})
    db.session.add(job)
    db.session.flush()
    return job


def _materials(a, module):
    """A released file of the evaluated module (by its lecturer), and the course's standing
    file (loaded with the course)."""
    from lms.db import utcnow
    from lms.demo import _tiny_pdf
    from lms.materials.models import CourseMaterial, MaterialKind, Release
    from lms.materials.operations import Placement, Upload, add_material

    material = add_material(Placement(a.cohort, module, None, Release.NOW), "Folien",
                            by=a.lecturer, now=utcnow(),
                            upload=Upload("folien.pdf", _tiny_pdf("Folien")))
    standing = db.session.scalar(db.select(CourseMaterial).filter_by(
        course_id=a.cohort.course_id, kind=MaterialKind.FILE))
    return material, standing


def _evaluated_module(a):
    """Module 3, held by the world's lecturer four days ago and evaluated by five of the
    cohort's participants (the world's participant among them): its results can be seen."""
    from datetime import timedelta

    from lms.accounts.models import Role
    from lms.db import utcnow
    from lms.evaluation.operations import submit_response
    from lms.evaluation.queries import evaluation_status
    from tests.factories import enroll, make_meeting, make_user

    start = utcnow().replace(second=0, microsecond=0)
    meeting = make_meeting(a.cohort, start - timedelta(days=4), module_number=3,
                           lecturers=(a.lecturer,))
    enrollments = [a.enrollments[0], *(enroll(a.cohort, make_user(Role.PARTICIPANT))
                                       for _ in range(4))]
    for number, enrollment in enumerate(enrollments, start=1):
        submit_response(evaluation_status(a.cohort, meeting.module, utcnow()), enrollment,
                        {"inhalt": number, "kommentar": f"Anmerkung {number}"})
    return meeting.module


def _credential_for(certificate):
    """A stored credential for the world's certificate, in a signed status list."""
    import hashlib
    import json

    from lms.credentials.keys import load_keyring
    from lms.credentials.models import CertificateCredential
    from lms.credentials.operations import open_status_list
    from lms.db import utcnow

    status_list = open_status_list(utcnow(), load_keyring())
    document = json.dumps({
        "id": "urn:uuid:00000000-0000-4000-8000-000000000001", "issuer": {"name": "TH Köln"},
        "credentialSubject": {"achievement": {"name": "Zertifikat: Social Media Manager*in"}},
    }) + "\n"
    db.session.add(CertificateCredential(
        certificate=certificate, credential_uri="urn:uuid:00000000-0000-4000-8000-000000000001",
        document=document, sha256=hashlib.sha256(document.encode()).hexdigest(),
        verification_method="did:web:lms.test#z", status_list=status_list, status_index=7))
    db.session.flush()
    return status_list
