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

    Runs the same job as the page's "Issue all eligible": every certificate is reserved
    with its serial first, then rendered (by the workers when LMS_REDIS_URL is set,
    here otherwise); this command shows the progress until the job has finished.
    Running it again issues only what is missing, including any reserved certificate
    whose rendering failed."""
    import time

    from lms.certificates.queries import list_job_certificates
    from lms.cohorts.models import Cohort
    from lms.jobs.models import BackgroundJob, JobKind
    from lms.jobs.operations import create_job
    from lms.jobs.queries import unfinished_job
    from lms.jobs.queue import dispatch

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort with the id {cohort_id}.")
    job = unfinished_job(cohort, JobKind.CERTIFICATE_BATCH)
    if job is None:
        job = create_job(JobKind.CERTIFICATE_BATCH, cohort=cohort)
        db.session.commit()
        dispatch(job)
    else:
        click.echo(f"A batch for {cohort.name} is running already (job {job.id}).")
    job_id = job.id
    shown = 0
    with click.progressbar(length=1, label=f"Issuing for {cohort.name}", show_pos=True) as bar:
        while True:
            db.session.rollback()  # a fresh look at the row
            job = db.session.get_one(BackgroundJob, job_id)
            if job.total is not None:
                bar.length = max(job.total, 1)
                bar.update(job.done + job.failed - shown)
                shown = job.done + job.failed
            if job.state.finished:
                break
            time.sleep(0.5)
    certificates = list_job_certificates(job_id)
    if not certificates:
        click.echo(f"{cohort.name}: nobody is waiting for a certificate.")
        return
    click.echo(f"Issued {job.done} of {job.total}.")
    for certificate in certificates:
        click.echo(f"  {certificate.serial}  {certificate.enrollment.user.full_name}"
                   f"  ({certificate.status.value})")
    if job.failed or job.state.value == "failed":
        raise click.ClickException(
            f"{job.failed} could not be issued: {job.error} (they keep their serial "
            f"numbers; run the command again to issue them).")
