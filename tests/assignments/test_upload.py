"""Handing in work: the type is judged by content, the size is limited, late work is
flagged, versions are kept, files are served only to those allowed, and nothing is
half-stored when something fails."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.assignments.files import UploadRejected, detect_upload
from lms.assignments.models import Assignment, Submission
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.storage import storage
from tests.helpers import build_world, text_of

PDF = _tiny_pdf("Hausarbeit")


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        if kind == "docx":
            archive.writestr("word/document.xml", "<w:document/>")
        elif kind == "pptx":
            archive.writestr("ppt/presentation.xml", "<p:presentation/>")
        else:
            archive.writestr("notes.txt", "Notizen")
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(app, course_dir):
    # The storage lives as long as the test session: start each test with it empty.
    for leftover in list(storage(app).names("submissions")):
        storage(app).remove("submissions", leftover)
    return build_world(course_dir, participants=2)


@pytest.fixture
def paper(world) -> Assignment:
    return db.session.scalar(sa.select(Assignment).filter_by(cohort_id=world.a.cohort.id,
                                                              key="hausarbeit"))


def stored_files(app) -> set[str]:
    return set(storage(app).names("submissions"))


def upload(client, assignment, name, data):
    return client.post(f"/me/assignments/{assignment.id}",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def submissions():
    db.session.expire_all()
    return db.session.scalars(sa.select(Submission).order_by(Submission.id)).all()


@pytest.mark.parametrize(("name", "data", "mimetype"), [
    ("Hausarbeit.pdf", PDF, "application/pdf"),
    ("Hausarbeit.docx", office("docx"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Vortrag.pptx", office("pptx"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("Foto.PNG", png(), "image/png"),
    ("Anhang.zip", office("zip"), "application/zip"),
])
def test_accepted_types_are_recognised_by_content(name, data, mimetype):
    assert detect_upload(name, data).mimetype == mimetype


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("programm.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "not accepted"),
    ("notizen.pdf", b"Nur Text, kein PDF", "not accepted"),
    ("foto.pdf", png(), "content is PNG"),
    ("arbeit.docx", office("zip"), "not a valid document"),
    ("kaputt.docx", b"PK\x03\x04" + b"\x00" * 40, "damaged"),
    ("tabelle.xlsx", office("zip"), "not accepted"),
    ("leer.pdf", b"", "empty"),
])
def test_other_files_are_refused_with_a_reason(name, data, reason, app):
    from flask_babel import force_locale

    with pytest.raises(UploadRejected) as caught:
        detect_upload(name, data)
    with force_locale("en"):
        assert reason in str(caught.value)


def test_participant_hands_in_and_keeps_versions(client, auth, world, paper, app):
    auth.login(world.a.participants[0])
    response = upload(client, paper, "Hausarbeit Müller.pdf", PDF)
    assert response.status_code == 302
    assert upload(client, paper, "Hausarbeit_v2.docx", office("docx")).status_code == 302
    first, second = submissions()
    assert (first.version, second.version) == (1, 2)
    assert first.original_filename == "Hausarbeit Müller.pdf"
    assert first.content_type == "application/pdf" and len(first.sha256) == 64
    assert not first.is_late
    assert stored_files(app) == {first.stored_name, second.stored_name}
    assert "Müller" not in first.stored_name  # a random name, never the user's
    page = text_of(client.get(f"/me/assignments/{paper.id}"))
    assert "version 2" in page and "version 1" in page


def test_wrong_type_is_a_form_error_and_nothing_is_stored(client, auth, world, paper, app):
    auth.login(world.a.participants[0])
    response = upload(client, paper, "virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert response.status_code == 200
    assert "This type of file is not accepted" in text_of(response)
    assert submissions() == [] and stored_files(app) == set()


def test_late_work_is_accepted_and_flagged(client, auth, world, paper):
    paper.due_at = world.now - timedelta(hours=1)
    db.session.commit()
    auth.login(world.a.participants[0])
    page = text_of(client.get(f"/me/assignments/{paper.id}"))
    assert "The due date has passed" in page
    response = upload(client, paper, "spaet.pdf", PDF)
    assert response.status_code == 302
    [submission] = submissions()
    assert submission.is_late
    assert "marked as late" in text_of(client.get(response.headers["Location"]))


def test_too_large_file_gets_a_clear_413_page(client, auth, world, paper, app):
    """A request far above the limit is cut off before it is read: the 413 page names
    the file limit (the request limit is a megabyte above it, for the form around it)."""
    saved = {k: app.config[k] for k in ("MAX_CONTENT_LENGTH", "LMS_MAX_UPLOAD_BYTES")}
    app.config.update(LMS_MAX_UPLOAD_BYTES=1024 * 1024, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    try:
        auth.login(world.a.participants[0])
        response = upload(client, paper, "gross.pdf", PDF + b"%" * (3 * 1024 * 1024))
    finally:
        app.config.update(saved)
    assert response.status_code == 413
    text = text_of(response)
    assert "larger than 1 MB" in text and "Nothing was stored" in text
    assert submissions() == [] and stored_files(app) == set()


def test_a_failure_after_writing_the_file_removes_it(client, world, paper, app, monkeypatch):
    import lms.assignments.operations as operations

    def broken(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(operations, "record_event", broken)
    with pytest.raises(RuntimeError):
        operations.submit_file(paper, world.a.enrollments[0], "a.pdf", PDF)
    db.session.rollback()
    assert stored_files(app) == set() and submissions() == []


def test_a_failed_commit_removes_the_file_too(client, auth, world, paper, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    auth.login(world.a.participants[0])

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception("connection lost"))

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = upload(client, paper, "a.pdf", PDF)
    monkeypatch.undo()
    assert response.status_code == 200
    assert "could not be saved" in text_of(response)
    assert stored_files(app) == set() and submissions() == []


def test_assessments_without_upload_take_no_file(client, auth, world):
    oral = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=world.a.cohort.id,
                                                             key="muendliche-pruefung"))
    auth.login(world.a.participants[0])
    assert "Nothing is uploaded" in text_of(client.get(f"/me/assignments/{oral.id}"))
    upload(client, oral, "a.pdf", PDF)
    assert submissions() == []


def test_files_are_served_as_attachments_only_to_those_allowed(client, auth, world, paper):
    a, b = world.a, world.b
    auth.login(a.participants[0])
    upload(client, paper, "Hausarbeit.pdf", PDF)
    [submission] = submissions()
    own = client.get(f"/me/submissions/{submission.id}")
    assert own.status_code == 200 and own.get_data() == PDF
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert "Hausarbeit.pdf" in own.headers["Content-Disposition"]
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.mimetype == "application/pdf"
    auth.logout()

    auth.login(a.participants[1])  # same cohort, not theirs
    assert client.get(f"/me/submissions/{submission.id}").status_code == 404
    auth.logout()
    auth.login(b.participants[0])
    assert client.get(f"/me/submissions/{submission.id}").status_code == 404
    assert client.get(f"/me/assignments/{paper.id}").status_code == 404
    auth.logout()
    auth.login(b.lecturer)
    assert client.get(f"/teaching/submissions/{submission.id}").status_code == 404
    auth.logout()
    auth.login(a.lecturer)  # teaches module 10 in this cohort
    response = client.get(f"/teaching/submissions/{submission.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    auth.logout()
    auth.login(world.coordinator)
    response = client.get(f"/coordination/submissions/{submission.id}")
    assert response.status_code == 200 and response.get_data() == PDF


def test_participant_sees_their_assignments_with_status(client, auth, world, paper):
    paper.due_at = world.now + timedelta(days=5)
    db.session.commit()
    auth.login(world.a.participants[0])
    text = text_of(client.get("/me/assignments"))
    assert "Hausarbeit" in text and "Mündliche Prüfung" in text
    assert "not handed in yet" in text and "required" in text
    upload(client, paper, "a.pdf", PDF)
    assert "handed in (version 1)" in text_of(client.get("/me/assignments"))
