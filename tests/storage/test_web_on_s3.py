"""The web's upload and download paths with object storage (a real SeaweedFS): an upload
lands in the bucket with its SHA-256, a download streams the object byte-identical, a
failed transaction leaves no object, and presigned redirects work and expire."""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.error
import urllib.request
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from lms.assignments.models import Assignment, Submission
from lms.certificates.operations import issue_certificate
from lms.demo import _tiny_pdf
from lms.extensions import db
from tests.factories import load_test_course, make_finished_cohort
from tests.helpers import build_world, text_of
from tests.seaweed import BUCKET
from tests.storage.conftest import use_storage

# A real PDF, padded past several read chunks: big enough that streaming matters.
PDF = _tiny_pdf("Hausarbeit") + b"%" * (3 * 1024 * 1024)


@pytest.fixture
def on_s3(app, seaweed):
    """The app on a fresh prefix of the test bucket; yields the prefix."""
    prefix = f"web-{uuid.uuid4().hex[:12]}"
    with use_storage(app, seaweed.settings(prefix=prefix)):
        yield prefix


@pytest.fixture
def world(app, course_dir, on_s3):
    world = build_world(course_dir, participants=2)
    world.paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=world.a.cohort.id,
                                                                    key="hausarbeit"))
    return world


def upload(client, assignment, name, data):
    return client.post(f"/me/assignments/{assignment.id}",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def objects(seaweed, prefix: str) -> list[str]:
    """What the tests here stored (not the course's own materials, which loading the
    course puts in the area "materials")."""
    listing = seaweed.client().list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")
    return sorted(entry["Key"] for entry in listing.get("Contents", ())
                  if not entry["Key"].startswith(f"{prefix}/materials/"))


def only_submission() -> Submission:
    db.session.expire_all()
    [submission] = db.session.scalars(sa.select(Submission)).all()
    return submission


def test_an_upload_through_the_web_lands_in_the_bucket(client, auth, world, seaweed, on_s3, app):
    auth.login(world.a.participants[0])
    assert upload(client, world.paper, "Hausarbeit.pdf", PDF).status_code == 302
    submission = only_submission()
    key = f"{on_s3}/submissions/{submission.stored_name}"
    assert objects(seaweed, on_s3) == [key]
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert stored["Body"].read() == PDF
    assert submission.sha256 == hashlib.sha256(PDF).hexdigest()
    # The store holds the SHA-256 it checked the upload against.
    assert base64.b64decode(stored["ChecksumSHA256"]).hex() == submission.sha256
    assert not list(Path(app.config["LMS_STORAGE_DIR"]).glob(f"*/{submission.stored_name}"))


def test_a_download_streams_the_object_byte_identical(client, auth, world, on_s3):
    participant = world.a.participants[0]
    auth.login(participant)
    upload(client, world.paper, "Hausarbeit Jürgen.pdf", PDF)
    submission = only_submission()
    response = client.get(f"/me/submissions/{submission.id}")
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.headers["Content-Length"] == str(len(PDF))
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "J%C3%BCrgen" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    again = client.get(f"/me/submissions/{submission.id}",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    # The lecturer's ZIP of everyone's newest version is built from the bucket too.
    auth.logout()
    auth.login(world.a.lecturer)
    archive = client.get(f"/teaching/assignments/{world.paper.id}/submissions.zip")
    [name] = zipfile.ZipFile(io.BytesIO(archive.get_data())).namelist()
    assert zipfile.ZipFile(io.BytesIO(archive.get_data())).read(name) == PDF


def test_a_failed_transaction_leaves_no_object(client, auth, world, seaweed, on_s3, monkeypatch):
    from sqlalchemy.exc import OperationalError

    auth.login(world.a.participants[0])

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception("connection lost"))

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = upload(client, world.paper, "a.pdf", PDF)
    monkeypatch.undo()
    assert response.status_code == 200 and "could not be saved" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
    assert objects(seaweed, on_s3) == []


def test_a_certificate_is_issued_into_the_bucket_and_served_as_issued(app, client, auth, course_dir,
                                                                       seaweed, on_s3):
    course = load_test_course(course_dir)
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    certificate = issue_certificate(enrollment).certificate
    db.session.commit()
    key = f"{on_s3}/certificates/{certificate.stored_name}"
    pdf = seaweed.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    auth.login(enrollment.user)
    response = client.get(f"/me/certificates/{certificate.id}/download")
    assert response.status_code == 200 and response.get_data() == pdf
    assert response.headers["ETag"] == f'"{certificate.sha256}"'
    # A rolled-back issue leaves no object behind.
    _cohort, (second,) = make_finished_cohort(course)
    db.session.commit()
    rolled_back = issue_certificate(second).certificate.stored_name
    db.session.rollback()
    assert objects(seaweed, on_s3) == [key]
    assert rolled_back not in str(objects(seaweed, on_s3))


def test_an_unreachable_store_is_a_503_and_nothing_is_written(client, auth, world, app):
    auth.login(world.a.participants[0])
    app.config["LMS_S3_ENDPOINT_URL"] = "http://127.0.0.1:9"  # (nothing listens there)
    response = upload(client, world.paper, "a.pdf", PDF)
    assert response.status_code == 503
    assert "try again in a few minutes" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


@pytest.fixture
def presigned(app, seaweed, world, on_s3):
    app.config["LMS_STORAGE_PRESIGNED"] = 60


def test_a_presigned_download_redirects_to_the_object_itself(client, auth, world, presigned,
                                                            seaweed):
    auth.login(world.a.participants[0])
    upload(client, world.paper, "Hausarbeit Jürgen.pdf", PDF)
    submission = only_submission()
    response = client.get(f"/me/submissions/{submission.id}")
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "private, no-store"
    url = response.headers["Location"]
    assert url.startswith(seaweed.endpoint + f"/{BUCKET}/")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    with urllib.request.urlopen(url) as fetched:  # noqa: S310 (the test store's own address)
        assert fetched.read() == PDF
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert "J%C3%BCrgen" in fetched.headers["Content-Disposition"]
    # Access is still the app's: another participant gets no address at all.
    auth.logout()
    auth.login(world.a.participants[1])
    assert client.get(f"/me/submissions/{submission.id}").status_code == 404


def test_a_presigned_address_expires_and_names_one_object_only(client, auth, world, presigned,
                                                              seaweed, monkeypatch):
    import botocore.auth

    auth.login(world.a.participants[0])
    upload(client, world.paper, "a.pdf", PDF)
    submission = only_submission()
    # An address signed two minutes ago with a lifetime of 60 seconds has expired.
    signed_at = botocore.auth.get_current_datetime() - timedelta(minutes=2)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at)
    stale = client.get(f"/me/submissions/{submission.id}").headers["Location"]
    monkeypatch.undo()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(stale)  # noqa: S310
    assert refused.value.code == 403 and b"expired" in refused.value.read()
    # A fresh one works, but not for another key: the signature covers the object.
    fresh = client.get(f"/me/submissions/{submission.id}").headers["Location"]
    with urllib.request.urlopen(fresh) as fetched:  # noqa: S310
        assert fetched.status == 200
    other = fresh.replace(submission.stored_name, "0" * 32)
    with pytest.raises(urllib.error.HTTPError) as forged:
        urllib.request.urlopen(other)  # noqa: S310
    assert forged.value.code == 403
