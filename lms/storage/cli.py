"""``lms doctor`` and ``lms storage migrate``: thin commands over lms.storage.maintenance."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

storage_cli = AppGroup("storage", help="The file store: submissions, certificates, exports.")


@click.command("doctor")
@click.option("--quick", is_flag=True,
              help="Check presence and size only, without reading every file.")
@with_appcontext
def doctor_command(quick: bool) -> None:
    """Check that every file the database names is in the store with its SHA-256 (run it
    after restoring a backup). Exits with 1 when a file is missing or changed."""
    from lms.extensions import db
    from lms.storage import storage
    from lms.storage.maintenance import LISTED, check_store

    report = check_store(db.session, storage(), hash_files=not quick)
    db.session.rollback()
    what = "present with the recorded SHA-256" if report.hashed else "present (sizes only)"
    click.echo(f"Store: {report.store}")
    click.echo(f"Files the database names: {report.checked}; "
               f"{report.checked - len(report.problems)} {what}, "
               f"{len(report.problems)} with problems.")
    for problem in report.problems:
        click.echo(f"  {problem}")
    for area, names in report.orphans.items():
        click.echo(f"Named by no row in {area}: {len(names)} (a failed or running upload; "
                   "left in place)")
        for name in names[:LISTED]:
            click.echo(f"  {area}/{name}")
        if len(names) > LISTED:
            click.echo(f"  … and {len(names) - LISTED} more")
    if not report.healthy:
        raise SystemExit(1)


@storage_cli.command("migrate")
@click.option("--from", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="The local store to copy (default: LMS_STORAGE_DIR).")
def migrate_command(folder: Path | None) -> None:
    """Copy the local folder store into the bucket of LMS_STORAGE_URL and verify every
    SHA-256. Safe to run again: files already copied are verified, not copied twice.
    Exits with 1 when a file differs or cannot be copied."""
    from lms.extensions import db
    from lms.storage import storage
    from lms.storage.local import LocalStorage
    from lms.storage.maintenance import migrate_store

    target = storage()
    if isinstance(target, LocalStorage):
        raise click.ClickException("LMS_STORAGE_URL names no bucket: set it to "
                                   "s3://bucket/prefix to migrate into object storage.")
    folder = folder or Path(current_app.config["LMS_STORAGE_DIR"])
    if not folder.is_dir():
        raise click.ClickException(f"{folder} is not a folder.")
    report = migrate_store(db.session, LocalStorage(folder), target)
    db.session.rollback()
    click.echo(f"From {report.source} to {report.target}:")
    click.echo(f"  copied and verified: {report.copied}")
    click.echo(f"  already in the bucket, verified: {report.present}")
    click.echo(f"  problems: {len(report.problems)}")
    for problem in report.problems:
        click.echo(f"    {problem}")
    if not report.complete:
        raise SystemExit(1)
