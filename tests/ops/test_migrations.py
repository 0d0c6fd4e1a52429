"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL


def schema_differences(connection: sa.Connection) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return compare_metadata(context, db.metadata)


def test_the_test_database_built_by_migrations_matches_the_models(app):
    with db.engine.connect() as connection:
        assert schema_differences(connection) == []


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    base = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_upgrade_from_empty_downgrade_and_upgrade_again(empty_database_url, tmp_path):
    app = create_app({"LMS_DATABASE_URL": empty_database_url,
                      "LMS_INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            assert {"user_account", "cohort", "meeting", "attendance", "certificate",
                    "calendar_feed", "audit_event"} <= tables
            assert schema_differences(connection) == []

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}

        upgrade()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
        db.engine.dispose()


def test_cli_db_upgrade_on_an_empty_database(empty_database_url, tmp_path):
    app = create_app({"LMS_DATABASE_URL": empty_database_url,
                      "LMS_INSTANCE_PATH": str(tmp_path / "instance")})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert version.scalar() is not None
        db.engine.dispose()
