"""Alembic environment, run through Flask-Migrate (``lms db ...``)."""

import logging
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from flask import current_app

from lms.db import UTCDateTime

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types, so revisions never import lms."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_revisions(context: Any, revision: Any, directives: list[Any]) -> None:
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    context.configure(
        url=migrate_ext.db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_revisions)
    options.setdefault("render_item", render_item)
    options.setdefault("compare_type", True)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
