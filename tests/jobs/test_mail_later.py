"""Mail a request hands over (``lms.mail.send_later``) leaves after the commit as a job
on the mail queue: not during the request, delivered by a real worker to a real SMTP
server in the recipient's language, retried while the server is down; no secret of the
link ever waits in Redis."""

from __future__ import annotations

import re

import pytest
import redis
from rq import SimpleWorker

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.jobs.queue import QUEUES, rq
from lms.mail import Sending, send_later
from tests.conftest import TEST_REDIS_URL, free_port
from tests.factories import load_test_course, make_cohort, make_user
from tests.helpers import login, text_of
from tests.jobs.conftest import run_worker_process

SMTP = ("LMS_SMTP_HOST", "LMS_SMTP_PORT", "LMS_SMTP_TLS")


@pytest.fixture
def mailing_app(queue_app, app, smtp_server):
    """The queue app, sending to the real SMTP server the ``smtp_server`` fixture runs."""
    queue_app.config.update({key: app.config[key] for key in SMTP})
    return queue_app


@pytest.fixture
def cohort(app, course_dir):
    made = make_cohort(load_test_course(course_dir), company_name="Detecon")
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    return made, coordinator


def invite(queue_app, cohort, language: str):
    made, coordinator = cohort
    client = queue_app.test_client()
    login(client, coordinator)
    return client.post(f"/coordination/cohorts/{made.id}/roster", data={
        "email": "ingrid.blessing@detecon.example", "first_name": "Ingrid",
        "last_name": "Blessing", "title_form": "female", "language": language},
        follow_redirects=True)


def link_in(message) -> str:
    [link] = re.findall(r"http://lms\.test/invitation/[\w-]+",
                        message.get_body(("plain",)).get_content())
    return link.removeprefix("http://lms.test")


def rq_values() -> bytes:
    """Everything RQ keeps in Redis, as one string of bytes."""
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    return b"".join(repr(connection.hgetall(key)).encode() for key in
                    connection.scan_iter("rq:job:*") if connection.type(key) == b"hash")


def test_an_invitation_is_queued_and_a_worker_delivers_it_in_the_invitees_language(
        mailing_app, app_config, cohort, smtp_server):
    queue_app = mailing_app
    page = invite(queue_app, cohort, "en")
    assert "1 Einladung wird verschickt." in text_of(page)
    assert smtp_server.messages == []  # not during the request
    with queue_app.app_context():
        assert rq.get_queue("mail").count == 1
    done = run_worker_process(app_config, LMS_SMTP_HOST="127.0.0.1",
                              LMS_SMTP_PORT=str(queue_app.config["LMS_SMTP_PORT"]),
                              LMS_SMTP_TLS="none")
    assert done.returncode == 0, done.stderr
    [message] = smtp_server.messages
    assert message["To"] == "ingrid.blessing@detecon.example"
    assert message["Subject"].startswith("Invitation")  # her language, not the page's
    link = link_in(message)
    assert link.rsplit("/", 1)[1].encode() not in rq_values()  # the job is gone, no secret
    assert queue_app.test_client().get(link).status_code == 200


def test_smtp_down_then_up_the_mail_arrives_on_a_retry_with_a_working_link(
        mailing_app, cohort, smtp_server):
    queue_app = mailing_app
    port = queue_app.config["LMS_SMTP_PORT"]
    queue_app.config["LMS_SMTP_PORT"] = free_port()  # nobody listens there
    invite(queue_app, cohort, "de")
    with queue_app.app_context():
        queues = [rq.get_queue(name) for name in QUEUES]
        worker = SimpleWorker(queues, connection=queues[0].connection,
                              job_class=queues[0].job_class)
        worker.work(burst=True, max_jobs=1)  # the first attempt: refused
        assert smtp_server.messages == [] and worker.failed_job_count == 0
        queue_app.config["LMS_SMTP_PORT"] = port  # the server is back
        worker.work(burst=True)
    [message] = smtp_server.messages
    assert message["Subject"].startswith("Einladung")
    assert queue_app.test_client().get(link_in(message)).status_code == 200


def test_a_mail_of_a_rolled_back_transaction_is_never_sent(app, smtp_server):
    user = make_user(Role.PARTICIPANT)
    db.session.commit()
    outgoing = send_later(db.session.get(User, user.id), "password_reset", link="x")
    db.session.rollback()
    assert outgoing.state == Sending.DROPPED and smtp_server.messages == []
    outgoing = send_later(db.session.get(User, user.id), "password_reset", link="x")
    assert smtp_server.messages == []
    db.session.commit()
    assert outgoing.state == Sending.SENT and len(smtp_server.messages) == 1
