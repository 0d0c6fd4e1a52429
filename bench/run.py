"""The whole benchmark suite (issue 7): `make bench`, or

    .venv/bin/python bench/run.py [--duration 5] [--connections 4] [--skip-others]

1. Builds a dataset on PostgreSQL (the database ``bench`` on 127.0.0.1:5432 unless
   LMS_BENCH_DATABASE_URL names another; **its schema is dropped first**): 800 participants
   in 40 cohorts, each cohort with a year of meetings (two a week) and the attendance of
   every meeting already held, bulk-inserted.
2. Counts the SQL statements of each measured page in-process (Flask test client, a
   SQLAlchemy event listener on the engine), once on a small dataset (one cohort of three,
   eight meetings) and once on the large one: the counts should not depend on data size.
3. Serves the app under gunicorn (2 sync workers, 127.0.0.1, a free port, in-memory rate
   limits, no SMTP), plus a bare endpoint ``/_bench/bare`` that returns "ok" — added by
   the WSGI wrapper ``bench/ical_bench.py:served_app()``, never by the product — logs in
   with real sessions and drives every page with wrk (loopback only, bounded duration),
   reporting requests per second and p50/p95 latency, each as a ratio to the bare endpoint
   of the same run.
4. Runs the certificate and feed benchmarks (bench/certificates_bench.py,
   bench/ical_bench.py) on the same database and takes their headline figures.

Prints one table. A benchmark, not a test: it reports against the goals and exits 0
whether they are met or not (it fails only if it cannot measure at all).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))  # ical_bench: the app plus /_bench/bare

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
PASSWORD = "Bench-Zugang-2026"  # noqa: S105 (benchmark accounts on a throw-away database)
USER_AGENT = "lms-bench/1.0"  # Flask-Login's strong session protection binds it to the session
ZONE = ZoneInfo("Europe/Berlin")
START = "participant start page"
ROSTER = "lecturer attendance page"
MATRIX = "coordinator matrix"
MATRIX_ANEW = "coordinator matrix, anew"  # its kept rendering dropped before each request
FLOOR_LEAN = "floor: lean reference"
FLOOR_LOGGED_IN = "floor: logged in, no work"
FLOOR_EMPTY_PAGE = "floor: logged in, empty page"
FLOORS = (FLOOR_LEAN, FLOOR_LOGGED_IN, FLOOR_EMPTY_PAGE)
# Issue 13's goals, as fractions of the bare endpoint's requests per second (one run)
RATIO_GOALS = {FLOOR_LOGGED_IN: 0.45, FLOOR_EMPTY_PAGE: 0.30, START: 0.10, MATRIX: 0.15}
LEAN_GOAL = 0.9  # the product's floor against the lean reference
P95_GOALS_MS = {START: 400, ROSTER: 500, MATRIX: 400}  # p95 at HEAVY_CONNECTIONS
HEAVY_CONNECTIONS = 40
ROW_GOAL_MS = 0.3  # the attendance page, per roster row
CELL_GOAL_US = 20  # the matrix uncached, per cell
API = "api token"  # a page_paths "who": the API, with the probe's token instead of a login
API_CERTIFICATES = 1000  # certificates the API lists, in cursor pages of 100


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- database


def check_url(url: str) -> str:
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if name == "test" or name.startswith("test_"):
        sys.exit(f"refusing to use {name!r}: the test databases are not for benchmarks")
    return url


def ensure_database(url: str) -> None:
    """Create the database if it does not exist (trust auth on the maintenance database)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url).set(drivername="postgresql+psycopg")
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": parsed.database})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
            log(f"created database {parsed.database}")
    server.dispose()


def fresh_app(url: str):
    """Drop the schema, migrate, and return the app (the real one, from LMS_* settings)."""
    from flask_migrate import upgrade

    from lms import create_app
    from tests.conftest import reset_database

    reset_database(url)
    app = create_app()
    with app.app_context():
        upgrade()
    return app


# --------------------------------------------------------------------------- dataset


@dataclass
class Probe:
    """What the measured pages are about: one participant, lecturer, meeting, cohort of
    the first cohort, and the last meeting held of the last (the large) cohort."""

    participant_email: str
    lecturer_email: str
    coordinator_email: str
    cohort_id: int
    meeting_id: int
    feed_path: str
    users: int
    cohorts: int
    meetings: int
    attendance: int
    cohort_size: int  # participants of the first cohort
    large_cohort_id: int
    large_meeting_id: int
    large_lecturer_email: str
    large_size: int  # participants of the last cohort
    meetings_per_cohort: int
    api_token: str = ""
    api_cursor: str = ""  # the cursor of the sixth page of 100 certificates


def seed(cohorts: int, per_cohort: int, weeks: int, now: datetime,
         large: int | None = None) -> Probe:
    """``cohorts`` cohorts of ``per_cohort`` participants, and one more of ``large``
    participants if given, each with two meetings a week for ``weeks`` weeks (three
    quarters of them already held and marked). Staff, companies and cohorts go through
    the operations; the bulk (participants, enrollments, meetings, lecturers of meetings,
    attendance) is inserted in a few multi-row statements."""
    import sqlalchemy as sa

    from lms.accounts.models import Role, User, UserRole
    from lms.accounts.operations import create_user
    from lms.accounts.passwords import hash_password
    from lms.attendance.models import Attendance, AttendanceSource, AttendanceStatus
    from lms.cohorts.models import Enrollment, EnrollmentStatus
    from lms.cohorts.operations import create_cohort, create_company
    from lms.curriculum.content import load_course
    from lms.extensions import db
    from lms.ical.operations import issue_personal_feed
    from lms.schedule.models import Meeting, meeting_lecturer

    chance = random.Random(7)
    course = load_course(ROOT / "course_content" / "social-media-manager").course
    modules = list(course.modules)
    password_hash = hash_password(PASSWORD)
    coordinator = create_user("koordination@bench.example", "Anna", "Lehmann",
                              [Role.COORDINATOR])
    lecturers = [create_user(f"dozent{n}@bench.example", "Dozentin", f"Nummer {n}",
                             [Role.LECTURER]) for n in range(10)]
    companies = [create_company(f"Bench Firma {n} GmbH") for n in range(max(1, cohorts // 5))]
    first_week = (now - timedelta(weeks=weeks * 3 // 4)).date()
    first_week -= timedelta(days=first_week.weekday())  # a Monday
    sizes = [per_cohort] * cohorts + ([large] if large else [])
    starts = [sum(sizes[:c]) for c in range(len(sizes))]  # first participant of each
    cohort_rows = [
        create_cohort(course, companies[c % len(companies)], f"Bench-Kohorte {c + 1:02d}",
                      first_week, first_week + timedelta(weeks=weeks), location="Köln",
                      coordinator=coordinator, by=coordinator)
        for c in range(len(sizes))
    ]
    db.session.execute(sa.update(User).values(password_hash=password_hash))

    people = [{"email": f"teilnehmer{c:02d}-{n:03d}@bench.example", "first_name": "Teil",
               "last_name": f"Nehmer {c}-{n}", "password_hash": password_hash}
              for c, size in enumerate(sizes) for n in range(size)]
    cohort_of = [c for c, size in enumerate(sizes) for _ in range(size)]
    user_ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True), people).all()
    db.session.execute(sa.insert(UserRole), [{"user_id": u, "role": Role.PARTICIPANT}
                                            for u in user_ids])
    joined = now - timedelta(weeks=weeks)
    enrollment_ids = db.session.scalars(
        sa.insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True),
        [{"cohort_id": cohort_rows[cohort_of[i]].id, "user_id": u,
          "status": EnrollmentStatus.ACTIVE, "invited_at": joined, "activated_at": joined}
         for i, u in enumerate(user_ids)]).all()

    meeting_rows = []
    for c, cohort in enumerate(cohort_rows):
        for week in range(weeks):
            day = first_week + timedelta(weeks=week, days=c % 5)
            for slot, (start, end) in enumerate(((9, 12), (13, 17))):
                meeting_rows.append({
                    "cohort_id": cohort.id, "module_id": modules[week % len(modules)].id,
                    "starts_at": datetime(day.year, day.month, day.day, start, tzinfo=ZONE),
                    "ends_at": datetime(day.year, day.month, day.day, end, 30 * slot,
                                        tzinfo=ZONE),
                    "location": "TH Köln, Campus Deutz"})
    meeting_ids = db.session.scalars(
        sa.insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True),
        meeting_rows).all()
    db.session.execute(sa.insert(meeting_lecturer), [
        {"meeting_id": m, "user_id": lecturers[(i // 2) % len(lecturers)].id}
        for i, m in enumerate(meeting_ids)])

    marks = []
    per_cohort_meetings = 2 * weeks
    for i, meeting_id in enumerate(meeting_ids):
        row = meeting_rows[i]
        if row["ends_at"] >= now:
            continue
        c = i // per_cohort_meetings
        lecturer_id = lecturers[(i // 2) % len(lecturers)].id
        for enrollment_id in enrollment_ids[starts[c]: starts[c] + sizes[c]]:
            roll = chance.random()
            status, minutes, note = (
                (AttendanceStatus.PRESENT, None, "") if roll < 0.85 else
                (AttendanceStatus.LATE, 120, "Zug verspätet") if roll < 0.93 else
                (AttendanceStatus.EXCUSED, None, "Krankmeldung") if roll < 0.97 else
                (AttendanceStatus.ABSENT, None, ""))
            marks.append({"meeting_id": meeting_id, "enrollment_id": enrollment_id,
                          "status": status, "minutes_attended": minutes, "note": note,
                          "recorded_by_id": lecturer_id, "recorded_at": row["ends_at"],
                          "source": AttendanceSource.LECTURER})
    for start in range(0, len(marks), 10_000):
        db.session.execute(sa.insert(Attendance), marks[start:start + 10_000])

    # The probe: the first cohort, its first participant, its last meeting already held;
    # the same meeting of the last cohort (the large one, if there is one).
    held = [i for i in range(per_cohort_meetings) if meeting_rows[i]["ends_at"] < now]
    probe_index = held[-1]
    last = len(sizes) - 1
    large_index = last * per_cohort_meetings + probe_index
    participant = db.session.get(User, user_ids[0])
    _feed, token = issue_personal_feed(participant)
    api_token, api_cursor = seed_certificates(coordinator, enrollment_ids, now)
    db.session.commit()
    return Probe(
        api_token=api_token, api_cursor=api_cursor,
        participant_email=people[0]["email"],
        lecturer_email=lecturers[(probe_index // 2) % len(lecturers)].email,
        coordinator_email=coordinator.email, cohort_id=cohort_rows[0].id,
        meeting_id=meeting_ids[probe_index], feed_path=f"/calendar/feed/{token}.ics",
        users=len(user_ids) + 1 + len(lecturers), cohorts=len(sizes),
        meetings=len(meeting_ids), attendance=len(marks), cohort_size=sizes[0],
        large_cohort_id=cohort_rows[last].id, large_meeting_id=meeting_ids[large_index],
        large_lecturer_email=lecturers[(large_index // 2) % len(lecturers)].email,
        large_size=sizes[last], meetings_per_cohort=per_cohort_meetings)


def seed_certificates(coordinator, enrollment_ids: list[int], now: datetime) -> tuple[str, str]:
    """API_CERTIFICATES certificates (one valid per enrollment, the rest revoked earlier
    ones), a coordinator's read token, and the cursor after the first 500."""
    import secrets

    import sqlalchemy as sa

    from lms.api.cursors import encode_cursor
    from lms.certificates.models import Certificate, CertificateKind, CertificateStatus
    from lms.extensions import db
    from lms.integrations.models import TokenScope
    from lms.integrations.operations import create_api_token

    rows = []
    for n in range(API_CERTIFICATES):
        valid = n < len(enrollment_ids)
        issued = now - timedelta(minutes=API_CERTIFICATES - n)
        rows.append({
            "enrollment_id": enrollment_ids[n % len(enrollment_ids)],
            "kind": CertificateKind.CERTIFICATE, "serial": f"BENCH-{n:05d}",
            "verification_code": secrets.token_hex(10).upper(),
            "stored_name": f"bench-{n:05d}.pdf", "sha256": "0" * 64, "design": "thk",
            "language": "de", "issued_at": issued,
            "status": CertificateStatus.VALID if valid else CertificateStatus.REVOKED,
            "revoked_at": None if valid else issued, "revoked_reason": "" if valid else "Test"})
    db.session.execute(sa.insert(Certificate), rows)
    _row, token = create_api_token(coordinator, "Bench", TokenScope.READ, 30)
    after = db.session.execute(sa.select(Certificate.issued_at, Certificate.id)
                               .order_by(Certificate.issued_at, Certificate.id)
                               .offset(499).limit(1)).one()
    return token, encode_cursor("certificates", [after.issued_at.isoformat(), after.id], "")


def page_paths(probe: Probe) -> dict[str, tuple[str, str | None]]:
    """Measured pages: name -> (path, who is logged in)."""
    return {
        START: ("/me/", probe.participant_email),
        # the large cohort's roster (200 participants in the large dataset)
        ROSTER: (f"/teaching/meetings/{probe.large_meeting_id}/attendance",
                 probe.large_lecturer_email),
        MATRIX: (f"/coordination/cohorts/{probe.cohort_id}/attendance",
                 probe.coordinator_email),
        MATRIX_ANEW: (f"/coordination/cohorts/{probe.cohort_id}/attendance",
                      probe.coordinator_email),
        "calendar feed": (probe.feed_path, None),
        "API certificates, first 100": ("/api/v1/certificates?limit=100", API),
        "API certificates, page 6": (
            f"/api/v1/certificates?limit=100&cursor={probe.api_cursor}", API),
        "feed 304": (probe.feed_path, None),
        # for scale, not product pages (bench/ical_bench.py adds them): the session lookup
        # written as plainly as possible; what any page behind the login costs before
        # its own work; and the same with the layout around nothing
        FLOOR_LEAN: ("/_bench/lean", probe.participant_email),
        FLOOR_LOGGED_IN: ("/_bench/logged-in", probe.participant_email),
        FLOOR_EMPTY_PAGE: ("/_bench/empty-page", probe.participant_email),
    }


# --------------------------------------------------------------------------- query counts


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise RuntimeError("no csrf_token on the login page")
    return match.group(1) or match.group(2)


def login_client(app, email: str | None):
    """A test client, logged in through the real login form (unless ``email`` is None)."""
    client = app.test_client()
    if email is not None:
        page = client.get("/login").get_data(as_text=True)
        answer = client.post("/login", data={
            "email": email, "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert answer.status_code == 302, (email, answer.status_code)
    return client


def extra_headers(name: str) -> dict[str, str]:
    from ical_bench import UNCACHED_HEADER

    return {UNCACHED_HEADER: "1"} if name == MATRIX_ANEW else {}


def count_queries(app, probe: Probe) -> dict[str, int]:
    """SQL statements per page in-process (the second request: caches warm, as in use)."""
    from sqlalchemy import event

    from lms.extensions import db

    counts: dict[str, int] = {}
    clients = {}
    with app.app_context():
        engine = db.engine
    seen = [0]

    def on_execute(*_args) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for name, (path, email) in page_paths(probe).items():
            client = clients.get(email)
            if client is None:
                client = clients[email] = login_client(app, None if email == API else email)
            headers = extra_headers(name)
            if email == API:
                headers["Authorization"] = f"Bearer {probe.api_token}"
            expected = 200
            if name == "feed 304":
                headers = {"If-None-Match": client.get(path).headers["ETag"]}
                expected = 304
            first = client.get(path, headers=headers)
            assert first.status_code == expected, (name, first.status_code)
            seen[0] = 0
            second = client.get(path, headers=headers)
            assert second.status_code == expected, (name, second.status_code)
            counts[name] = seen[0]
        client = app.test_client()
        client.get("/_bench/bare")
        seen[0] = 0
        client.get("/_bench/bare")
        counts["bare"] = seen[0]
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return counts


# --------------------------------------------------------------------------- HTTP and wrk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(folder: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--pythonpath", f"{ROOT},{BENCH}", "--log-level", "warning",
               "--config", "python:lms.serving", "ical_bench:served_app()"]
    # Started outside the repository, so that gunicorn.conf.py (access log on stdout) is not
    # read: the log would cost every request, the bare one too, and blur the ratios. Its
    # hooks are (lms.serving), as in production.
    server = subprocess.Popen(command, cwd=folder, env=os.environ.copy())
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/bare",
                                        timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_login(base: str, email: str) -> str:
    """Log in through the real form; return the Cookie header of that session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"{base}/login", timeout=10) as answer:
        token = csrf_token(answer.read().decode())
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    try:
        opener.open(f"{base}/login", data=form, timeout=10)
        raise RuntimeError(f"login of {email} did not redirect")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise RuntimeError(f"login of {email} answered {answer.code}") from None
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def http_get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), b""


@dataclass
class Load:
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    p95_heavy_ms: float | None = None  # p95 at HEAVY_CONNECTIONS connections


LINE = re.compile(r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) "
                  r"errors=(\d+) status_errors=(\d+)")


def wrk(url: str, headers: dict[str, str], args: argparse.Namespace, seconds: float,
        connections: int | None = None) -> Load:
    command = ["wrk", "--threads", str(args.threads),
               "--connections", str(connections or args.connections),
               "--duration", f"{seconds:g}s", "--timeout", "5s",
               "--script", str(BENCH / "wrk_report.lua")]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                            timeout=seconds + 30).stdout
    match = LINE.search(output)
    if match is None:
        raise RuntimeError(f"no summary from wrk:\n{output}")
    requests, duration, p50, p95, errors, status = (int(g) for g in match.groups())
    return Load(requests, requests / (duration / 1e6), p50 / 1000, p95 / 1000, errors + status)


def drive(port: int, probe: Probe, args: argparse.Namespace) -> dict[str, Load]:
    base = f"http://127.0.0.1:{port}"
    cookies: dict[str, str] = {}
    targets: dict[str, dict[str, str]] = {}
    for name, (path, email) in page_paths(probe).items():
        headers = {"User-Agent": USER_AGENT, **extra_headers(name)}
        if email == API:
            headers["Authorization"] = f"Bearer {probe.api_token}"
        elif email is not None:
            if email not in cookies:
                cookies[email] = http_login(base, email)
            headers["Cookie"] = cookies[email]
        status, answer_headers, _body = http_get(base + path, headers)
        if status != 200:
            raise RuntimeError(f"{name}: {path} answered {status}, not 200")
        if name == "feed 304":
            headers["If-None-Match"] = answer_headers["ETag"]
            status, _, _ = http_get(base + path, headers)
            if status != 304:
                raise RuntimeError(f"{name}: {path} answered {status}, not 304")
        targets[name] = headers
    results: dict[str, Load] = {}
    order = ["bare", *targets, "bare (again)"]
    for name in order:
        path = "/_bench/bare" if name.startswith("bare") else page_paths(probe)[name][0]
        headers = targets.get(name, {"User-Agent": USER_AGENT})
        wrk(base + path, headers, args, 1)  # warm every worker's caches and pools
        results[name] = wrk(base + path, headers, args, args.duration)
        log(f"{name}: {results[name].rps:.0f} req/s, p50 {results[name].p50_ms:.1f} ms, "
            f"p95 {results[name].p95_ms:.1f} ms, errors {results[name].errors}")
    # Under load: the same pages with HEAVY_CONNECTIONS connections on the two workers.
    for name in P95_GOALS_MS:
        wrk(base + page_paths(probe)[name][0], targets[name], args, 1)  # (warm again)
        heavy = wrk(base + page_paths(probe)[name][0], targets[name], args, args.duration,
                    connections=HEAVY_CONNECTIONS)
        results[name].p95_heavy_ms = heavy.p95_ms if heavy.requests else None
        results[name].errors += heavy.errors
        log(f"{name} at {HEAVY_CONNECTIONS} connections: {heavy.rps:.0f} req/s, "
            f"p95 {heavy.p95_ms:.1f} ms, errors {heavy.errors}")
    return results


# --------------------------------------------------------------------------- cost per row


@dataclass
class Slope:
    """What one more row (or cell) of a page costs: the difference of two sizes of the
    same page, in-process (the Flask test client, one request at a time, medians of
    interleaved rounds), so that everything that does not grow with the rows cancels."""

    small_units: int
    large_units: int
    small_ms: float
    large_ms: float

    @property
    def per_unit_ms(self) -> float:
        return (self.large_ms - self.small_ms) / (self.large_units - self.small_units)


def time_pages(app, pages: dict[str, tuple[str, str, dict[str, str]]], rounds: int = 7,
               per_round: int = 3) -> tuple[dict[str, float], dict[str, float],
                                            dict[str, str]]:
    """Median milliseconds per request of each (path, email, headers), interleaved: the
    wall-clock time and the process's CPU time (on a busy machine the CPU time is what
    the page itself costs); and each page's HTML."""
    import statistics

    clients = {}
    html = {}
    for name, (path, email, headers) in pages.items():
        if email not in clients:
            clients[email] = login_client(app, email)
        answer = clients[email].get(path, headers=headers)
        assert answer.status_code == 200, (name, answer.status_code)
        html[name] = answer.get_data(as_text=True)
    wall: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(rounds):
        for name, (path, email, headers) in pages.items():
            started, used = time.perf_counter(), time.process_time()
            for _ in range(per_round):
                clients[email].get(path, headers=headers)
            wall[name].append((time.perf_counter() - started) / per_round * 1000)
            cpu[name].append((time.process_time() - used) / per_round * 1000)
    return ({name: statistics.median(values) for name, values in wall.items()},
            {name: statistics.median(values) for name, values in cpu.items()}, html)


def per_row_costs(app, probe: Probe) -> dict[str, Slope]:
    """The attendance page of the first cohort against the large cohort's (per roster
    row), and the matrix of both rendered anew (per cell shown: the large cohort's
    first page), by wall-clock and by CPU time."""
    from ical_bench import UNCACHED_HEADER

    uncached = {UNCACHED_HEADER: "1"}
    wall, cpu, html = time_pages(app, {
        "roster small": (f"/teaching/meetings/{probe.meeting_id}/attendance",
                         probe.lecturer_email, {}),
        "roster large": (f"/teaching/meetings/{probe.large_meeting_id}/attendance",
                         probe.large_lecturer_email, {}),
        "matrix small": (f"/coordination/cohorts/{probe.cohort_id}/attendance",
                         probe.coordinator_email, uncached),
        "matrix large": (f"/coordination/cohorts/{probe.large_cohort_id}/attendance",
                         probe.coordinator_email, uncached),
    })
    rows = {n: html[n].count('<li class="att-row">') for n in ("roster small", "roster large")}
    # A matrix counts every cell of its cohort (the risk lists and the totals per meeting
    # are the whole cohort's) and shows a page of them: per cell of the cohort, and (more
    # pessimistic) per cell shown.
    meetings = probe.meetings_per_cohort
    cells = {"matrix small": probe.cohort_size * meetings,
             "matrix large": probe.large_size * meetings}
    shown = {n: html[n].count('<td class="att-cell') for n in ("matrix small", "matrix large")}
    slopes = {}
    for kind, units in (("roster", rows), ("matrix", cells), ("matrix shown", shown)):
        small, large = [f"{kind.split()[0]} {size}" for size in ("small", "large")]
        slopes[kind] = Slope(units[small], units[large], wall[small], wall[large])
        slopes[f"{kind} cpu"] = Slope(units[small], units[large], cpu[small], cpu[large])
    slopes["matrix bytes"] = Slope(len(html["matrix small"].encode()),
                                   len(html["matrix large"].encode()), 0, 0)
    return slopes


# --------------------------------------------------------------------------- other benchmarks


def run_other(script: str, extra: list[str], url: str, timeout: int = 900) -> str:
    """Run another benchmark on the same database; its output, with a note if it failed."""
    log(f"running bench/{script} {' '.join(extra)}")
    environment = {**os.environ, "LMS_BENCH_DATABASE_URL": url}
    for name in ("LMS_DATABASE_URL", "LMS_INSTANCE_PATH", "LMS_BASE_URL", "LMS_SECRET_KEY"):
        environment.pop(name, None)
    answer = subprocess.run([sys.executable, str(BENCH / script), *extra], capture_output=True,
                            text=True, env=environment, timeout=timeout, check=False)
    print(answer.stdout, file=sys.stderr)
    if answer.returncode != 0:
        errors = [line for line in answer.stderr.splitlines() if "alembic" not in line]
        log(f"bench/{script} exited with code {answer.returncode} (figures taken from what it "
            f"printed before); the end of its stderr:\n" + "\n".join(errors[-15:]))
        return answer.stdout + f"\nEXIT {answer.returncode}\n"
    return answer.stdout


def figure(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(1).strip() if match else "n/a"


# --------------------------------------------------------------------------- report


def report(loads: dict[str, Load], small: dict[str, int], large: dict[str, int],
           small_probe: Probe, probe: Probe, seed_seconds: float, args: argparse.Namespace,
           slopes: dict[str, Slope], certificates: str, feeds: str, jobs: str = "") -> None:
    bare = loads["bare"]
    again = loads["bare (again)"]
    bare_rps = (bare.rps + again.rps) / 2
    bare_p50 = (bare.p50_ms + again.p50_ms) / 2
    bare_p95 = (bare.p95_ms + again.p95_ms) / 2
    print()
    print(f"LMS benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}, PostgreSQL; gunicorn 2 sync workers; "
          f"wrk {args.threads} threads, {args.connections} connections "
          f"({HEAVY_CONNECTIONS} for p95@{HEAVY_CONNECTIONS}), "
          f"{args.duration:g} s per row; "
          + ("feeds with Redis" if os.environ.get("LMS_REDIS_URL") else "no Redis"))
    print(f"Dataset: {probe.users} users, {probe.cohorts} cohorts ({probe.cohorts - 1} of "
          f"{probe.cohort_size}, one of {probe.large_size}), {probe.meetings} meetings, "
          f"{probe.attendance} attendance marks (built in {seed_seconds:.1f} s); "
          f"small dataset for the query counts: {small_probe.cohorts} cohort, "
          f"{small_probe.users} users, {small_probe.meetings} meetings")
    print()
    heavy = f"p95@{HEAVY_CONNECTIONS}"
    header = (f"| {'':30} | {'req/s':>7} | {'÷ bare':>6} | {'p50 ms':>7} | {'× bare':>6} | "
              f"{'p95 ms':>7} | {'× bare':>6} | {heavy:>7} | {'SQL small':>9} | "
              f"{'SQL large':>9} | {'errors':>6} |")
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for name, load in loads.items():
        is_bare = name.startswith("bare")
        ratio = "" if is_bare else f"{load.rps / bare_rps:6.2f}"
        sql_small = str(small.get(name.split(" ")[0] if is_bare else name, ""))
        sql_large = str(large.get(name.split(" ")[0] if is_bare else name, ""))
        p95_heavy = ("" if name not in P95_GOALS_MS else "–" if load.p95_heavy_ms is None
                     else f"{load.p95_heavy_ms:7.1f}")
        print(f"| {name:30} | {load.rps:7.0f} | {ratio:>6} | {load.p50_ms:7.2f} | "
              f"{'' if is_bare else f'{load.p50_ms / bare_p50:6.2f}':>6} | "
              f"{load.p95_ms:7.2f} | {'' if is_bare else f'{load.p95_ms / bare_p95:6.2f}':>6} | "
              f"{p95_heavy:>7} | {sql_small:>9} | {sql_large:>9} | {load.errors:6d} |")
    print()
    print(f"(bare = mean of both bare rows, {bare_rps:.0f} req/s; {ROSTER}: "
          f"{probe.large_size} participants; {MATRIX}: {probe.cohort_size} participants × "
          f"{probe.meetings_per_cohort} meetings)")

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    for name, goal in RATIO_GOALS.items():
        ratio = loads[name].rps / bare_rps
        print(f"Goal: {name} ≥ {goal:.2f} of bare: {ratio:.2f}, {verdict(ratio >= goal)}")
    lean = loads[FLOOR_LOGGED_IN].rps / loads[FLOOR_LEAN].rps
    print(f"Goal: {FLOOR_LOGGED_IN} ≥ {LEAN_GOAL:.1f} of the lean reference: {lean:.2f}, "
          f"{verdict(lean >= LEAN_GOAL)}")
    def costs(kind: str, scale: float) -> tuple[float, float, str]:
        wall, cpu = slopes[kind], slopes[f"{kind} cpu"]
        return (wall.per_unit_ms * scale, cpu.per_unit_ms * scale,
                f"{wall.small_units} and {wall.large_units}: {wall.small_ms:.1f} and "
                f"{wall.large_ms:.1f} ms, CPU {cpu.small_ms:.1f} and {cpu.large_ms:.1f} ms")

    wall, cpu, detail = costs("roster", 1)
    print(f"Goal: {ROSTER} ≤ {ROW_GOAL_MS} ms per roster row: {wall:.3f} by the clock, "
          f"{cpu:.3f} CPU (rows {detail}; in-process), {verdict(min(wall, cpu) <= ROW_GOAL_MS)}")
    wall, cpu, detail = costs("matrix", 1000)
    shown_wall, shown_cpu, shown_detail = costs("matrix shown", 1000)
    print(f"Goal: {MATRIX} rendered anew ≤ {CELL_GOAL_US} µs per cell: {wall:.1f} by the "
          f"clock, {cpu:.1f} CPU per cell of the cohort (cells {detail}; in-process); per "
          f"cell shown {shown_wall:.1f} / {shown_cpu:.1f} ({shown_detail}), "
          f"{verdict(min(wall, cpu) <= CELL_GOAL_US)}")
    biggest = slopes["matrix bytes"].large_units
    print(f"Goal: a matrix page under ~1 MB of HTML: the large cohort's first page "
          f"{biggest / 1e6:.2f} MB ({slopes['matrix shown'].large_units} cells), "
          f"{verdict(biggest < 1_000_000)}")
    for name, goal in P95_GOALS_MS.items():
        p95 = loads[name].p95_heavy_ms
        said = "no request completed" if p95 is None else f"{p95:.0f} ms"
        print(f"Goal: {name} p95 at {HEAVY_CONNECTIONS} connections ≤ {goal} ms: "
              f"{said}, {verdict(p95 is not None and p95 <= goal)}")
    pages = [n for n in loads if not n.startswith("bare") and n not in FLOORS]
    varying = [n for n in pages if small.get(n) != large.get(n)]
    print("Goal: SQL statements per page independent of data size: "
          + ("met" if not varying else "NOT met for " + ", ".join(varying)))
    print()
    print("Certificates (bench/certificates_bench.py"
          + (f", which exited with code {figure(certificates, r'EXIT (-?[0-9]+)')} after printing"
             if "EXIT " in certificates else "") + "):")
    ours = figure(certificates, r"ours \(rules.*?\)\s+([\d.]+ ms)")
    direct = figure(certificates, r"same final HTML\s+([\d.]+ ms)")
    ratio = figure(certificates, r"ours/direct\s+([\d.]+)")
    ratio_once = figure(certificates, r"ours/direct \(fonts once\)\s+([\d.]+)")
    speedup = figure(certificates, r"speed-up with 2 processes: (.*)")
    print(f"  per certificate, ours {ours} vs WeasyPrint alone {direct}; overhead ratio "
          f"{ratio} (against WeasyPrint with fonts parsed once: {ratio_once}; goal ≤ 1.20)")
    print(f"  speed-up with 2 processes: {speedup}")
    print("Calendar feeds (bench/ical_bench.py"
          + (f", which exited with code {figure(feeds, r'EXIT (-?[0-9]+)')} after printing"
             if "EXIT " in feeds else "") + "):")
    for label, pattern in (
            ("unchanged feed / bare, in-process", r"unchanged feed / bare, in-process\s+(.*)"),
            ("unchanged feed / bare, over HTTP", r"unchanged feed / bare, over HTTP\s+(.*)"),
            ("304 / bare, in-process", r"304 / bare, in-process\s+(.*)"),
            ("304 / bare, over HTTP", r"304 / bare, over HTTP\s+(.*)"),
            ("rebuild / icalendar alone", r"rebuild / icalendar alone\s+(.*)"),
            ("build time per 100 meetings", r"build time per 100 meetings\s+(.*)")):
        print(f"  {label:36} {figure(feeds, pattern)}")
    print("Jobs (bench/jobs_bench.py"
          + (f", which exited with code {figure(jobs, r'EXIT (-?[0-9]+)')} after printing"
             if "EXIT " in jobs else "") + "):")
    for label, pattern in (
            ("1 worker", r"1 worker\(s\): (.*)"),
            ("speed-up with 2 workers (goal ≥ 1.8×)", r"speed-up with 2 workers: (.*)"),
            ("speed-up with 4 workers", r"speed-up with 4 workers: (.*)"),
            ("bare page (one connection)", r"bare page: (.*)"),
            ("starting a batch", r"starting a batch: (.*)")):
        print(f"  {label:36} {figure(jobs, pattern)}")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds of wrk per row")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--cohorts", type=int, default=40)
    parser.add_argument("--participants", type=int, default=800)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--large", type=int, default=200,
                        help="participants of the one large cohort (its attendance page)")
    parser.add_argument("--skip-others", action="store_true",
                        help="leave out the certificate and feed benchmarks")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (make bench does it)")
    url = check_url(os.environ.get("LMS_BENCH_DATABASE_URL") or DEFAULT_URL)
    started = time.perf_counter()
    ensure_database(url)

    with tempfile.TemporaryDirectory(prefix="lms-bench-") as folder:
        os.environ.update({
            "LMS_INSTANCE_PATH": folder, "LMS_DATABASE_URL": url,
            "LMS_BASE_URL": "http://127.0.0.1", "LMS_SECRET_KEY": "bench",
            "LMS_RATELIMIT_STORAGE_URL": "memory://",
            "LMS_API_RATE_LIMIT": "10000000/minute"})  # measured, not throttled
        os.environ.pop("LMS_SMTP_HOST", None)
        from ical_bench import REDIS_URL, redis_answers, served_app  # the app plus /_bench/*

        # as production runs: the workers share the feed generation through Redis
        redis_url = os.environ.get("LMS_BENCH_REDIS_URL", REDIS_URL)
        os.environ["LMS_REDIS_URL"] = redis_url if redis_answers(redis_url) else ""

        from lms.extensions import db

        now = datetime.now(UTC)
        log("small dataset: 1 cohort of 3, 4 weeks")
        fresh_app(url)
        app = served_app()
        with app.app_context():
            small_probe = seed(1, 3, 4, now)
        small = count_queries(app, small_probe)
        with app.app_context():
            db.engine.dispose()

        log(f"large dataset: {args.participants} participants in {args.cohorts} cohorts, "
            f"{args.weeks} weeks")
        fresh_app(url)
        app = served_app()
        seeding = time.perf_counter()
        with app.app_context():
            probe = seed(args.cohorts, args.participants // args.cohorts, args.weeks, now,
                         large=args.large)
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        seed_seconds = time.perf_counter() - seeding
        log(f"large dataset built in {seed_seconds:.1f} s: {probe.meetings} meetings, "
            f"{probe.attendance} attendance marks")
        large = count_queries(app, probe)
        log("cost per roster row and per matrix cell, in-process")
        from lms.serving import freeze_long_lived

        freeze_long_lived()  # as a served worker does (lms.serving)
        slopes = per_row_costs(app, probe)
        with app.app_context():
            db.engine.dispose()

        port = free_port()
        log(f"gunicorn on 127.0.0.1:{port}")
        server = start_gunicorn(Path(folder), port)
        try:
            loads = drive(port, probe, args)
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=15)
            if server.poll() is None:
                server.kill()

    certificates = feeds = jobs = ""
    if not args.skip_others:
        certificates = run_other("certificates_bench.py", [], url)
        feeds = run_other("ical_bench.py", [], url)
        jobs = run_other("jobs_bench.py", [], url, timeout=3600)
    report(loads, small, large, small_probe, probe, seed_seconds, args, slopes, certificates,
           feeds, jobs)
    print(f"\nmake bench took {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
