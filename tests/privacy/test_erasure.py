"""Erasure (Art. 17): after it no table holds the person's name, address or files, what a
retention rule keeps stays without the name, and every certificate still verifies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.assignments.models import Grade
from lms.attendance.models import AbsenceNotice, Attendance
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, CertificateStatus
from lms.cohorts.models import Company, EnrollmentStatus
from lms.extensions import db
from lms.privacy.declare import Erasure
from lms.privacy.erasure import (
    ErasureError,
    erase_person,
    erasure_stages,
    refuse_erasure,
    request_erasure,
)
from lms.privacy.export import build_export, start_export
from lms.privacy.models import DataExport, ErasureDecision
from lms.privacy.registry import area_modules, personal_columns
from lms.storage import stored_path
from tests.privacy.world import EMAIL, FIRST, IDENTIFIERS, LAST, build_person_world


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    saved = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield
    app.config["LMS_STORAGE_DIR"] = saved


TEXT_TYPES = (sa.String, sa.Text, sa.JSON)


def _forms(text: str) -> set[str]:
    """``text`` as a column may hold it, lower-cased: plain, and escaped inside JSON."""
    return {text.lower(), json.dumps(text)[1:-1].lower(), json.dumps(text.lower())[1:-1]}


def tables_naming(texts) -> dict[str, list[str]]:
    """Every column of every table (of a text type) with a value containing one of
    ``texts``, case-insensitive, with the offending values; columns the registry keeps
    as printed on a certificate aside."""
    kept = {(c.table, c.column) for c in personal_columns()
            if c.erasure == Erasure.KEEP_AS_PRINTED}
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, TEXT_TYPES) or isinstance(column.type, sa.Enum):
                continue
            if (table.name, column.name) in kept:
                continue
            value = sa.func.lower(sa.cast(column, sa.Text))
            hits = db.session.scalars(sa.select(sa.cast(column, sa.Text)).where(sa.or_(
                *(value.contains(form, autoescape=True) for text in texts
                  for form in _forms(text))))).all()
            if hits:
                found[f"{table.name}.{column.name}"] = hits
    return found


def _erase(app, world, *, days_after_issue: int = 30, reason: str | None = None):
    now = world.certificates[0].issued_at + timedelta(days=days_after_issue)
    report = erase_person(world.person, reason=reason or f"Antrag von {FIRST} {LAST}",
                          by=world.coordinator, periods=app.config["LMS_RETENTION"], now=now)
    db.session.commit()
    return report


def test_no_table_holds_the_name_address_or_files_after_the_erasure(app, course):
    world = build_person_world(course)
    request_erasure(world.person, f"Bitte löschen Sie alles über {FIRST} {LAST}.")
    export = build_export(start_export(world.person, by=world.person))
    world.files.append((export.storage_area, export.stored_name))
    db.session.commit()
    before = tables_naming(IDENTIFIERS)
    # The walk sees the person's data in every area before (it would see it after, too).
    assert {"user_account.email", "user_account.last_name", "audit_event.after",
            "audit_event.before", "attendance.note", "absence_notice.reason", "grade.feedback",
            "submission.original_filename", "certificate.revoked_reason",
            "certificate_credential.document", "erasure_request.message"} <= set(before)
    assert all(stored_path(area, name).exists() for area, name in world.files)

    report = _erase(app, world)

    assert tables_naming(IDENTIFIERS) == {}
    assert not any(stored_path(area, name).exists() for area, name in world.files)
    assert report.counts["files"] == len(world.files)
    person = db.session.get(User, world.person.id)
    assert person.is_erased and not person.is_active and person.password_hash is None
    assert person.full_name == f"gelöschte Person {report.pseudonym}"
    assert person.role_set == frozenset()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataExport)) == 0


def test_the_others_keep_their_data(app, course):
    world = build_person_world(course)
    db.session.commit()
    other_files = [c.stored_name for c in db.session.scalars(
        sa.select(Certificate).filter_by(enrollment_id=world.other.id))]
    _erase(app, world)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance).filter_by(
        enrollment_id=world.other.id)) == 2
    assert all(stored_path("certificates", name).exists() for name in other_files)
    assert world.other.user.full_name == "Jürgen Müller"
    assert world.contact in world.cohort.contacts
    assert world.cohort.company.contact_email == "sabine.hoffmann@nordlicht.example"
    assert world.lecturer in world.cohort.meetings[0].lecturers


def test_exam_records_stay_without_the_name_while_their_period_runs(app, course):
    world = build_person_world(course)
    db.session.commit()
    _erase(app, world)
    grades = db.session.scalars(sa.select(Grade).filter_by(
        enrollment_id=world.enrollment.id)).all()
    assert grades and all(g.passed for g in grades)
    assert all(LAST not in g.feedback and g.feedback.startswith("Sehr gut, Frau P-")
               for g in grades)
    assert all(g.submission_id is None for g in grades)
    # Attendance detail has no duty to keep; the enrollment stays as the records' anchor.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance).filter_by(
        enrollment_id=world.enrollment.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AbsenceNotice)) == 0
    assert world.enrollment.status == EnrollmentStatus.COMPLETED


def test_exam_records_past_their_period_go_too(app, course):
    world = build_person_world(course)
    db.session.commit()
    _erase(app, world, days_after_issue=app.config["LMS_RETENTION"]["exam_records"] + 1)
    assert db.session.scalars(sa.select(Grade).filter_by(
        enrollment_id=world.enrollment.id)).all() == []
    # The certificates' verification records have a far longer period.
    assert all(c.holder_name == f"{FIRST} {LAST}" for c in world.certificates)


def test_every_certificate_still_verifies_by_code_file_and_credential(app, course, client):
    world = build_person_world(course)
    db.session.commit()
    revoked, valid = world.certificates
    _erase(app, world)

    for certificate, verdict in ((valid, "Gültig"), (revoked, "Ersetzt")):
        page = client.get(f"/verify/{certificate.verification_code}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and verdict in text
        assert f"{FIRST} {LAST}" in text  # the name as printed
        assert certificate.serial in text and certificate.sha256 in text
        assert "Stunden" in text
        # the PDF as its holder keeps it: recognised by its SHA-256, the file itself gone
        by_file = client.post("/verify/file", data={"file": (
            __import__("io").BytesIO(world.pdfs[certificate.serial]), "z.pdf")})
        assert by_file.status_code == 200, by_file.get_data(as_text=True)
        assert "genau die Datei" in by_file.get_data(as_text=True)
        assert verdict in by_file.get_data(as_text=True)
        # the credential as downloaded, and formatted differently
        credential = world.credentials[certificate.serial]
        for document in (credential, json.dumps(json.loads(credential), indent=2)):
            by_json = client.post("/verify/file", data={"file": (
                __import__("io").BytesIO(document.encode()), "c.json")})
            assert by_json.status_code == 200, by_json.get_data(as_text=True)
            assert verdict in by_json.get_data(as_text=True)
    assert revoked.status == CertificateStatus.REVOKED
    # A changed credential is still refused.
    forged = json.loads(world.credentials[valid.serial])
    forged["credentialSubject"]["achievement"]["name"] = "Doktor*in"
    answer = client.post("/verify/file", data={"file": (
        __import__("io").BytesIO(json.dumps(forged).encode()), "c.json")})
    assert answer.status_code == 422


def test_the_audit_trail_keeps_what_happened_not_what_was_written(app, course):
    world = build_person_world(course)
    db.session.commit()
    report = _erase(app, world, reason=f"Antrag vom 1. Mai, {FIRST} {LAST} ({EMAIL})")
    erased = db.session.scalar(sa.select(AuditEvent).filter_by(action="user.erased"))
    assert erased.actor_id == world.coordinator.id
    assert erased.after["reason"] == (f"Antrag vom 1. Mai, {report.pseudonym} "
                                      f"({report.pseudonym})")
    issued = db.session.scalars(sa.select(AuditEvent).filter_by(
        action="certificate.issued", object_id=str(world.certificates[1].id))).one()
    assert issued.after["serial"] == world.certificates[1].serial  # a state, kept
    assert issued.after["name"] == issued.after["participant"] == "[…]"


def test_a_lecturer_and_a_company_contact_are_erased_in_their_areas(app, course):
    world = build_person_world(course)
    db.session.commit()
    periods = app.config["LMS_RETENTION"]
    from lms.accounts.operations import update_lecturer_profile

    update_lecturer_profile(world.lecturer, affiliation="Agentur Berger", job_title="CEO",
                            bio="Katharina Berger berät seit 2010.", expertise=["Social Media"])
    db.session.commit()
    erase_person(world.lecturer, reason="ausgeschieden", by=world.coordinator, periods=periods)
    erase_person(world.contact, reason="Wechsel im Unternehmen", by=world.coordinator,
                 periods=periods)
    db.session.commit()
    assert tables_naming(["Katharina Berger", "Berger", "Sabine Hoffmann",
                          "sabine.hoffmann@nordlicht.example", "Agentur"]) == {}
    assert world.lecturer.lecturer_profile is None
    assert world.cohort.meetings[0].lecturers == []
    assert world.cohort.contacts == []
    company = db.session.get(Company, world.cohort.company_id)
    assert (company.contact_name, company.contact_email) == ("", "")
    # Grades the lecturer gave stay, as given by an erased person.
    grade = db.session.scalars(sa.select(Grade).filter_by(enrollment_id=world.other.id)).first()
    assert grade.graded_by.full_name.startswith("gelöschte Person P-")


def test_refusals(app, course):
    world = build_person_world(course)
    db.session.commit()
    periods = app.config["LMS_RETENTION"]
    with pytest.raises(ErasureError):
        erase_person(world.person, reason="   ", by=world.coordinator, periods=periods)
    with pytest.raises(ErasureError):
        erase_person(world.coordinator, reason="x", by=world.coordinator, periods=periods)
    erase_person(world.person, reason="Antrag", by=world.coordinator, periods=periods)
    db.session.commit()
    with pytest.raises(ErasureError):
        erase_person(world.person, reason="again", by=world.coordinator, periods=periods)
    with pytest.raises(ErasureError):
        request_erasure(world.person)


def test_a_request_is_decided_with_a_reason(app, course):
    world = build_person_world(course)
    request = request_erasure(world.person, "Ich möchte gelöscht werden.")
    db.session.commit()
    with pytest.raises(ErasureError):
        request_erasure(world.person)  # one open request at a time
    with pytest.raises(ErasureError):
        refuse_erasure(request, reason=" ", by=world.coordinator)
    refuse_erasure(request, reason="Der Kurs läuft noch; nach dem Ende löschen wir.",
                   by=world.coordinator)
    db.session.commit()
    assert request.decision == ErasureDecision.REFUSED
    again = request_erasure(world.person, "Jetzt ist der Kurs vorbei.")
    db.session.commit()
    erase_person(world.person, reason="Kurs beendet", by=world.coordinator,
                 periods=app.config["LMS_RETENTION"])
    db.session.commit()
    assert again.decision == ErasureDecision.ERASED and again.reason == "Kurs beendet"
    assert again.message == "" and request.message == ""
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "user.erased"
    assert {"privacy.erasure_requested", "privacy.erasure_refused"} <= set(actions)


def test_every_area_with_personal_data_erases_it(app):
    """A new area that declares personal columns must say how they are erased."""
    with_personal = {m.__name__.split(".")[1] for m in area_modules()
                     if any(t.personal for t in m.TABLES)}
    assert with_personal <= {name for name, _erase in erasure_stages()}
    names = [name for name, _erase in erasure_stages()]
    assert names[0] == "certificates" and names[-2:] == ["accounts", "audit"]


def test_nothing_is_half_erased_when_an_area_fails(app, course, monkeypatch):
    world = build_person_world(course)
    db.session.commit()
    from lms.cohorts import privacy as cohorts_privacy

    def broken(context):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cohorts_privacy, "erase", broken)
    with pytest.raises(RuntimeError):
        erase_person(world.person, reason="x", by=world.coordinator,
                     periods=app.config["LMS_RETENTION"])
    db.session.rollback()
    assert db.session.get(User, world.person.id).email == EMAIL
    assert all(stored_path(area, name).exists() for area, name in world.files)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 4
    assert Role.PARTICIPANT in db.session.get(User, world.person.id).role_set
