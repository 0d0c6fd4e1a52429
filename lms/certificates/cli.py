"""``lms certificates issue COHORT_ID``: issue every eligible certificate of a cohort."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates and confirmations of participation.")


@certificates_cli.command("issue")
@click.argument("cohort_id", type=int)
def issue_command(cohort_id: int) -> None:
    """Issue what each participant of COHORT_ID is eligible for and has not received yet.

    Each certificate is committed on its own, so an interruption or one failure keeps
    those already issued; running the command again issues only what is missing."""
    from lms.certificates.operations import CertificateError, issue_certificate
    from lms.certificates.queries import cohort_progress
    from lms.cohorts.models import Cohort, Enrollment
    from lms.db import utcnow

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort with the id {cohort_id}.")
    waiting = [p.enrollment.id for p in cohort_progress(cohort, utcnow()) if p.needs_issuing]
    if not waiting:
        click.echo(f"{cohort.name}: nobody is waiting for a certificate.")
        return
    issued: list[str] = []
    failed: list[str] = []
    with click.progressbar(waiting, label=f"Issuing for {cohort.name}",
                           show_pos=True) as bar:
        for enrollment_id in bar:
            enrollment = db.session.get(Enrollment, enrollment_id)
            name = enrollment.user.full_name
            try:
                result = issue_certificate(enrollment)
                db.session.commit()
            except CertificateError as exc:
                db.session.rollback()
                failed.append(f"{name}: {exc}")
                continue
            if result.created:
                issued.append(f"{result.certificate.serial}  {name}")
    click.echo(f"Issued {len(issued)} of {len(waiting)}.")
    for line in issued:
        click.echo(f"  {line}")
    if failed:
        for line in failed:
            click.echo(f"  not issued: {line}", err=True)
        raise click.ClickException(f"{len(failed)} could not be issued (see above).")
