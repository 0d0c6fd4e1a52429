"""Two hosts act as one: two app processes (gunicorn) with instance folders of their own
(no shared disk) and one job worker, sharing PostgreSQL, Redis and an S3 store
(SeaweedFS). A file handed in through host A downloads through host B byte for byte; a
batch of certificates started on A is issued by the worker and verifies on B; failed
logins counted on A throttle B; a calendar feed changed through A is changed on B.

PostgreSQL only (``LMS_TEST_DATABASE_URL``): on SQLite the processes would share a file,
not a server, which proves nothing about hosts. Slow: it starts four processes."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, free_port, require_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="two hosts share a database server (PostgreSQL), not a file"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BASE_URL = "http://lms.test"  # the public address both hosts serve (behind one proxy)
THROTTLE_URL = os.environ.get("LMS_TEST_REDIS_THROTTLE_URL", "redis://127.0.0.1:6379/15")


class Host:
    """A browser's view of one host: its cookies, the forms' CSRF tokens."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port
        self.cookies = http.cookiejar.CookieJar()

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), Stay)
        self.opener.addheaders = [("User-Agent", "two-hosts-test"), ("Accept-Language", "en")]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        return self._open(urllib.request.Request(  # noqa: S310 (loopback, http)
            self.url(path), headers=headers or {}))

    def post(self, path: str, fields: dict[str, str], *, form_page: str | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> tuple[int, dict, bytes]:
        _status, _headers, page = self.get(form_page or path)
        fields = {**fields, "csrf_token": csrf_token(page)}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self._open(urllib.request.Request(  # noqa: S310 (loopback, http)
            self.url(path), data=body, headers={"Content-Type": content_type}))

    def login(self, email: str, password: str) -> int:
        return self.post("/login", {"email": email, "password": password})[0]

    def _open(self, request: urllib.request.Request) -> tuple[int, dict, bytes]:
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read()


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:300]
    return match.group(1).decode()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
              ) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data, mimetype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Cluster:
    a: Host
    b: Host
    processes: list[subprocess.Popen]


def environment(instance: Path, seaweed, prefix: str) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.credentials.keys import private_multibase

    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ.update(seaweed.environment())
    environ.update({k: str(v) for k, v in seaweed.settings(prefix).items()})
    environ.update({
        "LMS_DATABASE_URL": TEST_DATABASE_URL, "LMS_REDIS_URL": TEST_REDIS_URL,
        "LMS_RATELIMIT_STORAGE_URL": THROTTLE_URL, "LMS_INSTANCE_PATH": str(instance),
        "LMS_BASE_URL": BASE_URL, "LMS_SECRET_KEY": SHARED["secret"],
        "LMS_CREDENTIALS_KEY": SHARED.setdefault(
            "key", private_multibase(Ed25519PrivateKey.generate())),
        "LMS_JOB_RETRY_INTERVALS": "0,0", "PYTHONUNBUFFERED": "1"})
    return environ


SHARED = {"secret": secrets.token_hex(32)}


def wait_until_ready(host: Host, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"host {host.name} stopped: {process.returncode}")
        try:
            if host.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"host {host.name} did not start")


@pytest.fixture
def cluster(app, seaweed, tmp_path) -> Iterator[Cluster]:
    require_redis()
    import redis

    redis.Redis.from_url(THROTTLE_URL).flushdb()
    prefix = f"two-hosts-{secrets.token_hex(4)}"
    processes: list[subprocess.Popen] = []
    hosts = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"host-{name}.log", "w")  # noqa: SIM115
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                 "lms:create_app()"],
                cwd=ROOT, env=environment(tmp_path / f"instance-{name}", seaweed, prefix),
                stdout=log, stderr=subprocess.STDOUT))
            hosts.append(Host(name, port))
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
        processes.append(subprocess.Popen(
            [str(BIN / "lms"), "worker"], cwd=ROOT,
            env=environment(tmp_path / "instance-worker", seaweed, prefix),
            stdout=log, stderr=subprocess.STDOUT))
        for host, process in zip(hosts, processes, strict=False):
            wait_until_ready(host, process)
        yield Cluster(hosts[0], hosts[1], processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.Redis.from_url(THROTTLE_URL).flushdb()


@pytest.fixture
def people(app, course_dir):
    from datetime import UTC, datetime, timedelta

    from lms.accounts.models import Locale, Role
    from lms.extensions import db
    from lms.ical.operations import issue_personal_feed
    from tests.factories import (
        PASSWORD,
        enroll,
        load_test_course,
        make_cohort,
        make_finished_cohort,
        make_meeting,
        make_user,
    )

    course = load_test_course(course_dir)
    finished, graduates = make_finished_cohort(course, participants=3)
    running = make_cohort(course)
    participant = enroll(running).user
    coordinator = make_user(Role.COORDINATOR)
    for user in (participant, coordinator):
        user.locale = Locale.EN
    meeting = make_meeting(running, datetime.now(UTC).replace(microsecond=0)
                           + timedelta(days=14))
    _feed, token = issue_personal_feed(participant)
    db.session.commit()
    return {"finished": finished.id, "graduates": len(graduates), "coordinator":
            coordinator.email, "participant": participant.email, "password": PASSWORD,
            "running": running.id, "meeting": meeting.id, "feed": f"/calendar/feed/{token}.ics"}


def test_two_hosts_act_as_one(cluster, people, app):
    import sqlalchemy as sa

    from lms.assignments.models import Assignment, Submission
    from lms.certificates.models import Certificate, CertificateStatus
    from lms.cohorts.models import Enrollment
    from lms.curriculum.models import AssessmentKind
    from lms.demo import _tiny_pdf
    from lms.extensions import db

    a, b = cluster.a, cluster.b

    # A file handed in through A downloads through B, byte for byte (no shared disk).
    paper = db.session.scalar(sa.select(Assignment).filter_by(
        cohort_id=people["running"], kind=AssessmentKind.PAPER))
    for host in (a, b):
        assert host.login(people["participant"], people["password"]) == 302
    work = _tiny_pdf("Hausarbeit über zwei Hosts")
    status, _h, _page = a.post(f"/me/assignments/{paper.id}", {},
                               files={"file": ("arbeit.pdf", work, "application/pdf")})
    assert status == 302
    db.session.expire_all()
    submission = db.session.scalar(sa.select(Submission).filter_by(assignment_id=paper.id))
    status, _h, downloaded = b.get(f"/me/submissions/{submission.id}")
    assert status == 200 and downloaded == work

    # A feed seen on both hosts; a meeting cancelled through A; B serves the change.
    feed = people["feed"]
    before = {host.name: host.get(feed)[2] for host in (a, b)}
    assert before["a"] == before["b"] and b"CANCELLED" not in before["b"]
    a, b = Host("a, coordinator", a.port), Host("b, coordinator", b.port)
    for host in (a, b):
        assert host.login(people["coordinator"], people["password"]) == 302
    status, _h, _page = a.post(f"/coordination/meetings/{people['meeting']}/cancel",
                               {"reason": "Raum gesperrt"},
                               form_page=f"/coordination/meetings/{people['meeting']}/edit")
    assert status == 302
    after = b.get(feed)[2]
    assert b"STATUS:CANCELLED" in after and after == a.get(feed)[2]

    # A batch started on A: the worker issues it, B shows the job and verifies each.
    status, headers, _page = a.post(
        f"/coordination/cohorts/{people['finished']}/certificates/issue-all", {},
        form_page=f"/coordination/cohorts/{people['finished']}/certificates")
    assert status == 302 and "/coordination/jobs/" in headers["Location"]
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    for _ in range(900):
        state = json.loads(b.get(job_path, {"Accept": "application/json"})[2])
        if state["finished"]:
            break
        time.sleep(0.2)
    assert (state["state"], state["done"]) == ("succeeded", people["graduates"]), state
    db.session.expire_all()
    issued = db.session.scalars(sa.select(Certificate).join(Certificate.enrollment).where(
        Enrollment.cohort_id == people["finished"])).all()
    assert [c.status for c in issued] == [CertificateStatus.VALID] * people["graduates"]
    for certificate in issued:
        status, _h, page = b.get(f"/verify/{certificate.verification_code}")
        assert status == 200 and b"Valid" in page, page[:500]
    status, _h, pdf = b.get(f"/coordination/certificates/{issued[0].id}/download")
    assert status == 200 and pdf.startswith(b"%PDF")
    anonymous = Host("b, anonymous", b.port)
    status, _h, verdict = anonymous.post("/verify/file", {}, form_page="/verify",
                                         files={"file": ("c.pdf", pdf, "application/pdf")})
    assert status == 200 and b"Valid" in verdict

    # Failed logins counted on A throttle the same account from the same address on B.
    stranger_a, stranger_b = Host("a, stranger", a.port), Host("b, stranger", b.port)
    statuses = [stranger_a.login(people["coordinator"], "wrong-password") for _ in range(5)]
    assert statuses == [200] * 5
    assert stranger_b.login(people["coordinator"], "wrong-password") == 429
