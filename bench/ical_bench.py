"""Calendar feed benchmark: the ratios issue 5 names, measured in one run.

    .venv/bin/python bench/ical_bench.py [--meetings 100] [--rounds 15] [--no-http]

Measures, on one app and one database (a temporary SQLite file unless
LMS_BENCH_DATABASE_URL names another, e.g. a PostgreSQL test database, which it empties),
with the feed generation shared through Redis as in production (LMS_BENCH_REDIS_URL,
default redis://127.0.0.1:6379/13; without an answering Redis every poll asks the
database, and the header line says so):

- a plain GET of an unchanged feed vs a bare Flask response of the same app (goal ≤ 2x),
- the 304 path (If-None-Match) vs the same bare response (goal ≤ 1.5x),
- a rebuild (what a changed feed costs: snapshot, version, rows, build, serialise) vs the icalendar
  library alone building the very same calendar from ready values (goal ≤ 1.3x; the
  bytes are checked to be equal),
- build time per 100 meetings,
- for scale: the bare response plus one SELECT 1, and a poll whose worker memory was
  emptied (the version statement: what every poll costs without Redis).

The request ratios are measured twice: in-process through Flask's test client (the
whole WSGI app, nothing else: the strictest comparison), and over HTTP against gunicorn
(one sync worker, a new connection per request, as calendar programs poll). Timings
are medians of interleaved rounds, so that a busy machine slows every candidate alike.
This is a benchmark, not a test: it reports, and exits 0 whether goals are met or not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"feed": 2.0, "not_modified": 1.5, "rebuild": 1.3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lms-ical-bench-") as folder:
        os.environ.update(bench_environment(Path(folder)))
        app = served_app()
        with app.app_context():
            create_schema()
            feed_path = seed(app, args.meetings)
        results = measure(app, feed_path, args.rounds)
        http = None if args.no_http else measure_http(Path(folder), feed_path, args.rounds)
    report(results, http, args.meetings)


REDIS_URL = "redis://127.0.0.1:6379/13"


def bench_environment(folder: Path) -> dict[str, str]:
    """The app as production runs it: with Redis (LMS_BENCH_REDIS_URL, default database
    13 on 127.0.0.1) when it answers; without, every poll asks the database."""
    url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    redis_url = os.environ.get("LMS_BENCH_REDIS_URL", REDIS_URL)
    return {"LMS_INSTANCE_PATH": str(folder), "LMS_DATABASE_URL": url,
            "LMS_BASE_URL": "https://lms.example.org", "LMS_SECRET_KEY": "bench",
            "LMS_REDIS_URL": redis_url if redis_answers(redis_url) else ""}


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        print(f"Redis at {url} does not answer: every poll asks the database",
              file=sys.stderr)
        return False


# The lean reference's one statement: the session, its user and the user's roles (a row
# per role), the same columns the product's lookup reads (lms.accounts.sessions), as a
# hand-written lookup would ask for them (PostgreSQL's paramstyle).
LEAN_LOOKUP = (
    "SELECT s.id, s.last_seen_at, s.revoked_at, u.id, u.email, u.first_name, u.last_name,"
    " u.title_form, u.locale, u.is_active_account, r.role"
    " FROM user_session s JOIN user_account u ON u.id = s.user_id"
    " LEFT JOIN user_role r ON r.user_id = u.id"
    " WHERE s.token_hash = %s AND s.user_id = %s")


# Sent by the benchmark to measure the coordinator's matrix without its kept rendering.
UNCACHED_HEADER = "X-Bench-Uncached"


def served_app():
    """The real app (from the LMS_* environment) plus the cheapest response it can give.
    Also what gunicorn serves: ``ical_bench:served_app()``."""
    from flask import Blueprint, render_template
    from flask_login import login_required

    from lms import create_app

    app = create_app()
    # In a blueprint, like every route of the app (Flask-Limiter, for one, does more
    # for a blueprint's route than for a bare app route).
    bench = Blueprint("bench", __name__, url_prefix="/_bench")

    @bench.get("/bare")
    def bare():
        return "ok"

    @bench.get("/select1")
    def select1():  # the floor of any answer that asks the database, as the feed does
        from lms.extensions import db

        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":  # as the feed's query does
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("SELECT 1").first()
        return "ok"

    @bench.get("/logged-in")
    @login_required
    def logged_in():  # the floor of every page behind a login: session and user lookups
        return "ok"

    @bench.get("/lean")
    def lean():  # the floor's reference: the same lookup written as plainly as possible
        import hashlib

        from flask import abort, session

        from lms.accounts.sessions import IDLE_LIMIT
        from lms.db import utcnow
        from lms.extensions import db

        token, user_id = session.get("sid"), session.get("_user_id")
        if not token or not user_id or not user_id.isdigit():
            abort(401)
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                LEAN_LOOKUP, (hashlib.sha256(token.encode()).hexdigest(), int(user_id))
            ).all()
        if (not rows or rows[0][2] is not None or not rows[0][9]
                or utcnow() - rows[0][1] > IDLE_LIMIT):
            abort(401)
        return "ok"

    @bench.get("/empty-page")
    @login_required
    def empty_page():  # the floor of every HTML page: that, plus the layout around nothing
        return render_template(empty)  # (compiled once, as every page's template is)

    @app.before_request
    def uncached():  # the matrix rendered anew: what a change of its data costs
        from flask import request

        if request.headers.get(UNCACHED_HEADER):
            from lms.web.coordinator.matrix import fragments

            fragments.clear()

    empty = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}')
    app.register_blueprint(bench)
    return app


def create_schema() -> None:
    from lms.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    db.create_all()


def seed(app, meetings: int) -> str:
    """One cohort of the real course with ``meetings`` meetings over several months (across
    both daylight-saving changes), lecturers, deadlines and one participant's feed."""
    from lms.accounts.models import Role
    from lms.accounts.operations import create_user
    from lms.assignments.models import Assignment
    from lms.cohorts.models import EnrollmentStatus
    from lms.cohorts.operations import create_cohort, create_company, enroll_participant
    from lms.curriculum.content import load_course
    from lms.extensions import db
    from lms.ical.operations import issue_personal_feed
    from lms.schedule.operations import cancel_meeting, schedule_meeting

    course = load_course(ROOT / "course_content" / "social-media-manager").course
    cohort = create_cohort(course, create_company("Nordlicht Consulting GmbH"),
                           "Nordlicht 2026", date(2026, 9, 1), date(2027, 6, 30))
    lecturers = [create_user(f"dozent{n}@example.org", "Dozentin", f"Nummer {n}",
                             [Role.LECTURER]) for n in range(7)]
    participant = create_user("teilnehmer@example.org", "Jürgen", "Müller", [Role.PARTICIPANT])
    enroll_participant(cohort, participant, status=EnrollmentStatus.ACTIVE)
    zone = ZoneInfo("Europe/Berlin")
    first = date(2026, 9, 4)
    modules = course.modules
    for n in range(meetings):
        day = first + timedelta(days=2 * n)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
        meeting = schedule_meeting(
            cohort, modules[n % len(modules)], start, start + timedelta(hours=7),
            location="TH Köln, Campus Deutz, Raum 2.14" if n % 3 else "",
            online_url="https://meet.example.org/nordlicht" if n % 3 == 0 else "",
            lecturers=[lecturers[n % 7], lecturers[(n + 3) % 7]][: 1 + n % 2],
        )
        if n % 17 == 5:
            cancel_meeting(meeting, "Dozentin erkrankt")
    for n, assignment in enumerate(db.session.scalars(
            db.select(Assignment).filter_by(cohort_id=cohort.id))):
        assignment.due_at = (datetime(2026, 11, 15, 23, 59, tzinfo=zone)
                             + timedelta(weeks=4 * n))
    _feed, token = issue_personal_feed(participant)
    db.session.commit()
    return f"/calendar/feed/{token}.ics"


def measure(app, feed_path: str, rounds: int) -> dict[str, float]:
    from lms.ical.feeds import answer_from_database, build_feed_body, feed_cache, recent_answers
    from lms.ical.queries import hash_feed_token, load_feed_content
    from lms.ical.version import find_feed_state

    client = app.test_client()
    first = client.get(feed_path)
    assert first.status_code == 200, first.status_code
    etag = first.headers["ETag"]
    assert client.get(feed_path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/_bench/bare").status_code == 200

    token = feed_path.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        state = find_feed_state(token, "de")
        content = load_feed_content(state.scope, state.user_id, state.cohort_id,
                                    state.title_form)
        ours = build_feed_body(state, content, "https://lms.example.org", "Europe/Berlin")
        ready = ready_values(ours)
        alone = library_alone(ready)
    assert alone == ours == first.data, "the library-alone calendar must be the same bytes"

    def rebuild() -> None:  # what a changed feed costs: snapshot, version, rows, build
        feed_cache.clear()
        with app.app_context():
            answer_from_database(hash_feed_token(token))

    def database_poll() -> None:  # an unchanged feed when this worker's memory is void
        recent_answers.clear()
        client.get(feed_path)

    def cold_request() -> None:
        recent_answers.clear()
        feed_cache.clear()
        client.get(feed_path)

    candidates: dict[str, tuple[Callable[[], object], int]] = {
        "bare": (lambda: client.get("/_bench/bare"), 200),
        "select1": (lambda: client.get("/_bench/select1"), 200),
        "feed": (lambda: client.get(feed_path), 200),
        "not_modified": (lambda: client.get(feed_path, headers={"If-None-Match": etag}), 200),
        "database_poll": (database_poll, 50),
        "rebuild": (rebuild, 5),
        "library": (lambda: library_alone(ready), 5),
        "cold_request": (cold_request, 5),
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, (run, batch) in candidates.items():
            started = time.perf_counter()
            for _ in range(batch):
                run()
            samples[name].append((time.perf_counter() - started) / batch)
    client.get(feed_path)  # leave the cache warm
    return {name: statistics.median(values) for name, values in samples.items()}


def measure_http(folder: Path, feed_path: str, rounds: int) -> dict[str, float] | None:
    """The same three requests over HTTP, against gunicorn with one sync worker."""
    import http.client
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
               f"127.0.0.1:{port}", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
               "--log-level", "warning", "ical_bench:served_app()"]
    # started in the temporary folder, so that the repository's gunicorn.conf.py (access
    # log on stdout) is not read: logging would cost every request the same
    server = subprocess.Popen(command, cwd=folder, env=os.environ.copy())
    try:
        def get(path: str, headers: dict | None = None) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status

        for _ in range(100):
            try:
                get("/_bench/bare")
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("gunicorn did not start; HTTP figures left out", file=sys.stderr)
            return None
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", feed_path)
        first = connection.getresponse()
        first.read()
        etag = first.getheader("ETag")
        assert first.status == 200 and get(feed_path, {"If-None-Match": etag}) == 304
        candidates = {
            "bare": lambda: get("/_bench/bare"),
            "select1": lambda: get("/_bench/select1"),
            "feed": lambda: get(feed_path),
            "not_modified": lambda: get(feed_path, {"If-None-Match": etag}),
        }
        samples: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(rounds):
            for name, run in candidates.items():
                started = time.perf_counter()
                for _ in range(100):
                    run()
                samples[name].append((time.perf_counter() - started) / 100)
        return {name: statistics.median(values) for name, values in samples.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)


def ready_values(data: bytes) -> dict:
    """Every value of the built calendar, read back with icalendar as plain Python values
    (str, int, datetime): what the library alone starts from, with nothing left to look
    up, format or translate."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(data)
    zone = calendar.walk("VTIMEZONE")[0]
    tzid = str(zone["TZID"])
    local_days = []
    events = []
    for event in calendar.walk("VEVENT"):
        events.append([(name.lower(), event.decoded(name)) for name in event])
        for name in ("DTSTART", "DTEND"):
            if name not in event:
                continue
            value = event.decoded(name)
            # (an all-day event, such as a deadline or a material's release, is a date)
            local_days.append(value.astimezone(ZoneInfo(tzid)).date()
                              if isinstance(value, datetime) else value)
    header = {name: calendar.decoded(name) for name in calendar}
    return {"header": header, "tzid": tzid, "events": events,
            "first": min(local_days) - timedelta(days=1),
            "last": max(local_days) + timedelta(days=1)}


def library_alone(ready: dict) -> bytes:
    """The icalendar library building the same calendar, with nothing of ours around it."""
    from icalendar import Calendar, Event, Timezone, vDuration

    header = ready["header"]
    calendar = Calendar()
    for name in ("prodid", "version", "calscale", "method", "name", "x-wr-calname",
                 "x-wr-timezone"):
        calendar.add(name, header[name.upper()])
    calendar.add("refresh-interval", header["REFRESH-INTERVAL"],
                 parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(header["REFRESH-INTERVAL"]))
    calendar.add_component(Timezone.from_tzid(ready["tzid"], first_date=ready["first"],
                                              last_date=ready["last"]))
    for properties in ready["events"]:
        event = Event()
        for name, value in properties:
            event.add(name, value)
        calendar.add_component(event)
    return calendar.to_ical()


def report(results: dict[str, float], http: dict[str, float] | None, meetings: int) -> None:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:8.3f} ms"

    def verdict(key: str, ratio: float) -> str:
        met = "met" if ratio <= GOALS[key] else "NOT met"
        return f"{ratio:5.2f}x   (goal ≤ {GOALS[key]}x: {met})"

    redis_url = os.environ.get("LMS_REDIS_URL")
    print(f"Calendar feed benchmark ({meetings} meetings, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {'Redis ' + redis_url if redis_url else 'no Redis'})")
    print()
    print("In-process (Flask test client)")
    print(f"  bare Flask response           {ms(results['bare'])}")
    print(f"  bare response + SELECT 1      {ms(results['select1'])}")
    print(f"  GET unchanged feed (cached)   {ms(results['feed'])}")
    print(f"  GET with matching ETag (304)  {ms(results['not_modified'])}")
    print(f"  GET, worker memory emptied    {ms(results['database_poll'])}  "
          "(the version query: every poll without Redis)")
    print(f"  cold GET (caches emptied)     {ms(results['cold_request'])}")
    print(f"  rebuild (version, rows, build) {ms(results['rebuild'])}")
    print(f"  icalendar library alone       {ms(results['library'])}")
    if http is not None:
        print()
        print("Over HTTP (gunicorn, 1 sync worker, new connection per request)")
        print(f"  bare Flask response           {ms(http['bare'])}")
        print(f"  bare response + SELECT 1      {ms(http['select1'])}")
        print(f"  GET unchanged feed (cached)   {ms(http['feed'])}")
        print(f"  GET with matching ETag (304)  {ms(http['not_modified'])}")
    print()
    print("Ratios")
    print(f"  unchanged feed / bare, in-process  "
          f"{verdict('feed', results['feed'] / results['bare'])}")
    print(f"  304 / bare, in-process             "
          f"{verdict('not_modified', results['not_modified'] / results['bare'])}")
    if http is not None:
        print(f"  unchanged feed / bare, over HTTP   "
              f"{verdict('feed', http['feed'] / http['bare'])}")
        print(f"  304 / bare, over HTTP              "
              f"{verdict('not_modified', http['not_modified'] / http['bare'])}")
    print(f"  (for scale: bare + SELECT 1 / bare {results['select1'] / results['bare']:5.2f}x "
          f"in-process" + (f", {http['select1'] / http['bare']:.2f}x over HTTP)"
                           if http is not None else ")"))
    print(f"  rebuild / icalendar alone          "
          f"{verdict('rebuild', results['rebuild'] / results['library'])}")
    print(f"  build time per 100 meetings        "
          f"{results['rebuild'] * 100 / meetings * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
