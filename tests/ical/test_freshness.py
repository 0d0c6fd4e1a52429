"""Feed freshness across workers: polls of unchanged feeds ask no database, and every
write to what a feed shows (by any worker, any kind of statement) is seen at the next
poll."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.accounts.models import Role
from lms.audit.operations import record_event
from lms.extensions import db
from lms.ical import freshness
from lms.ical.feeds import feed_cache, recent_answers
from lms.ical.freshness import EXTENSION, FeedGeneration, generation_key
from lms.ical.operations import revoke_personal_feed
from lms.ical.version import feed_tables
from lms.schedule.models import Meeting
from lms.schedule.operations import update_meeting
from tests.conftest import TEST_REDIS_URL, require_redis
from tests.factories import (
    berlin,
    enroll,
    feed_events,
    issue_feed_url,
    make_cohort,
    make_meeting,
    make_user,
)
from tests.sql import recorded_sql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(app) -> FeedGeneration:
    require_redis()
    return app.extensions[EXTENSION]


@pytest.fixture
def world(course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()
    return {"cohort": cohort, "participant": participant, "meeting": meeting, "url": url}


def statements_of(client, url: str, **headers) -> tuple[int, list[str]]:
    with recorded_sql() as seen:
        status = client.get(url, headers=headers).status_code
    return status, seen


def test_watched_tables_are_those_the_feed_statements_read():
    assert feed_tables() == {
        "assignment", "calendar_feed", "cohort", "cohort_contact", "course", "enrollment",
        "meeting", "meeting_lecturer", "module", "user_account", "user_role",
    }


def test_unchanged_feed_is_answered_without_sql(client, store, world):
    first = client.get(world["url"])
    assert first.status_code == 200
    status, seen = statements_of(client, world["url"])
    assert (status, seen) == (200, [])
    status, seen = statements_of(client, world["url"], **{"If-None-Match": first.headers["ETag"]})
    assert (status, seen) == (304, [])
    assert recent_answers.hits == 2


def test_a_committed_change_replaces_the_generation_after_the_commit(client, store, world):
    client.get(world["url"])
    before = store.current()
    update_meeting(world["meeting"], location="Raum 3.01")
    db.session.flush()
    assert store.current() == before  # written, not committed: nothing is visible yet
    db.session.commit()
    assert store.current() != before
    assert b"Raum 3.01" in client.get(world["url"]).data


def test_a_rolled_back_write_and_writes_to_other_tables_keep_the_generation(
        client, store, world):
    client.get(world["url"])
    before = store.current()
    update_meeting(world["meeting"], location="Raum 9.99")
    db.session.flush()
    db.session.rollback()
    # audit_event: a table no feed reads
    record_event(None, "test.event", world["cohort"], cohort_id=world["cohort"].id)
    db.session.commit()
    assert store.current() == before
    status, seen = statements_of(client, world["url"])
    assert (status, seen) == (200, [])


def test_bulk_and_raw_statements_are_seen_too(client, store, world):
    client.get(world["url"])
    before = store.current()
    db.session.execute(sa.update(Meeting).values(location="Aula"))
    db.session.commit()
    middle = store.current()
    assert middle != before
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE meeting SET location = 'Mensa'")
    assert store.current() != middle
    # (a raw UPDATE leaves SEQUENCE and updated_at alone, so the version may not move;
    # the point is that the poll asked the database again instead of its memory)
    status, seen = statements_of(client, world["url"])
    assert status == 200 and seen


def test_revoked_token_answers_404_at_once_after_fast_answers(client, store, world):
    assert client.get(world["url"]).status_code == 200
    assert statements_of(client, world["url"]) == (200, [])
    revoke_personal_feed(world["participant"])
    db.session.commit()
    assert client.get(world["url"]).status_code == 404


@pytest.mark.slow
def test_a_change_made_by_another_worker_process_is_seen(app, client, store, world):
    """Another process (its own app, engine and memory) changes the meeting; this
    worker's next poll shows it."""
    assert b"Raum 2.14" not in client.get(world["url"]).data
    assert statements_of(client, world["url"]) == (200, [])
    script = textwrap.dedent("""
        import sys
        from lms import create_app
        from lms.extensions import db
        from lms.schedule.models import Meeting
        from lms.schedule.operations import update_meeting
        app = create_app({"LMS_INSTANCE_PATH": sys.argv[1], "LMS_DATABASE_URL": sys.argv[2],
                          "LMS_REDIS_URL": sys.argv[3]})
        with app.app_context():
            update_meeting(db.session.get(Meeting, int(sys.argv[4])), location="Raum 2.14")
            db.session.commit()
    """)
    config = app.config
    subprocess.run(
        [sys.executable, "-c", script, app.instance_path,
         db.engine.url.render_as_string(hide_password=False), config["LMS_REDIS_URL"],
         str(world["meeting"].id)],
        check=True, cwd=ROOT, timeout=120,
    )
    time.sleep(store.trust_seconds)  # another worker's change may be that much late
    response = client.get(world["url"])
    assert b"LOCATION:Raum 2.14" in response.data
    assert len(feed_events(response.data)) == 1


def test_remembered_answers_expire(client, store, world, monkeypatch):
    client.get(world["url"])
    monkeypatch.setattr(freshness, "MAX_AGE", -1.0)
    status, seen = statements_of(client, world["url"])
    assert status == 200 and len(seen) == 1  # the version, not a rebuild
    assert feed_cache.builds == 1


def test_without_redis_every_poll_asks_the_version(app, client, world, monkeypatch):
    monkeypatch.delitem(app.extensions, EXTENSION, raising=False)
    assert client.get(world["url"]).status_code == 200
    status, seen = statements_of(client, world["url"])
    assert status == 200 and len(seen) == 1
    assert recent_answers.hits == 0


def test_unreachable_redis_costs_speed_not_answers(app, client, world, monkeypatch, caplog):
    broken = FeedGeneration("redis://127.0.0.1:1/0", generation_key("sqlite://"))
    monkeypatch.setitem(app.extensions, EXTENSION, broken)
    with caplog.at_level(logging.WARNING, logger="lms.ical.freshness"):
        assert client.get(world["url"]).status_code == 200
        status, seen = statements_of(client, world["url"])
        assert status == 200 and len(seen) == 1
        broken.replace()  # a write's replacement that fails is kept for a retry
    assert broken._pending
    assert broken.current() is None
    assert "feed generation unavailable" in caplog.text
    assert "retried at the next poll" in caplog.text


def test_an_emptied_redis_starts_a_new_generation(store, monkeypatch):
    import redis

    monkeypatch.setattr(store, "trust_seconds", 0.0)
    first = store.current()
    redis.Redis.from_url(TEST_REDIS_URL).delete(store.key)
    second = store.current()
    assert second is not None and second != first


def test_generation_key_depends_on_the_database_only():
    assert generation_key("sqlite:///a") == generation_key("sqlite:///a")
    assert generation_key("sqlite:///a") != generation_key("sqlite:///b")
    assert "sqlite" not in generation_key("sqlite:///a")


def test_redis_url_is_checked(tmp_path):
    from lms.config import ConfigError

    with pytest.raises(ConfigError, match="LMS_REDIS_URL must start with redis://"):
        create_app({"LMS_INSTANCE_PATH": str(tmp_path), "LMS_REDIS_URL": "localhost:6379"})


def test_a_lecturers_login_leaves_the_feed_version_alone(client, auth, world):
    """Feeds show lecturers' names and date them by the person's updated_at: a login
    (last_login_at) is not a change to the person."""
    lecturer = make_user(Role.LECTURER, first="Katharina", last="Berger")
    world["meeting"].lecturers.append(lecturer)
    db.session.commit()
    before = client.get(world["url"]).headers["ETag"]
    stamp = lecturer.updated_at
    auth.login(lecturer)
    db.session.expire_all()
    assert lecturer.last_login_at is not None and lecturer.updated_at == stamp
    assert client.get(world["url"], headers={"If-None-Match": before}).status_code == 304


def test_the_generation_read_is_trusted_briefly_and_own_changes_count_at_once(store,
                                                                              monkeypatch):
    import redis

    # The store's clock, moved by hand: a loaded machine cannot stretch the trusted moment.
    now = [0.0]
    monkeypatch.setattr(freshness, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    client = redis.Redis.from_url(TEST_REDIS_URL)
    store._known = None
    first = store.current()
    client.set(store.key, b"another worker's change")
    now[0] = store.trust_seconds / 2
    assert store.current() == first  # within the trusted moment
    now[0] = store.trust_seconds  # (the moment is counted from before the read)
    assert store.current() == b"another worker's change"
    store.replace()  # this worker's own change: at once
    assert store.current() not in (first, b"another worker's change")


def test_writes_are_still_seen_after_the_pool_is_recreated(client, store, world):
    """(gunicorn's post-fork hooks and tests dispose of the engine's pool)"""
    before = store.current()
    db.session.commit()
    db.engine.dispose()
    update_meeting(world["meeting"], location="Raum 4.04")
    db.session.commit()
    assert store.current() != before
