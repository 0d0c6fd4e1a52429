"""`lms doctor` finds every file the database names, with its SHA-256, on either store;
`lms storage migrate` copies a folder into a bucket, verifies every file, copies nothing
twice and overwrites nothing that differs."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import sqlalchemy as sa

from lms.assignments.models import Assignment, Submission
from lms.certificates.operations import issue_certificate
from lms.db import utcnow
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.materials.models import CourseMaterial
from lms.storage import read_stored, remove_stored, storage, store_bytes, stored_exists
from lms.storage.inventory import models_with_files
from tests.factories import make_finished_cohort
from tests.seaweed import BUCKET
from tests.storage.conftest import use_storage


def hand_in(enrollment, text: str) -> Submission:
    """A paper handed in (as submit_file records it; the finished cohort's papers are
    graded already, so submit_file itself would refuse)."""
    paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=enrollment.cohort_id,
                                                              key="hausarbeit"))
    data = _tiny_pdf(text)
    name, digest = store_bytes("submissions", data)
    submission = Submission(assignment=paper, enrollment=enrollment, version=1,
                            original_filename=f"{text}.pdf", stored_name=name,
                            content_type="application/pdf", size_bytes=len(data),
                            sha256=digest, submitted_at=utcnow())
    db.session.add(submission)
    db.session.flush()
    return submission


def without_standing_materials() -> None:
    """The course was loaded into the store of its fixture, with its standing materials
    (lms/materials/content.py): forgotten here, rows and files, so that the files counted
    below are the ones these tests store."""
    for material in db.session.scalars(sa.select(CourseMaterial)):
        if material.stored_name and stored_exists(material.storage_area, material.stored_name):
            remove_stored(material.storage_area, material.stored_name)
    db.session.execute(sa.delete(CourseMaterial))
    db.session.commit()


@pytest.fixture
def files(course, backend):
    """Two participants' papers and a certificate, committed, in the current store."""
    without_standing_materials()
    _cohort, (first, second) = make_finished_cohort(course, participants=2)
    papers = [hand_in(first, "Erste Arbeit"), hand_in(second, "Zweite Arbeit")]
    db.session.commit()
    certificate = issue_certificate(first).certificate
    db.session.commit()
    return papers, certificate


def test_every_model_that_names_a_file_declares_its_area():
    """A table with a ``stored_name`` is in the inventory (else `lms doctor` and the
    migration would silently pass its files by), with the SHA-256 they check."""
    naming = {mapper.class_ for mapper in db.Model.registry.mappers
              if "stored_name" in mapper.columns}
    assert naming and naming == set(models_with_files())
    for model in naming:
        assert "sha256" in model.__mapper__.columns, model


def test_doctor_finds_every_named_file_intact(backend, files, runner):
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert f"Store: {backend.description}" in result.output
    assert "Files the database names: 3; 3 present with the recorded SHA-256, 0 with " \
           "problems." in result.output
    assert "Named by no row" not in result.output


def test_doctor_names_missing_and_changed_files(backend, files, runner):
    (first, second), certificate = files
    backend.remove("submissions", first.stored_name)
    other = _tiny_pdf("Ausgetauscht")
    other = other + b" " * (second.size_bytes - len(other))  # same size, other bytes
    backend.put("submissions", second.stored_name, other, hashlib.sha256(other).hexdigest())
    orphan, _ = store_bytes("submissions", b"left by a failed upload")
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1, result.output
    assert "Files the database names: 3; 1 present with the recorded SHA-256, 2 with " \
           "problems." in result.output
    assert (f"missing: submissions/{first.stored_name} (named by submission {first.id})"
            in result.output)
    assert (f"changed: submissions/{second.stored_name} (named by submission {second.id}) "
            f"has SHA-256 {hashlib.sha256(other).hexdigest()}, the database records "
            f"{second.sha256}") in result.output
    assert "Named by no row in submissions: 1" in result.output
    assert f"submissions/{orphan}" in result.output
    assert certificate.stored_name not in result.output
    # --quick sees what is missing, not what changed in place.
    quick = runner.invoke(args=["doctor", "--quick"])
    assert quick.exit_code == 1
    assert "2 present (sizes only), 1 with problems" in quick.output
    # An orphan alone is no failure.
    backend.put("submissions", first.stored_name, _tiny_pdf("Erste Arbeit"), first.sha256)
    backend.put("submissions", second.stored_name, _tiny_pdf("Zweite Arbeit"), second.sha256)
    healed = runner.invoke(args=["doctor"])
    assert healed.exit_code == 0, healed.output
    assert "Named by no row in submissions: 1" in healed.output


@pytest.fixture
def folder_then_bucket(app, tmp_path, seaweed, files_in_folder):
    """The files were stored in a folder; now the app is configured for a bucket."""
    prefix = f"m-{uuid.uuid4().hex[:12]}"
    with use_storage(app, {**seaweed.settings(prefix=prefix),
                           "LMS_STORAGE_DIR": files_in_folder["folder"]}) as bucket:
        yield {**files_in_folder, "bucket": bucket, "prefix": prefix}


@pytest.fixture
def files_in_folder(app, tmp_path, course):
    folder = str(tmp_path / "old-storage")
    without_standing_materials()
    with use_storage(app, {"LMS_STORAGE_URL": "", "LMS_STORAGE_DIR": folder}):
        _cohort, (first, second) = make_finished_cohort(course, participants=2)
        papers = [hand_in(first, "Erste Arbeit"), hand_in(second, "Zweite Arbeit")]
        db.session.commit()
        orphan, _ = store_bytes("exports", b"an export nobody names")
        contents = {("submissions", p.stored_name): read_stored("submissions", p.stored_name)
                    for p in papers}
        contents["exports", orphan] = read_stored("exports", orphan)
        local = storage()
    return {"folder": folder, "papers": papers, "contents": contents, "local": local}


def test_migrate_copies_the_folder_into_the_bucket_and_verifies(folder_then_bucket, runner,
                                                                seaweed):
    setup = folder_then_bucket
    result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code == 0, result.output
    assert "copied and verified: 3" in result.output
    assert "already in the bucket, verified: 0" in result.output
    assert "problems: 0" in result.output
    client = seaweed.client()
    for (area, name), data in setup["contents"].items():
        key = f"{setup['prefix']}/{area}/{name}"
        assert client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data
    # A second run copies nothing and verifies everything.
    again = runner.invoke(args=["storage", "migrate"])
    assert again.exit_code == 0, again.output
    assert "copied and verified: 0" in again.output
    assert "already in the bucket, verified: 3" in again.output
    # And the app now finds every file in the bucket.
    doctor = runner.invoke(args=["doctor"])
    assert doctor.exit_code == 0 and "s3://" in doctor.output
    assert "Named by no row in exports" not in doctor.output  # (no row names exports)


def test_migrate_overwrites_nothing_that_differs_and_says_so(folder_then_bucket, runner):
    setup = folder_then_bucket
    first, second = setup["papers"]
    other = b"other bytes under the same name"
    setup["bucket"].put("submissions", first.stored_name, other,
                        hashlib.sha256(other).hexdigest())
    broken = b"%PDF- changed on disk"
    setup["local"].put("submissions", second.stored_name, broken,
                       hashlib.sha256(broken).hexdigest())
    result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code == 1, result.output
    assert "copied and verified: 1" in result.output  # the export
    assert "problems: 2" in result.output
    assert (f"submissions/{first.stored_name}: the bucket holds other bytes" in result.output)
    assert (f"submissions/{second.stored_name}: the folder's file has SHA-256 "
            f"{hashlib.sha256(broken).hexdigest()}, the database records {second.sha256} "
            f"(submission {second.id}); not copied") in result.output
    assert setup["bucket"].digest("submissions", first.stored_name)[0] == (
        hashlib.sha256(other).hexdigest())  # left as it was
    assert not setup["bucket"].exists("submissions", second.stored_name)


def test_migrate_needs_a_bucket(runner, app, tmp_path):
    with use_storage(app, {"LMS_STORAGE_URL": "", "LMS_STORAGE_DIR": str(tmp_path)}):
        result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code == 1
    assert "LMS_STORAGE_URL names no bucket" in result.output
