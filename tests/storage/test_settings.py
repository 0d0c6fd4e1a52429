"""The store is chosen by settings; a wrong one stops start-up with one sentence."""

from __future__ import annotations

import io

import pytest
from flask import send_file

from lms import ConfigError, create_app
from lms.storage import storage
from lms.storage.local import LocalStorage
from lms.storage.s3 import S3Storage, attachment


def make(tmp_path, **settings):
    settings.setdefault("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app(settings)


def test_without_a_bucket_the_files_are_in_the_folder(tmp_path):
    app = make(tmp_path, LMS_STORAGE_DIR=str(tmp_path / "files"))
    backend = storage(app)
    assert isinstance(backend, LocalStorage) and backend.root == tmp_path / "files"
    assert (tmp_path / "files").is_dir()


def test_a_bucket_url_chooses_object_storage_and_makes_no_folder(tmp_path):
    app = make(tmp_path, LMS_STORAGE_URL="s3://lms-files/prod/", LMS_STORAGE_PRESIGNED="60",
               LMS_S3_ENDPOINT_URL="https://s3.uni.example:9000",
               LMS_STORAGE_DIR=str(tmp_path / "old"))
    backend = storage(app)
    assert isinstance(backend, S3Storage)
    assert (backend.bucket, backend.prefix) == ("lms-files", "prod")
    assert backend.key("certificates", "ab" * 16 + ".pdf") == f"prod/certificates/{'ab' * 16}.pdf"
    assert backend.presigned_seconds == 60
    assert backend.endpoint_url == "https://s3.uni.example:9000"
    assert backend.description == "s3://lms-files/prod at https://s3.uni.example:9000"
    assert not (tmp_path / "old").exists()  # (only `lms storage migrate` reads it)
    plain = S3Storage.from_url("s3://lms-files")
    assert plain.key("submissions", "cd" * 16) == f"submissions/{'cd' * 16}"


def test_a_changed_setting_builds_the_store_anew(tmp_path):
    app = make(tmp_path)
    first = storage(app)
    assert storage(app) is first
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "elsewhere")
    assert storage(app) is not first and storage(app).root == tmp_path / "elsewhere"


@pytest.mark.parametrize(("settings", "message"), [
    ({"LMS_STORAGE_URL": "https://bucket.example/files"}, "LMS_STORAGE_URL must be s3://"),
    ({"LMS_STORAGE_URL": "s3:///prefix"}, "LMS_STORAGE_URL must be s3://"),
    ({"LMS_STORAGE_URL": "s3://b/p?x=1"}, "LMS_STORAGE_URL must be s3://"),
    ({"LMS_STORAGE_URL": "s3://lms", "LMS_S3_ENDPOINT_URL": "s3.example:9000"},
     "LMS_S3_ENDPOINT_URL must be an http or https address"),
    ({"LMS_STORAGE_URL": "s3://lms", "LMS_STORAGE_PRESIGNED": "soon"},
     "LMS_STORAGE_PRESIGNED must be how many seconds"),
    ({"LMS_STORAGE_URL": "s3://lms", "LMS_STORAGE_PRESIGNED": "86400"},
     r"from 0 \(off\) to 3600"),
    ({"LMS_STORAGE_PRESIGNED": "60"}, "LMS_STORAGE_PRESIGNED needs object storage"),
])
def test_a_wrong_storage_setting_is_one_sentence(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        make(tmp_path, **settings)


def test_the_attachment_header_is_the_one_send_file_writes(app):
    """A presigned download names the file as the app's own download would."""
    with app.test_request_context():
        for name in ("Zertifikat.pdf", "Müller Arbeit.pdf", 'Notiz "final".pdf', "日本.pdf"):
            written = send_file(io.BytesIO(b"x"), download_name=name, as_attachment=True,
                                mimetype="application/pdf")
            assert attachment(name) == written.headers["Content-Disposition"], name
            written.close()
