"""Migration 0006 on a database with issued certificates: SQLite rebuilds the certificate
table (batch mode) while credentials point at it; nothing may be lost either way."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import issue_certificate
from lms.extensions import db
from tests.factories import load_test_course, make_finished_cohort
from tests.ops.test_migrations import empty_database_url  # noqa: F401  (the fixture)


def test_0006_keeps_issued_certificates_and_their_credentials(empty_database_url,  # noqa: F811
                                                              tmp_path, course_dir):
    app = create_app({"LMS_DATABASE_URL": empty_database_url,
                      "LMS_INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
        course = load_test_course(course_dir)
        _cohort, enrollments = make_finished_cohort(course, participants=2)
        for enrollment in enrollments:
            issue_certificate(enrollment)
        db.session.commit()
        db.session.remove()

        def counts() -> tuple[int, int]:
            with db.engine.connect() as connection:
                return (connection.scalar(sa.text("SELECT count(*) FROM certificate")),
                        connection.scalar(sa.text(
                            "SELECT count(*) FROM certificate_credential")))

        assert counts() == (2, 2)
        downgrade(revision="0005_credentials")
        assert counts() == (2, 2)
        upgrade()
        assert counts() == (2, 2)
        statuses = db.session.scalars(sa.select(Certificate.status)).all()
        assert statuses == [CertificateStatus.VALID, CertificateStatus.VALID]
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.session.remove()
        db.engine.dispose()
